/**
 * The Firehose emulator's delivery engine: what happens to records in each of Firehose's two
 * buffering stages (firehosePipeline decides when). Stage 1, when the processor's buffering hints
 * say "invoke" (processRecords), in order, as Firehose does it:
 *   1. deaggregation: KPL aggregated records read from a Kinesis source into their user records
 *      (as Firehose does on its own), then RecordDeAggregation (JSON objects or delimited parts);
 *   2. the Lambda transform, run from the workspace on a warm isolated child, invoked per processor
 *      buffer with Firehose's event, retried `NumberOfRetries` times when the invocation fails
 *      (throws, times out, returns a response that is not `{records: [...]}`); `Ok` records go on,
 *      `Dropped` ones end here, `ProcessingFailed` ones (and those a failed-for-good invocation held)
 *      go to the error output;
 *   3. inline parsing (MetadataExtraction, a jq query) for partition keys;
 *   4. AppendDelimiterToRecord;
 *   5. each record's partition; a record without the keys its prefix needs, and every record that
 *      failed above, becomes one JSON line of the error output, as Firehose writes it.
 * Stage 2, when a partition's buffer reaches the destination's buffering hints (deliverBatch): one
 * S3 object per batch (compressed), or one request to an HTTP endpoint with the failed data (or all
 * data) backed up to S3, or one error output object under ErrorOutputPrefix with
 * !{firehose:error-output-type}. A batch's object keys are planned once, so a retry writes each
 * object once (exactly-once objects, where the buffer has a journal, across restarts too).
 * Every record given ends in a delivered object, the error output, the S3 backup, or was dropped
 * by the transform on purpose. When that cannot be done now (the handler is not mapped or does not
 * load, jq is missing, a write fails), DeliveryError is thrown and the caller keeps the records.
 */
import { randomUUID } from 'node:crypto';
import { compress, CompressionFormat } from './compression';
import { BufferedRecord, FlushPlan, partitionId, PartitionTarget, StagedRecord } from './firehoseBuffer';
import type { ObjectStore, StoredObject } from './s3Folder';
import type { ProcessingPlan, ValidCreateRequest } from './firehoseValidation';
import { deliverToHttpEndpoint } from './firehoseHttpEndpoint';
import { extractPartitionKeys, JqError, JqOptions } from './jq';
import { buildFirehoseInvocations, validateFirehoseResponse } from '../transform/firehoseContract';
import type { SampleRecord, Violation } from '../transform/sampleRecord';
import { defaultPrefix, evaluatePrefix, objectPrefix, objectSuffix, partitionOf, partitionTemplate } from '../transform/s3Key';
import type { HandlerSource } from '../transform/compile';
import { CompileError } from '../transform/compile';
import { RunFailureError } from '../transform/runner';
import type { WarmHandlers } from '../transform/warmHandlers';
import { deaggregate, isKplAggregate } from '../records/kpl';

export class DeliveryError extends Error {
  constructor(message: string, readonly type = 'UNKNOWN_ERROR') {
    super(message);
  }
}

export interface DeliveryTarget {
  name: string;
  arn: string;
  versionId: string;
  config: ValidCreateRequest;
  region: string;
  accountId: string;
}

export interface DeliveryEnv {
  store: ObjectStore;
  warm: WarmHandlers;
  /** The workspace handler for a Lambda ARN (kinesis.local.lambdaHandlers / --lambda), or why there is none. */
  resolveLambda(arn: string): { source: HandlerSource; functionName: string } | { problem: string };
  lambdaTimeoutMs?: number;
  jq?: JqOptions;
  httpBackoffBaseMs?: number;
  httpTimeoutMs?: number;
  /** Dynamic partitioning's quota of active partitions per delivery stream (AWS's default: 500). */
  maxActivePartitions?: number;
  log(line: string): void;
}

/**
 * The quota of active partitions a delivery stream with dynamic partitioning has by default: a
 * partition is active from its first record until its buffer is delivered (also while its delivery
 * fails). Past it, records that would open another partition go to the error output, under
 * !{firehose:error-output-type} = activePartitionExceeded; the stream is not throttled for it
 * (https://docs.aws.amazon.com/firehose/latest/dev/buffering.html ,
 * https://docs.aws.amazon.com/firehose/latest/dev/limits.html ).
 */
export const DEFAULT_MAX_ACTIVE_PARTITIONS = 500;

