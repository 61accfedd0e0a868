/**
 * Firehose, locally, measured in one run:
 *  A. records/s through a local delivery stream whose Lambda processor runs an identity transform
 *     on a warm handler (put with PutRecordBatch, transformed, written as objects), beside the same
 *     records put into a local data stream with PutRecords, and into a delivery stream with no
 *     transform; one 500-record call at a time each, against the built-in endpoint.
 *  B. the transform notebook's re-run of an unchanged handler on 10,000 records of 1 KiB: a cold
 *     run (compile, fresh child) against a warm one (the same child, module loaded), against the
 *     handler called in-process (the baseline); runner only, and the notebook's full run.
 * Run: npm run bench -- firehose
 */
import { CreateDeliveryStreamCommand, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { firehoseClientFor, kinesisClientFor } from '../../src/core/aws/clientFactory';
import { StreamService } from '../../src/core/kinesis/streamService';
import { startLocalEndpoint } from '../../src/core/local/localEndpoint';
import { runTransform } from '../../src/core/transform/engine';
import { buildFirehoseInvocations, validateFirehoseResponse } from '../../src/core/transform/firehoseContract';
import { runHandler } from '../../src/core/transform/runner';
import { SampleRecord } from '../../src/core/transform/sampleRecord';
import { WarmHandlers } from '../../src/core/transform/warmHandlers';
import { handlerPath, inProcess, N, sample } from '../support/transformBench';

const ROLE = 'arn:aws:iam::000000000000:role/bench';
const THROUGHPUT_RECORDS = 50_000;
const RECORD_BYTES = 512;
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1).padStart(8)} ms`;
const rate = (n: number, msTotal: number) => `${Math.round(n / (msTotal / 1000)).toLocaleString('en-US').padStart(8)} rec/s`;

async function throughput(): Promise<void> {
  const local = await startLocalEndpoint({ firehose: { lambdaHandlers: { identity: handlerPath } } });
  const firehose = firehoseClientFor(local.endpoint);
  const kinesis = kinesisClientFor(local.endpoint);
  const data = Array.from({ length: THROUGHPUT_RECORDS }, (_, i) => Buffer.from(`{"i":${i},"pad":"${'x'.repeat(RECORD_BYTES - 20 - String(i).length)}"}\n`));
  try {
    const s3 = (bucket: string, lambda?: string) => ({
      BucketARN: `arn:aws:s3:::${bucket}`,
      RoleARN: ROLE,
      BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 900 },
      ...(lambda
        ? { ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda' as const, Parameters: [{ ParameterName: 'LambdaArn' as const, ParameterValue: `arn:aws:lambda:us-east-1:000000000000:function:${lambda}` }] }] } }
        : {}),
    });
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'with-transform', ExtendedS3DestinationConfiguration: s3('bench-transform', 'identity') }));
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'plain', ExtendedS3DestinationConfiguration: s3('bench-plain') }));
    await new StreamService(kinesis).create('bench', { shardCount: 4 });
    await new StreamService(kinesis).waitFor('bench', 'ACTIVE', { intervalMs: 20 });
    // Warm the handler up (its compile and cold start are part B's subject).
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'with-transform', Records: [{ Data: data[0] }] }));
    await local.firehose.flush('with-transform');
    const delivered = (name: string) => local.firehose.delivered(name).reduce((a, o) => a + o.records, 0);
    const before = delivered('with-transform');

    const putFirehose = async (name: string) => {
      const t0 = performance.now();
      for (let i = 0; i < data.length; i += 500) {
        const r = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: data.slice(i, i + 500).map((d) => ({ Data: d })) }));
        if (r.FailedPutCount) throw new Error('records failed');
      }
      await local.firehose.flush(name);
      return performance.now() - t0;
    };
    const tTransform = await putFirehose('with-transform');
    if (delivered('with-transform') - before !== THROUGHPUT_RECORDS) throw new Error(`delivered ${delivered('with-transform') - before}`);
    const tPlain = await putFirehose('plain');
    const t0 = performance.now();
    for (let i = 0; i < data.length; i += 500) {
      const r = await kinesis.send(new PutRecordsCommand({ StreamName: 'bench', Records: data.slice(i, i + 500).map((d, k) => ({ Data: d, PartitionKey: `k${i + k}` })) }));
      if (r.FailedRecordCount) throw new Error('records failed');
    }
    const tKinesis = performance.now() - t0;
    console.log(`A. ${THROUGHPUT_RECORDS.toLocaleString('en-US')} records of ${RECORD_BYTES} B through the built-in endpoint, 500 per call, one call at a time`);
    console.log(`   delivery stream + identity Lambda (warm), put to objects written  ${ms(tTransform)} ${rate(THROUGHPUT_RECORDS, tTransform)}`);
    console.log(`   delivery stream, no transform, put to objects written              ${ms(tPlain)} ${rate(THROUGHPUT_RECORDS, tPlain)}`);
    console.log(`   data stream (kinesalite), PutRecords                                ${ms(tKinesis)} ${rate(THROUGHPUT_RECORDS, tKinesis)}`);
    console.log(`   ratios: transformed delivery / data stream x${(tKinesis / tTransform).toFixed(2)} records/s; transformed / untransformed delivery x${(tPlain / tTransform).toFixed(2)}`);
  } finally {
    firehose.destroy();
    kinesis.destroy();
    await local.close();
  }
}

async function runnerOnly(records: SampleRecord[], warm?: WarmHandlers) {
  const t0 = performance.now();
  const invs = buildFirehoseInvocations(records, { sourceStreamName: 'bench' });
  let ok = 0;
  await runHandler({ kind: 'file', path: handlerPath }, invs.map((i) => i.event), {
    warm,
    onInvocation: (i, outcome) => {
      if (!outcome.ok) throw new Error(outcome.failure.message);
      ok += validateFirehoseResponse(invs[i], outcome.response, { invocation: i, responseBytes: outcome.responseBytes }).delivered.length;
    },
  });
  if (ok !== N) throw new Error('runner went wrong');
  return performance.now() - t0;
}

async function fullRun(records: SampleRecord[], warm?: WarmHandlers) {
  const t0 = performance.now();
  const r = await runTransform({ handler: { kind: 'file', path: handlerPath }, records, streamName: 'bench', warm });
  if (r.counts.Ok !== N) throw new Error('full run went wrong');
  return performance.now() - t0;
}

async function rerun(): Promise<void> {
  const records = sample();
  const warm = new WarmHandlers();
  const cold: number[] = [];
  const warmed: number[] = [];
  const inproc: number[] = [];
  const fullCold: number[] = [];
  const fullWarm: number[] = [];
  try {
    await runnerOnly(records, warm); // the first run of a session is cold either way
    await fullRun(records, warm);
    for (let r = 0; r < ROUNDS; r++) {
      cold.push(await runnerOnly(records));
      warmed.push(await runnerOnly(records, warm));
      inproc.push((await inProcess(records)).total);
      fullCold.push(await fullRun(records));
      fullWarm.push(await fullRun(records, warm));
    }
  } finally {
    await warm.dispose();
  }
  const c = median(cold);
  const w = median(warmed);
  const i = median(inproc);
  console.log(`B. notebook re-run of an unchanged identity handler, ${N.toLocaleString('en-US')} records x 1 KiB, median of ${ROUNDS}; node ${process.version}`);
  console.log(`   runner, cold (compile + new child + IPC + checks)   ${ms(c)}`);
  console.log(`   runner, warm (same child, module loaded)            ${ms(w)}`);
  console.log(`   in-process call (baseline, same events + checks)    ${ms(i)}`);
  console.log(`   full notebook run (table, delivery plan): cold ${ms(median(fullCold))}, warm ${ms(median(fullWarm))}`);
  console.log(`   warm is x${(c / w).toFixed(2)} faster than cold; speed of warm against in-process: ${(i / w).toFixed(2)}x (goal: at least 0.5x); cold: ${(i / c).toFixed(2)}x`);
}

async function main() {
  await throughput();
  await rerun();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
