import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { deflateSync, gzipSync } from 'node:zlib';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { decodeRecord, decodeRecords, hexDump, previewOf } from '../../src/core/records/decoders';
import { RecordFilter } from '../../src/core/records/filters';
import { writeCsv, writeJsonLines } from '../../src/core/records/export';
import { readAll } from '../../src/core/records/reader';
import type { DecodedRecord, RawRecord } from '../../src/core/records/types';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(
    records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[],
    handler: (encoded: { partitionKey: string; data: Buffer; ExplicitHashKey?: string }, done: (err?: Error) => void) => void,
    after: () => void,
    onError: (e: Error) => void,
  ): void;
};

/** KPL aggregates made by the aws-kinesis-agg library (the same format the KPL writes). */
function aggregate(records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[]): Promise<{ partitionKey: string; data: Buffer; ExplicitHashKey?: string }[]> {
  return new Promise((resolve, reject) => {
    const out: { partitionKey: string; data: Buffer; ExplicitHashKey?: string }[] = [];
    agg.aggregate(records, (encoded, done) => (out.push(encoded), done()), () => resolve(out), reject);
  });
}

/** The shape CloudWatch Logs puts into a stream through a subscription filter (before gzip). */
function cloudWatchPayload(events: { message: string; timestamp: number }[]) {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/orders',
    logStream: '2026/11/28/[$LATEST]0123456789abcdef',
    subscriptionFilters: ['to-kinesis'],
    logEvents: events.map((e, i) => ({ id: `3${String(i).padStart(55, '0')}`, timestamp: e.timestamp, message: e.message })),
  };
}

function raw(data: Uint8Array | string, over: Partial<RawRecord> = {}): RawRecord {
  return {
    shardId: 'shardId-000000000000',
    sequenceNumber: '49600000000000000000000000000000000000000000000000000001',
    partitionKey: 'pk',
    arrivalTime: Date.UTC(2026, 10, 28, 12, 0, 0),
    data: typeof data === 'string' ? Buffer.from(data) : data,
    ...over,
  };
}

const AWS = '/usr/bin/aws';
const exec = promisify(execFile);

