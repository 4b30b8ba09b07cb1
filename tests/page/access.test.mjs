// The page for keyboard and screen-reader users: focus rings that are painted (read from the
// pixels on screen), the chosen task's story in words, live regions that speak once, error
// lists that are buttons named by their error, menus that close, events stepped one by one,
// and examples or links that never take the user's text without an Undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario, shadow, startLive } from './harness.mjs';

const env = useBrowser();

/** How many pixels of the page's `clip` are within a few levels of the colour `hex`. */
async function pixelsOf(page, clip, hex) {
  const png = await page.screenshot({ clip });
  return page.evaluate(async ([b64, hex]) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    const { data } = g.getImageData(0, 0, bitmap.width, bitmap.height);
    const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (want.every((v, k) => Math.abs(data[i + k] - v) <= 24)) n++;
    return n;
  }, [png.toString('base64'), hex]);
}

/** The accent colour of #pg, as #rrggbb. */
const accent = (page) => shadow(page, (r) => {
  const c = getComputedStyle(r.querySelector('.cg')).getPropertyValue('--cg-accent').trim();
  return c.length === 4 ? `#${[...c.slice(1)].map((x) => x + x).join('')}` : c;
});

/** The top two pixels' rows of `locator`'s box, and the box. */
async function topEdge(locator) {
  const b = await locator.boundingBox();
  return { x: Math.round(b.x) + 4, y: Math.round(b.y), width: Math.round(b.width) - 8, height: 3 };
}

