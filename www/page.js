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
  if (text) say.timer = setTimeout(() => { status.replaceChildren(); }, extra.length ? 15000 : 6000);
}

function save() {
  try { localStorage.setItem(STORE, JSON.stringify({ text: pg.value, example: select.value })); } catch { /* storage off or full */ }
}

function saved() {
  try { return JSON.parse(localStorage.getItem(STORE)); } catch { return null; }
}

/** Shows an example; `undoable` keeps the replaced text one Undo (or Ctrl+Z) away. */
function showExample(ex, { push = true, undoable = false } = {}) {
  const before = { text: pg.value, example: select.value, lesson: lesson.textContent, hash: location.hash };
  if (undoable && before.text.trim() && before.text !== ex.text) {
    pg.replaceText(ex.text);
    const undo = document.createElement('button');
    undo.textContent = 'Undo';
    undo.addEventListener('click', () => {
      pg.replaceText(before.text);
      select.value = before.example;
      lesson.textContent = before.lesson;
      history.replaceState(null, '', before.hash || location.pathname + location.search);
      save();
      pg.run();
      say('');
    });
    say(`Your text was replaced by the example “${ex.title}”. `, undo, ' (or Ctrl+Z in the editor)');
  } else {
    pg.value = ex.text;
  }
  lesson.textContent = ex.lesson || ex.title;
  select.value = ex.id;
  if (push) history.replaceState(null, '', `#example=${encodeURIComponent(ex.id)}`);
  save();
  pg.run();
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    say(`${what} copied.`);
  } catch {
    window.prompt(`Copy the ${what.toLowerCase()}:`, text);
  }
}

async function fromHash() {
  const hash = location.hash;
  if (hash.startsWith('#example=')) {
    const ex = examples.find((e) => e.id === decodeURIComponent(hash.slice(9)));
    if (ex) { showExample(ex, { push: false }); return true; }
  }
  try {
    const text = await decodeScenario(hash);
    if (text != null) {
      pg.value = text;
      select.value = '';
      lesson.textContent = 'A shared scenario.';
      pg.run();
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
  pg.value = s.text;
  select.value = '';
  lesson.textContent = '';
  pg.run();
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
  if (!(await fromHash()) && !fromStorage() && examples.length) showExample(examples[0], { push: false });
  window.addEventListener('hashchange', fromHash);
  // Editing the scenario (not moving a slider) makes it the user's own: it is kept in local
  // storage, and the address no longer names an example (a reload shows the edited text).
  pg.addEventListener('input', (e) => {
    if (e.composedPath()[0]?.tagName !== 'TEXTAREA') return;
    if (select.value) {
      select.value = '';
      lesson.textContent = '';
    }
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
  document.getElementById('embed').addEventListener('click', () => {
    const base = new URL('.', location.href).href;
    const body = pg.value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const snippet = `<script type="module" src="${base}ctxgroup-playground.js"></script>\n<ctxgroup-playground autorun>\n${body}</ctxgroup-playground>\n`;
    copy(snippet, 'Embed snippet');
  });
}

main();
