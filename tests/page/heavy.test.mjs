// Heavy input never freezes the page: runs happen in a worker within a work budget, Stop ends a
// long run at once, a huge scenario is refused with the line that costs most, and a share link
// that inflates to gigabytes is refused as it streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { useBrowser, open, typeScenario, pasteScenario, nextRunEnd } from './harness.mjs';

const env = useBrowser();
const heavy = (n) => Array.from({ length: n }, (_, i) => `task t${i} 100s check=every:1ms\n`).join('');

/** Starts recording the page's long tasks; `stop()` resolves with their durations (ms). */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__long = [];
    window.__obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(Math.round(e.duration)); });
    window.__obs.observe({ type: 'longtask' });
  });
  return { stop: () => page.evaluate(() => { window.__obs.disconnect(); return window.__long; }) };
}

test('a heavy valid scenario runs to the end and the main thread never stalls over 100 ms', async () => {
  const { page } = await open();
  const watch = await watchLongTasks(page);
  const ended = nextRunEnd(page);
  await pasteScenario(page, heavy(20));
  // Typing goes on while it runs.
  await page.locator('#pg .summary', { hasText: 'Running…' }).waitFor({ timeout: 5000 }).catch(() => {});
  await page.locator('#pg textarea').press('End');
  await page.keyboard.type('# more', { delay: 20 });
  await page.keyboard.press('Control+Enter');
  const detail = await Promise.race([ended, new Promise((r) => setTimeout(() => r(null), 30_000))]);
  assert.ok(detail, 'the run ended');
  assert.equal(detail.ok, true, JSON.stringify(detail.errors));
  assert.match(await page.locator('#pg .summary').textContent(), /^returned at 1m40s: ok — t0 completed at 1m40s/);
  const row = page.locator('#pg svg g.cg-row[data-path="t0"] title').first();
  assert.match(await row.textContent(), /checked its context 100,000 times/);
  const stalls = await watch.stop();
  assert.ok(Math.max(0, ...stalls) <= 100, `main-thread stalls of ${stalls.join(', ')} ms`);
  await page.close();
});

test('a scenario over the work budget is refused at the line that costs most, with how to fix it', async () => {
  const { page } = await open();
  const watch = await watchLongTasks(page);
  const ended = nextRunEnd(page);
  await pasteScenario(page, heavy(150));
  const detail = await ended;
  assert.equal(detail.ok, false);
  const error = await page.locator('#pg .errors li').first().textContent();
  assert.match(error, /^line \d+, col 1: the run (passed its budget of [\d,]+ steps|took over \d+ s of work)/);
  assert.match(error, /Task t\d+ checked its context [\d,]+ times \(check=every:1ms\), and \d+ other tasks check too\. Use a longer step, such as check=every:100ms, or fewer such tasks\./);
  assert.equal(await page.locator('#pg pre .l.bad mark').count(), 1, 'the line is marked');
  assert.doesNotMatch(await page.locator('#pg .summary').textContent(), /Running/, 'the summary no longer says it runs');
  const stalls = await watch.stop();
  assert.ok(Math.max(0, ...stalls) <= 100, `main-thread stalls of ${stalls.join(', ')} ms`);
  await page.close();
});

test('Stop ends a long virtual run at once, and the next run works', async () => {
  const { page } = await open();
  await pasteScenario(page, heavy(60));
  await page.locator('#pg .summary', { hasText: 'Running…' }).waitFor();
  const ended = nextRunEnd(page);
  const t0 = Date.now();
  await page.locator('#pg button', { hasText: 'Stop' }).click();
  const detail = await ended;
  assert.ok(Date.now() - t0 < 1000, `stopping took ${Date.now() - t0} ms`);
  assert.deepEqual([detail.ok, detail.stopped], [false, true]);
  assert.match(await page.locator('#pg .summary').textContent(), /^Stopped after .* of work/);
  await typeScenario(page, 'timeout 2s\ntask api 5s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 2s: context deadline exceeded' }).waitFor();
  await page.close();
});

test('a share link that inflates to 50 MB is refused as it streams, quickly', async () => {
  const bomb = deflateRawSync(Buffer.alloc(50_000_000, 0x20)).toString('base64url');
  const page = await env.browser.newPage();
  const t0 = Date.now();
  await page.goto(`${env.base}#z=${bomb}`);
  await page.locator('#status', { hasText: 'too long' }).waitFor({ timeout: 5000 });
  assert.ok(Date.now() - t0 < 3000, `refused after ${Date.now() - t0} ms`);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  assert.ok(heap < 100e6, `JS heap ${heap} B`);
  await page.close();
});
