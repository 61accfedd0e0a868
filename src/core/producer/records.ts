/**
 * What the producer sends and the limits Kinesis puts on it. No vscode here.
 */
import { randomUUID } from 'node:crypto';
import { MAX_HASH_KEY } from '../kinesis/hashKeys';
import { MAX_PARTITION_KEY_LENGTH, MAX_RECORD_BYTES } from './limits';
import { formatBytes } from '../format';

/** One record to put. */
export interface ProduceRecord {
  data: Uint8Array;
  partitionKey: string;
  explicitHashKey?: string;
  /** Where it came from, for messages: "line 12", "record 40". */
  origin?: string;
}

/** A source yields records, or a problem found in its input (a malformed line) that the engine reports. */
export type SourceItem = { record: ProduceRecord } | { problem: InputProblem };

export interface InputProblem {
  /** "line 7", "row 3", "record 12" */
  origin: string;
  message: string;
}

export { MAX_BYTES_PER_CALL, MAX_PARTITION_KEY_LENGTH, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from './limits';

const encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Size a record counts for against the 1 MiB and 5 MiB limits: data plus the partition key's UTF-8 bytes. */
export function recordSize(r: ProduceRecord): number {
  return r.data.byteLength + Buffer.byteLength(r.partitionKey, 'utf8');
}

export function randomPartitionKey(): string {
  return randomUUID();
}

/** The first problem with a record, in words, or undefined when Kinesis will take it. */
export function recordProblem(r: ProduceRecord): string | undefined {
  const where = r.origin ? `${r.origin}: ` : '';
  if (typeof r.partitionKey !== 'string' || r.partitionKey.length === 0) {
    return `${where}the partition key is empty; Kinesis needs 1 to ${MAX_PARTITION_KEY_LENGTH} characters.`;
  }
  if (r.partitionKey.length > MAX_PARTITION_KEY_LENGTH) {
    return `${where}the partition key has ${r.partitionKey.length} characters; at most ${MAX_PARTITION_KEY_LENGTH} are allowed.`;
  }
  if (r.explicitHashKey !== undefined && r.explicitHashKey !== '') {
    const text = r.explicitHashKey.trim();
    if (!/^\d{1,39}$/.test(text) || BigInt(text) > MAX_HASH_KEY) {
      return `${where}the explicit hash key "${truncate(r.explicitHashKey, 50)}" is not a whole number from 0 to 2^128-1 (${MAX_HASH_KEY}).`;
    }
  }
  const size = recordSize(r);
  if (size > MAX_RECORD_BYTES) {
    return `${where}the record is ${formatBytes(size)} with its partition key; Kinesis takes at most 1 MiB (${MAX_RECORD_BYTES} bytes) per record.`;
  }
  return undefined;
}

export function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export { formatBytes } from '../format';

/** A record that could not be delivered, as one line of a JSON Lines file that can be re-sent. */
export interface UndeliveredRecord {
  partitionKey: string;
  explicitHashKey?: string;
  /** base64 */
  data: string;
  /** Why, in words (the last error code and message). */
  error: string;
  attempts: number;
  origin?: string;
}

export function toUndelivered(r: ProduceRecord, error: string, attempts: number): UndeliveredRecord {
  return {
    partitionKey: r.partitionKey,
    ...(r.explicitHashKey ? { explicitHashKey: r.explicitHashKey } : {}),
    data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
    error,
    attempts,
    ...(r.origin ? { origin: r.origin } : {}),
  };
}

export function fromUndelivered(u: UndeliveredRecord, origin?: string): ProduceRecord {
  return {
    partitionKey: u.partitionKey,
    explicitHashKey: u.explicitHashKey,
    data: Buffer.from(u.data, 'base64'),
    origin: origin ?? u.origin,
  };
}