describe('decoders on records produced by real tools', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let name: string;
  before(async () => {
    ep = await startKinesalite();
    name = uniqueName('decode');
    const svc = new StreamService(ep.client);
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
  });
  after(() => ep.close());

  /** Puts records through kinesalite and reads them back with the reader, as the inspector would. */
  async function roundTrip(put: () => Promise<void>): Promise<RawRecord[]> {
    const before = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
    await put();
    const all = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
    const after = all.slice(before.length);
    return after;
  }

  it('deaggregates KPL records made with aws-kinesis-agg into user records (sub-sequence numbers, keys, explicit hash keys)', async () => {
    const users = Array.from({ length: 25 }, (_, i) => ({
      partitionKey: `user-${i % 4}`,
      ...(i % 5 === 0 ? { explicitHashKey: String(BigInt(i) * 10n ** 30n) } : {}),
      data: i % 3 === 0 ? gzipSync(JSON.stringify({ n: i, zipped: true })) : Buffer.from(JSON.stringify({ n: i })),
    }));
    const encoded = await aggregate(users);
    assert.equal(encoded.length, 1);
    const read = await roundTrip(async () => {
      await ep.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: encoded[0].partitionKey, Data: encoded[0].data }));
    });
    assert.equal(read.length, 1);
    assert.deepEqual([...read[0].data.subarray(0, 4)], [0xf3, 0x89, 0x9a, 0xc2]);
    const decoded = decodeRecord(read[0]);
    assert.equal(decoded.length, 25);
    decoded.forEach((d, i) => {
      assert.equal(d.subSequenceNumber, i);
      assert.equal(d.id, `${read[0].shardId}/${read[0].sequenceNumber}/${i}`);
      assert.equal(d.sequenceNumber, read[0].sequenceNumber);
      assert.equal(d.partitionKey, `user-${i % 4}`);
      assert.equal(d.explicitHashKey, users[i].explicitHashKey);
      assert.deepEqual(d.json, i % 3 === 0 ? { n: i, zipped: true } : { n: i });
      assert.deepEqual(d.decodings, i % 3 === 0 ? ['kpl', 'gzip', 'json'] : ['kpl', 'json']);
      assert.equal(Buffer.from(d.rawBase64, 'base64').equals(users[i].data), true);
      assert.equal(d.error, undefined);
    });
    // Forcing 'kpl' gives the same.
    assert.equal(decodeRecord(read[0], 'kpl').length, 25);
  });

  it('reports a KPL aggregate with a wrong MD5 checksum, keeping its bytes', async () => {
    const [encoded] = await aggregate([{ partitionKey: 'a', data: Buffer.from('hello') }, { partitionKey: 'b', data: Buffer.from('world') }]);
    const bad = Buffer.from(encoded.data);
    bad[bad.length - 1] ^= 0xff;
    const [d] = decodeRecord(raw(bad));
    assert.match(d.error!, /checksum/i);
    assert.deepEqual(d.decodings, ['kpl', 'binary']);
    assert.equal(d.rawBase64, bad.toString('base64'));
    assert.match(d.text, /^00000000  f3 89 9a c2/);
    const truncated = encoded.data.subarray(0, 10);
    assert.ok(decodeRecord(raw(truncated))[0].error);
  });

  it('shows gzip CloudWatch Logs subscription payloads as rows of log events', async () => {
    const payload = cloudWatchPayload([
      { timestamp: Date.UTC(2026, 10, 28, 12, 0, 1), message: 'START RequestId: 1' },
      { timestamp: Date.UTC(2026, 10, 28, 12, 0, 2), message: '{"level":"ERROR","msg":"boom"}' },
      { timestamp: Date.UTC(2026, 10, 28, 12, 0, 3), message: 'END RequestId: 1' },
    ]);
    const read = await roundTrip(async () => {
      await ep.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: payload.logStream, Data: gzipSync(JSON.stringify(payload)) }));
    });
    const [d] = decodeRecords(read);
    assert.deepEqual(d.decodings, ['gzip', 'cloudwatch-logs']);
    assert.equal(d.cloudWatchLogs!.logGroup, '/aws/lambda/orders');
    assert.equal(d.cloudWatchLogs!.logStream, payload.logStream);
    assert.equal(d.cloudWatchLogs!.events.length, 3);
    assert.equal(d.cloudWatchLogs!.events[1].message, '{"level":"ERROR","msg":"boom"}');
    assert.deepEqual(d.json, payload);
    const lines = d.text.split('\n');
    assert.match(lines[0], /DATA_MESSAGE.*\/aws\/lambda\/orders/);
    assert.equal(lines[3], '2026-11-28T12:00:02.000Z  {"level":"ERROR","msg":"boom"}');
    // The control message CloudWatch sends first is shown the same way.
    const control = { ...cloudWatchPayload([{ timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }]), messageType: 'CONTROL_MESSAGE', logGroup: '', logStream: '' };
    const [c] = decodeRecord(raw(gzipSync(JSON.stringify(control))));
    assert.deepEqual(c.decodings, ['gzip', 'cloudwatch-logs']);
    assert.equal(c.cloudWatchLogs!.messageType, 'CONTROL_MESSAGE');
  });

  it('decodes records put by the AWS CLI (Debian awscli)', async function () {
    if (!existsSync(AWS)) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'awscli-'));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' };
    const cli = (...args: string[]) => exec(AWS, ['kinesis', 'put-record', '--endpoint-url', ep.endpoint, '--stream-name', name, ...args], { env });
    try {
      const gz = join(dir, 'event.json.gz');
      writeFileSync(gz, gzipSync(JSON.stringify({ from: 'file', ok: true })));
      const read = await roundTrip(async () => {
        await cli('--partition-key', 'json', '--cli-binary-format', 'raw-in-base64-out', '--data', '{"order":42,"items":["a","b"]}');
        await cli('--partition-key', 'text', '--cli-binary-format', 'raw-in-base64-out', '--data', 'hello from the aws cli');
        // AWS CLI v2's default: --data is base64 that it decodes before sending.
        await cli('--partition-key', 'b64', '--data', Buffer.from('decoded by the cli').toString('base64'));
        // Someone sending base64 text as the payload: the record holds the base64 characters.
        await cli('--partition-key', 'b64text', '--cli-binary-format', 'raw-in-base64-out', '--data', Buffer.from('{"wrapped":true}').toString('base64'));
        await cli('--partition-key', 'file', '--data', `fileb://${gz}`);
        await cli('--partition-key', 'xss', '--cli-binary-format', 'raw-in-base64-out', '--data', '<img src=x onerror=alert(1)>');
      });
      assert.equal(read.length, 6);
      const byKey = new Map(read.map((r) => [r.partitionKey, decodeRecord(r)[0]]));
      assert.deepEqual(byKey.get('json')!.json, { order: 42, items: ['a', 'b'] });
      assert.deepEqual(byKey.get('json')!.decodings, ['json']);
      assert.equal(byKey.get('json')!.text, JSON.stringify({ order: 42, items: ['a', 'b'] }, null, 2));
      assert.equal(byKey.get('text')!.text, 'hello from the aws cli');
      assert.deepEqual(byKey.get('text')!.decodings, ['text']);
      assert.equal(byKey.get('b64')!.text, 'decoded by the cli');
      assert.deepEqual(byKey.get('b64text')!.decodings, ['base64', 'json']);
      assert.deepEqual(byKey.get('b64text')!.json, { wrapped: true });
      assert.deepEqual(byKey.get('file')!.decodings, ['gzip', 'json']);
      assert.deepEqual(byKey.get('file')!.json, { from: 'file', ok: true });
      const xss = byKey.get('xss')!;
      assert.equal(xss.text, '<img src=x onerror=alert(1)>');
      assert.deepEqual(xss.decodings, ['text']);
      assert.equal(previewOf(xss), '<img src=x onerror=alert(1)>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decoders on bad and unusual data', () => {
  it('an invalid gzip payload yields its bytes and why', () => {
    const bad = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('definitely not deflate data')]);
    const [d] = decodeRecord(raw(bad));
    assert.deepEqual(d.decodings, ['gzip', 'binary']);
    assert.match(d.error!, /gzip/);
    assert.match(d.text, /^00000000  1f 8b 08 00/);
    assert.equal(d.rawBase64, bad.toString('base64'));
    // A gzip stream cut short.
    const cut = gzipSync(JSON.stringify({ a: 1 })).subarray(0, 15);
    assert.match(decodeRecord(raw(cut))[0].error!, /gzip data is invalid/);
    // Forced gzip on something that is not gzip.
    assert.match(decodeRecord(raw('plain'), 'gzip')[0].error!, /gzip/);
  });

  it('invalid UTF-8 is shown as binary; forcing text marks the bad bytes and says so', () => {
    const bytes = Buffer.from([0x68, 0x69, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe]);
    const [d] = decodeRecord(raw(bytes));
    assert.deepEqual(d.decodings, ['binary']);
    assert.equal(d.error, undefined);
    assert.match(d.text, /68 69 20 c3 28 a0 a1 ff {2}fe/);
    assert.match(d.text, /\|hi .\(\.\.\.\.\|/);
    const [t] = decodeRecord(raw(bytes), 'text');
    assert.match(t.error!, /UTF-8/);
    assert.ok(t.text.includes('\uFFFD'));
  });

  it('keeps markup as literal text', () => {
    const s = '<img src=x onerror=alert(1)>';
    const [d] = decodeRecord(raw(s));
    assert.equal(d.text, s);
    const [j] = decodeRecord(raw(JSON.stringify({ html: s })));
    assert.equal((j.json as { html: string }).html, s);
    assert.ok(j.text.includes(s));
  });

  it('inflates zlib, decodes UTF-8 text in any script, and dumps binary', () => {
    assert.deepEqual(decodeRecord(raw(deflateSync('{"z":1}')))[0].decodings, ['zlib', 'json']);
    const [u] = decodeRecord(raw('žluťoučký kůň — 日本語 ✓'));
    assert.deepEqual(u.decodings, ['text']);
    assert.equal(u.text, 'žluťoučký kůň — 日本語 ✓');
    // Text that starts like a zlib header is still text.
    assert.deepEqual(decodeRecord(raw('x^2 + y^2'))[0].decodings, ['text']);
    // Words that happen to be valid base64 stay words.
    assert.deepEqual(decodeRecord(raw('HelloWorld12'))[0].decodings, ['text']);
    const bin = Buffer.from(Array.from({ length: 40 }, (_, i) => i * 7 % 256));
    const [b] = decodeRecord(raw(bin));
    assert.deepEqual(b.decodings, ['binary']);
    assert.equal(b.text.split('\n').length, 3);
    assert.equal(hexDump(Buffer.alloc(0)), '(empty)');
    assert.match(hexDump(Buffer.alloc(100), 32), /\.\.\. 68 more bytes$/);
  });

  it('forcing a decoding that does not fit says why; forcing one that fits uses it', () => {
    const [j] = decodeRecord(raw('not json'), 'json');
    assert.match(j.error!, /not JSON/);
    assert.equal(j.text, 'not json');
    const [b] = decodeRecord(raw('{"a":1}'), 'binary');
    assert.deepEqual(b.decodings, ['binary']);
    assert.match(b.text, /7b 22 61 22/);
    const [t] = decodeRecord(raw('{"a":1}'), 'text');
    assert.equal(t.text, '{"a":1}');
    const [c] = decodeRecord(raw('{"a":1}'), 'cloudwatch-logs');
    assert.match(c.error!, /not a CloudWatch Logs payload/);
    const [k] = decodeRecord(raw('{"a":1}'), 'kpl');
    assert.match(k.error!, /not a KPL/);
    const [b64] = decodeRecord(raw(Buffer.from('{"x":2}').toString('base64')), 'base64');
    assert.deepEqual(b64.decodings, ['base64', 'json']);
    const [notB64] = decodeRecord(raw('no way!'), 'base64');
    assert.match(notB64.error!, /base64/);
  });
});

