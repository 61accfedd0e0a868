/**
 * One transform run, end to end and without VS Code: build the events Firehose (or Lambda's
 * Kinesis event source) would send for a sample, run the handler isolated, check each response
 * against the contract, and work out what would be delivered. The notebook and the CLI both
 * render the report this returns; it is plain JSON.
 */
import { decodeRecord } from '../records/decoders';
import {
  buildFirehoseInvocations,
  DEFAULT_DELIVERY_STREAM,
  FirehoseOutcome,
  validateFirehoseResponse,
} from './firehoseContract';
import { buildKinesisInvocations, validateKinesisResponse } from './lambdaKinesisContract';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, FailureKind, InvokeOutcome, LogLine, runHandler, RunFailure } from './runner';
import type { StaticCredentials } from '../aws/connection';
import type { HandlerSource } from './compile';
import { evaluatePrefix, lambdaKeysInPrefix, planDelivery, PrefixError } from './s3Key';
import { SampleRecord, Violation, ViolationCode } from './sampleRecord';
import type { WarmHandlers } from './warmHandlers';

export type TransformMode = 'firehose' | 'lambda-kinesis';

export interface TransformRequest {
  handler: HandlerSource;
  /** How to name the handler in the report (default: its path or cell label). */
  handlerLabel?: string;
  records: readonly SampleRecord[];
  mode?: TransformMode;
  /** The source data stream (Firehose: sourceKinesisStreamArn and kinesisRecordMetadata). */
  streamName?: string;
  region?: string;
  deliveryStreamName?: string;
  /** S3 prefix expression; the default is Firehose's `YYYY/MM/dd/HH/`. */
  prefix?: string;
  /** Firehose processor buffer (bytes); the sample is split into invocations by it. */
  bufferBytes?: number;
  /** Lambda Kinesis batch size. */
  batchSize?: number;
  timeoutMs?: number;
  /** For loading the handler's module (default: Lambda's 10 s init limit). */
  initTimeoutMs?: number;
  memoryMb?: number;
  /** AWS keys the handler gets in its environment; none unless the user asked for them. */
  credentials?: StaticCredentials;
  signal?: AbortSignal;
  cwd?: string;
  /** Longest text kept per input/output cell of the report. */
  maxTextChars?: number;
  /** Reuse a warm child for an unchanged handler (the notebook keeps one pool per session). */
  warm?: WarmHandlers;
}

export interface RecordRow {
  index: number;
  /** Firehose recordId, or the sequence number in Lambda Kinesis mode. */
  recordId: string;
  partitionKey: string;
  input: string;
  inputBytes: number;
  /** Ok | Dropped | ProcessingFailed | (invalid value) | Missing | InvocationFailed; Lambda: Success | Failed | Retried. */
  result: string;
  output?: string;
  outputBytes?: number;
  partitionKeys?: Record<string, string>;
  /** The S3 key prefix the record would be delivered under (Firehose, Ok records). */
  s3Prefix?: string;
  violations: number;
}

export interface DeliveredObjectSummary {
  key: string;
  prefix: string;
  records: number;
  bytes: number;
  /** The object's content as text (cut at maxTextChars × 8). */
  text: string;
}

export interface TransformReport {
  mode: TransformMode;
  handler: string;
  records: number;
  invocations: number;
  rows: RecordRow[];
  violations: Violation[];
  counts: Record<string, number>;
  delivery?: { objects: DeliveredObjectSummary[]; prefix: string; bytes: number; errorRecords: number };
  logs: LogLine[];
  timings: { compileMs: number; startMs: number; handlerMs: number; totalMs: number; firstOutputMs?: number };
  /** Set when the run ended early (compile error, timeout, memory, exit, cancel). */
  failure?: RunFailure;
}

const FAILURE_CODE: Record<FailureKind, ViolationCode> = {
  compile: 'handler-load',
  load: 'handler-load',
  error: 'handler-error',
  'too-large': 'response-too-large',
  timeout: 'handler-timeout',
  memory: 'handler-memory',
  exit: 'handler-exit',
  crash: 'handler-crash',
  cancelled: 'cancelled',
};

