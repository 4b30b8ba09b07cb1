// Scale and navigation: 10,000 tasks with readable rows and the axis in view, zoom and pan,
// bar ↔ editor line, stepping through events from the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario, pasteScenario, summary, shadow, startLive } from './harness.mjs';

useBrowser();

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
  // The event log shows the first 1,000 events of the run and its last 1,000, its end among them.
  await page.locator('#pg .log summary').click();
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelectorAll('.log tbody tr').length >= 2001);
  assert.match(await page.locator('#pg .log').textContent(), /first and last 1000 shown/);
  assert.match(await page.locator('#pg .log tbody tr').first().textContent(), /^0st0spawn/);
  assert.match(await page.locator('#pg .log tbody tr.gap').textContent(), /^… \d+ events not shown …$/);
  const lastEvents = await page.evaluate(() => document.querySelector('#pg').trace.events.slice(-1)[0]);
  assert.match(await page.locator('#pg .log tbody tr').last().textContent(), new RegExp(`${lastEvents.kind}`), 'the run\'s last event is listed');
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
  assert.equal(await page.locator('#pg .scrub .out').textContent(), 't = 0s');
  const events = await page.evaluate(() => document.querySelector('#pg').trace.events.map((e) => e.t));
  const next = events.find((t) => t > 0);
  // One step an event, those at 0s too.
  for (let i = events.filter((t) => t === 0).length; i >= 0; i--) await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#pg .scrub .out').textContent(), `t = ${next}s`, 'the next event');
  await page.locator('#pg .sr[aria-live]', { hasText: /^2s: (t1|t2|group) / }).waitFor({ timeout: 5000 }); // it is announced
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#pg .scrub .out').textContent(), 't = 0s', 'the previous event');
  await page.locator('#pg .sr[aria-live]', { hasText: /^0s: / }).waitFor({ timeout: 5000 });
  await page.keyboard.press('Home');
  await page.keyboard.press(' ');
  await page.waitForTimeout(400);
  const playing = await page.locator('#pg .scrub .out').textContent();
  assert.notEqual(playing, 't = 0s', 'Space plays virtual time');
  await page.keyboard.press(' ');
  const paused = await page.locator('#pg .scrub .out').textContent();
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#pg .scrub .out').textContent(), paused, 'Space again pauses');
  await page.close();
});