export interface WrittenObject extends StoredObject {
  records: number;
  kind: 'delivered' | 'error' | 'backup';
  at: number;
  /** How its body was compressed (its key may not say: FileExtension replaces the suffix). */
  compression?: CompressionFormat;
}

export interface ProcessOutcome {
  /** What each stage-2 buffer (partition, error output type) receives. */
  parts: { target: PartitionTarget; records: StagedRecord[] }[];
  counts: { dropped: number; failed: number };
}

/** One record on its way through the pipeline. */
interface Item {
  raw: Buffer;
  data: Buffer;
  arrival: number;
  source: BufferedRecord;
  /** A KPL user record: its own partition key and place in the aggregate. */
  kpl?: { partitionKey: string; subSequenceNumber: number };
  lambdaKeys?: Record<string, string>;
  queryKeys?: Record<string, string>;
}

interface Failure {
  item: Item;
  errorCode: string;
  errorMessage: string;
  attemptsMade: number;
  lambdaArn?: string;
  type: string;
}

const MAX_LOG_LINES_PER_BATCH = 20;

/** Splits one record into the JSON values it holds one after another (with or without whitespace between). */
export function splitJsonObjects(data: Buffer): Buffer[] | undefined {
  const text = data.toString('utf8');
  const out: Buffer[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) out.push(Buffer.from(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) return undefined;
  }
  return depth === 0 ? out : undefined;
}

function splitDelimited(data: Buffer, delimiter: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let at = data.indexOf(delimiter, from); at >= 0; at = data.indexOf(delimiter, from)) {
    if (at > from) out.push(data.subarray(from, at));
    from = at + delimiter.length;
  }
  if (from < data.length) out.push(data.subarray(from));
  return out;
}

/**
 * Stage 1 of a delivery stream: what its incoming records become, as Firehose does it before the
 * destination's buffers: deaggregation, the Lambda transform, partition keys from a jq query, the
 * delimiter, then each record's partition (S3 with dynamic partitioning), or the error output.
 * Returns the records for each stage-2 buffer; throws DeliveryError when it cannot be done now.
 */
export async function processRecords(
  target: DeliveryTarget,
  env: DeliveryEnv,
  records: readonly BufferedRecord[],
  /** The ids of the delivered partitions buffered now (stage 2): the active partitions. */
  active: ReadonlySet<string> = new Set(),
): Promise<ProcessOutcome> {
  const cfg = target.config;
  const plan = cfg.processing;
  const failures: Failure[] = [];
  const counts = { dropped: 0, failed: 0 };

  // 1. Deaggregation.
  let items: Item[] = [];
  for (const r of records) {
    let users: Item[] = [{ raw: r.data, data: r.data, arrival: r.arrival, source: r }];
    if (r.shardId && isKplAggregate(r.data)) {
      try {
        users = deaggregate(r.data).map((u) => {
          const data = Buffer.from(u.data);
          return { raw: data, data, arrival: r.arrival, source: r, kpl: { partitionKey: u.partitionKey, subSequenceNumber: u.subSequenceNumber } };
        });
      } catch (e) {
        failures.push({ item: users[0], ...ERRORS.invalidAggregate, errorMessage: `${ERRORS.invalidAggregate.errorMessage} ${(e as Error).message}.`, attemptsMade: 1, type: 'processing-failed' });
        continue;
      }
    }
    if (!plan.deaggregation) {
      items.push(...users);
      continue;
    }
    for (const u of users) {
      const parts = plan.deaggregation.type === 'JSON' ? splitJsonObjects(u.data) : splitDelimited(u.data, plan.deaggregation.delimiter!);
      if (!parts) {
        failures.push({ item: u, ...ERRORS.invalidJsonToDeaggregate, attemptsMade: 1, type: 'processing-failed' });
        continue;
      }
      for (const p of parts) items.push({ ...u, raw: p, data: p });
    }
  }

  // 2. The Lambda transform.
  if (plan.lambda) items = await transform(target, env, plan.lambda, items, failures, counts);

  // 3. Inline parsing for partition keys.
  if (plan.jqQuery && items.length) items = await partitionKeysFromQuery(env, plan.jqQuery, items, failures);

  // 4. Delimiter.
  if (plan.appendDelimiter) for (const it of items) it.data = Buffer.concat([it.data, plan.appendDelimiter]);

  // 5. Each record's partition (one for an HTTP endpoint, or an S3 prefix with no partition keys).
  const parts = new Map<string, { target: PartitionTarget; records: StagedRecord[] }>();
  const into = (t: PartitionTarget, r: StagedRecord) => {
    const id = partitionId(t);
    let g = parts.get(id);
    if (!g) parts.set(id, (g = { target: t, records: [] }));
    g.records.push(r);
  };
  const prefix = cfg.destinationKind === 'HttpEndpoint' ? undefined : cfg.destination.Prefix;
  const keyed = !!prefix?.includes('!{partitionKeyFrom');
  const maxActive = env.maxActivePartitions ?? DEFAULT_MAX_ACTIVE_PARTITIONS;
  let activeCount = active.size;
  const template = partitionTemplate(prefix);
  // Without partition keys every record is in the one partition the prefix names.
  const plainGroup = keyed ? undefined : partitionOf(template, {});
  for (const it of items) {
    let group: string;
    try {
      group = plainGroup ?? partitionOf(template, { fromLambda: it.lambdaKeys, fromQuery: it.queryKeys });
    } catch (e) {
      failures.push({ item: it, ...ERRORS.metadataExtraction, errorMessage: (e as Error).message, attemptsMade: 1, type: 'processing-failed' });
      continue;
    }
    const t: PartitionTarget = keyed ? { kind: 'delivered', group, fromLambda: it.lambdaKeys, fromQuery: it.queryKeys } : { kind: 'delivered', group };
    const id = partitionId(t);
    if (keyed && !active.has(id) && !parts.has(id)) {
      if (activeCount >= maxActive) {
        failures.push({ item: it, ...ERRORS.activePartitionsExceeded, attemptsMade: 1, type: 'activePartitionExceeded' });
        continue;
      }
      activeCount++;
    }
    into(t, { data: it.data, arrival: it.arrival });
  }
  const exceeded = failures.filter((f) => f.type === 'activePartitionExceeded').length;
  if (exceeded) env.log(`Firehose ${target.name}: ${exceeded} records would open a partition past the ${maxActive} active partitions allowed; they go to the error output (activePartitionExceeded).`);

  // 6. The error output, buffered like a partition.
  for (const f of failures) {
    const line = errorRecord({ ...f, arrival: f.item.arrival, raw: f.item.raw, sequenceNumber: f.item.source.sequenceNumber });
    into({ kind: 'error', group: f.type }, { data: Buffer.from(line), arrival: f.item.arrival });
  }
  counts.failed = failures.length;
  return { parts: [...parts.values()], counts };
}

