/**
 * Benchmark: decoding 100,000 mixed Kinesis records: JSON, gzip JSON, KPL aggregates of JSON, and the
 * formats AWS producers write (EventBridge events, CloudFront real-time log lines, gzip CloudWatch
 * Logs payloads, metric streams in JSON and OpenTelemetry 1.0.0/0.7.0, DynamoDB changes, Glue
 * Schema Registry Avro), made from the samples of AWS's documentation (test/support/awsSamples.ts).
 *   ours   - decodeRecord (auto-detection, inflate, KPL deaggregation + MD5 check; pretty JSON and
 *            base64 of raw are made when read, so "ours, shown" reads them too)
 *   naive  - hand-written per-format code that knows each record's format in advance and makes
 *            the same values: toString / gunzipSync / aws-kinesis-agg deaggregateSync, then
 *            JSON.parse; split on tabs into the named fields; JSON.parse per line; the OTLP
 *            version's own protobuf model, walked to data points; unmarshall of the images; avsc
 *   parse  - JSON.parse alone on the same JSON documents (already extracted: the floor)
 * Side by side in the same process, after one warm-up pass of each on 2,000 records: three runs of
 * each, alternating, the median quoted (the machine is shared).
 *
 * Then the inspector's path under compression bombs: ten 60 MiB gzip bombs (about 150 KB each on
 * the wire) among 10,000 JSON records, in reader pages of 1,000, decoded into an InspectorModel:
 *   in the callback - decodeRecords(page) in the reader's callback (what the panel did before)
 *   decode queue    - RecordDecodeQueue: slices of about 8 ms, yielding to the event loop
 * Longest event-loop block (a 1 ms ticker's largest gap), total time, heap and buffer growth held.
 * Run: npm run bench -- decodeRecords
 */
import { gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as avro from 'avsc';
import { CLOUDFRONT_FIELDS } from '../../src/core/records/cloudFront';
import { decodeRecord, decodeRecords, DecodeOptions } from '../../src/core/records/decoders';
import { AvroSchemas } from '../../src/core/records/glueSchemaRegistry';
import { AVRO_SCHEMA, AVRO_SCHEMA_VERSION_ID, AVRO_VALUE, CLOUDWATCH_LOGS_PAYLOAD, cloudFrontLine, DYNAMODB_CHANGE, EVENTBRIDGE_EVENT, METRIC_STREAM_JSON_DATUM, otlpRequestType } from '../support/awsSamples';
import { encodeGlueSchemaRegistry } from '../../src/core/records/glueSchemaRegistry';
import { RecordDecodeQueue } from '../../src/core/records/decodeQueue';
import type { RawRecord } from '../../src/core/records/types';
import { InspectorModel } from '../../src/vscode/inspector/model';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; data: Buffer }[], handler: (e: { partitionKey: string; data: Buffer }, done: () => void) => void, after: () => void, onError: (e: Error) => void): void;
  deaggregateSync(record: { data: string; partitionKey: string; sequenceNumber: string }, checksums: boolean, cb: (err: Error | null, users?: { data: string }[]) => void): void;
};

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PER_AGGREGATE = 4;

const KINDS = ['json', 'gzip', 'kpl', 'eventbridge', 'cloudfront', 'cwlogs', 'metrics', 'otel', 'dynamodb', 'glue'] as const;
type Kind = (typeof KINDS)[number];

const avroType = avro.Type.forSchema(AVRO_SCHEMA as avro.Schema);
const otlp = { '1.0.0': otlpRequestType('1.0.0'), '0.7.0': otlpRequestType('0.7.0') };
const schemas = new AvroSchemas();
schemas.add(AVRO_SCHEMA_VERSION_ID, AVRO_SCHEMA);
const OPTIONS: DecodeOptions = { avroSchemas: schemas };

