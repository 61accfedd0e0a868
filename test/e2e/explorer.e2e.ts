import * as assert from 'node:assert/strict';
import { openDemoWorkbench, Workbench } from './harness';

describe('Kinesis view in the browser (end to end)', function () {
  let wb: Workbench;
  before(async () => {
    wb = await openDemoWorkbench({ theme: 'dark' });
  });
  after(() => wb?.close());

  it('opens the Kinesis view, expands Local and shows the demo streams and shards', async () => {
    await wb.openKinesisView();
    await wb.widenSideBar(560);
    await wb.expandTreeItem('Local');
    for (const name of ['clickstream', 'orders', 'iot-sensors']) {
      await wb.treeItem(name).waitFor({ timeout: 30_000 });
    }
    // The description shows status details once DescribeStreamSummary has answered.
    await wb.page.waitForFunction(() => /5 shards/.test(document.querySelector('.monaco-list-row[aria-label^="orders"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await wb.expandTreeItem('orders');
    await wb.expandTreeItem('Shards');
    const rows = wb.page.locator('.monaco-list-row[aria-label^="shardId-"]');
    await rows.nth(5).waitFor({ timeout: 30_000 });
    const labels = await rows.allTextContents();
    assert.equal(labels.length, 6, labels.join('\n'));
    assert.ok(labels.some((l) => /closed/.test(l)), 'the split parent shows as closed');
    assert.equal(labels.filter((l) => /split from #0/.test(l)).length, 2, 'two children show their lineage');
    await wb.page.mouse.move(1000, 600);
    await wb.page.waitForTimeout(300);
    await wb.screenshot('explorer');
    await wb.treeItem('orders').hover();
    await wb.page.locator('.monaco-hover, .workbench-hover').first().waitFor({ timeout: 5000 }).catch(() => undefined);
    await wb.screenshot('explorer-tooltip');
  });

  it('shows the demo delivery streams with their source, processing and destination', async () => {
    await wb.page.keyboard.press('Escape');
    await wb.treeItem('Shards').click();
    await wb.expandTreeItem('Delivery streams (Firehose)');
    await wb.expandTreeItem('clickstream-archive');
    const texts = async () => (await wb.page.locator('.monaco-list-row').allTextContents()).join('\n');
    await wb.page.waitForFunction(() => /Lambda enrich-clicks/.test(document.body.innerText), undefined, { timeout: 30_000 });
    const all = await texts();
    assert.match(all, /Kinesis stream clickstream/);
    assert.match(all, /Destination: S3\s*s3:\/\/demo-archive\/clicks\//);
    assert.match(all, /app-events\s*Direct PUT/);
    await wb.page.mouse.move(1000, 600);
    await wb.screenshot('explorer-firehose');
  });
});
