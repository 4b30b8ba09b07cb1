// <ctxgroup-playground>: an editor, a Run button and a Gantt chart of what a scenario does, on
// the ctxgroup library compiled to WebAssembly. One module; every element on a page shares one
// wasm instance. The element's text is the scenario.
//
//   <script type="module" src="ctxgroup-playground.js"></script>
//   <ctxgroup-playground autorun>
//     timeout 7s
//     task t1 5s check=never
//     task t2 10s check=every:1s
//   </ctxgroup-playground>
//
// Attributes: mode (virtual|live), speed (0.1–10), readonly, autorun, theme (auto|light|dark),
// height (editor height, CSS length), full (page layout: editor beside the chart).
// Events (bubbling, composed): ctxgroup-run-start {mode}, ctxgroup-run-end {mode, ok, summary,
// returned, errors}.

let wasmReady = null;

/** Loads the wasm module once per page, whatever number of elements there are. */
export function loadWasm() {
  if (!wasmReady) {
    wasmReady = import(new URL('./pkg/ctxgroup.js', import.meta.url).href).then(async (mod) => {
      await mod.default({ module_or_path: new URL('./pkg/ctxgroup_bg.wasm', import.meta.url) });
      return mod;
    });
  }
  return wasmReady;
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

/** `z=` + deflate-raw + base64url when the browser compresses; `t=` + base64url otherwise. */
export async function encodeScenario(text) {
  const bytes = new TextEncoder().encode(text);
  if (typeof CompressionStream === 'function') {
    return 'z=' + toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')));
  }
  return 't=' + toBase64Url(bytes);
}

const MAX_SHARED_BYTES = 1_000_000;

/** Decodes a hash made by encodeScenario. The hash is untrusted: it only ever becomes editor text. */
export async function decodeScenario(hash) {
  const h = hash.replace(/^#/, '');
  const [kind, data] = [h.slice(0, 2), h.slice(2)];
  let bytes;
  if (kind === 'z=') {
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot open compressed links');
    const compressed = fromBase64Url(data);
    if (compressed.length > MAX_SHARED_BYTES) throw new Error('the link is too long');
    bytes = await pipe(compressed, new DecompressionStream('deflate-raw'));
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

function dedent(text) {
  const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^\s*/)[0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') + '\n';
}

function human(t) {
  const ms = Math.round(t * 1000);
  if (ms !== 0 && Math.abs(ms) < 1000) return `${ms}ms`;
  return `${+(ms / 1000).toFixed(3)}s`;
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
  if (['coal', 'navy', 'ayu'].some((t) => root.classList.contains(t))) return true;
  return matchMedia('(prefers-color-scheme: dark)').matches;
}

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];

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
.main { display: flex; flex-wrap: wrap; }
.left { flex: 1 1 100%; min-width: 0; display: flex; flex-direction: column; }
.right { flex: 1 1 100%; min-width: 0; }
:host([full]) .left { flex: 1 1 360px; max-width: 100%; border-right: 1px solid var(--cg-border); }
:host([full]) .right { flex: 3 1 560px; }
.editor { position: relative; display: flex; font: 13px/20px var(--cg-mono); border-bottom: 1px solid var(--cg-border); height: var(--cg-editor-height, auto); min-height: 120px; }
:host([full]) .editor { flex: 1; min-height: 160px; }
.editor:focus-within { outline: 2px solid var(--cg-accent); outline-offset: -2px; }
.code { position: relative; flex: 1; min-width: 0; }
/* Lines wrap; the overlay under the textarea wraps them the same way and carries the line numbers
   (so a wrapped line keeps one number), the error marks and the ✓/✗ of expect lines. */
.code textarea, .code pre { margin: 0; padding: 8px 8px 8px 4.2em; font: inherit; white-space: pre-wrap; overflow-wrap: anywhere;
  overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable; tab-size: 2; border: 0; width: 100%; height: 100%; }
.code textarea { position: absolute; inset: 0; resize: none; background: transparent; color: var(--cg-fg); caret-color: var(--cg-fg); outline: none; }
.code pre { overflow-y: hidden; color: transparent; pointer-events: none; min-height: 100%;
  background: linear-gradient(to right, var(--cg-panel) 3.4em, var(--cg-border) 3.4em, var(--cg-border) calc(3.4em + 1px), var(--cg-bg) calc(3.4em + 1px)); }
.code pre .l { position: relative; min-height: 20px; }
.code pre .l::before { content: attr(data-n); position: absolute; left: -4.2em; width: 3.4em; padding-right: 8px; text-align: right; color: var(--cg-muted); user-select: none; }
.code pre .l.bad::before { background: var(--cg-failed); color: #fff; font-weight: 700; }
.code pre .l.expect-ok::before { content: "✓ " attr(data-n); color: var(--cg-completed); }
.code pre .l.expect-bad::before { content: "✗ " attr(data-n); background: var(--cg-error-bg); color: var(--cg-failed); font-weight: 700; }
.code pre .l.sel { background: color-mix(in srgb, var(--cg-accent) 14%, transparent); }
.code pre mark { background: var(--cg-error-bg); color: transparent; text-decoration: underline wavy var(--cg-failed); text-decoration-skip-ink: none; border-radius: 2px; }
.errors { margin: 0; padding: 0; list-style: none; font-size: 13px; }
.errors li { padding: 6px 10px; background: var(--cg-error-bg); border-bottom: 1px solid var(--cg-border); cursor: pointer; }
.errors li b { color: var(--cg-failed); }
.errors li .hint { color: var(--cg-muted); }
.summary { padding: 8px 12px; font-weight: 600; border-bottom: 1px solid var(--cg-border); min-height: 38px; }
.summary.stale { opacity: .55; }
.chart { position: relative; overflow: auto; max-height: var(--cg-chart-height, 70vh); background: var(--cg-bg); }
.chart.stale { opacity: .55; }
.chart svg { display: block; }
.scrubline { position: absolute; top: 0; width: 2px; background: var(--cg-accent); opacity: .85; pointer-events: none; }
.scrub[hidden] { display: none; }
.scrub { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 12px; border-top: 1px solid var(--cg-border); font-size: 13px; }
.scrub input { flex: 1 1 200px; }
.scrub output { font: 13px var(--cg-mono); min-width: 5.5em; }
.states { flex: 1 1 100%; color: var(--cg-muted); font-size: 12px; }
.states span { display: inline-block; margin-right: 10px; white-space: nowrap; }
.states i { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; font-style: normal; }
details.log { border-top: 1px solid var(--cg-border); font-size: 12px; }
details.log > summary { padding: 8px 12px; cursor: pointer; color: var(--cg-muted); }
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
@media (max-width: 640px) { .kbd { display: none; } .toolbar { gap: 6px; } }
`;

export class CtxgroupPlayground extends HTMLElement {
  static get observedAttributes() { return ['theme', 'mode', 'readonly', 'height', 'speed']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._pg = null;
    this._trace = null;
    this._timer = null;
    this._frame = null;
    this._running = false;
    this._lastWidth = 0;
  }

  get value() { return this._textarea ? this._textarea.value : dedent(this.textContent || ''); }
  set value(text) {
    if (!this._textarea) { this.textContent = text; return; }
    this._textarea.value = text;
    this._expectMarks = null;
    this._renderLines();
    this._scheduleRun();
  }

  /** Replaces the scenario's text as an edit the user can undo (Ctrl+Z in the editor). */
  replaceText(text) {
    const t = this._textarea;
    if (!t) { this.value = text; return; }
    const had = this.shadowRoot.activeElement === t ? null : document.activeElement;
    t.focus({ preventScroll: true });
    t.select();
    // insertText goes through the editor's own undo history; assigning .value would not.
    if (!document.execCommand('insertText', false, text) || t.value !== text) t.value = text;
    t.setSelectionRange(0, 0);
    t.scrollTop = 0;
    had?.focus?.({ preventScroll: true });
    this._expectMarks = null;
    this._renderLines();
    this._scheduleRun();
  }
  get mode() { return this.getAttribute('mode') === 'live' ? 'live' : 'virtual'; }
  set mode(m) { this.setAttribute('mode', m === 'live' ? 'live' : 'virtual'); }
  /** The last trace, parsed. */
  get trace() { return this._trace; }

  connectedCallback() {
    if (!this._built) this._build();
    this._themeObserver = new MutationObserver(() => this._applyTheme());
    this._themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
    if (document.body) this._themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-theme'] });
    this._media = matchMedia('(prefers-color-scheme: dark)');
    this._onMedia = () => this._applyTheme();
    this._media.addEventListener('change', this._onMedia);
    this._resize = new ResizeObserver(() => {
      const w = this._chartWidth();
      if (this._trace && Math.abs(w - this._lastWidth) > 8 && !this._running) this._rerender();
    });
    this._resize.observe(this._chart);
    this._applyTheme(false);
    loadWasm().then((mod) => {
      if (!this.isConnected) return;
      this._pg = new mod.Playground();
      this._notice.textContent = '';
      if (this.hasAttribute('autorun') || this._runWhenReady) this.run();
    }).catch((e) => { this._notice.textContent = `Could not load the WebAssembly module: ${e.message}`; });
  }

  disconnectedCallback() {
    this.stop();
    clearTimeout(this._timer);
    this._themeObserver?.disconnect();
    this._media?.removeEventListener('change', this._onMedia);
    this._resize?.disconnect();
    if (this._pg) { this._pg.free(); this._pg = null; } // frees the Rust handle
  }

  attributeChangedCallback(name) {
    if (!this._built) return;
    if (name === 'theme') this._applyTheme();
    if (name === 'mode') this._syncMode();
    if (name === 'readonly') this._textarea.readOnly = this.hasAttribute('readonly');
    if (name === 'height') this._applyHeight();
    if (name === 'speed') this._syncSpeed();
  }

  _build() {
    this._built = true;
    const initial = dedent(this.textContent || '');
    const s = this.shadowRoot;
    s.append(el('style', {}, STYLE));
    this._runBtn = el('button', { class: 'primary', title: 'Run (Ctrl+Enter)', onclick: () => this.run() }, '▶ Run');
    this._stopBtn = el('button', { title: 'Stop the live run', disabled: true, onclick: () => this.stop() }, '■ Stop');
    this._virtualBtn = el('button', { 'aria-pressed': 'true', title: 'Virtual time: instant and deterministic', onclick: () => { this.mode = 'virtual'; } }, 'Virtual');
    this._liveBtn = el('button', { 'aria-pressed': 'false', title: 'Live: real browser timers, animated', onclick: () => { this.mode = 'live'; } }, 'Live');
    this._speedInput = el('input', { type: 'range', min: 0, max: SPEEDS.length - 1, step: 1, value: SPEEDS.indexOf(1), 'aria-label': 'Live speed' });
    this._speedOut = el('output', {}, '1×');
    this._speedInput.addEventListener('input', () => { this._speedOut.textContent = `${SPEEDS[this._speedInput.value]}×`; });
    this._speed = el('label', { class: 'speed', hidden: true }, 'speed', this._speedInput, this._speedOut);
    const exportItems = el('div', { class: 'items' },
      el('button', { onclick: () => this._export('svg') }, 'Chart as SVG'),
      el('button', { onclick: () => this._export('png') }, 'Chart as PNG'),
      el('button', { onclick: () => this._export('chrome') }, 'Chrome trace JSON (Perfetto)'),
      el('p', {}, 'Open it at ui.perfetto.dev → “Open trace file”, or in chrome://tracing.'),
      el('button', { onclick: () => this._export('trace') }, 'Trace JSON'));
    this._exportMenu = el('details', { class: 'menu' }, el('summary', { class: 'btn' }, 'Export ▾'), exportItems);
    const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Playground controls' },
      this._runBtn, this._stopBtn,
      el('span', { class: 'seg', role: 'group', 'aria-label': 'Mode' }, this._virtualBtn, this._liveBtn),
      this._speed, el('span', { class: 'kbd' }, 'Ctrl/⌘+Enter runs'), el('span', { class: 'spacer' }), this._exportMenu);
    this._overlay = el('pre', { 'aria-hidden': 'true' });
    this._textarea = el('textarea', { spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', 'aria-label': 'Scenario' });
    this._textarea.value = initial;
    this._textarea.readOnly = this.hasAttribute('readonly');
    this._textarea.addEventListener('input', () => {
      // The old run's marks belong to the old text.
      this._expectMarks = null;
      this._renderLines();
      this._scheduleRun();
    });
    this._textarea.addEventListener('scroll', () => { this._overlay.scrollTop = this._textarea.scrollTop; });
    this.shadowRoot.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); this.run(); }
      if (e.key === 'Escape' && this._running) this.stop();
    });
    this._editor = el('div', { class: 'editor' }, el('div', { class: 'code' }, this._overlay, this._textarea));
    this._errors = el('ul', { class: 'errors', role: 'alert' });
    this._notice = el('div', { class: 'notice' }, 'Loading…');
    this._summary = el('div', { class: 'summary', 'aria-live': 'polite' });
    this._expects = el('ul', { class: 'expects', 'aria-label': 'Expectations' });
    this._chart = el('div', { class: 'chart' });
    this._scrubline = el('div', { class: 'scrubline', hidden: true });
    this._scrubInput = el('input', { type: 'range', min: 0, max: 1000, value: 1000, 'aria-label': 'Time' });
    this._scrubOut = el('output', {}, '');
    this._states = el('div', { class: 'states', 'aria-live': 'off' });
    this._scrubInput.addEventListener('input', () => this._scrub());
    // Hovering or focusing a task highlights its causal chain and dims the rest.
    this._chart.addEventListener('pointerover', (e) => this._highlight(e.target.closest?.('g.cg-row')?.dataset.path ?? null));
    this._chart.addEventListener('pointerleave', () => this._highlight(null));
    this._chart.addEventListener('focusin', (e) => this._highlight(e.target.closest?.('g.cg-row')?.dataset.path ?? null));
    this._chart.addEventListener('focusout', () => this._highlight(null));
    this._scrub_ = el('div', { class: 'scrub' }, el('span', {}, 'time'), this._scrubInput, this._scrubOut, this._states);
    this._logBody = el('tbody');
    this._logCount = el('span', {}, '');
    this._log = el('details', { class: 'log' }, el('summary', {}, 'Event log ', this._logCount),
      el('div', { class: 'logwrap' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 't'), el('th', {}, 'task'), el('th', {}, 'event'), el('th', {}, 'detail'))), this._logBody)));
    const left = el('div', { class: 'left' }, this._editor, this._errors);
    const right = el('div', { class: 'right' }, this._summary, el('div', { style: 'position:relative' }, this._chart), this._expects, this._scrub_, this._log, this._notice);
    this._left = left;
    this._right = right;
    this._chart.append(this._scrubline);
    s.append(el('div', { class: 'cg', part: 'container' }, toolbar, el('div', { class: 'main' }, left, right)));
    this._summary.textContent = 'Press Run (Ctrl/⌘+Enter) to see what happens.';
    this._summary.classList.add('stale');
    this._scrub_.hidden = true;
    this._applyHeight();
    this._syncMode();
    this._syncSpeed();
    this._renderLines();
  }

  _applyHeight() {
    const h = this.getAttribute('height');
    if (h) this.style.setProperty('--cg-editor-height', /^\d+$/.test(h) ? `${h}px` : h);
    else this.style.removeProperty('--cg-editor-height');
    // Sized to its text (wrapped lines count) when it is not beside the chart.
    if (!h && (!this.hasAttribute('full') || this._stacked())) {
      const lines = Math.round(Math.max(0, this._overlay.scrollHeight - 16) / 20) || this._textarea.value.split('\n').length;
      this._editor.style.height = `${Math.min(Math.max(lines, 3), this.hasAttribute('full') ? 9 : 18) * 20 + 18}px`;
    } else {
      this._editor.style.height = '';
    }
  }

  _syncMode() {
    const live = this.mode === 'live';
    this._virtualBtn.setAttribute('aria-pressed', String(!live));
    this._liveBtn.setAttribute('aria-pressed', String(live));
    this._speed.hidden = !live;
    if (!live && (this._running || this._shownMode === 'live')) {
      // What is shown is a live run's: show the virtual run instead.
      this.stop();
      if (this._pg) this.run();
    }
  }

  _syncSpeed() {
    const s = parseFloat(this.getAttribute('speed'));
    if (Number.isFinite(s)) {
      let best = 0;
      SPEEDS.forEach((v, i) => { if (Math.abs(Math.log(v / s)) < Math.abs(Math.log(SPEEDS[best] / s))) best = i; });
      this._speedInput.value = best;
      this._speedOut.textContent = `${SPEEDS[best]}×`;
    }
  }

  _dark() {
    const theme = this.getAttribute('theme') || 'auto';
    if (theme === 'dark') return true;
    if (theme === 'light') return false;
    return hostPrefersDark();
  }

  _applyTheme(rerender = true) {
    const dark = this._dark();
    this.toggleAttribute('data-dark', dark);
    if (rerender && this._trace && !this._running) this._rerender();
  }

  /** Whether the editor is above the chart rather than beside it. */
  _stacked() { return !!this._right && this._right.offsetTop > this._left.offsetTop + 8; }

  _chartWidth() { return Math.max(320, Math.floor(this._chart.clientWidth || this.clientWidth || 800)); }

  _scheduleRun() {
    clearTimeout(this._timer);
    this._applyHeight();
    if (this.mode === 'virtual' && !this.hasAttribute('readonly')) this._timer = setTimeout(() => this.run(), 300);
  }

  /** Runs the scenario in the current mode. */
  run() {
    clearTimeout(this._timer);
    if (!this._pg) { this._runWhenReady = true; return; }
    this.stop();
    const text = this._textarea.value;
    const mode = this.mode;
    this.dispatchEvent(new CustomEvent('ctxgroup-run-start', { bubbles: true, composed: true, detail: { mode } }));
    if (mode === 'live') return this._startLive(text);
    let res;
    try {
      res = JSON.parse(this._pg.run(text, this._chartWidth(), this._dark()));
    } catch (e) {
      res = { ok: false, errors: [{ line: 1, col: 1, endCol: 2, message: `internal error: ${e.message}`, hint: '', text: String(e) }] };
      // A trapped wasm instance cannot be reused: start a fresh one.
      loadWasm().then((mod) => { try { this._pg?.free(); } catch (_) { /* already gone */ } this._pg = new mod.Playground(); });
    }
    this._show(res, mode, true);
  }

  /** Stops a live run (its timers are released). */
  stop() {
    if (this._frame) cancelAnimationFrame(this._frame);
    this._frame = null;
    if (!this._running) return;
    if (this._pg) {
      const snap = JSON.parse(this._pg.stop_live(this._chartWidth(), this._dark()));
      if (snap.ok) this._show(snap, 'live', false);
    }
    this._finishLive(true);
  }

  _startLive(text) {
    const speed = SPEEDS[this._speedInput.value] || 1;
    const res = JSON.parse(this._pg.start_live(text, speed));
    if (!res.ok) { this._show(res, 'live', true); return; }
    this._running = true;
    this._stopBtn.disabled = false;
    this._runBtn.textContent = '↻ Restart';
    this._showErrors([]);
    let last = 0;
    const tick = (now) => {
      if (!this._running) return;
      if (now - last > 90) {
        last = now;
        const snap = JSON.parse(this._pg.live_snapshot(this._chartWidth(), this._dark()));
        if (snap.ok) {
          this._show(snap, 'live', snap.done);
          if (snap.done) { this._finishLive(); return; }
        }
      }
      this._frame = requestAnimationFrame(tick);
    };
    this._frame = requestAnimationFrame(tick);
  }

  _finishLive(stopped = false) {
    this._running = false;
    this._stopBtn.disabled = true;
    this._runBtn.textContent = '▶ Run';
    if (this._trace) this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: this._endDetail('live', !stopped, [], stopped) }));
  }

  _endDetail(mode, ok, errors = [], stopped = false) {
    const shown = ok || stopped;
    return { mode, ok, stopped, errors, summary: shown ? this._summary.textContent : '', returned: ok ? this._trace?.returned ?? null : null, trace: shown ? this._trace : null };
  }

  _show(res, mode, final) {
    if (!res.ok) {
      // The last run's expect results belong to a text that no longer parses.
      this._expectMarks = null;
      this._expects.replaceChildren();
      this._showErrors(res.errors);
      this._summary.classList.add('stale');
      this._chart.classList.add('stale');
      if (final) this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: this._endDetail(mode, false, res.errors) }));
      return;
    }
    this._showErrors([]);
    this._summary.classList.remove('stale');
    this._chart.classList.remove('stale');
    this._trace = res.trace;
    this._now = res.now;
    this._shownMode = mode;
    this._expectMarks = new Map((res.trace.expectations || []).map((x) => [x.line, x]));
    this._scrub_.hidden = false;
    this._summary.textContent = res.summary;
    this._setSvg(res.svg);
    this._renderExpects();
    this._renderLog();
    this._scrubInput.value = 1000;
    this._scrub();
    if (final && mode === 'virtual') this.dispatchEvent(new CustomEvent('ctxgroup-run-end', { bubbles: true, composed: true, detail: this._endDetail(mode, true) }));
  }

  _setSvg(svg) {
    // The SVG comes from the Rust renderer, which escapes every name and message.
    this._chart.innerHTML = svg;
    this._chart.append(this._scrubline);
    if (this._hlPath) this._applyHighlight();
    this._lastWidth = this._chartWidth();
  }

  _rerender() {
    if (!this._pg || !this._trace) return;
    this._setSvg(this._pg.render(this._chartWidth(), this._dark()));
    this._scrub();
  }

  /** The tasks on `path`'s causal chain: what stopped it (and so on up), and what it stopped. */
  _chainOf(path) {
    const tasks = this._trace?.tasks || [];
    if (this._effectsOf?.trace !== this._trace) {
      const map = new Map();
      const byPath = new Map(tasks.map((t) => [t.path, t]));
      for (const t of tasks) if (t.cause_task) (map.get(t.cause_task) || map.set(t.cause_task, []).get(t.cause_task)).push(t.path);
      this._effectsOf = { trace: this._trace, map, byPath };
    }
    const { map, byPath } = this._effectsOf;
    const chain = new Set([path]);
    for (let p = byPath.get(path)?.cause_task; p && !chain.has(p); p = byPath.get(p)?.cause_task) chain.add(p);
    const todo = [path];
    while (todo.length) for (const q of map.get(todo.pop()) || []) if (!chain.has(q)) { chain.add(q); todo.push(q); }
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
    for (const g of this._chart.querySelectorAll('g.cg-row')) g.classList.toggle('cg-on', !!chain && chain.has(g.dataset.path));
    for (const l of this._chart.querySelectorAll('path.cg-link')) {
      const { from, to } = l.dataset;
      l.classList.toggle('cg-on', !!chain && chain.has(to) && (chain.has(from) || from.startsWith('mark:')));
    }
  }

  _showErrors(errors) {
    this._errors.replaceChildren(...errors.map((e) => {
      const li = el('li', { tabindex: 0, title: 'Go to the error' },
        el('b', {}, `line ${e.line}, col ${e.col}: `), e.message, e.hint ? el('span', { class: 'hint' }, ` — ${e.hint}`) : '');
      const go = () => this._goto(e.line, e.col);
      li.addEventListener('click', go);
      // Enter's default action would otherwise land in the editor, focused by go().
      li.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
      return li;
    }));
    this._badLines = new Map();
    for (const e of errors) if (!this._badLines.has(e.line)) this._badLines.set(e.line, e);
    this._renderLines();
  }

  _goto(line, col) {
    const lines = this._textarea.value.split('\n');
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, col - 1);
    this._textarea.focus();
    this._textarea.setSelectionRange(pos, pos);
  }

  /** The overlay under the textarea: line numbers, error marks, ✓/✗ of expect lines, the selected line. */
  _renderLines() {
    if (!this._textarea) return;
    const bad = this._badLines || new Map();
    const expects = bad.size ? new Map() : (this._expectMarks || new Map());
    const lines = this._textarea.value.split('\n');
    const rows = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const n = i + 1;
      const line = lines[i];
      const d = document.createElement('div');
      d.className = 'l';
      d.dataset.n = n;
      const e = bad.get(n);
      if (e) {
        d.className = 'l bad';
        const chars = Array.from(line);
        const a = Math.min(e.col - 1, chars.length);
        const b = Math.max(a + 1, Math.min(e.endCol - 1, chars.length));
        d.append(chars.slice(0, a).join(''), el('mark', { title: e.text }, chars.slice(a, b).join('') || ' '), chars.slice(b).join(''));
      } else {
        d.textContent = line;
        const x = expects.get(n);
        if (x) d.className = x.ok ? 'l expect-ok' : 'l expect-bad';
      }
      if (n === this._selLine) d.classList.add('sel');
      rows[i] = d;
    }
    this._overlay.replaceChildren(...rows);
    this._overlay.scrollTop = this._textarea.scrollTop;
  }

  _renderExpects() {
    const xs = this._trace?.expectations || [];
    const items = xs.map((x) => el('li', { class: x.ok ? 'ok' : 'bad' }, `line ${x.line}: ${x.message}`));
    if (this.mode === 'live' && /^\s*expect\b/m.test(this._textarea.value)) {
      items.push(el('li', {}, 'expect lines are checked in Virtual mode: real timers fire a little late.'));
    }
    this._expects.replaceChildren(...items);
    this._renderLines();
  }

  _renderLog() {
    const events = this._trace?.events || [];
    const shown = events.slice(0, 2000);
    this._logCount.textContent = `(${events.length}${events.length > shown.length ? `, first ${shown.length} shown` : ''})`;
    this._logBody.replaceChildren(...shown.map((e) => el('tr', {}, el('td', {}, human(e.t)), el('td', {}, e.task ?? '—'), el('td', {}, e.kind), el('td', {}, e.detail ?? ''))));
  }

  _stateAt(task, t) {
    if (t < task.spawned) return ['not yet spawned', 'transparent'];
    if (task.start == null || t < task.start) return ['waiting for a slot', 'var(--cg-queued)'];
    if (task.end == null || t < task.end) {
      if (task.cancel_requested != null && t >= task.cancel_requested) return ['running, cancel requested', 'var(--cg-running)'];
      return ['running', 'var(--cg-running)'];
    }
    return [task.outcome, `var(--cg-${task.outcome})`];
  }

  _scrub() {
    const trace = this._trace;
    const svg = this._chart.querySelector('svg');
    if (!trace || !svg) { this._scrubline.hidden = true; return; }
    // A live run's scrubber spans the time so far: at its right end it reads the snapshot's now.
    const end = (this._shownMode === 'live' && this._now != null && !trace.returned ? this._now : trace.end) || 1;
    const t = (this._scrubInput.value / 1000) * end;
    this._scrubOut.textContent = `t = ${human(t)}`;
    const left = parseFloat(svg.dataset.left);
    const plot = parseFloat(svg.dataset.plotWidth);
    const span = parseInt(svg.dataset.endUs, 10) / 1e6;
    if (Number.isFinite(left) && this._scrubInput.value < 1000) {
      this._scrubline.hidden = false;
      this._scrubline.style.left = `${left + (t / span) * plot - 1}px`;
      this._scrubline.style.height = `${svg.getAttribute('height')}px`;
    } else this._scrubline.hidden = true;
    const tasks = trace.tasks.slice(0, 60);
    this._states.replaceChildren(...tasks.map((task) => {
      const [state, color] = this._stateAt(task, t);
      return el('span', {}, el('i', { style: `background:${color}` }), `${task.path}: ${state}`);
    }), trace.tasks.length > 60 ? el('span', {}, `… and ${trace.tasks.length - 60} more`) : '');
  }

  _export(kind) {
    this._exportMenu.open = false;
    if (!this._pg || !this._trace) return;
    if (kind === 'svg') download('ctxgroup.svg', this._pg.render(this._chartWidth(), this._dark()), 'image/svg+xml');
    if (kind === 'trace') download('ctxgroup.trace.json', this._pg.trace_json(), 'application/json');
    if (kind === 'chrome') download('ctxgroup.chrome-trace.json', this._pg.chrome_json(), 'application/json');
    if (kind === 'png') {
      const svg = this._pg.render(this._chartWidth(), this._dark());
      const img = new Image();
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      img.onload = () => {
        const scale = 2;
        const canvas = el('canvas', { width: img.width * scale, height: img.height * scale });
        const ctx = canvas.getContext('2d');
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0);
        URL.revokeObjectURL(url);
        canvas.toBlob((blob) => download('ctxgroup.png', blob), 'image/png');
      };
      img.src = url;
    }
  }
}

if (!customElements.get('ctxgroup-playground')) customElements.define('ctxgroup-playground', CtxgroupPlayground);
