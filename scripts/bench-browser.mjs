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
  await page.goto(`http://127.0.0.1:${port}/bench.html`);
  await page.waitForFunction(() => window.benchResults, null, { timeout: 180_000 });
  const r = await page.evaluate(() => window.benchResults);
  if (r.error) throw new Error(r.error);
  const f = (x, d = 2) => x.toFixed(d);
  console.log(`Chromium ${browser.version()}, headless\n`);
  console.log('| virtual mode: parse + simulate + trace JSON | median ms |\n|---|---|');
  for (const s of r.simulate) console.log(`| ${s.tasks.toLocaleString('en')} tasks | ${f(s.ms)} |`);
  console.log('\n| Gantt | SVG string (ms) | SVG + DOM + first frame (ms) | SVG size (bytes) |\n|---|---|---|---|');
  for (const s of r.render) console.log(`| ${s.tasks.toLocaleString('en')} tasks | ${f(s.svgMs, 1)} | ${f(s.shownMs, 1)} | ${s.bytes.toLocaleString('en')} |`);
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
} finally {
  await browser.close();
  server.kill();
}
