import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { decodeRecord, decodeRecords, decodeRecordsWithSchemas, previewOf } from '../../src/core/records/decoders';
import { columnsOf, detailOf, fieldColumn } from '../../src/core/records/formats';
import { AvroSchemas } from '../../src/core/records/glueSchemaRegistry';
import { CLOUDFRONT_FIELDS, cloudFrontFieldOrder } from '../../src/core/records/cloudFront';
import { readAll } from '../../src/core/records/reader';
import type { MetricStreamRecord } from '../../src/core/records/metricStream';
import type { RawRecord } from '../../src/core/records/types';
import {
  AVRO_SCHEMA,
  AVRO_SCHEMA_VERSION_ID,
  AVRO_VALUE,
  CLOUDWATCH_LOGS_CONTROL,
  CLOUDWATCH_LOGS_PAYLOAD,
  cloudFrontLine,
  DYNAMODB_CHANGE,
  EVENTBRIDGE_EVENT,
  everyFormat,
  glueSchemaRegistryRecord,
  METRIC_STREAM_JSON_DATUM,
  metricStreamJson,
  metricStreamOtlp,
} from '../support/awsSamples';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

function raw(data: Uint8Array | string, over: Partial<RawRecord> = {}): RawRecord {
  return { shardId: 'shardId-000000000000', sequenceNumber: '49600000000000000000000000000000000000000000000000000001', partitionKey: 'pk', arrivalTime: 0, data: typeof data === 'string' ? Buffer.from(data) : data, ...over };
}

