// The scenario editor's text: a <textarea> that, for a long text, holds only the lines around
// the ones in view. A browser lays out and paints all of a textarea's text on every change: a
// 10,000-line scenario costs ~300 ms of layout and ~100 ms of paint each time, so pasting one
// would freeze the page. Past LONG_LINES lines the editor box scrolls instead of the textarea;
// the textarea sits in the box at its lines' place, sized to them (it never scrolls itself), and
// moves on (takes the next lines) as the box scrolls, the caret moves or the text is searched.
//
// Positions (`selectionStart`, `setSelectionRange`, `replaceRange`) are in the whole text. What
// a window cannot do as a plain textarea does, and what is done instead:
// - A selection larger than the window (select all, Ctrl+Shift+End, a selection scrolled out
//   of it) is kept aside as a span of the whole text: copy and cut take all of it, typing,
//   Delete and pasting replace all of it.
// - A caret scrolled out of view: the next key brings it back first (as a textarea scrolls to
//   its caret), so a key never lands elsewhere. Page Up/Down, Ctrl+Home/End move the caret
//   over the whole text.
// - Undo (Ctrl/⌘+Z) and redo (Ctrl/⌘+Shift+Z, Ctrl+Y): the browser's own history is lost each
//   time the window moves, and would be replayed onto a different text after a text turned
//   long and short again, so the editor keeps its own, short text or long: each edit as the
//   text it replaced and the text it put there, at their place in the whole text (typing runs
//   and an IME's composition merged, as a browser's are). Pastes, cuts, typing over a span and
//   switching examples are edits in it like typing.
// - A mouse drag: the editor selects itself, from the position under the press to the one under
//   the pointer (the box scrolling when the pointer is past its edge, or with the wheel), as a
//   span when it reaches past the window. The browser's own drag would end at the window's edge.

/** A text of more lines than this is long: one line is 20 px, and lines do not wrap. */
export const LONG_LINES = 1000;
const LINE = 20;
const PAD = 8;
/** Lines kept around the ones in view; the window moves when fewer than MIN_MARGIN remain. */
const MARGIN = 100;
const MIN_MARGIN = 30;

const NAVIGATION = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', 'ArrowLeft', 'ArrowRight']);