/**
 * The keys of the objects a stage-2 batch becomes, fixed when the batch is planned (and kept in the
 * journal): an S3 partition or the error output, one object; an HTTP endpoint, the backup of what
 * fails and the AllData backup. Extensions are added when written.
 */
export function planKeys(target: DeliveryTarget, p: PartitionTarget, batch: readonly StagedRecord[]): string[] {
  const cfg = target.config;
  const oldest = batch.reduce((a, r) => Math.min(a, r.arrival), Infinity);
  const suffix = () => objectSuffix(target.name, oldest, Number(target.versionId), randomUUID());
  const errorKey = (type: string) =>
    (cfg.destination.ErrorOutputPrefix ? evaluatePrefix(cfg.destination.ErrorOutputPrefix, { timestamp: oldest, errorOutputType: type }) : `${type}/${defaultPrefix(oldest)}`) + suffix();
  if (p.kind === 'error') return [errorKey(p.group)];
  if (cfg.destinationKind === 'HttpEndpoint') return [errorKey('http-endpoint-failed'), (cfg.destination.Prefix ?? '') + defaultPrefix(oldest) + suffix()];
  return [objectPrefix(cfg.destination.Prefix, { oldest, fromLambda: p.fromLambda, fromQuery: p.fromQuery, timePrefixWhenPlain: true }) + suffix()];
}

/**
 * Stage 2: delivers one planned batch of a partition. Each object is written whole under its planned
 * key, once: a retry after a failure part way skips the objects already written (and an HTTP
 * endpoint that already answered is not sent the batch again). Throws DeliveryError when a write
 * fails; the batch stays planned and is retried.
 */