/** Text for a table cell: decoded like the inspector does (gzip, CloudWatch Logs, KPL), JSON on one line. */
export function displayText(data: Uint8Array, max = 2000): string {
  let text: string;
  try {
    const d = decodeRecord({ shardId: '', sequenceNumber: '', partitionKey: '', arrivalTime: 0, data });
    if (d.length > 1) text = `(KPL aggregate of ${d.length} records) ` + d.map((x) => x.text).join(' | ');
    else {
      const one = d[0];
      text = one.json !== undefined && !one.cloudWatchLogs ? JSON.stringify(one.json) : one.text;
      if (one.decodings.length && !['text', 'json'].includes(one.decodings[0])) text = `[${one.decodings.join('→')}] ${text}`;
    }
  } catch {
    text = Buffer.from(data).toString('utf8');
  }
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export async function runTransform(req: TransformRequest): Promise<TransformReport> {
  const t0 = Date.now();
  const mode = req.mode ?? 'firehose';
  const max = req.maxTextChars ?? 2000;
  const records = req.records;
  const violations: Violation[] = [];
  const rows: RecordRow[] = records.map((r, i) => ({
    index: i,
    recordId: r.sequenceNumber,
    partitionKey: r.partitionKey,
    input: displayText(r.data, max),
    inputBytes: r.data.byteLength,
    result: 'Missing',
    violations: 0,
  }));
  const deliveryStreamName = req.deliveryStreamName ?? DEFAULT_DELIVERY_STREAM;

  const requiredKeys = lambdaKeysInPrefix(req.prefix);
  if (mode === 'firehose' && req.prefix) {
    try {
      evaluatePrefix(req.prefix, {
        timestamp: Date.now(),
        partitionKeysFromLambda: new Proxy({}, { get: () => 'x' }),
        partitionKeysFromQuery: new Proxy({}, { get: () => 'x' }),
      });
    } catch (e) {
      if (e instanceof PrefixError) violations.push({ code: 'invalid-prefix', severity: 'error', message: e.message });
      else throw e;
    }
  }

  const fh = mode === 'firehose' ? buildFirehoseInvocations(records, { sourceStreamName: req.streamName, region: req.region, deliveryStreamName, bufferBytes: req.bufferBytes }) : [];
  const lk = mode === 'lambda-kinesis' ? buildKinesisInvocations(records, { streamName: req.streamName, region: req.region, batchSize: req.batchSize }) : [];
  const events = mode === 'firehose' ? fh.map((i) => i.event) : lk.map((i) => i.event);
  const indexesOf = (i: number) => (mode === 'firehose' ? fh[i].indexes : lk[i].indexes);
  if (mode === 'firehose') fh.forEach((inv) => inv.event.records.forEach((r, k) => (rows[inv.indexes[k]].recordId = r.recordId)));

  let firstOutputMs: number | undefined;
  let handlerMs = 0;
  const delivered: FirehoseOutcome[] = [];
  const onInvocation = (i: number, outcome: InvokeOutcome) => {
    firstOutputMs ??= Date.now() - t0;
    handlerMs += outcome.durationMs;
    const indexes = indexesOf(i);
    if (!outcome.ok) {
      const f = outcome.failure;
      violations.push({ code: FAILURE_CODE[f.kind], severity: 'error', message: f.message, invocation: i, ...(f.stack ? { stack: f.stack } : {}) });
      for (const ix of indexes) rows[ix].result = 'InvocationFailed';
      return;
    }
    if (mode === 'firehose') {
      const v = validateFirehoseResponse(fh[i], outcome.response, { responseBytes: outcome.responseBytes, invocation: i, requiredPartitionKeys: requiredKeys });
      violations.push(...v.violations);
      const batchFailed = v.violations.some((x) => x.code === 'response-too-large' || x.code === 'response-shape');
      for (const o of v.outcomes) {
        const row = rows[o.index];
        row.result = batchFailed ? 'InvocationFailed' : o.result ?? 'Missing';
        if (o.output) {
          row.output = displayText(o.output, max);
          row.outputBytes = o.output.byteLength;
        }
        if (o.invalidData !== undefined) row.output = `(not base64) ${o.invalidData.length > max ? o.invalidData.slice(0, max - 1) + '…' : o.invalidData}`;
        if (o.partitionKeys) row.partitionKeys = o.partitionKeys;
      }
      if (!batchFailed) delivered.push(...v.delivered);
    } else {
      const v = validateKinesisResponse(lk[i], outcome.response, { responseBytes: outcome.responseBytes, invocation: i });
      violations.push(...v.violations);
      for (const o of v.outcomes) rows[o.index].result = o.failed ? 'Failed' : o.retried ? 'Retried' : 'Success';
    }
  };

  const run = await runHandler(req.handler, events, {
    timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    initTimeoutMs: req.initTimeoutMs,
    memoryMb: req.memoryMb ?? DEFAULT_MEMORY_MB,
    credentials: req.credentials,
    signal: req.signal,
    cwd: req.cwd,
    region: req.region,
    warm: req.warm,
    onInvocation,
  });
  if (run.failure) {
    violations.push({ code: FAILURE_CODE[run.failure.kind], severity: 'error', message: run.failure.message, ...(run.failure.stack ? { stack: run.failure.stack } : {}) });
  }
  // Invocations after one that ended the process never ran.
  for (let i = run.outcomes.length; i < events.length; i++) for (const ix of indexesOf(i)) rows[ix].result = 'NotRun';

  for (const v of violations) if (v.recordIndex !== undefined) rows[v.recordIndex].violations++;

  let delivery: TransformReport['delivery'];
  if (mode === 'firehose') {
    const inputs = delivered
      .filter((o) => !(requiredKeys.length && requiredKeys.some((k) => o.partitionKeys?.[k] === undefined)))
      .map((o) => ({ recordIndex: o.index, arrivalTime: records[o.index].arrivalTime, output: o.output!, partitionKeys: o.partitionKeys }));
    let objects: DeliveredObjectSummary[] = [];
    let errorRecords = rows.filter((r) => r.result === 'ProcessingFailed' || r.result === 'InvocationFailed').length;
    if (!violations.some((v) => v.code === 'invalid-prefix')) {
      const plan = planDelivery(inputs, { prefix: req.prefix, deliveryStreamName });
      errorRecords += plan.failed.length;
      objects = plan.objects.map((o) => {
        for (const ix of o.recordIndexes) rows[ix].s3Prefix = o.prefix;
        const text = o.data.subarray(0, max * 8).toString('utf8');
        return { key: o.key, prefix: o.prefix, records: o.recordIndexes.length, bytes: o.data.byteLength, text };
      });
    }
    delivery = { objects, prefix: req.prefix || 'YYYY/MM/dd/HH/ (default)', bytes: objects.reduce((n, o) => n + o.bytes, 0), errorRecords };
  }

  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.result] = (counts[r.result] ?? 0) + 1;
  return {
    mode,
    handler: req.handlerLabel ?? (req.handler.kind === 'file' ? req.handler.path + (req.handler.exportName && req.handler.exportName !== 'handler' ? '#' + req.handler.exportName : '') : req.handler.label),
    records: records.length,
    invocations: events.length,
    rows,
    violations,
    counts,
    ...(delivery ? { delivery } : {}),
    logs: run.logs,
    timings: { compileMs: run.compileMs, startMs: run.startMs, handlerMs: Math.round(handlerMs), totalMs: Date.now() - t0, ...(firstOutputMs !== undefined ? { firstOutputMs } : {}) },
    ...(run.failure ? { failure: run.failure } : {}),
    ...(!run.failure && run.outcomes.find((o) => !o.ok) ? { failure: (run.outcomes.find((o) => !o.ok) as { failure: RunFailure }).failure } : {}),
  };
}

/** Errors (not warnings) make a CI run fail. */
export function hasErrors(report: TransformReport): boolean {
  return report.violations.some((v) => v.severity === 'error');
}
