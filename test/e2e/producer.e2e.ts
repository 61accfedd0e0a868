import * as assert from 'node:assert/strict';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { openDemoWorkbench, Workbench } from './harness';

async function countRecords(client: KinesisClient, stream: string): Promise<number> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  let n = 0;
  for (const s of shards) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const r = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      n += r.Records?.length ?? 0;
      if (!r.Records?.length) break;
      it = r.NextShardIterator;
    }
  }
  return n;
}

describe('Producer in the browser (end to end)', function () {
  let wb: Workbench;
  const stream = 'sensor-readings';
  before(async () => {
    wb = await openDemoWorkbench({ theme: 'dark', width: 1600, height: 1000 });
    await wb.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 4 }));
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot('producer-failed').catch(() => undefined);
  });
  after(() => wb?.close());

  it('opens from the palette, fills a template with a live preview, runs it to the end and shows per-shard totals', async () => {
    const { page } = wb;
    await wb.openKinesisView();
    await wb.runCommand('Kinesis: Produce Records');
    // One connection (Local) is chosen by itself; then the stream quick pick.
    const input = page.locator('.quick-input-widget input');
    await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${stream}"]`).waitFor({ timeout: 30_000 });
    await input.fill(stream);
    await page.keyboard.press('Enter');

    const f = await wb.webviewFrame('#tplText');
    await f.locator('#streamName').filter({ hasText: stream }).waitFor({ timeout: 30_000 });
    // Start from the IoT starter, then edit it: the preview follows the text.
    await f.locator('.preview-item').first().waitFor({ timeout: 30_000 });
    const template = [
      '{',
      '  "sensorId": "sensor-{{int(1, 12)}}",',
      '  "reading": {{counter}},',
      '  "temperature": {{float(18, 32, 2)}},',
      '  "status": {{pick(["OK", "WARN", "FAIL"], [90, 8, 2])}},',
      '  "site": "{{faker.location.city}}",',
      '  "time": "{{now}}"',
      '}',
    ].join('\n');
    await f.locator('#tplText textarea').fill(template);
    await f.waitForFunction(() => {
      const items = [...document.querySelectorAll('#tplPreview .preview-item pre')];
      return items.length === 5 && items.every((p) => /"reading": \d+/.test(p.textContent ?? '') && /"site": "/.test(p.textContent ?? ''));
    }, undefined, { timeout: 15_000 });
    assert.match((await f.locator('#tplMsg').textContent()) ?? '', /valid/);

    // A broken template says where, and Start is disabled.
    await f.locator('#tplText textarea').fill(template.replace('{{counter}}', '{{countr}}'));
    await f.locator('#tplMsg.error').waitFor({ timeout: 10_000 });
    assert.match((await f.locator('#tplMsg').textContent()) ?? '', /line 3, column \d+: unknown placeholder "countr"/);
    assert.equal(await f.locator('#start').getAttribute('disabled'), '');
    await f.locator('#tplText textarea').fill(template);
    await f.locator('#tplMsg.ok').waitFor({ timeout: 10_000 });

    // Key from the sensorId field; 6,000 records at 1,500 records/s.
    await f.locator('#tplKeyMode').click();
    await f.getByRole('option', { name: 'From a field' }).click();
    await f.locator('#tplKeyValue input').fill('sensorId');
    await f.locator('#amountValue input').fill('6000');
    await f.locator('#rate input').fill('1500');
    await f.waitForFunction(() => !document.getElementById('start')?.hasAttribute('disabled'), undefined, { timeout: 10_000 });
    await f.locator('#start').click();

    // Progress moves while it runs...
    await f.waitForFunction(() => {
      const t = document.getElementById('stSent')?.textContent ?? '';
      const n = Number(t.split('/')[0].replace(/[^\d]/g, ''));
      return document.body.dataset.runState === 'running' && n > 0 && n < 6000;
    }, undefined, { timeout: 30_000 });
    await wb.screenshot('producer-running');
    // ...and reaches the end.
    await f.locator('#resultText').filter({ hasText: 'Completed: 6,000 records sent' }).waitFor({ timeout: 90_000 });
    assert.match((await f.locator('#stSent').textContent()) ?? '', /6,000 \/ 6,000/);
    assert.equal(await f.locator('#shardTable tbody tr').count(), 4);
    assert.match((await f.locator('#resultText').textContent()) ?? '', /0 undelivered/);
    await wb.screenshot('producer');

    assert.equal(await countRecords(wb.client, stream), 6000);

    // One record: JSON validated as you type, then sent, with its shard and sequence number shown.
    await f.getByRole('tab', { name: 'One record' }).click();
    await f.locator('#oneData textarea').fill('{"hello": ');
    await f.locator('#oneDataMsg.error').waitFor({ timeout: 10_000 });
    await f.locator('#oneData textarea').fill('{"hello": "world"}');
    await f.locator('#oneKey input').fill('greeting');
    await f.waitForFunction(() => !document.getElementById('oneSend')?.hasAttribute('disabled'), undefined, { timeout: 10_000 });
    await f.locator('#oneSend').click();
    await f.locator('#oneResult.ok').waitFor({ timeout: 15_000 });
    assert.match((await f.locator('#oneResult').textContent()) ?? '', /^Sent to shardId-\d+, sequence number \d+$/);
    assert.equal(await countRecords(wb.client, stream), 6001);
    await wb.screenshot('producer-one-record');
  });

  it('comes back after a window reload on the same stream, with its forms', async () => {
    const { page } = wb;
    let f = await wb.webviewFrame('#oneData');
    assert.equal(await f.locator('#oneKey input').inputValue(), 'greeting');
    const navigated = page.waitForEvent('framenavigated', { predicate: (fr) => fr === page.mainFrame(), timeout: 60_000 });
    await wb.runCommand('Developer: Reload Window');
    await navigated;
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    f = await wb.webviewFrame('#oneData', 90_000);
    await f.waitForFunction((s) => document.getElementById('streamName')?.textContent === s, stream, { timeout: 30_000 });
    assert.equal(await f.locator('#oneKey input').inputValue(), 'greeting');
    // And it still sends: the restored panel is wired to the stream.
    await f.getByRole('tab', { name: 'One record' }).click();
    await f.waitForFunction(() => !document.getElementById('oneSend')?.hasAttribute('disabled'), undefined, { timeout: 10_000 });
    await f.locator('#oneSend').click();
    await f.locator('#oneResult.ok').waitFor({ timeout: 15_000 });
    assert.equal(await countRecords(wb.client, stream), 6002);
  });
});