function decoded(over: Partial<DecodedRecord> & { json?: unknown }): DecodedRecord {
  const text = over.text ?? (over.json !== undefined ? JSON.stringify(over.json, null, 2) : '');
  return {
    id: over.id ?? 's/1',
    shardId: 'shardId-000000000000',
    sequenceNumber: '1',
    partitionKey: 'pk',
    arrivalTime: 1000,
    size: text.length,
    decodings: over.json !== undefined ? ['json'] : ['text'],
    rawBase64: Buffer.from(text).toString('base64'),
    ...over,
    text,
  };
}

describe('RecordFilter', () => {
  const records = [
    decoded({ id: 'a', partitionKey: 'user-1', shardId: 'shardId-000000000000', arrivalTime: 1000, json: { level: 'ERROR', code: 500, user: { id: 1 } } }),
    decoded({ id: 'b', partitionKey: 'user-2', shardId: 'shardId-000000000001', arrivalTime: 2000, json: { level: 'INFO', code: 200, user: { id: 2 } } }),
    decoded({ id: 'c', partitionKey: 'order-9', shardId: 'shardId-000000000001', arrivalTime: 3000, text: 'plain text with Needle inside' }),
    ...decodeRecord(raw(gzipSync(JSON.stringify(cloudWatchPayload([{ timestamp: 5, message: 'ERROR in handler' }, { timestamp: 6, message: 'ok' }]))), { arrivalTime: 4000 })),
  ];
  const ids = (spec: Parameters<typeof RecordFilter.compile>[0]) => {
    const { filter, error } = RecordFilter.compile(spec);
    assert.equal(error, undefined);
    return filter.apply(records).map((r) => r.id);
  };

  it('filters by partition key (exact or wildcard), shard, time range and free text', () => {
    assert.deepEqual(ids({ partitionKey: 'user-1' }), ['a']);
    assert.deepEqual(ids({ partitionKey: 'user-*' }), ['a', 'b']);
    assert.deepEqual(ids({ shardIds: ['shardId-000000000001'] }), ['b', 'c']);
    assert.deepEqual(ids({ from: 2000, to: 3000 }), ['b', 'c']);
    assert.deepEqual(ids({ text: 'needle' }), ['c']);
    assert.deepEqual(ids({ text: 'error' }), ['a', records[3].id]);
    assert.deepEqual(ids({ text: 'error', partitionKey: 'user-*' }), ['a']);
    assert.equal(RecordFilter.compile({}).filter.empty, true);
    assert.equal(ids({}).length, 4);
  });

  it('filters by JMESPath over the decoded JSON', () => {
    assert.deepEqual(ids({ jmespath: "level == 'ERROR'" }), ['a']);
    assert.deepEqual(ids({ jmespath: 'code >= `200` && user.id == `2`' }), ['b']);
    assert.deepEqual(ids({ jmespath: "logEvents[?contains(message, 'ERROR')]" }), [records[3].id]);
    assert.deepEqual(ids({ jmespath: 'user' }), ['a', 'b']);
    assert.deepEqual(ids({ jmespath: 'missing.field' }), []);
  });

  it('returns a bad JMESPath expression as a message, never throws, and matches nothing', () => {
    let result!: ReturnType<typeof RecordFilter.compile>;
    assert.doesNotThrow(() => (result = RecordFilter.compile({ jmespath: 'level == [' })));
    assert.match(result.error!, /\w/);
    assert.deepEqual(result.filter.apply(records), []);
    const unclosed = RecordFilter.compile({ jmespath: "contains(level, 'E'" });
    assert.ok(unclosed.error);
    // jmespath.js itself accepts these two; the filter must not.
    assert.match(RecordFilter.compile({ jmespath: "level == 'ERROR" }).error ?? '', /unclosed string/);
    assert.match(RecordFilter.compile({ jmespath: 'a.b.' }).error ?? '', /incomplete/);
    assert.equal(RecordFilter.compile({ jmespath: "level == 'ERROR'" }).error, undefined);
    // A runtime error (a function given the wrong type) is kept as a message too.
    const runtime = RecordFilter.compile({ jmespath: 'abs(level)' });
    assert.equal(runtime.error, undefined);
    assert.deepEqual(runtime.filter.apply(records), []);
    assert.match(runtime.filter.runtimeError!, /abs|type/i);
  });
});

