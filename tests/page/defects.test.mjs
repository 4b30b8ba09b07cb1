// The page's defects, one test each: keys in the error list, stale expect marks, Stop and mode
// switches in live mode, the scrubber during a live run, undoable examples kept across reloads,
// the editor's focus ring and room, and the chart on a phone's first screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario, summary, nextRunEnd, shadow, startLive } from './harness.mjs';

const env = useBrowser();

/** The run's time the summary says ("running at 1.5s — …"), in s. */
async function runTime(page) {
  const m = (await summary(page)).match(/^running at (\d+(?:\.\d+)?)(ms|s)/);
  return m[2] === 'ms' ? Number(m[1]) / 1000 : Number(m[1]);
}

/** Seconds of the live run per real second, over half a second. */
async function runRate(page) {
  const [t0, w0] = [await runTime(page), Date.now()];
  await page.waitForTimeout(500);
  return (await runTime(page) - t0) / ((Date.now() - w0) / 1000);
}

/** The summary and the scrubber's time, as one frame shows them: [summary, its "running at"
 * time, the scrubber's text]. */
const summaryAndScrub = (page) => shadow(page, (r) => {
  const running = r.querySelector('.summary').textContent;
  return [running, running.match(/^running at (\S+)/)?.[1], r.querySelector('.scrub .out').textContent];
});

test('Enter on an error of the list goes to it and leaves the scenario alone', async () => {
  const { page, errors } = await open();
  await typeScenario(page, 'task t1 5x');
  const item = page.locator('#pg .errors li button').first();
  await item.waitFor();
  await item.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#pg textarea').inputValue(), 'task t1 5x', 'no newline was typed into the scenario');
  const caret = await page.locator('#pg textarea').evaluate((t) => [t.selectionStart, t === t.getRootNode().activeElement]);
  assert.deepEqual(caret, ['task t1 5'.length, true], 'the caret is at the error');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a parse error clears the expect marks of the last run', async () => {
  const { page } = await open();
  assert.equal(await page.locator('#pg .expects li.ok').count(), 3);
  await typeScenario(page, 'timeout 7s\ntask t1 5x\n');
  await page.locator('#pg .errors li').first().waitFor();
  assert.equal(await page.locator('#pg .expects li').count(), 0, 'no result of the old expect lines is listed');
  assert.equal(await shadow(page, (r) => r.querySelectorAll('.expect-ok, .expect-bad').length), 0, 'no ✓ at lines of the old text');
  await page.close();
});

test('Stop ends a live run: the summary says stopped, and run-end does not report ok', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\ntask b forever check=every:1s\n');
  const ended = nextRunEnd(page);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  const detail = await ended;
  assert.equal(detail.ok, false);
  assert.equal(detail.stopped, true);
  assert.match(await summary(page), /^stopped at \d/);
  await page.waitForTimeout(300);
  assert.match(await summary(page), /^stopped at \d/, 'nothing overwrites it afterwards');
  await page.close();
});

test("a Stop that comes as the run ends shows the run's end, once, not a frame before it", async () => {
  const { page } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  // The frame that finds the run ended waits (and the answers after it, in order) until Stop
  // has been pressed: the run ends in the worker while its last frame is on its way.
  await page.locator('#pg').evaluate((pg) => {
    const eng = pg._engine;
    const request = eng.request.bind(eng);
    let last = Promise.resolve();
    window.__open = null;
    const gate = new Promise((resolve) => { window.__open = resolve; });
    window.__held = 0;
    window.__ends = [];
    pg.addEventListener('ctxgroup-run-end', (e) => window.__ends.push({ ok: e.detail.ok, stopped: e.detail.stopped }));
    eng.request = (kind, args) => {
      const answer = request(kind, args).then((a) => {
        if (kind !== 'snapshot' || args.stop || !a.done) return a;
        window.__held++;
        return gate.then(() => a);
      });
      const ordered = last.then(() => answer);
      last = ordered.catch(() => {});
      return ordered;
    };
  });
  await typeScenario(page, 'task a 200ms\n');
  await page.waitForFunction(() => window.__held > 0);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.evaluate(() => window.__open());
  await page.locator('#pg .summary', { hasText: /^returned at 2\d\dms/ }).waitFor({ timeout: 3000 }); // real timers: a little late
  await page.waitForTimeout(300);
  assert.match(await summary(page), /^returned at 2\d\dms/, "the run's end stays");
  assert.deepEqual(await page.evaluate(() => window.__ends), [{ ok: true, stopped: false }], 'one run-end, ok');
  await page.close();
});

test('a new speed during a live run applies: the run starts again at it', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\n');
  await page.locator('#pg .speed input').fill('6'); // 10×
  await page.waitForTimeout(300);
  const rate = await runRate(page);
  assert.ok(rate > 5, `the run's time went ${rate.toFixed(1)}× real time with the speed at 10×`);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.close();
});

