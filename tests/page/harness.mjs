// Shared by the page tests: serves www/ on a free port, launches Debian's Chromium through
// playwright-core (it downloads no browser), and opens the playground.
import { before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const env = { server: null, browser: null, base: '' };

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Registers before/after hooks that start the server and the browser for this test file. */
export function useBrowser() {
  before(async () => {
    const port = await freePort();
    env.server = spawn('python3', ['scripts/serve.py', '--dir', 'www', '--port', String(port), '--quiet'], { cwd: root, stdio: 'inherit' });
    env.base = `http://127.0.0.1:${port}/`;
    for (let i = 0; i < 50; i++) {
      try { if ((await fetch(env.base)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    env.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await env.browser?.close();
    env.server?.kill();
  });
  return env;
}

/** A new page (its own context: fresh local storage) at `url`, once the first run has ended. */
export async function open(url = env.base, viewport = { width: 1280, height: 900 }, options = {}) {
  const context = await env.browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'], ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  page.on('close', () => context.close().catch(() => {}));
  await page.goto(url);
  await page.locator('ctxgroup-playground .summary').filter({ hasText: /returned|never returns|refused/ }).first().waitFor();
  return { page, errors };
}

/** Replaces the scenario's text and runs it (Ctrl+Enter). */
export async function typeScenario(page, text) {
  const editor = page.locator('#pg textarea');
  await editor.fill(text);
  await editor.press('Control+Enter');
}

/** Switches #pg to live mode, runs `text`, and waits until the summary says `running` (text or
 * pattern) of the run. */
export async function startLive(page, text, running = 'running at') {
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await typeScenario(page, text);
  await page.locator('#pg .summary', { hasText: running }).waitFor();
}

/** `fn(root, arg)` in the page, with root the shadow root of #pg (its source is sent: it
 * closes over nothing). */
export const shadow = (page, fn, arg) => page.locator('#pg').evaluate((e, [src, a]) => new Function('root', 'arg', `return (${src})(root, arg)`)(e.shadowRoot, a), [fn.toString(), arg]);

/** Pastes `text` over the scenario (as a user does: Ctrl+A, Ctrl+V) and runs it. */
export async function pasteScenario(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  const editor = page.locator('#pg textarea');
  await editor.focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+v');
  await editor.press('Control+Enter');
}

export const summary = (page) => page.locator('#pg .summary').textContent();

/** Resolves with the detail of the next ctxgroup-run-end event of #pg. */
export function nextRunEnd(page) {
  return page.evaluate(() => new Promise((resolve) => {
    document.querySelector('#pg').addEventListener('ctxgroup-run-end', (e) => resolve(JSON.parse(JSON.stringify(e.detail))), { once: true });
  }));
}
