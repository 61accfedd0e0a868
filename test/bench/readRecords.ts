/**
 * Benchmark: reading 200,000 ~200-byte records from a 4-shard local stream (kinesalite).
 *   ours  - StreamReader: all shards concurrently, within Kinesis limits (<= 5 calls/s/shard, 2 MiB/s/shard pacing)
 *   (info) StreamReader with pacing switched off, to separate the cost of the limits from concurrency
 *   sdk   - the plain SDK loop: GetShardIterator TRIM_HORIZON, then GetRecords (Limit 10000) shard after shard
 * A: straight to kinesalite, which has no limits. B: through test/support/faultProxy.ts enforcing Kinesis's
 * per-shard read limits (5 GetRecords/s, 2 MiB/s) with 400 ProvisionedThroughputExceededException, as the service does.
 * kinesalite runs in a child process (as a remote endpoint would), so client and server do not share
 * one event loop. One run each, in the same process; both must read every record once, in order per shard.
 * Run: npm run bench -- readRecords   (BENCH_RECORDS=50000 for a smaller run)
 */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { StreamService } from '../../src/core/kinesis/streamService';
import { StreamReader } from '../../src/core/records/reader';
import type { ShardProgress } from '../../src/core/records/types';
import { startFaultProxy } from '../support/faultProxy';
import { payload, startKinesaliteChild } from '../support/benchKinesalite';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const SHARDS = 4;
const STREAM = 'bench-read';

async function put(client: KinesisClient): Promise<number> {
  const t = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < RECORDS) {
      const start = next;
      next = Math.min(RECORDS, next + 500);
      let pending = Array.from({ length: next - start }, (_, j) => ({ PartitionKey: `pk-${(start + j) % 1000}`, Data: payload(start + j) }));
      while (pending.length) {
        const res = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: pending }));
        pending = pending.filter((_, k) => res.Records![k].ErrorCode);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return performance.now() - t;
}

/** Checks per-shard order and returns the count. */
function orderCheck(): { see(shardId: string, seq: string): void; count: number; outOfOrder: number } {
  const last = new Map<string, bigint>();
  const o = {
    count: 0,
    outOfOrder: 0,
    see(shardId: string, seq: string) {
      const s = BigInt(seq);
      const p = last.get(shardId);
      if (p !== undefined && s <= p) o.outOfOrder++;
      last.set(shardId, s);
      o.count++;
    },
  };
  return o;
}

async function sdkLoop(client: KinesisClient, shardIds: string[]) {
  const check = orderCheck();
  let bytes = 0;
  let throttles = 0;
  let last = 0;
  const t = performance.now();
  for (const shardId of shardIds) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      let out;
      try {
        out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      } catch (e) {
        // The plain loop's only concession to limits: the SDK retried 3 times already; wait a second, try again.
        if ((e as Error).name !== 'ProvisionedThroughputExceededException') throw e;
        throttles++;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const r of out.Records ?? []) {
        check.see(shardId, r.SequenceNumber!);
        bytes += r.Data!.length;
      }
      if (out.Records?.length) last = performance.now();
      if (!out.Records?.length && (out.MillisBehindLatest ?? 0) === 0) break;
      it = out.NextShardIterator;
    }
  }
  return { ms: last - t, doneMs: performance.now() - t, count: check.count, outOfOrder: check.outOfOrder, bytes, throttles };
}

function oursOn(client: KinesisClient, stream: string, total: number, extra: { bytesPerSecondPerShard?: number; limitPerCall?: number }) {
  return ours(client, extra, total, stream);
}