/** A record of one of the AWS formats, varied by i; otel alternates the two OTLP versions. */
function awsRecord(k: Kind, i: number): Buffer {
  switch (k) {
    case 'eventbridge':
      return Buffer.from(JSON.stringify({ ...EVENTBRIDGE_EVENT, id: `6a7e8feb-b491-4cf7-a9f1-${String(i).padStart(12, '0')}`, detail: { ...EVENTBRIDGE_EVENT.detail, seq: i } }));
    case 'cloudfront':
      return Buffer.from(cloudFrontLine().replace('1591722780.123', `${1591722780 + (i % 1000)}.123`));
    case 'cwlogs':
      return gzipSync(JSON.stringify({ ...CLOUDWATCH_LOGS_PAYLOAD, logStream: `stream-${i % 50}` }));
    case 'metrics':
      return Buffer.from([0, 1, 2].map((j) => JSON.stringify({ ...METRIC_STREAM_JSON_DATUM, timestamp: METRIC_STREAM_JSON_DATUM.timestamp + i * 60000 + j })).join('\n') + '\n');
    case 'otel':
      return otlpRecord(i % 2 ? '0.7.0' : '1.0.0', i);
    case 'dynamodb':
      return Buffer.from(JSON.stringify({ ...DYNAMODB_CHANGE, dynamodb: { ...DYNAMODB_CHANGE.dynamodb, NewImage: { ...DYNAMODB_CHANGE.dynamodb.NewImage, Awards: { N: String(i) } } } }));
    default:
      return encodeGlueSchemaRegistry(AVRO_SCHEMA_VERSION_ID, avroType.toBuffer({ ...AVRO_VALUE, visits: i }), i % 2 ? 'zlib' : 'none');
  }
}

function otlpRecord(version: '0.7.0' | '1.0.0', i: number): Buffer {
  const dims = [['Namespace', 'AWS/DynamoDB'], ['MetricName', 'ConsumedReadCapacityUnits'], ['TableName', `table-${i % 20}`]];
  const point = {
    ...(version === '0.7.0' ? { labels: dims.map(([key, value]) => ({ key, value })) } : { attributes: dims.map(([key, value]) => ({ key, value: { string_value: value } })) }),
    start_time_unix_nano: String(1604948400000000000n + BigInt(i) * 60000000000n),
    time_unix_nano: String(1604948460000000000n + BigInt(i) * 60000000000n),
    count: 2,
    sum: 5,
    quantile_values: [{ quantile: 0, value: 2 }, { quantile: 1, value: 3 }],
  };
  const metric = { name: 'amazonaws.com/AWS/DynamoDB/ConsumedReadCapacityUnits', unit: '1', ...(version === '0.7.0' ? { double_summary: { data_points: [point, point] } } : { summary: { data_points: [point, point] } }) };
  const resource = { attributes: [{ key: 'cloud.account.id', value: { string_value: '2345678901' } }, { key: 'aws.exporter.arn', value: { string_value: 'arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/MyMetricStream' } }] };
  const msg = { resource_metrics: [{ resource, ...(version === '0.7.0' ? { instrumentation_library_metrics: [{ metrics: [metric] }] } : { scope_metrics: [{ metrics: [metric] }] }) }] };
  const type = otlp[version];
  const body = type.encode(type.fromObject(msg)).finish();
  const len: number[] = [];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from(len), body]);
}

function doc(i: number): string {
  return JSON.stringify({ id: i, level: i % 10 === 0 ? 'ERROR' : 'INFO', user: { id: i % 997, name: `user-${i % 997}` }, path: `/orders/${i}`, ms: i % 250, tags: ['a', 'b', String(i % 7)] });
}

function aggregate(users: { partitionKey: string; data: Buffer }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    agg.aggregate(users, (e, done) => (out.push(e.data), done()), () => resolve(out[0]), reject);
  });
}

