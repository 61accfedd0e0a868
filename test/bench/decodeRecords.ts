/**
 * Benchmark: decoding 100,000 mixed Kinesis records (JSON, gzip JSON, KPL aggregates of JSON).
 *   ours   - decodeRecord (auto-detection, inflate, KPL deaggregation + MD5 check; pretty JSON and
 *            base64 of raw are made when read, so "ours, shown" reads them too)
 *   naive  - hand-written per-format code that knows each record's format in advance:
 *            toString / gunzipSync / aws-kinesis-agg deaggregateSync, then JSON.parse
 *   parse  - JSON.parse alone on the same JSON documents (already extracted: the floor)
 * One run each, side by side in the same process, after one warm-up pass of each on 2,000 records.
 *
 * Then the inspector's path under compression bombs: ten 60 MiB gzip bombs (about 150 KB each on
 * the wire) among 10,000 JSON records, in reader pages of 1,000, decoded into an InspectorModel:
 *   in the callback - decodeRecords(page) in the reader's callback (what the panel did before)
 *   decode queue    - RecordDecodeQueue: slices of about 8 ms, yielding to the event loop
 * Longest event-loop block (a 1 ms ticker's largest gap), total time, heap and buffer growth held.
 * Run: npm run bench -- decodeRecords
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeRecord, decodeRecords } from '../../src/core/records/decoders';
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

function runOurs(raws: RawRecord[], shown = false): number {
  let n = 0;
  for (const r of raws) {
    for (const d of decodeRecord(r)) {
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
  const shown = time(() => runOurs(raws, true));
  (globalThis as { gc?: () => void }).gc?.();
  const naive = time(() => runNaive(raws, kinds));
  (globalThis as { gc?: () => void }).gc?.();
  const parse = time(() => runParse(docs));

  const row = (name: string, x: { ms: number; value: number }) =>
    `${name.padEnd(62)} ${x.value.toLocaleString('en-US').padStart(8)} ${x.ms.toFixed(0).padStart(7)} ms ${Math.round(RECORDS / (x.ms / 1000)).toLocaleString('en-US').padStart(10)} rec/s`;
  console.log(`${''.padEnd(62)} ${'results'.padStart(8)} ${'time'.padStart(10)} ${'kinesis records/s'.padStart(18)}`);
  console.log(row('ours: decodeRecord (auto-detect, inflate, KPL+MD5)', ours));
  console.log(row('ours, shown: + pretty text and base64 read', shown));
  console.log(row('naive: per-format code told the format, + JSON.parse', naive));
  console.log(row('parse: JSON.parse alone on the extracted JSON documents', parse));
  console.log(`\nratio ours/JSON.parse alone: ${(ours.ms / parse.ms).toFixed(2)}x the time   ours/naive: ${(ours.ms / naive.ms).toFixed(2)}x the time`);
  if (ours.value !== docs.length || naive.value !== docs.length) {
    console.error(`MISMATCH: ${docs.length} documents, ours ${ours.value}, naive ${naive.value}`);
    process.exitCode = 1;
  }
  await bombs();
}

const MiB = 1024 * 1024;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
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