for (const colorScheme of ['light', 'dark']) {
  test(`focus rings are painted on the editor, the Live button and the chart (${colorScheme})`, async () => {
    const { page } = await open(env.base, { width: 1280, height: 900 }, { colorScheme });
    const hex = await accent(page);
    // The editor: its text box covered the ring it had.
    const editorTop = await topEdge(page.locator('#pg .editor'));
    const before = await pixelsOf(page, editorTop, hex);
    await page.locator('#pg textarea').focus();
    const after = await pixelsOf(page, editorTop, hex);
    assert.ok(after - before >= editorTop.width, `the editor's ring: ${before} → ${after} accent pixels along its top`);
    // The Live button, reached with Tab: its group clipped the ring.
    await page.locator('#pg button', { hasText: 'Virtual' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await shadow(page, (r) => r.activeElement?.textContent), 'Live');
    const live = await page.locator('#pg button', { hasText: 'Live' }).boundingBox();
    const ring = await pixelsOf(page, { x: live.x, y: live.y, width: live.width, height: live.height }, hex);
    assert.ok(ring >= 2 * live.width, `the Live button's ring: ${ring} accent pixels`);
    // The chart's rows, from the keyboard.
    const chartTop = await topEdge(page.locator('#pg .chart'));
    const unfocused = await pixelsOf(page, chartTop, hex);
    await page.locator('#pg .cscroll').focus();
    await page.keyboard.press('ArrowDown');
    const focused = await pixelsOf(page, chartTop, hex);
    assert.ok(focused - unfocused >= chartTop.width, `the chart's ring: ${unfocused} → ${focused}`);
    await page.close();
  });
}

test('choosing a task with ↑ ↓ says its whole story under the chart, in a polite live region', async () => {
  const { page } = await open(`${env.base}#example=003-first-error`, { width: 390, height: 844 }, { isMobile: true, hasTouch: true });
  await page.locator('#pg .summary', { hasText: 'HTTP 502' }).waitFor();
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const detail = page.locator('#pg .detail');
  await detail.waitFor();
  // On a phone the row's own note is cut; here it is whole.
  assert.match(await detail.textContent(), /^t2 cancelled at 2s · .*cancelled at 2s: t1 failed: HTTP 502/);
  assert.equal(await detail.getAttribute('aria-live'), 'polite');
  // The chosen row is told apart from the others by more than a faint grey.
  const stroke = await shadow(page, (r) => getComputedStyle(r.querySelector('g.cg-row.cg-sel .cg-hit')).strokeWidth);
  assert.equal(stroke, '2px');
  // Escape lets it go.
  await page.keyboard.press('Escape');
  assert.equal(await detail.isVisible(), false);
  assert.equal(await shadow(page, (r) => r.querySelectorAll('g.cg-sel').length), 0);
  await page.close();
});

test('typing on a task line chooses it without dimming the rest of the chart', async () => {
  const { page } = await open(`${env.base}#example=003-first-error`);
  await page.locator('#pg .summary', { hasText: 'HTTP 502' }).waitFor();
  const lines = (await page.locator('#pg textarea').inputValue()).split('\n');
  const line = lines.findIndex((l) => l.startsWith('task t2'));
  await page.locator('#pg textarea').evaluate((t, pos) => { t.focus(); t.setSelectionRange(pos, pos); }, lines.slice(0, line).join('\n').length + 3);
  await page.keyboard.press('End');
  await page.locator('#pg .detail', { hasText: 't2 cancelled' }).waitFor();
  assert.equal(await shadow(page, (r) => r.querySelectorAll('svg.cg-dim').length), 0, 'nothing dimmed');
  await page.close();
});

test('a live run is not read out frame by frame: its end is said once', async () => {
  const { page } = await open();
  await startLive(page, 'task a 300ms\ntask b 600ms\n');
  assert.equal(await page.locator('#pg .summary').getAttribute('aria-live'), 'off', 'quiet while it runs');
  await page.locator('#pg .summary', { hasText: 'returned' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelector('.sr').textContent.startsWith('returned'));
  assert.equal(await page.locator('#pg .summary').getAttribute('aria-live'), 'polite');
  // No <output> (a status region) under the sliders: the scrubber and the speed carry their
  // value as text.
  assert.equal(await shadow(page, (r) => r.querySelectorAll('output').length), 0);
  // Real timers: the run returns at 600 ms or a little after.
  assert.match(await page.locator('#pg .scrub input').getAttribute('aria-valuetext'), /^(6\d\dms) of \1$/);
  assert.equal(await page.locator('#pg .speed input').getAttribute('aria-valuetext'), '1×');
  await page.close();
});

test('the error list is buttons named by their errors, left alone while the errors stay the same', async () => {
  const { page } = await open();
  await typeScenario(page, 'timeout 2s\ntask a 5x\n');
  const item = page.locator('#pg .errors li button').first();
  await item.waitFor();
  assert.equal(await shadow(page, (r) => r.querySelector('.errors').getAttribute('role')), null, 'not an alert');
  const name = await item.evaluate((b) => b.textContent);
  assert.match(name, /^line 2, col 9: unknown unit/);
  await shadow(page, (r) => { r.querySelector('.errors li').dataset.first = '1'; });
  // Typing elsewhere, pause, another run: the same error, the same item.
  await page.locator('#pg textarea').press('Home');
  await page.locator('#pg textarea').press('Control+Home');
  await page.keyboard.type('# note\n');
  await page.locator('#pg .errors li button', { hasText: 'line 3' }).waitFor();
  assert.equal(await shadow(page, (r) => r.querySelector('.errors li').dataset.first), undefined, 'a changed error is a new item');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('End'); // in the comment: the error stays the same
  await page.keyboard.type('x');
  await page.waitForTimeout(800);
  await shadow(page, (r) => { r.querySelector('.errors li').dataset.kept = '1'; });
  await page.keyboard.type('y');
  await page.waitForTimeout(800);
  assert.equal(await shadow(page, (r) => r.querySelector('.errors li').dataset.kept), '1', 'the same error is not rebuilt');
  await page.close();
});

test('the Export menu closes with Escape and when Tab leaves it', async () => {
  const { page } = await open();
  const menu = page.locator('#pg details.menu');
  await page.locator('#pg summary.btn').focus();
  await page.keyboard.press('Enter');
  assert.equal(await menu.getAttribute('open'), '');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('open'), null, 'Escape closes it');
  assert.equal(await shadow(page, (r) => r.activeElement?.textContent), 'Export ▾', 'focus back on its button');
  await page.keyboard.press('Enter');
  for (let i = 0; i < 8 && (await menu.getAttribute('open')) != null; i++) await page.keyboard.press('Tab');
  assert.equal(await menu.getAttribute('open'), null, 'Tab out of it closes it');
  await page.close();
});

test('→ steps through the events one by one, those at one instant too', async () => {
  const { page } = await open();
  await typeScenario(page, 'task a 1s\ntask b 1s\n');
  await page.locator('#pg .summary', { hasText: 'b completed' }).waitFor();
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('Home');
  // Each step's words come from the worker: wait for them to change before the next step.
  const spoken = () => shadow(page, (r) => r.querySelector('.sr').textContent);
  const said = [];
  for (let i = 0; i < 6; i++) {
    const before = await spoken();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((b) => document.querySelector('#pg').shadowRoot.querySelector('.sr').textContent !== b, before);
    said.push(await spoken());
  }
  assert.deepEqual(said.map((s) => s.split(' — ')[0]), ['0s: a spawn', '0s: a start', '0s: b spawn', '0s: b start', '1s: a end', '1s: b end']);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelector('.sr').textContent.startsWith('1s: a end'));
  await page.close();
});

