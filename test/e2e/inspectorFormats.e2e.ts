import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Frame } from 'playwright-core';
import { openDemoWorkbench, Workbench, inspectFromTrimHorizon } from './harness';
import { parseTemplateSpec, TemplateGenerator } from '../../src/core/producer/templates';
import { StreamService } from '../../src/core/kinesis/streamService';
import { formatColumnsList } from '../../src/core/records/formats';

/**
 * One stream holding every format AWS producers write, seeded with the producer's templates for
 * them (and a gzip CloudWatch Logs payload and its control message, as CloudWatch sends them),
 * read in the inspector in Chromium: each format, filtered by its partition key, shows its own
 * columns in the list, and its record's detail names the format and shows its own sections.
 */
const STREAM = 'aws-formats';
const TEMPLATES: [string, string][] = [
  ['eventbridge', 'eventbridge-event.json'],
  ['cloudfront-realtime-log', 'cloudfront-realtime-log.json'],
  ['dynamodb', 'dynamodb-change.json'],
  ['cloudwatch-metric-stream', 'metric-stream-batch.json'],
];

function cloudWatchLogs(messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE'): Buffer {
  const now = Date.now();
  return gzipSync(
    JSON.stringify({
      messageType,
      owner: messageType === 'DATA_MESSAGE' ? '111122223333' : 'CloudwatchLogs',
      logGroup: messageType === 'DATA_MESSAGE' ? '/aws/lambda/checkout' : '',
      logStream: messageType === 'DATA_MESSAGE' ? '2026/11/30/[$LATEST]abc' : '',
      subscriptionFilters: messageType === 'DATA_MESSAGE' ? ['to-kinesis'] : [],
      logEvents: messageType === 'DATA_MESSAGE'
        ? [{ id: '1', timestamp: now, message: 'START RequestId: 1' }, { id: '2', timestamp: now + 1, message: 'payment declined for order o-17' }]
        : [{ id: '', timestamp: now, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
    }),
  );
}

describe('Record inspector: one stream holding every AWS format, each shown with its columns (end to end)', function () {
  let wb: Workbench;
  let f: Frame;
  before(async () => {
    wb = await openDemoWorkbench({ seed: false, theme: 'dark', width: 1700, height: 1000 });
    await wb.client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
    await new StreamService(wb.client).waitFor(STREAM, 'ACTIVE', { intervalMs: 100 });
    const records: { PartitionKey: string; Data: Buffer }[] = [];
    for (const [format, file] of TEMPLATES) {
      const spec = parseTemplateSpec(readFileSync(join(__dirname, '../../../templates', file), 'utf8'), file);
      const gen = new TemplateGenerator({ ...spec, partitionKey: { type: 'fixed', value: format } }, { seed: 7 });
      for (let i = 0; i < 6; i++) records.push({ PartitionKey: format, Data: Buffer.from(gen.render(i).data) });
    }
    for (let i = 0; i < 3; i++) records.push({ PartitionKey: 'cloudwatch-logs', Data: cloudWatchLogs('DATA_MESSAGE') });
    records.push({ PartitionKey: 'cloudwatch-logs', Data: cloudWatchLogs('CONTROL_MESSAGE') });
    const put = await wb.client.send(new PutRecordsCommand({ StreamName: STREAM, Records: records }));
    assert.equal(put.FailedRecordCount ?? 0, 0);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot('inspector-formats-failed').catch(() => undefined);
  });
  after(() => wb?.close());

  it('reads the stream and counts the hidden control message', async () => {
    f = await inspectFromTrimHorizon(wb, STREAM);
    await f.waitForFunction(() => /^\s*27 records/.test(document.getElementById('matchCount')?.textContent ?? ''), undefined, { timeout: 60_000 });
    assert.match((await f.locator('#hiddenCount').textContent()) ?? '', /1 CloudWatch Logs control message hidden/);
    // Mixed formats: no format's columns.
    assert.equal(await f.locator('.vt-header .c-extra').count(), 0);
  });

  for (const format of formatColumnsList().filter((x) => x.name !== 'glue-schema-registry')) {
    it(`shows ${format.title} records with the format's columns and detail`, async () => {
      await f.locator('#fKey input').fill(format.name);
      const titles = format.columns.map((c) => c.title);
      await f.waitForFunction((want) => {
        const got = [...document.querySelectorAll('.vt-header .c-extra')].map((e) => e.textContent?.trim());
        return JSON.stringify(got) === JSON.stringify(want);
      }, titles, { timeout: 30_000 });
      const row = f.locator('.vt-row:not([hidden]):not(.loading)').first();
      await row.waitFor({ timeout: 30_000 });
      const cells = await row.locator('.c-extra').allTextContents();
      assert.ok(cells.filter((c) => c.trim()).length >= Math.min(2, titles.length), `${format.name}: the row fills its columns (${JSON.stringify(cells)})`);
      await row.click();
      await f.waitForFunction((title) => (document.getElementById('detailMeta')?.textContent ?? '').includes(title), format.title, { timeout: 30_000 });
      if (format.name !== 'cloudwatch-logs') await f.locator('#formatDetail').waitFor({ timeout: 10_000 });
      await wb.screenshot(`inspector-format-${format.name}`);
    });
  }

  it('adds a column from a JMESPath, kept in the panel\'s state', async () => {
    await f.locator('#fKey input').fill('eventbridge');
    await f.locator('#columnAdd input').fill('detail.state');
    await f.locator('#columnAddButton').click();
    await f.waitForFunction(() => [...document.querySelectorAll('.vt-header .c-extra')].some((e) => e.textContent?.trim() === 'detail.state'), undefined, { timeout: 30_000 });
    await f.waitForFunction(() => {
      const i = [...document.querySelectorAll('.vt-header .c-extra')].findIndex((e) => e.textContent?.trim() === 'detail.state');
      const row = document.querySelector('.vt-row:not([hidden]):not(.loading)');
      const v = row?.querySelectorAll('.c-extra')[i]?.textContent ?? '';
      return ['pending', 'running', 'stopping', 'stopped', 'terminated'].includes(v);
    }, undefined, { timeout: 30_000 });
    const persisted = await f.evaluate(() => (window as unknown as { __inspector: { persisted: { columns?: string[] } } }).__inspector.persisted);
    assert.deepEqual(persisted.columns, ['detail.state']);
    await wb.screenshot('inspector-format-columns');
  });
});
