/**
 * The Firehose emulator's delivery engine: what happens to a buffer of records when its buffering
 * hints say "deliver". In order, as Firehose does it:
 *   1. deaggregation: KPL aggregated records read from a Kinesis source into their user records
 *      (as Firehose does on its own), then RecordDeAggregation (JSON objects or delimited parts);
 *   2. the Lambda transform, run from the workspace on a warm isolated child, invoked per processor
 *      buffer with Firehose's event, retried `NumberOfRetries` times when the invocation fails
 *      (throws, times out, returns a response that is not `{records: [...]}`); `Ok` records go on,
 *      `Dropped` ones end here, `ProcessingFailed` ones (and those a failed-for-good invocation held)
 *      go to the error output;
 *   3. inline parsing (MetadataExtraction, a jq query) for partition keys;
 *   4. AppendDelimiterToRecord;
 *   5. delivery: S3 objects per partition (compressed), or one request to an HTTP endpoint with
 *      the failed data (or all data) backed up to S3;
 *   6. the error output: one JSON line per failed record, as Firehose writes it, under
 *      ErrorOutputPrefix with !{firehose:error-output-type}.
 * Every record given ends in a delivered object, the error output, the S3 backup, or was dropped
 * by the transform on purpose. When that cannot be done now (the handler is not mapped or does not
 * load, jq is missing, a write fails), DeliveryError is thrown and the caller keeps the records.
 */
import { gzipSync } from 'node:zlib';
import type { BufferedRecord } from './firehoseBuffer';
import type { ObjectStore, StoredObject } from './s3Folder';
import type { HttpEndpointDestination, ProcessingPlan, ValidCreateRequest } from './firehoseValidation';
import { deliverToHttpEndpoint } from './firehoseHttpEndpoint';
import { extractPartitionKeys, JqError, JqOptions } from './jq';
import { buildFirehoseInvocations, validateFirehoseResponse } from '../transform/firehoseContract';
import { defaultPrefix, evaluatePrefix, objectSuffix, planDelivery } from '../transform/s3Key';
import type { HandlerSource } from '../transform/compile';
import { CompileError } from '../transform/compile';
import { RunFailureError } from '../transform/runner';
import type { WarmHandlers } from '../transform/warmHandlers';
import type { SampleRecord } from '../transform/sampleRecord';
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
  log(line: string): void;
}

export interface WrittenObject extends StoredObject {
  records: number;
  kind: 'delivered' | 'error' | 'backup';
  at: number;
}

export interface DeliveryOutcome {
  objects: WrittenObject[];
  counts: { delivered: number; dropped: number; failed: number; backedUp: number };
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

export async function deliverRecords(target: DeliveryTarget, env: DeliveryEnv, records: readonly BufferedRecord[], opts: { final?: boolean; signal?: AbortSignal } = {}): Promise<DeliveryOutcome> {
  const cfg = target.config;
  const plan = cfg.processing;
  const failures: Failure[] = [];
  const counts = { delivered: 0, dropped: 0, failed: 0, backedUp: 0 };

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
        failures.push({ item: users[0], errorCode: 'KinesisSource.InvalidAggregatedRecord', errorMessage: `The record looks KPL-aggregated but cannot be deaggregated: ${(e as Error).message}.`, attemptsMade: 1, type: 'processing-failed' });
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
        failures.push({ item: u, errorCode: 'RecordDeAggregation.InvalidJson', errorMessage: 'The record is not a sequence of JSON objects, so it cannot be deaggregated.', attemptsMade: 1, type: 'processing-failed' });
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

  // 5. Delivery.
  const objects: WrittenObject[] = [];
  const gzip = cfg.compression === 'GZIP';
  const put = (bucket: string, key: string, body: Buffer, n: number, kind: WrittenObject['kind']) => {
    try {
      const o = env.store.put(bucket, key + (gzip ? '.gz' : ''), gzip ? gzipSync(body) : body);
      objects.push({ ...o, records: n, kind, at: Date.now() });
    } catch (e) {
      throw new DeliveryError(`Delivery of ${records.length} records to s3://${bucket}/${key} failed: ${(e as Error).message}. They stay buffered and are retried.`);
    }
  };
  if (cfg.destinationKind === 'HttpEndpoint') {
    if (items.length) await deliverHttp(target, env, cfg.http!, items, failures, counts, put, opts);
  } else if (items.length) {
    const inputs = items.map((it, i) => ({ recordIndex: i, arrivalTime: it.arrival, output: it.data, partitionKeys: it.lambdaKeys, partitionKeysFromQuery: it.queryKeys }));
    const planned = planDelivery(inputs, { prefix: cfg.destination.Prefix, deliveryStreamName: target.name, version: Number(target.versionId), timePrefixWhenPlain: true });
    for (const f of planned.failed) {
      failures.push({ item: items[f.recordIndex], errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: f.reason, attemptsMade: 1, type: 'processing-failed' });
    }
    for (const o of planned.objects) {
      put(cfg.bucket, o.key, o.data, o.recordIndexes.length, 'delivered');
      counts.delivered += o.recordIndexes.length;
    }
  }

  // 6. The error output.
  if (failures.length) {
    for (const [type, group] of groupBy(failures, (f) => f.type)) {
      const oldest = group.reduce((a, f) => Math.min(a, f.item.arrival), Infinity);
      const prefix = cfg.destination.ErrorOutputPrefix ? evaluatePrefix(cfg.destination.ErrorOutputPrefix, { timestamp: oldest, errorOutputType: type }) : `${type}/${defaultPrefix(oldest)}`;
      const lines = group.map((f) => JSON.stringify(errorRecord(f)) + '\n').join('');
      put(cfg.bucket, prefix + objectSuffix(target.name, oldest, Number(target.versionId)), Buffer.from(lines), group.length, type === 'http-endpoint-failed' ? 'backup' : 'error');
      if (type === 'http-endpoint-failed') counts.backedUp += group.length;
      else counts.failed += group.length;
    }
  }
  return { objects, counts };
}

function errorRecord(f: Failure): Record<string, unknown> {
  const r: Record<string, unknown> = {
    attemptsMade: f.attemptsMade,
    arrivalTimestamp: f.item.arrival,
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
    attemptEndingTimestamp: Date.now(),
    rawData: f.item.raw.toString('base64'),
  };
  if (f.lambdaArn) r.lambdaArn = f.lambdaArn;
  if (f.item.source.sequenceNumber) r.sequenceNumber = f.item.source.sequenceNumber;
  return r;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    let g = m.get(k);
    if (!g) m.set(k, (g = []));
    g.push(x);
  }
  return m;
}