export async function deliverBatch(
  target: DeliveryTarget,
  env: DeliveryEnv,
  p: PartitionTarget,
  batch: readonly StagedRecord[],
  plan: FlushPlan,
  opts: { final?: boolean; signal?: AbortSignal; onWritten(o: WrittenObject): void },
): Promise<void> {
  const cfg = target.config;
  const put = (key: string, body: Buffer, n: number, kind: WrittenObject['kind']) => {
    if (plan.written.has(key)) return;
    const stored = compress(cfg.compression, body);
    // FileExtension replaces the default suffix of delivered objects; the error output and the S3
    // backup keep theirs (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html names
    // the extension as the key's last part; AWS does not say it applies to error output, and the
    // HTTP endpoint's S3 configuration has no FileExtension).
    const suffix = kind === 'delivered' && cfg.fileExtension ? cfg.fileExtension : stored.suffix;
    try {
      const o = env.store.put(cfg.bucket, key + suffix, stored.body);
      plan.written.add(key);
      opts.onWritten({ ...o, records: n, kind, at: Date.now(), compression: cfg.compression });
    } catch (e) {
      throw new DeliveryError(`Delivery of ${n} records to s3://${cfg.bucket}/${key} failed: ${(e as Error).message}. They stay buffered and are retried.`);
    }
  };
  const body = () => Buffer.concat(batch.map((r) => r.data));
  if (p.kind === 'error') return put(plan.keys[0], body(), batch.length, 'error');
  if (cfg.destinationKind !== 'HttpEndpoint') return put(plan.keys[0], body(), batch.length, 'delivered');

  const http = cfg.http!;
  plan.sent ??= await deliverToHttpEndpoint(http, batch.map((r) => r.data), {
    sourceArn: target.arn,
    once: opts.final,
    signal: opts.signal,
    backoffBaseMs: env.httpBackoffBaseMs,
    timeoutMs: env.httpTimeoutMs,
  });
  const r = plan.sent;
  if (!r.ok) {
    if (!plan.written.has(plan.keys[0])) env.log(`Firehose ${target.name}: delivery to ${http.Url} failed after ${r.attempts} attempts (${r.errorMessage}); ${batch.length} records go to the S3 backup.`);
    const lines = batch.map((x) => errorRecord({ attemptsMade: r.attempts, arrival: x.arrival, errorCode: r.errorCode, errorMessage: r.errorMessage, raw: x.data }));
    put(plan.keys[0], Buffer.from(lines.join('')), batch.length, 'backup');
  }
  if (http.S3BackupMode === 'AllData') put(plan.keys[1], body(), batch.length, 'backup');
}

/** One line of the error output (or of an HTTP endpoint's S3 backup), as Firehose writes it. */
function errorRecord(f: { attemptsMade: number; arrival: number; errorCode: string; errorMessage: string; raw: Buffer; lambdaArn?: string; sequenceNumber?: string }): string {
  const r: Record<string, unknown> = {
    attemptsMade: f.attemptsMade,
    arrivalTimestamp: f.arrival,
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
    attemptEndingTimestamp: Date.now(),
    rawData: f.raw.toString('base64'),
  };
  if (f.lambdaArn) r.lambdaArn = f.lambdaArn;
  if (f.sequenceNumber) r.sequenceNumber = f.sequenceNumber;
  return JSON.stringify(r) + '\n';
}

/**
 * The errorCode and errorMessage Firehose writes to the error output, as AWS gives them:
 * - the Lambda invocation errors (Lambda.JsonProcessingException, Lambda.DuplicatedRecordId,
 *   Lambda.MissingRecordId) and their messages are AWS's table of them,
 *   https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-logs.html ;
 * - Lambda.FunctionError, Lambda.FunctionTimedOut and Lambda.ProcessingFailedStatus, and
 *   DynamicPartitioning.MetadataExtractionFailed, are not in AWS's documentation (its page on error
 *   output, https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html ,
 *   gives the fields only): the codes and messages here are those Firehose writes in real
 *   processing-failed objects;
 * - past the active partitions quota AWS documents only the error output type,
 *   activePartitionExceeded (https://docs.aws.amazon.com/firehose/latest/dev/buffering.html ); the
 *   message is the one users report finding in those objects, the code the one they report seeing
 *   with it (neither is in AWS's documentation);
 * - the KPL and RecordDeAggregation failures have no code AWS documents or that we have seen: the
 *   codes and messages are ours.
 * What the handler itself said (its exception, the timeout, what is wrong with its response) is in
 * the log, as Firehose puts it in CloudWatch Logs.
 */
