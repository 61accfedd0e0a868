/**
 * Benchmark: decoding 100,000 mixed Kinesis records (JSON, gzip JSON, KPL aggregates of JSON).
 *   ours   - decodeRecord (auto-detection, inflate, KPL deaggregation + MD5 check, pretty JSON, base64 of raw)
 *   naive  - hand-written per-format code that knows each record's format in advance:
 *            toString / gunzipSync / aws-kinesis-agg deaggregateSync, then JSON.parse
 *   parse  - JSON.parse alone on the same JSON documents (already extracted: the floor)
 * One run each, side by side in the same process, after one warm-up pass of each on 2,000 records.
 * Run: npm run bench -- decodeRecords
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeRecord } from '../../src/core/records/decoders';
import type { RawRecord } from '../../src/core/records/types';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; data: Buffer }[], handler: (e: { partitionKey: string; data: Buffer }, done: () => void) => void, after: () => void, onError: (e: Error) => void): void;
  deaggregateSync(record: { data: string; partitionKey: string; sequenceNumber: string }, checksums: boolean, cb: (err: Error | null, users?: { data: string }[]) => void): void;
};

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PER_AGGREGATE = 4;

type Kind = 'json' | 'gzip' | 'kpl';

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
    const k: Kind = (['json', 'gzip', 'kpl'] as const)[i % 3];
    let data: Buffer;
    if (k === 'json') {
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
    raws.push({ shardId: 'shardId-000000000000', sequenceNumber: String(49600000000000000000000000000000000000000000000000000000n + BigInt(i)), partitionKey: `pk-${i % 100}`, arrivalTime: 1764331200000 + i, data });
  }
  return { raws, kinds, docs };
}

function runOurs(raws: RawRecord[]): number {
  let n = 0;
  for (const r of raws) n += decodeRecord(r).length;
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
    }
  }
  return n;
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

async function main(): Promise<void> {
  const warm = await build(2000, 10_000_000);
  runOurs(warm.raws);
  runNaive(warm.raws, warm.kinds);
  runParse(warm.docs);

  const t0 = performance.now();
  const { raws, kinds, docs } = await build(RECORDS, 0);
  const bytes = raws.reduce((s, r) => s + r.data.length, 0);
  console.log(`built ${RECORDS.toLocaleString('en-US')} records (${kinds.filter((k) => k === 'json').length.toLocaleString('en-US')} JSON, ${kinds.filter((k) => k === 'gzip').length.toLocaleString('en-US')} gzip JSON, ${kinds.filter((k) => k === 'kpl').length.toLocaleString('en-US')} KPL aggregates of ${PER_AGGREGATE}), ${(bytes / 1048576).toFixed(1)} MiB, ${docs.length.toLocaleString('en-US')} JSON documents, in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  (globalThis as { gc?: () => void }).gc?.();
  const ours = time(() => runOurs(raws));
  (globalThis as { gc?: () => void }).gc?.();
  const naive = time(() => runNaive(raws, kinds));
  (globalThis as { gc?: () => void }).gc?.();
  const parse = time(() => runParse(docs));

  const row = (name: string, x: { ms: number; value: number }) =>
    `${name.padEnd(62)} ${x.value.toLocaleString('en-US').padStart(8)} ${x.ms.toFixed(0).padStart(7)} ms ${Math.round(RECORDS / (x.ms / 1000)).toLocaleString('en-US').padStart(10)} rec/s`;
  console.log(`${''.padEnd(62)} ${'results'.padStart(8)} ${'time'.padStart(10)} ${'kinesis records/s'.padStart(18)}`);
  console.log(row('ours: decodeRecord (auto-detect, inflate, KPL+MD5, pretty, b64)', ours));
  console.log(row('naive: per-format code told the format, + JSON.parse', naive));
  console.log(row('parse: JSON.parse alone on the extracted JSON documents', parse));
  console.log(`\nratio ours/JSON.parse alone: ${(ours.ms / parse.ms).toFixed(2)}x the time   ours/naive: ${(ours.ms / naive.ms).toFixed(2)}x the time`);
  if (ours.value !== docs.length || naive.value !== docs.length) {
    console.error(`MISMATCH: ${docs.length} documents, ours ${ours.value}, naive ${naive.value}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
