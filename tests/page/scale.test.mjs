// Scale and navigation: 10,000 tasks with readable rows and the axis in view, zoom and pan,
// bar ↔ editor line, stepping through events from the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario, pasteScenario } from './harness.mjs';

useBrowser();
const shadow = (page, fn, arg) => page.locator('#pg').evaluate((e, [src, a]) => new Function('root', 'arg', `return (${src})(root, arg)`)(e.shadowRoot, a), [fn.toString(), arg]);

function tenThousand() {
  const lines = ['timeout 60s', 'limit 64'];
  for (let i = 0; i < 10_000; i++) {
    const check = ['', ' check=never', ' check=every:100ms', ' check=start'][i % 4];
    lines.push(`task t${i} ${100 + ((i * 37) % 900)}ms${check}${i === 9000 ? ' fail="boom"' : ''}`);
  }
  return lines.join('\n') + '\n';
}

test('10,000 tasks: readable rows, only those on screen drawn, the axis in view, no long stall', async () => {
  const { page, errors } = await open();
  await pasteScenario(page, tenThousand());
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
  });
  await page.locator('#pg .summary', { hasText: 't0 completed' }).waitFor({ timeout: 30_000 });
  const rows = await shadow(page, (r) => [...r.querySelectorAll('g.cg-row')].map((g) => [g.querySelector('rect.cg-hit').getBoundingClientRect().height, !!g.querySelector('text.cg-text')?.textContent]));
  assert.ok(rows.length > 10 && rows.length < 300, `${rows.length} rows drawn`);
  assert.ok(rows.every(([h, label]) => h >= 20 && label), 'every drawn row is at least 20 px high and labelled');
  // The first frame draws the rows on screen; the rows a screen below follow, for scrolling.
  await page.waitForFunction(() => {
    const s = document.querySelector('#pg').shadowRoot.querySelector('.cscroll');
    const rows = [...s.querySelectorAll('g.cg-row')];
    return rows.length && rows[rows.length - 1].getBoundingClientRect().bottom > s.getBoundingClientRect().bottom + s.clientHeight * 0.9;
  });
  // Scroll to the middle: the rows there are drawn, and the axis is still on screen.
  await shadow(page, (r) => { const s = r.querySelector('.cscroll'); s.scrollTop = s.scrollHeight / 2; });
  await page.waitForFunction(() => {
    const r = document.querySelector('#pg').shadowRoot;
    const s = r.querySelector('.cscroll').getBoundingClientRect();
    return [...r.querySelectorAll('g.cg-row')].some((g) => { const b = g.getBoundingClientRect(); return b.top >= s.top && b.bottom <= s.bottom && Number(g.dataset.i) > 4000; });
  });
  const axis = await page.locator('#pg .chead svg').boundingBox();
  const scroller = await page.locator('#pg .cscroll').boundingBox();
  assert.ok(axis.y + axis.height <= scroller.y + 1 && axis.y >= 0, 'the axis sits above the rows, on screen');
  const stalls = await page.evaluate(() => window.__long);
  assert.ok(Math.max(0, ...stalls) <= 100, `main-thread stalls of ${stalls.join(', ')} ms after the paste`);
  // The event log shows the first 2,000 events of the run.
  await page.locator('#pg .log summary').click();
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelectorAll('.log tr').length >= 2000);
  assert.match(await page.locator('#pg .log').textContent(), /first 2000 shown/);
  assert.match(await page.locator('#pg .log tbody tr').first().textContent(), /^0st0spawn/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('time zooms and pans: keys, Ctrl+wheel, Shift+wheel, the buttons', async () => {
  const { page } = await open();
  await typeScenario(page, 'timeout 8s\ntask a 2s\ntask b 6s check=every:1s\ntask c 10s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 8s' }).waitFor();
  const window_ = () => shadow(page, (r) => { const s = r.querySelector('.chead svg'); return [Number(s.dataset.t0Us) / 1e6, Number(s.dataset.t1Us) / 1e6]; });
  const [a0, b0] = await window_();
  assert.equal(a0, 0);
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('+');
  await page.waitForFunction(([b]) => Number(document.querySelector('#pg').shadowRoot.querySelector('.chead svg').dataset.t1Us) / 1e6 < b - 1, [b0]);
  const [a1, b1] = await window_();
  assert.ok(b1 - a1 < (b0 - a0) * 0.6, `zoomed in to ${a1}–${b1}`);
  // Shift+wheel pans.
  const box = await page.locator('#pg .cscroll').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + 10);
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 300);
  await page.keyboard.up('Shift');
  await page.waitForFunction(([a]) => Number(document.querySelector('#pg').shadowRoot.querySelector('.chead svg').dataset.t0Us) / 1e6 > a + 0.1, [a1]);
  // Ctrl+wheel zooms around the pointer; '0' shows the whole run again.
  const [a2, b2] = await window_();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  await page.waitForFunction(([s]) => { const v = document.querySelector('#pg').shadowRoot.querySelector('.chead svg').dataset; return (v.t1Us - v.t0Us) / 1e6 < s - 0.01; }, [b2 - a2]);
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('0');
  await page.waitForFunction(() => Number(document.querySelector('#pg').shadowRoot.querySelector('.chead svg').dataset.t0Us) === 0);
  assert.deepEqual(await window_(), [a0, b0]);
  await page.locator('#pg button', { hasText: '+' }).click();
  await page.waitForFunction(([b]) => Number(document.querySelector('#pg').shadowRoot.querySelector('.chead svg').dataset.t1Us) / 1e6 < b - 1, [b0]);
  await page.close();
});

