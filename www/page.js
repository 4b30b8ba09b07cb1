// The playground page: examples menu, share links and embed snippets around one
// <ctxgroup-playground>.
import { encodeScenario, decodeScenario } from './ctxgroup-playground.js';

const pg = document.getElementById('pg');
const select = document.getElementById('examples');
const lesson = document.getElementById('lesson');
const status = document.getElementById('status');
let examples = [];

function say(text) {
  status.textContent = text;
  clearTimeout(say.timer);
  if (text) say.timer = setTimeout(() => { status.textContent = ''; }, 6000);
}

function showExample(ex, push = true) {
  pg.value = ex.text;
  lesson.textContent = ex.lesson || ex.title;
  select.value = ex.id;
  if (push) history.replaceState(null, '', `#example=${encodeURIComponent(ex.id)}`);
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
    if (ex) { showExample(ex, false); return true; }
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

async function main() {
  try {
    examples = await (await fetch('examples.json')).json();
  } catch {
    examples = [];
  }
  select.replaceChildren(new Option('(your own)', ''), ...examples.map((e) => new Option(e.title, e.id)));
  select.addEventListener('change', () => {
    const ex = examples.find((e) => e.id === select.value);
    if (ex) showExample(ex);
  });
  if (!(await fromHash()) && examples.length) showExample(examples[0], false);
  window.addEventListener('hashchange', fromHash);
  // Editing the scenario (not moving a slider) makes it the user's own.
  pg.addEventListener('input', (e) => {
    if (e.composedPath()[0]?.tagName === 'TEXTAREA' && select.value) { select.value = ''; lesson.textContent = ''; }
  });

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
