/**
 * The Firehose data-transformation contract, as AWS documents it:
 * - Firehose buffers source records (1 MB by default, 0.2 to 3 MB) and invokes the Lambda
 *   synchronously with `{ invocationId, deliveryStreamArn, region, [sourceKinesisStreamArn],
 *   records: [{ recordId, approximateArrivalTimestamp, data (base64), [kinesisRecordMetadata] }] }`.
 * - The function returns `{ records: [{ recordId, result, data, [metadata: { partitionKeys }] }] }`
 *   with every recordId of the request exactly once, `result` one of Ok, Dropped or
 *   ProcessingFailed, and `data` the transformed payload in base64.
 * - Request and response are each limited to 6 MB (Lambda synchronous invocation).
 */
import { randomUUID } from 'node:crypto';
import { isBase64, LIMITS, SampleRecord, utf8Bytes, Violation } from './sampleRecord';

export type FirehoseResult = 'Ok' | 'Dropped' | 'ProcessingFailed';
export const FIREHOSE_RESULTS: readonly FirehoseResult[] = ['Ok', 'Dropped', 'ProcessingFailed'];

export interface KinesisRecordMetadata {
  shardId: string;
  partitionKey: string;
  approximateArrivalTimestamp: number;
  sequenceNumber: string;
  subsequenceNumber: string;
}

export interface FirehoseEventRecord {
  recordId: string;
  approximateArrivalTimestamp: number;
  data: string;
  kinesisRecordMetadata?: KinesisRecordMetadata;
}

export interface FirehoseEvent {
  invocationId: string;
  deliveryStreamArn: string;
  sourceKinesisStreamArn?: string;
  region: string;
  records: FirehoseEventRecord[];
}

export interface FirehoseResponseRecord {
  recordId: string;
  result: FirehoseResult;
  data?: string;
  metadata?: { partitionKeys?: Record<string, string> };
}

