/**
 * Exporting decoded records to JSON Lines or CSV, streamed to a Node Writable with backpressure.
 */
import type { Writable } from 'node:stream';
import type { DecodedRecord } from './types';

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportOptions {
  /** Called every `progressEvery` records (default 1000) and at the end with the count written. */
  onProgress?: (written: number) => void;
  progressEvery?: number;
  abortSignal?: AbortSignal;
  /** Close the stream (end()) when done. Default true. */
  end?: boolean;
}

/** One JSON Lines object: the record's fields, `data` holds the decoded JSON when there is any, else the text. */
export function toJsonLine(r: DecodedRecord): string {
  const o: Record<string, unknown> = {
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
  };
  if (r.subSequenceNumber !== undefined) o.subSequenceNumber = r.subSequenceNumber;
  o.partitionKey = r.partitionKey;
  if (r.explicitHashKey !== undefined) o.explicitHashKey = r.explicitHashKey;
  o.arrivalTime = new Date(r.arrivalTime).toISOString();
  o.size = r.size;
  o.decodings = r.decodings;
  o.data = r.json !== undefined ? r.json : r.text;
  if (r.error) o.error = r.error;
  o.rawBase64 = r.rawBase64;
  return JSON.stringify(o);
}

export const CSV_COLUMNS = ['arrivalTime', 'shardId', 'sequenceNumber', 'subSequenceNumber', 'partitionKey', 'explicitHashKey', 'size', 'decodings', 'data', 'error', 'rawBase64'] as const;

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsvRow(r: DecodedRecord): string {
  const data = r.json !== undefined && !r.cloudWatchLogs ? JSON.stringify(r.json) : r.text;
  return [
    new Date(r.arrivalTime).toISOString(),
    r.shardId,
    r.sequenceNumber,
    r.subSequenceNumber,
    r.partitionKey,
    r.explicitHashKey,
    r.size,
    r.decodings.join('+'),
    data,
    r.error,
    r.rawBase64,
  ].map(csvField).join(',');
}

async function write(out: Writable, chunk: string, signal?: AbortSignal): Promise<void> {
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const onDrain = () => (cleanup(), resolve());
    const onError = (e: Error) => (cleanup(), reject(e));
    const onClose = () => (cleanup(), reject(new Error('the output was closed before the export finished')));
    const onAbort = () => (cleanup(), reject(Object.assign(new Error('export cancelled'), { name: 'AbortError' })));
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function run(records: Iterable<DecodedRecord> | AsyncIterable<DecodedRecord>, out: Writable, header: string | undefined, line: (r: DecodedRecord) => string, opts: ExportOptions): Promise<number> {
  const every = opts.progressEvery ?? 1000;
  let n = 0;
  let buf = header ?? '';
  for await (const r of records as AsyncIterable<DecodedRecord>) {
    if (opts.abortSignal?.aborted) throw Object.assign(new Error('export cancelled'), { name: 'AbortError' });
    buf += line(r);
    n++;
    // Batch small writes: a string of about 64 KiB per write.
    if (buf.length >= 65536) {
      await write(out, buf, opts.abortSignal);
      buf = '';
    }
    if (n % every === 0) opts.onProgress?.(n);
  }
  if (buf) await write(out, buf, opts.abortSignal);
  opts.onProgress?.(n);
  if (opts.end !== false) await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return n;
}

/** Writes one JSON object per line. Resolves with the number of records written. */
export function writeJsonLines(records: Iterable<DecodedRecord> | AsyncIterable<DecodedRecord>, out: Writable, opts: ExportOptions = {}): Promise<number> {
  return run(records, out, undefined, (r) => toJsonLine(r) + '\n', opts);
}

/** Writes a header row then one row per record (CRLF line ends, as RFC 4180 says). */
export function writeCsv(records: Iterable<DecodedRecord> | AsyncIterable<DecodedRecord>, out: Writable, opts: ExportOptions = {}): Promise<number> {
  return run(records, out, CSV_COLUMNS.join(',') + '\r\n', (r) => toCsvRow(r) + '\r\n', opts);
}

export function writeRecords(format: ExportFormat, records: Iterable<DecodedRecord> | AsyncIterable<DecodedRecord>, out: Writable, opts: ExportOptions = {}): Promise<number> {
  return format === 'csv' ? writeCsv(records, out, opts) : writeJsonLines(records, out, opts);
}