const ERRORS = {
  functionError: { errorCode: 'Lambda.FunctionError', errorMessage: 'The Lambda function was successfully invoked but it returned an error result.' },
  functionTimedOut: { errorCode: 'Lambda.FunctionTimedOut', errorMessage: 'The Lambda function invocation timed out. Increase the Timeout setting in the Lambda function.' },
  jsonProcessing: {
    errorCode: 'Lambda.JsonProcessingException',
    errorMessage: 'There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Amazon Data Firehose.',
  },
  duplicatedRecordId: {
    errorCode: 'Lambda.DuplicatedRecordId',
    errorMessage: 'Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique record IDs for each record.',
  },
  missingRecordId: { errorCode: 'Lambda.MissingRecordId', errorMessage: 'One or more record IDs were not returned. Ensure that the Lambda function returns all received record IDs.' },
  processingFailed: { errorCode: 'Lambda.ProcessingFailedStatus', errorMessage: 'ProcessingFailed status set for record' },
  activePartitionsExceeded: { errorCode: 'DynamicPartitioning.ActivePartitionsLimitExceeded', errorMessage: 'The number of active partitions has exceeded the configured limit' },
  metadataExtraction: { errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'The record has no value for a partition key the prefix needs.' },
  invalidAggregate: { errorCode: 'KinesisSource.InvalidAggregatedRecord', errorMessage: 'The record looks KPL-aggregated but cannot be deaggregated:' },
  invalidJsonToDeaggregate: { errorCode: 'RecordDeAggregation.InvalidJson', errorMessage: 'The record is not a sequence of JSON objects, so it cannot be deaggregated.' },
} as const;

/**
 * Whether a response breaks Firehose's contract, and how Firehose names it: a response that is not
 * `{records: [...]}` or is too large, a record missing, unknown or without its recordId, one answered
 * twice, a result that is not Ok/Dropped/ProcessingFailed, data that is not base64, metadata that is
 * not partition keys. Firehose "rejects them and treats that as a data transformation failure"
 * (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html ), names it
 * as the invocation's error (Lambda.JsonProcessingException, Lambda.MissingRecordId,
 * Lambda.DuplicatedRecordId: https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-logs.html ),
 * and retries a failed invocation NumberOfRetries times before its whole batch goes to the error
 * output (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html ):
 * the response cannot be trusted for any of its records, so none is delivered from it. A record Ok
 * without the partition key the prefix needs is not a broken response: it alone goes to the error
 * output (DynamicPartitioning.MetadataExtractionFailed), when it is partitioned.
 */
function invalidResponse(violations: readonly Violation[]): { errorCode: string; errorMessage: string; detail: string; response: true } | undefined {
  const errors = violations.filter((x) => x.severity === 'error' && x.code !== 'missing-partition-key');
  if (!errors.length) return undefined;
  const has = (...codes: string[]) => errors.find((x) => codes.includes(x.code));
  const first = has('response-shape', 'response-too-large') ?? has('missing-record', 'missing-record-id', 'unknown-record-id') ?? has('duplicate-record-id') ?? errors[0];
  const code = ['missing-record', 'missing-record-id', 'unknown-record-id'].includes(first.code) ? ERRORS.missingRecordId : first.code === 'duplicate-record-id' ? ERRORS.duplicatedRecordId : ERRORS.jsonProcessing;
  const more = errors.length > 1 && first.code !== 'response-shape' ? ` (and ${errors.length - 1} more ${errors.length === 2 ? 'problem' : 'problems'})` : '';
  return { ...code, detail: `${first.message}${more}`, response: true };
}