test('an edit in live mode dims what the run before it shows, during the run and after', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\n');
  const dim = () => page.locator('#pg').evaluate((pg) => ['.summary', '.chart'].map((c) => pg.shadowRoot.querySelector(c).classList.contains('stale')));
  assert.deepEqual(await dim(), [false, false]);
  await page.locator('#pg textarea').press('End');
  await page.locator('#pg textarea').type('\ntask b 1s');
  await page.waitForTimeout(300); // frames come meanwhile
  assert.deepEqual(await dim(), [true, true], 'dimmed while the run goes on');
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.locator('#pg .summary', { hasText: 'stopped at' }).waitFor();
  assert.deepEqual(await dim(), [true, true], 'and after it');
  await page.locator('#pg textarea').press('Control+Enter');
  await page.locator('#pg .summary', { hasText: /running at .*b still running/ }).waitFor();
  assert.deepEqual(await dim(), [false, false], 'a run of the new text is not dimmed');
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.close();
});

test('restarting a live run with text that does not parse shows where the run stopped', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\n');
  await typeScenario(page, 'task a 60x\n');
  await page.locator('#pg .errors li').first().waitFor();
  await page.locator('#pg .summary', { hasText: /^stopped at / }).waitFor({ timeout: 3000 });
  assert.equal(await page.locator('#pg .summary.stale').count(), 1, 'dimmed: it is not the text shown');
  await page.close();
});

test('switching a live run to Virtual shows the virtual run', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\n');
  await page.locator('#pg button', { hasText: 'Virtual' }).click();
  await page.locator('#pg .summary', { hasText: 'returned at 1m: ok' }).waitFor({ timeout: 3000 });
  await page.close();
});

test('during a live run the scrubber reads the time of the snapshot shown', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\ntask b forever check=every:100ms\n');
  for (let i = 0; i < 5; i++) {
    await page.waitForTimeout(150);
    const [running, now, scrub] = await summaryAndScrub(page);
    assert.equal(scrub, `t = ${now}`, `summary "${running}" vs scrubber "${scrub}"`);
  }
  await page.close();
});

test('during a live run the scrubber keeps a time the user picks, and follows the run again from its end', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\ntask b 300ms\n', /^running at [1-9]\d*(\.\d+)?s/);
  const out = () => page.locator('#pg .scrub .out').textContent();
  await page.locator('#pg .scrub input').fill('100');
  const picked = await out();
  await page.waitForTimeout(500); // frames come meanwhile
  assert.equal(await out(), picked, 'the picked time stays');
  assert.ok(Number(await page.locator('#pg .scrub input').inputValue()) < 100, 'its knob moves back as the run grows');
  await page.locator('#pg .scrub input').fill('1000');
  await page.waitForTimeout(300);
  const [, now, scrub] = await summaryAndScrub(page);
  assert.equal(scrub, `t = ${now}`, 'at its end it follows the run');
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.close();
});

test('an edit made in live mode is run when switching to Virtual', async () => {
  const { page } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await page.locator('#pg textarea').fill('task b 3s\n');
  await page.locator('#pg button', { hasText: 'Virtual' }).click();
  await page.locator('#pg .summary', { hasText: 'b completed at 3s' }).waitFor({ timeout: 3000 });
  assert.equal(await page.locator('#pg .summary.stale').count(), 0);
  await page.close();
});

test('the speed attribute applies to a live run going, and End follows the run again', async () => {
  const { page } = await open();
  await startLive(page, 'task a 60s\n');
  await page.locator('#pg').evaluate((pg) => pg.setAttribute('speed', '10'));
  await page.waitForTimeout(300);
  const rate = await runRate(page);
  assert.ok(rate > 5, `the run's time went ${rate.toFixed(1)}× real time with speed="10"`);
  // The scrubber held back, then End in the chart: it follows the run again.
  await page.locator('#pg .scrub input').fill('100');
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('End');
  await page.waitForTimeout(300);
  const [, now, scrub] = await summaryAndScrub(page);
  assert.equal(scrub, `t = ${now}`);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  await page.close();
});

test('a short live run ends with the scrubber at its return', async () => {
  const { page } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  await page.locator('#pg .speed input').fill('6'); // 10×
  await typeScenario(page, 'task a 6ms\n');
  await page.locator('#pg .summary', { hasText: /^returned at/ }).waitFor();
  await page.waitForTimeout(200);
  const returned = (await summary(page)).match(/^returned at (\S+):/)[1];
  assert.equal(await page.locator('#pg .scrub .out').textContent(), `t = ${returned}`);
  await page.close();
});