export interface FirehoseEventOptions {
  region?: string;
  accountId?: string;
  deliveryStreamName?: string;
  /** The source data stream; without it the event looks like Direct PUT (no Kinesis metadata). */
  sourceStreamName?: string;
  /** Processor buffer size in bytes (Firehose BufferSizeInMBs); records are split into invocations. */
  bufferBytes?: number;
  /** For repeatable ids in tests. */
  invocationId?: () => string;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_DELIVERY_STREAM = 'local-transform';

export function deliveryStreamArn(o: FirehoseEventOptions): string {
  return `arn:aws:firehose:${o.region ?? DEFAULT_REGION}:${o.accountId ?? DEFAULT_ACCOUNT}:deliverystream/${o.deliveryStreamName ?? DEFAULT_DELIVERY_STREAM}`;
}

export function kinesisStreamArn(streamName: string, o: { region?: string; accountId?: string }): string {
  return `arn:aws:kinesis:${o.region ?? DEFAULT_REGION}:${o.accountId ?? DEFAULT_ACCOUNT}:stream/${streamName}`;
}

/**
 * Record ids Firehose sends for a Kinesis source look like the sequence number followed by
 * digits; all that matters to the contract is that each is unique within the invocation.
 */
function recordIds(records: readonly SampleRecord[]): string[] {
  const seen = new Set<string>();
  return records.map((r, i) => {
    let id = `${r.sequenceNumber || '0'}${String(r.subSequenceNumber ?? 0).padStart(12, '0')}`;
    if (seen.has(id)) id = `${id}${String(i).padStart(6, '0')}`;
    seen.add(id);
    return id;
  });
}

/** One invocation of the transform: its event and which sample records (by index) it carries. */
export interface FirehoseInvocation {
  event: FirehoseEvent;
  /** Sample index of each event record, in order. */
  indexes: number[];
  /** The event's size as JSON (what Lambda counts against its 6 MB request limit), counted when it was built. */
  requestBytes?: number;
}

/** Printable ASCII but `"` and `\\`: written by JSON.stringify as it is, between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const strBytes = (s: string) => (PLAIN.test(s) ? s.length + 2 : utf8Bytes(JSON.stringify(s)));
const numBytes = (x: number) => JSON.stringify(x).length;
const RECORD_KEYS = '{"recordId":,"approximateArrivalTimestamp":,"data":}'.length;
const METADATA_KEYS = ',"kinesisRecordMetadata":{"shardId":,"partitionKey":,"approximateArrivalTimestamp":,"sequenceNumber":,"subsequenceNumber":}'.length;

/**
 * Byte length of JSON.stringify(event), counted field by field (the record shape is
 * firehoseEventRecord's) rather than by writing it out: checking each response used to serialize
 * its whole event again, most of the checks' time on 1 MB invocations. A test holds the count to
 * JSON.stringify's.
 */
export function eventJsonBytes(event: FirehoseEvent): number {
  let n = utf8Bytes(JSON.stringify({ ...event, records: [] })) + Math.max(0, event.records.length - 1);
  for (const r of event.records) {
    // base64 needs no escaping.
    n += RECORD_KEYS + strBytes(r.recordId) + numBytes(r.approximateArrivalTimestamp) + r.data.length + 2;
    const m = r.kinesisRecordMetadata;
    if (m) n += METADATA_KEYS + strBytes(m.shardId) + strBytes(m.partitionKey) + numBytes(m.approximateArrivalTimestamp) + strBytes(m.sequenceNumber) + strBytes(m.subsequenceNumber);
  }
  return n;
}

/** Builds the events Firehose would send for these records, split by the processor buffer size. */
export function buildFirehoseInvocations(records: readonly SampleRecord[], o: FirehoseEventOptions = {}): FirehoseInvocation[] {
  const buffer = Math.min(o.bufferBytes ?? LIMITS.defaultFirehoseBufferBytes, LIMITS.maxFirehoseBufferBytes);
  const ids = recordIds(records);
  const out: FirehoseInvocation[] = [];
  let batch: { rec: FirehoseEventRecord; index: number }[] = [];
  let size = 0;
  const flush = () => {
    if (!batch.length) return;
    const event = firehoseEvent(batch.map((b) => b.rec), o);
    out.push({ event, indexes: batch.map((b) => b.index), requestBytes: eventJsonBytes(event) });
    batch = [];
    size = 0;
  };
  records.forEach((r, i) => {
    const bytes = r.data.byteLength;
    if (batch.length && size + bytes > buffer) flush();
    batch.push({ rec: firehoseEventRecord(r, ids[i], o.sourceStreamName !== undefined), index: i });
    size += bytes;
  });
  flush();
  return out;
}

/** The single event for a set of records (no buffering split). */
export function buildFirehoseEvent(records: readonly SampleRecord[], o: FirehoseEventOptions = {}): FirehoseEvent {
  const ids = recordIds(records);
  return firehoseEvent(records.map((r, i) => firehoseEventRecord(r, ids[i], o.sourceStreamName !== undefined)), o);
}

function firehoseEvent(records: FirehoseEventRecord[], o: FirehoseEventOptions): FirehoseEvent {
  const event: FirehoseEvent = {
    invocationId: o.invocationId?.() ?? randomUUID(),
    deliveryStreamArn: deliveryStreamArn(o),
    region: o.region ?? DEFAULT_REGION,
    records,
  };
  if (o.sourceStreamName !== undefined) {
    // Key order as Firehose sends it: the source ARN comes before region and records.
    return {
      invocationId: event.invocationId,
      deliveryStreamArn: event.deliveryStreamArn,
      sourceKinesisStreamArn: kinesisStreamArn(o.sourceStreamName, o),
      region: event.region,
      records,
    };
  }
  return event;
}

function firehoseEventRecord(r: SampleRecord, recordId: string, fromStream: boolean): FirehoseEventRecord {
  const rec: FirehoseEventRecord = {
    recordId,
    approximateArrivalTimestamp: r.arrivalTime,
    data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
  };
  if (fromStream) {
    rec.kinesisRecordMetadata = {
      shardId: r.shardId,
      partitionKey: r.partitionKey,
      approximateArrivalTimestamp: r.arrivalTime,
      sequenceNumber: r.sequenceNumber,
      subsequenceNumber: r.subSequenceNumber === undefined ? '' : String(r.subSequenceNumber),
    };
  }
  return rec;
}

/** One input record after the transform, as the validator understood the response. */
export interface FirehoseOutcome {
  recordId: string;
  /** Index in the sample. */
  index: number;
  /** undefined when the response did not mention the record (a violation). */
  result?: FirehoseResult | string;
  /** The decoded output bytes, when `data` was valid base64. */
  output?: Buffer;
  /** What came back as `data` when it was not valid base64 (a string), to show it. */
  invalidData?: string;
  partitionKeys?: Record<string, string>;
}

export interface FirehoseValidation {
  violations: Violation[];
  /** One per event record, in event order. */
  outcomes: FirehoseOutcome[];
  /** Ok records in the order the response returned them: what Firehose delivers. */
  delivered: FirehoseOutcome[];
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/**
 * Checks a transform response against the event it answers.
 * @param responseJson the response as the function serialized it (its size is checked against 6 MB)
 */
export function validateFirehoseResponse(
  inv: FirehoseInvocation,
  response: unknown,
  opts: { responseBytes?: number; invocation?: number; requiredPartitionKeys?: readonly string[] } = {},
): FirehoseValidation {
  const { event, indexes } = inv;
  const violations: Violation[] = [];
  const invocation = opts.invocation;
  const add = (v: Omit<Violation, 'severity' | 'invocation'> & { severity?: Violation['severity'] }) =>
    violations.push({ severity: 'error', ...v, ...(invocation === undefined ? {} : { invocation }) });
  const byId = new Map<string, number>();
  event.records.forEach((r, i) => byId.set(r.recordId, i));
  const outcomes: FirehoseOutcome[] = event.records.map((r, i) => ({ recordId: r.recordId, index: indexes[i] }));
  const delivered: FirehoseOutcome[] = [];

  if (opts.responseBytes !== undefined && opts.responseBytes > LIMITS.maxPayloadBytes) {
    add({
      code: 'response-too-large',
      message: `The response is ${(opts.responseBytes / 1048576).toFixed(2)} MB; Lambda returns at most 6 MB to Firehose, so the whole batch fails.`,
    });
  }
  const requestBytes = inv.requestBytes ?? utf8Bytes(JSON.stringify(event));
  if (requestBytes > LIMITS.maxPayloadBytes) {
    add({ code: 'request-too-large', severity: 'warning', message: `The event is ${(requestBytes / 1048576).toFixed(2)} MB, over the 6 MB Lambda request limit; lower the buffer size.` });
  }

  const records = (response as { records?: unknown } | null)?.records;
  if (typeof response !== 'object' || response === null || !Array.isArray(records)) {
    add({
      code: 'response-shape',
      message: `The handler must return { records: [...] }; it returned ${describeValue(response)}${typeof response === 'object' && response !== null ? ' without a records array' : ''}.`,
    });
    for (const o of outcomes) {
      add({ code: 'missing-record', recordId: o.recordId, recordIndex: o.index, message: `Record ${o.index + 1} (recordId ${o.recordId}) is not in the response.` });
    }
    return { violations, outcomes, delivered };
  }

  const answered = new Set<string>();
  records.forEach((raw: unknown, ri: number) => {
    const where = `response record ${ri + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      add({ code: 'record-shape', message: `${where} is ${describeValue(raw)}, not an object with recordId, result and data.` });
      return;
    }
    const r = raw as Record<string, unknown>;
    const id = r.recordId;
    if (typeof id !== 'string' || id === '') {
      add({ code: 'missing-record-id', message: `${where} has no recordId (${describeValue(id)}); every record must return the recordId it was given.` });
      return;
    }
    const ei = byId.get(id);
    if (ei === undefined) {
      add({ code: 'unknown-record-id', recordId: id, message: `${where} has recordId ${id}, which is not in the event (an extra or altered recordId).` });
      return;
    }
    const outcome = outcomes[ei];
    const at = { recordId: id, recordIndex: outcome.index };
    if (answered.has(id)) {
      add({ code: 'duplicate-record-id', ...at, message: `Record ${outcome.index + 1} (recordId ${id}) appears more than once in the response (again at ${where}).` });
      return;
    }
    answered.add(id);
    const result = r.result;
    outcome.result = typeof result === 'string' ? result : undefined;
    if (!FIREHOSE_RESULTS.includes(result as FirehoseResult)) {
      add({ code: 'invalid-result', ...at, message: `Record ${outcome.index + 1} has result ${describeValue(result)}; it must be "Ok", "Dropped" or "ProcessingFailed" (case matters).` });
    }
    if (r.data === undefined || r.data === null) {
      if (result === 'Ok') add({ code: 'missing-data', ...at, message: `Record ${outcome.index + 1} is Ok but has no data.` });
    } else if (!isBase64(r.data)) {
      add({
        code: 'invalid-base64',
        ...at,
        message: `Record ${outcome.index + 1} has data that is not base64 (${describeValue(r.data)}); encode the output, e.g. Buffer.from(text).toString('base64').`,
      });
      outcome.invalidData = typeof r.data === 'string' ? r.data : JSON.stringify(r.data);
    } else {
      outcome.output = Buffer.from(r.data as string, 'base64');
    }
    if (r.metadata !== undefined) {
      const m = r.metadata as { partitionKeys?: unknown } | null;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) {
        add({ code: 'invalid-metadata', ...at, message: `Record ${outcome.index + 1} has metadata ${describeValue(m)}; it must be an object { partitionKeys: {...} }.` });
      } else if (m.partitionKeys !== undefined) {
        const pk = m.partitionKeys;
        if (typeof pk !== 'object' || pk === null || Array.isArray(pk)) {
          add({ code: 'invalid-partition-keys', ...at, message: `Record ${outcome.index + 1} has metadata.partitionKeys ${describeValue(pk)}; it must be an object of key names to string values.` });
        } else {
          const bad = Object.entries(pk).filter(([k, v]) => typeof v !== 'string' || k === '');
          if (bad.length) {
            add({
              code: 'invalid-partition-keys',
              ...at,
              message: `Record ${outcome.index + 1} has partition key ${bad.map(([k, v]) => `${JSON.stringify(k)}: ${describeValue(v)}`).join(', ')}; partition key values must be strings.`,
            });
          }
          outcome.partitionKeys = Object.fromEntries(Object.entries(pk).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]));
        }
      }
    }
    if (result === 'Ok' && opts.requiredPartitionKeys?.length) {
      const missing = opts.requiredPartitionKeys.filter((k) => outcome.partitionKeys?.[k] === undefined);
      if (missing.length) {
        add({
          code: 'missing-partition-key',
          ...at,
          message: `Record ${outcome.index + 1} is Ok but lacks partition key ${missing.map((k) => JSON.stringify(k)).join(', ')} that the S3 prefix uses; Firehose sends it to the error prefix.`,
        });
      }
    }
    if (result === 'Ok' && outcome.output) delivered.push(outcome);
  });
  for (const o of outcomes) {
    if (!answered.has(o.recordId)) {
      add({ code: 'missing-record', recordId: o.recordId, recordIndex: o.index, message: `Record ${o.index + 1} (recordId ${o.recordId}) is missing from the response.` });
    }
  }
  return { violations, outcomes, delivered };
}
