/**
 * Records from a file, streamed from disk (never read whole):
 * - JSON Lines: one record per non-empty line, the line's bytes as the data (node:readline).
 * - A JSON array: one record per element (stream-json's streaming parser).
 * - CSV: one record per row as a JSON object keyed by the header (csv-parse).
 * - Text lines: one record per non-empty line, as is.
 * - Undelivered: the JSON Lines file the producer writes for records it could not deliver.
 * A malformed line becomes an InputProblem with its line number; the engine skips it or stops.
 * No vscode here.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { UserError } from '../aws/errors';
import { fieldValue, PartitionKeySpec } from './partitionKey';
import { fromUndelivered, InputProblem, randomPartitionKey, SourceItem, UndeliveredRecord, utf8 } from './records';

export type FileFormat = 'jsonl' | 'json' | 'csv' | 'text' | 'undelivered';

export const FILE_FORMATS: { id: FileFormat; label: string }[] = [
  { id: 'jsonl', label: 'JSON Lines (one JSON value per line)' },
  { id: 'json', label: 'JSON array (one record per element)' },
  { id: 'csv', label: 'CSV with a header row (one record per row, sent as JSON)' },
  { id: 'text', label: 'Text (one record per line)' },
  { id: 'undelivered', label: 'Undelivered records saved by the producer' },
];

export interface FileSourceOptions {
  path: string;
  /** Guessed from the extension when absent. */
  format?: FileFormat;
  /** Not used for 'undelivered' files, which carry their keys. Default random. */
  partitionKey?: PartitionKeySpec;
  /** CSV: the delimiter (default ","). */
  delimiter?: string;
  /** CSV: turn numeric cells into numbers (default true). */
  castNumbers?: boolean;
}

export function guessFormat(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return /undelivered/i.test(path) ? 'undelivered' : 'jsonl';
  if (ext === '.json') return 'json';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  return 'text';
}

class KeyPicker {
  constructor(private readonly spec: PartitionKeySpec) {
    if (spec.type === 'template') throw new UserError('A file takes its partition key from a field, a fixed key or a random key.');
    if (spec.type === 'fixed' && !spec.value) throw new UserError('The fixed partition key is empty.');
    if (spec.type === 'field' && !spec.field) throw new UserError('Name the field that holds the partition key.');
  }
  get needsValue(): boolean {
    return this.spec.type === 'field';
  }
  /** The key, or a problem message when the field is missing. */
  pick(value: unknown): { key: string } | { error: string } {
    switch (this.spec.type) {
      case 'fixed':
        return { key: this.spec.value };
      case 'field': {
        const v = fieldValue(value, this.spec.field);
        return v === undefined || v === '' ? { error: `no value in the field "${this.spec.field}" for the partition key.` } : { key: v };
      }
      default:
        return { key: randomPartitionKey() };
    }
  }
}

