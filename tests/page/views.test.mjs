// The views: a tab strip switches the chart area between the Gantt chart and the Go and Rust
// programs of the scenario. The programs come from a second wasm, fetched only when a code view
// is first opened, and are generated in the element's worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario, pasteScenario, shadow } from './harness.mjs';

const env = useBrowser();

/** The code view `lang` once it shows a program of `n` lines or more: its drawn text. */
async function program(page, lang, { contains } = {}) {
  const panel = page.locator(`#pg #panel-${lang}`);
  await panel.locator('.status', { hasText: / lines$/ }).waitFor({ timeout: 30_000 });
  if (contains) await panel.locator('pre', { hasText: contains }).waitFor({ timeout: 30_000 });
  return panel.locator('pre').textContent();
}

/** Which tab is selected, which panels are shown, and where the focus is. */
const tabState = (page) => shadow(page, (r) => ({
  tabs: [...r.querySelectorAll('[role=tab]')].filter((t) => !t.hidden).map((t) => t.textContent),
  selected: [...r.querySelectorAll('[role=tab][aria-selected=true]')].map((t) => t.textContent),
  tabbable: [...r.querySelectorAll('[role=tab]')].filter((t) => t.tabIndex === 0).map((t) => t.textContent),
  shown: [...r.querySelectorAll('[role=tabpanel]')].filter((p) => !p.hidden).map((p) => p.id),
  focused: r.activeElement?.textContent ?? null,
  strip: !r.querySelector('[role=tablist]').hidden,
}));

test('the Go and Rust views show the programs of the scenario, and follow it when it runs', async () => {
  const { page, errors } = await open();
  await typeScenario(page, 'timeout 7s\ntask fetch-a 5s check=never\ntask fetch-b 10s check=every:1s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 7s' }).waitFor();
  await page.locator('#pg [role=tab]', { hasText: 'Go' }).click();
  const go = await program(page, 'go', { contains: 'fetch-b' });
  assert.match(go, /errgroup\.WithContext/);
  assert.match(go, /context\.WithTimeout\(/);
  assert.match(go, /"fetch-a"/);
  assert.equal(await page.locator('#pg .chart').isVisible(), false, 'the chart is hidden behind the Go view');
  await page.locator('#pg [role=tab]', { hasText: 'Rust' }).click();
  const rust = await program(page, 'rust', { contains: 'fetch-b' });
  assert.match(rust, /TaskGroup::builder/);
  assert.match(rust, /with_timeout\(Duration::from_secs\(7\)\)/);
  // A new scenario, run: the view on screen follows.
  await typeScenario(page, 'task only-one 2s fail="boom"\n');
  const rust2 = await program(page, 'rust', { contains: 'only-one' });
  assert.doesNotMatch(rust2, /fetch-a/);
  await page.locator('#pg [role=tab]', { hasText: 'Go' }).click();
  const go2 = await program(page, 'go', { contains: 'only-one' });
  assert.doesNotMatch(go2, /fetch-a/);
  // Back to the chart: it shows the new run, drawn at the chart's width.
  await page.locator('#pg [role=tab]', { hasText: 'Chart' }).click();
  await page.locator('#pg .summary', { hasText: 'returned at 2s: boom' }).waitFor();
  const widths = await shadow(page, (r) => [r.querySelector('.chart').clientWidth, Number(r.querySelector('.chead svg').getAttribute('width'))]);
  assert.ok(Math.abs(widths[0] - widths[1]) <= 8, `the chart is drawn ${widths[1]} px wide in ${widths[0]} px`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the code views\' wasm is not requested before a code view is opened, and then once', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(env.base);
  await page.locator('#pg .summary').filter({ hasText: /returned/ }).waitFor();
  await typeScenario(page, 'task a 1s\ntask b 2s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 2s' }).waitFor();
  await page.waitForTimeout(300);
  const code = () => requests.filter((p) => /ctxgroup_code/.test(p));
  assert.ok(requests.some((p) => p.endsWith('/pkg/ctxgroup_bg.wasm')), 'the page wasm was loaded');
  // The worker imports the code views' 2 KB glue with itself (bundlers need a static import);
  // their wasm waits for a code view.
  assert.deepEqual(code().filter((p) => p.endsWith('.wasm')), [], 'the code views\' wasm is not fetched before one is opened');
  await page.locator('#pg [role=tab]', { hasText: 'Go' }).click();
  await program(page, 'go');
  await page.locator('#pg [role=tab]', { hasText: 'Rust' }).click();
  await program(page, 'rust');
  assert.deepEqual(code().filter((p) => p.endsWith('.wasm')), ['/pkg/ctxgroup_code_bg.wasm'], 'fetched once, for both views');
  await context.close();
});

