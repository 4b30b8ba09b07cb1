// <ctxgroup-playground>: an editor, a Run button and a Gantt chart of what a scenario does, on
// the ctxgroup library compiled to WebAssembly. The element's text is the scenario.
//
//   <script type="module" src="ctxgroup-playground.js"></script>
//   <ctxgroup-playground autorun>
//     timeout 6.5s
//     task t1 5s check=never
//     task t2 10s check=every:1s
//   </ctxgroup-playground>
//
// The work (parsing, simulating, laying out the chart, live runs) happens in a Web Worker per
// element (ctxgroup-worker.js, next to this file), instantiated from the page's one compiled wasm
// module: a heavy scenario never freezes the page, and Stop ends it at once.
//
// Attributes: mode (virtual|live), speed (0.1–10), readonly, autorun, theme (auto|light|dark),
// height (editor height, CSS length), full (page layout: editor beside the chart),
// views (the views offered, in order: any of "chart go rust", all three by default; with one the
// tab strip is hidden), view (the view shown first: chart, go or rust).
// Events (bubbling, composed): ctxgroup-run-start {mode}, ctxgroup-run-end {mode, ok, stopped,
// summary, returned, errors, trace}, ctxgroup-view-change {view}.

import { WindowedTextarea, countLines } from './ctxgroup-editor.js';

const WASM_URL = new URL('./pkg/ctxgroup_bg.wasm', import.meta.url);
const WORKER_URL = new URL('./ctxgroup-worker.js', import.meta.url);
let compiled = null;

/** The page's one compiled wasm module, fetched once whatever number of elements there are. */
export function wasmModule() {
  if (!compiled) {
    compiled = (WebAssembly.compileStreaming ? WebAssembly.compileStreaming(fetch(WASM_URL)) : Promise.reject(new Error('no streaming')))
      .catch(() => fetch(WASM_URL).then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b)));
  }
  return compiled;
}

let mainThread = null;

/** The wasm API on this thread (for pages that call it directly; the element does not). */
export function loadWasm() {
  if (!mainThread) {
    mainThread = Promise.all([import(new URL('./pkg/ctxgroup.js', import.meta.url).href), wasmModule()]).then(async ([mod, module]) => {
      await mod.default({ module_or_path: module });
      return mod;
    });
  }
  return mainThread;
}

/** One element's worker: requests in, answers out, in order; terminate() drops what is pending. */
class Engine {
  constructor() {
    this.worker = null;
    this.ready = null;
    this.pending = new Map();
    this.seq = 0;
  }

  _start() {
    const answer = (data) => {
      // A live frame's chart comes as JSON text: parsed here, not on the thread of the run's timers.
      if (data.chartJson) data.chart = JSON.parse(data.chartJson);
      delete data.chartJson;
      const p = this.pending.get(data.id);
      if (p) { this.pending.delete(data.id); p(data); }
    };
    try {
      // Written out in the call so that bundlers (Vite, webpack) bundle the worker with its wasm.
      this.worker = new Worker(new URL('./ctxgroup-worker.js', import.meta.url), { type: 'module' });
      this.worker.onmessage = (e) => answer(e.data);
      this.worker.onerror = (e) => {
        e.preventDefault?.();
        for (const [id, p] of this.pending) p({ id, ok: false, trapped: true, errors: [{ line: 1, col: 1, endCol: 2, message: `internal error: ${e.message || 'the worker failed'}`, hint: '', text: '' }] });
        this.pending.clear();
        this.terminate();
      };
      this.post = (m) => this.worker.postMessage(m);
    } catch {
      // No module workers here: the same code, on this thread.
      const local = import(/* @vite-ignore */ WORKER_URL.href);
      this.worker = { terminate() {} };
      this.post = (m) => local.then((w) => w.handle(m)).then(answer);
    }
    const me = this.worker;
    this.ready = wasmModule().then((module) => this._call('init', { module })).then((r) => {
      if (!r.ok && me === this.worker) throw new Error(r.errors?.[0]?.message || 'could not start');
    });
  }

  _call(op, args = {}) {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post({ id, op, ...args });
    });
  }

  /** Sends a request once the worker is up (starting one if needed). */
  async request(op, args) {
    if (!this.worker) this._start();
    const me = this.worker;
    await this.ready;
    if (me !== this.worker) return { ok: false, cancelled: true };
    return this._call(op, args);
  }

  get busy() { return this.pending.size > 0; }

  /** Stops the worker and what it was doing; pending requests answer `{cancelled: true}`. */
  terminate() {
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
    for (const [id, p] of this.pending) p({ id, ok: false, cancelled: true });
    this.pending.clear();
  }
}

// ---------- share links: the whole scenario in the URL hash ----------

function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('the link is damaged (unexpected characters)');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** Reads a stream into bytes, giving up (and cancelling it) past `max` bytes. */
async function readCapped(stream, max) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      reader.cancel().catch(() => {});
      throw new Error('the scenario in the link is too long');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** `z=` + deflate-raw + base64url when the browser compresses; `t=` + base64url otherwise. */
export async function encodeScenario(text) {
  const bytes = new TextEncoder().encode(text);
  if (typeof CompressionStream === 'function') {
    return 'z=' + toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')));
  }
  return 't=' + toBase64Url(bytes);
}

const MAX_SHARED_BYTES = 1_000_000;

/** Decodes a hash made by encodeScenario. The hash is untrusted: it only ever becomes editor
 * text, it is size-checked before decoding, and it is decompressed as a stream that stops past
 * the size limit (a small link cannot inflate to gigabytes). */
