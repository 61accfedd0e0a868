/**
 * Benchmark: listing 2,000 streams on the local endpoint.
 *   ours    - the tree's StreamListLoader (first page, then every page)
 *   sdk     - the plain SDK ListStreams loop
 *   naive   - ListStreams, then DescribeStreamSummary of each stream before showing anything
 * Each figure is the median of 5 runs, measured side by side in one process.
 * Run: npm run bench -- listStreams
 */
import { ListStreamsCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { StreamListLoader } from '../../src/core/kinesis/streamListLoader';
import { startKinesalite } from '../support/endpoints';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 2000);
const PAGE = 100;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function sdkPage(client: KinesisClient, after?: string) {
  return client.send(new ListStreamsCommand({ Limit: PAGE, ExclusiveStartStreamName: after }));
}

async function main(): Promise<void> {
  const ep = await startKinesalite({ shardLimit: STREAMS + 10 });
  const svc = new StreamService(ep.client);
  const t0 = performance.now();
  for (let i = 0; i < STREAMS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, STREAMS - i) }, (_, j) => svc.create(`bench-${String(i + j).padStart(5, '0')}`, { shardCount: 1 })));
  }
  console.log(`created ${STREAMS} streams in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const detailsFirst: number[] = [];
  const detailsDone: number[] = [];
  const r = { oursFirst: [] as number[], oursAll: [] as number[], sdkFirst: [] as number[], sdkAll: [] as number[], naiveFirst: [] as number[], naiveAll: [] as number[] };
  const counts = { ours: 0, sdk: 0, naive: 0 };
  for (let run = 0; run < RUNS; run++) {
    // ours
    {
      const loader = new StreamListLoader(svc, { pageSize: PAGE });
      const start = performance.now();
      await loader.ensureFirstPage();
      r.oursFirst.push(performance.now() - start);
      const all = await loader.loadAll();
      r.oursAll.push(performance.now() - start);
      counts.ours = all.streams.length;
    }
    // ours as the tree runs it: first page at once, details of the page filled in behind it
    {
      let got = 0;
      let resolveDone!: () => void;
      const done = new Promise<void>((res) => (resolveDone = res));
      const loader = new StreamListLoader(svc, { pageSize: PAGE, onDetails: () => ++got === PAGE && resolveDone() });
      const start = performance.now();
      await loader.ensureFirstPage();
      detailsFirst.push(performance.now() - start);
      await done;
      detailsDone.push(performance.now() - start);
    }
    // plain SDK loop
    {
      const start = performance.now();
      let names: string[] = [];
      let out = await sdkPage(ep.client);
      r.sdkFirst.push(performance.now() - start);
      names = names.concat(out.StreamNames ?? []);
      while (out.HasMoreStreams) {
        out = await sdkPage(ep.client, names[names.length - 1]);
        names = names.concat(out.StreamNames ?? []);
      }
      r.sdkAll.push(performance.now() - start);
      counts.sdk = names.length;
    }
    // naive: describe every stream before showing a page
    if (run < 2) {
      const start = performance.now();
      let names: string[] = [];
      let out = await sdkPage(ep.client);
      let first = true;
      for (;;) {
        for (const n of out.StreamNames ?? []) await ep.client.send(new DescribeStreamSummaryCommand({ StreamName: n }));
        if (first) {
          r.naiveFirst.push(performance.now() - start);
          first = false;
        }
        names = names.concat(out.StreamNames ?? []);
        if (!out.HasMoreStreams) break;
        out = await sdkPage(ep.client, names[names.length - 1]);
      }
      r.naiveAll.push(performance.now() - start);
      counts.naive = names.length;
    }
  }
  const f = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;
  const of = median(r.oursFirst), oa = median(r.oursAll), sf = median(r.sdkFirst), sa = median(r.sdkAll), nf = median(r.naiveFirst), na = median(r.naiveAll);
  console.log(`listing ${STREAMS} streams, pages of ${PAGE}, median of ${RUNS} runs (naive: 2 runs)`);
  console.log(`                         first page     all pages   streams`);
  console.log(`ours (tree loader)     ${f(of)}   ${f(oa)}   ${counts.ours}`);
  console.log(`plain SDK loop         ${f(sf)}   ${f(sa)}   ${counts.sdk}`);
  console.log(`ours + page details    ${f(median(detailsFirst))}   (details of the first ${PAGE} streams in ${f(median(detailsDone)).trim()}, 4 at a time)`);
  console.log(`naive (describe each)  ${f(nf)}   ${f(na)}   ${counts.naive}`);
  console.log(`\nratios: ours/sdk first page ${(of / sf).toFixed(2)}x, all pages ${(oa / sa).toFixed(2)}x; naive/ours first page ${(nf / of).toFixed(1)}x, all pages ${(na / oa).toFixed(1)}x`);
  await ep.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
