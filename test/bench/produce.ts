/**
 * Benchmark: our producer vs the plain SDK PutRecords loop (one call of 500 at a time) vs the
 * seed's naive PutRecord loop (one record per call, awaiting each, without its delay), in one run
 * against kinesalite. kinesalite runs in a child process so the CPU time measured here
 * (process.cpuUsage) is the producer's own, not the endpoint's.
 *
 *   npm run compile && node out/test/bench/produce.js [producerAndLoopCount=50000] [naiveCount=5000]
 */
import { spawn } from 'node:child_process';
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { StreamService } from '../../src/core/kinesis/streamService';
import { produce } from '../../src/core/producer/engine';
import { ProduceRecord, utf8 } from '../../src/core/producer/records';
import { TemplateGenerator } from '../../src/core/producer/templates';
import { freePort } from '../support/endpoints';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTemplateSpec } from '../../src/core/producer/templates';

const BIG = Number(process.argv[2] ?? 50_000);
const NAIVE = Number(process.argv[3] ?? 5_000);
const SHARDS = 4;

/**
 * kinesalite in a child process on two ports: one direct, one that waits LATENCY_MS before each
 * request (a stand-in for the network round trip to a real region, where one call at a time
 * spends most of its time waiting).
 */
const LATENCY_MS = 20;
async function startKinesaliteChild(): Promise<{ endpoint: string; slowEndpoint: string; stop: () => void }> {
  const [port, slowPort] = [await freePort(), await freePort()];
  const code = `
    const k = require('kinesalite')({createStreamMs:0,deleteStreamMs:0,updateStreamMs:0,shardLimit:100});
    const handler = k.listeners('request')[0];
    k.listen(${port}, '127.0.0.1', () => {
      require('http').createServer((req, res) => setTimeout(() => handler.call(k, req, res), ${LATENCY_MS}))
        .listen(${slowPort}, '127.0.0.1', () => console.log('ready'));
    });`;
  const child = spawn(process.execPath, ['-e', code], { cwd: join(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`kinesalite exited with ${c}`)));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
  });
  return { endpoint: `http://127.0.0.1:${port}`, slowEndpoint: `http://127.0.0.1:${slowPort}`, stop: () => child.kill('SIGTERM') };
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function makeRecords(n: number): ProduceRecord[] {
  const spec = parseTemplateSpec(readFileSync(join(__dirname, '../../../templates/iot-sensor.json'), 'utf8'));
  const gen = new TemplateGenerator(spec, { seed: 1 });
  const out: ProduceRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = gen.render(i);
    out.push({ data: utf8(r.data), partitionKey: r.partitionKey });
  }
  return out;
}

async function plainLoop(client: KinesisClient, stream: string, records: ProduceRecord[]): Promise<number> {
  let ok = 0;
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: chunk.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })) }));
    ok += chunk.length - (out.FailedRecordCount ?? 0);
  }
  return ok;
}

async function naiveLoop(client: KinesisClient, stream: string, records: ProduceRecord[]): Promise<number> {
  let ok = 0;
  for (const r of records) {
    await client.send(new PutRecordCommand({ StreamName: stream, Data: r.data, PartitionKey: r.partitionKey }));
    ok++;
  }
  return ok;
}