const VIOLATION_ERROR_CODE: Record<string, string> = {
  'missing-record': 'Lambda.MissingRecordId',
  'duplicate-record-id': 'Lambda.DuplicatedRecordId',
};

async function transform(
  target: DeliveryTarget,
  env: DeliveryEnv,
  lambda: NonNullable<ProcessingPlan['lambda']>,
  items: Item[],
  failures: Failure[],
  counts: DeliveryOutcome['counts'],
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
    let last: { code: string; message: string } | undefined;
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
        last = { code: 'Lambda.FunctionError', message: outcome.failure.message };
        continue;
      }
      const v = validateFirehoseResponse(inv, outcome.response, { responseBytes: outcome.responseBytes, invocation: n });
      const batch = v.violations.find((x) => x.code === 'response-shape' || x.code === 'response-too-large');
      if (batch) {
        last = { code: 'Lambda.JsonProcessingException', message: batch.message };
        continue;
      }
      done = true;
      for (const o of v.outcomes) {
        const it = items[o.index];
        if (o.result === 'Ok' && o.output) {
          out[o.index] = { ...it, data: o.output, lambdaKeys: o.partitionKeys };
        } else if (o.result === 'Dropped') {
          counts.dropped++;
        } else {
          const violation = v.violations.find((x) => x.recordIndex === o.index && x.code !== 'missing-partition-key');
          failures.push({
            item: it,
            errorCode: o.result === 'ProcessingFailed' ? 'Lambda.ProcessingFailedStatus' : VIOLATION_ERROR_CODE[violation?.code ?? ''] ?? 'Lambda.JsonProcessingException',
            errorMessage: o.result === 'ProcessingFailed' ? 'The Lambda function was successfully invoked and returned ProcessingFailed for this record.' : violation?.message ?? 'The response did not return this record correctly.',
            attemptsMade: attempts,
            lambdaArn: lambda.arn,
            type: 'processing-failed',
          });
        }
      }
    }
    if (!done) {
      env.log(`Firehose ${target.name}: invocation of ${resolved.functionName} failed ${attempts} times (${last?.message}); its ${inv.indexes.length} records go to the error output.`);
      for (const i of inv.indexes) failures.push({ item: items[i], errorCode: last!.code, errorMessage: last!.message, attemptsMade: attempts, lambdaArn: lambda.arn, type: 'processing-failed' });
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
      failures.push({ item: it, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'The record is not JSON, so the MetadataExtractionQuery cannot read it.', attemptsMade: 1, type: 'processing-failed' });
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
    if ('error' in r) failures.push({ item: it, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: r.error, attemptsMade: 1, type: 'processing-failed' });
    else out.push({ ...it, queryKeys: r.keys });
  });
  return out;
}

async function deliverHttp(
  target: DeliveryTarget,
  env: DeliveryEnv,
  http: HttpEndpointDestination,
  items: Item[],
  failures: Failure[],
  counts: DeliveryOutcome['counts'],
  put: (bucket: string, key: string, body: Buffer, n: number, kind: WrittenObject['kind']) => void,
  opts: { final?: boolean; signal?: AbortSignal },
): Promise<void> {
  const cfg = target.config;
  const r = await deliverToHttpEndpoint(http, items.map((it) => it.data), {
    sourceArn: target.arn,
    once: opts.final,
    signal: opts.signal,
    backoffBaseMs: env.httpBackoffBaseMs,
    timeoutMs: env.httpTimeoutMs,
  });
  if (r.ok) counts.delivered += items.length;
  else {
    env.log(`Firehose ${target.name}: delivery to ${http.Url} failed after ${r.attempts} attempts (${r.errorMessage}); ${items.length} records go to the S3 backup.`);
    for (const it of items) failures.push({ item: { ...it, raw: it.data }, errorCode: r.errorCode, errorMessage: r.errorMessage, attemptsMade: r.attempts, type: 'http-endpoint-failed' });
  }
  if (http.S3BackupMode === 'AllData') {
    const oldest = items.reduce((a, it) => Math.min(a, it.arrival), Infinity);
    const prefix = (cfg.destination.Prefix ?? '') + defaultPrefix(oldest);
    put(cfg.bucket, prefix + objectSuffix(target.name, oldest, Number(target.versionId)), Buffer.concat(items.map((it) => it.data)), items.length, 'backup');
  }
}