class Collect extends Writable {
  chunks: string[] = [];
  constructor() {
    super({ highWaterMark: 256 });
  }
  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    setImmediate(cb);
  }
  get text(): string {
    return this.chunks.join('');
  }
}

describe('export', () => {
  const recs = [
    decoded({ id: 'a', json: { a: 1, s: 'comma, "quote"\nnewline' } }),
    decoded({ id: 'b', text: 'line1\nline2, with "quotes"' }),
    ...decodeRecord(raw(Buffer.from([0, 1, 2]))),
  ];

  it('writes JSON Lines, one parsable object per record, with backpressure', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => decoded({ id: String(i), partitionKey: `k${i}`, json: { i, pad: 'x'.repeat(50) } }));
    const out = new Collect();
    const progress: number[] = [];
    const n = await writeJsonLines(many, out, { onProgress: (k) => progress.push(k) });
    assert.equal(n, 3000);
    const lines = out.text.trimEnd().split('\n');
    assert.equal(lines.length, 3000);
    const first = JSON.parse(lines[0]);
    assert.deepEqual(first.data, { i: 0, pad: 'x'.repeat(50) });
    assert.equal(first.partitionKey, 'k0');
    assert.equal(first.arrivalTime, '1970-01-01T00:00:01.000Z');
    assert.ok(out.chunks.length > 1);
    assert.deepEqual(progress, [1000, 2000, 3000, 3000]);
    const small = new Collect();
    await writeJsonLines(recs, small);
    const parsed = small.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(parsed[1].data, 'line1\nline2, with "quotes"');
    assert.deepEqual(parsed[2].decodings, ['binary']);
    assert.equal(parsed[2].rawBase64, 'AAEC');
  });

  it('writes CSV with a header and RFC 4180 quoting', async () => {
    const out = new Collect();
    await writeCsv(recs, out);
    const text = out.text;
    assert.ok(text.startsWith('arrivalTime,shardId,sequenceNumber,subSequenceNumber,partitionKey,explicitHashKey,size,decodings,data,error,rawBase64\r\n'));
    assert.ok(text.includes('"{""a"":1,""s"":""comma, \\""quote\\""\\nnewline""}"'));
    assert.ok(text.includes('"line1\nline2, with ""quotes"""'));
    assert.ok(text.endsWith('\r\n'));
  });
});
