// The editor with a long text (10,000 lines): pasting it never stalls the page, and it edits,
// scrolls, selects and copies as a textarea does, though only the lines around the view are laid out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open } from './harness.mjs';

useBrowser();

const long = (n = 10_000) => ['timeout 60s', 'limit 64', ...Array.from({ length: n }, (_, i) => `task t${i} ${100 + ((i * 37) % 900)}ms`)].join('\n') + '\n';
const value = (page) => page.evaluate(() => document.querySelector('#pg').value);
const inner = (page, fn, arg) => page.locator('#pg').evaluate((e, [src, a]) => new Function('root', 'arg', `return (${src})(root, arg)`)(e.shadowRoot, a), [fn.toString(), arg]);
/** The selection [start, end] in the whole text. */
const selection = (page) => page.evaluate(() => { const i = document.querySelector('#pg')._input; return [i.selectionStart, i.selectionEnd]; });
/** Where each line of `text` starts (line n, 1-based, at [n - 1]). */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
/** The number of the line the overlay draws `dy` px below the top of the editor's box. */
const lineDrawnAt = (page, dy) => inner(page, (r, dy) => {
  const box = r.querySelector('.code').getBoundingClientRect();
  const at = [...r.querySelectorAll('pre .l')].find((d) => { const b = d.getBoundingClientRect(); return b.top <= box.top + dy && b.bottom > box.top + dy; });
  return Number(at?.dataset.n);
}, dy);
/** The caret's line (1-based) in the whole text. */
const caretLine = (page) => page.evaluate(() => document.querySelector('#pg')._input.caretLine());

async function pasteLong(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator('#pg textarea').focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+v');
}

test('pasting 10,000 lines and running them never stalls the page over 100 ms, and the text is whole', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
  });
  const text = long();
  await pasteLong(page, text);
  await page.locator('#pg textarea').press('Control+Enter');
  await page.locator('#pg .summary', { hasText: 't0 completed' }).waitFor({ timeout: 30_000 });
  assert.equal(await value(page), text, 'the whole text is the scenario');
  const laidOut = await inner(page, (r) => r.querySelector('textarea').value.split('\n').length);
  assert.ok(laidOut < 1000, `the textarea holds ${laidOut} lines`);
  const stalls = await page.evaluate(() => window.__long);
  assert.ok(Math.max(0, ...stalls) <= 100, `main-thread stalls of ${stalls.join(', ')} ms from the paste on`);
  // Ctrl+Z gives the text from before the paste back.
  await page.keyboard.press('Control+z');
  assert.match(await value(page), /^# /, 'the example is back');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a long text scrolls: the lines in view are the text\'s, and a click puts the caret on the line under it', async () => {
  const { page } = await open();
  await pasteLong(page, long());
  await inner(page, (r) => { const c = r.querySelector('.code'); c.scrollTop = 5000 * 20; });
  // The textarea's lines are at their place: the line under a point is the overlay's number there.
  await page.waitForFunction(() => {
    const r = document.querySelector('#pg').shadowRoot;
    const t = r.querySelector('textarea');
    const box = r.querySelector('.code').getBoundingClientRect();
    const tb = t.getBoundingClientRect();
    return tb.top <= box.top && tb.bottom >= box.bottom;
  });
  const box = await page.locator('#pg .code').boundingBox();
  await page.mouse.click(box.x + 200, box.y + 110);
  const line = await caretLine(page);
  const shown = await lineDrawnAt(page, 110);
  assert.ok(line > 4900 && line < 5100, `caret on line ${line}`);
  assert.equal(line, shown, 'the caret is on the line drawn under the click');
  // Typing there edits that line of the whole text.
  await page.keyboard.press('Home');
  await page.keyboard.type('# here ');
  const lines = (await value(page)).split('\n');
  assert.match(lines[line - 1], /^# here task t\d+ /);
  assert.equal(lines.length, 10_003, 'no line added or lost');
  await page.close();
});

