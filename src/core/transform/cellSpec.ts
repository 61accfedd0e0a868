/**
 * What a transform-notebook cell asks for, read from its language and text:
 * - JSON `{ "sample": { "stream": "orders", "connection": "local", "from": "TRIM_HORIZON", "count": 500, "store": true } }`
 *   or `{ "sample": { "file": "./samples/orders.jsonl" } }` or `{ "sample": { "stored": true } }`: a sample cell;
 * - JSON `{ "handler": "./src/transform.ts#handler", "mode": "firehose", "prefix": "...", "timeoutMs": 60000 }`: a transform
 *   cell running a handler file from the workspace;
 * - JavaScript or TypeScript defining `handler`: a transform cell running that code. Options go in
 *   comment lines such as `// mode: lambda-kinesis`, `// prefix: logs/!{partitionKeyFromLambda:app}/`,
 *   `// timeout: 5000`, `// memory: 256`, `// export: transform`, `// credentials: true`.
 *
 * The handler gets no AWS credentials unless the cell asks: `"credentials": true` passes those of
 * the sample's connection, `"credentials": "<connection id>"` those of another connection.
 */
import type { TransformMode } from './engine';
import type { SampleFrom } from './sample';

export interface TransformOptions {
  mode: TransformMode;
  prefix?: string;
  timeoutMs?: number;
  memoryMb?: number;
  deliveryStreamName?: string;
  bufferBytes?: number;
  batchSize?: number;
  /** Pass AWS credentials to the handler: `true` for the sample's connection, or a connection id. */
  credentials?: true | string;
}

export type SampleSource =
  | { type: 'stream'; stream: string; connection: string; from: SampleFrom; count: number }
  | { type: 'file'; file: string; count?: number }
  | { type: 'stored' };

export type CellSpec =
  | { kind: 'sample'; source: SampleSource; store: boolean; refresh: boolean; key: string }
  | { kind: 'transform'; handler: { type: 'file'; spec: string } | { type: 'code'; language: 'javascript' | 'typescript'; code: string; exportName: string }; options: TransformOptions }
  | { kind: 'none' };

export class CellSpecError extends Error {}

export const MAX_SAMPLE = 10_000;

