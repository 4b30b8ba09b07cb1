// The built playground in headless Chromium (Debian's, driven by playwright-core): the page a
// user opens, typed into, run, shared and watched live. Run by the README's test command after
// the web build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server;
let browser;
let base;

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  const port = await freePort();
  server = spawn('python3', ['scripts/serve.py', '--dir', 'www', '--port', String(port), '--quiet'], { cwd: root, stdio: 'inherit' });
  base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(base)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

async function open(url = base, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url);
  await page.locator('ctxgroup-playground .summary').filter({ hasText: 'returned' }).first().waitFor();
  return { page, errors };
}

async function typeScenario(page, text) {
  const editor = page.locator('#pg textarea');
  await editor.fill(text);
  await editor.press('Control+Enter');
}

const summary = (page) => page.locator('#pg .summary').textContent();

test('the page loads the wasm module and runs the first seed example', async () => {
  const { page, errors } = await open();
  assert.match(await summary(page), /^returned at 7s: context deadline exceeded — t1 completed at 5s, t2 cancelled at 7s$/);
  assert.equal(await page.locator('#pg svg g.cg-row').count(), 2);
  assert.equal(await page.locator('#pg .expects li.ok').count(), 3);
  assert.ok((await page.locator('#examples option').count()) >= 15, 'the examples menu lists the seeds');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a typed scenario runs: bars, labels and summary', async () => {
  const { page, errors } = await open();
  await typeScenario(page, 'timeout 2s\nlimit 1\ntask api 5s\ntask after 1s check=never\n');
  await page.locator('#pg .summary', { hasText: 'returned at 3s' }).waitFor();
  assert.equal(await summary(page), 'returned at 3s: context deadline exceeded — api cancelled at 2s, after completed at 3s');
  const api = page.locator('#pg svg g.cg-row[data-path="api"]');
  assert.equal(await api.locator('rect.cg-cancelled').count(), 2, 'a cancelled bar and its end marker');
  assert.equal(await page.locator('#pg svg g.cg-row[data-path="after"] rect.cg-queued').count(), 1, 'it waited for the slot');
  assert.equal(await page.locator('#pg svg g.cg-row[data-path="after"] text.cg-text').textContent(), 'after', 'the row is labelled');
  assert.match(await api.locator('title').first().textContent(), /api cancelled at 2s/);
  // The scrubber shows the state of every task at a time.
  await page.locator('#pg .scrub input').fill('800'); // t = 2.4 s of 3 s
  assert.match(await page.locator('#pg .states').textContent(), /api: cancelled.*after: running, cancel requested/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the scrubber says a task TryGo skipped is skipped, not waiting for a slot', async () => {
  const { page, errors } = await open();
  await typeScenario(page, 'limit 1\ntask a 2s\ntask b 1s try\n');
  await page.locator('#pg .summary', { hasText: 'returned at 2s' }).waitFor();
  await page.locator('#pg .scrub input').fill('500'); // t = 1 s of 2 s
  assert.match(await page.locator('#pg .states').textContent(), /a: running.*b: skipped/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an error is shown at its line and column, and the work is kept', async () => {
  const { page } = await open();
  const text = 'timeout 7s\ntask a 1s\ntask b 5sx\n';
  await typeScenario(page, text);
  const error = page.locator('#pg .errors li').first();
  await error.waitFor();
  assert.match(await error.textContent(), /^line 3, col 9: unknown unit "sx" in "5sx" — use ms, s, m or h$/);
  assert.equal(await page.locator('#pg pre .l.bad').getAttribute('data-n'), '3', 'the line number is marked');
  assert.equal(await page.locator('#pg pre mark').textContent(), 'sx');
  assert.equal(await page.locator('#pg textarea').inputValue(), text, 'never lost work');
  await error.click();
  const caret = await page.locator('#pg textarea').evaluate((t) => t.selectionStart);
  assert.equal(caret, 'timeout 7s\ntask a 1s\ntask b 5'.length, 'clicking the error puts the caret there');
  await page.close();
});

test('a share link round-trips the whole scenario', async () => {
  const { page } = await open();
  const text = 'timeout 3s\ntask "quoted" 1s\ntask t2 5s fail="HTTP 502 <b>"\n# é ✓\n';
  await typeScenario(page, 'timeout 3s\ntask q 1s\ntask t2 5s fail="HTTP 502 <b>"\n# é ✓\n');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#share');
  await page.locator('#status', { hasText: 'copied' }).waitFor();
  const url = page.url();
  assert.match(url, /#z=[A-Za-z0-9_-]+$/);
  const { page: other } = await open(url);
  assert.equal(await other.locator('#pg textarea').inputValue(), 'timeout 3s\ntask q 1s\ntask t2 5s fail="HTTP 502 <b>"\n# é ✓\n');
  assert.equal(await summary(other), await summary(page));
  assert.ok(text);
  await page.close();
  await other.close();
});

test('a crafted link cannot inject markup or script', async () => {
  const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>\ntask a 1s fail="</title><img src=y onerror=window.pwned=3>"\n';
  const hash = 't=' + Buffer.from(evil).toString('base64url');
  const page = await browser.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${base}#${hash}`);
  await page.locator('#pg .errors li').first().waitFor();
  assert.equal(await page.locator('#pg textarea').inputValue(), evil, 'it only became editor text');
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => document.querySelector('#pg').shadowRoot.querySelectorAll('img, script').length), 0);
  assert.deepEqual(dialogs, []);
  await page.goto(`${base}#z=%%%not-base64`);
  await page.locator('#status', { hasText: 'could not be read' }).waitFor();
  await page.close();
});

test('live mode at 10x on real timers ends with the same outcomes as virtual mode', async () => {
  const { page, errors } = await open();
  // Margins are wide on purpose (d fails at 0.5 s, the deadline is at 2 s): a busy machine
  // delays real timers, and the outcomes must not depend on it.
  const text = 'timeout 2s\ntask a 3s\ntask b 500ms check=never\ntask c 2s check=every:200ms\ntask d 400ms fail="boom" after=100ms\n';
  await typeScenario(page, text);
  // d fails at 500 ms and cancels the group; c sees it at its next check, at 600 ms.
  await page.locator('#pg .summary', { hasText: 'returned at 600ms: boom' }).waitFor();
  const virtual = await page.evaluate(() => document.querySelector('#pg').trace.tasks.map((t) => [t.path, t.outcome, t.end, t.error]));
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await page.locator('#pg .speed input').fill('6'); // 10×
  assert.equal(await page.locator('#pg .speed .out').textContent(), '10×');
  const ended = page.evaluate(() => new Promise((resolve) => {
    document.querySelector('#pg').addEventListener('ctxgroup-run-end', (e) => resolve(e.detail), { once: true });
  }));
  const started = Date.now();
  await page.locator('#pg button.primary').click();
  const detail = await ended;
  const took = Date.now() - started;
  assert.ok(detail.ok);
  const live = detail.trace.tasks.map((t) => [t.path, t.outcome, t.end, t.error]);
  assert.deepEqual(live.map((t) => [t[0], t[1], t[3]]), virtual.map((t) => [t[0], t[1], t[3]]), 'same outcomes and errors');
  for (let i = 0; i < live.length; i++) {
    assert.ok(Math.abs(live[i][2] - virtual[i][2]) < 0.5, `${live[i][0]} ended at ${live[i][2]} live vs ${virtual[i][2]} virtual`);
  }
  assert.ok(took < 10_000, `0.5 s of scenario at 10× took ${took} ms`);
  // Its axis, ahead of the run while it ran, is the whole run once it ends, as in virtual mode.
  await page.waitForFunction(() => { const c = document.querySelector('#pg')._chartData; return c.t0Us === 0 && c.t1Us === c.endUs; });
  assert.equal(await page.evaluate(() => document.querySelector('#pg').pendingTimers()), 0, 'no stray timers');
  assert.deepEqual(errors, []);
  await page.close();
});

test('stopping a live run releases its timers', async () => {
  const { page } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await typeScenario(page, 'task a 60s\ntask b forever check=every:1s\n');
  await page.waitForFunction(async () => (await document.querySelector('#pg').pendingTimers()) > 0);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.locator('#pg .summary', { hasText: 'stopped at' }).waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('#pg').pendingTimers()), 0);
  await page.close();
});

