/**
 * Benchmark: catching up on a 4-shard local stream (kinesalite), three readers side by side:
 *   ours     - StreamReader: all shards concurrently, paced to Kinesis's per-shard limits (test/core/shardReadBudget)
 *   sdk      - the plain SDK loop: GetShardIterator TRIM_HORIZON, then GetRecords (Limit 10000) shard after shard
 *   parallel - the naive parallel loop: every shard at once, GetRecords (Limit 10000) as fast as answers come
 * The two plain loops wait 1 s when a call is throttled (after the SDK's own retries).
 * A: straight to kinesalite, which has no limits. B: through test/support/faultProxy.ts enforcing Kinesis's
 * per-shard read limits (5 GetRecords/s, 2 MiB/s; a call before the earlier pages are paid is answered 400
 * ProvisionedThroughputExceededException, as the service does), 200,000 records of ~200 bytes. C: the limits
 * scaled down 8x. D: records of 1 KiB at the real limits.
 * The records are spread evenly over the shards (an explicit hash key per record): with the bench's 1,000
 * partition keys alone one shard got 30% of them, and the read of a skewed stream is bound by its largest
 * shard whatever the reader does, so that "share of the limits" would measure the skew.
 * Bytes are data and partition keys, as the limits count them.
 * "Share of the limits": the MiB/s a reader kept up over (shards x per-shard limit), counted until its reads
 * were paid (the proxy would let every shard be read again), not until the last record came: a page of
 * 10,000 records read at once arrives early and is paid for afterwards, which a catching-up read that goes on
 * cannot skip. kinesalite is one Node process that spends about 13 us of CPU per record read (30 us before our
 * patch of its sequence-number arithmetic); on a loaded machine it may not serve 4 x 2 MiB/s of 200-byte records, so each limits
 * scenario also measures what it can serve (the parallel loop through the same proxy with limits it never
 * reaches, before and after the runs; or any reader's rate in the scenario, if higher) and quotes the share
 * of min(limits, that capacity): "attainable".
 * kinesalite runs in a child process (as a remote endpoint would). Every reader must read every record once,
 * in order per shard. Run: npm run bench -- readRecords   (BENCH_RECORDS=50000 for a smaller run;
 * BENCH_SCENARIO=BD runs only those scenarios; BENCH_RUNS=3 for three runs of each reader in B, C, D)
 */
import { cpus, loadavg } from 'node:os';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { StreamService } from '../../src/core/kinesis/streamService';
import { StreamReader, StreamReaderOptions } from '../../src/core/records/reader';
import type { ShardProgress } from '../../src/core/records/types';
import { FaultProxy, startFaultProxy } from '../support/faultProxy';
import { payload, startKinesaliteChild } from '../support/benchKinesalite';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const SCENARIOS = (process.env.BENCH_SCENARIO ?? 'ABCD').toUpperCase();
/** Runs of ours and of the parallel loop in each limits scenario, alternating; the best is quoted. */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));
const SHARDS = 4;
const STREAM = 'bench-read';
const MiB = 1024 * 1024;

interface Run {
  /** Epoch ms when the read started. */
  startedAt: number;
  /** Until the last record arrived. */
  ms: number;
  /** Through a limits proxy: until the bytes read were paid on every shard (at least `ms`). */
  paidMs?: number;
  doneMs: number;
  count: number;
  outOfOrder: number;
  bytes: number;
  throttles: number;
}

