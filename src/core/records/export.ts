/**
 * Exporting decoded records to JSON Lines or CSV, streamed to a Node Writable with backpressure,
 * or to a file (exportToFile: all or nothing).
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../aws/errors';
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

/**
 * One JSON Lines object: the record's fields, `data` holds the decoded JSON when there is any, else
 * the text. A CloudWatch Logs log event shown as its own row has `logEvent` (index, count); the
 * payload's bytes (`rawBase64`) are on its first row only.
 */
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
  if (r.logEvent) o.logEvent = r.logEvent;
  o.data = r.json !== undefined ? r.json : r.text;
  if (r.error) o.error = r.error;
  // The rows of one CloudWatch Logs payload share its bytes: its first row carries them.
  if (!r.logEvent || r.logEvent.index === 0) o.rawBase64 = r.rawBase64;
  return JSON.stringify(o);
}

export const CSV_COLUMNS = ['arrivalTime', 'shardId', 'sequenceNumber', 'subSequenceNumber', 'partitionKey', 'explicitHashKey', 'size', 'decodings', 'data', 'error', 'rawBase64'] as const;

/**
 * RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. A field
 * a spreadsheet would take for a formula (starting with =, +, -, @, tab or carriage return) is
 * neutralised as OWASP's "CSV Injection" page recommends: a single quote before it, and quoted.
 */
export function csvField(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  const formula = /^[=+\-@\t\r]/.test(s);
  if (formula) s = `'${s}`;
  return formula || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
    !r.logEvent || r.logEvent.index === 0 ? r.rawBase64 : '',
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

/** True for the error exportToFile (and the writers) reject with when cancelled. */
export function isExportCancelled(e: unknown): boolean {
  return (e as { name?: string })?.name === 'AbortError';
}

function fileError(e: unknown, path: string): Error {
  const code = (e as { code?: string })?.code;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'the folder does not exist',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'it is a folder',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
  };
  const reason = (code && why[code]) ?? (e instanceof Error ? e.message : String(e));
  return new UserError(`Could not export to ${path}: ${reason}. Nothing was written; choose another file or folder.`);
}

/**
 * Writes records to a file, all or nothing: into a temporary file beside the target, renamed over
 * it when complete. Cancelled (abortSignal) or failed, the temporary file is removed, the
 * descriptor closed and the target left as it was; a cancel rejects with an AbortError
 * (isExportCancelled), a failure with a UserError saying what to do.
 */
export async function exportToFile(format: ExportFormat, records: Iterable<DecodedRecord> | AsyncIterable<DecodedRecord>, path: string, opts: Omit<ExportOptions, 'end'> = {}): Promise<number> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${Date.now().toString(36)}.part`);
  const out = createWriteStream(temp, { flags: 'wx' });
  let failure: unknown;
  // An error (unwritable folder, disk full) is kept here; never an unhandled 'error' event.
  out.on('error', (e) => (failure ??= e));
  const opened = new Promise<void>((resolve, reject) => {
    out.once('ready', () => resolve());
    out.once('error', reject);
  });
  try {
    await opened;
    const n = await writeRecords(format, records, out, { ...opts, end: true });
    if (failure) throw failure;
    await rename(temp, path);
    return n;
  } catch (e) {
    out.destroy();
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await unlink(temp).catch(() => undefined);
    if (isExportCancelled(e)) throw e;
    throw fileError(failure ?? e, path);
  }
}