test('the event log opened during a live run shows events, never only the row of those left out', async () => {
  const { page, errors } = await open();
  await page.locator('#pg button', { hasText: 'Live' }).click();
  const lines = [];
  for (let i = 0; i < 1100; i++) lines.push(`task t${i} 30s`);
  await page.locator('#pg textarea').fill(lines.join('\n') + '\n');
  await page.locator('#pg textarea').press('Control+Enter');
  await page.locator('#pg .summary', { hasText: 'running at' }).waitFor();
  await page.waitForTimeout(200); // between frames that bring the trace
  await page.locator('#pg').evaluate((pg) => {
    const body = pg.shadowRoot.querySelector('.log tbody');
    window.__fills = [];
    new MutationObserver(() => window.__fills.push([body.rows.length, body.querySelectorAll('tr.gap').length])).observe(body, { childList: true });
  });
  await page.locator('#pg .log summary').click();
  await page.waitForFunction(() => window.__fills.some(([rows]) => rows > 1), null, { timeout: 5000 });
  const fills = await page.evaluate(() => window.__fills);
  assert.deepEqual(fills.filter(([rows, gaps]) => rows > 0 && rows === gaps), [], `fills (rows, gap rows): ${JSON.stringify(fills)}`);
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('choosing an example can be undone, and the text survives a reload', async () => {
  const { page } = await open();
  const mine = 'timeout 2s\ntask mine 1s\n';
  await typeScenario(page, mine);
  await page.locator('#pg .summary', { hasText: 'mine completed' }).waitFor();
  await page.selectOption('#examples', '003-first-error');
  await page.locator('#pg .summary', { hasText: 'HTTP 502' }).waitFor();
  assert.match(await page.locator('#pg textarea').inputValue(), /task t1 2s fail="HTTP 502"/);
  await page.locator('#status button', { hasText: 'Undo' }).click();
  assert.equal(await page.locator('#pg textarea').inputValue(), mine, 'Undo brings the text back');
  await page.locator('#pg .summary', { hasText: 'mine completed' }).waitFor();
  // Ctrl+Z in the editor undoes an example switch too.
  await page.selectOption('#examples', '004-leak');
  await page.locator('#pg textarea').press('Control+z');
  assert.equal(await page.locator('#pg textarea').inputValue(), mine, 'Ctrl+Z brings the text back');
  // Edits are kept across a reload.
  await page.locator('#pg textarea').fill(`${mine}task kept 2s\n`);
  await page.waitForTimeout(700);
  await page.reload();
  await page.locator('#pg .summary').filter({ hasText: 'returned' }).waitFor();
  assert.equal(await page.locator('#pg textarea').inputValue(), `${mine}task kept 2s\n`);
  await page.close();
});

test('the editor shows whole lines at 1280×900', async () => {
  const { page } = await open();
  const [sw, cw, sh, ch] = await page.locator('#pg textarea').evaluate((t) => [t.scrollWidth, t.clientWidth, t.scrollHeight, t.clientHeight]);
  assert.ok(sw <= cw, `lines are cut: ${sw} px of text in ${cw} px`);
  assert.ok(sh <= ch, `lines are hidden: ${sh} px of text in ${ch} px`);
  await page.close();
});

test('on a 390×844 phone the chart is on the first screen', async () => {
  const { page } = await open(env.base, { width: 390, height: 844 }, { isMobile: true, hasTouch: true });
  const row = await page.locator('#pg svg g.cg-row').last().boundingBox();
  assert.ok(row.y + row.height <= 844, `the last row ends at ${row.y + row.height} px`);
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await page.close();
});

test('a run that replaces one still going leaves no "Running…" behind', async () => {
  const { page, errors } = await open();
  // The first run's answer is slow and the worker is kept (its answer is dropped as stale): the
  // second run ends long before the first one's "Running…" timer is due.
  const ended = await page.locator('#pg').evaluate(async (pg) => {
    const eng = pg._engine;
    const request = eng.request.bind(eng);
    let slow = true;
    eng.terminate = () => {};
    eng.request = (kind, args) => {
      if (kind !== 'run' || !slow) return request(kind, args);
      slow = false;
      return new Promise((r) => setTimeout(r, 600)).then(() => request(kind, args));
    };
    const end = new Promise((r) => pg.addEventListener('ctxgroup-run-end', (e) => r(e.detail.summary), { once: true }));
    pg.value = 'task a 1s\n';
    pg.run();
    pg.value = 'task b 2s\n';
    pg.run();
    return end;
  });
  assert.match(ended, /^returned at 2s: ok/);
  await page.waitForTimeout(800); // past the first run's timer and its late answer
  assert.match(await summary(page), /^returned at 2s: ok/, 'the summary is the second run\'s');
  assert.equal(await page.locator('#pg button', { hasText: 'Stop' }).isDisabled(), true, 'Stop is off');
  assert.deepEqual(errors, []);
});

test('on a phone the task states under the scrubber stay within the page, cut with an ellipsis', async () => {
  const { page, errors } = await open(env.base, { width: 390, height: 844 });
  await typeScenario(page, 'timeout 1s\ntask warm-recommendation-cache-and-metrics-flush-in-every-region 5s check=never\n');
  await page.locator('#pg .summary', { hasText: 'returned at 5s' }).waitFor();
  // Within the list's box, and the list within the screen (a list wider than its panel is
  // clipped by it, and the page does not scroll: the end was simply gone).
  const over = await shadow(page, (root) => {
    const box = root.querySelector('.states').getBoundingClientRect();
    const right = Math.min(box.right, root.host.getBoundingClientRect().right);
    return [...root.querySelectorAll('.states span')]
      .filter((s) => s.getBoundingClientRect().right > right + 1)
      .map((s) => s.textContent);
  });
  assert.deepEqual(over, []);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page scrolls sideways: ${width} px`);
  assert.deepEqual(errors, []);
  await page.close();
});