test('Stop from the keyboard leaves focus on Run', async () => {
  const { page } = await open();
  await startLive(page, 'task a 30s\n');
  await page.locator('#pg button', { hasText: 'Stop' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.activeElement?.textContent === '▶ Run');
  await page.close();
});

test('browsing examples with the arrow keys over text of your own: one Undo brings it back', async () => {
  const { page } = await open();
  const mine = 'timeout 2s\ntask mine 1s\n';
  await typeScenario(page, mine);
  await page.locator('#pg .summary', { hasText: 'mine completed' }).waitFor();
  // Chromium on Linux and Windows: each arrow on a closed select is a change.
  for (const id of ['000-fast-api', '000-slow-api', '003-first-error']) {
    await page.selectOption('#examples', id);
    await page.waitForTimeout(50);
  }
  await page.locator('#status button', { hasText: 'Undo' }).click();
  assert.equal(await page.locator('#pg textarea').inputValue(), mine, 'your text, not an example browsed on the way');
  assert.equal(await page.locator('#examples').inputValue(), '', 'the menu says it is your own');
  assert.equal(await page.locator('#lesson').textContent(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pg', 'focus in the editor');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('ctxgroup-playground:scenario')).example), '');
  await page.close();
});

test('a link followed over text of your own, or opened over text kept from a last visit, can be undone', async () => {
  const { page } = await open();
  const mine = 'timeout 3s\ntask mine 1s\n';
  await typeScenario(page, mine);
  await page.waitForTimeout(700); // kept
  await page.evaluate(() => { location.hash = '#example=004-leak'; });
  await page.locator('#status button', { hasText: 'Undo' }).waitFor();
  await page.locator('#status button', { hasText: 'Undo' }).click();
  assert.equal(await page.locator('#pg textarea').inputValue(), mine);
  // A new visit, from a link to an example: the text kept from the last visit is one Undo away.
  await page.waitForTimeout(700);
  await page.evaluate(() => history.replaceState(null, '', '#example=003-first-error'));
  await page.reload();
  await page.locator('#pg .summary', { hasText: 'HTTP 502' }).waitFor();
  await page.locator('#status button', { hasText: 'Undo' }).click();
  assert.equal(await page.locator('#pg textarea').inputValue(), mine);
  await page.close();
});

test('the live regions of the page are there while empty, taking no room', async () => {
  const { page } = await open();
  await page.locator('#pg textarea').fill('task a 1s\n'); // your own text: no lesson
  await page.waitForFunction(() => !document.getElementById('lesson').textContent);
  for (const id of ['status', 'lesson']) {
    const [display, height] = await page.evaluate((id) => {
      const e = document.getElementById(id);
      return [getComputedStyle(e).display, e.getBoundingClientRect().height];
    }, id);
    assert.notEqual(display, 'none', `#${id} is in the accessibility tree`);
    assert.equal(height, 0, `#${id} takes no room`);
  }
  await page.close();
});

test('the chart is named by its summary and described by its tasks, each said once', async () => {
  const { page } = await open(`${env.base}#example=003-first-error`);
  await page.locator('#pg .summary', { hasText: 'HTTP 502' }).waitFor();
  const client = await page.context().newCDPSession(page);
  const { nodes } = await client.send('Accessibility.getFullAXTree');
  const chart = nodes.find((n) => ['img', 'image'].includes(n.role?.value) && n.name?.value?.startsWith('returned at 2s'));
  assert.ok(chart, 'an image named by the summary');
  const said = `${chart.name.value} ${chart.description?.value ?? ''}`;
  assert.equal(said.split('returned at 2s: HTTP 502 —').length - 1, 1, said);
  assert.match(chart.description.value, /t2 cancelled at 2s; .*t1 failed: HTTP 502/);
  await page.close();
});

test('at 400% zoom (320 CSS px) the chart fits its box: nothing cut at its right', async () => {
  const { page } = await open(`${env.base}#example=003-first-error`, { width: 320, height: 700 });
  await page.locator('#pg .summary', { hasText: 'HTTP 502' }).waitFor();
  await page.waitForTimeout(300);
  const [box, drawn] = await shadow(page, (r) => [r.querySelector('.chart').clientWidth, parseFloat(r.querySelector('.chart svg').getAttribute('width'))]);
  assert.ok(drawn <= box, `a chart ${drawn} px wide in a box of ${box} px`);
  await page.close();
});

test('a row\'s reason is readable where a deadline or return line crosses it: the line stops at its letters', async () => {
  const { page } = await open(`${env.base}#example=000-slow-api-cause`);
  await page.locator('#pg .summary', { hasText: 'returned' }).waitFor();
  const [order, stroke, bg] = await shadow(page, (r) => {
    const text = r.querySelector('text.cg-why');
    const cs = getComputedStyle(text);
    return [cs.paintOrder, cs.stroke, getComputedStyle(r.querySelector('.cg')).getPropertyValue('--cg-bg').trim()];
  });
  assert.match(order, /^stroke/, 'a halo under the letters');
  const hex = (c) => `#${c.match(/\d+/g).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;
  assert.equal(hex(stroke), bg.length === 4 ? `#${[...bg.slice(1)].map((x) => x + x).join('')}` : bg, 'of the chart\'s background');
  await page.close();
});

test('the Time slider\'s arrows step from event to event and say each', async () => {
  const { page } = await open();
  await typeScenario(page, 'task a 1s\ntask b 2s\n');
  await page.locator('#pg .summary', { hasText: 'b completed' }).waitFor();
  const slider = page.locator('#pg .scrub input');
  await slider.focus();
  await page.keyboard.press('Home'); // the slider's own: to 0
  const spoken = () => shadow(page, (r) => r.querySelector('.sr').textContent);
  const step = async (key) => {
    const before = await spoken();
    await page.keyboard.press(key);
    await page.waitForFunction((b) => document.querySelector('#pg').shadowRoot.querySelector('.sr').textContent !== b, before);
    return (await spoken()).split(' — ')[0];
  };
  // From 0s, the next events; a step of its own had been 0.1% of the run.
  assert.equal(await step('ArrowRight'), '1s: a end');
  assert.equal(await slider.getAttribute('aria-valuetext'), '1s of 2s');
  assert.equal(await step('ArrowRight'), '2s: b end');
  assert.equal(await step('ArrowLeft'), '1s: a end');
  assert.equal(await slider.getAttribute('aria-valuetext'), '1s of 2s');
  await page.close();
});