test('clicking a bar selects its line in the editor, and the caret selects its bar', async () => {
  const { page } = await open();
  const text = '# three tasks\ntimeout 8s\ntask a 2s\ntask b 6s check=every:1s\ntask c 10s\n';
  await typeScenario(page, text);
  await page.locator('#pg .summary', { hasText: 'returned at 8s' }).waitFor();
  await page.locator('#pg svg g.cg-row[data-path="b"] rect.cg-completed').first().click();
  const [start, end] = await page.locator('#pg textarea').evaluate((t) => [t.selectionStart, t.selectionEnd]);
  assert.equal(text.slice(start, end), 'task b 6s check=every:1s');
  assert.equal(await page.locator('#pg pre .l.sel').getAttribute('data-n'), '4', 'the line is marked in the editor');
  assert.equal(await page.locator('#pg svg g.cg-row.cg-sel').getAttribute('data-path'), 'b');
  // The other way: the caret on c's line selects c.
  await page.locator('#pg textarea').focus();
  await page.locator('#pg textarea').evaluate((t) => { const i = t.value.indexOf('task c'); t.setSelectionRange(i, i); });
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelector('g.cg-row.cg-sel')?.dataset.path === 'c');
  await page.close();
});

test('the keyboard steps through events and plays virtual time', async () => {
  const { page } = await open();
  await typeScenario(page, 'task t1 2s fail="HTTP 502"\ntask t2 3s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 2s' }).waitFor();
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('Home');
  assert.equal(await page.locator('#pg .scrub output').textContent(), 't = 0s');
  const events = await page.evaluate(() => document.querySelector('#pg').trace.events.map((e) => e.t));
  const next = events.find((t) => t > 0);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#pg .scrub output').textContent(), `t = ${next}s`, 'the next event');
  await page.locator('#pg .sr[aria-live]', { hasText: /^2s: (t1|t2|group) / }).waitFor({ timeout: 5000 }); // it is announced
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#pg .scrub output').textContent(), 't = 0s', 'the previous event');
  await page.keyboard.press('Home');
  await page.keyboard.press(' ');
  await page.waitForTimeout(400);
  const playing = await page.locator('#pg .scrub output').textContent();
  assert.notEqual(playing, 't = 0s', 'Space plays virtual time');
  await page.keyboard.press(' ');
  const paused = await page.locator('#pg .scrub output').textContent();
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#pg .scrub output').textContent(), paused, 'Space again pauses');
  await page.close();
});
