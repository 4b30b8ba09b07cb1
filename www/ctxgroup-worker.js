// The work of a <ctxgroup-playground>, off the page's main thread: parsing, simulating (within a
// work budget), laying out the chart, and live runs on real timers. Each element has its own
// worker, instantiated from the one compiled wasm module of the page; stopping a run that takes
// long is terminating the worker. Without workers, the element calls handle() on its own thread.
import init, { Playground } from './pkg/ctxgroup.js';

let pg = null;

const view = (v) => [v.width, v.dark, v.t0 ?? 0, v.t1 ?? 0, v.y0 ?? 0, v.y1 ?? 0];

/** The trace for the page: as JSON text, which the page parses only when it needs all of it,
 * and a head for what it shows at once (cloning tens of thousands of objects into the page
 * would stall it). */
function traceOut(res) {
  res.traceJson = pg.trace_json();
  res.head = JSON.parse(pg.trace_head());
}

/** Answers one request of the element: `{id, op, …}` → `{id, …}`. */
export async function handle(m) {
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
        res.simulateMs = performance.now() - t0;
        if (res.ok) {
          // The trace goes as JSON text: the page parses it faster than it would receive
          // tens of thousands of cloned objects.
          traceOut(res);
          res.chart = JSON.parse(pg.chart(...view(m.view), true));
        }
        return { id, ...res };
      }
      case 'chart':
        return { id, ok: true, chart: JSON.parse(pg.chart(...view(m.view), !!m.tops)) };
      case 'live':
        return { id, ...JSON.parse(pg.start_live(m.text, m.speed)) };
      case 'snapshot': {
        const t0 = performance.now();
        const res = JSON.parse(pg.live_view(...view(m.view), !!m.withTrace, !!m.stop));
        if (res.ok && (m.withTrace || res.done)) traceOut(res);
        res.ms = performance.now() - t0;
        return { id, ...res };
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
    const message = `internal error: ${e?.message ?? e}`;
    return { id, ok: false, trapped: true, errors: [{ line: 1, col: 1, endCol: 2, message, hint: '', text: message }] };
  }
}

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  self.onmessage = async (e) => self.postMessage(await handle(e.data));
}