export function parseCell(language: string, source: string): CellSpec {
  if (language === 'javascript' || language === 'typescript') return codeCell(language, source);
  if (language !== 'json' && language !== 'jsonc') return { kind: 'none' };
  let v: unknown;
  try {
    v = JSON.parse(source);
  } catch (e) {
    throw new CellSpecError(`This cell is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CellSpecError('A JSON cell holds an object: { "sample": {...} } or { "handler": "./file.ts#handler" }.');
  const o = v as Record<string, unknown>;
  if ('sample' in o) return sampleCell(o.sample);
  if ('handler' in o) {
    if (typeof o.handler !== 'string' || !o.handler.trim()) throw new CellSpecError('"handler" is a path to a file in the workspace, optionally with #export: "./src/transform.ts#handler".');
    return { kind: 'transform', handler: { type: 'file', spec: o.handler.trim() }, options: options(o) };
  }
  throw new CellSpecError('A JSON cell needs "sample" (records to run on) or "handler" (a handler file to run).');
}

function sampleCell(s: unknown): CellSpec {
  if (typeof s !== 'object' || s === null) throw new CellSpecError('"sample" is an object: { "stream": "name", "count": 500 } or { "file": "./records.jsonl" }.');
  const o = s as Record<string, unknown>;
  const store = o.store === true;
  const refresh = o.refresh === true;
  const count = o.count === undefined ? 500 : Number(o.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SAMPLE) throw new CellSpecError(`"count" is a whole number from 1 to ${MAX_SAMPLE}.`);
  let source: SampleSource;
  if (typeof o.stream === 'string' && o.stream) {
    source = { type: 'stream', stream: o.stream, connection: typeof o.connection === 'string' && o.connection ? o.connection : 'local', from: sampleFrom(o.from), count };
  } else if (typeof o.file === 'string' && o.file) {
    source = { type: 'file', file: o.file, ...(o.count !== undefined ? { count } : {}) };
  } else if (o.stored === true) {
    source = { type: 'stored' };
  } else {
    throw new CellSpecError('"sample" needs "stream" (a data stream name) or "file" (a JSON Lines file).');
  }
  const { store: _s, refresh: _r, ...rest } = o;
  return { kind: 'sample', source, store: store || source.type === 'stored', refresh, key: JSON.stringify(rest) };
}

function sampleFrom(v: unknown): SampleFrom {
  if (v === undefined || v === 'TRIM_HORIZON') return 'TRIM_HORIZON';
  if (v === 'LATEST') return 'LATEST';
  if (typeof v === 'object' && v !== null && 'atTimestamp' in v) {
    const t = (v as { atTimestamp: unknown }).atTimestamp;
    if (typeof t === 'number' || (typeof t === 'string' && !isNaN(Date.parse(t)))) return { atTimestamp: t };
  }
  if (typeof v === 'string' && !isNaN(Date.parse(v))) return { atTimestamp: v };
  throw new CellSpecError('"from" is "TRIM_HORIZON", "LATEST", an ISO date, or { "atTimestamp": "2026-11-28T10:00:00Z" }.');
}

function options(o: Record<string, unknown>): TransformOptions {
  const mode = o.mode === undefined ? 'firehose' : o.mode;
  if (mode !== 'firehose' && mode !== 'lambda-kinesis') throw new CellSpecError('"mode" is "firehose" or "lambda-kinesis".');
  const int = (k: string, min: number, max: number) => {
    if (o[k] === undefined) return undefined;
    const n = Number(o[k]);
    if (!Number.isInteger(n) || n < min || n > max) throw new CellSpecError(`"${k}" is a whole number from ${min} to ${max}.`);
    return n;
  };
  const bufferMb = o.bufferMB === undefined ? undefined : Number(o.bufferMB);
  if (bufferMb !== undefined && !(bufferMb >= 0.2 && bufferMb <= 3)) throw new CellSpecError('"bufferMB" (Firehose processor buffer) is from 0.2 to 3.');
  const out: TransformOptions = { mode };
  if (typeof o.prefix === 'string' && o.prefix) out.prefix = o.prefix;
  const timeoutMs = int('timeoutMs', 1, 900_000);
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  const memoryMb = int('memoryMb', 64, 10_240);
  if (memoryMb !== undefined) out.memoryMb = memoryMb;
  const batchSize = int('batchSize', 1, 10_000);
  if (batchSize !== undefined) out.batchSize = batchSize;
  if (bufferMb !== undefined) out.bufferBytes = Math.round(bufferMb * 1024 * 1024);
  if (typeof o.deliveryStreamName === 'string' && o.deliveryStreamName) out.deliveryStreamName = o.deliveryStreamName;
  const credentials = o.credentials === 'true' ? true : o.credentials === 'false' ? false : o.credentials;
  if (credentials === true || (typeof credentials === 'string' && credentials.trim())) out.credentials = credentials === true ? true : credentials.trim();
  else if (credentials !== undefined && credentials !== false) {
    throw new CellSpecError('"credentials" is true (the credentials of the sample\'s connection) or a connection id such as "profile:prod:us-east-1".');
  }
  return out;
}

const DIRECTIVE = /^\s*\/\/\s*(mode|prefix|timeout|memory|export|bufferMB|batchSize|deliveryStreamName|credentials)\s*:\s*(.+?)\s*$/gm;

function codeCell(language: 'javascript' | 'typescript', code: string): CellSpec {
  const o: Record<string, unknown> = {};
  let exportName = 'handler';
  for (const m of code.matchAll(DIRECTIVE)) {
    const [, key, value] = m;
    if (key === 'export') exportName = value;
    else if (key === 'timeout') o.timeoutMs = value;
    else if (key === 'memory') o.memoryMb = value;
    else o[key] = value;
  }
  return { kind: 'transform', handler: { type: 'code', language, code, exportName }, options: options(o) };
}
