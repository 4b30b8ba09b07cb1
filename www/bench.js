// The browser benchmark: simulation and rendering speed, the page's 10,000-task chart to its
// first frame (through the element's worker), live mode's lateness with 1,000 tasks on screen,
// timer lateness next to raw setTimeout (the floor), many pending deadlines, and memory after
// many runs. Results land in window.benchResults (read by scripts/bench-browser.mjs) and on the
// page.
import init, { Playground, trace_json, bench_deadline_lateness, bench_pending_deadlines } from './pkg/ctxgroup.js';
import { wasmModule } from './ctxgroup-playground.js';

const out = document.getElementById('out');
const log = (s) => { out.textContent = (out.textContent === 'running…' ? '' : out.textContent) + s + '\n'; };
const results = { simulate: [], render: [], page: {}, live: {}, lateness: {}, pending: {}, memory: {} };

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

/** The element's worker, driven directly: requests in, answers out. */
async function workerEngine() {
  const module = await wasmModule();
  const w = new Worker(new URL('./ctxgroup-worker.js', import.meta.url), { type: 'module' });
  let seq = 0;
  const pending = new Map();
  w.onmessage = (e) => { pending.get(e.data.id)?.(e.data); pending.delete(e.data.id); };
  const call = (op, args = {}) => new Promise((r) => { const id = ++seq; pending.set(id, r); w.postMessage({ id, op, ...args }); });
  await call('init', { module });
  return { call, close: () => w.terminate() };
}

/** The 10,000-task chart as the page draws it: the axis, the rows on a 900 px screen, the foot. */
async function pageChart(n) {
  const eng = await workerEngine();
  const box = document.createElement('div');
  box.style.cssText = 'position:relative;width:960px;height:900px;overflow:auto';
  document.body.append(box);
  const show = (c) => { box.innerHTML = c.head + c.body + c.foot; box.getBoundingClientRect(); };
  // As the element asks: a run's first frame is the screen of rows in view; later frames
  // (scrolling, zooming) add a screen above and below.
  const view = (y0, margin = 1) => ({ width: 960, dark: false, t0: 0, t1: 0, y0: Math.max(0, y0 - margin * 900), y1: y0 + (1 + margin) * 900 });
  const text = scenario(n);
  await eng.call('run', { text, view: view(0, 0) }); // warm up
  const runs = [];
  // Of a run: the worker's own work (parse, simulate, trace index, chart), and its answer in hand.
  const work = [];
  const answered = [];
  const charts = [];
  const zooms = [];
  for (let i = 0; i < 5; i++) {
    let t0 = performance.now();
    const res = await eng.call('run', { text, view: view(0, 0) });
    answered.push(performance.now() - t0);
    work.push(res.workMs);
    show(res.chart);
    await frame();
    runs.push(performance.now() - t0);
    // Scrolling to the middle: the rows there, drawn and on screen.
    t0 = performance.now();
    show((await eng.call('chart', { view: view(100_000 + i * 1000) })).chart);
    await frame();
    charts.push(performance.now() - t0);
    // Zooming into a tenth of the run.
    t0 = performance.now();
    show((await eng.call('chart', { view: { ...view(0), t0: 1 + i, t1: 1 + i + (res.head.end / 10) } })).chart);
    await frame();
    zooms.push(performance.now() - t0);
  }
  const bytes = box.innerHTML.length;
  box.remove();
  eng.close();
  return { tasks: n, runMs: median(runs), workMs: median(work), answerMs: median(answered), chartMs: median(charts), zoomMs: median(zooms), bytes };
}

/** Live mode at 10× with 1,000 tasks: how late each task's end is reported against virtual
 * mode, (a) drawn by the element as it runs and (b) in a worker that draws nothing, and the
 * longest main-thread task meanwhile. Each task waits on one timer (await, never, start), so
 * an end's lateness is one timer's: a task that steps (check=every) adds up the lateness of
 * each step. */