test('the caret moves through the whole long text from the keyboard, and a key never lands out of view', async () => {
  const { page } = await open();
  await pasteLong(page, long());
  await page.keyboard.press('Control+Home');
  assert.equal(await caretLine(page), 1);
  for (let i = 0; i < 400; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await caretLine(page), 401, 'past the first window');
  await page.keyboard.press('Control+End');
  assert.equal(await caretLine(page), 10_003, 'the last line');
  await page.keyboard.type('task last 1s');
  assert.match(await value(page), /\ntask last 1s$/);
  // The caret at line 2, the view scrolled far away: the next key brings the caret back first.
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  await inner(page, (r) => { r.querySelector('.code').scrollTop = 8000 * 20; });
  await page.waitForTimeout(100);
  await page.keyboard.type('#');
  assert.equal((await value(page)).split('\n')[1], '#limit 64');
  const top = await inner(page, (r) => r.querySelector('.code').scrollTop);
  assert.ok(top < 40 * 20, `the view went back to the caret (scrollTop ${top})`);
  await page.close();
});

test('select all in a long text copies all of it, and typing replaces all of it', async () => {
  const { page } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+c');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
  await page.keyboard.type('task a 1s');
  assert.equal(await value(page), 'task a 1s');
  assert.equal(await inner(page, (r) => r.querySelector('.code').classList.contains('long')), false, 'a short text again');
  // Cut takes all of a long text.
  await pasteLong(page, text);
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+x');
  assert.equal(await value(page), '');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
  await page.close();
});

test('an error on line 9,000 of a long text: clicking it brings its line into view with the caret on it', async () => {
  const { page } = await open();
  const lines = long().split('\n');
  lines[8999] = 'task oops 5q';
  await pasteLong(page, lines.join('\n'));
  await page.locator('#pg textarea').press('Control+Enter');
  const error = page.locator('#pg .errors li').first();
  await error.waitFor();
  assert.match(await error.textContent(), /^line 9000, col 12: unknown unit/);
  await error.click();
  assert.equal(await caretLine(page), 9000);
  const marked = await inner(page, (r) => {
    const box = r.querySelector('.code').getBoundingClientRect();
    const d = r.querySelector('pre .l.bad');
    const b = d?.getBoundingClientRect();
    return !!b && b.top >= box.top && b.bottom <= box.bottom;
  });
  assert.ok(marked, 'the marked line is in view');
  await page.close();
});

test('select all in a long text: Tab leaves it whole, and typing over it is undone by Ctrl+Z', async () => {
  const { page } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Tab');
  assert.equal(await value(page), text, 'Tab moves on and deletes nothing');
  await page.locator('#pg textarea').focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('x');
  assert.equal(await value(page), 'x');
  for (let i = 0; i < 3 && (await value(page)) !== text; i++) await page.keyboard.press('Control+z');
  assert.equal(await value(page), text, 'undone');
  // Deleting lines so that the text becomes short is undone as well.
  const justLong = long(1_001);
  await pasteLong(page, justLong);
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Delete');
  assert.equal((await value(page)).split('\n').length, 1_004 - 10, 'short now');
  assert.equal(await inner(page, (r) => r.querySelector('.code').classList.contains('long')), false);
  await page.keyboard.press('Control+z');
  assert.equal(await value(page), justLong, 'undone');
  await page.close();
});

test('a long text pasted over a short one shows its lines where the caret is, and takes clicks and keys there', async () => {
  const { page } = await open();
  await pasteLong(page, long());
  const covers = await inner(page, (r) => {
    const box = r.querySelector('.code').getBoundingClientRect();
    const t = r.querySelector('textarea').getBoundingClientRect();
    return t.top <= box.top + 1 && t.bottom >= box.bottom - 1;
  });
  assert.ok(covers, 'the textarea is under the view');
  const box = await page.locator('#pg .code').boundingBox();
  await page.mouse.click(box.x + 200, box.y + 50);
  await page.keyboard.press('Home');
  await page.keyboard.type('Q');
  const line = await caretLine(page);
  assert.ok(line > 9_900, `line ${line}`);
  assert.match((await value(page)).split('\n')[line - 1], /^Qtask /);
  await page.close();
});