/** Where each line of `text` starts. */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export class WindowedTextarea {
  /** `textarea` inside `box`: `box` scrolls a long text (the element styles `.long`). */
  constructor(textarea, box) {
    this.textarea = textarea;
    this.box = box;
    this.long = false;
    this._before = '';
    this._after = '';
    this._first = 0; // the window's first line
    this._whole = textarea.value; // the whole text, or null after an edit (computed again)
    this._starts = null; // lineStarts of _whole
    this._span = null; // a selection [start, end] that the window does not hold
    this._away = null; // the caret [start, end], while it is out of the window
    this._stale = true; // the textarea's lines are not the whole text's (it was replaced)
    this._done = []; // the edits, for undo: {at, removed, added, selBefore, selAfter, time}
    this._undone = []; // and those undone, for redo
    this._pending = null; // the textarea's text and selection before the edit under way
    const t = textarea;
    t.addEventListener('beforeinput', (e) => this._beforeInput(e), true);
    t.addEventListener('input', (e) => {
      if (!e.isComposing && !this._applying) this._record();
      this._whole = null;
      this._starts = null;
      this._fit();
    }, true);
    // A composition is one edit, recorded when it ends (after its last input).
    t.addEventListener('compositionend', () => this._record());
    t.addEventListener('paste', (e) => this._paste(e), true);
    t.addEventListener('keydown', (e) => this._key(e), true);
    // A plain click drops a span (a right click keeps it for the menu's Copy; Shift extends it).
    t.addEventListener('pointerdown', (e) => { if (e.button === 0 && !e.shiftKey) { this._span = null; this._away = null; } }, true);
    t.addEventListener('mousedown', (e) => this._press(e));
    // The line numbers beside a long text are the box's: a press there is at its line's start.
    box.addEventListener('mousedown', (e) => { if (e.target !== t) this._press(e); });
    // A long text's wide line scrolls sideways with a sideways wheel (or Shift+wheel), as it
    // does with the caret: the textarea does not scroll by itself (it is as tall as its lines).
    t.addEventListener('wheel', (e) => {
      const dx = e.deltaX || (e.shiftKey ? e.deltaY : 0);
      if (!this.long || !dx) return;
      const before = t.scrollLeft;
      t.scrollLeft += dx;
      if (t.scrollLeft !== before) e.preventDefault();
    }, { passive: false });
    t.addEventListener('copy', (e) => this._copy(e, false));
    t.addEventListener('cut', (e) => this._copy(e, true));
    box.addEventListener('scroll', () => {
      this._follow();
      // The line under a held mouse changed: the selection follows it, as a textarea's does.
      if (this._drag) this._dragTo(this._drag.x, this._drag.y);
    }, { passive: true });
  }

  /** The whole text. */
  get value() {
    if (this._whole == null) this._whole = this.long ? this._before + this.textarea.value + this._after : this.textarea.value;
    return this._whole;
  }

  set value(text) {
    this._span = null;
    this._away = null;
    this._done = [];
    this._undone = [];
    this._take(text, 0, 0);
  }

  /** Records the last change of the whole text (from `before`, with the selection `sel` then)
   * as one edit Ctrl+Z undoes. */
  remember(before, sel = [0, 0]) {
    const { at, removed, added } = change(before, this.value);
    this._push({ at, removed, added, selBefore: sel, selAfter: this._selection(), time: 0 });
  }

  get selectionStart() { return this._selection()[0]; }
  get selectionEnd() { return this._selection()[1]; }

  /** The scroll position of the text, in px. */
  get scrollTop() { return this.long ? this.box.scrollTop : this.textarea.scrollTop; }
  set scrollTop(y) { if (this.long) this.box.scrollTop = y; else this.textarea.scrollTop = y; }
  get clientHeight() { return (this.long ? this.box.clientHeight : this.textarea.clientHeight) || 600; }

  /** The 1-based line of the caret. */
  caretLine() {
    if (this.long && !this._away && !this._span) {
      const t = this.textarea;
      return this._first + 1 + countNewlines(t.value, t.selectionStart);
    }
    return countNewlines(this.value, this.selectionStart) + 1;
  }

  /** Selects `start..end` of the whole text, bringing it into the window. */
  setSelectionRange(start, end = start) {
    this._span = null;
    this._away = null;
    if (!this.long) { this.textarea.setSelectionRange(start, end); return; }
    this._show(start, end);
  }

  /** Replaces `start..end` of the whole text with `text`, the caret after it. */
  replaceRange(text, start, end) {
    const whole = this.value;
    const caret = start + text.length;
    this._span = null;
    this._away = null;
    this._take(whole.slice(0, start) + text + whole.slice(end), caret, caret);
  }

  /** Replaces the whole text as an edit Ctrl+Z undoes. */
  replaceAll(text) {
    const before = this.value;
    const sel = this._selection();
    this._span = null;
    this._away = null;
    this._take(text, 0, 0);
    this.remember(before, sel);
  }

  focus(options) { this.textarea.focus(options); }

  // ---------- inside ----------

  _selection() {
    if (this._span) return this._span;
    if (this._away) return this._away;
    const t = this.textarea;
    const off = this.long ? this._before.length : 0;
    return [off + t.selectionStart, off + t.selectionEnd];
  }

  /** Sets the whole text (switching between a short and a long one), selecting start..end. */
  _take(text, start, end) {
    const long = countLines(text) > LONG_LINES;
    const t = this.textarea;
    this._whole = text;
    this._starts = null;
    this._stale = true;
    if (long !== this.long) {
      this.long = long;
      this.box.classList.toggle('long', long);
      if (!long) {
        this._before = this._after = '';
        t.style.top = t.style.height = '';
        this.box.scrollTop = 0;
      }
    }
    if (!long) {
      if (t.value !== text) t.value = text;
      t.setSelectionRange(start, end);
      return;
    }
    this._show(start, end);
  }

  /** Moves the window so that start..end (whole-text positions) is in it, and selects it. */
  _show(start, end) {
    const starts = this._lineStarts();
    const a = lineOf(starts, start);
    const b = lineOf(starts, end);
    const rows = Math.ceil(this.clientHeight / LINE);
    // Keep what is in view when the selection is in it; else bring the selection into view.
    let top = Math.floor(this.box.scrollTop / LINE);
    const scroll = a < top || b >= top + rows;
    if (scroll) top = Math.max(0, a - Math.floor(rows / 3));
    // A long selection: the window holds the lines in view, and the rest is a span (holding
    // all the lines between its ends and the view would lay out thousands of them).
    const [from, to] = b - a > MARGIN ? [top, top + rows] : [Math.min(a, top), Math.max(b + 1, top + rows)];
    if (!this._covers(from - MIN_MARGIN, to + MIN_MARGIN)) this._place(from - MARGIN, to + MARGIN);
    // Scrolled once the textarea is there to scroll to (the box is no taller than its lines).
    if (scroll) this.box.scrollTop = top * LINE;
    this._reselect(start, end);
  }

  /** Puts lines first..last (clamped) in the textarea, keeping the selection if it stays in. */
  _place(first, last) {
    const whole = this.value;
    const starts = this._lineStarts();
    first = Math.max(0, first);
    last = Math.min(starts.length, Math.max(first + 1, last));
    const from = starts[first];
    const to = last < starts.length ? starts[last] - 1 : whole.length;
    const t = this.textarea;
    const focused = t.getRootNode().activeElement === t;
    this._before = whole.slice(0, from);
    this._after = whole.slice(to);
    this._first = first;
    this._stale = false;
    t.value = whole.slice(from, to);
    t.style.top = `${first * LINE}px`;
    t.style.height = `${(last - first) * LINE + 2 * PAD}px`;
    if (focused && t.getRootNode().activeElement !== t) t.focus({ preventScroll: true });
  }

  /** One past the window's last line. */
  _end() { return this._first + countLines(this.textarea.value); }

  /** Whether the window holds lines from..to (clamped to the text's). */
  _covers(from, to) {
    if (this._stale) return false;
    return this._first <= Math.max(0, from) && this._end() >= Math.min(this._lineStarts().length, to);
  }

  /** After an edit: the textarea's height follows its lines, and a text that became short (or
   * long) is laid out as such. */
  _fit() {
    const t = this.textarea;
    if (this.long) t.style.height = `${countLines(t.value) * LINE + 2 * PAD}px`;
    const long = countLines(this.value) > LONG_LINES;
    if (long !== this.long) {
      const [s, e] = this._selection();
      this._take(this.value, s, e);
    }
  }

  /** After a scroll: take the lines now in view (and a margin), keeping the selection. */
  _follow() {
    if (!this.long) return;
    const rows = Math.ceil(this.clientHeight / LINE);
    const top = Math.floor(this.box.scrollTop / LINE);
    if (this._covers(top - MIN_MARGIN, top + rows + MIN_MARGIN)) return;
    const [start, end] = this._selection();
    this._place(top - MARGIN, top + rows + MARGIN);
    this._reselect(start, end);
  }

  /** A paste into a long text, or a long paste, goes to the whole text directly: the browser's
   * own paste of thousands of lines lays all of them out. One Ctrl+Z undoes it. */
  _paste(e) {
    if (this.textarea.readOnly) return;
    const add = e.clipboardData?.getData('text/plain') ?? '';
    if (!this.long && countNewlines(add, Infinity) < LONG_LINES / 2) return;
    e.preventDefault();
    const [start, end] = this._selection();
    this._edit(add, start, end, 'insertFromPaste');
  }

  /** Replaces start..end of the whole text with `text` as an edit Ctrl+Z undoes. */
  _edit(text, start, end, inputType, typedOver = false) {
    const whole = this.value;
    // Typing over a span: the key's character joins this edit (one undo step, as in a browser).
    const edit = { at: start, removed: whole.slice(start, end), added: text, selBefore: this._selection(), time: 0, typedOver };
    this.replaceRange(text, start, end);
    this._push({ ...edit, selAfter: this._selection() });
    this._announce(inputType);
  }

  /** Tells the page about an edit the editor made itself (and recorded already, if at all): an
   * `input` event, as the browser's own edits send. */
  _announce(inputType) {
    this._applying = true;
    this.textarea.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType }));
    this._applying = false;
  }

  /** An edit is about to happen in the textarea: what it holds before (see _record). An undo
   * or redo from the browser's menu is ours, as Ctrl+Z is. */
  _beforeInput(e) {
    if (e.inputType === 'historyUndo' || e.inputType === 'historyRedo') {
      e.preventDefault();
      this._history(e.inputType === 'historyRedo');
      return;
    }
    // A composition's later steps keep what it started from.
    if (this._pending && e.isComposing) return;
    this._pending = { window: this.textarea.value, off: this.long ? this._before.length : 0, long: this.long, sel: this._selection() };
  }

  /** After an edit in the textarea: what it replaced, found by comparing its text before and
   * after (in a long text, only the window's: the lines around it are the same). */
  _record() {
    const pending = this._pending;
    this._pending = null;
    if (!pending || pending.long !== this.long || pending.off !== (this.long ? this._before.length : 0)) return;
    const a = pending.window;
    const b = this.textarea.value;
    const { at, removed, added } = change(a, b);
    const edit = { at: pending.off + at, removed, added, selBefore: pending.sel, selAfter: this._selection(), time: performance.now() };
    if (!edit.removed && !edit.added) return;
    // In a run of equal characters the comparison cannot tell where a character went in or
    // out ("t" typed before "task"): it did so at the caret, which keeps typing runs whole.
    const [caret, caretEnd] = pending.sel;
    const rel = caret - pending.off;
    if (caret === caretEnd && !edit.removed && b.slice(rel, rel + edit.added.length) === edit.added) edit.at = caret;
    if (caret === caretEnd && !edit.added && rel - edit.removed.length >= 0 && a.slice(rel - edit.removed.length, rel) === edit.removed) edit.at = caret - edit.removed.length;
    this._push(edit);
  }

  /** Adds an edit to the history (merged into the last one when both are part of one typing
   * run), and forgets what was undone. */
  _push(edit) {
    this._undone = [];
    const last = this._done[this._done.length - 1];
    // Typing runs are one undo step, as in a browser: characters added (or deleted) one after
    // the other, without a pause, until a line ends.
    const typed = (x) => x.length === 1 && x !== '\n';
    if (last?.typedOver && !edit.removed && edit.at === last.at + last.added.length) {
      last.added += edit.added;
      Object.assign(last, { selAfter: edit.selAfter, time: edit.time, typedOver: false });
      return;
    }
    if (last && edit.time && last.time && edit.time - last.time < 1000) {
      if (!edit.removed && typed(edit.added) && !last.removed && last.at + last.added.length === edit.at && !last.added.endsWith('\n')) {
        last.added += edit.added;
        Object.assign(last, { selAfter: edit.selAfter, time: edit.time });
        return;
      }
      if (!edit.added && typed(edit.removed) && !last.added && (edit.at + 1 === last.at || edit.at === last.at)) {
        last.removed = edit.at < last.at ? edit.removed + last.removed : last.removed + edit.removed;
        Object.assign(last, { at: Math.min(edit.at, last.at), selAfter: edit.selAfter, time: edit.time });
        return;
      }
    }
    this._done.push(edit);
    if (this._done.length > 1000) this._done.shift();
  }

  /** Undoes the last edit of a long text (or redoes the last undone). False if there is none
   * that fits the text as it is (it was changed by other means: the history is dropped). */
  _history(redo) {
    if (this.textarea.readOnly) return false;
    const from = redo ? this._undone : this._done;
    const edit = from.pop();
    if (!edit) return false;
    const [gone, put, sel] = redo ? [edit.removed, edit.added, edit.selAfter] : [edit.added, edit.removed, edit.selBefore];
    const whole = this.value;
    if (whole.slice(edit.at, edit.at + gone.length) !== gone) {
      this._done = [];
      this._undone = [];
      return false;
    }
    (redo ? this._done : this._undone).push(edit);
    this._span = null;
    this._away = null;
    this._take(whole.slice(0, edit.at) + put + whole.slice(edit.at + gone.length), sel[0], sel[1]);
    this._announce(redo ? 'historyRedo' : 'historyUndo');
    return true;
  }

  /** Selects anchor..focus of the whole text: in the window when it fits, else as a span. */
  _selectSpan(anchor, focus) {
    const [start, end] = [Math.min(anchor, focus), Math.max(anchor, focus)];
    this._show(focus, focus);
    this._reselect(start, end);
  }

  /** Selects start..end again after the window moved: in it; or, for a selection, as a span
   * (its part in the window selected); or, for a caret, held aside until a key. */
  _reselect(start, end) {
    const t = this.textarea;
    const off = this._before.length;
    const len = t.value.length;
    if (start >= off && end <= off + len) {
      this._away = null;
      this._span = null;
      t.setSelectionRange(start - off, end - off);
    } else if (start !== end) {
      this._span = [start, end];
      t.setSelectionRange(Math.min(Math.max(start - off, 0), len), Math.min(Math.max(end - off, 0), len));
    } else {
      this._away = [start, end];
    }
  }

  /** A mouse press in a long text: the drag that follows is the editor's (see the top). A
   * double or triple click (a word, a line) and other buttons are the browser's. */
  _press(e) {
    if (!this.long || e.button !== 0 || (e.detail > 1 && e.target === this.textarea) || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const at = this._positionAt(e.clientX, e.clientY);
    const [start, end] = this._selection();
    // Shift extends the selection from where it began (the last press), if that is still one
    // of its ends; else from the end away from the click.
    const kept = this._anchor === start || this._anchor === end ? this._anchor : null;
    const anchor = !e.shiftKey ? at : kept ?? (at >= start ? start : end);
    this._anchor = anchor;
    this.textarea.focus({ preventScroll: true });
    // The window's listeners: the pointer may leave the box (and the page) while it drags.
    const move = (m) => this._dragTo(m.clientX, m.clientY);
    const up = (u) => { if (u.type === 'mouseup' || u.target === window) this._release(u); }; // the page's blur, not an element's
    const drag = { anchor, x: e.clientX, y: e.clientY, frame: 0, move, up };
    for (const type of ['mousemove', 'mouseup', 'blur']) addEventListener(type, type === 'mousemove' ? move : up, true);
    this._drag = drag;
    this._selectToView(anchor, at);
  }

  _dragTo(x, y) {
    const drag = this._drag;
    drag.x = x;
    drag.y = y;
    // Past the top or bottom edge of the box's part in the window, the box scrolls on each
    // frame, faster further out.
    const past = (at) => { const [top, bottom] = this._shown(); return at < top ? at - top : at > bottom ? at - bottom : 0; };
    if (past(y) && !drag.frame) {
      drag.frame = requestAnimationFrame(() => {
        drag.frame = 0;
        const beyond = this._drag === drag ? past(drag.y) : 0;
        if (beyond) this.box.scrollTop += Math.sign(beyond) * Math.min(LINE * 4, Math.abs(beyond) / 2 + 4);
      });
    }
    // Past the text's left or right edge, a wide line scrolls sideways (once per move).
    const t = this.textarea.getBoundingClientRect();
    const side = x < t.left ? x - t.left : x > t.right ? x - t.right : 0;
    if (side && !(side < 0 && this.textarea.scrollLeft === 0)) this.textarea.scrollLeft += Math.sign(side) * Math.min(40, Math.abs(side) / 2 + 4);
    const [top, bottom] = this._shown();
    this._selectToView(drag.anchor, this._positionAt(x, Math.min(Math.max(y, top), bottom - 1)));
  }

  /** The top and bottom of the box's part in the window (client px). */
  _shown() {
    const box = this.box.getBoundingClientRect();
    return [Math.max(box.top, 0), Math.min(box.bottom, innerHeight)];
  }

  /** Selects anchor..focus, where focus is in view: the window moves to hold the view, never
   * the view to the selection (as `_show` does for the keyboard). */
  _selectToView(anchor, focus) {
    const line = lineOf(this._lineStarts(), focus);
    const top = Math.floor(this.box.scrollTop / LINE);
    const [from, to] = [Math.min(line, top), Math.max(line + 1, top + Math.ceil(this.clientHeight / LINE))];
    if (!this._covers(from - MIN_MARGIN, to + MIN_MARGIN)) this._place(from - MARGIN, to + MARGIN);
    this._reselect(Math.min(anchor, focus), Math.max(anchor, focus));
  }

  _release(e) {
    const drag = this._drag;
    if (!drag) return;
    if (e.type === 'mouseup') this._dragTo(e.clientX, e.clientY);
    cancelAnimationFrame(drag.frame);
    for (const type of ['mousemove', 'mouseup', 'blur']) removeEventListener(type, type === 'mousemove' ? drag.move : drag.up, true);
    this._drag = null;
  }

  /** The whole-text position under a point of the box: its line, then the character nearest. */
  _positionAt(x, y) {
    const t = this.textarea;
    const starts = this._lineStarts();
    const whole = this.value;
    const box = this.box.getBoundingClientRect();
    const line = Math.min(starts.length - 1, Math.max(0, Math.floor((y - box.top + this.box.scrollTop - PAD) / LINE)));
    const from = starts[line];
    const to = line + 1 < starts.length ? starts[line + 1] - 1 : whole.length;
    const style = getComputedStyle(t);
    let left = x - t.getBoundingClientRect().left - parseFloat(style.paddingLeft) + t.scrollLeft;
    if (left <= 0) return from;
    // Character by character, as the textarea lays them out (a tab to the next stop).
    const ctx = (this._measure ??= document.createElement('canvas').getContext('2d'));
    ctx.font = `${style.fontSize} ${style.fontFamily}`;
    const space = ctx.measureText(' ').width;
    const tab = (parseInt(style.tabSize, 10) || 8) * space;
    const widths = (this._widths?.font === ctx.font ? this._widths : (this._widths = { font: ctx.font, of: new Map() })).of;
    // By what a reader sees as one character (an emoji family, a letter and its accent).
    const graphemes = typeof Intl !== 'undefined' && Intl.Segmenter
      ? Array.from((this._segmenter ??= new Intl.Segmenter()).segment(whole.slice(from, to)), (g) => g.segment)
      : Array.from(whole.slice(from, to));
    let col = 0;
    let i = from;
    for (const ch of graphemes) {
      let w = widths.get(ch);
      if (w === undefined) widths.set(ch, (w = ctx.measureText(ch).width));
      if (ch === '\t') w = tab - (col % tab);
      if (left < w / 2) return i;
      left -= w;
      col += w;
      i += ch.length;
    }
    return to;
  }

  _key(e) {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    const lower = key.toLowerCase();
    if (mod && !e.altKey && (lower === 'z' || (lower === 'y' && !e.shiftKey))) {
      // The editor's own history (see the top).
      e.preventDefault();
      this._history(lower === 'y' || e.shiftKey);
      return;
    }
    if (!this.long) return;
    const t = this.textarea;
    if (mod && lower === 'a') {
      e.preventDefault();
      this._away = null;
      this._span = [0, this.value.length];
      t.select();
      return;
    }
    // Keys that leave the text and the selection as they are (copy, cut and paste have handlers
    // of their own; Tab and Escape leave the editor or the page's state).
    if (['Control', 'Meta', 'Shift', 'Alt', 'Tab', 'Escape', 'CapsLock'].includes(key) || (mod && ['c', 'x', 'v', 'z', 'y', 'enter'].includes(lower))) return;
    const far = mod && (key === 'Home' || key === 'End');
    const page = !mod && !e.altKey && (key === 'PageUp' || key === 'PageDown');
    if (this._span) {
      const [start, end] = this._span;
      const typed = !mod && !e.altKey && (key.length === 1 || key === 'Enter');
      if (typed || key === 'Backspace' || key === 'Delete') {
        if (t.readOnly) { e.preventDefault(); return; }
        // Typing or deleting over the span replaces all of it; a typed key then lands there.
        this._edit('', start, end, 'deleteContentBackward', typed);
        if (!typed) e.preventDefault();
        return;
      }
      if (NAVIGATION.has(key) && !e.shiftKey && !far && !page) {
        e.preventDefault();
        const toEnd = ['ArrowDown', 'ArrowRight', 'End'].includes(key);
        this.setSelectionRange(toEnd ? end : start);
        return;
      }
      if (!far && !page) {
        this._span = null;
        if (!NAVIGATION.has(key)) return;
      }
    }
    if (this._away) {
      // The caret is out of view: bring it back before the key acts on it.
      const [s, end] = this._away;
      this._away = null;
      this._show(s, end);
    }
    const [start, end] = this._selection();
    if (far || page) {
      // Over the whole text: the caret (or the selection's moving end) goes to the text's
      // start or end, or a page of lines up or down, keeping its column.
      e.preventDefault();
      const starts = this._lineStarts();
      const whole = this.value;
      const focus = end;
      let to;
      if (far) {
        to = key === 'End' ? whole.length : 0;
      } else {
        const rows = Math.max(1, Math.floor(this.clientHeight / LINE) - 1);
        const line = lineOf(starts, focus);
        const col = focus - starts[line];
        const target = Math.min(starts.length - 1, Math.max(0, line + (key === 'PageDown' ? rows : -rows)));
        const lineEnd = target + 1 < starts.length ? starts[target + 1] - 1 : whole.length;
        to = Math.min(starts[target] + col, lineEnd);
        this.box.scrollTop += (target - line) * LINE;
      }
      if (e.shiftKey) this._selectSpan(start === focus ? end : start, to);
      else this.setSelectionRange(to);
      return;
    }
    // Keep lines beyond the caret in the window, so that the caret can move (or delete) onto them.
    const line = this._first + countNewlines(t.value, t.selectionEnd);
    const rows = Math.ceil(this.clientHeight / LINE);
    if (!this._covers(line - rows - MIN_MARGIN, line + rows + MIN_MARGIN)) {
      const starts = this._lineStarts();
      this._place(Math.min(lineOf(starts, start), line) - MARGIN - rows, Math.max(lineOf(starts, end), line) + MARGIN + rows);
      this._reselect(start, end);
    }
  }

  _copy(e, cut) {
    if (!this.long || !this._span) return;
    e.preventDefault();
    const [start, end] = this._span;
    e.clipboardData.setData('text/plain', this.value.slice(start, end));
    if (cut && !this.textarea.readOnly) this._edit('', start, end, 'deleteByCut');
  }

  _lineStarts() {
    const whole = this.value;
    if (!this._starts || this._starts.of !== whole) this._starts = { of: whole, at: lineStarts(whole) };
    return this._starts.at;
  }
}

/** What changed from `before` to `after`: the text `removed` at `at` and the text `added`
 * there, between their common start and common end. */
function change(before, after) {
  let head = 0;
  while (head < before.length && head < after.length && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { at: head, removed: before.slice(head, before.length - tail), added: after.slice(head, after.length - tail) };
}

/** The number of lines of `text`. */
export function countLines(text) {
  return countNewlines(text, Infinity) + 1;
}

/** The number of newlines in `text` before position `end`. */
function countNewlines(text, end) {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The 0-based line of position `pos`, given where the lines start. */
function lineOf(starts, pos) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= pos) lo = mid; else hi = mid - 1;
  }
  return lo;
}