test('Copy puts the whole program in the clipboard and says so', async () => {
  const { page } = await open();
  await typeScenario(page, 'timeout 3s\ntask copied-task 5s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 3s' }).waitFor();
  for (const [tab, lang, marker] of [['Go', 'go', 'package main'], ['Rust', 'rust', 'use ctxgroup::']]) {
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    await page.locator('#pg [role=tab]', { hasText: tab }).click();
    const shown = await program(page, lang, { contains: 'copied-task' });
    const copy = page.locator(`#pg #panel-${lang} button.copy`);
    await copy.click();
    await page.locator(`#pg #panel-${lang} button.copy`, { hasText: 'Copied' }).waitFor({ timeout: 2000 });
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(clip.includes(marker) && clip.includes('copied-task'), `${tab}: the clipboard holds the program`);
    assert.equal(clip.trimEnd(), shown.trimEnd(), `${tab}: the clipboard holds what is shown`);
    // The feedback goes away.
    await page.locator(`#pg #panel-${lang} button.copy`, { hasText: /^Copy$/ }).waitFor({ timeout: 4000 });
  }
  await page.close();
});

test('a scenario that does not parse shows its errors, with line and column, in the code views', async () => {
  const { page } = await open();
  await page.locator('#pg [role=tab]', { hasText: 'Go' }).click();
  await program(page, 'go');
  await typeScenario(page, 'task t1 5s\ntask t2 3q\n');
  const error = page.locator('#pg #panel-go .errors li').first();
  await error.waitFor();
  assert.match(await error.textContent(), /^line 2, col 10: /);
  assert.equal(await page.locator('#pg #panel-go .codescroll').isVisible(), false, 'no program');
  assert.equal(await page.locator('#pg #panel-go button.copy').isDisabled(), true, 'nothing to copy');
  await page.locator('#pg [role=tab]', { hasText: 'Rust' }).click();
  assert.match(await page.locator('#pg #panel-rust .errors li').first().textContent(), /^line 2, col 10: /);
  // Clicking the error goes to it in the editor.
  await page.locator('#pg #panel-rust .errors li').first().click();
  const caret = await shadow(page, (r) => { const t = r.querySelector('textarea'); return [r.activeElement === t, t.value.slice(0, t.selectionStart)]; });
  assert.deepEqual(caret, [true, 'task t1 5s\ntask t2 3']);
  // Fixed: the program is back.
  await typeScenario(page, 'task t1 5s\ntask t2 3s\n');
  await program(page, 'rust', { contains: '"t2"' });
  assert.equal(await page.locator('#pg #panel-rust .errors').isVisible(), false);
  await page.close();
});