async function build(n: number, offset: number): Promise<{ raws: RawRecord[]; kinds: Kind[]; docs: string[] }> {
  const raws: RawRecord[] = [];
  const kinds: Kind[] = [];
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const k: Kind = KINDS[i % KINDS.length];
    let data: Buffer;
    if (k !== 'json' && k !== 'gzip' && k !== 'kpl') {
      data = awsRecord(k, offset + i);
    } else if (k === 'json') {
      const d = doc(offset + i);
      docs.push(d);
      data = Buffer.from(d);
    } else if (k === 'gzip') {
      const d = doc(offset + i);
      docs.push(d);
      data = gzipSync(d);
    } else {
      const users = Array.from({ length: PER_AGGREGATE }, (_, j) => {
        const d = doc(offset + i * 10 + j);
        docs.push(d);
        return { partitionKey: `pk-${j}`, data: Buffer.from(d) };
      });
      data = await aggregate(users);
    }
    kinds.push(k);
    // The OTLP version rides in the partition key: the naive code is told it.
    const partitionKey = k === 'otel' ? ((offset + i) % 2 ? 'otel-0.7.0' : 'otel-1.0.0') : `pk-${i % 100}`;
    raws.push({ shardId: 'shardId-000000000000', sequenceNumber: String(49600000000000000000000000000000000000000000000000000000n + BigInt(i)), partitionKey, arrivalTime: 1764331200000 + i, data });
  }
  return { raws, kinds, docs };
}

function runOurs(raws: RawRecord[], shown = false): number {
  let n = 0;
  for (const r of raws) {
    for (const d of decodeRecord(r, undefined, OPTIONS)) {
      n++;
      if (shown && d.text.length + d.rawBase64.length < 0) n--;
    }
  }
  return n;
}

