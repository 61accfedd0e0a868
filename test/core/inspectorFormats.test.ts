import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InspectorSession } from '../../src/vscode/inspector/session';
import { recordDetail } from '../../src/vscode/inspector/detail';
import type { InspectorEvent, InspectorStatus } from '../../src/protocol/inspector';
import { StreamService } from '../../src/core/kinesis/streamService';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';
import { cloudFrontLine, CLOUDWATCH_LOGS_CONTROL, DYNAMODB_CHANGE, everyFormat } from '../support/awsSamples';

/**
 * The inspector's host side on the AWS formats: a real stream on kinesalite holding AWS's
 * documented records, read by the session; formats counted, rows with their format's cells and
 * columns from fields, the detail with the format's own sections, control messages hidden and
 * counted, and a read window that stops the read.
 */
async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CF_FIELDS = ['timestamp', 'c-ip', 'sc-status', 'cs-method', 'cs-uri-stem'];

describe('Inspector on recognised formats (session and detail, kinesalite)', function () {
  let ep: TestEndpoint;
  const stream = uniqueName('formats');
  // Glue Schema Registry records need their schemas (not loaded by the inspector): the rest are here.
  const samples = everyFormat().filter((s) => s.name !== 'glue');
  before(async () => {
    ep = await startKinesalite();
    const svc = new StreamService(ep.client);
    await svc.create(stream, { shardCount: 1 });
    await svc.waitFor(stream, 'ACTIVE');
    const records = [
      ...samples.map((s) => ({ PartitionKey: s.partitionKey, Data: s.data })),
      { PartitionKey: 'cf-configured', Data: Buffer.from(cloudFrontLine(CF_FIELDS)) },
      { PartitionKey: 'control', Data: gzipSync(JSON.stringify(CLOUDWATCH_LOGS_CONTROL)) },
    ];
    await ep.client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  });
  after(() => ep?.close());

  function session(events: InspectorEvent[], extra: Partial<ConstructorParameters<typeof InspectorSession>[0]> = {}) {
    return new InspectorSession({
      streamName: stream,
      client: async () => ep.client,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      post: (e) => events.push(e),
      canPost: () => true,
      isVisible: () => true,
      maxRecords: 1000,
      maxMemoryBytes: 64 * 1024 * 1024,
      ...extra,
    });
  }

  it('counts the formats shown, gives rows their format\'s cells and columns from fields, and hides control messages', async () => {
    const events: InspectorEvent[] = [];
    const s = session(events, { cloudFrontFields: CF_FIELDS, columns: ['dynamodb:tableName', 'detail.state'] });
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      await until('every record held', () => s.model.heldCount === samples.length + 1);
      const st = s.status();
      // The full canonical line does not fit the five configured fields: it is not taken for a log line.
      assert.deepEqual(st.formats, { eventbridge: 1, 'cloudfront-realtime-log': 1, other: 1, 'cloudwatch-logs': 1, 'cloudwatch-metric-stream': 3, dynamodb: 1 });
      assert.equal(st.controlMessagesHidden, 1, 'the health probe is hidden and counted');

      const rows = s.model.rows(0, 100);
      const dynamo = rows.find((r) => r.format === 'dynamodb')!;
      assert.equal(dynamo.cells?.['dynamodb:tableName'], DYNAMODB_CHANGE.tableName);
      assert.equal(dynamo.cells?.['dynamodb:eventName'], DYNAMODB_CHANGE.eventName);
      const eb = rows.find((r) => r.format === 'eventbridge')!;
      assert.equal(eb.cells?.['eventbridge:source'], 'aws.ec2');
      assert.equal(eb.cells?.['detail.state'], 'terminated', 'a column from a JMESPath');
      assert.equal(eb.cells?.['dynamodb:tableName'], '', 'a format column is empty on records of another format');
      const cf = rows.find((r) => r.partitionKey === 'cf-configured')!;
      assert.equal(cf.cells?.['cloudfront-realtime-log:c-ip'], '192.0.2.183', 'the configured fields name the line\'s values');
      assert.equal(cf.cells?.['cloudfront-realtime-log:cs-method'], 'GET');

      // The filter narrows the formats counted: one format shown, its columns apply.
      s.setFilter({ partitionKey: 'metrics' });
      assert.deepEqual(s.status().formats, { 'cloudwatch-metric-stream': 3 });

      const res = s.setColumns(['detail.state', 'dynamodb:nope', 'a ==']);
      assert.deepEqual(res.columns, ['detail.state']);
      assert.deepEqual(res.errors.map((e) => e.spec), ['dynamodb:nope', 'a ==']);
      assert.match(res.errors[0].error, /Column "dynamodb:nope": dynamodb has no column "nope"/);
      assert.deepEqual(s.model.fieldColumnSpecs, ['detail.state']);
    } finally {
      s.dispose();
    }
  });

  it('the detail names the format with its layers and gives its own sections', async () => {
    const s = session([], { cloudFrontFields: CF_FIELDS });
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      await until('every record held', () => s.model.heldCount === samples.length + 1);
      const all = [...s.model.all()];
      const dynamo = recordDetail(all.find((r) => r.format === 'dynamodb')!, 'auto');
      assert.deepEqual([dynamo.format?.name, dynamo.format?.title, dynamo.format?.layers], ['dynamodb', 'DynamoDB change', 'dynamodb']);
      const diff = dynamo.format?.detail?.sections.find((x) => x.kind === 'diff');
      assert.ok(diff && diff.kind === 'diff' && diff.changes.length > 0, 'a DynamoDB change shows its changed attributes');
      const logs = recordDetail(all.find((r) => r.format === 'cloudwatch-logs')!, 'auto');
      assert.equal(logs.format?.layers, 'gzip+cloudwatch-logs');
      assert.ok(logs.cloudWatchLogs, 'CloudWatch Logs events show as rows');
      const eb = recordDetail(all.find((r) => r.format === 'eventbridge')!, 'auto');
      assert.ok(eb.format?.detail?.sections.some((x) => x.kind === 'json' && (x.value as { state?: string }).state === 'terminated'), 'EventBridge detail as JSON');
      const cf = recordDetail(all.find((r) => r.partitionKey === 'cf-configured')!, 'auto');
      const fields = cf.format?.detail?.sections.find((x) => x.kind === 'fields');
      assert.ok(fields && fields.kind === 'fields' && fields.fields.some((f) => f.name === 'c-ip' && f.value === '192.0.2.183'), 'CloudFront as a field table');
    } finally {
      s.dispose();
    }
  });

  it('reads a window: stops after the record count, and the status says so', async () => {
    const events: InspectorEvent[] = [];
    const s = session(events);
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all', end: { count: 3 } });
      await until('the read stopped by itself', () => s.state === 'stopped');
      assert.equal(s.model.heldCount, 3);
      const last = [...events].reverse().find((e): e is { type: 'status'; status: InspectorStatus } => e.type === 'status')!;
      assert.equal(last.status.state, 'stopped');
      assert.deepEqual(last.status.ended, { reason: 'count', recordsRead: 3 });
      assert.deepEqual(last.status.end, { count: 3 });
    } finally {
      s.dispose();
    }
  });
});