test('the views and view attributes choose the views offered and the one shown', async () => {
  const { page, errors } = await open();
  const make = (attrs) => page.evaluate((a) => {
    document.querySelector('#pg')?.remove();
    const e = document.createElement('ctxgroup-playground');
    e.id = 'pg';
    for (const [k, v] of Object.entries(a)) e.setAttribute(k, v);
    e.textContent = 'timeout 2s\ntask attr-task 5s\n';
    document.querySelector('main').append(e);
  }, attrs);
  await make({ views: 'rust go', view: 'go' });
  assert.equal(await page.locator('#pg').evaluate((e) => e.view), 'go');
  assert.match(await program(page, 'go', { contains: 'attr-task' }), /errgroup/);
  let s = await tabState(page);
  assert.deepEqual([s.tabs, s.selected, s.shown, s.strip], [['Rust', 'Go'], ['Go'], ['panel-go'], true], 'the tabs in the order of the attribute');
  const xs = await shadow(page, (r) => ['#tab-rust', '#tab-go'].map((id) => r.querySelector(id).getBoundingClientRect().x));
  assert.ok(xs[0] < xs[1], `Rust (x=${xs[0]}) is left of Go (x=${xs[1]})`);
  // The arrows follow that order too.
  await page.locator('#pg [role=tab]', { hasText: 'Go' }).focus();
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual((await tabState(page)).selected, ['Rust']);
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual((await tabState(page)).selected, ['Go'], 'wrapping around two tabs');
  // Setting the view (attribute or property) shows it.
  await page.locator('#pg').evaluate((e) => { e.view = 'rust'; });
  assert.match(await program(page, 'rust', { contains: 'attr-task' }), /TaskGroup/);
  assert.deepEqual((await tabState(page)).shown, ['panel-rust']);
  // A view that is not offered is not shown.
  await page.locator('#pg').evaluate((e) => e.setAttribute('view', 'chart'));
  assert.deepEqual((await tabState(page)).shown, ['panel-rust']);
  // One view: no tab strip.
  await make({ views: 'go' });
  await program(page, 'go', { contains: 'attr-task' });
  s = await tabState(page);
  assert.deepEqual([s.shown, s.strip], [['panel-go'], false]);
  // By default: all three, the chart first, and the code wasm untouched.
  await make({ autorun: '' });
  await page.locator('#pg .summary', { hasText: 'returned at 2s' }).waitFor();
  s = await tabState(page);
  assert.deepEqual([s.tabs, s.selected, s.shown], [['Chart', 'Go', 'Rust'], ['Chart'], ['panel-chart']]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the tabs work from the keyboard: arrows, Home and End move and show, one tab stop', async () => {
  const { page } = await open();
  await page.evaluate(() => { window.__views = []; document.querySelector('#pg').addEventListener('ctxgroup-view-change', (e) => window.__views.push(e.detail.view)); });
  await page.locator('#pg [role=tab]', { hasText: 'Chart' }).focus();
  let s = await tabState(page);
  assert.deepEqual([s.selected, s.tabbable, s.focused], [['Chart'], ['Chart'], 'Chart']);
  const press = async (key, expected) => {
    await page.keyboard.press(key);
    s = await tabState(page);
    assert.deepEqual([s.selected, s.tabbable, s.focused, s.shown], [[expected], [expected], expected, [`panel-${expected.toLowerCase()}`]], `after ${key}`);
  };
  await press('ArrowRight', 'Go');
  await press('ArrowRight', 'Rust');
  await press('ArrowRight', 'Chart');
  await press('ArrowLeft', 'Rust');
  await press('Home', 'Chart');
  await press('End', 'Rust');
  await program(page, 'rust');
  assert.deepEqual(await page.evaluate(() => window.__views), ['go', 'rust', 'chart', 'rust', 'chart', 'rust'], 'ctxgroup-view-change at each switch');
  // Tab leaves the strip for the panel's content: Copy, then the code (it scrolls from the keyboard).
  await page.keyboard.press('Tab');
  assert.equal(await shadow(page, (r) => r.activeElement?.textContent), 'Copy');
  await page.keyboard.press('Tab');
  assert.equal(await shadow(page, (r) => r.activeElement?.getAttribute('aria-label')), 'The Rust program');
  const top = () => shadow(page, (r) => r.querySelector('#panel-rust .codescroll').scrollTop);
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelector('#panel-rust .codescroll').scrollTop > 100);
  assert.ok(await top() > 100);
  await page.close();
});