function runNaive(raws: RawRecord[], kinds: Kind[]): number {
  let n = 0;
  for (let i = 0; i < raws.length; i++) {
    const r = raws[i];
    const data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    switch (kinds[i]) {
      case 'json':
        JSON.parse(data.toString('utf8'));
        n++;
        break;
      case 'gzip':
        JSON.parse(gunzipSync(data).toString('utf8'));
        n++;
        break;
      case 'kpl':
        agg.deaggregateSync({ data: data.toString('base64'), partitionKey: r.partitionKey, sequenceNumber: r.sequenceNumber }, true, (err, users) => {
          if (err) throw err;
          for (const u of users!) {
            JSON.parse(Buffer.from(u.data, 'base64').toString('utf8'));
            n++;
          }
        });
        break;
      case 'eventbridge':
        JSON.parse(data.toString('utf8'));
        n++;
        break;
      case 'cloudfront': {
        const values = data.toString('utf8').replace(/\n$/, '').split('\t');
        const row: Record<string, string | null> = {};
        for (let j = 0; j < values.length; j++) row[CLOUDFRONT_FIELDS[j]] = values[j] === '-' ? null : values[j];
        n++;
        break;
      }
      case 'cwlogs':
        JSON.parse(gunzipSync(data).toString('utf8'));
        n++;
        break;
      case 'metrics':
        data.toString('utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
        n++;
        break;
      case 'otel':
        naiveOtlp(data, r.partitionKey === 'otel-0.7.0' ? '0.7.0' : '1.0.0');
        n++;
        break;
      case 'dynamodb': {
        const c = JSON.parse(data.toString('utf8'));
        for (const img of ['Keys', 'NewImage', 'OldImage']) if (c.dynamodb[img]) c.dynamodb[img] = unmarshall(c.dynamodb[img]);
        n++;
        break;
      }
      case 'glue': {
        const body = data[1] === 5 ? inflateSync(data.subarray(18)) : data.subarray(18);
        avroType.fromBuffer(body);
        n++;
        break;
      }
    }
  }
  return n;
}

type Long = { toNumber(): number } | number;
const num = (v: Long) => (typeof v === 'number' ? v : v.toNumber());

/** What a consumer told the version writes: the length-delimited requests, walked to data points. */
function naiveOtlp(data: Buffer, version: '0.7.0' | '1.0.0'): unknown[] {
  const points: unknown[] = [];
  let at = 0;
  while (at < data.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = data[at++];
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    const msg = otlp[version].decode(data.subarray(at, at + len)) as unknown as { resource_metrics: { scope_metrics?: { metrics: { name: string; summary?: { data_points: unknown[] }; double_summary?: { data_points: unknown[] } }[] }[]; instrumentation_library_metrics?: { metrics: { name: string; summary?: { data_points: unknown[] }; double_summary?: { data_points: unknown[] } }[] }[] }[] };
    at += len;
    for (const rm of msg.resource_metrics) {
      for (const sm of (version === '1.0.0' ? rm.scope_metrics : rm.instrumentation_library_metrics) ?? []) {
        for (const m of sm.metrics) {
          for (const p of ((version === '1.0.0' ? m.summary : m.double_summary)?.data_points ?? []) as { labels?: { key: string; value: string }[]; attributes?: { key: string; value: { string_value: string } }[]; time_unix_nano: Long; count: Long; sum: number; quantile_values: { quantile: number; value: number }[] }[]) {
            const dims: Record<string, string> = {};
            for (const l of p.labels ?? []) dims[l.key] = l.value;
            for (const a of p.attributes ?? []) dims[a.key] = a.value.string_value;
            points.push({ metric: m.name, dims, timestamp: num(p.time_unix_nano) / 1e6, count: num(p.count), sum: p.sum, min: p.quantile_values[0]?.value, max: p.quantile_values[p.quantile_values.length - 1]?.value });
          }
        }
      }
    }
  }
  return points;
}

function runParse(docs: string[]): number {
  for (const d of docs) JSON.parse(d);
  return docs.length;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const warm = await build(2000, 10_000_000);
  runOurs(warm.raws);
  runNaive(warm.raws, warm.kinds);
  runParse(warm.docs);

  const t0 = performance.now();
  const { raws, kinds, docs } = await build(RECORDS, 0);
  const bytes = raws.reduce((s, r) => s + r.data.length, 0);
  const of = (k: Kind) => kinds.filter((x) => x === k).length.toLocaleString('en-US');
  const aws = kinds.filter((k) => k !== 'json' && k !== 'gzip' && k !== 'kpl').length;
  const expected = docs.length + aws;
  console.log(`built ${RECORDS.toLocaleString('en-US')} records, ${(bytes / 1048576).toFixed(1)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${of('json')} JSON, ${of('gzip')} gzip JSON, ${of('kpl')} KPL aggregates of ${PER_AGGREGATE}; ${of('eventbridge')} EventBridge, ${of('cloudfront')} CloudFront, ${of('cwlogs')} CloudWatch Logs (gzip), ${of('metrics')} metric stream JSON, ${of('otel')} OpenTelemetry (1.0.0 and 0.7.0), ${of('dynamodb')} DynamoDB, ${of('glue')} Glue Schema Registry\n`);

  // Three runs of each, alternating; the median of each is quoted.
  const runs: Record<'ours' | 'shown' | 'naive' | 'parse', { ms: number; value: number }[]> = { ours: [], shown: [], naive: [], parse: [] };
  for (let i = 0; i < 3; i++) {
    gc();
    runs.ours.push(time(() => runOurs(raws)));
    gc();
    runs.naive.push(time(() => runNaive(raws, kinds)));
    gc();
    runs.shown.push(time(() => runOurs(raws, true)));
    gc();
    runs.parse.push(time(() => runParse(docs)));
  }
  const median = (xs: { ms: number; value: number }[]) => [...xs].sort((a, b) => a.ms - b.ms)[1];
  const [ours, shown, naive, parse] = [median(runs.ours), median(runs.shown), median(runs.naive), median(runs.parse)];

  const row = (name: string, x: { ms: number; value: number }) =>
    `${name.padEnd(62)} ${x.value.toLocaleString('en-US').padStart(8)} ${x.ms.toFixed(0).padStart(7)} ms ${Math.round(RECORDS / (x.ms / 1000)).toLocaleString('en-US').padStart(10)} rec/s`;
  console.log(`${'(median of 3)'.padEnd(62)} ${'results'.padStart(8)} ${'time'.padStart(10)} ${'kinesis records/s'.padStart(18)}`);
  console.log(row('ours: decodeRecord (auto-detect every format)', ours));
  console.log(row('ours, shown: + pretty text and base64 read', shown));
  console.log(row('naive: per-format code told the format', naive));
  console.log(row('parse: JSON.parse alone on the JSON/gzip/KPL documents', parse));
  console.log(`\nratio ours/naive: ${(ours.ms / naive.ms).toFixed(2)}x the time (runs: ours ${runs.ours.map((x) => x.ms.toFixed(0)).join(', ')} ms; naive ${runs.naive.map((x) => x.ms.toFixed(0)).join(', ')} ms)`);
  // Per format (one pass each): where the time goes.
  const cells: string[] = [];
  for (const k of KINDS) {
    const idx = kinds.flatMap((x, i) => (x === k ? [i] : []));
    const rs = idx.map((i) => raws[i]);
    const ks = idx.map(() => k);
    gc();
    const o = time(() => runOurs(rs));
    gc();
    const nv = time(() => runNaive(rs, ks));
    cells.push(`${k} ${o.ms.toFixed(0)}/${nv.ms.toFixed(0)} ms (${(o.ms / nv.ms).toFixed(2)}x)`);
  }
  console.log(`per format, one pass each on ${(RECORDS / KINDS.length).toLocaleString('en-US')} records (indicative only: small sets on a shared machine), ours/naive: ${cells.join(', ')}`);
  if (ours.value !== expected || naive.value !== expected) {
    console.error(`MISMATCH: ${expected} results expected, ours ${ours.value}, naive ${naive.value}`);
    process.exitCode = 1;
  }
  await bombs();
}

const MiB = 1024 * 1024;
const memory = (): { heap: number; buffers: number } => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function inspectorPath(pages: RawRecord[][], queue: boolean): Promise<{ longest: number; ms: number; heap: number; buffers: number; held: number }> {
  gc();
  const m0 = memory();
  const model = new InspectorModel(100_000, 512 * MiB);
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  const t = performance.now();
  last = t;
  longest = 0;
  if (queue) {
    const q = new RecordDecodeQueue((recs) => model.add(recs));
    for (const page of pages) {
      q.push(page);
      await tick();
    }
    await q.idle();
  } else {
    for (const page of pages) {
      model.add(decodeRecords(page));
      await tick();
    }
  }
  const ms = performance.now() - t;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(ticker);
  gc();
  const m1 = memory();
  return { longest, ms, heap: (m1.heap - m0.heap) / MiB, buffers: (m1.buffers - m0.buffers) / MiB, held: model.heldCount };
}

async function bombs(): Promise<void> {
  const bomb = gzipSync(Buffer.alloc(60 * MiB, '{"level":"INFO","msg":"x"},'));
  const raws: RawRecord[] = Array.from({ length: 10_010 }, (_, i) => ({
    shardId: 'shardId-000000000000',
    sequenceNumber: String(49600000000000000000000000000000000000000000000000000000n + BigInt(i)),
    partitionKey: `pk-${i % 100}`,
    arrivalTime: 1764331200000 + i,
    data: i % 1001 === 500 ? bomb : Buffer.from(doc(i)),
  }));
  const pages: RawRecord[][] = [];
  for (let i = 0; i < raws.length; i += 1000) pages.push(raws.slice(i, i + 1000));
  console.log(`\ninspector path: ${raws.length.toLocaleString('en-US')} records, ten of them 60 MiB gzip bombs of ${(bomb.length / 1024).toFixed(0)} KiB, pages of 1,000, decode budget 4 MiB`);
  const rows: [string, Awaited<ReturnType<typeof inspectorPath>>][] = [];
  for (const queue of [false, true]) rows.push([queue ? 'decode queue' : 'in the callback', await inspectorPath(pages, queue)]);
  console.log(`${''.padEnd(16)} ${'longest block'.padStart(14)} ${'total'.padStart(9)} ${'heap held'.padStart(10)} ${'buffers held'.padStart(13)} ${'records'.padStart(8)}`);
  for (const [name, r] of rows) {
    console.log(`${name.padEnd(16)} ${`${r.longest.toFixed(0)} ms`.padStart(14)} ${`${r.ms.toFixed(0)} ms`.padStart(9)} ${`${r.heap.toFixed(1)} MiB`.padStart(10)} ${`${r.buffers.toFixed(1)} MiB`.padStart(13)} ${String(r.held).padStart(8)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
