// The work of a <ctxgroup-playground>, off the page's main thread: parsing, simulating (within a
// work budget), laying out the chart, and live runs on real timers. Each element has its own
// worker, instantiated from the one compiled wasm module of the page; stopping a run that takes
// long is terminating the worker. Without workers, the element calls handle() on its own thread.
// The code views' generators are a second wasm (pkg/ctxgroup_code.js): its glue (2 KB gzipped)
// is imported with the worker, statically, because bundlers (Vite, webpack) build a worker with
// a dynamic import() as a split bundle that their default worker format cannot hold; the wasm
// itself is instantiated on the first request for a program, from the module the element
// compiled on first use.
import init, { Playground } from './pkg/ctxgroup.js';
import initCode, * as codeGlue from './pkg/ctxgroup_code.js';

let pg = null;
let code = null;
/** Which trace the page was last given (counted), and its JSON and events once made for it. */
let given = 0;
let json = null;
let events = null;

const view = (v) => [v.width, v.dark, v.t0 ?? 0, v.t1 ?? 0, v.y0 ?? 0, v.y1 ?? 0];

/** Traces up to this many tasks and events travel with their run as JSON text; a longer one is
 * sent when the page asks for it (`trace`), after its chart is on screen. */
const INLINE_TRACE = 5000;

/** What the page needs of the trace at once: a head for what it shows (the first tasks, the
 * counts), and an index for finding rows, lines and events (typed arrays, transferred, not
 * copied; the paths as JSON text, parsed when first needed). Cloning tens of thousands of
 * objects, or the whole trace's JSON, would stall the page. */
/** The JSON of the trace the page was last given (written once for it). */
function traceJson() {
  if (json?.of !== given) json = { of: given, text: pg.trace_json() };
  return json.text;
}

async function traceOut(res, inline = true, timed = (key, work) => work()) {
  given++;
  res.head = await timed('head', () => JSON.parse(pg.trace_head()));
  const all = await timed('index', () => pg.trace_index());
  const [n, m] = all;
  const at = (from, count, Type) => Type.from(all.subarray(from, from + count));
  res.index = { lines: at(2, n, Uint32Array), causes: at(2 + n, n, Int32Array), eventT: at(2 + 2 * n, m, Float64Array), eventTask: at(2 + 2 * n + m, m, Int32Array), paths: await timed('paths', () => pg.task_paths()) };
  if (inline && res.head.taskCount + res.head.eventCount <= INLINE_TRACE) res.traceJson = await timed('json', traceJson);
}

// ---------- a live frame, drawn between the run's deadlines ----------

/** Resolves in a message task of its own, after the messages queued before it (the live clock's
 * own, which waits out its next deadline: one hop spans one deadline). */
const hopChannel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
let hopWaiters = [];
if (hopChannel) hopChannel.port1.onmessage = () => { const waiters = hopWaiters; hopWaiters = []; for (const resolve of waiters) resolve(); };
const hop = () => new Promise((resolve) => {
  if (!hopChannel) return setTimeout(resolve, 0);
  hopWaiters.push(resolve);
  if (hopWaiters.length === 1) hopChannel.port2.postMessage(null);
});

/** How long each piece of a live frame took last time, in ms. */
const pieceMs = new Map();

/** Does one piece of a live frame's work in a gap between the run's deadlines at least as long
 * as the piece took last time, so that drawing delays no deadline. It waits past four deadlines
 * at most (gaps that short will not grow), and not at all for a frame that stops the run or
 * while another request waits (a Stop, a new run). Returns what `work` returns; adds its time
 * to `frame.ms`. */
async function inGap(frame, key, work) {
  const need = pieceMs.get(key) ?? 0.5;
  for (let hops = 0; hops < 4 && !frame.stop && waiting === 0 && pg.live_quiet_ms() < need + 0.1; hops++) await hop();
  const t0 = performance.now();
  const out = work();
  const took = performance.now() - t0;
  // Quick to grow, slow to shrink: a piece that once took long is given room for a while.
  pieceMs.set(key, Math.max(took, need * 0.9));
  frame.ms += took;
  return out;
}

/** A live frame: the run's state now, its chart and (with `withTrace`, or at its end) its trace,
 * each piece in a gap between deadlines. The chart travels as JSON text, parsed by the page. */