test('the element follows the host theme, and is usable at phone width', async () => {
  const { page } = await open(base, { width: 390, height: 844 });
  const bg = () => page.locator('#pg').evaluate((e) => getComputedStyle(e.shadowRoot.querySelector('.cg')).backgroundColor);
  const light = await bg();
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  await page.waitForFunction(() => document.querySelector('#pg').hasAttribute('data-dark'));
  assert.notEqual(await bg(), light);
  await page.locator('#pg').evaluate((e) => e.setAttribute('theme', 'light'));
  assert.equal(await bg(), light, 'the theme attribute wins');
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 390px`);
  await page.close();
});

test('the documentation page embeds four playgrounds that share one wasm module (and one of the code views)', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1600 } });
  const wasmLoads = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmLoads.push(new URL(r.url()).pathname); });
  await page.goto(`${base}docs.html`);
  await page.waitForFunction(() => [...document.querySelectorAll('ctxgroup-playground')].slice(0, 2).every((e) => e.trace));
  assert.equal(await page.locator('ctxgroup-playground').count(), 4);
  // The fourth opens on its Go view: the code views' wasm comes too, once.
  await page.locator('ctxgroup-playground').nth(3).locator('#panel-go .status', { hasText: / lines$/ }).waitFor();
  assert.deepEqual(wasmLoads.sort(), ['/pkg/ctxgroup_bg.wasm', '/pkg/ctxgroup_code_bg.wasm']);
  const [first, second] = await page.evaluate(() => [...document.querySelectorAll('ctxgroup-playground')].map((e) => e.trace?.returned));
  assert.deepEqual([first.at, first.error], [10, null]);
  assert.deepEqual([second.at, second.error], [7, 'context deadline exceeded']);
  // Removing an element ends its worker (and the wasm instance in it).
  const freed = await page.evaluate(() => {
    const el = document.querySelector('ctxgroup-playground');
    const had = !!el._engine.worker;
    el.remove();
    return had && el._engine.worker === null;
  });
  assert.ok(freed, 'the removed element ended its worker');
  assert.equal(await page.locator('ctxgroup-playground').count(), 3);
  await page.close();
});

test('exports: SVG, PNG, Chrome trace and trace JSON are downloaded', async () => {
  const { page } = await open();
  const files = {};
  for (const label of ['Chart as SVG', 'Chart as PNG', 'Chrome trace JSON (Perfetto)', 'Trace JSON']) {
    await page.locator('#pg summary', { hasText: 'Export' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#pg').getByRole('button', { name: label, exact: true }).click()]);
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    files[download.suggestedFilename()] = Buffer.concat(chunks);
  }
  assert.match(files['ctxgroup.svg'].toString(), /^<svg[^>]*class="cg-gantt"/);
  assert.deepEqual([...files['ctxgroup.png'].subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  assert.ok(Array.isArray(JSON.parse(files['ctxgroup.chrome-trace.json']).traceEvents));
  assert.equal(JSON.parse(files['ctxgroup.trace.json']).returned.at, 7);
  await page.close();
});

test('embed.html shows the scenario of a share link, for iframe-only hosts', async () => {
  const hash = 't=' + Buffer.from('timeout 2s\ntask api 5s\n').toString('base64url');
  const page = await browser.newPage();
  await page.goto(`${base}embed.html#${hash}&theme=dark`);
  await page.locator('#pg .summary', { hasText: 'returned at 2s' }).waitFor();
  assert.equal(await page.locator('#pg').getAttribute('theme'), 'dark');
  assert.equal(await page.locator('#pg svg g.cg-row').count(), 1);
  await page.close();
});

test('embed.html passes the views an iframe asks for: &views=go+chart&view=go', async () => {
  const hash = 't=' + Buffer.from('timeout 2s\ntask api 5s\n').toString('base64url');
  const page = await browser.newPage();
  await page.goto(`${base}embed.html#${hash}&views=go+chart&view=go`);
  assert.equal(await page.locator('#pg').getAttribute('views'), 'go chart');
  assert.equal(await page.locator('#pg').getAttribute('view'), 'go');
  await page.locator('#pg [role=tab][aria-selected=true]', { hasText: 'Go' }).waitFor();
  assert.deepEqual(await page.locator('#pg [role=tab]:not([hidden])').allTextContents(), ['Go', 'Chart']);
  await page.close();
});

test('screenshot of the playground', async () => {
  const { page } = await open();
  mkdirSync(path.join(root, 'target'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'target/page-screenshot.png'), fullPage: true });
  await page.close();
});
