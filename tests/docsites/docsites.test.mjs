// The built documentation sites of scripts/docsites.sh, opened in headless Chromium: an mdBook
// built with mdbook-ctxgroup (DOCSITE_MDBOOK: its output directory) and a VitePress site with the
// packed npm package installed (DOCSITE_VITEPRESS: its dist directory; DOCSITE_VITEPRESS_DEV: the
// URL of its dev server), and the unpacked npm tarball (DOCSITE_NPM_PACKAGE) served as it is. DOCSITE_SHOTS, when set,
// is where screenshots go (light and dark, desktop and phone width).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = process.env.DOCSITE_SHOTS || '';
const servers = [];
let browser;

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Serves `dir` and returns its base URL. */
async function serve(dir) {
  assert.ok(dir, 'scripts/docsites.sh sets DOCSITE_MDBOOK and DOCSITE_VITEPRESS');
  const port = await freePort();
  servers.push(spawn('python3', ['scripts/serve.py', '--dir', dir, '--port', String(port), '--quiet'], { cwd: root, stdio: 'inherit' }));
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(base)).status < 500) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return base;
}

/** A page in a fresh context, with the console errors and page errors it produces. */
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()} ${m.location().url}`); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  page.on('close', () => context.close().catch(() => {}));
  return { page, errors };
}

const upgraded = (page) => page.locator('ctxgroup-playground .summary').filter({ hasText: /returned/ }).first();
/** The background colour of the first element's chart (its shadow root). */
const chartBg = (page) => page.evaluate(() => {
  const bg = document.querySelector('ctxgroup-playground').shadowRoot.querySelector('svg .cg-bg');
  return bg ? getComputedStyle(bg).fill : null;
});
const isDark = (page) => page.evaluate(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));

/** Picks a theme in mdBook's theme menu (opening the menu first). */
async function pickTheme(page, name) {
  const item = page.locator(`#mdbook-theme-${name}`);
  if (!(await item.isVisible())) await page.click('#mdbook-theme-toggle');
  await item.click();
  await page.waitForFunction((n) => document.documentElement.classList.contains(n), name);
}

async function shot(page, name) {
  if (!shots) return;
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  for (const s of servers) s.kill();
});

test('mdBook: the pre-rendered chart and the scenario show with JavaScript off', async () => {
  const base = await serve(process.env.DOCSITE_MDBOOK);
  const { page, errors } = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}chapter_1.html`);
  const figure = page.locator('ctxgroup-playground figure svg.cg-gantt').first();
  await figure.waitFor();
  assert.ok(await figure.isVisible());
  assert.match(await figure.locator(':scope > title').textContent(), /returned at 7s/);
  assert.match(await page.locator('ctxgroup-playground pre').first().textContent(), /^timeout 7s\ntask t1 5s check=never\n/);
  assert.ok((await figure.boundingBox()).width > 300);
  assert.deepEqual(errors, []);
});

test('mdBook: the chart is there before the element upgrades and after, and follows the theme switch', async () => {
  const base = await serve(process.env.DOCSITE_MDBOOK);
  const { page, errors } = await newPage({ colorScheme: 'light' });
  // Hold the element's module back: the page shows its fallback meanwhile.
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/ctxgroup/ctxgroup-playground.js', async (route) => { await gate; await route.continue(); });
  await page.goto(`${base}chapter_1.html`);
  const fallback = page.locator('ctxgroup-playground figure svg.cg-gantt').first();
  await fallback.waitFor();
  assert.ok(await fallback.isVisible(), 'the pre-rendered chart shows before the upgrade');
  assert.equal(await page.evaluate(() => !!customElements.get('ctxgroup-playground')), false);
  release();
  await upgraded(page).waitFor();
  assert.equal(await fallback.isVisible(), false, 'the fallback is hidden once the element is up');
  assert.equal(await page.locator('ctxgroup-playground').count(), 2);
  assert.match(await upgraded(page).textContent(), /returned at 7s/);
  assert.ok(await page.evaluate(() => !!document.querySelector('ctxgroup-playground').shadowRoot.querySelector('svg .cg-bg')));
  assert.equal(await isDark(page), false);
  const light = await chartBg(page);
  await shot(page, 'mdbook-light-1280');

  // mdBook's theme menu: Coal is dark, Rust is light (whatever the system prefers).
  await pickTheme(page, 'coal');
  await page.waitForFunction(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  await page.waitForFunction((l) => getComputedStyle(document.querySelector('ctxgroup-playground').shadowRoot.querySelector('svg .cg-bg')).fill !== l, light);
  await upgraded(page).waitFor();
  await shot(page, 'mdbook-coal-1280');
  await pickTheme(page, 'rust');
  await page.waitForFunction(() => !document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(100);
  assert.equal(await isDark(page), false, 'the Rust theme is light even when the system prefers dark');
  await pickTheme(page, 'navy');
  await page.waitForFunction(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  assert.deepEqual(errors, []);
});

test('mdBook: phone width, and the fallback in a dark theme with JavaScript off', async () => {
  const base = await serve(process.env.DOCSITE_MDBOOK);
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await newPage({ viewport: { width: 390, height: 844 }, colorScheme: scheme });
    await page.goto(`${base}chapter_1.html`);
    await upgraded(page).waitFor();
    assert.equal(await isDark(page), scheme === 'dark', 'mdBook picks its theme by the system; the element follows');
    await shot(page, `mdbook-${scheme}-390`);
    assert.deepEqual(errors, []);
  }
  const { page } = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}chapter_1.html`);
  await shot(page, 'mdbook-nojs-light-1280');
  // With JavaScript off mdBook keeps its default theme class; a dark default gets the dark palette.
  await page.evaluate(() => { document.documentElement.className = 'coal'; });
  const fill = await page.evaluate(() => getComputedStyle(document.querySelector('ctxgroup-playground figure svg .cg-bg')).fill);
  assert.equal(fill, 'rgb(13, 17, 23)');
});

