/**
 * Benchmark: `npm run tail` (the reader, every decoder, JSON Lines out) beside the plain SDK loop
 * that prints JSON.parse'd data, on the same stream: 40,000 records of ~200 bytes in 4 shards,
 * through the proxy that enforces Kinesis's read limits (as a real stream does), kinesalite in a
 * child process. Both print one JSON line per record to a sink that counts the bytes. Quoted: the
 * time until the last line was printed, and the CPU this process used for it.
 * Run: npm run bench -- tail   (BENCH_RECORDS=10000 for a smaller run)
 */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { StreamService } from '../../src/core/kinesis/streamService';
import { runTail } from '../../src/core/records/tailCli';
import { payload, startKinesaliteChild } from '../support/benchKinesalite';
import { startFaultProxy } from '../support/faultProxy';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 40_000);
const SHARDS = 4;
const STREAM = 'bench-tail';

interface Run {
  lines: number;
  bytes: number;
  lastLineMs: number;
  cpuMs: number;
}

async function plainLoop(client: KinesisClient, shardIds: string[]): Promise<Run> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  let lines = 0;
  let bytes = 0;
  let last = 0;
  for (const shardId of shardIds) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      let out;
      try {
        out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      } catch (e) {
        if ((e as Error).name !== 'ProvisionedThroughputExceededException') throw e;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      let text = '';
      for (const r of out.Records ?? []) {
        text += JSON.stringify({ shardId, sequenceNumber: r.SequenceNumber, partitionKey: r.PartitionKey, arrivalTime: r.ApproximateArrivalTimestamp, data: JSON.parse(Buffer.from(r.Data!).toString('utf8')) }) + '\n';
        lines++;
      }
      bytes += text.length;
      if (out.Records?.length) last = performance.now();
      if (!out.Records?.length && (out.MillisBehindLatest ?? 0) === 0) break;
      it = out.NextShardIterator;
    }
  }
  const c = process.cpuUsage(cpu);
  return { lines, bytes, lastLineMs: last - t, cpuMs: (c.user + c.system) / 1000 };
}

async function tail(endpoint: string): Promise<Run> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  let lines = 0;
  let bytes = 0;
  let last = 0;
  const code = await runTail(['--stream', STREAM, '--endpoint', endpoint, '--from', 'trim-horizon', '--count', String(RECORDS)], {
    out: (s) => {
      bytes += s.length;
      for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) lines++;
      last = performance.now();
    },
    err: () => undefined,
  });
  if (code !== 0) throw new Error(`tail exited with ${code}`);
  const c = process.cpuUsage(cpu);
  return { lines, bytes, lastLineMs: last - t, cpuMs: (c.user + c.system) / 1000 };
}

async function main(): Promise<void> {
  const server = await startKinesaliteChild();
  const client = kinesisClientFor(server.endpoint);
  const proxy = await startFaultProxy(server.endpoint, [], { callsPerSecond: 5, bytesPerSecond: 2 * 1024 * 1024 });
  const limited = kinesisClientFor(proxy.endpoint);
  try {
    const svc = new StreamService(client);
    await svc.create(STREAM, { shardCount: SHARDS });
    await svc.waitFor(STREAM, 'ACTIVE', { intervalMs: 20 });
    for (let i = 0; i < RECORDS; i += 500) {
      let pending = Array.from({ length: Math.min(500, RECORDS - i) }, (_, j) => ({ PartitionKey: `pk-${(i + j) % 1000}`, Data: payload(i + j) }));
      while (pending.length) {
        const res = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: pending }));
        pending = pending.filter((_, k) => res.Records![k].ErrorCode);
      }
    }
    const shardIds = (await svc.listShards(STREAM)).map((s) => s.shardId);
    console.log(`${RECORDS.toLocaleString('en-US')} records of ~200 bytes in ${SHARDS} shards, read through the limits proxy (5 GetRecords/s, 2 MiB/s per shard)\n`);
    const row = (name: string, r: Run) =>
      console.log(`${name.padEnd(58)} ${r.lines.toLocaleString('en-US').padStart(8)} ${(r.lastLineMs / 1000).toFixed(2).padStart(7)} s ${r.cpuMs.toFixed(0).padStart(7)} ms ${((r.cpuMs / r.lines) * 1000).toFixed(1).padStart(6)} us`);
    console.log(`${''.padEnd(58)} ${'lines'.padStart(8)} ${'last line'.padStart(9)} ${'CPU'.padStart(10)} ${'CPU/line'.padStart(9)}`);
    const a = await plainLoop(limited, shardIds);
    row('plain SDK loop, shard by shard, JSON.parse + JSON line', a);
    const b = await tail(proxy.endpoint);
    row('npm run tail (reader, auto-detected decoding, JSON Lines)', b);
    console.log(`\nratio tail/plain: ${(b.lastLineMs / a.lastLineMs).toFixed(2)}x the time, ${(b.cpuMs / a.cpuMs).toFixed(2)}x the CPU`);
    if (a.lines !== RECORDS || b.lines !== RECORDS) {
      console.error(`MISMATCH: ${RECORDS} records, plain ${a.lines}, tail ${b.lines}`);
      process.exitCode = 1;
    }
  } finally {
    limited.destroy();
    await proxy.close();
    client.destroy();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