async function transform(
  target: DeliveryTarget,
  env: DeliveryEnv,
  lambda: NonNullable<ProcessingPlan['lambda']>,
  items: Item[],
  failures: Failure[],
  counts: ProcessOutcome['counts'],
): Promise<Item[]> {
  if (!items.length) return items;
  const resolved = env.resolveLambda(lambda.arn);
  if ('problem' in resolved) throw new DeliveryError(resolved.problem, 'INVALID_CONFIGURATION');
  const sourceStreamName = target.config.source?.KinesisStreamARN.split('/').pop();
  const samples: SampleRecord[] = items.map((it, i) => ({
    shardId: it.source.shardId ?? '',
    sequenceNumber: it.source.sequenceNumber ?? String(i + 1),
    partitionKey: it.kpl?.partitionKey ?? it.source.partitionKey ?? '',
    arrivalTime: it.arrival,
    data: it.data,
    ...(it.kpl ? { subSequenceNumber: it.kpl.subSequenceNumber } : {}),
  }));
  const invocations = buildFirehoseInvocations(samples, {
    sourceStreamName,
    region: target.region,
    accountId: target.accountId,
    deliveryStreamName: target.name,
    bufferBytes: lambda.bufferBytes,
  });
  const out: (Item | undefined)[] = new Array(items.length);
  let logLines = 0;
  for (const [n, inv] of invocations.entries()) {
    let last: { errorCode: string; errorMessage: string; detail: string; response?: boolean } | undefined;
    let attempts = 0;
    let done = false;
    while (!done && attempts <= lambda.retries) {
      attempts++;
      let handle;
      try {
        handle = await env.warm.acquire(resolved.source, { functionName: resolved.functionName, region: target.region, timeoutMs: env.lambdaTimeoutMs });
      } catch (e) {
        const why = e instanceof CompileError ? `does not compile:\n${e.message}` : e instanceof RunFailureError ? `does not load: ${e.message}` : `cannot start: ${(e as Error).message}`;
        throw new DeliveryError(`The transform for ${resolved.functionName} ${why}\nFix it; the records stay buffered and are delivered once it loads.`, 'INVALID_CONFIGURATION');
      }
      const proc = handle.proc;
      // Two delivery streams may share a function: one invocation at a time per child, as in a Lambda container.
      const [outcome, logs] = await handle.exclusive(async () => [await proc.invoke(inv.event, n), proc.takeLogs()] as const);
      for (const l of logs) {
        if (logLines++ < MAX_LOG_LINES_PER_BATCH) env.log(`Firehose ${target.name}: ${resolved.functionName} ${l.stream === 'stderr' ? '(stderr) ' : ''}${l.text.trimEnd().slice(0, 500)}`);
      }
      if (!outcome.ok) {
        last = { ...(outcome.failure.kind === 'timeout' ? ERRORS.functionTimedOut : ERRORS.functionError), detail: outcome.failure.message };
        continue;
      }
      const v = validateFirehoseResponse(inv, outcome.response, { responseBytes: outcome.responseBytes, invocation: n });
      const bad = invalidResponse(v.violations);
      if (bad) {
        last = bad;
        continue;
      }
      done = true;
      for (const o of v.outcomes) {
        const it = items[o.index];
        if (o.result === 'Ok' && o.output) out[o.index] = { ...it, data: o.output, lambdaKeys: o.partitionKeys };
        else if (o.result === 'Dropped') counts.dropped++;
        else failures.push({ item: it, ...ERRORS.processingFailed, attemptsMade: attempts, lambdaArn: lambda.arn, type: 'processing-failed' });
      }
    }
    if (!done) {
      env.log(`Firehose ${target.name}: invocation of ${resolved.functionName} failed ${attempts} times (${last!.errorCode}: ${last!.detail}); its ${inv.indexes.length} records go to the error output.`);
      // A response that breaks the contract: what is wrong with it follows AWS's message, as the notebook words it.
      const errorMessage = last!.response ? `${last!.errorMessage} ${last!.detail}` : last!.errorMessage;
      for (const i of inv.indexes) failures.push({ item: items[i], errorCode: last!.errorCode, errorMessage, attemptsMade: attempts, lambdaArn: lambda.arn, type: 'processing-failed' });
    }
  }
  // Ok records in the order the responses returned them is the order Firehose delivers; the event order is the same here.
  return out.filter((x): x is Item => x !== undefined);
}

async function partitionKeysFromQuery(env: DeliveryEnv, query: string, items: Item[], failures: Failure[]): Promise<Item[]> {
  const parsed: { item: Item; value: unknown }[] = [];
  for (const it of items) {
    try {
      parsed.push({ item: it, value: JSON.parse(it.data.toString('utf8')) });
    } catch {
      failures.push({ item: it, ...ERRORS.metadataExtraction, errorMessage: 'The record is not JSON, so the MetadataExtractionQuery cannot read it.', attemptsMade: 1, type: 'processing-failed' });
    }
  }
  let results;
  try {
    results = await extractPartitionKeys(query, parsed.map((p) => p.value), env.jq);
  } catch (e) {
    if (e instanceof JqError) throw new DeliveryError(e.message, 'INVALID_CONFIGURATION');
    throw e;
  }
  const out: Item[] = [];
  results.forEach((r, i) => {
    const it = parsed[i].item;
    if ('error' in r) failures.push({ item: it, ...ERRORS.metadataExtraction, errorMessage: r.error, attemptsMade: 1, type: 'processing-failed' });
    else out.push({ ...it, queryKeys: r.keys });
  });
  return out;
}