async function main(): Promise<void> {
  const k = await startKinesaliteChild();
  const client = kinesisClientFor(k.endpoint);
  const svc = new StreamService(client);
  try {
    const streams = ['bench-producer', 'bench-producer-agg', 'bench-plain', 'bench-naive', 'bench-warmup'];
    for (const s of streams) await svc.create(s, { shardCount: SHARDS });
    for (const s of streams) await svc.waitFor(s, 'ACTIVE');

    const genCpu = process.cpuUsage();
    const genStart = performance.now();
    const records = makeRecords(BIG);
    const genMs = performance.now() - genStart;
    const genCpuPer1k = (cpuMs(genCpu) / BIG) * 1000;
    const bytes = records.reduce((a, r) => a + r.data.byteLength, 0);

    // Warm-up (JIT, sockets) for each way, on its own stream.
    const warm = records.slice(0, 1000);
    await produce(client, warm.map((record) => ({ record })), { streamName: 'bench-warmup' });
    await plainLoop(client, 'bench-warmup', warm);
    await naiveLoop(client, 'bench-warmup', warm.slice(0, 100));

    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await produce(client, records.map((record) => ({ record })), { streamName: 'bench-producer' });
    const producerMs = performance.now() - t0;
    const producerCpu = cpuMs(c0);
    if (result.sent !== BIG) throw new Error(`producer sent ${result.sent} of ${BIG}: ${result.error ?? ''}`);

    const ca = process.cpuUsage();
    const ta = performance.now();
    const aggResult = await produce(client, records.map((record) => ({ record })), { streamName: 'bench-producer-agg', aggregate: true });
    const aggMs = performance.now() - ta;
    const aggCpu = cpuMs(ca);
    if (aggResult.sent !== BIG) throw new Error(`aggregating producer sent ${aggResult.sent} of ${BIG}: ${aggResult.error ?? ''}`);

    const c1 = process.cpuUsage();
    const t1 = performance.now();
    const plainOk = await plainLoop(client, 'bench-plain', records);
    const plainMs = performance.now() - t1;
    const plainCpu = cpuMs(c1);

    const naiveRecords = records.slice(0, NAIVE);
    const c2 = process.cpuUsage();
    const t2 = performance.now();
    const naiveOk = await naiveLoop(client, 'bench-naive', naiveRecords);
    const naiveMs = performance.now() - t2;
    const naiveCpu = cpuMs(c2);

    const rps = (n: number, ms: number) => (n / ms) * 1000;
    const ours = rps(BIG, producerMs);
    const plain = rps(plainOk, plainMs);
    const naive = rps(naiveOk, naiveMs);
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    const line = (label: string, n: number, ms: number, extra: string) =>
      console.log(`  ${label.padEnd(48)} ${f(n).padStart(7)} records in ${(ms / 1000).toFixed(2).padStart(6)} s  ${f(rps(n, ms)).padStart(7)} rec/s${extra}`);
    const cpu = (c: number, n: number) => `  CPU ${((c / n) * 1000).toFixed(1)} ms per 1,000 records`;
    console.log(`Producer benchmark: kinesalite in a child process, ${SHARDS} shards per stream, iot-sensor template records (avg ${Math.round(bytes / BIG)} bytes)`);
    console.log(`A) direct to kinesalite (the endpoint's own speed is the limit):`);
    line('our producer (8 calls in flight, batches of 500)', BIG, producerMs, `${cpu(producerCpu, BIG)} (${result.calls} calls, ${result.retried} retried)`);
    line('our producer with KPL aggregation (--aggregate)', BIG, aggMs, `${cpu(aggCpu, BIG)} (${aggResult.calls} calls)`);
    line('plain SDK PutRecords loop (500, one at a time)', plainOk, plainMs, cpu(plainCpu, plainOk));
    line('naive PutRecord loop (one per call, awaited)', naiveOk, naiveMs, cpu(naiveCpu, naiveOk));
    console.log(`  ratios: producer / plain loop = ${(ours / plain).toFixed(2)}x, producer / naive loop = ${(ours / naive).toFixed(1)}x, plain / naive = ${(plain / naive).toFixed(1)}x`);
    console.log(`          aggregating producer / plain loop = ${(rps(BIG, aggMs) / plain).toFixed(1)}x, / naive loop = ${(rps(BIG, aggMs) / naive).toFixed(0)}x`);

    // B) The same with ${LATENCY_MS} ms added before each request.
    const slow = kinesisClientFor(k.slowEndpoint);
    try {
      const n = Math.min(BIG, 20_000);
      const nNaive = Math.min(NAIVE, 300);
      const rttStreams = ['bench-producer-rtt', 'bench-producer-agg-rtt', 'bench-plain-rtt', 'bench-naive-rtt'];
      for (const s of rttStreams) await svc.create(s, { shardCount: SHARDS });
      for (const s of rttStreams) await svc.waitFor(s, 'ACTIVE');
      const subset = records.slice(0, n);
      let t = performance.now();
      const r2 = await produce(slow, subset.map((record) => ({ record })), { streamName: 'bench-producer-rtt' });
      const pMs = performance.now() - t;
      if (r2.sent !== n) throw new Error(`producer sent ${r2.sent} of ${n}`);
      t = performance.now();
      const r3 = await produce(slow, subset.map((record) => ({ record })), { streamName: 'bench-producer-agg-rtt', aggregate: true });
      const aMs = performance.now() - t;
      if (r3.sent !== n) throw new Error(`aggregating producer sent ${r3.sent} of ${n}`);
      t = performance.now();
      const plain2 = await plainLoop(slow, 'bench-plain-rtt', subset);
      const lMs = performance.now() - t;
      t = performance.now();
      const naive2 = await naiveLoop(slow, 'bench-naive-rtt', subset.slice(0, nNaive));
      const nMs = performance.now() - t;
      console.log(`B) with ${LATENCY_MS} ms added before each request (a stand-in for the round trip to a region):`);
      line('our producer', n, pMs, '');
      line('our producer with KPL aggregation', n, aMs, '');
      line('plain SDK PutRecords loop', plain2, lMs, '');
      line('naive PutRecord loop', naive2, nMs, '');
      console.log(`  ratios: producer / plain loop = ${(rps(n, pMs) / rps(plain2, lMs)).toFixed(2)}x, producer / naive loop = ${(rps(n, pMs) / rps(naive2, nMs)).toFixed(1)}x`);
    } finally {
      slow.destroy();
    }
    console.log(`Template rendering (not in the figures above): ${f(rps(BIG, genMs))} records/s, CPU ${genCpuPer1k.toFixed(1)} ms per 1,000 records`);
  } finally {
    client.destroy();
    k.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
