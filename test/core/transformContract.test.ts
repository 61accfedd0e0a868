import * as assert from 'node:assert/strict';
import { buildFirehoseEvent, buildFirehoseInvocations, FirehoseInvocation, validateFirehoseResponse } from '../../src/core/transform/firehoseContract';
import { buildKinesisEvent, buildKinesisInvocations, validateKinesisResponse } from '../../src/core/transform/lambdaKinesisContract';
import { defaultPrefix, evaluatePrefix, formatTimestamp, lambdaKeysInPrefix, planDelivery, PrefixError } from '../../src/core/transform/s3Key';
import { isBase64, SampleRecord } from '../../src/core/transform/sampleRecord';
import { parseJsonLines, toJsonLines } from '../../src/core/transform/sample';

const T = Date.UTC(2026, 10, 28, 21, 5, 9, 123);

function records(n: number, text = (i: number) => `{"n":${i}}`): SampleRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    shardId: `shardId-00000000000${i % 2}`,
    sequenceNumber: `4959000000000000000000000000000000000000000000000000${String(i).padStart(4, '0')}`,
    partitionKey: `pk-${i}`,
    arrivalTime: T + i,
    data: Buffer.from(text(i)),
  }));
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const okResponse = (inv: FirehoseInvocation) => ({ records: inv.event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) });

