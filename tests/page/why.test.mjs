// The chart shows why: each stopped task says what stopped it in its own row, a connector runs
// from the cause to the effect over the return line, and hovering a task highlights its chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario } from './harness.mjs';

const env = useBrowser();

test('003-first-error: t2 says, in its row, that t1 failed with HTTP 502', async () => {
  const { page, errors } = await open(`${env.base}#example=003-first-error`);
  const why = page.locator('#pg svg g.cg-row[data-path="t2"] text.cg-why');
  assert.equal(await why.textContent(), 'cancelled at 2s: t1 failed: HTTP 502 · 1s of its 3s not done');
  const box = await why.boundingBox();
  const chart = await page.locator('#pg .chart').boundingBox();
  assert.ok(box.width > 100 && box.x >= chart.x && box.x + box.width <= chart.x + chart.width, 'the reason is on screen, whole');
  assert.match(await page.locator('#pg svg g.cg-row[data-path="t1"] text.cg-why').textContent(), /^failed at 2s: HTTP 502 → cancelled t2$/);
  // The connector and t2's end marker are over the return line, at the same time.
  const link = page.locator('#pg svg path.cg-link[data-from="t1"][data-to="t2"]');
  assert.equal(await link.count(), 1);
  const end = await page.locator('#pg svg g.cg-row[data-path="t2"] .cg-end').boundingBox();
  const top = await page.locator('#pg').evaluate((e, [x, y]) => e.shadowRoot.elementFromPoint(x, y)?.getAttribute('class'), [end.x + end.width / 2, end.y + end.height / 2]);
  assert.notEqual(top, 'cg-return', 'the end marker is not hidden by the return line');
  assert.deepEqual(errors, []);
  await page.close();
});

test('hovering a task highlights its causal chain and dims the rest', async () => {
  const { page } = await open();
  await typeScenario(page, 'task quick 1s\ntask t1 2s fail="HTTP 502"\ntask t2 3s\ntask t3 4s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 2s: HTTP 502' }).waitFor();
  await page.locator('#pg svg g.cg-row[data-path="t2"] rect.cg-cancelled').first().hover();
  const state = () => page.locator('#pg').evaluate((e) => {
    const r = e.shadowRoot;
    const on = [...r.querySelectorAll('g.cg-row.cg-on')].map((g) => g.dataset.path);
    const dim = [...r.querySelectorAll('g.cg-row')].filter((g) => getComputedStyle(g).opacity < 0.75).map((g) => g.dataset.path);
    const links = [...r.querySelectorAll('path.cg-link.cg-on')].map((p) => `${p.dataset.from}→${p.dataset.to}`);
    return { on, dim, links };
  });
  assert.deepEqual(await state(), { on: ['t1', 't2'], dim: ['quick', 't3'], links: ['t1→t2'] });
  // The culprit's chain is every task it stopped.
  await page.locator('#pg svg g.cg-row[data-path="t1"] rect.cg-failed').first().hover();
  assert.deepEqual(await state(), { on: ['t1', 't2', 't3'], dim: ['quick'], links: ['t1→t2', 't1→t3'] });
  await page.mouse.move(2, 2);
  for (let i = 0; i < 20 && (await state()).on.length; i++) await page.waitForTimeout(50);
  assert.deepEqual(await state(), { on: [], dim: [], links: [] }, 'leaving the chart ends the highlight');
  await page.close();
});

test('a task highlighted before a new run does not dim the new run\'s chart', async () => {
  const { page } = await open();
  await typeScenario(page, 'task t1 2s fail="x"\ntask t2 3s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 2s: x' }).waitFor();
  // t1 chosen in the chart highlights its chain; then the text is replaced without the
  // selection moving (an example picked, or the element's value set by its page).
  await page.locator('#pg .cscroll').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('#pg').shadowRoot.querySelector('svg.cg-dim'));
  await page.locator('#pg').evaluate((pg) => { pg.value = 'task other 1s\n'; pg.run(); });
  await page.locator('#pg .summary', { hasText: 'returned at 1s: ok' }).waitFor();
  const dimmed = await page.locator('#pg').evaluate((e) => [...e.shadowRoot.querySelectorAll('g.cg-row')].filter((g) => getComputedStyle(g).opacity < 0.75).map((g) => g.dataset.path));
  assert.deepEqual(dimmed, []);
  await page.close();
});

test('the legend explains every mark, the dashed leaked outline included', async () => {
  const { page } = await open(`${env.base}#example=004-leak`);
  const legend = await page.locator('#pg svg .cg-legend').textContent();
  for (const item of ['completed', 'failed', 'cancelled', 'running', 'waiting for a slot', 'ran on after cancel', 'work not done', 'leaked', 'deadline', 'cancel()', 'returned', 'cause → effect']) {
    assert.ok(legend.includes(item), `no legend entry for ${item}`);
  }
  assert.match(await page.locator('#pg svg g.cg-row[data-path="query"] text.cg-why').textContent(), /ran on 3s after the cancel at 2s .* leaked/);
  await page.close();
});

test('a race in Go that the chart draws one side of is said in the summary and in its row', async () => {
  // A TryGo at the instant a slot frees: in Go 1.23 b started in 5 of 10 runs.
  const { page, errors } = await open();
  await typeScenario(page, 'limit 1\ntask a 2s\ntask b 1s try after=2s\n');
  await page.locator('#pg .summary', { hasText: 'in Go a race: b may also complete at 3s' }).waitFor();
  // The row says it in its short form when the whole would not fit; its story says it whole.
  const why = page.locator('#pg svg g.cg-row[data-path="b"] text.cg-why');
  assert.match(await why.textContent(), /(a race in Go|in Go a race: it may also complete at 3s)$/);
  assert.match(await page.locator('#pg svg g.cg-row[data-path="b"] title').first().textContent(), /in Go a race: it may also complete at 3s/);
  // Instants apart: no race, nothing said.
  await typeScenario(page, 'limit 1\ntask a 2s\ntask b 1s try after=2.5s\n');
  await page.locator('#pg .summary', { hasText: 'returned at 3.5s' }).waitFor();
  assert.doesNotMatch(await page.locator('#pg .summary').textContent(), /race/);
  assert.deepEqual(errors, []);
  await page.close();
});