test('10,000 tasks: the programs are generated and shown without a main-thread stall over 100 ms, and copied whole', async () => {
  const { page, errors } = await open();
  const lines = ['timeout 60s', 'limit 64'];
  for (let i = 0; i < 10_000; i++) lines.push(`task t${i} ${100 + ((i * 37) % 900)}ms${i % 3 ? ' check=every:100ms' : ''}`);
  await pasteScenario(page, lines.join('\n') + '\n');
  await page.locator('#pg .summary', { hasText: 't0 completed' }).waitFor({ timeout: 60_000 });
  const watch = () => page.evaluate(() => {
    window.__long = [];
    window.__obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); });
    window.__obs.observe({ type: 'longtask' });
  });
  const stalls = () => page.evaluate(() => { window.__obs.disconnect(); return window.__long; });
  for (const [tab, lang] of [['Go', 'go'], ['Rust', 'rust']]) {
    await watch();
    await page.locator('#pg [role=tab]', { hasText: tab }).click();
    await program(page, lang);
    const count = Number((await page.locator(`#pg #panel-${lang} .status`).textContent()).replace(/\D/g, ''));
    assert.ok(count > 10_000, `${tab}: ${count} lines`);
    const drawn = await shadow(page, (r, l) => r.querySelector(`#panel-${l} pre`).textContent.split('\n').length, lang);
    assert.ok(drawn < 1000, `${tab}: ${drawn} lines drawn, not all`);
    await page.waitForTimeout(300);
    const long = await stalls();
    assert.ok(Math.max(0, ...long) <= 100, `${tab}: main-thread stalls of ${long.join(', ')} ms`);
    // Copying 4 MB: the browser reads the worker's blob into the clipboard on the page's thread
    // (its own work, 50–150 ms here); the page adds nothing to it.
    await watch();
    await page.locator(`#pg #panel-${lang} button.copy`).click();
    await page.locator(`#pg #panel-${lang} button.copy`, { hasText: 'Copied' }).waitFor();
    await page.waitForTimeout(300);
    const copying = await stalls();
    assert.ok(Math.max(0, ...copying) <= 250, `${tab}: copying stalled the page for ${copying.join(', ')} ms`);
    // Copy took all of it (reading it back is the test's own work, not watched); scrolled to
    // any line, the view draws the program's lines there.
    const all = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
    assert.equal(all.length - 1, count, `${tab}: the clipboard holds every line`);
    const at = all.findIndex((l) => l.includes('"t9999"'));
    assert.ok(at > 0, `${tab}: t9999 is in the program`);
    for (const line of [at, count - 1]) {
      await shadow(page, (r, [l, i]) => { r.querySelector(`#panel-${l} .codescroll`).scrollTop = 8 + i * 20 - 100; }, [lang, line]);
      await page.waitForFunction(([l, want]) => document.querySelector('#pg').shadowRoot.querySelector(`#panel-${l} pre`).textContent.includes(want), [lang, all.slice(line - 3, line + 1).join('\n')]);
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a 390 px phone the code is monospace and scrolls sideways inside its box, not the page', async () => {
  const { page } = await open(`${env.base}#example=003-first-error`, { width: 390, height: 844 });
  await page.locator('#pg [role=tab]', { hasText: 'Go' }).click();
  await program(page, 'go');
  const m = await shadow(page, (r) => {
    const s = r.querySelector('#panel-go .codescroll');
    const copy = r.querySelector('#panel-go button.copy').getBoundingClientRect();
    return { font: getComputedStyle(s.querySelector('pre')).fontFamily, scrolls: s.scrollWidth - s.clientWidth, box: s.getBoundingClientRect().right, copyRight: copy.right, copyTop: copy.top,
      fileTop: r.querySelector('#panel-go .file').getBoundingClientRect().top };
  });
  assert.match(m.font, /mono/i);
  assert.ok(m.scrolls > 50, `the code scrolls sideways by ${m.scrolls} px`);
  assert.ok(m.box <= 390 && m.copyRight <= 390, 'the code box and Copy are on screen');
  assert.ok(Math.abs(m.copyTop - m.fileTop) < 20, 'Copy sits on the line of the file name');
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await page.close();
});

test('markup in a scenario is shown as text in the code views, never run', async () => {
  const { page, errors } = await open();
  await typeScenario(page, 'task t1 1s fail="<img src=x onerror=alert(1)></pre><script>alert(2)</script>"\n');
  await page.locator('#pg .summary', { hasText: 'returned at 1s' }).waitFor();
  for (const [tab, lang] of [['Go', 'go'], ['Rust', 'rust']]) {
    await page.locator('#pg [role=tab]', { hasText: tab }).click();
    const text = await program(page, lang, { contains: '<img src=x' });
    assert.match(text, /<\/pre><script>alert\(2\)<\/script>/);
    assert.equal(await shadow(page, (r) => r.querySelectorAll('img, script').length), 0, `${tab}: no element made from the text`);
  }
  await page.waitForTimeout(200);
  assert.deepEqual(errors, [], 'no dialog, no page error');
  await page.close();
});
