/**
 * Benchmark: what the embedded Kinesis costs to serve GetRecords, kinesalite alone beside kinesalite
 * with our patches (src/core/local/kinesalitePatches.ts: BigInt in place of bignumber.js for the
 * sequence numbers). Each in a child process: put N records of ~200 bytes evenly into 4 shards, then
 * a plain parallel SDK GetRecords loop (every shard at once, Limit 10000, no limits) reads them all.
 * Quoted: the wall time and the child's CPU for each phase (Linux: from /proc), and the ratios.
 * Run: npm run bench -- kinesaliteGetRecords   (BENCH_RECORDS=50000 for a smaller run)
 */
import { cpus, loadavg } from 'node:os';
import { GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { StreamService } from '../../src/core/kinesis/streamService';
import { payload, startKinesaliteChild } from '../support/benchKinesalite';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const SHARDS = 4;
const MiB = 1024 * 1024;

interface Result {
  putMs: number;
  putCpu?: number;
  readMs: number;
  readCpu?: number;
  bytes: number;
}

async function measure(patched: boolean): Promise<Result> {
  const server = await startKinesaliteChild({ patched });
  const client = kinesisClientFor(server.endpoint);
  try {
    const svc = new StreamService(client);
    await svc.create('bench', { shardCount: SHARDS });
    await svc.waitFor('bench', 'ACTIVE');
    const shards = await svc.listShards('bench');
    const keys = shards.map((s) => s.startingHashKey);
    let cpu0 = server.cpuMs();
    let t0 = performance.now();
    for (let i = 0; i < RECORDS; i += 500) {
      const n = Math.min(500, RECORDS - i);
      const Records = Array.from({ length: n }, (_, j) => ({ Data: payload(i + j), PartitionKey: `k${(i + j) % 1000}`, ExplicitHashKey: keys[(i + j) % SHARDS] }));
      const out = await client.send(new PutRecordsCommand({ StreamName: 'bench', Records }));
      if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records not put`);
    }
    const putMs = performance.now() - t0;
    const putCpu = diff(server.cpuMs(), cpu0);
    cpu0 = server.cpuMs();
    t0 = performance.now();
    let count = 0;
    let bytes = 0;
    await Promise.all(
      shards.map(async (s) => {
        let it = (await client.send(new GetShardIteratorCommand({ StreamName: 'bench', ShardId: s.shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        for (;;) {
          const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
          for (const r of out.Records ?? []) bytes += r.Data!.length + r.PartitionKey!.length;
          count += out.Records?.length ?? 0;
          it = out.NextShardIterator;
          if (!out.Records?.length) break;
        }
      }),
    );
    if (count !== RECORDS) throw new Error(`read ${count} of ${RECORDS} records`);
    return { putMs, putCpu, readMs: performance.now() - t0, readCpu: diff(server.cpuMs(), cpu0), bytes };
  } finally {
    client.destroy();
    server.close();
  }
}

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}
const s = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`).padStart(9);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(1)}x`);

async function main(): Promise<void> {
  console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores)`);
  console.log(`${RECORDS.toLocaleString('en-US')} records of ~200 bytes in ${SHARDS} shards: PutRecords (500 a call), then every shard at once with GetRecords (Limit 10000)`);
  // Alternating, so that a change of load on the machine falls on both.
  const plain = await measure(false);
  const ours = await measure(true);
  console.log('kinesalite                 put wall   put CPU   read wall  read CPU  read MiB/s  read CPU/record');
  for (const [name, r] of [['alone (bignumber.js)', plain], ['patched (BigInt)', ours]] as const) {
    const perRecord = r.readCpu === undefined ? 'n/a' : `${((r.readCpu * 1000) / RECORDS).toFixed(1)} us`;
    console.log(
      `${name.padEnd(24)} ${s(r.putMs)} ${s(r.putCpu)}  ${s(r.readMs)} ${s(r.readCpu)}  ${(r.bytes / MiB / (r.readMs / 1000)).toFixed(2).padStart(9)}  ${perRecord.padStart(15)}`,
    );
  }
  console.log(
    `ratios alone/patched: read CPU ${ratio(plain.readCpu, ours.readCpu)}, read wall ${ratio(plain.readMs, ours.readMs)}; put CPU ${ratio(plain.putCpu, ours.putCpu)}, put wall ${ratio(plain.putMs, ours.putMs)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
