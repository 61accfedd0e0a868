import * as assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { clickEvent, DEMO_DELIVERY_STREAMS, DEMO_STREAMS } from '../../src/core/local/demoData';
import { openDemoWorkbench, Workbench } from './harness';

/**
 * The demo's clickstream-archive in the browser: clicks go through the demo's TypeScript transform,
 * and the tree shows its delivered objects (partitioned by action, GZIP) and its error output (the
 * /help clicks the transform fails on purpose); one object opens decoded in an editor tab.
 */
describe('Firehose delivered objects in the browser (end to end)', function () {
  let wb: Workbench;
  before(async () => {
    wb = await openDemoWorkbench({ theme: 'dark', demoLambda: true, width: 1600, height: 1000 });
  });
  after(() => wb?.close());

  it("shows clickstream-archive's objects and error output in the tree, and opens one decoded", async () => {
    // A Kinesis source reads what arrives after the delivery stream was made: put clicks now, /help ones among them.
    const clicks = Array.from({ length: 120 }, () => clickEvent());
    await wb.client.send(new PutRecordsCommand({ StreamName: DEMO_STREAMS.clickstream, Records: clicks.map((c) => ({ PartitionKey: c.key, Data: Buffer.from(JSON.stringify(c.data)) })) }));
    for (let i = 0; i < 20; i++) {
      await wb.flushDeliveryStream(DEMO_DELIVERY_STREAMS.archive);
      await wb.page.waitForTimeout(500);
    }

    await wb.openKinesisView();
    await wb.widenSideBar(620);
    await wb.expandTreeItem('Local');
    await wb.expandTreeItem('Delivery streams (Firehose)');
    await wb.expandTreeItem('clickstream-archive');
    await wb.expandTreeItem('Delivered objects');
    const objectRows = wb.page.locator('.monaco-list-row[aria-label^="clicks/action="]');
    await objectRows.first().waitFor({ timeout: 60_000 }).catch(async (e) => {
      await wb.screenshot('firehose-objects-failed');
      throw e;
    });
    const objectTexts = await objectRows.allTextContents();
    assert.ok(objectTexts.every((t) => /^clicks\/action=\w+\/[0-9a-f]{8}\.gz.*record.*UTC$/.test(t)), objectTexts.join('\n'));
    await wb.expandTreeItem('Error output');
    await wb.page.waitForFunction(
      () => [...document.querySelectorAll('.monaco-list-row')].some((r) => /^errors\/processing-failed\//.test(r.getAttribute('aria-label') ?? '')),
      undefined,
      { timeout: 30_000 },
    );
    const all = (await wb.page.locator('.monaco-list-row').allTextContents()).join('\n');
    assert.match(all, /Delivered objects/);
    assert.match(all, /Error output/);
    assert.doesNotMatch(all, /No error output/, 'the /help clicks are in the error output');

    // Open the newest delivered object: an editor tab with its records, decoded and pretty.
    await objectRows.first().click();
    const editor = wb.page.locator('.editor-instance .view-lines').first();
    await wb.page.waitForFunction(() => /"action":/.test(document.querySelector('.editor-instance .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? ''), undefined, { timeout: 30_000 });
    const text = (await editor.textContent())?.replace(/\u00a0/g, ' ') ?? '';
    assert.match(text, /\/\/ clicks\/action=/);
    assert.match(text, /"section":/, 'the transform added its field');
    assert.doesNotMatch(text, /\/help/, 'failed clicks are not delivered');
    const tab = await wb.page.locator('.tabs-container .tab.active').textContent();
    assert.match(tab ?? '', /clickstream-archive-1-.*\.gz/);
    await wb.page.mouse.move(1200, 900);
    await wb.page.waitForTimeout(500);
    await wb.screenshot('firehose-objects');
  });
});
