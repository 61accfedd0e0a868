/**
 * Cost of isolation for the transform notebook: an identity Firehose transform over 10,000
 * records of 1 KiB (10 invocations at the default 1 MB buffer), measured in one run as
 *   - ours: runTransform (esbuild compile, fresh child process, IPC, contract checks, delivery plan);
 *   - naive: require the handler in this process and call it directly on the same events,
 *     with the same contract checks (no isolation: a loop or exit would take the caller down);
 * plus the time to first output (first invocation's result) for both.
 * Run: npm run bench -- transform
 */
import { buildFirehoseInvocations, validateFirehoseResponse } from '../../src/core/transform/firehoseContract';
import { runTransform } from '../../src/core/transform/engine';
import { runHandler } from '../../src/core/transform/runner';
import { SampleRecord } from '../../src/core/transform/sampleRecord';
import { handlerPath, inProcess, N, SIZE, sample } from '../support/transformBench';

const ROUNDS = 3;

async function isolated(records: SampleRecord[]) {
  const t0 = performance.now();
  const r = await runTransform({ handler: { kind: 'file', path: handlerPath }, records, streamName: 'bench' });
  const total = performance.now() - t0;
  if (r.violations.length || r.counts.Ok !== N) throw new Error(`isolated run went wrong: ${JSON.stringify(r.violations.slice(0, 3))}`);
  return { total, first: r.timings.firstOutputMs!, compile: r.timings.compileMs, start: r.timings.startMs };
}

/** The isolation alone: the same events and checks as in-process, through the child process. */
async function isolatedRunner(records: SampleRecord[]) {
  const t0 = performance.now();
  const invs = buildFirehoseInvocations(records, { sourceStreamName: 'bench' });
  let first = 0;
  let ok = 0;
  const run = await runHandler({ kind: 'file', path: handlerPath }, invs.map((i) => i.event), {
    onInvocation: (i, outcome) => {
      if (!outcome.ok) throw new Error(outcome.failure.message);
      ok += validateFirehoseResponse(invs[i], outcome.response, { invocation: i, responseBytes: outcome.responseBytes }).delivered.length;
      if (i === 0) first = performance.now() - t0;
    },
  });
  const total = performance.now() - t0;
  if (ok !== N) throw new Error('isolated runner went wrong');
  return { total, first, compile: run.compileMs, start: run.startMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1).padStart(8)} ms`;

async function main() {
  const records = sample();
  console.log(`identity Firehose transform, ${N.toLocaleString('en-US')} records x ${SIZE} B (${ROUNDS} rounds each, median; node ${process.version})`);
  const iso: Awaited<ReturnType<typeof isolated>>[] = [];
  const run: Awaited<ReturnType<typeof isolatedRunner>>[] = [];
  const inp: Awaited<ReturnType<typeof inProcess>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    iso.push(await isolated(records));
    run.push(await isolatedRunner(records));
    inp.push(await inProcess(records));
  }
  const runTotal = median(run.map((x) => x.total));
  const runFirst = median(run.map((x) => x.first));
  const isoTotal = median(iso.map((x) => x.total));
  const inpTotal = median(inp.map((x) => x.total));
  const isoFirst = median(iso.map((x) => x.first));
  const inpFirst = median(inp.map((x) => x.first));
  console.log(`ours, full run (runTransform: compile, child, checks, decoded table, S3 plan): total ${ms(isoTotal)}  first output ${ms(isoFirst)}`);
  console.log(`ours, isolated runner only (compile + child + IPC + checks):                 total ${ms(runTotal)}  first output ${ms(runFirst)}  (compile ${median(run.map((x) => x.compile))} ms, child start ${median(run.map((x) => x.start))} ms)`);
  console.log(`naive, handler called in-process (same events + checks):                    total ${ms(inpTotal)}  first output ${ms(inpFirst)}`);
  console.log(`cost of isolation (runner / in-process): x${(runTotal / inpTotal).toFixed(2)} total (+${(runTotal - inpTotal).toFixed(1)} ms), x${(runFirst / inpFirst).toFixed(2)} to first output (+${(runFirst - inpFirst).toFixed(1)} ms)`);
  console.log(`full run / in-process: x${(isoTotal / inpTotal).toFixed(2)} total`);
  console.log(`isolated throughput: ${Math.round(N / (isoTotal / 1000)).toLocaleString('en-US')} records/s; in-process: ${Math.round(N / (inpTotal / 1000)).toLocaleString('en-US')} records/s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
