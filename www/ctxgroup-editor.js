// The scenario editor's text: a <textarea> that, for a long text, holds only the lines around
// the ones in view. A browser lays out and paints all of a textarea's text on every change: a
// 10,000-line scenario costs ~300 ms of layout and ~100 ms of paint each time, so pasting one
// would freeze the page. Past LONG_LINES lines the editor box scrolls instead of the textarea;
// the textarea sits in the box at its lines' place, sized to them (it never scrolls itself), and
// moves on (takes the next lines) as the box scrolls, the caret moves or the text is searched.
//
// Positions (`selectionStart`, `setSelectionRange`, `replaceRange`) are in the whole text. What
// a window cannot do as a plain textarea does, and what is done instead:
// - Select all (Ctrl/⌘+A) selects the whole text: a copy or cut takes it all, typing or pasting
//   replaces it all.
// - A caret scrolled out of view: the next key brings it back first (as a textarea scrolls to
//   its caret), so a key never lands elsewhere.
// - Undo (Ctrl/⌘+Z) reaches back to when the window last moved.

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
    this._all = false; // the whole text is selected
    this._away = null; // the selection [start, end], while it is out of the window
    this._stale = true; // the textarea's lines are not the whole text's (it was replaced)
    const t = textarea;
    t.addEventListener('input', () => { this._whole = null; this._starts = null; this._fit(); }, true);
    t.addEventListener('paste', (e) => this._paste(e), true);
    t.addEventListener('keydown', (e) => this._key(e), true);
    t.addEventListener('pointerdown', () => { this._all = false; this._away = null; }, true);
    t.addEventListener('copy', (e) => this._copy(e, false));
    t.addEventListener('cut', (e) => this._copy(e, true));
    box.addEventListener('scroll', () => this._follow(), { passive: true });
  }

  /** The whole text. */
  get value() {
    if (this._whole == null) this._whole = this.long ? this._before + this.textarea.value + this._after : this.textarea.value;
    return this._whole;
  }

  set value(text) {
    this._all = false;
    this._away = null;
    this._take(text, 0, 0);
  }

  get selectionStart() { return this._selection()[0]; }
  get selectionEnd() { return this._selection()[1]; }

  /** The scroll position of the text, in px. */
  get scrollTop() { return this.long ? this.box.scrollTop : this.textarea.scrollTop; }
  set scrollTop(y) { if (this.long) this.box.scrollTop = y; else this.textarea.scrollTop = y; }
  get clientHeight() { return (this.long ? this.box.clientHeight : this.textarea.clientHeight) || 600; }

  /** The 1-based line of the caret. */
  caretLine() {
    if (this.long && !this._away && !this._all) {
      const t = this.textarea;
      return this._first + 1 + countNewlines(t.value, t.selectionStart);
    }
    return countNewlines(this.value, this.selectionStart) + 1;
  }

  /** Selects `start..end` of the whole text, bringing it into the window. */
  setSelectionRange(start, end = start) {
    this._all = false;
    this._away = null;
    if (!this.long) { this.textarea.setSelectionRange(start, end); return; }
    this._show(start, end);
  }

  /** Replaces `start..end` of the whole text with `text`, the caret after it. */
  replaceRange(text, start, end) {
    const whole = this.value;
    const caret = start + text.length;
    this._all = false;
    this._away = null;
    this._take(whole.slice(0, start) + text + whole.slice(end), caret, caret);
  }

  focus(options) { this.textarea.focus(options); }

  // ---------- inside ----------

  _selection() {
    if (this._all) return [0, this.value.length];
    if (this._away) return this._away;
    const t = this.textarea;
    const off = this.long ? this._before.length : 0;
    return [off + t.selectionStart, off + t.selectionEnd];
  }

  /** Sets the whole text (switching between a short and a long one), selecting start..end. */
  _take(text, start, end) {
    const long = countNewlines(text, text.length) + 1 > LONG_LINES;
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
    if (a < top || b >= top + rows) {
      top = Math.max(0, a - Math.floor(rows / 3));
      this.box.scrollTop = top * LINE;
    }
    const [from, to] = [Math.min(a, top), Math.max(b + 1, top + rows)];
    if (!this._covers(from - MIN_MARGIN, to + MIN_MARGIN)) this._place(from - MARGIN, to + MARGIN);
    const off = this._before.length;
    this.textarea.setSelectionRange(start - off, end - off);
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
  _end() { return this._first + countNewlines(this.textarea.value, Infinity) + 1; }

  /** Whether the window holds lines from..to (clamped to the text's). */
  _covers(from, to) {
    if (this._stale) return false;
    return this._first <= Math.max(0, from) && this._end() >= Math.min(this._lineStarts().length, to);
  }

  /** After an edit: the textarea's height follows its lines, and a text that became short (or
   * long) is laid out as such. */
  _fit() {
    const t = this.textarea;
    if (this.long) t.style.height = `${(countNewlines(t.value, Infinity) + 1) * LINE + 2 * PAD}px`;
    const long = countNewlines(this.value, Infinity) + 1 > LONG_LINES;
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

  /** A paste over the whole text, or one that lands out of view, goes to the whole text. */
  _paste(e) {
    if (!this.long || !(this._all || this._away) || this.textarea.readOnly) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const [start, end] = this._selection();
    this.replaceRange(e.clipboardData?.getData('text/plain') ?? '', start, end);
    this.textarea.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertFromPaste' }));
  }

  /** Selects start..end again after the window moved: in it, or held aside until a key. */
  _reselect(start, end) {
    const t = this.textarea;
    const off = this._before.length;
    if (this._all) { t.select(); return; }
    if (start >= off && end <= off + t.value.length) {
      this._away = null;
      t.setSelectionRange(start - off, end - off);
    } else {
      this._away = [start, end];
    }
  }

  _key(e) {
    if (!this.long) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    if (mod && key.toLowerCase() === 'a') {
      e.preventDefault();
      this._all = true;
      this._away = null;
      this.textarea.select();
      return;
    }
    if (['Control', 'Meta', 'Shift', 'Alt'].includes(key) || (mod && ['c', 'x', 'v', 'z', 'y', 'Enter'].includes(key.toLowerCase()))) {
      // Copy, cut and paste see the whole selection (copy, cut and paste handlers); undo and the
      // element's own keys leave it as it is.
      if (!(mod && ['z', 'y'].includes(key.toLowerCase()))) return;
    }
    if (this._all) {
      this._all = false;
      if (NAVIGATION.has(key) && !e.shiftKey) {
        e.preventDefault();
        const end = ['ArrowDown', 'ArrowRight', 'PageDown', 'End'].includes(key);
        this.setSelectionRange(end ? this.value.length : 0);
      } else if (!mod && !this.textarea.readOnly && (key.length === 1 || key === 'Enter' || key === 'Backspace' || key === 'Delete' || key === 'Tab')) {
        // Typing replaces the whole text: empty it, and the key lands in it.
        this._take('', 0, 0);
        this.textarea.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'deleteContentBackward' }));
        if (key === 'Backspace' || key === 'Delete') e.preventDefault();
      }
      return;
    }
    if (this._away) {
      // The caret is out of view: bring it back before the key acts on it.
      const [s, end] = this._away;
      this._away = null;
      this._show(s, end);
    }
    if (NAVIGATION.has(key)) {
      // Keep lines beyond the caret in the window, so that the caret can move onto them.
      const t = this.textarea;
      const line = this._first + countNewlines(t.value, t.selectionEnd);
      const far = mod && (key === 'Home' || key === 'End');
      const goal = far ? (key === 'End' ? this._lineStarts().length - 1 : 0) : line;
      const rows = Math.ceil(this.clientHeight / LINE);
      if (!this._covers(goal - rows - MIN_MARGIN, goal + rows + MIN_MARGIN)) {
        const [start, end] = this._selection();
        const starts = this._lineStarts();
        this._place(Math.min(lineOf(starts, start), goal) - MARGIN - rows, Math.max(lineOf(starts, end), goal) + MARGIN + rows);
        this._reselect(start, end);
      }
    }
  }

  _copy(e, cut) {
    if (!this.long || !this._all) return;
    e.preventDefault();
    e.clipboardData.setData('text/plain', this.value);
    if (cut && !this.textarea.readOnly) {
      this._all = false;
      this._take('', 0, 0);
      this.textarea.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'deleteByCut' }));
    }
  }

  _lineStarts() {
    const whole = this.value;
    if (!this._starts || this._starts.of !== whole) this._starts = { of: whole, at: lineStarts(whole) };
    return this._starts.at;
  }
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