test('Ctrl+Shift+End, Page Down and Backspace at the window\'s edge act on the whole long text, without stalls', async () => {
  const { page } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
  });
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Control+c');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text.split('\n').slice(9).join('\n'), 'copied from line 10 to the end');
  await page.keyboard.press('Delete');
  assert.equal(await value(page), text.split('\n').slice(0, 9).join('\n') + '\n');
  await page.keyboard.press('Control+z');
  assert.equal(await value(page), text);
  // Page Down moves the caret a page at a time.
  await page.keyboard.press('Control+Home');
  const before = await caretLine(page);
  for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown');
  const after = await caretLine(page);
  assert.ok(after - before > 5 * 10, `Page Down ×5: line ${before} → ${after}`);
  // Backspace at the start of the window's first line joins it to the line before.
  await inner(page, (r) => { r.querySelector('.code').scrollTop = 5000 * 20; });
  await page.waitForTimeout(100);
  const first = await page.evaluate(() => document.querySelector('#pg')._input._first);
  await page.evaluate((n) => { const i = document.querySelector('#pg')._input; const s = i.value.split('\n').slice(0, n).join('\n').length + 1; i.setSelectionRange(s); }, first);
  await page.evaluate(() => { const i = document.querySelector('#pg')._input; i.box.scrollTop = i._first * 20 + 60 * 20; });
  await page.keyboard.press('Backspace');
  const lines = (await value(page)).split('\n');
  assert.equal(lines.length, text.split('\n').length - 1, 'two lines joined');
  const stalls = await page.evaluate(() => window.__long);
  assert.ok(Math.max(0, ...stalls) <= 100, `main-thread stalls of ${stalls.join(', ')} ms`);
  await page.close();
});

