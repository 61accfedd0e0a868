/**
 * One record typed by hand (the producer panel's One record tab): is its data what its format
 * says, and how large is it with its key. The webview checks as you type, the host again before
 * sending: the same function. No Node APIs (it is bundled into the webview).
 */
import { parseHashKey } from '../kinesis/hashKeys';
import { formatBytes } from '../format';
import { FIREHOSE_MAX_RECORD_BYTES, MAX_PARTITION_KEY_LENGTH, MAX_RECORD_BYTES } from './limits';

export type RecordDataFormat = 'text' | 'json' | 'base64';

const encoder = new TextEncoder();
/** A random key is a UUID: 36 characters. */
const RANDOM_KEY_LENGTH = 36;

export function utf8Length(s: string): number {
  return encoder.encode(s).byteLength;
}

/** Base64 without its whitespace, or undefined when it is not base64. */
export function cleanBase64(text: string): string | undefined {
  const clean = text.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(clean) && clean.length % 4 === 0 ? clean : undefined;
}

/** Where a record goes: a data stream (a partition key, 1 MiB with it) or a Firehose delivery stream (no key, 1,000 KiB). */
export type ProduceTargetKind = 'dataStream' | 'deliveryStream';

/**
 * The data's size in bytes, and what is wrong with it (not JSON; not base64; over the target's
 * limit: 1 MiB with the partition key for a data stream, 1,000 KiB for a delivery stream).
 */
export function recordDataProblem(text: string, format: RecordDataFormat, partitionKey = '', target: ProduceTargetKind = 'dataStream'): { problem?: string; size: number } {
  let size = utf8Length(text);
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (e) {
      return { problem: `Not valid JSON: ${(e as Error).message}`, size };
    }
  } else if (format === 'base64') {
    const clean = cleanBase64(text);
    if (clean === undefined) return { problem: 'Not valid base64.', size };
    size = Math.floor((clean.length * 3) / 4) - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
  }
  if (target === 'deliveryStream') {
    return size > FIREHOSE_MAX_RECORD_BYTES ? { problem: `${formatBytes(size)}: Firehose takes at most 1,000 KiB per record.`, size } : { size };
  }
  const total = size + (partitionKey ? utf8Length(partitionKey) : RANDOM_KEY_LENGTH);
  if (total > MAX_RECORD_BYTES) return { problem: `${formatBytes(total)} with the partition key: at most 1 MiB per record.`, size };
  return { size };
}

/** What is wrong with a partition key typed by hand (empty is allowed where a random one is used). */
export function partitionKeyProblem(key: string, allowEmpty: boolean): string | undefined {
  if (!key) return allowEmpty ? undefined : 'A partition key is required.';
  if (key.length > MAX_PARTITION_KEY_LENGTH) return `${key.length} characters: at most ${MAX_PARTITION_KEY_LENGTH} are allowed.`;
  return undefined;
}

/** What is wrong with an explicit hash key typed by hand (empty: none). */
export function explicitHashKeyProblem(v: string): string | undefined {
  if (!v.trim()) return undefined;
  if (!/^\d{1,39}$/.test(v.trim())) return 'A whole number from 0 to 2^128-1.';
  if (parseHashKey(v) === undefined) return 'Above 2^128-1 (340282366920938463463374607431768211455).';
  return undefined;
}