async function liveFrame(m) {
  const frame = { stop: !!m.stop, ms: 0 };
  const timed = (key, work) => inGap(frame, key, work);
  pg.live_frame(...view(m.view), !!m.withTrace, !!m.stop);
  for (let i = 0; !(await timed(`step ${i}`, () => pg.live_frame_step())); i++);
  const answer = pg.live_frame_answer();
  // The chart is the answer's last member (tens of KB): only the rest is parsed here.
  const at = answer.indexOf(',"chart":');
  const res = JSON.parse(at < 0 ? answer : `${answer.slice(0, at)}}`);
  if (res.ok) {
    res.chartJson = answer.slice(at + 9, -1);
    if (m.withTrace || res.done) await traceOut(res, res.done || frame.stop, timed);
  }
  res.ms = frame.ms;
  return res;
}

/** The buffers an answer hands over to the page. */
function transferables(answer) {
  const i = answer.index;
  return [answer.bytes?.buffer, i?.lines.buffer, i?.causes.buffer, i?.eventT.buffer, i?.eventTask.buffer].filter(Boolean);
}

/** Where each line of `bytes` starts, and one more entry one past the last line's newline:
 * line i is `bytes.subarray(starts[i], starts[i + 1] - 1)`. */
function lineStarts(bytes) {
  const starts = [0];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) starts.push(i + 1);
  if (starts[starts.length - 1] !== bytes.length) starts.push(bytes.length + 1);
  return Uint32Array.from(starts);
}

/** The widest line of `text`, in columns (a leading tab counts as four). */
function widestLine(text) {
  let cols = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let at = start;
    while (text.charCodeAt(at) === 9) at++;
    cols = Math.max(cols, end - start + 3 * (at - start));
    start = end + 1;
  }
  return cols;
}

/** Requests are answered one at a time: a live frame waits between its pieces, and what comes
 * meanwhile (Stop, a new run) waits for it; `waiting` of them, which make the frame hurry. */
let queue = Promise.resolve();
let waiting = 0;

/** Answers one request of the element: `{id, op, …}` → `{id, …}`. */
export function handle(m) {
  waiting++;
  const answer = queue.then(() => {
    waiting--;
    return answerNow(m);
  });
  queue = answer.catch(() => {});
  return answer;
}

async function answerNow(m) {
  const { id } = m;
  try {
    switch (m.op) {
      case 'init':
        await init({ module_or_path: m.module });
        pg = new Playground();
        return { id, ok: true };
      case 'run': {
        const t0 = performance.now();
        const res = JSON.parse(pg.simulate(m.text));
        if (res.ok) {
          await traceOut(res);
          res.chart = JSON.parse(pg.chart(...view(m.view), true));
        }
        res.workMs = performance.now() - t0;
        return { id, ...res };
      }
      case 'chart':
        return { id, ok: true, chart: JSON.parse(pg.chart(...view(m.view), !!m.tops)) };
      case 'live':
        return { id, ...JSON.parse(pg.start_live(m.text, m.speed)) };
      case 'snapshot':
        return { id, ...(await liveFrame(m)) };
      case 'code': {
        if (!code) {
          await initCode({ module_or_path: m.module });
          code = codeGlue;
        }
        const t0 = performance.now();
        const res = JSON.parse(m.lang === 'rust' ? code.rust_program(m.text) : code.go_program(m.text));
        if (res.ok) {
          // A long program would cost the page's thread a copy of its text and a search for its
          // lines: it gets the program as UTF-8 bytes (transferred, not copied), where each line
          // starts, and the blob that Copy puts in the clipboard.
          const bytes = new TextEncoder().encode(res.program);
          Object.assign(res, { bytes, starts: lineStarts(bytes), cols: widestLine(res.program), blob: new Blob([bytes], { type: 'text/plain' }) });
          delete res.program;
        }
        res.ms = performance.now() - t0;
        return { id, ...res };
      }
      case 'trace':
        return { id, ok: true, json: traceJson() };
      case 'events': {
        // A few events of the trace (the log's first rows, the step announced): the worker
        // parses the trace once for them.
        if (events?.of !== given) events = { of: given, list: JSON.parse(traceJson()).events };
        return { id, ok: true, events: events.list.slice(m.from, m.to) };
      }
      case 'pending':
        return { id, ok: true, n: pg.live_pending_timers() };
      case 'export': {
        const data = m.kind === 'svg' ? pg.render(m.view.width, m.view.dark) : m.kind === 'chrome' ? pg.chrome_json() : pg.trace_json();
        return { id, ok: true, data };
      }
      default:
        return { id, ok: false, errors: [] };
    }
  } catch (e) {
    // A trapped wasm instance cannot be used again: the element starts a fresh worker.
    pg = null;
    code = null;
    const message = `internal error: ${e?.message ?? e}`;
    return { id, ok: false, trapped: true, errors: [{ line: 1, col: 1, endCol: 2, message, hint: '', text: message }] };
  }
}

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  self.onmessage = async (e) => {
    const answer = await handle(e.data);
    self.postMessage(answer, transferables(answer));
  };
}
