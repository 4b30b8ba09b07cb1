// Exports: what is exported is what is shown, and every export either arrives whole or says
// why not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, typeScenario, pasteScenario, nextRunEnd } from './harness.mjs';

useBrowser();

test('export refuses a chart of an earlier text, and says why', async () => {
  const { page } = await open();
  await typeScenario(page, 'timeout 2s\ntask a 1s chek=never\n');
  await page.locator('#pg .errors li').first().waitFor();
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.locator('#pg summary', { hasText: 'Export' }).click();
  await page.locator('#pg').getByRole('button', { name: 'Trace JSON', exact: true }).click();
  // Said where the user looks: in the menu, which stays open.
  await page.locator('#pg details.menu[open] .why', { hasText: 'The chart is of an earlier text' }).waitFor();
  await page.waitForTimeout(300);
  assert.equal(downloads, 0, 'nothing downloaded');
  await page.close();
});

test('a chart too big for one PNG is scaled down to fit, never saved as an empty file', async () => {
  const { page } = await open();
  const ended = nextRunEnd(page);
  await pasteScenario(page, Array.from({ length: 3000 }, (_, i) => `task t${i} ${(i % 9) + 1}s`).join('\n'));
  assert.equal((await ended).ok, true);
  await page.locator('#pg summary', { hasText: 'Export' }).click();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('#pg').getByRole('button', { name: 'Chart as PNG', exact: true }).click()]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const png = Buffer.concat(chunks);
  assert.equal(png.subarray(1, 4).toString(), 'PNG', `a PNG, not ${png.subarray(0, 8).toString()}`);
  const height = png.readUInt32BE(20);
  assert.ok(height > 30_000 && height <= 32_767, `height ${height}`);
  await page.close();
});