/** Checks the file is there and readable before a run starts. */
export async function checkFile(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UserError(`${path} is not a file.`);
    return s.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`);
  }
}

export async function* fileSource(options: FileSourceOptions): AsyncGenerator<SourceItem> {
  await checkFile(options.path);
  const format = options.format ?? guessFormat(options.path);
  const keys = new KeyPicker(options.partitionKey ?? { type: 'random' });
  switch (format) {
    case 'jsonl':
    case 'text':
    case 'undelivered':
      yield* lineSource(options.path, format, keys);
      return;
    case 'json':
      yield* jsonArraySource(options.path, keys);
      return;
    case 'csv':
      yield* csvSource(options, keys);
      return;
    default:
      throw new UserError(`Unknown file format "${format as string}".`);
  }
}

async function* lineSource(path: string, format: 'jsonl' | 'text' | 'undelivered', keys: KeyPicker): AsyncGenerator<SourceItem> {
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (!line.trim()) continue;
      const origin = `line ${lineNo}`;
      if (format === 'text') {
        const k = keys.pick(undefined);
        if ('error' in k) yield { problem: { origin, message: k.error } };
        else yield { record: { data: utf8(line), partitionKey: k.key, origin } };
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        yield { problem: { origin, message: `not valid JSON (${(e as Error).message}).` } };
        continue;
      }
      if (format === 'undelivered') {
        const u = value as Partial<UndeliveredRecord>;
        if (!u || typeof u !== 'object' || typeof u.partitionKey !== 'string' || typeof u.data !== 'string') {
          yield { problem: { origin, message: 'not an undelivered record (it needs "partitionKey" and base64 "data").' } };
          continue;
        }
        yield { record: fromUndelivered(u as UndeliveredRecord, origin) };
        continue;
      }
      const k = keys.pick(value);
      if ('error' in k) yield { problem: { origin, message: k.error } };
      else yield { record: { data: utf8(line), partitionKey: k.key, origin } };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

async function* jsonArraySource(path: string, keys: KeyPicker): AsyncGenerator<SourceItem> {
  // stream-json is CommonJS; loaded here so the rest of the module does not depend on it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parser } = require('stream-json') as typeof import('stream-json');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { streamArray } = require('stream-json/streamers/StreamArray') as typeof import('stream-json/streamers/StreamArray');
  const input = createReadStream(path);
  const p = parser();
  const arr = streamArray();
  // A file or syntax error ends the array stream gracefully, so the elements before it still
  // come out; the error is reported after them (a JSON array cannot be read past it).
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    input.unpipe(p);
    p.unpipe(arr);
    arr.end();
  };
  input.on('error', fail);
  p.on('error', fail);
  arr.on('error', fail);
  input.pipe(p).pipe(arr);
  let index = 0;
  try {
    for await (const item of arr as AsyncIterable<{ key: number; value: unknown }>) {
      index = item.key + 1;
      const origin = `element ${index}`;
      const k = keys.pick(item.value);
      if ('error' in k) yield { problem: { origin, message: k.error } };
      else yield { record: { data: utf8(JSON.stringify(item.value)), partitionKey: k.key, origin } };
    }
  } catch (e) {
    failure ??= e as Error;
  }
  try {
    if (failure) {
      const problem: InputProblem = {
        origin: `after element ${index}`,
        message: `the JSON array is malformed (${failure.message}); the rest of the file cannot be read.`,
      };
      yield { problem };
    }
  } finally {
    input.destroy();
    p.destroy();
    arr.destroy();
  }
}

async function* csvSource(options: FileSourceOptions, keys: KeyPicker): AsyncGenerator<SourceItem> {
  const skipped: InputProblem[] = [];
  const csv = parseCsv({
    columns: true,
    bom: true,
    delimiter: options.delimiter ?? (extname(options.path).toLowerCase() === '.tsv' ? '\t' : ','),
    cast: options.castNumbers ?? true,
    cast_date: false,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (e) => {
      const line = (e as { lines?: number } | undefined)?.lines;
      skipped.push({ origin: line ? `line ${line}` : 'a row', message: `malformed CSV (${e?.message ?? 'unreadable row'}).` });
      return undefined;
    },
  });
  const input = createReadStream(options.path);
  input.on('error', (e) => csv.destroy(e));
  input.pipe(csv);
  try {
    for await (const item of csv as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
      while (skipped.length) yield { problem: skipped.shift()! };
      const origin = `line ${item.info.lines}`;
      const k = keys.pick(item.record);
      if ('error' in k) yield { problem: { origin, message: k.error } };
      else yield { record: { data: utf8(JSON.stringify(item.record)), partitionKey: k.key, origin } };
    }
    while (skipped.length) yield { problem: skipped.shift()! };
  } finally {
    input.destroy();
    csv.destroy();
  }
}

/** Writes undelivered records as JSON Lines, which `fileSource({format: 'undelivered'})` re-sends. */
export async function writeUndelivered(path: string, records: Iterable<UndeliveredRecord> | AsyncIterable<UndeliveredRecord>): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  let n = 0;
  try {
    for await (const r of records) {
      n++;
      if (!out.write(JSON.stringify(r) + '\n')) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return n;
}
