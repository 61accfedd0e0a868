/**
 * Samples for a transform run: read from a stream, or from a JSON Lines file, and stored in a
 * notebook so a run is repeatable offline.
 *
 * One JSON Lines line is one record:
 * - `{ "data": "<base64>", "partitionKey", "sequenceNumber", "shardId", "arrivalTime" }` (a raw
 *   record, as stored by a notebook or exported from the inspector; `rawBase64` is accepted too);
 * - `{ "text": "..." }` for a record whose data is that text (other fields as above, optional);
 * - anything else: the line itself is the record's data (a JSON Lines file of events).
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { sleep } from '../async';
import { readAll } from '../records/reader';
import type { StartPosition } from '../records/types';
import type { SampleRecord } from './sampleRecord';
import { UserError } from '../aws/errors';

/** The JSON form of a sample record (what a notebook stores and a JSON Lines file holds). */
export interface StoredRecord {
  data: string;
  partitionKey: string;
  sequenceNumber: string;
  shardId: string;
  arrivalTime: number;
  subSequenceNumber?: number;
}

const BASE_TIME = Date.UTC(2026, 0, 1);

function syntheticSeq(i: number): string {
  // Kinesis sequence numbers are 56 digits; keep ours the same shape and ordered.
  return '4960' + String(i).padStart(52, '0');
}

export function parseSampleLine(line: string, i: number): SampleRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    v = undefined;
  }
  const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : typeof x === 'string' && x !== '' && !isNaN(Number(x)) ? Number(x) : undefined);
  let data: Buffer;
  const b64 = o && (str(o.data) ?? str(o.rawBase64));
  if (o && b64 !== undefined && ('partitionKey' in o || 'sequenceNumber' in o || 'rawBase64' in o || Object.keys(o).length === 1)) {
    data = Buffer.from(b64, 'base64');
  } else if (o && typeof o.text === 'string') {
    data = Buffer.from(o.text, 'utf8');
  } else {
    data = Buffer.from(line, 'utf8');
    return { shardId: 'shardId-000000000000', sequenceNumber: syntheticSeq(i), partitionKey: `pk-${i}`, arrivalTime: BASE_TIME + i, data };
  }
  const arrival = num(o.arrivalTime) ?? num(o.approximateArrivalTimestamp);
  return {
    shardId: str(o.shardId) ?? 'shardId-000000000000',
    sequenceNumber: str(o.sequenceNumber) ?? syntheticSeq(i),
    partitionKey: str(o.partitionKey) ?? `pk-${i}`,
    arrivalTime: arrival ?? BASE_TIME + i,
    data,
    ...(typeof o.subSequenceNumber === 'number' ? { subSequenceNumber: o.subSequenceNumber } : {}),
  };
}

export function parseJsonLines(text: string): SampleRecord[] {
  const out: SampleRecord[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    out.push(parseSampleLine(line, out.length));
  }
  return out;
}

export function toStored(r: SampleRecord): StoredRecord {
  return {
    data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
    partitionKey: r.partitionKey,
    sequenceNumber: r.sequenceNumber,
    shardId: r.shardId,
    arrivalTime: r.arrivalTime,
    ...(r.subSequenceNumber !== undefined ? { subSequenceNumber: r.subSequenceNumber } : {}),
  };
}

export function fromStored(s: StoredRecord, i: number): SampleRecord {
  return parseSampleLine(JSON.stringify(s), i);
}

export function toJsonLines(records: readonly SampleRecord[]): string {
  return records.map((r) => JSON.stringify(toStored(r))).join('\n') + (records.length ? '\n' : '');
}

export type SampleFrom = 'LATEST' | 'TRIM_HORIZON' | { atTimestamp: number | string };

export function startPosition(from: SampleFrom | undefined): StartPosition {
  if (from === undefined || from === 'TRIM_HORIZON') return { type: 'TRIM_HORIZON' };
  if (from === 'LATEST') return { type: 'LATEST' };
  const t = typeof from.atTimestamp === 'number' ? from.atTimestamp : Date.parse(from.atTimestamp);
  if (!Number.isFinite(t)) throw new UserError(`"atTimestamp" must be epoch milliseconds or an ISO date; got ${JSON.stringify(from.atTimestamp)}.`);
  return { type: 'AT_TIMESTAMP', timestamp: t };
}

/**
 * Takes up to `count` records from a stream, oldest first per shard. LATEST means "records that
 * arrive from now on": it waits (up to `timeoutMs`, 10 s by default) for `count` of them.
 */
export async function sampleFromStream(
  client: KinesisClient,
  streamName: string,
  opts: { from?: SampleFrom; count: number; signal?: AbortSignal; timeoutMs?: number },
): Promise<SampleRecord[]> {
  const from = startPosition(opts.from);
  if (from.type !== 'LATEST') {
    const records = await readAll(client, streamName, from, { until: opts.count, abortSignal: opts.signal, timeoutMs: opts.timeoutMs ?? 60_000 });
    return records.slice(0, opts.count);
  }
  // Reading at LATEST is caught up at once; poll from the moment the sample was asked for instead.
  const since: StartPosition = { type: 'AT_TIMESTAMP', timestamp: Date.now() };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let records: SampleRecord[] = [];
  while (!opts.signal?.aborted) {
    records = await readAll(client, streamName, since, { until: opts.count, abortSignal: opts.signal, timeoutMs: Math.max(1000, deadline - Date.now()) });
    if (records.length >= opts.count || Date.now() >= deadline) break;
    // Cancelling ends the wait early; the loop then sees the signal.
    await sleep(500, opts.signal).catch(() => undefined);
  }
  return records.slice(0, opts.count);
}