test('a line wider than the box: its end scrolls into view beside the line numbers, never over them, and its error mark stays under its text', async () => {
  const { page, errors } = await open();
  const lines = long(1200).split('\n');
  lines[4] = `task wide 1s fail="${'x'.repeat(300)}" bogus=1`;
  await pasteLong(page, lines.join('\n'));
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.locator('#pg textarea').press('Control+Enter');
  await page.locator('#pg .code pre .l.bad mark').waitFor();
  await page.waitForTimeout(100); // the overlay follows the scroll on the next frame
  const at = await inner(page, (r) => {
    const t = r.querySelector('textarea');
    const row = r.querySelector('.code pre .l.bad');
    const mark = row.querySelector('mark').getBoundingClientRect();
    const code = r.querySelector('.code').getBoundingClientRect();
    const style = getComputedStyle(t);
    // Where the textarea draws column 1 of a line, and how wide a character is (monospace).
    const probe = document.createElement('span');
    probe.style.font = style.font;
    probe.textContent = 'x'.repeat(100);
    r.append(probe);
    const ch = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const col1 = t.getBoundingClientRect().left + parseFloat(style.paddingLeft) - t.scrollLeft;
    const gutter = parseFloat(getComputedStyle(row, '::before').width);
    return { scrolled: t.scrollLeft, taLeft: t.getBoundingClientRect().left - code.left, gutter,
      markLeft: mark.left, markWant: col1 + (row.textContent.indexOf('bogus')) * ch, markInBox: mark.right <= code.right && mark.left >= code.left + gutter };
  });
  assert.ok(at.scrolled > 1000, `the textarea scrolled ${at.scrolled} px to the caret`);
  assert.ok(at.taLeft >= at.gutter - 0.5, `the textarea starts ${at.taLeft} px in, over the ${at.gutter} px of line numbers`);
  assert.ok(Math.abs(at.markLeft - at.markWant) < 1.5, `the error mark is at ${at.markLeft} px, its text at ${at.markWant} px`);
  assert.ok(at.markInBox, 'the error mark is in view, beside the line numbers');
  await page.keyboard.press('Home');
  await page.waitForTimeout(100);
  const back = await inner(page, (r) => {
    const t = r.querySelector('textarea');
    return { scrolled: t.scrollLeft, pad: parseFloat(getComputedStyle(t).paddingLeft), sx: r.querySelector('.code pre').style.getPropertyValue('--cg-sx') };
  });
  // (A browser scrolls back only until the caret is in view: its line's start, within the padding.)
  assert.ok(back.scrolled <= back.pad, `Home leaves the line scrolled ${back.scrolled} px`);
  assert.equal(back.sx, `${back.scrolled}px`, 'the overlay follows the textarea back');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a mouse drag in a long text selects from where it began to where it ends, across lines the window did not hold', async () => {
  const { page, errors } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.keyboard.press('Control+Home');
  const box = await page.locator('#pg .code').boundingBox();
  // Press at the start of line 6 ("task t3 …"), scroll 700 lines down with the button held (as
  // a drag past the box's edge does, or the wheel), release on a line in view.
  const x0 = await inner(page, (r) => { const t = r.querySelector('textarea'); return t.getBoundingClientRect().left - r.querySelector('.code').getBoundingClientRect().left + parseFloat(getComputedStyle(t).paddingLeft); });
  await page.mouse.move(box.x + x0 + 1, box.y + 8 + 5 * 20 + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + x0 + 60, box.y + 8 + 7 * 20 + 10, { steps: 4 });
  for (let i = 0; i < 14; i++) {
    await page.mouse.wheel(0, 1000);
    await page.waitForTimeout(30);
  }
  await page.mouse.move(box.x + x0 + 41, box.y + 200, { steps: 4 });
  const under = await lineDrawnAt(page, 200);
  await page.mouse.up();
  const [start, end] = await selection(page);
  const starts = lineStarts(text);
  assert.ok(under > 700, `released on line ${under}`);
  assert.equal(start, starts[5], 'the selection starts where the drag began: line 6, column 1');
  assert.ok(end > starts[under - 1] && end <= starts[under], `the selection ends on line ${under} (at ${end}, the line spans ${starts[under - 1]}..${starts[under]})`);
  // Copy takes all of it.
  await page.keyboard.press('Control+c');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, text.slice(start, end));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a mouse drag past the bottom of a long text\'s box scrolls it, and the selection follows to the line under the pointer', async () => {
  const { page, errors } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.locator('#pg .summary', { hasText: 't0 completed' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Control+Home');
  const box = await page.locator('#pg .code').boundingBox();
  // The box's part in the window: it may reach below the window's bottom.
  const bottom = Math.min(box.y + box.height, 900);
  await page.mouse.move(box.x + 120, box.y + 8 + 2 * 20 + 10);
  await page.mouse.down();
  // Held past the bottom of what is shown of the box (out of the window): it scrolls on each frame.
  await page.mouse.move(box.x + 120, bottom + 150, { steps: 5 });
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelector('.code').scrollTop > 300 * 20, null, { timeout: 20_000 });
  await page.mouse.move(box.x + 120, bottom - 30, { steps: 2 });
  await page.mouse.up();
  const r = await page.evaluate(() => { const i = document.querySelector('#pg')._input; return { start: i.selectionStart, end: i.selectionEnd, top: i.scrollTop }; });
  const endLine = text.slice(0, r.end).split('\n').length;
  assert.equal(text.slice(0, r.start).split('\n').length, 3, 'the selection starts on the line pressed');
  assert.ok(endLine > 300, `the selection reaches line ${endLine}, where the box scrolled to`);
  const bottomLine = Math.floor((r.top + bottom - 30 - box.y - 8) / 20) + 1;
  assert.ok(Math.abs(endLine - bottomLine) <= 1, `it ends on line ${endLine}, under the pointer: line ${bottomLine}`);
  // The press ended: moving the mouse no longer selects.
  await page.mouse.move(box.x + 120, box.y + 40);
  const after = await page.evaluate(() => document.querySelector('#pg')._input.selectionEnd);
  assert.equal(after, r.end);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Ctrl+Z in a long text undoes typing made before the view moved far away, and Ctrl+Shift+Z redoes it', async () => {
  const { page, errors } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 49; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.type(' check=never');
  await page.keyboard.press('Home');
  await page.keyboard.press('Backspace'); // joins line 50 to line 49
  const edited = await value(page);
  assert.notEqual(edited, text);
  // Far away: the window holds other lines now (the browser's own undo history is gone with them).
  await inner(page, (r) => { r.querySelector('.code').scrollTop = 6000 * 20; });
  await page.waitForFunction(() => document.querySelector('#pg')._input._first > 5000);
  await page.keyboard.press('Control+z');
  const lines = (await value(page)).split('\n');
  assert.equal(lines.length, text.split('\n').length, 'the joined line is split again');
  assert.match(lines[49], / check=never$/, 'the typing is still there');
  await page.keyboard.press('Control+z');
  assert.equal(await value(page), text, 'all of it undone');
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await value(page), edited, 'and redone');
  assert.deepEqual(errors, []);
  await page.close();
});