describe('recognised formats (records from AWS documentation samples)', () => {
  it('EventBridge events: name, columns, detail JSON', () => {
    const [d] = decodeRecord(raw(JSON.stringify(EVENTBRIDGE_EVENT)));
    assert.equal(d.format, 'eventbridge');
    assert.deepEqual(d.decodings, ['eventbridge']);
    assert.deepEqual(d.json, EVENTBRIDGE_EVENT);
    const c = columnsOf(d);
    assert.deepEqual(c.columns.map((x) => x.id), ['time', 'source', 'detail-type', 'account-region']);
    assert.deepEqual(c.values, { time: '2017-12-22T18:43:48Z', source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', 'account-region': '111122223333 / us-west-1' });
    const detail = detailOf(d)!;
    assert.deepEqual(detail.sections.find((s) => s.kind === 'json'), { kind: 'json', title: 'detail', value: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' } });
    // An event without detail-type is plain JSON.
    const { ['detail-type']: _drop, ...notEvent } = EVENTBRIDGE_EVENT;
    assert.equal(decodeRecord(raw(JSON.stringify(notEvent)))[0].format, undefined);
  });

  it('CloudFront real-time log lines: all fields by the canonical order, chosen fields by the configuration', () => {
    const [d] = decodeRecord(raw(cloudFrontLine()));
    assert.equal(d.format, 'cloudfront-realtime-log');
    const f = d.json as Record<string, string | null>;
    assert.equal(Object.keys(f).length, CLOUDFRONT_FIELDS.length);
    assert.equal(f['cs-uri-stem'], '/images/cat.jpg?mobile=true');
    assert.equal(f['cs-referer'], null, '- is an empty field');
    assert.deepEqual(columnsOf(d).values, {
      timestamp: '2020-06-09T17:13:00.123Z',
      'c-ip': '192.0.2.183',
      'cs-method': 'GET',
      'cs-host': 'd111111abcdef8.cloudfront.net',
      'cs-uri-stem': '/images/cat.jpg?mobile=true',
      'sc-status': '200',
      'time-taken': '0.082',
      'x-edge-result-type': 'Hit',
    });
    assert.equal(previewOf(d), cloudFrontLine().trim().replace(/\s+/g, ' ').slice(0, 199) + '\u2026');
    const detail = detailOf(d)!;
    assert.equal(detail.sections[0].kind, 'fields');
    // A configuration with some fields (given in any order): CloudFront writes them in canonical order.
    const chosen = cloudFrontFieldOrder(['sc-status', 'timestamp', 'c-country', 'time-to-first-byte']);
    assert.deepEqual(chosen, ['timestamp', 'time-to-first-byte', 'sc-status', 'c-country']);
    const [s] = decodeRecord(raw(cloudFrontLine(chosen)), undefined, { cloudFrontFields: chosen });
    assert.deepEqual(s.json, { timestamp: '1591722780.123', 'time-to-first-byte': '0.002', 'sc-status': '200', 'c-country': 'US' });
    // Without the configuration, a partial line is still recognised, its fields numbered.
    const [u] = decodeRecord(raw(cloudFrontLine(chosen)));
    assert.equal(u.format, 'cloudfront-realtime-log');
    assert.deepEqual(u.json, { timestamp: '1591722780.123', 'field-2': '0.002', 'field-3': '200', 'field-4': 'US' });
    // Tab-separated text that is not a log line stays text.
    assert.deepEqual(decodeRecord(raw('name\tcity\nAna\tLisbon\n'))[0].decodings, ['text']);
  });

  it('CloudWatch Logs: the payload as one record or one row per log event; CONTROL_MESSAGE hidden and counted', () => {
    const data = gzipSync(JSON.stringify(CLOUDWATCH_LOGS_PAYLOAD));
    const control = gzipSync(JSON.stringify(CLOUDWATCH_LOGS_CONTROL));
    const [d] = decodeRecord(raw(data));
    assert.equal(d.format, 'cloudwatch-logs');
    assert.equal(columnsOf(d).values.events, '3');
    assert.equal(columnsOf(d).values.logGroup, 'CloudTrail/logs');
    const rows = decodeRecord(raw(data), undefined, { cloudWatchLogs: { rowPerEvent: true } });
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.map((r) => r.id.split('/').pop()), ['e0', 'e1', 'e2']);
    assert.equal((rows[1].json as { id: string }).id, CLOUDWATCH_LOGS_PAYLOAD.logEvents[1].id);
    assert.equal((rows[1].json as { logGroup: string }).logGroup, 'CloudTrail/logs');
    assert.equal(rows[2].text, '2015-05-28T15:27:35.000Z  ' + CLOUDWATCH_LOGS_PAYLOAD.logEvents[2].message);
    assert.equal(columnsOf(rows[0]).values.message, CLOUDWATCH_LOGS_PAYLOAD.logEvents[0].message);
    const [c] = decodeRecord(raw(control));
    assert.equal(c.controlMessage, true);
    const counts = { controlMessages: 0 };
    const batch = decodeRecords([raw(control), raw(data), raw(control)], undefined, { counts });
    assert.equal(batch.length, 1);
    assert.equal(counts.controlMessages, 2);
    assert.equal(decodeRecords([raw(control)], undefined, { showControlMessages: true }).length, 1);
  });

  it('CloudWatch metric streams: JSON lines, OpenTelemetry 0.7.0 and 1.0.0 to one shape', () => {
    const [j] = decodeRecord(raw(metricStreamJson()));
    assert.equal(j.format, 'cloudwatch-metric-stream');
    const jv = j.json as MetricStreamRecord;
    assert.equal(jv.outputFormat, 'json');
    assert.equal(jv.metrics.length, 2);
    assert.deepEqual(jv.metrics[0], METRIC_STREAM_JSON_DATUM);
    assert.deepEqual(columnsOf(j).values, { timestamp: '2021-01-29T14:14:58.000Z', namespace: 'AWS/EC2', metric: 'DiskWriteOps (+1 more)', dimensions: 'InstanceId=i-123456789012', unit: 'Seconds', stats: '3 / 20 / 0 / 18' });
    // One datum alone parses as JSON and is recognised too.
    assert.equal(decodeRecord(raw(JSON.stringify(METRIC_STREAM_JSON_DATUM)))[0].format, 'cloudwatch-metric-stream');
    for (const [version, name] of [['0.7.0', 'opentelemetry0.7'], ['1.0.0', 'opentelemetry1.0']] as const) {
      const [o] = decodeRecord(raw(metricStreamOtlp(version)));
      assert.equal(o.format, 'cloudwatch-metric-stream', version);
      assert.equal(o.error, undefined);
      const v = o.json as MetricStreamRecord;
      assert.equal(v.outputFormat, name);
      assert.equal(v.metrics.length, 4, 'two data points in each of two length-delimited requests');
      assert.deepEqual(v.metrics[1], {
        metric_stream_name: 'MyMetricStream',
        account_id: '2345678901',
        region: 'us-east-1',
        namespace: 'AWS/DynamoDB',
        metric_name: 'ConsumedReadCapacityUnits',
        dimensions: { TableName: 'MyTable' },
        timestamp: 1604948520000,
        value: { count: 2, sum: 5, min: 2, max: 3 },
        unit: version === '0.7.0' ? '1' : 'NoneTranslated',
      });
      assert.equal(columnsOf(o).values.stats, '1 / 1 / 1 / 1');
      const table = detailOf(o)!.sections.find((s) => s.kind === 'table');
      assert.equal(table?.kind === 'table' && table.rows.length, 4);
    }
    // A truncated OpenTelemetry record is not mistaken for one.
    const cut = metricStreamOtlp('1.0.0').subarray(0, 40);
    assert.notEqual(decodeRecord(raw(cut))[0].format, 'cloudwatch-metric-stream');
  });

  it('DynamoDB change records: images unmarshalled, changed attributes as a diff', () => {
    const [d] = decodeRecord(raw(JSON.stringify(DYNAMODB_CHANGE)));
    assert.equal(d.format, 'dynamodb');
    const v = d.json as typeof DYNAMODB_CHANGE & { dynamodb: { NewImage: Record<string, unknown> } };
    assert.deepEqual(v.dynamodb.Keys, { Artist: 'No One You Know', SongTitle: 'Call Me Today' });
    assert.deepEqual(v.dynamodb.NewImage, { Artist: 'No One You Know', SongTitle: 'Call Me Today', AlbumTitle: 'Somewhat Famous', Awards: 10, Tags: ['pop', 'live'] });
    assert.deepEqual(columnsOf(d).values, { time: '2022-03-08T04:45:20.773Z', eventName: 'MODIFY', tableName: 'Music', keys: 'Artist=No One You Know, SongTitle=Call Me Today', changed: 'Awards, Genre, Tags' });
    const diff = detailOf(d)!.sections.find((s) => s.kind === 'diff');
    assert.deepEqual(diff?.kind === 'diff' && diff.changes, [
      { name: 'Awards', change: 'changed', old: 1, new: 10 },
      { name: 'Genre', change: 'removed', old: 'Country' },
      { name: 'Tags', change: 'added', new: ['pop', 'live'] },
    ]);
    // A number beyond a double keeps its digits; a bad attribute value is said, not thrown.
    const big = { ...DYNAMODB_CHANGE, dynamodb: { ...DYNAMODB_CHANGE.dynamodb, NewImage: { id: { N: '12345678901234567890123' } } } };
    assert.deepEqual((decodeRecord(raw(JSON.stringify(big)))[0].json as { dynamodb: { NewImage: unknown } }).dynamodb.NewImage, { id: '12345678901234567890123' });
    const bad = { ...DYNAMODB_CHANGE, dynamodb: { ...DYNAMODB_CHANGE.dynamodb, NewImage: { id: { X: 'not an attribute type' } } } };
    const [b] = decodeRecord(raw(JSON.stringify(bad)));
    assert.match(b.error!, /does not unmarshall/);
  });

  it('Glue Schema Registry records: Avro with the schema from a folder of .avsc files, or said why not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'avsc-'));
    try {
      const none = decodeRecord(raw(glueSchemaRegistryRecord()))[0];
      assert.deepEqual(none.decodings, ['glue-schema-registry', 'binary']);
      assert.match(none.error!, new RegExp(`schema version ${AVRO_SCHEMA_VERSION_ID}: no schemas were given`));
      assert.equal(none.schemaVersionId, AVRO_SCHEMA_VERSION_ID);
      const missing = new AvroSchemas({ dir, hint: (id) => `put it at ${dir}/${id}.avsc` });
      const [m] = await decodeRecordsWithSchemas([raw(glueSchemaRegistryRecord())], undefined, { avroSchemas: missing });
      assert.match(m.error!, new RegExp(`schema ${AVRO_SCHEMA_VERSION_ID} not found in .*avsc-.* or Glue: Glue is not asked here; put it at .*/${AVRO_SCHEMA_VERSION_ID}\\.avsc`));
      writeFileSync(join(dir, `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(AVRO_SCHEMA));
      const schemas = new AvroSchemas({ dir });
      for (const compression of ['none', 'zlib'] as const) {
        const [d] = await decodeRecordsWithSchemas([raw(glueSchemaRegistryRecord(compression))], undefined, { avroSchemas: schemas });
        assert.equal(d.format, 'glue-schema-registry');
        assert.deepEqual(d.json, { schemaVersionId: AVRO_SCHEMA_VERSION_ID, schemaName: 'Customer', compression, value: AVRO_VALUE });
        assert.deepEqual(columnsOf(d).values, { schema: 'Customer', schemaVersionId: AVRO_SCHEMA_VERSION_ID, value: JSON.stringify(AVRO_VALUE) });
      }
      // A file mapped by id works as well; a broken one says which file.
      const mapped = join(dir, 'customer.avsc');
      writeFileSync(mapped, '{"type": "record"');
      const broken = new AvroSchemas({ files: { [AVRO_SCHEMA_VERSION_ID]: mapped } });
      const [e] = await decodeRecordsWithSchemas([raw(glueSchemaRegistryRecord())], undefined, { avroSchemas: broken });
      assert.match(e.error!, /customer\.avsc is not JSON \(at character 17\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('columns from fields: a JMESPath or a format column', () => {
    const recs = decodeRecords([raw(JSON.stringify(EVENTBRIDGE_EVENT)), raw(JSON.stringify(DYNAMODB_CHANGE)), raw('plain text')]);
    const state = fieldColumn('detail.state');
    assert.deepEqual(recs.map((r) => state.value!(r)), ['terminated', '', '']);
    const table = fieldColumn('dynamodb:tableName');
    assert.deepEqual(recs.map((r) => table.value!(r)), ['', 'Music', '']);
    assert.match(fieldColumn('dynamodb:nope').error!, /no column "nope"/);
    assert.ok(fieldColumn('detail.').error);
  });

  describe('through a stream', function () {
    this.timeout(60_000);
    let ep: TestEndpoint;
    after(() => ep?.close());

    it('reads one stream holding every format back as each format', async () => {
      ep = await startKinesalite();
      const name = uniqueName('formats');
      const svc = new StreamService(ep.client);
      await svc.create(name, { shardCount: 2 });
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      const all = everyFormat();
      await ep.client.send(new PutRecordsCommand({ StreamName: name, Records: all.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })) }));
      const read = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
      assert.equal(read.length, all.length);
      const schemas = new AvroSchemas();
      schemas.add(AVRO_SCHEMA_VERSION_ID, AVRO_SCHEMA);
      const decoded = await decodeRecordsWithSchemas(read, undefined, { avroSchemas: schemas });
      const byKey = new Map(all.map((r) => [r.data.toString('base64'), r]));
      for (const d of decoded) {
        const want = byKey.get(d.rawBase64)!;
        assert.equal(d.decodings.join('+'), want.format, want.name);
        assert.equal(d.error, undefined, want.name);
        assert.ok(Object.values(columnsOf(d).values).some((v) => v !== ''), `${want.name} has column values`);
      }
    });
  });
});

describe('producer templates of the recognised formats', () => {
  it('each shipped format template renders records the decoders recognise, with column values', async () => {
    const { loadTemplates } = await import('../../src/core/producer/library');
    const { TemplateGenerator } = await import('../../src/core/producer/templates');
    const templates = await loadTemplates(join(__dirname, '../../../templates'), 'builtin');
    const want: Record<string, string> = { 'eventbridge-event': 'eventbridge', 'cloudfront-realtime-log': 'cloudfront-realtime-log', 'dynamodb-change': 'dynamodb', 'metric-stream-batch': 'cloudwatch-metric-stream' };
    for (const [id, format] of Object.entries(want)) {
      const t = templates.find((x) => x.id === id);
      assert.ok(t, `templates/${id}.json ships`);
      for (const r of new TemplateGenerator(t.spec).preview(5)) {
        const [d] = decodeRecord(raw(r.data));
        assert.equal(d.format, format, `${id}: ${r.data.slice(0, 120)}`);
        assert.equal(d.error, undefined);
        assert.ok(r.partitionKey.length > 0);
        assert.ok(Object.values(columnsOf(d).values).every((v) => !/undefined|NaN/.test(v)), JSON.stringify(columnsOf(d).values));
      }
    }
  });
});
