// Runs www/bench.html in headless Chromium and prints its results as Markdown tables.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const port = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const server = spawn('python3', ['scripts/serve.py', '--dir', 'www', '--port', String(port), '--quiet'], { stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
});
try {
  const page = await browser.newPage();
  // `--live N`: only the live run, N times.
  const at = process.argv.indexOf('--live');
  const liveRuns = at > 0 ? Number(process.argv[at + 1]) || 3 : 0;
  await page.goto(`http://127.0.0.1:${port}/bench.html${liveRuns ? `?live=${liveRuns}` : ''}`);
  await page.waitForFunction(() => window.benchResults, null, { timeout: 180_000 });
  const r = await page.evaluate(() => window.benchResults);
  if (r.error) throw new Error(r.error);
  const f = (x, d = 2) => x.toFixed(d);
  report: {
  console.log(`Chromium ${browser.version()}, headless\n`);
  if (r.liveRuns) {
    console.log('| live mode, 1,000 tasks of 1–9 s at 10×: task end, live − virtual, real ms | drawn p50 | p95 | max | undrawn p50 | p95 | max | raw setTimeout in a worker beside the drawn run: p50 | p95 | max | longest main-thread task |\n|---|---|---|---|---|---|---|---|---|---|---|');
    r.liveRuns.forEach((lv, i) => console.log(`| run ${i + 1} | ${f(lv.drawn.p50)} | ${f(lv.drawn.p95)} | ${f(lv.drawn.max)} | ${f(lv.undrawn.p50)} | ${f(lv.undrawn.p95)} | ${f(lv.undrawn.max)} | ${f(lv.rawTimers.p50)} | ${f(lv.rawTimers.p95)} | ${f(lv.rawTimers.max)} | ${f(lv.longestTaskMs, 0)} ms |`));
    break report;
  }
  console.log('| virtual mode: parse + simulate + trace JSON | median ms |\n|---|---|');
  for (const s of r.simulate) console.log(`| ${s.tasks.toLocaleString('en')} tasks | ${f(s.ms)} |`);
  console.log('\n| Gantt | SVG string (ms) | SVG + DOM + first frame (ms) | SVG size (bytes) |\n|---|---|---|---|');
  for (const s of r.render) console.log(`| ${s.tasks.toLocaleString('en')} tasks | ${f(s.svgMs, 1)} | ${f(s.shownMs, 1)} | ${s.bytes.toLocaleString('en')} |`);
  const pc = r.page;
  console.log(`\n| the page's chart, ${pc.tasks.toLocaleString('en')} tasks (worker + DOM + first frame) | median ms |\n|---|---|`);
  console.log(`| Run → first frame (parse, simulate, trace index, first screen of rows) | ${f(pc.runMs, 1)} |`);
  console.log(`| … of which the worker's work (parse, simulate, trace index, chart) | ${f(pc.workMs, 1)} |`);
  console.log(`| … and the answer in the page's hands | ${f(pc.answerMs, 1)} |`);
  console.log(`| scroll to rows not drawn yet → first frame | ${f(pc.chartMs, 1)} |`);
  console.log(`| zoom into a tenth of the run → first frame | ${f(pc.zoomMs, 1)} |`);
  console.log(`| DOM size of what is drawn | ${pc.bytes.toLocaleString('en')} B |`);
  const lv = r.live;
  console.log(`\n| live mode, ${lv.tasks.toLocaleString('en')} tasks of 1–9 s at ${lv.speed}× (no limit; each waits on one timer): task end, live − virtual, real ms | p50 | p95 | max |\n|---|---|---|---|`);
  console.log(`| drawn by the element as it runs (${f(lv.fps, 0)} frames/s, longest main-thread task ${f(lv.longestTaskMs, 0)} ms) | ${f(lv.drawn.p50)} | ${f(lv.drawn.p95)} | ${f(lv.drawn.max)} |`);
  console.log(`| in its worker, drawing nothing | ${f(lv.undrawn.p50)} | ${f(lv.undrawn.p95)} | ${f(lv.undrawn.max)} |`);
  console.log(`| the peer: raw setTimeout (one per task, due at its end) in a worker beside the drawn run | ${f(lv.rawTimers.p50)} | ${f(lv.rawTimers.p95)} | ${f(lv.rawTimers.max)} |`);
  const l = r.lateness;
  console.log('\n| lateness of 200 deadlines (fired − due, ms) | mean | p50 | p95 | max |\n|---|---|---|---|---|');
  for (const [k, v] of [['ctxgroup (BrowserClock, one timer)', l.ctxgroup], ['raw setTimeout (the floor)', l.setTimeout]]) {
    console.log(`| ${k} | ${f(v.mean)} | ${f(v.p50)} | ${f(v.p95)} | ${f(v.max)} |`);
  }
  const p = r.pending;
  console.log(`\n| 10,000 deadlines pending, due in 100 ms | time until the last fires (ms) |\n|---|---|`);
  console.log(`| ctxgroup | ${f(p.ctxgroup, 1)} |\n| raw setTimeout ×10,000 | ${f(p.setTimeout, 1)} |`);
  const m = r.memory;
  console.log(`\n| after 1,000 runs | before | after |\n|---|---|---|`);
  console.log(`| wasm linear memory (bytes) | ${m.before.wasm.toLocaleString('en')} | ${m.after.wasm.toLocaleString('en')} |`);
  console.log(`| JS heap used (bytes) | ${m.before.heap.toLocaleString('en')} | ${m.after.heap.toLocaleString('en')} |`);
  }
} finally {
  await browser.close();
  server.kill();
}