test('undo in a long text: a typing run is one step, Ctrl+Y redoes, and a new edit after an undo drops the redo', async () => {
  const { page, errors } = await open();
  const text = long(3000);
  await pasteLong(page, text);
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.type(' # first');
  const first = await value(page);
  await page.waitForTimeout(1100); // a pause ends a typing run
  await page.keyboard.type(' # second');
  await page.keyboard.press('Control+z');
  assert.equal(await value(page), first, 'one Ctrl+Z undoes the second run, all of it');
  await page.keyboard.press('Control+y');
  assert.match((await value(page)).split('\n')[1], / # first # second$/);
  await page.keyboard.press('Control+z');
  await page.keyboard.type('!');
  await page.keyboard.press('Control+Shift+z');
  assert.match((await value(page)).split('\n')[1], / # first!$/, 'nothing to redo after a new edit');
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  assert.equal(await value(page), text);
  assert.deepEqual(errors, []);
  await page.close();
});

test('undo walks back through every edit of a long text, pastes and cuts included, and redo walks forward: each step a text the user had', async () => {
  const { page, errors } = await open();
  const text = long(3000);
  await pasteLong(page, text);
  const states = [await value(page)];
  const edit = async (f) => { await f(); await page.waitForTimeout(1100); states.push(await value(page)); };
  const at = async (line) => { await page.evaluate((n) => { const i = document.querySelector('#pg')._input; i.setSelectionRange(i.value.split('\n').slice(0, n - 1).join('\n').length + (n > 1 ? 1 : 0)); }, line); };
  await edit(async () => { await at(15); await page.keyboard.press('End'); await page.keyboard.press('Backspace'); });
  await edit(async () => { await page.evaluate(() => navigator.clipboard.writeText('PASTED\n')); await at(5); await page.keyboard.press('Control+v'); });
  await edit(async () => { await at(10); await page.keyboard.press('Control+v'); });
  await edit(async () => { await at(2000); await page.keyboard.type('typed '); });
  await edit(async () => { await at(20); for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+PageDown'); await page.keyboard.press('Control+x'); });
  await edit(async () => { await at(30); for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+PageDown'); await page.keyboard.type('Z'); });
  assert.equal(new Set(states).size, states.length, 'each edit changed the text');
  for (let k = states.length - 2; k >= 0; k--) {
    await page.keyboard.press('Control+z');
    assert.equal(await value(page), states[k], `undo to state ${k}`);
  }
  for (let k = 1; k < states.length; k++) {
    await page.keyboard.press('Control+Shift+z');
    assert.equal(await value(page), states[k], `redo to state ${k}`);
  }
  // Undo, then a new edit: nothing is left to redo.
  await page.keyboard.press('Control+z');
  await at(1);
  await page.keyboard.type('#');
  const now = await value(page);
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await value(page), now, 'no redo after a new edit');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a long pasted over a short text, typing, then undo all the way: the browser\'s own history never replays onto another text', async () => {
  const { page, errors } = await open();
  const example = await value(page);
  await pasteLong(page, long(1500));
  const pasted = await value(page);
  await page.keyboard.type('xy');
  const typed = await value(page);
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  const seen = [];
  for (let i = 0; i < 5; i++) { await page.keyboard.press('Control+z'); seen.push(await value(page)); }
  const name = (v) => ({ [example]: 'example', [pasted]: 'pasted', [typed]: 'typed' })[v] ?? 'a text the user never had';
  assert.deepEqual(seen.map(name), ['typed', 'pasted', 'example', 'example', 'example']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('in a long text, Shift+click extends the selection from the caret scrolled away, a right click keeps a long selection, and a click on a line number puts the caret at its line\'s start', async () => {
  const { page, errors } = await open();
  const text = long();
  await pasteLong(page, text);
  await page.keyboard.press('Control+Home');
  const box = await page.locator('#pg .code').boundingBox();
  const starts = lineStarts(text);
  // The caret on line 5, then 3,000 lines down, Shift+click.
  await page.evaluate((s) => document.querySelector('#pg')._input.setSelectionRange(s), starts[4]);
  await inner(page, (r) => { r.querySelector('.code').scrollTop = 3000 * 20; });
  await page.waitForTimeout(100);
  await page.keyboard.down('Shift');
  await page.mouse.click(box.x + 300, box.y + 100);
  await page.keyboard.up('Shift');
  let [s, e] = await selection(page);
  assert.equal(s, starts[4], 'from the caret on line 5');
  assert.ok(e > starts[2990], `to the click, 3,000 lines down (at ${e})`);
  // A right click inside keeps all of it.
  await page.mouse.click(box.x + 200, box.y + 150, { button: 'right' });
  await page.keyboard.press('Escape');
  [s, e] = await selection(page);
  assert.equal(s, starts[4], 'a right click keeps the selection');
  // A click on the number of the line under y + 200 puts the caret at that line's start.
  await page.mouse.click(box.x + 12, box.y + 200);
  const line = await caretLine(page);
  const shown = await lineDrawnAt(page, 200);
  assert.equal(line, shown);
  [s, e] = await selection(page);
  assert.deepEqual([s, e], [starts[line - 1], starts[line - 1]], 'at the line\'s start');
  assert.ok(await inner(page, (r) => r.activeElement === r.querySelector('textarea')), 'the editor has the focus');
  assert.deepEqual(errors, []);
  await page.close();
});

test('in a long text, an IME composition is one undo step, a click lands between whole characters, and a sideways wheel scrolls a wide line', async () => {
  const { page, errors } = await open();
  const lines = long(1200).split('\n');
  lines[3] = 'task emo 1s # 👨‍👩‍👧 e\u0301 ok';
  lines[6] = `task wide 1s # ${'w'.repeat(400)}`;
  await pasteLong(page, lines.join('\n'));
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('End');
  const before = await value(page);
  // A composition (as an input method makes one), then its commit: one Ctrl+Z takes it all.
  const cdp = await page.context().newCDPSession(page);
  for (const t of ['n', 'に', 'にh', 'にほ', 'にほn', 'にほん']) await cdp.send('Input.imeSetComposition', { text: t, selectionStart: t.length, selectionEnd: t.length });
  await cdp.send('Input.insertText', { text: '日本' });
  assert.equal((await value(page)).split('\n')[0], `${before.split('\n')[0]}日本`);
  await page.keyboard.press('Control+z');
  assert.equal(await value(page), before, 'one Ctrl+Z undoes the composed word');
  // A click in the middle of the family emoji, and on the accented e, puts the caret beside
  // them, never inside.
  const text = await value(page);
  const lineStart = text.split('\n').slice(0, 3).join('\n').length + 1;
  const emoji = lines[3].indexOf('👨');
  const accent = lines[3].indexOf('e\u0301');
  for (const [from, to] of [[emoji, emoji + '👨‍👩‍👧'.length], [accent, accent + 2]]) {
    const x = await inner(page, (r, [line, a, b]) => {
      // The x of the middle of characters a..b of line 4, as the overlay draws them.
      const row = [...r.querySelectorAll('pre .l')].find((d) => d.dataset.n === String(line));
      const range = document.createRange();
      range.setStart(row.firstChild, a);
      range.setEnd(row.firstChild, b);
      const box = range.getBoundingClientRect();
      return [box.left + box.width * 0.4, box.top + box.height / 2];
    }, [4, from, to]);
    await page.mouse.click(x[0], x[1]);
    const caret = await page.evaluate(() => document.querySelector('#pg')._input.selectionStart);
    assert.ok([lineStart + from, lineStart + to].includes(caret), `the caret at ${caret - lineStart}, between ${from} and ${to}`);
  }
  // A sideways wheel over line 7 scrolls the wide line; the overlay follows.
  const box = await page.locator('#pg .code').boundingBox();
  await page.mouse.move(box.x + 200, box.y + 8 + 6 * 20 + 10);
  await page.mouse.wheel(600, 0);
  await page.waitForTimeout(100);
  const side = await inner(page, (r) => ({ x: r.querySelector('textarea').scrollLeft, sx: r.querySelector('.code pre').style.getPropertyValue('--cg-sx') }));
  assert.ok(side.x > 300, `scrolled ${side.x} px sideways`);
  assert.equal(side.sx, `${side.x}px`);
  assert.deepEqual(errors, []);
  await page.close();
});
