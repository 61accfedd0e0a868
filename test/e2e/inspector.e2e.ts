import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Frame } from 'playwright-core';
import { openDemoWorkbench, Workbench } from './harness';

/** A CloudWatch Logs subscription payload, gzip-compressed as CloudWatch sends it to Kinesis. */
function cloudWatchPayload(): Buffer {
  const now = Date.now();
  return gzipSync(
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/aws/lambda/checkout',
      logStream: '2026/11/28/[$LATEST]abc',
      subscriptionFilters: ['to-kinesis'],
      logEvents: [
        { id: '1', timestamp: now, message: 'START RequestId: 1' },
        { id: '2', timestamp: now + 1, message: 'payment declined for order o-17' },
      ],
    }),
  );
}

async function matchText(f: Frame): Promise<string> {
  return (await f.locator('#matchCount').textContent()) ?? '';
}

for (const theme of ['dark', 'light'] as const) {
  describe(`Record inspector in the browser, ${theme} theme (end to end)`, function () {
    let wb: Workbench;
    before(async () => {
      wb = await openDemoWorkbench({ theme, width: 1600, height: 1000 });
      // Beside the demo's JSON orders: a gzip CloudWatch Logs payload and a record that looks like HTML.
      await wb.client.send(
        new PutRecordsCommand({
          StreamName: 'orders',
          Records: [
            { PartitionKey: 'logs', Data: cloudWatchPayload() },
            { PartitionKey: 'xss', Data: Buffer.from('<img src=x onerror=alert(1)>') },
          ],
        }),
      );
    });
    after(() => wb?.close());

    it('opens from the tree, reads decoded records, filters with JMESPath and shows HTML-looking data as text', async () => {
      const { page } = wb;
      await wb.openKinesisView();
      await wb.expandTreeItem('Local');
      const orders = wb.treeItem('orders');
      await orders.waitFor({ timeout: 30_000 });
      await orders.hover();
      await orders.locator('.action-label[aria-label^="Inspect Records"]').click();

      const f = await wb.webviewFrame('#position');
      // Start at the trim horizon (all history), all shards.
      await f.locator('#position').click();
      await f.getByText('Trim horizon (oldest)', { exact: true }).click();
      await f.locator('#play').click();
      await f.waitForFunction(() => /^\s*[\d,]{3,} records/.test(document.getElementById('matchCount')?.textContent ?? ''), undefined, { timeout: 60_000 });
      await f.locator('.vt-row:not([hidden]):not(.loading)').first().waitFor({ timeout: 30_000 });
      const total = Number((await matchText(f)).replace(/[^\d]/g, ''));
      assert.ok(total >= 200, `read the demo history (${total})`);
      // Per-shard status: the split parent and its children are all listed.
      assert.ok((await f.locator('.shard-strip .chip').count()) >= 5);

      // The record that looks like HTML shows as those characters, and no element was made from it.
      await f.locator('#fText input').fill('onerror');
      await f.waitForFunction(() => /^1 of /.test(document.getElementById('matchCount')?.textContent ?? ''), undefined, { timeout: 15_000 });
      const xssRow = f.locator('.vt-row:not([hidden]):not(.loading)').first();
      await xssRow.waitFor();
      assert.equal((await xssRow.locator('.c-preview').textContent())?.trim(), '<img src=x onerror=alert(1)>');
      await xssRow.click();
      await f.locator('#detailBody pre.text').waitFor({ timeout: 15_000 });
      assert.equal(await f.locator('#detailBody pre.text').textContent(), '<img src=x onerror=alert(1)>');
      assert.equal(await f.locator('img').count(), 0, 'no <img> element exists in the webview');

      // The CloudWatch Logs payload is decoded (gzip, then the subscription message).
      await f.locator('#fText input').fill('payment declined');
      await f.waitForFunction(() => /^[1-9]\d* of /.test(document.getElementById('matchCount')?.textContent ?? ''), undefined, { timeout: 15_000 });
      const cwRow = f.locator('.vt-row:not([hidden]):not(.loading)').first();
      await cwRow.click();
      await f.waitForFunction(() => /gzip/.test(document.getElementById('detailMeta')?.textContent ?? ''), undefined, { timeout: 15_000 });

      // A JMESPath filter over the decoded JSON.
      await f.locator('#fText input').fill('');
      await f.locator('#fJmes input').fill("city == 'Lisbon' && total > `100`");
      await f.locator('#fJmes input').press('Enter');
      await f.waitForFunction(() => /^\d+ of /.test(document.getElementById('matchCount')?.textContent ?? ''), undefined, { timeout: 15_000 });
      const matching = Number((await matchText(f)).split(' of ')[0].replace(/[^\d]/g, ''));
      assert.ok(matching > 0 && matching < total, `the filter keeps some records (${matching} of ${total})`);
      const previews = await f.locator('.vt-row:not([hidden]):not(.loading) .c-preview').allTextContents();
      assert.ok(previews.length > 0 && previews.every((p) => p.includes('"city":"Lisbon"')), previews.join('\n'));
      assert.equal(await f.locator('#filterError').isHidden(), true);

      // A syntax error shows inline and does not throw.
      await f.locator('#fJmes input').fill('city ==');
      await f.locator('#fJmes input').press('Enter');
      await f.locator('#filterError').waitFor({ state: 'visible', timeout: 15_000 });
      assert.match((await f.locator('#filterError').textContent()) ?? '', /ParserError|Invalid|Expected/i);
      await f.locator('#fJmes input').fill("city == 'Lisbon' && total > `100`");
      await f.locator('#fJmes input').press('Enter');
      await f.locator('#filterError').waitFor({ state: 'hidden', timeout: 15_000 });

      // Select a record so the detail pane shows coloured JSON, then take the picture.
      await f.locator('.vt-row:not([hidden]):not(.loading)').nth(1).click();
      await f.locator('#detailBody .json-key').first().waitFor({ timeout: 15_000 });
      assert.ok((await f.locator('#detailBody .json-string').count()) > 0);
      await page.waitForTimeout(2500); // let the charts draw a second sample
      await wb.screenshot(`inspector-${theme}`);
    });
  });
}