async function ours(client: KinesisClient, extra: { bytesPerSecondPerShard?: number; minCallIntervalMs?: number; limitPerCall?: number } = {}, total = RECORDS, stream = STREAM) {
  const check = orderCheck();
  let bytes = 0;
  const reader = new StreamReader({ client, streamName: stream, start: { type: 'TRIM_HORIZON' }, listShardsIntervalMs: 0, ...extra });
  const t = performance.now();
  let end = 0;
  let last = 0;
  await new Promise<void>((resolve) => {
    reader.onRecords((batch) => {
      for (const r of batch) {
        check.see(r.shardId, r.sequenceNumber);
        bytes += r.data.length;
      }
      last = performance.now();
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
  return { ms: last - t, doneMs: end - t, count: check.count, outOfOrder: check.outOfOrder, bytes, calls: reader.stats.getRecordsCalls, throttles: reader.stats.throttled, pacingWaitMs: reader.stats.pacingWaitMs };
}

async function main(): Promise<void> {
  const server = await startKinesaliteChild();
  const client = kinesisClientFor(server.endpoint);
  try {
    const svc = new StreamService(client);
    await svc.create(STREAM, { shardCount: SHARDS });
    await svc.waitFor(STREAM, 'ACTIVE', { intervalMs: 20 });
    const putMs = await put(client);
    console.log(`put ${RECORDS.toLocaleString('en-US')} records of ~200 bytes into ${SHARDS} shards in ${(putMs / 1000).toFixed(1)} s (${Math.round(RECORDS / (putMs / 1000)).toLocaleString('en-US')} rec/s)\n`);
    const shardIds = (await svc.listShards(STREAM)).map((s) => s.shardId);

    type R = { ms: number; doneMs: number; count: number; outOfOrder: number; bytes: number; throttles: number };
    const rate = (x: R) => x.count / (x.ms / 1000);
    const header = () => console.log(`${'reader'.padEnd(56)} ${'records'.padStart(9)} ${'last rec'.padStart(9)} ${'done'.padStart(8)} ${'throughput'.padStart(16)} ${'MiB/s'.padStart(6)}  throttled  out-of-order`);
    const row = (name: string, x: R) =>
      console.log(`${name.padEnd(56)} ${x.count.toLocaleString('en-US').padStart(9)} ${(x.ms / 1000).toFixed(2).padStart(7)} s ${(x.doneMs / 1000).toFixed(2).padStart(6)} s ${Math.round(rate(x)).toLocaleString('en-US').padStart(10)} rec/s ${(x.bytes / (x.ms / 1000) / 1048576).toFixed(1).padStart(6)}  ${String(x.throttles).padStart(9)}  ${x.outOfOrder}`);
    const results: R[] = [];

    // BENCH_SCENARIO=B runs the limits scenario only.
    if (process.env.BENCH_SCENARIO !== 'B') {
      console.log('A. straight to kinesalite (no limits: the SDK loop may read far above what Kinesis allows)');
      header();
      const a = await ours(client);
      row('ours: StreamReader, 4 shards at once, paced', a);
      const b = await sdkLoop(client, shardIds);
      row('sdk: sequential GetRecords loop, shard by shard', b);
      const c = await ours(client, { bytesPerSecondPerShard: Infinity, minCallIntervalMs: 0 });
      row('(info) StreamReader with its pacing off', c);
      console.log(`ratio ours/sdk: ${(rate(a) / rate(b)).toFixed(2)}x records/s   (unpaced StreamReader/sdk: ${(rate(c) / rate(b)).toFixed(2)}x)\n`);
      results.push(a, b, c);
    }

    // B. The same, through a proxy that enforces Kinesis's read limits per shard (5 GetRecords/s,
    //    2 MiB/s), answering 400 ProvisionedThroughputExceededException like the service.
    const proxy = await startFaultProxy(server.endpoint, [], { callsPerSecond: 5, bytesPerSecond: 2 * 1024 * 1024 });
    const limited = kinesisClientFor(proxy.endpoint);
    try {
      console.log('B. through a proxy enforcing Kinesis read limits per shard (5 GetRecords/s, 2 MiB/s; throttles like the service)');
      header();
      const injected = () => proxy.injected.ProvisionedThroughputExceededException ?? 0;
      let before = injected();
      const d = await ours(limited);
      d.throttles = injected() - before;
      row('ours: StreamReader, 4 shards at once, paced', d);
      before = injected();
      const e = await sdkLoop(limited, shardIds);
      e.throttles = injected() - before;
      row('sdk: sequential GetRecords loop (+1 s wait on throttle)', e);
      const limit = (x: R) => x.bytes / (x.ms / 1000) / (SHARDS * 2 * 1048576);
      console.log(`ratio ours/sdk: ${(rate(d) / rate(e)).toFixed(2)}x records/s   (throttled = 400s the proxy answered; the SDK retries some itself)`);
      console.log(`share of the per-shard limits (${SHARDS} x 2 MiB/s): ours ${limit(d).toFixed(2)}x, sdk ${limit(e).toFixed(2)}x`);
      console.log(`ours: a shard waited ${(d.pacingWaitMs / SHARDS / 1000).toFixed(2)} s on average to keep to the limits in its ${(d.doneMs / 1000).toFixed(2)} s (the rest: calls in flight)`);
      results.push(d, e);
    } finally {
      limited.destroy();
      await proxy.close();
    }

    // C. The same limits scaled down 8x (256 KiB/s per shard, the reader told so; pages of 1,000), so that the
    //    local endpoint and the proxy, on a shared machine, are not what limits the rate.
    const slow = await startFaultProxy(server.endpoint, [], { callsPerSecond: 5, bytesPerSecond: 256 * 1024 });
    const slowClient = kinesisClientFor(slow.endpoint);
    try {
      const n = Math.min(RECORDS, 40_000);
      const small = STREAM + '-c';
      await svc.create(small, { shardCount: SHARDS });
      await svc.waitFor(small, 'ACTIVE', { intervalMs: 20 });
      for (let i = 0; i < n; i += 500) {
        let pending = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ PartitionKey: `pk-${(i + j) % 1000}`, Data: payload(i + j) }));
        while (pending.length) {
          const res = await client.send(new PutRecordsCommand({ StreamName: small, Records: pending }));
          pending = pending.filter((_, k) => res.Records![k].ErrorCode);
        }
      }
      console.log(`\nC. ${n.toLocaleString('en-US')} records through the proxy with the limits scaled down 8x (5 GetRecords/s, 256 KiB/s per shard)`);
      header();
      const injected = () => slow.injected.ProvisionedThroughputExceededException ?? 0;
      const f = await oursOn(slowClient, small, n, { bytesPerSecondPerShard: 256 * 1024, limitPerCall: 1000 });
      f.throttles = injected();
      row('ours: StreamReader, told 256 KiB/s per shard', f);
      console.log(`share of the per-shard limits (${SHARDS} x 256 KiB/s): ${(f.bytes / (f.ms / 1000) / (SHARDS * 256 * 1024)).toFixed(2)}x`);
      if (f.count !== n || f.outOfOrder) {
        console.error(`MISMATCH in C: ${f.count}/${n}, ${f.outOfOrder} out of order`);
        process.exitCode = 1;
      }
    } finally {
      slowClient.destroy();
      await slow.close();
    }
    console.log(`\n"last rec": time until the last record arrived (throughput uses it); "done": until the reader knew every shard was caught up.`);
    if (results.some((x) => x.count !== RECORDS || x.outOfOrder)) {
      console.error(`MISMATCH: expected ${RECORDS} in order: ${results.map((x) => `${x.count}/${x.outOfOrder}`).join(', ')}`);
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
