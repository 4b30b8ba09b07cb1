// The README's embedding recipes, as markup: plain HTML with a static fallback, Docusaurus's
// (a text child as React renders it, html[data-theme] switched live), the iframe embed's height
// and theme messages, and the module imported on a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario } from './harness.mjs';

const env = useBrowser();

const SCENARIO = 'timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n';
// A pre-rendered chart as `ctxgroup svg` writes it (cut down): its own light palette.
const CHART = '<svg xmlns="http://www.w3.org/2000/svg" class="cg-gantt" width="600" height="120" viewBox="0 0 600 120" role="img">'
  + '<title>returned at 7s: context deadline exceeded</title><style>.cg-gantt{--cg-bg:#ffffff}.cg-bg{fill:var(--cg-bg)}</style>'
  + '<rect class="cg-bg" x="0" y="0" width="600" height="120"/></svg>';

const PLAIN = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="ctxgroup-fallback.css">
<script type="module" src="ctxgroup-playground.js"></script></head><body>
<ctxgroup-playground autorun>
<pre>${SCENARIO}</pre>
<figure>${CHART}</figure>
</ctxgroup-playground></body></html>`;

// What Docusaurus serves for `<ctxgroup-playground autorun>{\`…\`}</ctxgroup-playground>` in MDX:
// one text child, and the theme on html[data-theme].
const DOCUSAURUS = `<!doctype html><html data-theme="light"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="ctxgroup-playground.js"></script></head><body>
<ctxgroup-playground autorun="true">${SCENARIO}</ctxgroup-playground></body></html>`;

/** A page at `name` (under the served www/) with `html` as its content. */
async function recipe(name, html, options = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('close', () => context.close().catch(() => {}));
  await page.route(`${env.base}${name}`, (r) => r.fulfill({ body: html, contentType: 'text/html' }));
  await page.goto(`${env.base}${name}`);
  return { page, errors };
}

const summary = (page) => page.locator('ctxgroup-playground .summary').filter({ hasText: /returned/ }).first();

test('plain HTML: the fallback shows with JavaScript off, themed dark by the host', async () => {
  const { page, errors } = await recipe('recipe-plain.html', PLAIN, { javaScriptEnabled: false });
  const chart = page.locator('ctxgroup-playground figure svg');
  assert.ok(await chart.isVisible());
  assert.equal(await page.locator('ctxgroup-playground pre').textContent(), SCENARIO);
  const fill = () => chart.locator('.cg-bg').evaluate((e) => getComputedStyle(e).fill);
  assert.equal(await fill(), 'rgb(255, 255, 255)');
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  assert.equal(await fill(), 'rgb(13, 17, 23)');
  assert.deepEqual(errors, []);
  await page.close();
});

test('plain HTML: the element takes its scenario from the <pre> and hides the fallback once up', async () => {
  const { page, errors } = await recipe('recipe-plain.html', PLAIN);
  await summary(page).waitFor();
  assert.match(await summary(page).textContent(), /returned at 7s: context deadline exceeded/);
  assert.equal(await page.evaluate(() => document.querySelector('ctxgroup-playground').value), SCENARIO);
  assert.equal(await page.locator('ctxgroup-playground figure svg').isVisible(), false);
  assert.equal(await page.locator('ctxgroup-playground > pre').isVisible(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Docusaurus: a text child is the scenario, and html[data-theme] switches the element live', async () => {
  const { page, errors } = await recipe('recipe-docusaurus.html', DOCUSAURUS, { colorScheme: 'dark' });
  await summary(page).waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('ctxgroup-playground').value), SCENARIO);
  const dark = () => page.evaluate(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  assert.equal(await dark(), false, 'data-theme=light wins over a dark system');
  const bg = () => page.evaluate(() => getComputedStyle(document.querySelector('ctxgroup-playground').shadowRoot.querySelector('svg .cg-bg')).fill);
  const before = await bg();
  await page.evaluate(() => { document.documentElement.dataset.theme = 'dark'; });
  await page.waitForFunction(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  await page.waitForFunction((b) => getComputedStyle(document.querySelector('ctxgroup-playground').shadowRoot.querySelector('svg .cg-bg')).fill !== b, before);
  await page.evaluate(() => { document.documentElement.dataset.theme = 'light'; });
  await page.waitForFunction(() => !document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the system theme is followed as it changes when the host says nothing', async () => {
  const html = DOCUSAURUS.replace(' data-theme="light"', '');
  const { page, errors } = await recipe('recipe-auto.html', html, { colorScheme: 'light' });
  await summary(page).waitFor();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => !document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('iframe embed: it reports its height to the host, which sizes the frame, and takes the host\'s theme', async () => {
  const host = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<iframe id="f" src="embed.html#&id=first" style="width: 800px; height: 150px; border: 0"></iframe>
<script>
  window.heights = [];
  addEventListener('message', (e) => {
    if (e.data?.type !== 'ctxgroup-playground:height') return;
    window.heights.push(e.data);
    for (const f of document.querySelectorAll('iframe')) if (f.contentWindow === e.source) f.style.height = e.data.height + 'px';
  });
</script></body></html>`;
  const { page, errors } = await recipe('recipe-iframe.html', host);
  const frame = page.frameLocator('#f');
  await frame.locator('ctxgroup-playground .summary').filter({ hasText: /returned/ }).waitFor();
  await page.waitForFunction(() => window.heights.some((h) => h.height > 400));
  const last = await page.evaluate(() => window.heights.at(-1));
  assert.equal(last.id, 'first');
  assert.ok(Number.isInteger(last.height));
  const frameHeight = await page.evaluate(() => document.getElementById('f').getBoundingClientRect().height);
  assert.equal(frameHeight, last.height);
  const inner = await page.frame({ url: /embed\.html/ }).evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  assert.equal(inner, last.height, 'the frame shows all of the embed, no scrollbar');
  await page.evaluate(() => document.getElementById('f').contentWindow.postMessage({ type: 'ctxgroup-playground:theme', theme: 'dark' }, '*'));
  const embedded = page.frame({ url: /embed\.html/ });
  await embedded.waitForFunction(() => document.querySelector('ctxgroup-playground').hasAttribute('data-dark'));
  // A message of another shape changes nothing.
  await page.evaluate(() => document.getElementById('f').contentWindow.postMessage({ type: 'ctxgroup-playground:theme', theme: 'x"><img>' }, '*'));
  await page.waitForTimeout(100);
  assert.equal(await embedded.evaluate(() => document.querySelector('ctxgroup-playground').getAttribute('theme')), 'dark');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a server build imports the module: no browser global is touched, nothing is registered', async () => {
  assert.equal(typeof globalThis.window, 'undefined');
  assert.equal(typeof globalThis.customElements, 'undefined');
  const mod = await import('../../www/ctxgroup-playground.js');
  assert.equal(typeof mod.CtxgroupPlayground, 'function');
  assert.equal(typeof mod.decodeScenario, 'function');
  assert.equal(typeof globalThis.customElements, 'undefined');
});

test('height sets the editor\'s height, down to three lines', async () => {
  const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="ctxgroup-playground.js"></script></head><body>
<ctxgroup-playground id="a" autorun height="110">task a 1s</ctxgroup-playground>
<ctxgroup-playground id="b" autorun height="20">task a 1s</ctxgroup-playground></body></html>`;
  const { page, errors } = await recipe('height.html', html);
  await page.locator('#b .summary', { hasText: 'returned' }).waitFor();
  const heights = await page.evaluate(() => ['a', 'b'].map((id) => document.getElementById(id).shadowRoot.querySelector('.editor').getBoundingClientRect().height));
  assert.deepEqual(heights, [110, 78], 'as asked; at least three lines');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Copy embed: the snippet works pasted into a page of another site, and offers the frame too', async () => {
  const { page, errors } = await open();
  await typeScenario(page, SCENARIO);
  await page.locator('#pg .summary', { hasText: 'returned at 7s' }).waitFor();
  await page.click('#embed');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()).includes('<ctxgroup-playground'));
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  const frame = snippet.match(/<iframe src="([^"]+)"/);
  assert.ok(frame && frame[1].startsWith(`${env.base}embed.html#z=`), snippet);
  // Another origin (a host of its own): the module comes from the playground's server, which
  // must allow it (CORS). The host page is made up here, so the browser takes it for a public
  // site's and asks leave to reach this machine's server, which a real site's would not.
  const other = env.base.replace('127.0.0.1', 'localhost');
  const host = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['local-network-access'] });
  const hostPage = await host.newPage();
  const hostErrors = [];
  hostPage.on('console', (m) => { if (m.type() === 'error') hostErrors.push(m.text()); });
  hostPage.on('pageerror', (e) => hostErrors.push(String(e)));
  await hostPage.route(`${other}host.html`, (r) => r.fulfill({ body: `<!doctype html><html><body>${snippet}</body></html>`, contentType: 'text/html' }));
  await hostPage.goto(`${other}host.html`);
  await hostPage.locator('ctxgroup-playground .summary', { hasText: 'returned at 7s' }).waitFor({ timeout: 20000 });
  assert.deepEqual(hostErrors, []);
  // The frame's scenario is the one copied.
  await hostPage.goto(frame[1]);
  await hostPage.locator('ctxgroup-playground .summary', { hasText: 'returned at 7s' }).waitFor({ timeout: 20000 });
  await host.close();
  assert.deepEqual(errors, []);
  await page.close();
});