test('a live frame changes the chart in place: what stayed the same is kept, and the chart is the frame drawn anew', async () => {
  const { page, errors } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  const lines = ['timeout 60s'];
  for (let i = 0; i < 80; i++) lines.push(`task t${i} ${i % 2 ? `${100 + i}ms` : '60s'}`);
  await typeScenario(page, lines.join('\n') + '\n');
  await page.locator('#pg .summary', { hasText: /running at [1-9]\d*(\.\d+)?s/ }).waitFor();
  // The shown chart, each of its three parts against a fresh parse of the frame's markup.
  const sameAsFresh = () => page.locator('#pg').evaluate((pg) => {
    const r = pg.shadowRoot;
    const c = pg._chartData;
    return [['.chead', c.head], ['.cbody', c.body], ['.cfoot', c.foot]].map(([sel, html]) => {
      const t = document.createElement('template');
      t.innerHTML = html;
      const box = r.querySelector(sel);
      return box.childNodes.length === t.content.childNodes.length && [...box.childNodes].every((n, i) => n.isEqualNode(t.content.childNodes[i]));
    });
  });
  const mark = () => page.locator('#pg').evaluate((pg) => {
    const r = pg.shadowRoot;
    const nodes = [r.querySelector('.chead svg'), r.querySelector('.cbody style') ?? r.querySelector('.chead style'), r.querySelector('g.cg-row[data-path="t0"]'), r.querySelector('g.cg-row[data-path="t1"]')];
    nodes.forEach((n, i) => { n.__kept = i + 1; });
    return nodes.map((n) => n.localName);
  });
  const kept = () => page.locator('#pg').evaluate((pg) => {
    const r = pg.shadowRoot;
    return [r.querySelector('.chead svg'), r.querySelector('.cbody style') ?? r.querySelector('.chead style'), r.querySelector('g.cg-row[data-path="t0"]'), r.querySelector('g.cg-row[data-path="t1"]')].map((n) => n?.__kept ?? 0);
  });
  const frames = async (n) => {
    for (let i = 0; i < n; i++) {
      const before = await summary(page);
      await page.waitForFunction((s) => document.querySelector('#pg').shadowRoot.querySelector('.summary').textContent !== s, before);
    }
  };
  assert.deepEqual(await mark(), ['svg', 'style', 'g', 'g']);
  const bar = () => page.locator('#pg').evaluate((pg) => pg.shadowRoot.querySelector('g.cg-row[data-path="t0"] rect.cg-running')?.getAttribute('width'));
  const width = await bar();
  await frames(3);
  assert.deepEqual(await kept(), [1, 2, 3, 4], "the axis, the chart's style, a running task's row and a finished task's row are the same nodes");
  assert.notEqual(await bar(), width, "the running task's bar grew");
  assert.deepEqual(await sameAsFresh(), [true, true, true]);
  // Unzoomed, the axis runs to a round time ahead of the run (1, 1.5, 2, 3, 5 or 7.5 × 10^k s).
  const [t1, now] = await page.locator('#pg').evaluate((pg) => [pg._chartData.t1Us / 1e6, pg._now]);
  const digits = String(t1).replace('.', '').replace(/^0+|0+$/g, '');
  assert.ok(t1 >= now && ['1', '15', '2', '3', '5', '75'].includes(digits), `the axis ends at ${t1} s, the run is at ${now} s`);
  // Scrolled: other rows are on screen, and they replace the ones that were.
  await page.locator('#pg').evaluate((pg) => { const s = pg.shadowRoot.querySelector('.cscroll'); s.scrollTop = s.scrollHeight - s.clientHeight; });
  await page.waitForFunction(() => !!document.querySelector('#pg').shadowRoot.querySelector('g.cg-row[data-path="t79"]'));
  await frames(2);
  assert.deepEqual(await sameAsFresh(), [true, true, true]);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.locator('#pg .summary', { hasText: 'stopped at' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a live frame is shown only with the run inside its axis, even when frames come late', async () => {
  const { page, errors } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await page.locator('#pg .speed input').fill('6'); // 10×
  await page.locator('#pg').evaluate((pg) => {
    window.__shown = [];
    const show = pg._showLive.bind(pg);
    pg._showLive = (snap) => { window.__shown.push([snap.now, snap.chart.t1Us / 1e6, snap.done]); return show(snap); };
    // Every third frame is asked for 150 ms late, as by a busy page: the run goes on meanwhile.
    const eng = pg._engine;
    const request = eng.request.bind(eng);
    let n = 0;
    eng.request = (kind, args) => (kind === 'snapshot' && !args.stop && n++ % 3 === 2
      ? new Promise((resolve) => setTimeout(resolve, 150)).then(() => request(kind, args))
      : request(kind, args));
  });
  await typeScenario(page, 'task a 5s\ntask b 2500ms\n');
  await page.locator('#pg .summary', { hasText: /^returned at 5/ }).waitFor({ timeout: 5000 });
  const frames = (await page.evaluate(() => window.__shown)).filter(([, , done]) => !done);
  assert.ok(frames.length >= 4, `${frames.length} frames shown`);
  for (const [now, t1] of frames) assert.ok(now <= t1, `a frame at ${now} s on an axis to ${t1} s`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('during a live run, Ctrl+wheel zooms around the time under the pointer', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\n', /^running at [1-9]\d*(\.\d+)?s/);
  const axis = () => shadow(page, (r) => { const d = r.querySelector('.chead svg').dataset; return [d.t0Us / 1e6, d.t1Us / 1e6, Number(d.left), Number(d.plotWidth)]; });
  const [, , left, width] = await axis();
  const box = await page.locator('#pg .cscroll').boundingBox();
  const chart = await shadow(page, (r) => r.querySelector('.chart').getBoundingClientRect().left);
  const x = chart + left + width * 0.3;
  // The axis on screen when the wheel turns (the run moves it on as it goes): read by a
  // listener that runs before the element's.
  await shadow(page, (r) => r.addEventListener('wheel', () => { const d = r.querySelector('.chead svg').dataset; window.__axisAtWheel ??= [d.t0Us / 1e6, d.t1Us / 1e6]; }, { capture: true }));
  await page.mouse.move(x, box.y + 10);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  const [a, b] = await page.waitForFunction(() => window.__axisAtWheel).then((h) => h.jsonValue());
  const t = a + 0.3 * (b - a);
  await page.waitForFunction(([s]) => { const d = document.querySelector('#pg').shadowRoot.querySelector('.chead svg').dataset; return (d.t1Us - d.t0Us) / 1e6 < s * 0.95; }, [b - a]);
  const [a1, b1] = await axis();
  const under = a1 + ((x - chart - left) / width) * (b1 - a1);
  assert.ok(Math.abs(under - t) < (b - a) * 0.02, `${t} s was under the pointer, now ${under} s (axis ${a}–${b} → ${a1}–${b1})`);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.close();
});

test('a run-end listener that starts the next live run sees that run drawn, not the last one', async () => {
  const { page, errors } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await page.locator('#pg').evaluate((pg) => {
    window.__drawn = [];
    const apply = pg._applyChart.bind(pg);
    pg._applyChart = (c, live) => { if (c && window.__restarted) window.__drawn.push({ live: !!live, running: pg._running }); return apply(c, live); };
    pg.addEventListener('ctxgroup-run-end', () => {
      if (window.__restarted) return;
      window.__restarted = true;
      pg.value = 'task a 5s\n';
      pg.run();
    });
  });
  await typeScenario(page, 'task a 300ms\ntask b 200ms\n');
  await page.locator('#pg .summary', { hasText: /^running at .*a still running$/ }).waitFor({ timeout: 5000 });
  await page.waitForTimeout(500);
  const drawn = await page.evaluate(() => window.__drawn);
  assert.ok(drawn.some((d) => d.live), 'the new run is drawn');
  assert.deepEqual(drawn.filter((d) => !d.live), [], 'no chart of the last run is drawn over it');
  assert.match(await page.locator('#pg .summary').textContent(), /^running at /);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  assert.deepEqual(errors, []);
  await page.close();
});