test('VitePress: the element renders from the npm package, follows the appearance switch, no console errors', async () => {
  const base = await serve(process.env.DOCSITE_VITEPRESS);
  const { page, errors } = await newPage({ colorScheme: 'light' });
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  await page.goto(base);
  await upgraded(page).waitFor();
  assert.match(await upgraded(page).textContent(), /returned at 7s/);
  // The scenario came through Vue's template compiler intact (line breaks kept).
  assert.equal(await page.evaluate(() => document.querySelector('ctxgroup-playground').value),
    'timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\nexpect t2 cancelled at 7s "context deadline exceeded"\n');
  assert.ok(await page.evaluate(() => !!document.querySelector('ctxgroup-playground').shadowRoot.querySelector('svg .cg-bg')));
  assert.equal(await isDark(page), false);
  await shot(page, 'vitepress-light-1280');
  await page.locator('.VPNavBarAppearance .VPSwitchAppearance').click();
  await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
  await page.waitForFunction(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  await page.waitForTimeout(300);
  await shot(page, 'vitepress-dark-1280');
  assert.deepEqual(errors, []);
  assert.deepEqual(failed, []);
});

test('VitePress: phone width, light and dark system', async () => {
  const base = await serve(process.env.DOCSITE_VITEPRESS);
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await newPage({ viewport: { width: 390, height: 844 }, colorScheme: scheme });
    await page.goto(base);
    await upgraded(page).waitFor();
    assert.equal(await isDark(page), scheme === 'dark');
    await page.locator('ctxgroup-playground').first().scrollIntoViewIfNeeded();
    await shot(page, `vitepress-${scheme}-390`);
    assert.deepEqual(errors, []);
  }
});

test('VitePress dev server: the element renders (the package is kept out of Vite\'s pre-bundling)', async () => {
  const url = process.env.DOCSITE_VITEPRESS_DEV;
  assert.ok(url, 'scripts/docsites.sh sets DOCSITE_VITEPRESS_DEV');
  const { page, errors } = await newPage();
  await page.goto(url);
  await upgraded(page).waitFor({ timeout: 60_000 });
  assert.match(await upgraded(page).textContent(), /returned at 7s/);
  // The dev server answers /favicon.ico with 404 before the page's icon link is read.
  assert.deepEqual(errors.filter((e) => !e.includes('favicon.ico')), []);
});

test('npm package without a bundler: one module script from the unpacked tarball registers the element', async () => {
  const base = await serve(process.env.DOCSITE_NPM_PACKAGE);
  const { page, errors } = await newPage();
  const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="ctxgroup-playground.js"></script></head><body>
<ctxgroup-playground autorun>task a 1s
task b 2s fail="boom"</ctxgroup-playground></body></html>`;
  await page.route(`${base}page.html`, (r) => r.fulfill({ body: html, contentType: 'text/html' }));
  await page.goto(`${base}page.html`);
  await upgraded(page).waitFor();
  assert.match(await upgraded(page).textContent(), /returned at 2s: boom/);
  assert.deepEqual(errors, []);
});