describe('Firehose transformation event', () => {
  it('has the documented shape for a Kinesis stream source', () => {
    const recs = records(3);
    recs[1].subSequenceNumber = 4;
    const e = buildFirehoseEvent(recs, { sourceStreamName: 'orders', region: 'eu-west-1', deliveryStreamName: 'to-s3', invocationId: () => 'inv-1' });
    assert.deepEqual(Object.keys(e), ['invocationId', 'deliveryStreamArn', 'sourceKinesisStreamArn', 'region', 'records']);
    assert.equal(e.invocationId, 'inv-1');
    assert.equal(e.deliveryStreamArn, 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/to-s3');
    assert.equal(e.sourceKinesisStreamArn, 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders');
    assert.equal(e.region, 'eu-west-1');
    assert.equal(e.records.length, 3);
    const r = e.records[1];
    assert.deepEqual(Object.keys(r), ['recordId', 'approximateArrivalTimestamp', 'data', 'kinesisRecordMetadata']);
    assert.equal(r.approximateArrivalTimestamp, T + 1);
    assert.equal(Buffer.from(r.data, 'base64').toString(), '{"n":1}');
    assert.deepEqual(r.kinesisRecordMetadata, {
      shardId: 'shardId-000000000001',
      partitionKey: 'pk-1',
      approximateArrivalTimestamp: T + 1,
      sequenceNumber: recs[1].sequenceNumber,
      subsequenceNumber: '4',
    });
    assert.equal(new Set(e.records.map((x) => x.recordId)).size, 3, 'recordIds are unique');
  });

  it('has no Kinesis fields for a Direct PUT source', () => {
    const e = buildFirehoseEvent(records(1));
    assert.equal(e.sourceKinesisStreamArn, undefined);
    assert.equal(e.records[0].kinesisRecordMetadata, undefined);
    assert.match(e.invocationId, /^[0-9a-f-]{36}$/);
  });

  it('keeps recordIds unique when sequence numbers repeat', () => {
    const recs = records(3).map((r) => ({ ...r, sequenceNumber: '1' }));
    const e = buildFirehoseEvent(recs);
    assert.equal(new Set(e.records.map((x) => x.recordId)).size, 3);
  });

  it('splits a sample into invocations by the processor buffer size (1 MB by default)', () => {
    const recs = records(2500, () => 'x'.repeat(1024));
    const invs = buildFirehoseInvocations(recs);
    assert.equal(invs.length, 3);
    for (const inv of invs) assert.ok(inv.event.records.length * 1024 <= 1024 * 1024);
    assert.deepEqual(invs.flatMap((i) => i.indexes), recs.map((_, i) => i));
    assert.equal(new Set(invs.map((i) => i.event.invocationId)).size, 3);
  });

  it('counts each event’s JSON size as JSON.stringify does (quotes, backslashes, non-ASCII keys; with and without a source stream)', () => {
    const recs = records(50, (i) => (i % 3 ? 'é"\\\n' : '')).map((r, i) => ({ ...r, partitionKey: ['pk "quoted"', 'clé\\', '\u0001ctl', '日本'][i % 4], subSequenceNumber: i % 2 ? i : undefined }));
    for (const o of [{}, { sourceStreamName: 'orders "x"' }, { bufferBytes: 100 }]) {
      const invs = buildFirehoseInvocations(recs, o);
      for (const inv of invs) assert.equal(inv.requestBytes, Buffer.byteLength(JSON.stringify(inv.event)));
    }
  });
});

describe('Firehose response validation', () => {
  const inv = buildFirehoseInvocations(records(4), { sourceStreamName: 's' })[0];
  const ids = inv.event.records.map((r) => r.recordId);

  it('accepts a correct response and lists what is delivered, in response order', () => {
    const res = okResponse(inv);
    res.records.reverse();
    res.records[0].result = 'Dropped';
    const v = validateFirehoseResponse(inv, res);
    assert.deepEqual(v.violations, []);
    assert.deepEqual(v.delivered.map((d) => d.index), [2, 1, 0]);
    assert.deepEqual(v.outcomes.map((o) => o.result), ['Ok', 'Ok', 'Ok', 'Dropped']);
  });

  it('flags a missing record, an extra recordId and a duplicate, each on its record', () => {
    const res = okResponse(inv);
    res.records.splice(1, 1); // record 2 missing
    res.records.push({ recordId: 'not-a-record', result: 'Ok', data: b64('x') });
    res.records.push({ ...res.records[0] });
    const v = validateFirehoseResponse(inv, res);
    const by = (c: string) => v.violations.filter((x) => x.code === c);
    assert.equal(by('missing-record').length, 1);
    assert.equal(by('missing-record')[0].recordIndex, 1);
    assert.equal(by('missing-record')[0].recordId, ids[1]);
    assert.equal(by('unknown-record-id').length, 1);
    assert.equal(by('unknown-record-id')[0].recordId, 'not-a-record');
    assert.equal(by('duplicate-record-id').length, 1);
    assert.equal(by('duplicate-record-id')[0].recordIndex, 0);
  });

  it('flags a record without recordId', () => {
    const res = okResponse(inv) as { records: Record<string, unknown>[] };
    delete res.records[3].recordId;
    const v = validateFirehoseResponse(inv, res);
    assert.ok(v.violations.some((x) => x.code === 'missing-record-id'));
    assert.ok(v.violations.some((x) => x.code === 'missing-record' && x.recordIndex === 3));
  });

  it('flags an invalid result, case included', () => {
    const res = okResponse(inv);
    res.records[2].result = 'OK';
    res.records[3].result = 'Failed';
    const v = validateFirehoseResponse(inv, res);
    assert.deepEqual(v.violations.map((x) => [x.code, x.recordIndex]), [['invalid-result', 2], ['invalid-result', 3]]);
    assert.equal(v.delivered.length, 2);
  });

  it('flags data that is not base64, and Ok without data', () => {
    const res = okResponse(inv) as { records: Record<string, unknown>[] };
    res.records[0].data = '{"plain": "json"}';
    res.records[1].data = { type: 'Buffer', data: [1, 2] };
    delete res.records[2].data;
    const v = validateFirehoseResponse(inv, res);
    assert.deepEqual(v.violations.map((x) => [x.code, x.recordIndex]), [['invalid-base64', 0], ['invalid-base64', 1], ['missing-data', 2]]);
    assert.deepEqual(v.delivered.map((d) => d.index), [3]);
  });

  it('checks the metadata.partitionKeys shape', () => {
    const res = okResponse(inv) as { records: Record<string, unknown>[] };
    res.records[0].metadata = { partitionKeys: { customer: 'c-1', year: '2026' } };
    res.records[1].metadata = { partitionKeys: { customer: 42 } };
    res.records[2].metadata = { partitionKeys: ['c-1'] };
    res.records[3].metadata = 'customer=c-1';
    const v = validateFirehoseResponse(inv, res);
    assert.deepEqual(v.violations.map((x) => [x.code, x.recordIndex]), [['invalid-partition-keys', 1], ['invalid-partition-keys', 2], ['invalid-metadata', 3]]);
    assert.deepEqual(v.outcomes[0].partitionKeys, { customer: 'c-1', year: '2026' });
  });

  it('flags Ok records lacking a partition key the prefix uses', () => {
    const res = okResponse(inv) as { records: Record<string, unknown>[] };
    res.records.forEach((r, i) => (r.metadata = { partitionKeys: i === 2 ? { other: 'x' } : { customer: 'c' } }));
    const v = validateFirehoseResponse(inv, res, { requiredPartitionKeys: ['customer'] });
    assert.deepEqual(v.violations.map((x) => [x.code, x.recordIndex]), [['missing-partition-key', 2]]);
  });

  it('flags a response over 6 MB and a response without records', () => {
    const big = validateFirehoseResponse(inv, okResponse(inv), { responseBytes: 6 * 1024 * 1024 + 1 });
    assert.deepEqual(big.violations.map((x) => x.code), ['response-too-large']);
    const none = validateFirehoseResponse(inv, { Records: [] });
    assert.equal(none.violations[0].code, 'response-shape');
    assert.equal(none.violations.filter((x) => x.code === 'missing-record').length, 4);
    assert.equal(validateFirehoseResponse(inv, undefined).violations[0].code, 'response-shape');
  });

  it('recognises strict base64', () => {
    assert.ok(isBase64(''));
    assert.ok(isBase64(b64('hello!')));
    assert.ok(!isBase64('abc'));
    assert.ok(!isBase64('ab$='));
    assert.ok(!isBase64(12));
  });
});

describe('S3 object keys', () => {
  it('uses the default YYYY/MM/dd/HH/ prefix in UTC', () => {
    assert.equal(defaultPrefix(T), '2026/11/28/21/');
  });

  it('evaluates timestamp, partitionKeyFromLambda and random-string expressions', () => {
    const p = evaluatePrefix("data/!{partitionKeyFromLambda:customer}/!{timestamp:yyyy/MM/dd}/h=!{timestamp:HH}/!{timestamp:'d='yyyy-MM-dd}/!{firehose:random-string}/", {
      timestamp: T,
      partitionKeysFromLambda: { customer: 'c-7' },
      random: () => 0,
    });
    assert.equal(p, 'data/c-7/2026/11/28/h=21/d=2026-11-28/aaaaaaaaaaa/');
    assert.equal(formatTimestamp(T, 'yyyy-MM-dd HH:mm:ss.SSS'), '2026-11-28 21:05:09.123');
    assert.deepEqual(lambdaKeysInPrefix('!{partitionKeyFromLambda:a}/!{timestamp:yyyy}/!{partitionKeyFromLambda:b}'), ['a', 'b']);
  });

  it('rejects what Firehose rejects', () => {
    assert.throws(() => evaluatePrefix('!{firehose:error-output-type}/', { timestamp: T }), PrefixError);
    assert.throws(() => evaluatePrefix('!{nope:x}/', { timestamp: T }), PrefixError);
    assert.throws(() => evaluatePrefix('!{partitionKeyFromLambda:customer}/', { timestamp: T, partitionKeysFromLambda: {} }), PrefixError);
    assert.throws(() => evaluatePrefix('!{timestamp:yyyy-QQ}/', { timestamp: T }), PrefixError);
    assert.throws(() => evaluatePrefix('!{timestamp:yyyy/', { timestamp: T }), PrefixError);
  });

  it('groups delivered records into one object per partition, data concatenated in order', () => {
    const plan = planDelivery(
      [
        { recordIndex: 0, arrivalTime: T + 5000, output: Buffer.from('a\n'), partitionKeys: { c: '1' } },
        { recordIndex: 1, arrivalTime: T, output: Buffer.from('b\n'), partitionKeys: { c: '2' } },
        { recordIndex: 2, arrivalTime: T - 3600_000, output: Buffer.from('c\n'), partitionKeys: { c: '1' } },
        { recordIndex: 3, arrivalTime: T, output: Buffer.from('d\n'), partitionKeys: {} },
      ],
      { prefix: 'c=!{partitionKeyFromLambda:c}/!{timestamp:HH}/', deliveryStreamName: 'hose' },
    );
    assert.deepEqual(plan.objects.map((o) => [o.prefix, o.data.toString(), o.recordIndexes]), [
      ['c=1/20/', 'a\nc\n', [0, 2]],
      ['c=2/21/', 'b\n', [1]],
    ]);
    assert.match(plan.objects[0].key, /^c=1\/20\/hose-1-2026-11-28-20-05-09-[0-9a-f-]{36}$/);
    assert.equal(plan.failed.length, 1);
    assert.equal(plan.failed[0].recordIndex, 3);
  });
});

describe('Lambda Kinesis event and batchItemFailures', () => {
  it('has the documented event shape', () => {
    const e = buildKinesisEvent(records(2), { streamName: 'orders', region: 'us-west-2' });
    const r = e.Records[1];
    assert.deepEqual(Object.keys(r.kinesis), ['kinesisSchemaVersion', 'partitionKey', 'sequenceNumber', 'data', 'approximateArrivalTimestamp']);
    assert.equal(r.kinesis.kinesisSchemaVersion, '1.0');
    assert.equal(r.kinesis.approximateArrivalTimestamp, (T + 1) / 1000);
    assert.equal(Buffer.from(r.kinesis.data, 'base64').toString(), '{"n":1}');
    assert.equal(r.eventSource, 'aws:kinesis');
    assert.equal(r.eventName, 'aws:kinesis:record');
    assert.equal(r.eventVersion, '1.0');
    assert.equal(r.eventID, `shardId-000000000001:${r.kinesis.sequenceNumber}`);
    assert.equal(r.awsRegion, 'us-west-2');
    assert.equal(r.eventSourceARN, 'arn:aws:kinesis:us-west-2:123456789012:stream/orders');
    assert.match(r.invokeIdentityArn, /^arn:aws:iam::123456789012:role\//);
  });

  it('batches by batch size (100 by default)', () => {
    assert.deepEqual(buildKinesisInvocations(records(250)).map((i) => i.event.Records.length), [100, 100, 50]);
    assert.deepEqual(buildKinesisInvocations(records(5), { batchSize: 2 }).map((i) => i.indexes), [[0, 1], [2, 3], [4]]);
  });

  it('treats empty, null and missing failure lists as complete success', () => {
    const inv = buildKinesisInvocations(records(3))[0];
    for (const res of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      const v = validateKinesisResponse(inv, res);
      assert.deepEqual(v.violations, []);
      assert.ok(v.outcomes.every((o) => !o.failed && !o.retried));
    }
  });

  it('checkpoints at the lowest failed sequence number', () => {
    const inv = buildKinesisInvocations(records(4))[0];
    const seq = inv.event.Records.map((r) => r.kinesis.sequenceNumber);
    const v = validateKinesisResponse(inv, { batchItemFailures: [{ itemIdentifier: seq[2] }, { itemIdentifier: seq[1] }] });
    assert.deepEqual(v.violations, []);
    assert.deepEqual(v.outcomes.map((o) => [o.failed, o.retried]), [[false, false], [true, true], [true, true], [false, true]]);
  });

  it('flags invalid item identifiers, which fail the whole batch', () => {
    const inv = buildKinesisInvocations(records(2))[0];
    for (const res of [{ batchItemFailures: [{ itemIdentifier: '' }] }, { batchItemFailures: [{}] }, { batchItemFailures: [{ itemIdentifier: '123' }] }, { batchItemFailures: 'x' }]) {
      const v = validateKinesisResponse(inv, res);
      assert.equal(v.violations.length, 1, JSON.stringify(res));
      assert.ok(v.batchFailed);
      assert.ok(v.outcomes.every((o) => o.retried));
    }
  });
});

describe('JSON Lines samples', () => {
  it('reads raw records, text records and plain lines, and round-trips', () => {
    const text = [
      JSON.stringify({ data: b64('raw'), partitionKey: 'p', sequenceNumber: '7', shardId: 'shardId-000000000003', arrivalTime: T }),
      JSON.stringify({ text: 'hello', partitionKey: 'q' }),
      '{"orderId":"o-1"}',
      '',
      'not json at all',
    ].join('\n');
    const recs = parseJsonLines(text);
    assert.equal(recs.length, 4);
    assert.equal(Buffer.from(recs[0].data).toString(), 'raw');
    assert.equal(recs[0].shardId, 'shardId-000000000003');
    assert.equal(recs[0].arrivalTime, T);
    assert.equal(Buffer.from(recs[1].data).toString(), 'hello');
    assert.equal(recs[1].partitionKey, 'q');
    assert.equal(Buffer.from(recs[2].data).toString(), '{"orderId":"o-1"}');
    assert.equal(Buffer.from(recs[3].data).toString(), 'not json at all');
    assert.equal(new Set(recs.map((r) => r.sequenceNumber)).size, 4);
    const again = parseJsonLines(toJsonLines(recs));
    assert.deepEqual(again.map((r) => [Buffer.from(r.data).toString(), r.partitionKey, r.sequenceNumber, r.shardId, r.arrivalTime]), recs.map((r) => [Buffer.from(r.data).toString(), r.partitionKey, r.sequenceNumber, r.shardId, r.arrivalTime]));
  });
});
