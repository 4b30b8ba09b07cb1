// The playground page: examples menu, share links and embed snippets around one
// <ctxgroup-playground>; the text is kept in local storage across reloads.
import { encodeScenario, decodeScenario } from './ctxgroup-playground.js';

const pg = document.getElementById('pg');
const select = document.getElementById('examples');
const lesson = document.getElementById('lesson');
const status = document.getElementById('status');
const STORE = 'ctxgroup-playground:scenario';
let examples = [];

function say(text, ...extra) {
  status.replaceChildren(text, ...extra);
  clearTimeout(say.timer);
  // An offer to undo stays until the text is edited or replaced again.
  if (text && !extra.length) say.timer = setTimeout(() => { status.replaceChildren(); }, 6000);
}

/** What the page shows: the example it is (its id, or '' for the user's own text) and its lesson.
 * Kept here, not read back from the menu: a menu browsed with the arrow keys has already moved. */
const shown = { example: '', lesson: '' };

function save() {
  try { localStorage.setItem(STORE, JSON.stringify({ text: pg.value, example: shown.example })); } catch { /* storage off or full */ }
}

function saved() {
  try { return JSON.parse(localStorage.getItem(STORE)); } catch { return null; }
}

/** The text before a chain of replacements (examples browsed one after another, a link
 * followed): what Undo brings back. */
let undoTo = null;

/** Shows `text` as example `example` ('' for none) with `lesson`. `undoable`: text of the user's
 * own that it replaces is one Undo (or Ctrl+Z) away. */
function show(text, { example = '', lesson: words = '', hash = null, undoable = false, what = '' } = {}) {
  const before = { text: pg.value, example: shown.example, lesson: shown.lesson, hash: location.hash };
  const own = before.text.trim() && before.text !== text && !examples.some((e) => e.text === before.text);
  if (undoable && (own || undoTo)) {
    undoTo ??= before;
    const to = undoTo;
    pg.replaceText(text);
    const undo = document.createElement('button');
    undo.textContent = 'Undo';
    undo.addEventListener('click', () => {
      undoTo = null;
      pg.replaceText(to.text);
      setShown(to.example, to.lesson);
      history.replaceState(null, '', to.hash || location.pathname + location.search);
      save();
      pg.run();
      say('');
      pg.focus();
    });
    say(`Your text was replaced by ${what}. `, undo, ' (or Ctrl+Z in the editor)');
  } else {
    undoTo = null;
    pg.value = text;
  }
  setShown(example, words);
  if (hash != null) history.replaceState(null, '', hash);
  save();
  pg.run();
}

function setShown(example, words) {
  Object.assign(shown, { example, lesson: words });
  select.value = example;
  lesson.textContent = words;
}

/** Shows an example; `undoable` keeps the replaced text one Undo (or Ctrl+Z) away. */
function showExample(ex, { push = true, undoable = false } = {}) {
  show(ex.text, {
    example: ex.id,
    lesson: ex.lesson || ex.title,
    hash: push ? `#example=${encodeURIComponent(ex.id)}` : null,
    undoable,
    what: `the example “${ex.title}”`,
  });
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    say(`${what} copied.`);
  } catch {
    window.prompt(`Copy the ${what.toLowerCase()}:`, text);
  }
}

/** Shows what the address names (an example, or a shared scenario). Text of the user's own that
 * it replaces, in the editor or kept from an earlier visit, is one Undo away. */
async function fromHash() {
  const hash = location.hash;
  if (hash.startsWith('#example=')) {
    const ex = examples.find((e) => e.id === decodeURIComponent(hash.slice(9)));
    if (ex) { showExample(ex, { push: false, undoable: true }); return true; }
  }
  try {
    const text = await decodeScenario(hash);
    if (text != null) {
      show(text, { lesson: 'A shared scenario.', undoable: true, what: 'the link’s scenario' });
      return true;
    }
  } catch (e) {
    say(`This link's scenario could not be read (${e.message}); showing an example instead.`);
  }
  return false;
}

function fromStorage() {
  const s = saved();
  if (!s || typeof s.text !== 'string') return false;
  const ex = examples.find((e) => e.id === s.example && e.text === s.text);
  if (ex) { showExample(ex, { push: false }); return true; }
  show(s.text);
  return true;
}

async function main() {
  try {
    examples = await (await fetch('examples.json')).json();
  } catch {
    examples = [];
  }
  select.replaceChildren(new Option('(your own)', ''), ...examples.map((e) => new Option(e.title, e.id)));
  select.addEventListener('change', () => {
    const ex = examples.find((e) => e.id === select.value);
    if (ex) showExample(ex, { undoable: true });
  });
  // A link opened over text kept from an earlier visit: that text is one Undo away.
  const kept = saved();
  if (kept && typeof kept.text === 'string') pg.value = kept.text;
  if (!(await fromHash()) && !fromStorage() && examples.length) showExample(examples[0], { push: false });
  window.addEventListener('hashchange', fromHash);
  // Editing the scenario (not moving a slider) makes it the user's own: it is kept in local
  // storage, and the address no longer names an example (a reload shows the edited text).
  pg.addEventListener('input', (e) => {
    if (e.composedPath()[0]?.tagName !== 'TEXTAREA') return;
    if (shown.example) setShown('', '');
    if (undoTo) { undoTo = null; say(''); }
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    clearTimeout(save.timer);
    save.timer = setTimeout(save, 300);
  });
  window.addEventListener('pagehide', save);

  document.getElementById('share').addEventListener('click', async () => {
    const hash = await encodeScenario(pg.value);
    history.replaceState(null, '', `#${hash}`);
    await copy(location.href, 'Link');
  });
  document.getElementById('embed').addEventListener('click', async () => {
    const base = new URL('.', location.href).href;
    const body = pg.value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // A module script from another site loads only if its server allows it (CORS): the frame
    // needs no such leave.
    const frame = `${base}embed.html#${await encodeScenario(pg.value)}`;
    // The frame as tall as the element is here (embed.html also posts its height, for hosts
    // that listen); the text in a <pre>, so that where the script does not load it reads as
    // it was written.
    const height = Math.ceil(pg.getBoundingClientRect().height);
    const snippet = `<!-- ctxgroup: the script below loads only where ${new URL(base).host} allows other sites to (CORS). Where it does not, use the frame instead:\n<iframe src="${frame}" style="width: 100%; height: ${height}px; border: 0"></iframe> -->\n<script type="module" src="${base}ctxgroup-playground.js"></script>\n<ctxgroup-playground autorun><pre>\n${body}</pre></ctxgroup-playground>\n`;
    copy(snippet, 'Embed snippet');
  });
}

main();