async function liveLateness(n, speed) {
  const lines = ['timeout 60s'];
  for (let i = 0; i < n; i++) lines.push(`task t${i} ${1000 + ((i * 37) % 8000)}ms${['', ' check=never', ' check=start'][i % 3]}`);
  const text = lines.join('\n') + '\n';
  const eng = await workerEngine();
  await eng.call('run', { text, view: { width: 960, dark: false } });
  const virtual = JSON.parse((await eng.call('trace')).json);
  const lateOf = (trace) => stats(virtual.tasks.map((v, i) => (trace.tasks[i].end - v.end) * 1000 / speed)); // real ms
  // (b) No drawing: the worker alone.
  await eng.call('live', { text, speed });
  let snap;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    if ((await eng.call('pending')).n === 0) { snap = await eng.call('snapshot', { view: { width: 960 }, stop: true }); break; }
  }
  const undrawn = lateOf(JSON.parse(snap.traceJson ?? (await eng.call('trace')).json));
  eng.close();
  // (a) The element, drawing on animation frames.
  const pg = document.createElement('ctxgroup-playground');
  pg.setAttribute('mode', 'live');
  pg.setAttribute('speed', String(speed));
  pg.textContent = text;
  document.body.append(pg);
  // As a user would have: a virtual run first (the worker's code is warm, as in (b)).
  pg.setAttribute('mode', 'virtual');
  await new Promise((resolve) => { pg.addEventListener('ctxgroup-run-end', resolve, { once: true }); pg.run(); });
  pg.setAttribute('mode', 'live');
  const long = [];
  const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
  obs.observe({ type: 'longtask' });
  let frames = 0;
  const countFrames = () => { frames++; if (pg.isConnected) requestAnimationFrame(countFrames); };
  requestAnimationFrame(countFrames);
  // The peer, in the same run: a worker of its own with one raw setTimeout per task, due when
  // the task's end is, started with the run; what the page's drawing costs a bare timer.
  const raw = rawTimerWorker(virtual.tasks.map((v) => (v.end * 1000) / speed));
  const t0 = performance.now();
  const detail = await new Promise((resolve) => {
    pg.addEventListener('ctxgroup-run-end', (e) => resolve(e.detail), { once: true });
    pg.run();
  });
  const wall = performance.now() - t0;
  performance.measure('live drawn', { start: t0 }); // a window for traces of the benchmark
  obs.disconnect();
  const drawn = lateOf(detail.trace);
  const rawTimers = stats(await raw);
  pg.remove();
  return { tasks: n, speed, wallMs: wall, fps: (frames / wall) * 1000, drawn, undrawn, rawTimers, longestTaskMs: Math.max(0, ...long) };
}

/** A worker that arms one `setTimeout` per due time (ms from now) and resolves with how late
 * each fired. */
function rawTimerWorker(dues) {
  const source = `onmessage = (e) => {
    const t0 = performance.now(), late = [];
    let left = e.data.length;
    e.data.forEach((due) => setTimeout(() => { late.push(performance.now() - t0 - due); if (--left === 0) postMessage(late); }, due));
  };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return new Promise((resolve) => {
    worker.onmessage = (e) => { worker.terminate(); resolve(e.data); };
    worker.postMessage(dues);
  });
}

/** `bench.html?live=N`: only the live run, N times (its tail is what varies from run to run). */
async function liveOnly(n) {
  await init();
  results.liveRuns = [];
  for (let i = 0; i < n; i++) {
    const r = await liveLateness(1000, 10);
    results.liveRuns.push(r);
    log(`live run ${i + 1}: drawn p50 ${r.drawn.p50.toFixed(2)} p95 ${r.drawn.p95.toFixed(2)} max ${r.drawn.max.toFixed(2)} ms; undrawn p50 ${r.undrawn.p50.toFixed(2)} p95 ${r.undrawn.p95.toFixed(2)} max ${r.undrawn.max.toFixed(2)} ms; raw setTimeout beside it p50 ${r.rawTimers.p50.toFixed(2)} max ${r.rawTimers.max.toFixed(2)} ms`);
  }
  window.benchResults = results;
}

async function main() {
  const liveRuns = Number(new URLSearchParams(location.search).get('live'));
  if (liveRuns > 0) return liveOnly(liveRuns);
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
  // The page's chart, through the element's worker.
  results.page = await pageChart(10000);
  log(`page chart, 10,000 tasks: run to first frame ${results.page.runMs.toFixed(1)} ms; scroll to new rows ${results.page.chartMs.toFixed(1)} ms; zoom ${results.page.zoomMs.toFixed(1)} ms`);
  // Live mode with 1,000 tasks on screen at 10×.
  results.live = await liveLateness(1000, 10);
  log(`live, 1,000 tasks at 10×: task ends late by p50 ${results.live.drawn.p50.toFixed(1)} ms, max ${results.live.drawn.max.toFixed(1)} ms (real) drawn; ${results.live.undrawn.p50.toFixed(1)} / ${results.live.undrawn.max.toFixed(1)} ms undrawn; longest main-thread task ${results.live.longestTaskMs.toFixed(0)} ms`);
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