export async function decodeScenario(hash) {
  const h = hash.replace(/^#/, '');
  const [kind, data] = [h.slice(0, 2), h.slice(2)];
  if ((kind === 'z=' || kind === 't=') && data.length > Math.ceil(MAX_SHARED_BYTES * 4 / 3) + 4) throw new Error('the link is too long');
  let bytes;
  if (kind === 'z=') {
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot open compressed links');
    const compressed = fromBase64Url(data);
    try {
      bytes = await readCapped(new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate-raw')), MAX_SHARED_BYTES);
    } catch (e) {
      if (/too long/.test(e.message)) throw e;
      throw new Error('the link is damaged (it does not decompress)');
    }
  } else if (kind === 't=') {
    bytes = fromBase64Url(data);
  } else {
    return null;
  }
  if (bytes.length > MAX_SHARED_BYTES) throw new Error('the scenario in the link is too long');
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

// ---------- small helpers ----------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) e.append(c);
  return e;
}

/** Makes the children of `box` those of the markup `html`, keeping every node that is already
 * there: a live frame differs from the last in a few attributes of a few rows, and a node made
 * anew is styled, laid out and painted anew, on the thread the page shares with the run's worker.
 * Nodes match by position, tag and `data-path`. */
function morph(box, html) {
  const t = document.createElement('template');
  t.innerHTML = html;
  morphChildren(box, t.content);
}

function morphChildren(old, fresh) {
  let a = old.firstChild;
  for (let b = fresh.firstChild; b;) {
    const next = b.nextSibling;
    if (!a) {
      old.append(b);
    } else if (a.isEqualNode(b)) {
      a = a.nextSibling; // the same: kept as it is (the check is the browser's own, fast walk)
    } else if (a.nodeName !== b.nodeName || (b.nodeType === 1 && a.getAttribute('data-path') !== b.getAttribute('data-path'))) {
      old.replaceChild(b, a);
      a = b.nextSibling;
    } else {
      if (b.nodeType !== 1) {
        a.nodeValue = b.nodeValue;
      } else {
        for (const x of b.attributes) if (a.getAttributeNS(x.namespaceURI, x.localName) !== x.value) a.setAttributeNS(x.namespaceURI, x.name, x.value);
        for (const x of [...a.attributes]) if (!b.hasAttributeNS(x.namespaceURI, x.localName)) a.removeAttributeNode(x);
        morphChildren(a, b);
      }
      a = a.nextSibling;
    }
    b = next;
  }
  while (a) { const n = a.nextSibling; a.remove(); a = n; }
}

/** The least of 1, 1.5, 2, 3, 5 and 7.5 times a power of ten that is at least `x` (> 0): an
 * axis that ends there is at least two thirds full. */
function roundUp(x) {
  const k = Math.floor(Math.log10(x));
  // Divided below 1, so that 0.3 is 0.3 and not 0.30000000000000004.
  return [1, 1.5, 2, 3, 5, 7.5, 10].map((m) => (k < 0 ? m / 10 ** -k : m * 10 ** k)).find((v) => v >= x * (1 - 1e-12));
}

function dedent(text) {
  const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^\s*/)[0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') + '\n';
}

/** As the chart writes durations: Go's units, without Go's zero tails (2m, 1m30.5s). */
function human(t) {
  const ms = Math.round(t * 1000), a = Math.abs(ms);
  if (ms && a < 1000) return `${ms}ms`;
  const h = Math.floor(a / 3.6e6), m = Math.floor(a / 6e4) % 60, s = a % 6e4;
  return (ms < 0 ? '-' : '') + (h ? `${h}h` : '') + (m || (h && s) ? `${m}m` : '') + (s || !a ? `${s / 1000}s` : '');
}

function download(name, data, type) {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function hostPrefersDark() {
  const root = document.documentElement;
  const body = document.body;
  if (root.classList.contains('dark') || root.dataset.theme === 'dark' || body?.dataset.theme === 'dark') return true;
  if (root.classList.contains('light') || root.dataset.theme === 'light' || body?.dataset.theme === 'light') return false;
  // mdBook themes
  if (root.classList.contains('rust')) return false;
  if (['coal', 'navy', 'ayu'].some((t) => root.classList.contains(t))) return true;
  return matchMedia('(prefers-color-scheme: dark)').matches;
}

const STYLE = `
:host { display: block; --cg-font: ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif;
  --cg-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  --cg-bg:#ffffff; --cg-fg:#1f2328; --cg-muted:#656d76; --cg-grid:#d8dee4; --cg-stripe:#f6f8fa; --cg-panel:#f6f8fa;
  --cg-border:#d0d7de; --cg-accent:#0969da; --cg-accent-fg:#ffffff; --cg-error-bg:#ffebe9; --cg-failed:#cf222e;
  --cg-completed:#1a7f37; --cg-cancelled:#bc4c00; --cg-running:#0969da; --cg-queued:#afb8c1; --cg-deadline:#8250df; --cg-cancel:#bf3989; --cg-return:#1f2328;
  color: var(--cg-fg); font: 14px/1.45 var(--cg-font); }
:host([data-dark]) { --cg-bg:#0d1117; --cg-fg:#e6edf3; --cg-muted:#8d96a0; --cg-grid:#30363d; --cg-stripe:#161b22; --cg-panel:#161b22;
  --cg-border:#30363d; --cg-accent:#4493f8; --cg-accent-fg:#0d1117; --cg-error-bg:#3d1418; --cg-failed:#f85149;
  --cg-completed:#3fb950; --cg-cancelled:#db6d28; --cg-running:#4493f8; --cg-queued:#6e7681; --cg-deadline:#a371f7; --cg-cancel:#db61a2; --cg-return:#e6edf3; }
* { box-sizing: border-box; }
.cg { background: var(--cg-bg); border: 1px solid var(--cg-border); border-radius: 10px; overflow: hidden; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; padding: 8px 10px; background: var(--cg-panel); border-bottom: 1px solid var(--cg-border); }
button, select, summary.btn { font: inherit; font-size: 13px; color: var(--cg-fg); background: var(--cg-bg); border: 1px solid var(--cg-border); border-radius: 6px; padding: 4px 10px; cursor: pointer; min-height: 30px; }
button:hover, select:hover, summary.btn:hover { border-color: var(--cg-muted); }
button:focus-visible, select:focus-visible, textarea:focus-visible, input:focus-visible, summary:focus-visible { outline: 2px solid var(--cg-accent); outline-offset: 1px; }
button.primary { background: var(--cg-accent); color: var(--cg-accent-fg); border-color: var(--cg-accent); font-weight: 600; }
button[disabled] { opacity: .5; cursor: default; }
.seg { display: inline-flex; border: 1px solid var(--cg-border); border-radius: 6px; overflow: hidden; }
.seg button { border: 0; border-radius: 0; min-height: 28px; }
.seg button[aria-pressed="true"] { background: var(--cg-accent); color: var(--cg-accent-fg); }
/* Inside the buttons: the group's rounded clip cut a ring drawn around them. */
.seg button:focus-visible { outline-offset: -4px; }
.seg button[aria-pressed="true"]:focus-visible { outline-color: var(--cg-accent-fg); }
@media (forced-colors: active) { .seg button[aria-pressed="true"] { forced-color-adjust: none; background: Highlight; color: HighlightText; } }
.speed { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; color: var(--cg-muted); }
.speed[hidden] { display: none; }
.spacer { flex: 1; }
.kbd { font-size: 12px; color: var(--cg-muted); }
details.menu { position: relative; }
details.menu > summary { list-style: none; }
details.menu > summary::-webkit-details-marker { display: none; }
details.menu .items { position: absolute; right: 0; top: calc(100% + 4px); z-index: 5; display: flex; flex-direction: column; gap: 2px; padding: 6px; min-width: 240px;
  background: var(--cg-bg); border: 1px solid var(--cg-border); border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,.18); }
details.menu .items button { text-align: left; border: 0; }
details.menu .items p { margin: 4px 6px 2px; font-size: 12px; color: var(--cg-muted); }
details.menu .items p.why { color: var(--cg-fg); background: var(--cg-error-bg); border-radius: 4px; padding: 6px 8px; margin: 0 0 4px; max-width: 240px; }
.main { display: flex; flex-wrap: wrap; }
.left { flex: 1 1 100%; min-width: 0; display: flex; flex-direction: column; }
.right { flex: 1 1 100%; min-width: 0; }
:host([full]) .left { flex: 1 1 360px; max-width: 100%; border-right: 1px solid var(--cg-border); }
:host([full]) .right { flex: 3 1 560px; }
.editor { position: relative; display: flex; font: 13px/20px var(--cg-mono); border-bottom: 1px solid var(--cg-border); height: var(--cg-editor-height, auto); min-height: 78px; }
:host([full]) .editor { flex: 1; min-height: 160px; }
/* The focus ring over the editor's text (its own outline was painted under it). */
.editor:focus-within::after { content: ""; position: absolute; inset: 0; outline: 2px solid var(--cg-accent); outline-offset: -2px; pointer-events: none; z-index: 3; }
.code { position: relative; flex: 1; min-width: 0; contain: strict; } /* typing lays out the editor alone */
/* Lines wrap; the overlay under the textarea wraps them the same way and carries the line numbers
   (so a wrapped line keeps one number), the error marks and the ✓/✗ of expect lines. */
.code textarea, .code pre { margin: 0; padding: 8px 8px 8px 4.2em; font: inherit; white-space: pre-wrap; overflow-wrap: anywhere;
  overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable; tab-size: 2; border: 0; width: 100%; height: 100%; }
.code textarea { position: absolute; inset: 0; resize: none; background: transparent; color: var(--cg-fg); caret-color: var(--cg-fg); outline: none; }
.code pre { overflow-y: hidden; color: transparent; pointer-events: none; min-height: 100%;
  background: linear-gradient(to right, var(--cg-panel) 3.4em, var(--cg-border) 3.4em, var(--cg-border) calc(3.4em + 1px), var(--cg-bg) calc(3.4em + 1px)); }
.code pre .l { position: relative; min-height: 20px; }
/* A long text (thousands of lines) does not wrap and scrolls in its box: the textarea holds the
   lines around those in view, at their place, and the overlay draws only the lines in view. */
.code.long { overflow-y: auto; scrollbar-gutter: stable; overflow-anchor: none; }
.code.long textarea, .code.long pre { white-space: pre; overflow-wrap: normal; overflow: hidden; scrollbar-gutter: auto; }
.code.long textarea { bottom: auto; }
.code.long pre { height: auto; }
.code.long pre .l { position: absolute; left: 4.2em; right: 0; height: 20px; }
/* A line wider than the box: the textarea scrolls sideways to its caret. It starts at the gutter's
   edge, so its text never runs over the line numbers, and the overlay's rows follow it (--cg-sx,
   its scrollLeft) while their numbers stay, on an opaque gutter that hides what slid under it. */
.code.long textarea { left: calc(3.4em + 1px); width: auto; padding-left: calc(.8em - 1px); }
.code.long pre .l { right: calc(-1 * var(--cg-sx, 0px)); transform: translateX(calc(-1 * var(--cg-sx, 0px))); }
.code.long pre .l::before { transform: translateX(var(--cg-sx, 0px)); box-sizing: border-box; width: calc(3.4em + 1px);
  border-right: 1px solid var(--cg-border); background: var(--cg-panel); }
.code pre .l::before { content: attr(data-n); position: absolute; left: -4.2em; width: 3.4em; padding-right: 8px; text-align: right; color: var(--cg-muted); user-select: none; }
.code pre .l.bad::before { background: var(--cg-failed); color: #fff; font-weight: 700; }
.code pre .l.expect-ok::before { content: "✓ " attr(data-n); color: var(--cg-completed); }
.code pre .l.expect-bad::before { content: "✗ " attr(data-n); background: var(--cg-error-bg); color: var(--cg-failed); font-weight: 700; }
.code pre .l.sel { background: color-mix(in srgb, var(--cg-accent) 14%, transparent); }
.code pre mark { background: var(--cg-error-bg); color: transparent; text-decoration: underline wavy var(--cg-failed); text-decoration-skip-ink: none; border-radius: 2px; }
.errors { margin: 0; padding: 0; list-style: none; font-size: 13px; }
.errors li { background: var(--cg-error-bg); border-bottom: 1px solid var(--cg-border); }
.errors button { display: block; width: 100%; padding: 6px 10px; border: 0; border-radius: 0; background: none; text-align: left; min-height: 0; }
.errors li b { color: var(--cg-failed); }
.errors li .hint { color: var(--cg-muted); }
.summary { padding: 8px 12px; font-weight: 600; border-bottom: 1px solid var(--cg-border); min-height: 38px; overflow-wrap: anywhere; }
.summary.stale { opacity: .55; }
.chart { position: relative; background: var(--cg-bg); }
.chart.stale { opacity: .55; }
.chart svg { display: block; }
/* The axis stays in view; only the rows on screen are drawn (the spacer keeps the scroll height). */
.cscroll { position: relative; overflow-x: hidden; overflow-y: auto; max-height: var(--cg-chart-height, min(70vh, 720px)); outline: none; touch-action: pan-y; overscroll-behavior: contain; }
/* The chart's focus ring, over it all: the rows' backgrounds hid a ring inset in the rows' box. */
.chart:has(> .cscroll:focus-visible)::after { content: ""; position: absolute; inset: 0; outline: 2px solid var(--cg-accent); outline-offset: -2px; pointer-events: none; z-index: 3; }
/* The chosen task's whole story, which a narrow row cuts short. */
.detail { margin: 0; padding: 6px 12px; border-top: 1px solid var(--cg-border); font-size: 13px; overflow-wrap: anywhere; }
.detail[hidden] { display: none; }
.cspacer { position: relative; }
.cbody { position: absolute; left: 0; right: 0; }
.chart g.cg-row { cursor: pointer; }
.zoombar { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; padding: 4px 12px; border-top: 1px solid var(--cg-border); font-size: 12px; color: var(--cg-muted); }
.zoombar button { min-height: 24px; padding: 0 8px; font-size: 12px; }
.zoombar .hint { flex: 1; text-align: right; }
.scrubline { position: absolute; top: 0; width: 2px; background: var(--cg-accent); opacity: .85; pointer-events: none; }
.summary.busy { opacity: 1; }
.summary.busy::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 8px; border: 2px solid var(--cg-accent); border-right-color: transparent; border-radius: 50%; animation: cg-spin .8s linear infinite; vertical-align: -1px; }
@keyframes cg-spin { to { transform: rotate(360deg); } }
.scrub[hidden] { display: none; }
.scrub { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 12px; border-top: 1px solid var(--cg-border); font-size: 13px; }
.scrub input { flex: 1 1 200px; }
.scrub .out { font: 13px var(--cg-mono); min-width: 5.5em; }
.states { flex: 1 1 100%; color: var(--cg-muted); font-size: 12px; }
.states { min-width: 0; }
.states span { display: inline-block; margin-right: 10px; white-space: nowrap; max-width: 100%; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
.states i { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; font-style: normal; }
details.log { border-top: 1px solid var(--cg-border); font-size: 12px; }
details.log > summary { padding: 8px 12px; cursor: pointer; color: var(--cg-muted); }
details.log tr.gap td { text-align: center; color: var(--cg-muted); }
.logwrap { max-height: 260px; overflow: auto; }
table { border-collapse: collapse; width: 100%; font: 12px/1.4 var(--cg-mono); }
td, th { text-align: left; padding: 2px 10px; border-top: 1px solid var(--cg-grid); vertical-align: top; }
th { position: sticky; top: 0; background: var(--cg-panel); }
.expects { margin: 0; padding: 0; list-style: none; font-size: 13px; }
.expects li { padding: 4px 12px; border-bottom: 1px solid var(--cg-border); }
.expects li.ok::before { content: "✓ "; color: var(--cg-completed); font-weight: 700; }
.expects li.bad { background: var(--cg-error-bg); }
.expects li.bad::before { content: "✗ "; color: var(--cg-failed); font-weight: 700; }
.notice { padding: 6px 12px; font-size: 13px; color: var(--cg-muted); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (max-width: 640px) { .kbd, .zoombar .hint { display: none; } .toolbar { gap: 6px; } }
@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
`;
const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];

/** One error of a list: a button, named by the error, that goes to it. */
function errorItem(e, go) {
  const button = el('button', { title: 'Go to the error' },
    el('b', {}, `line ${e.line}, col ${e.col}: `), e.message, e.hint ? el('span', { class: 'hint' }, ` — ${e.hint}`) : '');
  button.addEventListener('click', go);
  // Enter's default action would otherwise land in the editor, focused by go().
  button.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
  return el('li', {}, button);
}
/** What the page knows of a trace without parsing all of it: each row's line, path and the row
 * whose error cancelled it, each event's time and row. Lookups are built on first use. */
class TraceIndex {
  constructor({ lines, paths, causes, eventT, eventTask }) {
    Object.assign(this, { lines, causes, eventT, eventTask });
    this._pathsJson = paths;
  }

  get count() { return this.lines.length; }

  get paths() {
    if (!this._paths) { this._paths = JSON.parse(this._pathsJson); this._pathsJson = null; }
    return this._paths;
  }

  /** The first row written on scenario line `line`, or -1. */
  rowOfLine(line) {
    if (!this._byLine) {
      this._byLine = new Map();
      for (let i = this.lines.length - 1; i >= 0; i--) this._byLine.set(this.lines[i], i);
    }
    return this._byLine.get(line) ?? -1;
  }

  /** The row of `path`, or -1. */
  rowOfPath(path) {
    if (!this._byPath) this._byPath = new Map(this.paths.map((p, i) => [p, i]));
    return this._byPath.get(path) ?? -1;
  }

  /** The rows that row `r`'s error cancelled. */
  effectsOf(r) {
    if (!this._effects) {
      this._effects = new Map();
      this.causes.forEach((c, i) => { if (c >= 0) (this._effects.get(c) || this._effects.set(c, []).get(c)).push(i); });
    }
    return this._effects.get(r) || [];
  }
}

/** A virtual run taking longer than this shows "running…" and can be stopped. */
const BUSY_MS = 150;

/** HTMLElement in a browser; a stand-in where there is none (a server build imports this module). */
const ElementBase = typeof HTMLElement === 'undefined' ? class {} : HTMLElement;

export class CtxgroupPlayground extends ElementBase {
  static get observedAttributes() { return ['theme', 'mode', 'readonly', 'height', 'speed', 'views', 'view']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._engine = new Engine();
    this._trace = null;
    this._timer = null;
    this._frame = null;
    this._running = false;
    this._runId = 0;
    this._inflight = null;
    this._view = null; // the zoom window [t0, t1] in s; null: the whole run
    this._chartData = null;
    this._chartSeq = 0;
    this._selected = null;
    this._hlPath = null;
    this._views = new Views(this);
  }

  get value() { return this._input ? this._input.value : dedent(scenarioSource(this)); }
  set value(text) {
    if (!this._input) { setScenarioSource(this, text); return; }
    this._input.value = text;
    this._expectMarks = null;
    this._renderLines();
    this._scheduleRun();
  }

  /** Replaces the scenario's text as an edit the user can undo (Ctrl+Z in the editor). */
  /** Focuses the editor. */
  focus(options) {
    if (this._textarea) this._textarea.focus(options);
    else super.focus?.(options);
  }

  replaceText(text) {
    const t = this._textarea;
    if (!t) { this.value = text; return; }
    const had = this.shadowRoot.activeElement === t ? null : document.activeElement;
    t.focus({ preventScroll: true });
    this._input.replaceAll(text);
    this._input.setSelectionRange(0, 0);
    this._input.scrollTop = 0;
    had?.focus?.({ preventScroll: true });
    this._expectMarks = null;
    this._renderLines();
    this._scheduleRun();
  }

  /** The view shown: `chart`, `go` or `rust` (setting it sets the `view` attribute). */
  get view() {
    if (this._built) return this._views.current;
    const offered = offeredViews(this.getAttribute('views'));
    return offered.includes(this.getAttribute('view')) ? this.getAttribute('view') : offered[0];
  }
  set view(v) { this.setAttribute('view', v); }

  get mode() { return this.getAttribute('mode') === 'live' ? 'live' : 'virtual'; }
  set mode(m) { this.setAttribute('mode', m === 'live' ? 'live' : 'virtual'); }
  /** The last trace, parsed. */
  get trace() { return this._trace; }

  /** The whole last trace, parsed from its JSON on first use (null while a long trace's JSON
   * is still on its way: it has come by the run-end event). */
  get _trace() {
    const src = this._traceSrc;
    if (src && src.parsed === undefined && src.json != null) { src.parsed = JSON.parse(src.json); src.json = null; }
    return src?.parsed ?? null;
  }

  set _trace(t) { this._traceSrc = t ? { parsed: t } : null; }

  /** Takes a run's trace: its head and index now, the rest when needed. */
  _takeTrace(res) {
    if (!res.head) return;
    this._head = res.head;
    this._index = new TraceIndex(res.index);
    this._traceSrc = { json: res.traceJson ?? null, parsed: undefined };
  }

  /** Calls `then` once the shown trace's JSON is here (asking the worker for a long one), unless
   * another run has started by then. */
  _withTraceJson(then) {
    const src = this._traceSrc;
    if (!src || src.json != null || src.parsed !== undefined) { then(); return; }
    const id = this._runId;
    this._engine.request('trace').then((r) => {
      if (id !== this._runId || src !== this._traceSrc) return;
      if (r.ok) src.json = r.json;
      then();
    });
  }
  /** Whether a run is going (a live run, or a virtual run still working). */
  get running() { return this._running || !!this._inflight; }

  /** How many timers the live run has pending in its worker (0 once stopped). */
  async pendingTimers() {
    if (!this._engine.worker) return 0;
    return (await this._engine.request('pending')).n ?? 0;
  }

  connectedCallback() {
    if (!this._built) this._build();
    this._themeObserver = new MutationObserver(() => this._applyTheme());
    this._themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
    if (document.body) this._themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-theme'] });
    this._media = matchMedia('(prefers-color-scheme: dark)');
    this._onMedia = () => this._applyTheme();
    this._media.addEventListener('change', this._onMedia);
    this._resize = new ResizeObserver(() => {
      // A hidden chart (another view on screen) is drawn again when it is shown.
      if (this._head && this._chart.clientWidth && Math.abs(this._chartWidth() - (this._chartData?.width ?? 0)) > 8) this._refetch(true);
      this._applyHeight();
    });
    this._resize.observe(this._chart);
    this._applyTheme(false);
    this._notice.textContent = 'Loading…';
    this._engine.request('pending').then(() => {
      this._notice.textContent = '';
    }).catch((e) => { this._notice.textContent = `Could not load the WebAssembly module: ${e.message}`; });
    if (this.hasAttribute('autorun') || this._runWhenReady) this.run();
  }

  disconnectedCallback() {
    this.stop();
    clearTimeout(this._timer);
    this._themeObserver?.disconnect();
    this._media?.removeEventListener('change', this._onMedia);
    this._resize?.disconnect();
    this._engine.terminate(); // its wasm instance and timers go with it
  }

  attributeChangedCallback(name) {
    if (!this._built) return;
    if (name === 'theme') this._applyTheme();
    if (name === 'mode') this._syncMode();
    if (name === 'readonly') this._textarea.readOnly = this.hasAttribute('readonly');
    if (name === 'height') this._applyHeight();
    if (name === 'speed') { this._syncSpeed(); if (this._running) this.run(); }
    if (name === 'views' || name === 'view') this._views.configure();
  }

  _build() {
    this._built = true;
    const initial = dedent(scenarioSource(this));
    const s = this.shadowRoot;
    s.append(el('style', {}, STYLE + VIEWS_STYLE));
    this._runBtn = el('button', { class: 'primary', title: 'Run (Ctrl+Enter)', onclick: () => this.run() }, '▶ Run');
    this._stopBtn = el('button', { title: 'Stop the run (Esc)', disabled: true, onclick: () => this.stop() }, '■ Stop');
    this._virtualBtn = el('button', { 'aria-pressed': 'true', title: 'Virtual time: instant and deterministic', onclick: () => { this.mode = 'virtual'; } }, 'Virtual');
    this._liveBtn = el('button', { 'aria-pressed': 'false', title: 'Live: real browser timers, animated', onclick: () => { this.mode = 'live'; } }, 'Live');
    this._speedInput = el('input', { type: 'range', min: 0, max: SPEEDS.length - 1, step: 1, value: SPEEDS.indexOf(1), 'aria-label': 'Live speed' });
    this._speedOut = el('span', { class: 'out', 'aria-hidden': 'true' }, '1×');
    this._speedInput.addEventListener('input', () => this._syncSpeedText());
    // A live run's clock keeps the speed it started with: a new speed starts the run again.
    this._speedInput.addEventListener('change', () => { if (this._running) this.run(); });
    this._speed = el('label', { class: 'speed', hidden: true }, 'speed', this._speedInput, this._speedOut);
    this._exportWhy = el('p', { class: 'why', role: 'status', hidden: true });
    const exportItems = el('div', { class: 'items' }, this._exportWhy,
      el('button', { onclick: () => this._export('svg') }, 'Chart as SVG'),
      el('button', { onclick: () => this._export('png') }, 'Chart as PNG'),
      el('button', { onclick: () => this._export('chrome') }, 'Chrome trace JSON (Perfetto)'),
      el('p', {}, 'Open it at ui.perfetto.dev → “Open trace file”, or in chrome://tracing.'),
      el('button', { onclick: () => this._export('trace') }, 'Trace JSON'));
    this._exportMenu = el('details', { class: 'menu' }, el('summary', { class: 'btn' }, 'Export ▾'), exportItems);
    this._exportMenu.addEventListener('toggle', () => { if (!this._exportMenu.open) this._exportWhy.hidden = true; });
    // Escape, or leaving it with Tab, closes it.
    this._exportMenu.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || !this._exportMenu.open) return;
      e.stopPropagation();
      this._exportMenu.open = false;
      this._exportMenu.querySelector('summary').focus();
    });
    this._exportMenu.addEventListener('focusout', (e) => {
      if (e.relatedTarget && !this._exportMenu.contains(e.relatedTarget)) this._exportMenu.open = false;
    });
    const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Playground controls' },
      this._runBtn, this._stopBtn,
      el('span', { class: 'seg', role: 'group', 'aria-label': 'Mode' }, this._virtualBtn, this._liveBtn),
      this._speed, el('span', { class: 'kbd' }, 'Ctrl/⌘+Enter runs'), el('span', { class: 'spacer' }), this._exportMenu);
    this._overlay = el('pre', { 'aria-hidden': 'true' });
    this._textarea = el('textarea', { spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', 'aria-label': 'Scenario' });
    this._textarea.readOnly = this.hasAttribute('readonly');
    this._code = el('div', { class: 'code' }, this._overlay, this._textarea);
    this._input = new WindowedTextarea(this._textarea, this._code);
    this._input.value = initial;
    this._textarea.addEventListener('input', () => {
      // The old run's marks belong to the old text. The overlay follows on the next frame, so
      // that typing never forces an extra layout.
      this._expectMarks = null;
      this._queueLines();
      this._scheduleRun();
    });
    this._textarea.addEventListener('scroll', () => {
      this._overlay.scrollTop = this._textarea.scrollTop;
      this._overlay.scrollLeft = this._textarea.scrollLeft;
      this._overlay.style.setProperty('--cg-sx', `${this._textarea.scrollLeft}px`);
    });
    // A long text scrolls in its box, and the overlay draws the lines in view.
    this._code.addEventListener('scroll', () => {
      if (!this._linesFrame) this._linesFrame = requestAnimationFrame(() => { this._linesFrame = null; this._renderLines(); });
    }, { passive: true });
    // The caret's line selects its task in the chart.
    for (const type of ['click', 'keyup']) this._textarea.addEventListener(type, () => this._caretMoved());
    this.shadowRoot.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); this.run(); }
      if (e.key === 'Escape' && this.running) this.stop();
    });
    this._editor = el('div', { class: 'editor' }, this._code);
    this._errors = el('ul', { class: 'errors', 'aria-label': 'Errors', 'aria-live': 'polite' });
    this._notice = el('div', { class: 'notice' }, 'Loading…');
    this._summary = el('div', { class: 'summary', 'aria-live': 'polite' });
    this._expects = el('ul', { class: 'expects', 'aria-label': 'Expectations' });
    // The chart: the axis (always in view), the rows (only those on screen are drawn), the foot.
    this._axis = el('div', { class: 'chead' });
    this._bodyBox = el('div', { class: 'cbody' });
    this._spacer = el('div', { class: 'cspacer' }, this._bodyBox);
    this._scroll = el('div', { class: 'cscroll', tabindex: 0, role: 'region', 'aria-label': 'Chart rows: ← → step through events, ↑ ↓ choose a task, + − zoom, Space plays' }, this._spacer);
    this._foot = el('div', { class: 'cfoot' });
    this._detail = el('p', { class: 'detail', 'aria-live': 'polite', hidden: true });
    this._scrubline = el('div', { class: 'scrubline', hidden: true });
    this._chart = el('div', { class: 'chart' }, this._axis, this._scroll, this._foot, this._scrubline);
    this._zoomOut = el('button', { title: 'Zoom out (−)', 'aria-label': 'Zoom out', onclick: () => this._zoom(2) }, '−');
    this._zoomIn = el('button', { title: 'Zoom in (+)', 'aria-label': 'Zoom in', onclick: () => this._zoom(0.5) }, '+');
    this._zoomReset = el('button', { title: 'Show the whole run (0)', onclick: () => this._setView(null) }, 'Whole run');
    this._zoomLabel = el('span', {}, '');
    this._zoombar = el('div', { class: 'zoombar' }, 'zoom', this._zoomOut, this._zoomIn, this._zoomReset, this._zoomLabel,
      el('span', { class: 'hint' }, 'Ctrl+wheel or pinch zooms · Shift+wheel pans · click a task for its line'));
    this._announce = el('div', { class: 'sr', 'aria-live': 'polite' });
    this._scrubInput = el('input', { type: 'range', min: 0, max: 1000, value: 1000, 'aria-label': 'Time' });
    this._scrubOut = el('span', { class: 'out', 'aria-hidden': 'true' }, '');
    this._playBtn = el('button', { title: 'Play virtual time (Space in the chart)', 'aria-label': 'Play', onclick: () => this._play() }, '▶');
    this._states = el('div', { class: 'states', 'aria-live': 'off' });
    this._scrubInput.addEventListener('input', () => {
      this._pause();
      this._eventAt = null;
      // During a live run, a time picked before its end is kept as the run goes on.
      const v = Number(this._scrubInput.value);
      this._scrubT = this._running && v < 1000 ? (v / 1000) * this._scrubEnd() : null;
      this._scrub();
    });
    // Its arrows step from event to event, as the chart's do (a step of its own was 0.1% of
    // the run).
    this._scrubInput.addEventListener('keydown', (e) => {
      if ((e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') || e.shiftKey || !this._head) return;
      e.preventDefault();
      this._stepEvent(e.key === 'ArrowRight');
    });
    this._scrub_ = el('div', { class: 'scrub' }, el('span', {}, 'time'), this._playBtn, this._scrubInput, this._scrubOut, this._states);
    this._logBody = el('tbody');
    this._logCount = el('span', {}, '');
    this._log = el('details', { class: 'log' }, el('summary', {}, 'Event log ', this._logCount),
      el('div', { class: 'logwrap' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 't'), el('th', {}, 'task'), el('th', {}, 'event'), el('th', {}, 'detail'))), this._logBody)));
    this._log.addEventListener('toggle', () => this._renderLog());
    const left = el('div', { class: 'left' }, this._editor, this._errors);
    const chartPanel = el('div', {}, this._summary, this._chart, this._detail, this._zoombar, this._expects, this._scrub_, this._log);
    const right = el('div', { class: 'right' }, ...this._views.build(chartPanel), this._notice, this._announce);
    this._left = left;
    this._right = right;
    s.append(el('div', { class: 'cg', part: 'container' }, toolbar, el('div', { class: 'main' }, left, right)));
    this._summary.textContent = 'Press Run (Ctrl/⌘+Enter) to see what happens.';
    this._summary.classList.add('stale');
    this._scrub_.hidden = true;
    this._zoombar.hidden = true;
    this._wireChart();
    this._applyHeight();
    this._syncMode();
    this._syncSpeed();
    this._renderLines();
    this._views.configure();
  }

  _applyHeight() {
    const h = this.getAttribute('height');
    if (h) this.style.setProperty('--cg-editor-height', /^\d+$/.test(h) ? `${h}px` : h);
    else this.style.removeProperty('--cg-editor-height');
    // Sized to its text (wrapped lines count) when it is not beside the chart.
    if (!h && (!this.hasAttribute('full') || this._stacked())) {
      const lines = Math.round(Math.max(0, this._overlay.scrollHeight - 16) / 20) || countLines(this._input.value);
      const height = `${Math.min(Math.max(lines, 3), this.hasAttribute('full') ? 9 : 18) * 20 + 18}px`;
      if (this._editor.style.height !== height) this._editor.style.height = height;
    } else if (this._editor.style.height) {
      this._editor.style.height = '';
    }
  }

  _syncMode() {
    const live = this.mode === 'live';
    this._virtualBtn.setAttribute('aria-pressed', String(!live));
    this._liveBtn.setAttribute('aria-pressed', String(live));
    this._speed.hidden = !live;
    if (!live && (this._running || this._shownMode === 'live' || this._edited)) {
      // What is shown is a live run's, or of a text since edited: show the virtual run instead.
      this.run();
    }
  }

  _syncSpeed() {
    const s = parseFloat(this.getAttribute('speed'));
    if (Number.isFinite(s)) {
      let best = 0;
      SPEEDS.forEach((v, i) => { if (Math.abs(Math.log(v / s)) < Math.abs(Math.log(SPEEDS[best] / s))) best = i; });
      this._speedInput.value = best;
    }
    this._syncSpeedText();
  }

  _syncSpeedText() {
    const text = `${SPEEDS[this._speedInput.value]}×`;
    this._speedOut.textContent = text;
    this._speedInput.setAttribute('aria-valuetext', text);
  }

  _dark() {
    const theme = this.getAttribute('theme') || 'auto';
    if (theme === 'dark') return true;
    if (theme === 'light') return false;
    return hostPrefersDark();
  }

  _applyTheme(redraw = true) {
    const dark = this._dark();
    const changed = this.hasAttribute('data-dark') !== dark;
    this.toggleAttribute('data-dark', dark);
    if (redraw && changed && this._head) this._refetch(true);
  }

  /** Whether the editor is above the chart rather than beside it. */
  _stacked() { return !!this._right && this._right.offsetTop > this._left.offsetTop + 8; }

  _chartWidth() { return Math.max(240, Math.floor(this._chart.clientWidth || this.clientWidth || 800)); }

  /** What the worker draws: the width, the zoom window and the band of rows on screen, with
   * `margin` screens more on each side (none for a run's first frame and a live run's frames:
   * what is drawn first is what is seen). */
  _viewArgs(margin = 1) {
    const top = this._scroll.scrollTop;
    const h = this._scroll.clientHeight || 600;
    const [t0, t1] = this._view || [0, 0];
    return { width: this._chartWidth(), dark: this._dark(), t0, t1, y0: Math.max(0, top - margin * h), y1: top + (1 + margin) * h };
  }

  _scheduleRun() {
    clearTimeout(this._timer);
    if (this.mode === 'virtual' && !this.hasAttribute('readonly')) this._timer = setTimeout(() => this.run(), 300);
    // Live runs take real time and start when asked: until then, what is shown is of the text
    // before the edit, and is dimmed (its bars still point at that text's lines).
    if (this.mode === 'live' && this._head) {
      this._edited = true;
      this._dim(true);
    }
  }

  /** Runs the scenario in the current mode (stopping a run still going). */
  run() {
    clearTimeout(this._timer);
    if (!this._built) { this._runWhenReady = true; return; }
    const text = this._input.value;
    const mode = this.mode;
    this._edited = false;
    this._endLive();
    // Its result would be stale: drop its work, and its "Running…" timer.
    if (this._inflight) { this._engine.terminate(); this._inflight = null; this._setBusy(false); }
    const id = ++this._runId;
    if (this._told && this._notice.textContent === this._told) this._notice.textContent = '';
    this.dispatchEvent(new CustomEvent('ctxgroup-run-start', { bubbles: true, composed: true, detail: { mode } }));
    this._views.scenarioRun(text);
    if (mode === 'live') { this._startLive(text, id); return; }
    this._inflight = { id, started: performance.now() };
    this._busyTimer = setTimeout(() => this._setBusy(true), BUSY_MS);
    this._engine.request('run', { text, view: this._viewArgs(0) }).then((res) => {
      if (id !== this._runId) return;
      this._inflight = null;
      this._setBusy(false);
      if (res.cancelled) return;
      if (res.trapped) this._engine.terminate();
      this._show(res, 'virtual', true);
      // The rows a screen above and below, for scrolling, once the first frame is out.
      if (res.ok && res.chart && !(res.chart.drawnTop <= 0.5 && res.chart.drawnBottom >= res.chart.bodyHeight - 0.5)) {
        requestAnimationFrame(() => setTimeout(() => { if (id === this._runId && !this._running) this._refetch(); }, 0));
      }
    });
  }

  _setBusy(on) {
    clearTimeout(this._busyTimer);
    if (on || this._running) this._stopBtn.disabled = false;
    else this._disableStop();
    if (on === this._summary.classList.contains('busy')) return;
    this._summary.classList.toggle('busy', on);
    if (on) {
      this._beforeBusy = [this._summary.textContent, this._summary.classList.contains('stale')];
      this._summary.classList.remove('stale');
      this._summary.textContent = 'Running… (Stop or Esc ends it)';
    } else if (this._beforeBusy) {
      // What the last finished run said, until this run's result replaces it.
      [this._summary.textContent] = this._beforeBusy;
      this._summary.classList.toggle('stale', this._beforeBusy[1]);
    }
  }

  /** Stops the run: a live run keeps its last snapshot ("stopped at …"); a virtual run that
   * takes long is abandoned (its worker is ended at once). */
  stop() {
    if (this._inflight) {
      const took = performance.now() - this._inflight.started;
      this._inflight = null;
      this._runId++;
      this._engine.terminate();
      this._setBusy(false);
      this._summary.textContent = `Stopped after ${human(took / 1000)} of work: the run was not finished. Make the scenario lighter (fewer tasks, longer check steps), then run it again.`;
      this._summary.classList.add('stale');
      this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: { mode: 'virtual', ok: false, stopped: true, errors: [], summary: this._summary.textContent, returned: null, trace: null } }));
      return;
    }
    if (!this._running) return;
    const id = this._runId;
    this._running = false;
    cancelAnimationFrame(this._frame);
    this._engine.request('snapshot', { view: this._viewArgs(), withTrace: true, stop: true }).then((snap) => {
      // No run left: it ended in the frame before, which showed its end.
      if (id !== this._runId || (!snap.ok && this._liveEnded === id)) return;
      if (snap.ok) this._showLive(snap);
      // A run that ended before the Stop reached it ended by itself.
      this._finishLive(!snap.ok || snap.stopped);
    });
  }

  /** Ends a live run without showing its last state (another run replaces it). */
  _endLive() {
    if (!this._running) return;
    this._running = false;
    cancelAnimationFrame(this._frame);
    // Shown until the next run's first answer replaces it, and left (dimmed) by a text that
    // does not parse: where the run stopped, not its last frame's "running at".
    const shown = this._chartData;
    this._engine.request('snapshot', { view: this._viewArgs(), stop: true }).then((snap) => {
      if (snap.ok && this._chartData === shown) this._showLive(snap);
    });
    this._disableStop();
    this._runBtn.textContent = '▶ Run';
  }

  async _startLive(text, id) {
    const speed = SPEEDS[this._speedInput.value] || 1;
    const res = await this._engine.request('live', { text, speed });
    if (id !== this._runId) return;
    if (!res.ok) {
      if (res.trapped) this._engine.terminate();
      if (!res.cancelled) this._show(res, 'live', true);
      return;
    }
    this._running = true;
    this._scrubT = null;
    this._stopBtn.disabled = false;
    this._runBtn.textContent = '↻ Restart';
    // The speed was changed while the run was starting: start it again at that one.
    if ((SPEEDS[this._speedInput.value] || 1) !== speed) { this.run(); return; }
    this._showErrors([]);
    // One snapshot at a time, on animation frames. The worker draws in the gaps between the
    // run's deadlines, and only a tenth of the time (its thread is the timers'); the page's
    // drawing is kept to what a frame allows.
    let waiting = false;
    let next = 0;
    let frames = 0;
    let shown = 0; // the run's time in the frame on screen, s
    let shownAt = 0; // when that frame came, ms
    const tick = (now) => {
      if (!this._running || id !== this._runId) return;
      this._frame = requestAnimationFrame(tick);
      if (waiting || now < next) return;
      waiting = true;
      const withTrace = frames++ % 10 === 0 || !!this._wantTrace;
      this._wantTrace = false;
      const view = this._viewArgs(0);
      // Unzoomed, the axis runs to a round time ahead of the run, and moves a few times in a
      // run rather than on every frame: the rows of finished tasks then stay as they are, and
      // the page redraws only the bars that grow. Ahead: where the run will be, with 30 ms to
      // spare (a frame the run has passed anyway is asked again).
      const ahead = !this._view && shown > 0;
      if (ahead) [view.t0, view.t1] = [0, roundUp(shown + (speed * (performance.now() - shownAt + 30)) / 1000)];
      this._engine.request('snapshot', { view, withTrace }).then((snap) => {
        waiting = false;
        // A frame that finds the run ended is shown even after a Stop: the Stop finds no run.
        if ((!this._running && !snap.done) || id !== this._runId || !snap.ok) return;
        [shown, shownAt] = [snap.now, performance.now()];
        if (ahead && snap.now > view.t1 && !snap.done) {
          // The run passed the axis: asked again at once, on a longer one.
          next = 0;
          if (withTrace) frames = 0;
          return;
        }
        const t0 = performance.now();
        this._showLive(snap);
        const cost = performance.now() - t0;
        next = performance.now() + 9 * (snap.ms || 0) + Math.max(0, cost - 8) * 2;
        if (snap.done) {
          this._liveEnded = id;
          this._finishLive(false, true);
        }
      });
    };
    this._frame = requestAnimationFrame(tick);
  }

  /** Stop is off: a keyboard user on it goes on from Run, not from the page's start. */
  _disableStop() {
    if (this.shadowRoot.activeElement === this._stopBtn) this._runBtn.focus();
    this._stopBtn.disabled = true;
  }

  _showLive(snap) {
    this._now = snap.now;
    this._shownMode = 'live';
    this._dim(!!this._edited);
    // Frame after frame "running at …": not read out; the run's end is (_finishLive).
    this._summary.setAttribute('aria-live', 'off');
    this._summary.textContent = snap.summary;
    if (snap.head) {
      this._takeTrace(snap);
      this._expectMarks = new Map();
      this._renderExpects();
      this._renderLog(true);
    }
    this._scrub_.hidden = false;
    this._zoombar.hidden = false;
    this._applyChart(snap.chart, true);
    // The scrubber follows the run, unless it was moved back: then it keeps its time.
    this._scrubInput.value = this._scrubT == null ? 1000 : Math.round((this._scrubT / (this._scrubEnd() || 1)) * 1000);
    this._scrub();
  }

  /** Says `message` under the chart (and to screen readers) until the next run. */
  _tell(message) {
    this._told = message;
    this._notice.textContent = message;
    this._announce.textContent = message;
  }

  /** Dims (or not) what is shown: the summary and the chart are of another text, or of none. */
  _dim(on) {
    this._summary.classList.toggle('stale', on);
    this._chart.classList.toggle('stale', on);
    // Dimmed is "out of date" only to the eye: say it.
    if (on) this._summary.setAttribute('aria-description', 'out of date: of an earlier text');
    else this._summary.removeAttribute('aria-description');
  }

  /** Ends the live run on screen; `redraw`: over the whole run, as in virtual mode (the frames'
   * axis ran ahead of it). */
  _finishLive(stopped, redraw = false) {
    this._running = false;
    this._summary.setAttribute('aria-live', 'polite');
    this._announce.textContent = this._summary.textContent;
    cancelAnimationFrame(this._frame);
    this._disableStop();
    this._runBtn.textContent = '▶ Run';
    this._scrub(); // its end is now the run's, not the time of the last frame
    if (redraw) this._refetch();
    if (this._head) this._withTraceJson(() => this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: this._endDetail('live', !stopped, [], stopped) })));
  }

  _endDetail(mode, ok, errors = [], stopped = false) {
    const shown = ok || stopped;
    const me = this;
    // The trace is parsed when a listener reads it.
    return { mode, ok, stopped, errors, summary: shown ? this._summary.textContent : '', returned: ok ? this._head?.returned ?? null : null, get trace() { return shown ? me._trace : null; } };
  }

  _show(res, mode, final) {
    if (!res.ok) {
      // The last run's expect results belong to a text that no longer parses.
      this._expectMarks = null;
      this._expects.replaceChildren();
      this._showErrors(res.errors || []);
      this._dim(true);
      if (final) this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: this._endDetail(mode, false, res.errors) }));
      return;
    }
    this._showErrors([]);
    this._dim(false);
    this._takeTrace(res);
    this._now = res.now;
    this._shownMode = mode;
    this._expectMarks = new Map((this._head.expectations || []).map((x) => [x.line, x]));
    this._scrub_.hidden = false;
    this._zoombar.hidden = false;
    this._summary.setAttribute('aria-live', 'polite');
    if (this._summary.textContent !== res.summary) this._summary.textContent = res.summary;
    if (this._view && !(this._view[0] < this._head.end)) this._view = null;
    this._applyChart(res.chart);
    this._renderExpects();
    this._renderLog();
    this._scrubInput.value = 1000;
    this._scrubT = null;
    this._scrub();
    if (final && mode === 'virtual') this._withTraceJson(() => this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: this._endDetail(mode, true) })));
  }

  // ---------- the chart: parts from the worker, rows on screen, zoom and pan ----------

  /** Shows the chart parts the worker drew. The SVG comes from the Rust renderer, which escapes
   * every name and message. */
  _applyChart(c, live = false) {
    if (!c) return;
    if (this._selectedOf !== this._traceSrc) {
      // A new trace: the selected task is the one on the selected line, if any.
      this._selectedOf = this._traceSrc;
      const i = this._selLine ? this._index?.rowOfLine(this._selLine) ?? -1 : -1;
      this._selected = i >= 0 ? i : null;
    }
    c.width = this._chartWidth();
    this._chartData = c;
    if (c.rowTops) this._rowTops = c.rowTops;
    // A live frame is mostly the last one: only what changed is changed.
    const put = (box, html) => { if (live) morph(box, html); else box.innerHTML = html; };
    put(this._axis, c.head);
    this._spacer.style.height = `${c.bodyHeight}px`;
    this._bodyBox.style.top = `${c.bodyTop}px`;
    put(this._bodyBox, c.body);
    put(this._foot, c.foot);
    const body = this._bodyBox.firstElementChild;
    c.drawnTop = c.bodyTop;
    c.drawnBottom = c.bodyTop + (parseFloat(body?.getAttribute('height')) || 0);
    const [a, b] = [c.t0Us / 1e6, c.t1Us / 1e6];
    this._zoomLabel.textContent = this._view ? `${human(a)} – ${human(b)} of ${human(c.endUs / 1e6)}` : `0s – ${human(b)}`;
    this._zoomReset.disabled = !this._view;
    this._applyHighlight();
    this._markSelected();
    this._showDetail(true);
    this._placeScrubline();
    this._needRows();
  }

  /** Asks the worker to draw the chart again (a new width, zoom or band of rows). */
  _refetch(tops = false) {
    if (!this._head || this._inflight) return;
    const seq = ++this._chartSeq;
    const [mode, run] = [this._shownMode, this._runId];
    if (this._running) return; // the next live snapshot draws it
    this._engine.request('chart', { view: this._viewArgs(), tops }).then((r) => {
      // Dropped once another chart is asked for, or another run started.
      if (seq !== this._chartSeq || run !== this._runId || this._running || this._inflight || this._shownMode !== mode || !r.ok || !r.chart) return;
      this._applyChart(r.chart);
    });
  }

  /** Fetches rows when the ones on screen are not all drawn (after a scroll). */
  _needRows() {
    const c = this._chartData;
    if (!c || this._running) return;
    const top = this._scroll.scrollTop;
    const bottom = top + this._scroll.clientHeight;
    const allDrawn = c.drawnTop <= 0.5 && c.drawnBottom >= c.bodyHeight - 0.5;
    if (!allDrawn && (top < c.drawnTop || bottom > c.drawnBottom)) this._refetch();
  }

  _setView(view) {
    const c = this._chartData;
    // While a live run goes, its axis runs ahead of it: a zoom may reach as far.
    const end = Math.max(c?.endUs ?? 1e6, this._running ? c?.t1Us ?? 0 : 0) / 1e6;
    if (view) {
      let [a, b] = view;
      const span = Math.min(Math.max(b - a, end / 10000, 1e-5), end);
      a = Math.min(Math.max(0, a), end - span);
      b = a + span;
      view = span >= end - 1e-9 ? null : [a, b];
    }
    this._view = view;
    this._refetch();
  }

  /** Zooms by `factor` (< 1 zooms in) around time `at` (default: the scrubber, or the middle). */
  _zoom(factor, at) {
    const [a, b] = this._shownSpan();
    const t = at ?? (this._scrubT ?? (a + b) / 2);
    const c = Math.min(Math.max(t, a), b);
    this._setView([c - (c - a) * factor, c + (b - c) * factor]);
  }

  _pan(fraction) {
    if (!this._view) return;
    const [a, b] = this._view;
    const d = (b - a) * fraction;
    this._setView([a + d, b + d]);
  }

  /** The span of time the axis shows, in s: the zoom, or the whole axis on screen. */
  _shownSpan() {
    const c = this._chartData;
    return this._view || (c ? [c.t0Us / 1e6, c.t1Us / 1e6] : [0, 1]);
  }

  /** The time at a page x over the plot. */
  _timeAt(clientX) {
    const c = this._chartData;
    if (!c) return 0;
    const x = clientX - this._chart.getBoundingClientRect().left;
    return c.t0Us / 1e6 + ((x - c.left) / c.plotWidth) * ((c.t1Us - c.t0Us) / 1e6);
  }

  _wireChart() {
    const sc = this._scroll;
    sc.addEventListener('scroll', () => {
      if (this._scrollFrame) return;
      this._scrollFrame = requestAnimationFrame(() => { this._scrollFrame = null; this._needRows(); });
    }, { passive: true });
    // Ctrl+wheel (and a trackpad's pinch) zooms time around the pointer; Shift+wheel or a
    // sideways swipe pans it; a plain wheel scrolls the rows.
    this._chart.addEventListener('wheel', (e) => {
      if (!this._chartData) return;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        this._zoom(Math.exp(Math.max(-1, Math.min(1, e.deltaY / 200))), this._timeAt(e.clientX));
      } else if (this._view && (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY))) {
        e.preventDefault();
        this._pan((e.shiftKey ? e.deltaY : e.deltaX) / 600);
      }
    }, { passive: false });
    // Two-finger pinch on a touch screen zooms time.
    const touches = new Map();
    let pinch = null;
    sc.addEventListener('pointerdown', (e) => {
      if (e.pointerType !== 'touch') return;
      touches.set(e.pointerId, e.clientX);
      if (touches.size === 2) {
        const [x1, x2] = [...touches.values()];
        pinch = { d: Math.abs(x1 - x2) || 1, at: this._timeAt((x1 + x2) / 2), view: this._shownSpan() };
      }
    });
    sc.addEventListener('pointermove', (e) => {
      if (!touches.has(e.pointerId)) return;
      touches.set(e.pointerId, e.clientX);
      if (pinch && touches.size === 2) {
        const [x1, x2] = [...touches.values()];
        const factor = pinch.d / (Math.abs(x1 - x2) || 1);
        const [a, b] = pinch.view;
        this._setView([pinch.at - (pinch.at - a) * factor, pinch.at + (b - pinch.at) * factor]);
      }
    });
    const lift = (e) => { touches.delete(e.pointerId); if (touches.size < 2) pinch = null; };
    sc.addEventListener('pointerup', lift);
    sc.addEventListener('pointercancel', lift);
    // Click a task: select its line in the editor.
    this._chart.addEventListener('click', (e) => {
      const g = e.target.closest?.('g.cg-row');
      if (!g) return;
      this._select(Number(g.dataset.i), { toEditor: true });
      sc.focus({ preventScroll: true });
    });
    // Hovering or focusing a task highlights its causal chain and dims the rest.
    this._chart.addEventListener('pointerover', (e) => this._highlight(e.target.closest?.('g.cg-row')?.dataset.path ?? null));
    this._chart.addEventListener('pointerleave', () => this._highlight(null));
    sc.addEventListener('keydown', (e) => this._chartKey(e));
  }

  _chartKey(e) {
    const events = this._index?.eventT || [];
    const end = this._head?.end || 0;
    let handled = true;
    if (e.key === 'ArrowRight' && e.shiftKey) this._pan(0.2);
    else if (e.key === 'ArrowLeft' && e.shiftKey) this._pan(-0.2);
    else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') this._stepEvent(e.key === 'ArrowRight');
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const n = this._index?.count || 0;
      if (n) this._select(Math.min(n - 1, Math.max(0, (this._selected ?? -1) + (e.key === 'ArrowDown' ? 1 : -1))), { toEditor: true, scroll: true });
    } else if (e.key === '+' || e.key === '=') this._zoom(0.5);
    else if (e.key === '-' || e.key === '_') this._zoom(2);
    else if (e.key === '0') this._setView(null);
    else if (e.key === ' ') this._play();
    else if (e.key === 'Home') { this._seek(0); this._eventAt = -1; }
    else if (e.key === 'End' && this._running) { this._scrubT = null; this._scrubInput.value = 1000; this._scrub(); } // follow the run
    else if (e.key === 'End') { this._seek(end); this._eventAt = events.length; }
    else if (e.key === 'Escape' && !this._running && this._selected != null) this._deselect();
    else if (e.key === 'Enter' && this._selected != null) this._gotoLine(this._index.lines[this._selected], true);
    else handled = false;
    if (handled) e.preventDefault();
  }

  /** Steps to the next (or previous) event: the scrubber moves there and its task is selected.
   * From the event stepped to last (events at one instant, one after another), else from the
   * scrubber's time; Home and End start before the first and after the last. */
  _stepEvent(fwd) {
    const events = this._index?.eventT || [];
    const t = this._scrubT ?? this._scrubTime();
    const at = this._eventAt;
    const on = at != null && (at === -1 || at === events.length || Math.abs(events[at] - t) < 1e-9);
    const i = on ? at + (fwd ? 1 : -1) : fwd ? events.findIndex((x) => x > t + 1e-9) : findLast(events, (x) => x < t - 1e-9);
    if (i >= 0 && i < events.length) this._stepTo(i);
  }

  _stepTo(i) {
    const index = this._index;
    this._eventAt = i;
    this._pause();
    this._seek(index.eventT[i]);
    const row = index.eventTask[i];
    if (row >= 0) this._select(row, { toEditor: true, scroll: true, quiet: true });
    // What happened, in words: the event itself comes from the worker.
    this._engine.request('events', { from: i, to: i + 1 }).then((r) => {
      const [ev] = r.ok ? r.events : [];
      if (!ev || index !== this._index || this._eventAt !== i) return;
      this._announce.textContent = `${human(ev.t)}: ${ev.task ?? 'group'} ${ev.kind}${ev.detail ? ` — ${ev.detail}` : ''}`;
    });
  }

  /** Moves the scrubber to time `t` (keeping the zoom window around it). */
  _seek(t) {
    const end = this._scrubEnd();
    this._scrubT = Math.min(Math.max(0, t), end);
    this._scrubInput.value = Math.round((this._scrubT / (end || 1)) * 1000);
    if (this._view && (this._scrubT < this._view[0] || this._scrubT > this._view[1])) {
      const span = this._view[1] - this._view[0];
      this._setView([this._scrubT - span / 2, this._scrubT + span / 2]);
    }
    this._scrub();
  }

  /** Plays virtual time: the scrubber runs through the run in about six seconds. */
  _play() {
    if (this._playing) { this._pause(); return; }
    if (!this._head) return;
    const end = this._scrubEnd();
    if (this._scrubTime() >= end - 1e-9) this._seek(0);
    this._playing = true;
    this._eventAt = null;
    this._playBtn.textContent = '❚❚';
    this._playBtn.setAttribute('aria-label', 'Pause');
    let last = performance.now();
    const step = (now) => {
      if (!this._playing) return;
      const t = Math.min(end, this._scrubTime() + ((now - last) / 6000) * end);
      last = now;
      this._seek(t);
      if (t >= end) { this._pause(); return; }
      this._playFrame = requestAnimationFrame(step);
    };
    this._playFrame = requestAnimationFrame(step);
  }

  _pause() {
    if (!this._playing) return;
    this._playing = false;
    cancelAnimationFrame(this._playFrame);
    this._playBtn.textContent = '▶';
    this._playBtn.setAttribute('aria-label', 'Play');
  }

  _selectedPath() { return this._selected != null ? this._index?.paths[this._selected] ?? null : null; }

  /** Selects task row `i`: marked in the chart, its line in the editor. */
  _select(i, { toEditor = false, scroll = false, chain = true, quiet = false } = {}) {
    const index = this._index;
    if (!index || !(i >= 0 && i < index.count)) return;
    this._selected = i;
    this._markSelected();
    // A task chosen in the chart lights its causal chain; one chosen by typing on its line does
    // not dim the rest of the chart while you type.
    this._highlight(chain ? index.paths[i] : null);
    if (toEditor) this._gotoLine(index.lines[i], false);
    if (scroll) this._scrollToRow(i);
    this._showDetail(quiet);
  }

  /** The selected task's whole story in words under the chart (what a narrow row cuts short,
   * what a screen reader hears when a task is chosen), from its row once that is drawn. */
  _showDetail(quiet = this._running) {
    const path = this._selectedPath();
    if (path == null) { this._detail.hidden = true; this._detail.textContent = ''; return; }
    const row = [...this._bodyBox.querySelectorAll('g.cg-row')].find((g) => g.dataset.path === path);
    const title = row?.querySelector(':scope > title')?.textContent;
    // Not drawn yet (scrolled to, drawn on the next frame): said when it is.
    if (title == null) { if (!quiet) this._detailWanted = path; return; }
    if (this._detailWanted === path) [quiet, this._detailWanted] = [false, null];
    const text = title.split('\n').join(' · ');
    this._detail.hidden = false;
    this._detail.setAttribute('aria-live', quiet ? 'off' : 'polite');
    if (this._detail.textContent !== text) this._detail.textContent = text;
  }

  /** No task is selected: none marked, no chain lit, no story told. */
  _deselect() {
    this._selected = null;
    this._markSelected();
    this._highlight(null);
    this._showDetail();
  }

  _markSelected() {
    const path = this._selectedPath();
    for (const g of this._bodyBox.querySelectorAll('g.cg-row')) g.classList.toggle('cg-sel', g.dataset.path === path);
  }

  _scrollToRow(i) {
    const tops = this._rowTops;
    if (!tops || tops[i] == null) return;
    const sc = this._scroll;
    const [a, b] = [tops[i], tops[i + 1] ?? tops[i] + 24];
    if (a < sc.scrollTop) sc.scrollTop = a;
    else if (b > sc.scrollTop + sc.clientHeight) sc.scrollTop = b - sc.clientHeight;
  }

  /** The editor's caret moved: select the task written on its line. */
  _caretMoved() {
    const line = this._input.caretLine();
    if (line === this._selLine) return;
    this._selLine = line;
    this._renderLines();
    const i = this._index?.rowOfLine(line) ?? -1;
    if (i >= 0) this._select(i, { scroll: true, chain: false });
    else this._deselect();
  }

  /** Selects line `line` in the editor (focusing it only when asked). */
  _gotoLine(line, focus) {
    const t = this._input;
    const lines = this._lines();
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    const end = pos + (lines[line - 1]?.length ?? 0);
    this._selLine = line;
    this._renderLines();
    if (focus) t.focus();
    t.setSelectionRange(pos, end);
    // Bring the line into the editor's view.
    const row = this._lineBox(line);
    if (row && (row.top < t.scrollTop || row.top + row.height > t.scrollTop + t.clientHeight)) {
      t.scrollTop = Math.max(0, row.top - t.clientHeight / 3);
      this._renderLines();
    }
  }

  /** The tasks on `path`'s causal chain: what stopped it (and so on up), and what it stopped. */
  _chainOf(path) {
    const index = this._index;
    const chain = new Set([path]);
    const start = index?.rowOfPath(path) ?? -1;
    if (start < 0) return null; // not a task of this run (one highlighted before it)
    const rows = new Set([start]);
    for (let r = index.causes[start]; r >= 0 && !rows.has(r); r = index.causes[r]) rows.add(r);
    const todo = [start];
    while (todo.length) for (const q of index.effectsOf(todo.pop())) if (!rows.has(q)) { rows.add(q); todo.push(q); }
    for (const r of rows) chain.add(index.paths[r]);
    return chain;
  }

  _highlight(path) {
    if (this._hlPath === path) return;
    this._hlPath = path;
    this._applyHighlight();
  }

  /** Marks the rows and connectors of the highlighted chain (again after every redraw). */
  _applyHighlight() {
    const path = this._hlPath;
    const chain = path ? this._chainOf(path) : null;
    for (const svg of this._chart.querySelectorAll('svg')) svg.classList.toggle('cg-dim', !!chain);
    for (const g of this._bodyBox.querySelectorAll('g.cg-row')) g.classList.toggle('cg-on', !!chain && chain.has(g.dataset.path));
    for (const l of this._bodyBox.querySelectorAll('path.cg-link')) {
      const { from, to } = l.dataset;
      l.classList.toggle('cg-on', !!chain && chain.has(to) && (chain.has(from) || from.startsWith('mark:')));
    }
  }

  // ---------- the editor: errors, marks, lines ----------

  _showErrors(errors) {
    // The same errors again (each pause in typing runs the text): left as they are.
    const key = JSON.stringify(errors.map((e) => [e.line, e.col, e.message, e.hint]));
    if (key === this._errorsKey) return;
    this._errorsKey = key;
    this._errors.replaceChildren(...errors.map((e) => errorItem(e, () => this._goto(e.line, e.col))));
    this._badLines = new Map();
    for (const e of errors) if (!this._badLines.has(e.line)) this._badLines.set(e.line, e);
    this._renderLines();
  }

  _goto(line, col) {
    const lines = this._lines();
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, col - 1);
    this._input.focus();
    this._input.setSelectionRange(pos, pos);
  }

  /** The text's lines (split once per text). */
  _lines() {
    const v = this._input.value;
    if (this._linesOf?.v !== v) this._linesOf = { v, lines: v.split('\n') };
    return this._linesOf.lines;
  }

  /** The overlay under the textarea: line numbers, error marks, ✓/✗ of expect lines, the
   * selected line. Only the lines that changed are touched, and a long text draws only the
   * lines in view: a 10,000-line scenario stays quick to paste and to type in. */
  _renderLines() {
    if (!this._input) return;
    const bad = this._badLines || new Map();
    const expects = bad.size ? new Map() : (this._expectMarks || new Map());
    const lines = this._lines();
    const ov = this._overlay;
    const big = this._input.long;
    if (big !== !!this._big) {
      this._big = big;
      ov.replaceChildren();
    }
    let from = 0;
    let to = lines.length;
    if (big) {
      if (!ov.firstElementChild?.classList.contains('spacer')) ov.replaceChildren(el('div', { class: 'spacer' }));
      ov.firstElementChild.textContent = '';
      ov.firstElementChild.style.height = `${lines.length * 20}px`;
      const t = this._input;
      from = Math.max(0, Math.floor((t.scrollTop - 8) / 20) - 30);
      to = Math.min(lines.length, from + Math.ceil(t.clientHeight / 20) + 60);
    }
    const kids = Array.from(ov.children).slice(big ? 1 : 0);
    const made = [];
    for (let i = from; i < to; i++) {
      const n = i + 1;
      const line = lines[i];
      const e = bad.get(n);
      const x = e ? null : expects.get(n);
      let cls = e ? 'l bad' : x ? (x.ok ? 'l expect-ok' : 'l expect-bad') : 'l';
      if (n === this._selLine) cls += ' sel';
      const key = e ? `${n}\u0000${line}\u0000${e.col}:${e.endCol}:${e.text}` : `${n}\u0000${line}`;
      let d = kids[i - from];
      if (!d) { d = document.createElement('div'); made.push(d); }
      if (d.className !== cls) d.className = cls;
      if (big) d.style.top = `${8 + i * 20}px`;
      if (d._key === key) continue;
      d._key = key;
      d.dataset.n = n;
      if (e) {
        const chars = Array.from(line);
        const a = Math.min(e.col - 1, chars.length);
        const b = Math.max(a + 1, Math.min(e.endCol - 1, chars.length));
        d.replaceChildren(chars.slice(0, a).join(''), el('mark', { title: e.text }, chars.slice(a, b).join('') || ' '), chars.slice(b).join(''));
      } else {
        d.textContent = line;
      }
    }
    if (made.length) ov.append(...made);
    for (let k = kids.length - 1; k >= Math.max(0, to - from); k--) kids[k].remove();
    if (!big) ov.scrollTop = this._textarea.scrollTop;
  }

  _queueLines() {
    if (this._linesFrame) return;
    this._linesFrame = requestAnimationFrame(() => {
      this._linesFrame = null;
      this._renderLines();
      this._applyHeight();
    });
  }

  /** The overlay row of line `n` (drawn, or its place in a long text). */
  _lineBox(n) {
    if (this._big) return { top: 8 + (n - 1) * 20, height: 20 };
    const d = this._overlay.children[n - 1];
    return d ? { top: d.offsetTop, height: d.offsetHeight } : null;
  }

  _renderExpects() {
    const xs = this._head?.expectations || [];
    const items = xs.map((x) => el('li', { class: x.ok ? 'ok' : 'bad' }, `line ${x.line}: ${x.message}`));
    if (this._shownMode === 'live' && /^\s*expect\b/m.test(this._input.value)) {
      items.push(el('li', {}, 'expect lines are checked in Virtual mode: real timers fire a little late.'));
    }
    this._expects.replaceChildren(...items);
    this._renderLines();
  }

  /** The event log, drawn when it is open. `fresh`: the worker's trace is the one the page was
   * just given (a live run's other frames replace it with one without events). */
  _renderLog(fresh = false) {
    const count = this._head?.eventCount ?? 0;
    // A long log shows its first and its last events (the run's end is often what is looked for).
    const [first, last] = count > LOG_ROWS ? [LOG_ROWS / 2, LOG_ROWS / 2] : [count, 0];
    this._logCount.textContent = `(${count}${last ? `, the first and last ${first} shown` : ''})`;
    if (!this._log.open) return;
    const row = (e) => el('tr', {}, el('td', {}, human(e.t)), el('td', {}, e.task ?? '—'), el('td', {}, e.kind), el('td', {}, e.detail ?? ''));
    const fill = (head, tail) => this._logBody.replaceChildren(...head.map(row),
      ...(last ? [el('tr', { class: 'gap' }, el('td', { colspan: 4 }, `… ${count - first - last} event${count - first - last === 1 ? '' : 's'} not shown …`)), ...tail.map(row)] : []));
    // From the parsed trace if it is here, else from the worker; during a live run, from the
    // next frame that brings the trace.
    const src = this._traceSrc;
    if (this._running && !fresh && !src?.parsed) { this._wantTrace = true; return; }
    if (src?.parsed) { const ev = src.parsed.events; fill(ev.slice(0, first), ev.slice(count - last)); return; }
    Promise.all([this._engine.request('events', { from: 0, to: first }), last ? this._engine.request('events', { from: count - last, to: count }) : { ok: true, events: [] }])
      .then(([a, b]) => { if (a.ok && b.ok && src === this._traceSrc && this._log.open) fill(a.events, b.events); });
  }

  // ---------- the scrubber ----------

  _stateAt(task, t) {
    if (t < task.spawned) return ['not yet spawned', 'transparent'];
    if (task.outcome === 'skipped') return ['skipped', 'var(--cg-queued)']; // TryGo found no slot: it never runs
    if (task.start == null || t < task.start) return ['waiting for a slot', 'var(--cg-queued)'];
    if (task.end == null || t < task.end) {
      if (task.cancel_requested != null && t >= task.cancel_requested) return ['running, cancel requested', 'var(--cg-running)'];
      return ['running', 'var(--cg-running)'];
    }
    return [task.outcome, `var(--cg-${task.outcome})`];
  }

  /** The scrubber's span: a live run's time so far, else the whole run. */
  _scrubEnd() {
    return (this._shownMode === 'live' && this._now != null && this._running ? this._now : this._head?.end) || 1;
  }

  _scrubTime() { return this._scrubT ?? (this._scrubInput.value / 1000) * this._scrubEnd(); }

  _placeScrubline() {
    const c = this._chartData;
    const t = this._scrubTime();
    const [a, b] = c ? [c.t0Us / 1e6, c.t1Us / 1e6] : [0, 1];
    if (!c || (this._scrubInput.value >= 1000 && this._scrubT == null) || t < a || t > b) { this._scrubline.hidden = true; return; }
    this._scrubline.hidden = false;
    this._scrubline.style.left = `${c.left + ((t - a) / (b - a)) * c.plotWidth - 1}px`;
    this._scrubline.style.height = `${this._axis.offsetHeight + this._scroll.offsetHeight}px`;
  }

  _scrub() {
    const head = this._head;
    if (!head) { this._scrubline.hidden = true; return; }
    const t = this._scrubTime();
    this._scrubOut.textContent = `t = ${human(t)}`;
    this._scrubInput.setAttribute('aria-valuetext', `${human(t)} of ${human(this._scrubEnd())}`);
    this._placeScrubline();
    this._states.replaceChildren(...head.tasks.map((task) => {
      const [state, color] = this._stateAt(task, t);
      return el('span', {}, el('i', { style: `background:${color}` }), `${task.path}: ${state}`);
    }), head.taskCount > head.tasks.length ? el('span', {}, `… and ${head.taskCount - head.tasks.length} more`) : '');
  }

  async _export(kind) {
    // What is exported is what is shown, and only a chart of the text as it is: else the menu
    // stays open and says why.
    const refused = !this._head ? 'Nothing to export yet: run the scenario first.'
      : this._chart.classList.contains('stale') ? 'The chart is of an earlier text: fix the errors or run the scenario, then export.' : null;
    if (refused) {
      this._exportWhy.textContent = refused;
      this._exportWhy.hidden = false;
      return;
    }
    this._exportMenu.open = false;
    const view = { width: this._chartWidth(), dark: this._dark() };
    const get = async (k) => (await this._engine.request('export', { kind: k, view })).data ?? '';
    if (kind === 'svg') download('ctxgroup.svg', await get('svg'), 'image/svg+xml');
    if (kind === 'trace') download('ctxgroup.trace.json', await get('trace'), 'application/json');
    if (kind === 'chrome') download('ctxgroup.chrome-trace.json', await get('chrome'), 'application/json');
    if (kind === 'png') {
      const svg = await get('svg');
      const img = new Image();
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      img.onload = () => {
        // Twice the pixels, within a canvas' limits (32,767 px a side, 16,384² in all):
        // a taller chart is scaled down, and says so.
        const scale = Math.min(2, MAX_CANVAS_SIDE / img.width, MAX_CANVAS_SIDE / img.height, Math.sqrt(MAX_CANVAS_AREA / (img.width * img.height)));
        const canvas = el('canvas', { width: Math.floor(img.width * scale), height: Math.floor(img.height * scale) });
        const ctx = canvas.getContext('2d');
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0);
        URL.revokeObjectURL(url);
        canvas.toBlob((blob) => {
          if (!blob) return this._tell('The chart is too big for a PNG in this browser: export it as SVG.');
          download('ctxgroup.png', blob);
          if (scale < 1) this._tell(`The PNG is at ${Math.round(scale * 100)}% to fit a picture's limits; the SVG keeps every detail.`);
        }, 'image/png');
      };
      img.onerror = () => { URL.revokeObjectURL(url); this._tell('The chart could not be drawn as a PNG: export it as SVG.'); };
      img.src = url;
    }
  }
}


