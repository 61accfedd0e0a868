/**
 * The Lambda Kinesis event source contract, as AWS documents it:
 * - the event is `{ Records: [{ kinesis: { kinesisSchemaVersion, partitionKey, sequenceNumber, data
 *   (base64), approximateArrivalTimestamp (epoch seconds) }, eventSource: 'aws:kinesis', eventVersion,
 *   eventID: '<shardId>:<sequenceNumber>', eventName: 'aws:kinesis:record', invokeIdentityArn,
 *   awsRegion, eventSourceARN }] }`, in batches (100 records by default, up to 10,000, 6 MB);
 * - with ReportBatchItemFailures the function may return `{ batchItemFailures: [{ itemIdentifier:
 *   '<sequenceNumber>' }] }`. An empty or null list, or an empty/null response, is complete success;
 *   an empty or null itemIdentifier, or one that is not a sequence number of the batch, makes Lambda
 *   treat the whole batch as failed. Lambda checkpoints at the lowest failed sequence number and
 *   retries from there.
 */
import { DEFAULT_ACCOUNT, DEFAULT_REGION, kinesisStreamArn } from './firehoseContract';
import { LIMITS, SampleRecord, utf8Bytes, Violation } from './sampleRecord';

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: string;
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: 'aws:kinesis';
  eventVersion: string;
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export interface KinesisEvent {
  Records: KinesisEventRecord[];
}

export interface LambdaKinesisOptions {
  region?: string;
  accountId?: string;
  streamName?: string;
  batchSize?: number;
}

export interface LambdaKinesisInvocation {
  event: KinesisEvent;
  indexes: number[];
}

export function buildKinesisInvocations(records: readonly SampleRecord[], o: LambdaKinesisOptions = {}): LambdaKinesisInvocation[] {
  const batchSize = Math.max(1, Math.min(o.batchSize ?? LIMITS.defaultLambdaBatchSize, LIMITS.maxLambdaBatchSize));
  const out: LambdaKinesisInvocation[] = [];
  let batch: KinesisEventRecord[] = [];
  let indexes: number[] = [];
  let bytes = 0;
  records.forEach((r, i) => {
    const rec = kinesisEventRecord(r, o);
    const size = rec.kinesis.data.length + 600;
    if (batch.length && (batch.length >= batchSize || bytes + size > LIMITS.maxPayloadBytes)) {
      out.push({ event: { Records: batch }, indexes });
      batch = [];
      indexes = [];
      bytes = 0;
    }
    batch.push(rec);
    indexes.push(i);
    bytes += size;
  });
  if (batch.length) out.push({ event: { Records: batch }, indexes });
  return out;
}

export function buildKinesisEvent(records: readonly SampleRecord[], o: LambdaKinesisOptions = {}): KinesisEvent {
  return { Records: records.map((r) => kinesisEventRecord(r, o)) };
}

function kinesisEventRecord(r: SampleRecord, o: LambdaKinesisOptions): KinesisEventRecord {
  const region = o.region ?? DEFAULT_REGION;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
      approximateArrivalTimestamp: r.arrivalTime / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${r.shardId}:${r.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${o.accountId ?? DEFAULT_ACCOUNT}:role/lambda-kinesis-role`,
    awsRegion: region,
    eventSourceARN: kinesisStreamArn(o.streamName ?? 'local-stream', o),
  };
}

export interface KinesisOutcome {
  sequenceNumber: string;
  index: number;
  /** Reported in batchItemFailures. */
  failed: boolean;
  /** Would be retried: at or after the checkpoint (the lowest failed sequence number). */
  retried: boolean;
}

export interface KinesisValidation {
  violations: Violation[];
  outcomes: KinesisOutcome[];
  /** Lambda treats the whole batch as failed (retries all of it). */
  batchFailed: boolean;
}

function compareSeq(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export function validateKinesisResponse(
  inv: LambdaKinesisInvocation,
  response: unknown,
  opts: { responseBytes?: number; invocation?: number } = {},
): KinesisValidation {
  const violations: Violation[] = [];
  const add = (v: Omit<Violation, 'severity' | 'invocation'>) =>
    violations.push({ severity: 'error', ...v, ...(opts.invocation === undefined ? {} : { invocation: opts.invocation }) });
  const bySeq = new Map<string, number>();
  inv.event.Records.forEach((r, i) => bySeq.set(r.kinesis.sequenceNumber, i));
  const outcomes: KinesisOutcome[] = inv.event.Records.map((r, i) => ({ sequenceNumber: r.kinesis.sequenceNumber, index: inv.indexes[i], failed: false, retried: false }));
  let batchFailed = false;
  const failAll = () => {
    batchFailed = true;
    for (const o of outcomes) o.retried = true;
  };

  if (opts.responseBytes !== undefined && opts.responseBytes > LIMITS.maxPayloadBytes) {
    add({ code: 'response-too-large', message: `The response is ${(opts.responseBytes / 1048576).toFixed(2)} MB; Lambda returns at most 6 MB.` });
    failAll();
  }
  if (utf8Bytes(JSON.stringify(inv.event)) > LIMITS.maxPayloadBytes) {
    violations.push({ code: 'request-too-large', severity: 'warning', message: 'The batch is over the 6 MB Lambda request limit; Lambda would split it.' });
  }
  if (response === undefined || response === null) return { violations, outcomes, batchFailed };
  if (typeof response !== 'object' || Array.isArray(response)) {
    add({ code: 'response-shape', message: `The handler returned ${Array.isArray(response) ? 'an array' : typeof response}; return nothing or { batchItemFailures: [...] }.` });
    return { violations, outcomes, batchFailed };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { violations, outcomes, batchFailed };
  if (!Array.isArray(failures)) {
    add({ code: 'invalid-batch-item-failures', message: 'batchItemFailures must be an array of { itemIdentifier: sequenceNumber }; Lambda treats the whole batch as failed.' });
    failAll();
    return { violations, outcomes, batchFailed };
  }
  const failedSeqs: string[] = [];
  failures.forEach((f: unknown, i: number) => {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') {
      add({ code: 'invalid-batch-item-failures', message: `batchItemFailures[${i}] has itemIdentifier ${id === '' ? '""' : String(id)}; Lambda treats the whole batch as failed.` });
      failAll();
      return;
    }
    const ei = bySeq.get(id);
    if (ei === undefined) {
      add({ code: 'unknown-record-id', recordId: id, message: `batchItemFailures[${i}].itemIdentifier ${id} is not a sequence number of this batch; Lambda treats the whole batch as failed.` });
      failAll();
      return;
    }
    outcomes[ei].failed = true;
    failedSeqs.push(id);
  });
  if (!batchFailed && failedSeqs.length) {
    const checkpoint = failedSeqs.reduce((a, b) => (compareSeq(a, b) <= 0 ? a : b));
    for (const o of outcomes) o.retried = compareSeq(o.sequenceNumber, checkpoint) >= 0;
  }
  return { violations, outcomes, batchFailed };
}