/** Puts n records spread evenly over the stream's shards (record i to shard i mod SHARDS). */
async function put(client: KinesisClient, svc: StreamService, stream: string, n: number, data: (i: number) => Buffer): Promise<number> {
  await svc.create(stream, { shardCount: SHARDS });
  await svc.waitFor(stream, 'ACTIVE', { intervalMs: 20 });
  const keys = (await svc.listShards(stream)).map((s) => s.startingHashKey);
  const t = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const start = next;
      next = Math.min(n, next + 500);
      let pending = Array.from({ length: next - start }, (_, j) => ({ PartitionKey: `pk-${(start + j) % 1000}`, ExplicitHashKey: keys[(start + j) % keys.length], Data: data(start + j) }));
      while (pending.length) {
        const res = await client.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
        pending = pending.filter((_, k) => res.Records![k].ErrorCode);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return performance.now() - t;
}

/** Checks per-shard order and counts. */
function orderCheck(): { see(shardId: string, seq: string, bytes: number): void; count: number; outOfOrder: number; bytes: number; last: number } {
  const lastSeq = new Map<string, bigint>();
  const o = {
    count: 0,
    outOfOrder: 0,
    bytes: 0,
    last: 0,
    see(shardId: string, seq: string, bytes: number) {
      const s = BigInt(seq);
      const p = lastSeq.get(shardId);
      if (p !== undefined && s <= p) o.outOfOrder++;
      lastSeq.set(shardId, s);
      o.count++;
      o.bytes += bytes;
      o.last = performance.now();
    },
  };
  return o;
}

const throttled = (e: unknown) => (e as Error).name === 'ProvisionedThroughputExceededException';

/** One shard read to its end by a plain loop (+1 s wait on a throttle). */
async function plainShard(client: KinesisClient, stream: string, shardId: string, check: ReturnType<typeof orderCheck>): Promise<void> {
  let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  while (it) {
    let out;
    try {
      out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
    } catch (e) {
      // The plain loop's only concession to limits: the SDK retried already; wait a second, try again.
      if (!throttled(e)) throw e;
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    for (const r of out.Records ?? []) check.see(shardId, r.SequenceNumber!, r.Data!.length + r.PartitionKey!.length);
    if (!out.Records?.length && (out.MillisBehindLatest ?? 0) === 0) break;
    it = out.NextShardIterator;
  }
}

async function plainLoop(client: KinesisClient, stream: string, shardIds: string[], parallel: boolean): Promise<Run> {
  const check = orderCheck();
  const startedAt = Date.now();
  const t = performance.now();
  if (parallel) await Promise.all(shardIds.map((id) => plainShard(client, stream, id, check)));
  else for (const id of shardIds) await plainShard(client, stream, id, check);
  return { startedAt, ms: check.last - t, doneMs: performance.now() - t, count: check.count, outOfOrder: check.outOfOrder, bytes: check.bytes, throttles: 0 };
}

async function ours(client: KinesisClient, stream: string, total: number, extra: Partial<StreamReaderOptions> = {}): Promise<Run & { pacingWaitMs: number }> {
  const check = orderCheck();
  const reader = new StreamReader({ client, streamName: stream, start: { type: 'TRIM_HORIZON' }, listShardsIntervalMs: 0, ...extra });
  const startedAt = Date.now();
  const t = performance.now();
  let end = 0;
  await new Promise<void>((resolve) => {
    reader.onRecords((batch) => {
      for (const r of batch) check.see(r.shardId, r.sequenceNumber, r.data.length + r.partitionKey.length);
    });
    reader.onProgress((p: ShardProgress[]) => {
      if (!end && p.length === SHARDS && p.every((s) => s.state === 'caught-up') && check.count >= total) {
        end = performance.now();
        resolve();
      }
    });
    reader.onError((e) => e.fatal && console.error('reader error:', e.message));
    reader.start();
  });
  await reader.stop();
  return { startedAt, ms: check.last - t, doneMs: end - t, count: check.count, outOfOrder: check.outOfOrder, bytes: check.bytes, throttles: 0, pacingWaitMs: reader.stats.pacingWaitMs };
}

const mibps = (x: Run) => x.bytes / (x.ms / 1000) / MiB;
/** The rate a reader keeps up: until its reads are paid (a large page read at once is paid for afterwards). */
const sustained = (x: Run) => x.bytes / ((x.paidMs ?? x.ms) / 1000) / MiB;
const secs = (ms: number | undefined, w: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`).padStart(w);

/** Prints one scenario's rows side by side; `limit` and `attainable` in MiB/s for all shards. */
function table(rows: [string, Run][], limit?: number, attainable?: number): void {
  const shareHead = limit ? ` ${'paid'.padStart(8)} ${'kept up'.padStart(7)} ${'of limits'.padStart(9)} ${'of attainable'.padStart(13)}` : '';
  console.log(`${'reader'.padEnd(52)} ${'records'.padStart(8)} ${'last rec'.padStart(8)} ${'done'.padStart(8)} ${'MiB/s'.padStart(6)}${shareHead}  throttled  out-of-order`);
  for (const [name, x] of rows) {
    const share = limit ? ` ${secs(x.paidMs, 8)} ${sustained(x).toFixed(2).padStart(7)} ${(sustained(x) / limit).toFixed(2).padStart(8)}x ${(sustained(x) / attainable!).toFixed(2).padStart(12)}x` : '';
    console.log(`${name.padEnd(52)} ${x.count.toLocaleString('en-US').padStart(8)} ${secs(x.ms, 8)} ${secs(x.doneMs, 8)} ${mibps(x).toFixed(2).padStart(6)}${share}  ${String(x.throttles).padStart(9)}  ${x.outOfOrder}`);
  }
}

/**
 * Runs fn through the proxy once every shard's earlier reads are paid (so that no reader inherits
 * another's debt), and notes the throttles the proxy answered (the SDK retries some itself) and when
 * the run's reads were paid.
 */
async function counted<T extends Run>(proxy: FaultProxy, fn: () => Promise<T>): Promise<T> {
  const wait = proxy.readsPaidAt() - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 10));
  const injected = () => proxy.injected.ProvisionedThroughputExceededException ?? 0;
  const before = injected();
  const r = await fn();
  r.throttles = injected() - before;
  r.paidMs = Math.max(r.ms, proxy.readsPaidAt() - r.startedAt);
  return r;
}

/** The best of RUNS runs (the machine is shared: other jobs slow some runs down), by the rate kept up. */
function best<T extends Run>(runs: T[]): T {
  return runs.reduce((a, b) => (sustained(b) > sustained(a) ? b : a));
}

/** What the endpoint serves: the parallel loop through the same proxy, doing the same work, with limits it never reaches. */
async function capacity(target: string, stream: string, shardIds: string[]): Promise<Run> {
  const open = await startFaultProxy(target, [], { callsPerSecond: Infinity, bytesPerSecond: Infinity });
  const client = kinesisClientFor(open.endpoint);
  try {
    return await plainLoop(client, stream, shardIds, true);
  } finally {
    client.destroy();
    await open.close();
  }
}

/**
 * One limits scenario: each reader through the proxy with `perShard` bytes/s per shard (ours and the
 * parallel loop RUNS times, alternating), between two measures of what the endpoint can serve.
 */
async function limitsScenario(target: string, stream: string, n: number, shardIds: string[], perShard: number, withSdk: boolean): Promise<Run[]> {
  const before = await capacity(target, stream, shardIds);
  const proxy = await startFaultProxy(target, [], { callsPerSecond: 5, bytesPerSecond: perShard });
  const client = kinesisClientFor(proxy.endpoint);
  const oursRuns: (Run & { pacingWaitMs: number })[] = [];
  const parallelRuns: Run[] = [];
  let sdk: Run | undefined;
  try {
    for (let i = 0; i < RUNS; i++) {
      oursRuns.push(await counted(proxy, () => ours(client, stream, n, { bytesPerSecondPerShard: perShard })));
      parallelRuns.push(await counted(proxy, () => plainLoop(client, stream, shardIds, true)));
    }
    if (withSdk) sdk = await counted(proxy, () => plainLoop(client, stream, shardIds, false));
  } finally {
    client.destroy();
    await proxy.close();
  }
  // Far above the limits, one measure is enough.
  const limit = (SHARDS * perShard) / MiB;
  const after = mibps(before) > 2 * limit ? before : await capacity(target, stream, shardIds);
  // What the endpoint was seen to serve in this run: the capacity runs, or any reader's rate if higher (the machine is shared).
  const all = [...oursRuns, ...parallelRuns, ...(sdk ? [sdk] : [])];
  const cap = Math.max(mibps(before), mibps(after), ...all.map(mibps));
  const attainable = Math.min(limit, cap);
  console.log(`capacity: the parallel loop through the proxy with no limits reads ${mibps(before).toFixed(2)} MiB/s before the runs, ${mibps(after).toFixed(2)} MiB/s after; the most seen in this scenario ${cap.toFixed(2)} MiB/s`);
  console.log(`limits: ${SHARDS} x ${perShard / MiB} MiB/s = ${limit} MiB/s; attainable here: min(limits, the most seen) = ${attainable.toFixed(2)} MiB/s`);
  const o = best(oursRuns);
  const p = best(parallelRuns);
  const rows: [string, Run][] = [['ours: StreamReader, 4 shards at once, paced', o]];
  if (sdk) rows.push(['sdk: sequential GetRecords loop (+1 s on throttle)', sdk]);
  rows.push(['parallel: 4 shards at once, unpaced (+1 s on throttle)', p]);
  table(rows, limit, attainable);
  if (RUNS > 1) {
    const list = (runs: Run[]) => runs.map((r) => `${sustained(r).toFixed(2)} (${r.throttles} throttled)`).join(', ');
    console.log(`runs, MiB/s kept up: ours ${list(oursRuns)}; parallel ${list(parallelRuns)}`);
  }
  console.log(`ours: a shard waited ${(o.pacingWaitMs / SHARDS / 1000).toFixed(2)} s on average to keep to the limits in its ${(o.doneMs / 1000).toFixed(2)} s (the rest: calls in flight)`);
  return [...oursRuns, ...parallelRuns, ...(sdk ? [sdk] : [])];
}

async function main(): Promise<void> {
  const server = await startKinesaliteChild();
  const client = kinesisClientFor(server.endpoint);
  const results: [string, number, Run][] = [];
  try {
    const svc = new StreamService(client);
    console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores)`);
    const putMs = await put(client, svc, STREAM, RECORDS, (i) => payload(i));
    console.log(`put ${RECORDS.toLocaleString('en-US')} records of ~200 bytes, evenly into ${SHARDS} shards, in ${(putMs / 1000).toFixed(1)} s\n`);
    const shardIds = (await svc.listShards(STREAM)).map((s) => s.shardId);

    if (SCENARIOS.includes('A')) {
      console.log('A. straight to kinesalite (no limits: the plain loops may read far above what Kinesis allows)');
      const a = await ours(client, STREAM, RECORDS);
      const b = await plainLoop(client, STREAM, shardIds, false);
      const c = await plainLoop(client, STREAM, shardIds, true);
      table([['ours: StreamReader, 4 shards at once, paced', a], ['sdk: sequential GetRecords loop', b], ['parallel: 4 shards at once, unpaced', c]]);
      console.log(`ratio ours/sdk: ${(mibps(a) / mibps(b)).toFixed(2)}x, ours/parallel ${(mibps(a) / mibps(c)).toFixed(2)}x\n`);
      results.push(...[a, b, c].map((r): [string, number, Run] => ['A', RECORDS, r]));
    }

    if (SCENARIOS.includes('B')) {
      console.log(`B. through the proxy enforcing Kinesis's read limits per shard (5 GetRecords/s, 2 MiB/s), ${RECORDS.toLocaleString('en-US')} records of ~200 bytes`);
      const runs = await limitsScenario(server.endpoint, STREAM, RECORDS, shardIds, 2 * MiB, true);
      console.log(`(throttled: 400s the proxy answered; the SDK retries some itself)\n`);
      results.push(...runs.map((r): [string, number, Run] => ['B', RECORDS, r]));
    }

    if (SCENARIOS.includes('C')) {
      // The limits scaled down 8x (the reader told so), so that the endpoint is far from what limits the rate.
      const n = Math.min(RECORDS, 40_000);
      await put(client, svc, 'bench-read-c', n, (i) => payload(i));
      console.log(`C. ${n.toLocaleString('en-US')} records of ~200 bytes through the proxy with the limits scaled down 8x (5 GetRecords/s, 256 KiB/s per shard; the sequential loop left out: it takes 4x as long)`);
      const runs = await limitsScenario(server.endpoint, 'bench-read-c', n, shardIds, 256 * 1024, false);
      console.log();
      results.push(...runs.map((r): [string, number, Run] => ['C', n, r]));
    }

    if (SCENARIOS.includes('D')) {
      // Records of 1 KiB: a fifth as many records per MiB, so that kinesalite's cost per record is not what limits the rate.
      const n = Math.min(RECORDS, 64_000);
      await put(client, svc, 'bench-read-d', n, (i) => payload(i, 1024));
      console.log(`D. ${n.toLocaleString('en-US')} records of 1 KiB (${((n * 1024) / MiB).toFixed(1)} MiB) through the proxy enforcing the real limits (5 GetRecords/s, 2 MiB/s per shard)`);
      const runs = await limitsScenario(server.endpoint, 'bench-read-d', n, shardIds, 2 * MiB, false);
      console.log();
      results.push(...runs.map((r): [string, number, Run] => ['D', n, r]));
    }
    console.log(
      `MiB/s: data and partition keys, as the limits count them. "last rec": until the last record arrived ("MiB/s" uses it); "done": until the reader knew every shard was caught up; "paid": until the proxy would let every shard be read again (a large page read at once is paid for afterwards); "kept up": MiB/s until then, which the shares use.`,
    );
    const bad = results.filter(([, n, x]) => x.count !== n || x.outOfOrder);
    if (bad.length) {
      console.error(`MISMATCH: ${bad.map(([s, n, x]) => `${s}: ${x.count}/${n} read, ${x.outOfOrder} out of order`).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    client.destroy();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