/** The event log's rows at most. */
const LOG_ROWS = 2000;

/** A canvas' largest side and area in Chromium (Firefox and Safari allow no more). */
const MAX_CANVAS_SIDE = 32767;
const MAX_CANVAS_AREA = 16384 * 16384;

function findLast(xs, f) {
  for (let i = xs.length - 1; i >= 0; i--) if (f(xs[i])) return i;
  return -1;
}

// ---------- embedding in documentation sites: server rendering and the static fallback ----------
//
// The module is imported by server builds (VitePress, Docusaurus) too: nothing at its top level
// touches window, document or customElements, and the class extends a stand-in there.
//
// The scenario is the element's own text, or the text of a child <pre> when the page also gives
// a static fallback: every element child (a <pre> with the scenario, a pre-rendered <svg> chart,
// a <figure>) shows until the element upgrades, with JavaScript off and in print; the shadow
// root has no <slot>, so they are hidden once it is attached.

/** The scenario's source text in the element's light DOM. */
function scenarioSource(host) {
  const pre = [...host.children].find((c) => c.localName === 'pre');
  if (pre) return pre.textContent || '';
  return [...host.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join('');
}

/** Sets the scenario's source text, keeping a fallback the page gave. */
function setScenarioSource(host, text) {
  const pre = [...host.children].find((c) => c.localName === 'pre');
  if (pre) { pre.textContent = text; return; }
  for (const n of [...host.childNodes]) if (n.nodeType === 3) n.remove();
  host.prepend(text);
}

// ---------- the views: the chart, the Go program, the Rust program ----------
//
// A tab strip over the chart area switches it between the Gantt chart and the programs the
// scenario stands for. The programs come from a second wasm (pkg/ctxgroup_code_bg.wasm): it is
// fetched and compiled the first time a code view is opened, and the programs are generated in
// the element's worker. A long program is drawn only around what is on screen.

const CODE_WASM_URL = new URL('./pkg/ctxgroup_code_bg.wasm', import.meta.url);
let codeCompiled = null;

/** The code views' compiled wasm module, fetched once, when it is first needed. */
export function codeWasmModule() {
  if (!codeCompiled) {
    codeCompiled = (WebAssembly.compileStreaming ? WebAssembly.compileStreaming(fetch(CODE_WASM_URL)) : Promise.reject(new Error('no streaming')))
      .catch(() => fetch(CODE_WASM_URL).then((r) => {
        if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
        return r.arrayBuffer();
      }).then((b) => WebAssembly.compile(b)))
      .catch((e) => { codeCompiled = null; throw e; });
  }
  return codeCompiled;
}

let codeMainThread = null;

/** The code generators on this thread (`go_program`, `rust_program`), for pages that call them
 * directly; the element does not. */
export function loadCodeWasm() {
  if (!codeMainThread) {
    codeMainThread = Promise.all([import(new URL('./pkg/ctxgroup_code.js', import.meta.url).href), codeWasmModule()]).then(async ([mod, module]) => {
      await mod.default({ module_or_path: module });
      return mod;
    });
  }
  return codeMainThread;
}

const VIEWS = {
  chart: { label: 'Chart' },
  go: { label: 'Go', file: 'main.go', about: 'context + errgroup' },
  rust: { label: 'Rust', file: 'main.rs', about: 'ctxgroup, in virtual time' },
};
const ALL_VIEWS = Object.keys(VIEWS);
/** The height of a line of code, and the padding above and below the code, in px. */
const CODE_LINE_PX = 20;
const CODE_PAD_PX = 8;
/** Programs up to this many lines are drawn whole (the mouse selects any of it); longer ones
 * only around what is on screen (Copy takes all of it). */
const CODE_DRAW_ALL = 3000;
const CODE_MARGIN_LINES = 80;
const CODE_TEXT = new TextDecoder();

const VIEWS_STYLE = `
.tabs { display: flex; gap: 2px; padding: 6px 10px 0; background: var(--cg-panel); border-bottom: 1px solid var(--cg-border); }
.tabs[hidden], .codeview[hidden], .codescroll[hidden], .codeview .errors[hidden] { display: none; }
.tabs [role="tab"] { position: relative; top: 1px; min-height: 30px; padding: 4px 14px; border: 1px solid transparent; border-bottom: 0; border-radius: 6px 6px 0 0;
  background: transparent; color: var(--cg-muted); }
.tabs [role="tab"]:hover { color: var(--cg-fg); border-color: transparent; }
.tabs [role="tab"][aria-selected="true"] { background: var(--cg-bg); color: var(--cg-fg); border-color: var(--cg-border); font-weight: 600; }
.tabs [role="tab"]:focus-visible { outline-offset: -2px; }
.codeview { display: flex; flex-direction: column; background: var(--cg-bg); }
.codebar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; padding: 6px 12px; border-bottom: 1px solid var(--cg-border); font-size: 13px; color: var(--cg-muted); }
.codebar .file { font: 600 13px var(--cg-mono); color: var(--cg-fg); }
.codebar .copy { min-width: 6.5em; margin-left: auto; }
.codebar .copy.copied { border-color: var(--cg-completed); color: var(--cg-completed); }
.codescroll { position: relative; flex: 1 1 0; overflow: auto; min-height: var(--cg-chart-height, min(70vh, 720px)); font: 13px/${CODE_LINE_PX}px var(--cg-mono);
  overscroll-behavior: contain; -webkit-overflow-scrolling: touch; outline: none; }
.codescroll:focus-visible { box-shadow: inset 0 0 0 2px var(--cg-accent); }
.codesizer { position: relative; min-width: 100%; }
.codescroll pre { position: absolute; left: 0; margin: 0; padding: 0 12px; font: inherit; white-space: pre; tab-size: 4; color: var(--cg-fg); }
.codescroll pre .c { color: var(--cg-muted); }
@media (max-width: 640px) { .codebar .about { display: none; } }
`;

/** Which views the `views` attribute offers, in its order (all three when it names none). */
function offeredViews(attr) {
  const names = [...new Set((attr || '').toLowerCase().split(/[\s,]+/).filter((v) => v in VIEWS))];
  return names.length ? names : ALL_VIEWS;
}

/** Copies `text` without the async clipboard API (refused, or missing on plain http). */
function copyByCommand(root, text) {
  const t = el('textarea', { style: 'position:fixed;top:0;left:0;opacity:0', 'aria-hidden': 'true' });
  t.value = text;
  root.append(t);
  t.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { /* refused */ }
  t.remove();
  return ok;
}

/** One element's tab strip and code views. */
class Views {
  constructor(host) {
    this.host = host;
    this.offered = ALL_VIEWS;
    this.current = 'chart';
    /** The scenario of the last run (the programs follow it, as the chart does). */
    this.text = null;
    this.tabs = {};
    this.panels = {};
    this.code = {};
  }

  /** Makes the tab strip and the code panels; `chartPanel` holds the chart and what goes with
   * it. Returns the column's parts in order. */
  build(chartPanel) {
    this.tablist = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'View' });
    this.tablist.addEventListener('keydown', (e) => this._key(e));
    for (const name of ALL_VIEWS) {
      this.tabs[name] = el('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`, 'aria-selected': 'false', tabindex: -1,
        onclick: () => this.show(name) }, VIEWS[name].label);
      this.tablist.append(this.tabs[name]);
    }
    Object.assign(chartPanel, { id: 'panel-chart' });
    chartPanel.setAttribute('role', 'tabpanel');
    chartPanel.setAttribute('aria-labelledby', 'tab-chart');
    this.panels.chart = chartPanel;
    for (const name of ['go', 'rust']) this.panels[name] = this._codePanel(name);
    return [this.tablist, chartPanel, this.panels.go, this.panels.rust];
  }

  _codePanel(name) {
    const { label, file, about } = VIEWS[name];
    const v = { text: null, asked: null, retried: null, bytes: null, starts: null, blob: null, drawn: null };
    v.copy = el('button', { type: 'button', class: 'copy', disabled: true, title: `Copy the ${label} program`, onclick: () => this._copy(name) }, 'Copy');
    v.status = el('span', { class: 'status' }, '');
    v.errors = el('ul', { class: 'errors', hidden: true, 'aria-label': 'Errors in the scenario' });
    v.pre = el('pre');
    v.sizer = el('div', { class: 'codesizer' }, v.pre);
    v.scroll = el('div', { class: 'codescroll', tabindex: 0, role: 'region', 'aria-label': `The ${label} program` }, v.sizer);
    v.scroll.addEventListener('scroll', () => {
      if (v.frame) return;
      v.frame = requestAnimationFrame(() => { v.frame = null; this._draw(name); });
    }, { passive: true });
    v.panel = el('div', { class: 'codeview', role: 'tabpanel', id: `panel-${name}`, 'aria-labelledby': `tab-${name}`, hidden: true },
      el('div', { class: 'codebar' }, el('span', { class: 'file' }, file), el('span', { class: 'about' }, about), v.status, v.copy),
      v.errors, v.scroll);
    this.code[name] = v;
    return v.panel;
  }

  /** Applies the `views` and `view` attributes. */
  configure() {
    this.offered = offeredViews(this.host.getAttribute('views'));
    for (const name of ALL_VIEWS) this.tabs[name].hidden = !this.offered.includes(name);
    // The tabs in the order the attribute names them.
    this.tablist.append(...this.offered.map((n) => this.tabs[n]), ...ALL_VIEWS.filter((n) => !this.offered.includes(n)).map((n) => this.tabs[n]));
    this.tablist.hidden = this.offered.length < 2;
    const asked = (this.host.getAttribute('view') || '').toLowerCase();
    this.show(this.offered.includes(asked) ? asked : this.offered.includes(this.current) ? this.current : this.offered[0], { quiet: true });
  }

  /** Shows view `name` (if offered); `focus` moves the focus to its tab. */
  show(name, { focus = false, quiet = false } = {}) {
    if (!this.offered.includes(name)) return;
    const changed = name !== this.current;
    // A code view is at least as tall as the chart's panel was: switching moves nothing else on
    // the page (beside the chart, a long scenario's editor would be laid out and painted anew).
    if (this.current === 'chart' && !this.panels.chart.hidden) {
      const h = this.panels.chart.offsetHeight;
      if (h) for (const v of Object.values(this.code)) v.panel.style.minHeight = `${h}px`;
    }
    this.current = name;
    for (const n of ALL_VIEWS) {
      const on = n === name;
      this.tabs[n].setAttribute('aria-selected', String(on));
      this.tabs[n].tabIndex = on ? 0 : -1;
      this.panels[n].hidden = !on;
    }
    if (focus) this.tabs[name].focus();
    if (name in this.code) this._refresh(name);
    if (changed && !quiet) this.host.dispatchEvent(new CustomEvent('ctxgroup-view-change', { bubbles: true, composed: true, detail: { view: name } }));
  }

  /** A run of `text` started: the code view on screen follows it (the others when shown). */
  scenarioRun(text) {
    this.text = text;
    if (this.current in this.code) this._refresh(this.current);
  }

  /** ← → (and Home, End) move along the tabs, showing each (the tabs of the ARIA pattern). */
  _key(e) {
    const order = this.offered;
    const i = order.indexOf(this.current);
    const j = { ArrowRight: i + 1, ArrowLeft: i - 1 + order.length, Home: 0, End: order.length - 1 }[e.key];
    if (j === undefined) return;
    e.preventDefault();
    this.show(order[j % order.length], { focus: true });
  }

  /** Asks the worker for view `name`'s program of the current scenario, unless it is shown. */
  async _refresh(name) {
    const v = this.code[name];
    const text = this.text ?? this.host.value;
    if (v.text === text || v.asked === text) return;
    v.asked = text;
    v.panel.setAttribute('aria-busy', 'true');
    const busy = setTimeout(() => { if (v.asked === text) v.status.textContent = v.program == null && !v.lines ? 'Loading…' : 'Updating…'; }, 150);
    let res;
    try {
      const module = await codeWasmModule();
      res = await this.host._engine.request('code', { lang: name, text, module });
    } catch (e) {
      res = { ok: false, errors: [], failed: `Could not load the code views: ${e.message}` };
    }
    clearTimeout(busy);
    if (v.asked !== text) return; // a later scenario asked meanwhile
    v.asked = null;
    v.panel.removeAttribute('aria-busy');
    if (res.cancelled) {
      // A run was stopped, and the worker with it: ask again (once) if this view is on screen.
      v.status.textContent = '';
      if (v.retried !== text && this.current === name) { v.retried = text; this._refresh(name); }
      return;
    }
    if (res.trapped) this.host._engine.terminate();
    this._showProgram(name, text, res);
  }

  _showProgram(name, text, res) {
    const v = this.code[name];
    v.text = res.failed || res.trapped ? null : text;
    if (!res.ok) {
      Object.assign(v, { bytes: null, starts: null, blob: null });
      v.copy.disabled = true;
      v.scroll.hidden = true;
      const errors = res.errors || [];
      v.errors.hidden = !errors.length;
      v.errors.replaceChildren(...errors.map((e) => errorItem(e, () => this.host._goto(e.line, e.col))));
      v.status.textContent = res.failed || (errors.length === 1 ? 'The scenario has an error; fix it to see the program.' : `The scenario has ${errors.length} errors; fix them to see the program.`);
      return;
    }
    // The program as UTF-8 bytes, where its lines start and how wide the widest is (the code
    // scrolls sideways to it): the worker's work, not this thread's.
    Object.assign(v, { bytes: res.bytes, starts: res.starts, blob: res.blob, drawn: null });
    const count = res.starts.length - 1;
    v.errors.hidden = true;
    v.errors.replaceChildren();
    v.scroll.hidden = false;
    v.copy.disabled = false;
    v.sizer.style.height = `${count * CODE_LINE_PX + 2 * CODE_PAD_PX}px`;
    v.sizer.style.width = `calc(${res.cols}ch + 24px)`;
    // Not toLocaleString: its first call loads the locale data, tens of ms on this thread.
    v.status.textContent = `${String(count).replace(/\B(?=(\d{3})+$)/g, ',')} lines`;
    this._draw(name);
  }

  /** Draws the program's lines (a long one's around what is on screen); comment lines muted. */
  _draw(name) {
    const v = this.code[name];
    const { bytes, starts } = v;
    if (!starts) return;
    const count = starts.length - 1;
    let [from, to] = [0, count];
    if (count > CODE_DRAW_ALL) {
      const top = Math.floor((v.scroll.scrollTop - CODE_PAD_PX) / CODE_LINE_PX);
      const bottom = top + Math.ceil((v.scroll.clientHeight || 720) / CODE_LINE_PX);
      const d = v.drawn;
      if (d && d.starts === starts && top >= d.from && bottom <= d.to) return;
      from = Math.max(0, top - CODE_MARGIN_LINES);
      to = Math.min(count, bottom + CODE_MARGIN_LINES);
    }
    v.drawn = { starts, from, to };
    v.pre.style.top = `${CODE_PAD_PX + from * CODE_LINE_PX}px`;
    const lines = CODE_TEXT.decode(bytes.subarray(starts[from], starts[to] - 1)).split('\n');
    const parts = [];
    let plain = '';
    for (const l of lines) {
      if (/^\s*\/\//.test(l)) {
        if (plain) { parts.push(plain); plain = ''; }
        parts.push(el('span', { class: 'c' }, l), '\n');
      } else {
        plain += `${l}\n`;
      }
    }
    if (plain) parts.push(plain);
    v.pre.replaceChildren(...parts);
  }

  async _copy(name) {
    const v = this.code[name];
    if (!v.bytes) return;
    let ok = true;
    try {
      // The worker's blob: the page's thread never copies a long program's text.
      await navigator.clipboard.write([new ClipboardItem({ 'text/plain': v.blob })]);
    } catch {
      const text = CODE_TEXT.decode(v.bytes);
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        ok = copyByCommand(this.host.shadowRoot, text);
      }
    }
    v.copy.textContent = ok ? 'Copied ✓' : 'Copy failed';
    v.copy.classList.toggle('copied', ok);
    this.host._announce.textContent = ok ? `The ${VIEWS[name].label} program is copied.` : `Could not copy: select the ${VIEWS[name].label} program and copy it.`;
    clearTimeout(v.copyTimer);
    v.copyTimer = setTimeout(() => { v.copy.textContent = 'Copy'; v.copy.classList.remove('copied'); }, 2000);
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('ctxgroup-playground')) customElements.define('ctxgroup-playground', CtxgroupPlayground);
