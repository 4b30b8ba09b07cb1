// The browser benchmark: simulation and rendering speed, timer lateness next to raw setTimeout
// (the floor), many pending deadlines, and memory after many runs. Results land in
// window.benchResults (read by scripts/bench-browser.mjs) and on the page.
import init, { Playground, trace_json, bench_deadline_lateness, bench_pending_deadlines } from './pkg/ctxgroup.js';

const out = document.getElementById('out');
const log = (s) => { out.textContent = (out.textContent === 'running…' ? '' : out.textContent) + s + '\n'; };
const results = { simulate: [], render: [], lateness: {}, pending: {}, memory: {} };

function scenario(n) {
  const lines = ['timeout 60s', 'limit 64'];
  for (let i = 0; i < n; i++) {
    const ms = 100 + ((i * 37) % 900);
    const check = ['', ' check=never', ' check=every:100ms', ' check=start'][i % 4];
    lines.push(`task t${i} ${ms}ms${check}${i === Math.floor(n * 0.9) ? ' fail="boom"' : ''}`);
  }
  return lines.join('\n') + '\n';
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
function time(f, reps) {
  const ts = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); }
  return median(ts);
}
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));

async function rawLateness(n, first, step) {
  const late = [];
  const t0 = performance.now();
  await new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      const due = t0 + first + step * i;
      setTimeout(() => { late.push(performance.now() - due); if (late.length === n) resolve(); }, due - performance.now());
    }
  });
  return late;
}

async function rawPending(n, delay) {
  const t0 = performance.now();
  let left = n;
  await new Promise((resolve) => { for (let i = 0; i < n; i++) setTimeout(() => { if (--left === 0) resolve(); }, delay); });
  return performance.now() - t0;
}

async function main() {
  const wasm = await init();
  const pg = new Playground();
  // Memory after 1,000 runs of a seed scenario (first, before the big scenarios grow the heap).
  const seed = 'timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n';
  const heap = () => performance.memory?.usedJSHeapSize ?? NaN;
  if (window.gc) window.gc();
  const before = { wasm: wasm.memory.buffer.byteLength, heap: heap() };
  for (let i = 0; i < 1000; i++) pg.run(seed, 960, false);
  if (window.gc) window.gc();
  const after = { wasm: wasm.memory.buffer.byteLength, heap: heap() };
  results.memory = { runs: 1000, before, after };
  log(`memory after 1,000 runs: wasm ${before.wasm} → ${after.wasm} B; JS heap ${before.heap} → ${after.heap} B`);
  for (const [n, reps] of [[100, 30], [1000, 10], [10000, 3]]) {
    const text = scenario(n);
    trace_json(text); // warm up
    const ms = time(() => trace_json(text), reps);
    results.simulate.push({ tasks: n, ms });
    log(`simulate ${n} tasks (parse + run + trace JSON): ${ms.toFixed(2)} ms`);
  }
  const chart = document.createElement('div');
  document.body.append(chart);
  for (const n of [1000, 10000]) {
    pg.run(scenario(n), 960, false);
    const svgMs = time(() => pg.render(960, false), 3);
    const t0 = performance.now();
    chart.innerHTML = pg.render(960, false);
    chart.getBoundingClientRect();
    await frame();
    const shownMs = performance.now() - t0;
    results.render.push({ tasks: n, svgMs, shownMs, bytes: chart.innerHTML.length });
    log(`Gantt ${n} tasks: SVG ${svgMs.toFixed(1)} ms; SVG + DOM + first frame ${shownMs.toFixed(1)} ms`);
    chart.innerHTML = '';
  }
  // Timer lateness: 200 deadlines 20 ms apart, from 50 ms; the same schedule on raw setTimeout.
  const ours = JSON.parse(await bench_deadline_lateness(200, 50, 20));
  const raw = await rawLateness(200, 50, 20);
  results.lateness = { ctxgroup: stats(ours), setTimeout: stats(raw) };
  log(`lateness of 200 deadlines: ctxgroup p50 ${stats(ours).p50.toFixed(2)} ms, raw setTimeout p50 ${stats(raw).p50.toFixed(2)} ms`);
  // 10,000 deadlines pending at once, all due in 100 ms.
  const oursPending = await bench_pending_deadlines(10000, 100);
  const rawPendingMs = await rawPending(10000, 100);
  results.pending = { n: 10000, delay: 100, ctxgroup: oursPending, setTimeout: rawPendingMs };
  log(`10,000 pending deadlines due at 100 ms: last seen at ${oursPending.toFixed(1)} ms (ctxgroup) vs ${rawPendingMs.toFixed(1)} ms (raw setTimeout)`);
  window.benchResults = results;
}

main().catch((e) => { log(`failed: ${e.stack || e}`); window.benchResults = { error: String(e) }; });
