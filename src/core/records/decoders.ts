/**
 * Record decoders: detect per record what the bytes are and turn them into something readable.
 *
 *   decodeRecord(raw)            auto: gzip/zlib -> inflate and recurse; KPL aggregate -> user records;
 *                                CloudWatch Logs subscription JSON -> rows; JSON -> pretty; UTF-8 text;
 *                                base64 text of something meaningful -> decode and recurse; else hex dump.
 *   decodeRecord(raw, 'json')    forced: that decoding first (then auto for what it yields), or an error.
 *
 * Never throws for bad data: a failure gives the raw bytes (hex dump, or the text) with `error` saying why.
 * Text is returned as a plain string; the UI must render it as text (never as HTML).
 *
 * Records come from outside: each raw record gets a decode budget (DECODE_BUDGET_BYTES of output,
 * shared by every layer and KPL user record in it); what is cut is said in `truncatedAt`, and the
 * raw bytes stay whole. A decoded record holds only the raw bytes, the parsed JSON or the text:
 * pretty JSON, hex dumps and base64 (`text` for JSON and binary, `rawBase64`) are computed when
 * read, so that holding many records costs what they weigh, not three times that.
 *
 * Recognised formats (formats.ts lists them, with their columns and detail): EventBridge events,
 * CloudFront real-time log lines, CloudWatch Logs subscription payloads, CloudWatch metric streams
 * (JSON and OpenTelemetry), DynamoDB change records, Glue Schema Registry (Avro) records. Detection
 * costs a few property checks per JSON record, a tab search per text record and a byte compare per
 * binary record.
 */
import { isUtf8 } from 'node:buffer';
import { constants as zlibConstants, gunzipSync, inflateSync } from 'node:zlib';
import { parseCloudFrontLine } from './cloudFront';
import { cloudWatchLogsText, CloudWatchLogEventRow, isCloudWatchLogsPayload, isControlMessage } from './cloudwatchLogs';
import { isDynamoDbChange, unmarshallChange } from './dynamodb';
import { isEventBridgeEvent } from './eventBridge';
import { AvroSchemas, decodeGlueSchemaRegistry, isGlueSchemaRegistryRecord, schemaVersionIdOf, schemaVersionIdsIn } from './glueSchemaRegistry';
import { deaggregate, isKplAggregate, KplUserRecord } from './kpl';
import { decodeOtlpMetrics, isMetricDatum, looksLikeOtlpMetrics, parseMetricStreamJson } from './metricStream';
import type { DecodedRecord, DecodingKind, RawRecord, RecordFormatName } from './types';

/** How records are decoded beyond what the bytes say. All optional. */
export interface DecodeOptions {
  /** CloudFront real-time logs: the configuration's fields (GetRealtimeLogConfig, or a setting), in the order the lines carry them. */
  cloudFrontFields?: readonly string[];
  /** Glue Schema Registry: the writer schemas (load() them before decoding; decodeRecordsWithSchemas does). */
  avroSchemas?: AvroSchemas;
  cloudWatchLogs?: {
    /** One decoded record per log event instead of one per payload. */
    rowPerEvent?: boolean;
  };
  /** decodeRecords: keep CloudWatch Logs CONTROL_MESSAGE records (hidden by default). */
  showControlMessages?: boolean;
  /** decodeRecords adds what it hid here. */
  counts?: { controlMessages: number };
}

export const DECODING_KINDS: readonly DecodingKind[] = ['text', 'json', 'binary', 'base64', 'gzip', 'zlib', 'kpl', 'cloudwatch-logs', 'glue-schema-registry'];

/** Hex dumps show at most this many bytes (the full payload stays in rawBase64). */
export const HEX_DUMP_MAX_BYTES = 64 * 1024;

/**
 * Decoded output allowed per raw record (inflated, base64-decoded bytes, all layers and KPL user
 * records together). A 60 KB gzip "bomb" inflates to 60 MiB; this keeps it to a few MiB.
 */
export const DECODE_BUDGET_BYTES = 4 * 1024 * 1024;

const MAX_DEPTH = 5;

/** What a raw record may still produce, and where its output was cut. */
interface Budget {
  left: number;
  truncatedAt?: number;
  opts: DecodeOptions;
}

interface Part {
  decodings: DecodingKind[];
  /** The text when it is the content itself (text records, failures); else `lazyText` makes it. */
  text?: string;
  lazyText?: () => string;
  /** Bytes the lazy text is made from (counted in the record's memory). */
  heldBytes?: number;
  json?: unknown;
  /** Length of the JSON text the value was parsed from (to estimate its memory). */
  jsonChars?: number;
  error?: string;
  cloudWatchLogs?: DecodedRecord['cloudWatchLogs'];
  format?: RecordFormatName;
  controlMessage?: boolean;
  logEvent?: { index: number; count: number };
  /** Glue Schema Registry records (decoded or not). */
  schemaVersionId?: string;
  /** Set for KPL user records. */
  user?: KplUserRecord;
}

const utf8Lossy = new TextDecoder('utf-8');

function isGzip(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08;
}

function isZlib(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x78 && (b[1] === 0x01 || b[1] === 0x5e || b[1] === 0x9c || b[1] === 0xda) && ((b[0] << 8) | b[1]) % 31 === 0;
}

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function tryUtf8(b: Uint8Array): string | undefined {
  // Validating first (simdutf) and then converting is faster than a fatal TextDecoder.
  if (!isUtf8(b)) return undefined;
  const t = toBuffer(b).toString('utf8');
  // As TextDecoder does: a byte order mark is not part of the text.
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
}

/** Text longer than this is judged printable or not on its start and end (64 Ki characters each). */
const PRINTABLE_SAMPLE = 64 * 1024;

/** True when at least 95% of the characters are printable (tabs and line breaks count as printable). */
export function isMostlyPrintable(s: string): boolean {
  if (s.length === 0) return true;
  if (s.length > 2 * PRINTABLE_SAMPLE) return isMostlyPrintable(s.slice(0, PRINTABLE_SAMPLE) + s.slice(-PRINTABLE_SAMPLE));
  let bad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0xfffd) bad++;
  }
  return bad <= s.length * 0.05;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

function looksBase64(s: string): boolean {
  return s.length >= 8 && s.length % 4 === 0 && BASE64_RE.test(s);
}

/** Hex + ASCII dump, 16 bytes a line: `00000000  7b 22 61 ...  |{"a...|`. */
export function hexDump(b: Uint8Array, maxBytes = HEX_DUMP_MAX_BYTES): string {
  return dumpOf(b, Math.min(b.length, maxBytes), b.length);
}

/** The dump of the first n bytes of b, for a payload of `total` bytes. */
function dumpOf(b: Uint8Array, n: number, total: number): string {
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (off + i < n) {
        const v = b[off + i];
        hex += v.toString(16).padStart(2, '0') + ' ';
        ascii += v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.';
      } else hex += '   ';
      if (i === 7) hex += ' ';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (total > n) lines.push(`... ${total - n} more bytes`);
  if (total === 0) lines.push('(empty)');
  return lines.join('\n');
}

function tooLarge(e: unknown): boolean {
  return (e as { code?: string })?.code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Inflates at most `budget.left` bytes. Beyond it, the output of a prefix of the input is cut at
 * the budget: a truncated deflate stream inflates as far as it goes (Z_SYNC_FLUSH), so a few
 * prefixes, each capped, find it without ever producing much more than the budget.
 */
function inflate(kind: 'gzip' | 'zlib', b: Uint8Array, budget: Budget): Buffer {
  const buf = toBuffer(b);
  const cap = budget.left;
  const run = (input: Buffer, max: number, partial: boolean): Buffer => {
    const opts = { maxOutputLength: Math.max(1, max), ...(partial ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {}) };
    return kind === 'gzip' ? gunzipSync(input, opts) : inflateSync(input, opts);
  };
  // A first look at the start tells a bomb (output far beyond the budget) before inflating it.
  let best: Buffer = Buffer.alloc(0);
  let lo = 0; // longest prefix known to inflate to at most twice the budget (its output: best)
  let hi = buf.length + 1; // shortest prefix known to inflate to more
  const look = Math.min(buf.length, 1024);
  if (look < buf.length) {
    try {
      best = run(buf.subarray(0, look), 2 * cap, true);
      lo = look;
    } catch (e) {
      if (!tooLarge(e)) throw e;
      hi = look;
    }
  }
  if (hi > buf.length && (lo === 0 || (best.length * buf.length) / lo < cap / 2)) {
    try {
      const whole = run(buf, cap, false);
      budget.left -= whole.length;
      return whole;
    } catch (e) {
      if (!tooLarge(e)) throw e;
    }
  }
  // Too large: find a prefix of the input whose output reaches the budget (at most twice it).
  for (let i = 0; i < 20 && best.length < cap; i++) {
    let k = best.length ? Math.ceil((lo * 1.2 * cap) / best.length) : Math.max(64, lo * 4);
    k = Math.min(buf.length, Math.max(k, lo + 1));
    if (k >= hi) k = Math.floor((lo + hi) / 2);
    if (k <= lo) break;
    try {
      best = run(buf.subarray(0, k), 2 * cap, true);
      lo = k;
    } catch (e) {
      if (!tooLarge(e)) break;
      hi = k;
    }
  }
  const cut = best.length > cap ? best.subarray(0, cap) : best;
  budget.left = 0;
  budget.truncatedAt = DECODE_BUDGET_BYTES;
  // Do not end inside a UTF-8 character: text stays text.
  const out = Buffer.from(cut.subarray(0, utf8Boundary(cut)));
  cutAtBudget.add(out);
  return out;
}

/** Buffers that inflate() cut at the budget. */
const cutAtBudget = new WeakSet<Uint8Array>();

/** Longer text is not tried as base64 (a Kinesis record is at most 1 MiB; its base64 fits well under this). */
const BASE64_DETECT_MAX_CHARS = 2 * 1024 * 1024;

/** The length of b without a trailing incomplete UTF-8 sequence. */
function utf8Boundary(b: Uint8Array): number {
  let i = b.length;
  let back = 0;
  while (i > 0 && back < 4 && (b[i - 1] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i === 0) return b.length;
  const lead = b[i - 1];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? i - 1 : b.length;
}

/** Inflates one layer within the budget; throws (with why) when the data is not valid. */
function inflateLayer(kind: 'gzip' | 'zlib', b: Uint8Array, budget: Budget): Buffer {
  if (budget.left <= 0) throw new BudgetSpent();
  return inflate(kind, b, budget);
}

class BudgetSpent extends Error {
  constructor() {
    super(`not decompressed: this record already produced its ${DECODE_BUDGET_BYTES / 1024 / 1024} MiB of decoded data`);
  }
}

function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').trim();
}

function binary(b: Uint8Array, chain: DecodingKind[], error?: string): Part {
  // Keep only what the dump shows (a copy, so that a large inflated buffer is not held).
  const n = Math.min(b.length, HEX_DUMP_MAX_BYTES);
  const head = b.length > n ? new Uint8Array(b.subarray(0, n)) : b;
  const total = b.length;
  return { decodings: ext(chain, 'binary'), lazyText: () => dumpOf(head, n, total), heldBytes: head === b ? 0 : n, ...(error ? { error } : {}) };
}

const pretty = (v: unknown) => () => JSON.stringify(v, null, 2);

/**
 * A decoding chain plus one kind. Chains are few (gzip+json, kpl+json, ...): each is made once and
 * shared by the records that have it (nobody changes a record's `decodings`).
 */
const chains = new Map<string, DecodingKind[]>();
function ext(chain: DecodingKind[], kind: DecodingKind): DecodingKind[] {
  const key = chain.length ? `${chain.join('+')}+${kind}` : kind;
  let c = chains.get(key);
  if (!c) chains.set(key, (c = [...chain, kind]));
  return c;
}

function recognised(format: RecordFormatName, value: unknown, chain: DecodingKind[], jsonChars: number, error?: string): Part {
  return { decodings: ext(chain, format), format, lazyText: pretty(value), json: value, jsonChars, ...(error ? { error } : {}) };
}

function fromJson(value: unknown, chain: DecodingKind[], jsonChars: number): Part {
  if (isCloudWatchLogsPayload(value)) {
    return {
      decodings: ext(chain, 'cloudwatch-logs'),
      format: 'cloudwatch-logs',
      ...(isControlMessage(value) ? { controlMessage: true } : {}),
      lazyText: () => cloudWatchLogsText(value),
      json: value,
      jsonChars,
      cloudWatchLogs: {
        messageType: value.messageType,
        ...(value.owner !== undefined ? { owner: value.owner } : {}),
        logGroup: value.logGroup,
        logStream: value.logStream,
        ...(value.subscriptionFilters ? { subscriptionFilters: value.subscriptionFilters } : {}),
        events: value.logEvents.map((e) => ({ id: String(e?.id ?? ''), timestamp: Number(e?.timestamp), message: typeof e?.message === 'string' ? e.message : JSON.stringify(e?.message) })),
      },
    };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if (isEventBridgeEvent(value)) return recognised('eventbridge', value, chain, jsonChars);
    if (isDynamoDbChange(value)) {
      try {
        return recognised('dynamodb', unmarshallChange(value), chain, jsonChars);
      } catch (e) {
        return { decodings: ext(chain, 'dynamodb'), lazyText: pretty(value), json: value, jsonChars, error: `DynamoDB change record with an attribute value that does not unmarshall: ${errorText(e)}` };
      }
    }
    if (isMetricDatum(value)) return recognised('cloudwatch-metric-stream', { outputFormat: 'json', metrics: [value] }, chain, jsonChars);
  }
  return { decodings: ext(chain, 'json'), lazyText: pretty(value), json: value, jsonChars };
}

function parseJsonObject(text: string): { ok: true; value: unknown } | { ok: false } {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
  const c = text[i];
  if (c !== '{' && c !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(i ? text.slice(i) : text) };
  } catch {
    return { ok: false };
  }
}

/** Is what base64 decodes to worth showing instead of the base64 text? */
function meaningful(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  if (isGzip(b) || isZlib(b) || isKplAggregate(b)) return true;
  const t = tryUtf8(b);
  return t !== undefined && isMostlyPrintable(t) && /[\p{L}\p{N}]/u.test(t);
}

/** Auto-detection. Returns several parts only for KPL aggregates. */
function auto(b: Uint8Array, chain: DecodingKind[], depth: number, budget: Budget): Part[] {
  if (depth > MAX_DEPTH) return [binary(b, chain)];
  if (isGzip(b)) {
    let out: Buffer;
    try {
      out = inflateLayer('gzip', b, budget);
    } catch (e) {
      if (e instanceof BudgetSpent) return [binary(b, ext(chain, 'gzip'), e.message)];
      return [binary(b, ext(chain, 'gzip'), `gzip data is invalid: ${errorText(e)}`)];
    }
    return auto(out, ext(chain, 'gzip'), depth + 1, budget);
  }
  if (isZlib(b)) {
    let out: Buffer | undefined;
    try {
      out = inflateLayer('zlib', b, budget);
    } catch (e) {
      if (e instanceof BudgetSpent) return [binary(b, ext(chain, 'zlib'), e.message)];
      // Two bytes that look like a zlib header can start ordinary text ("x^"): not an error, go on.
    }
    if (out) return auto(out, ext(chain, 'zlib'), depth + 1, budget);
  }
  if (isKplAggregate(b)) return kpl(b, chain, depth, budget);
  if (isGlueSchemaRegistryRecord(b)) return [glue(b, chain, budget)];
  if (b[0] !== 0x7b && looksLikeOtlpMetrics(b)) {
    const otlp = otlpPart(b, chain);
    if (otlp) return [otlp];
  }
  const text = tryUtf8(b);
  if (text === undefined) return [binary(b, chain)];
  // Output cut at the budget is not whole JSON or base64: do not scan megabytes to find out.
  const cut = cutAtBudget.has(b);
  // Metric streams put several JSON documents in a record, one a line: tried first when the text
  // starts like one, so that parsing it whole does not throw on every record.
  const metrics = !cut && text.charCodeAt(0) === 0x7b ? parseMetricStreamJson(text) : undefined;
  if (metrics) return [recognised('cloudwatch-metric-stream', metrics, chain, text.length)];
  const parsed = cut ? { ok: false as const } : parseJsonObject(text);
  if (parsed.ok) return [fromJson(parsed.value, chain, text.length)];
  if (!cut) {
    const line = parseCloudFrontLine(text, budget.opts.cloudFrontFields);
    if (line) return [{ decodings: ext(chain, 'cloudfront-realtime-log'), format: 'cloudfront-realtime-log', text, json: line, jsonChars: text.length }];
  }
  const trimmed = cut || text.length > BASE64_DETECT_MAX_CHARS ? '' : text.trim();
  if (looksBase64(trimmed) && budget.left >= trimmed.length * 0.75) {
    const inner = Buffer.from(trimmed, 'base64');
    if (meaningful(inner)) {
      budget.left -= inner.length;
      return auto(inner, ext(chain, 'base64'), depth + 1, budget);
    }
  }
  if (isMostlyPrintable(text)) return [{ decodings: ext(chain, 'text'), text }];
  return [binary(b, chain)];
}

function glue(b: Uint8Array, chain: DecodingKind[], budget: Budget): Part {
  const schemaVersionId = schemaVersionIdOf(b);
  try {
    const v = decodeGlueSchemaRegistry(b, budget.opts.avroSchemas, budget.left);
    return { ...recognised('glue-schema-registry', v, chain, b.length * 2), schemaVersionId };
  } catch (e) {
    return { ...binary(b, ext(chain, 'glue-schema-registry'), errorText(e)), schemaVersionId };
  }
}

/** An OpenTelemetry metric stream record, or undefined when the bytes only looked like one. */
function otlpPart(b: Uint8Array, chain: DecodingKind[]): Part | undefined {
  try {
    const v = decodeOtlpMetrics(b);
    if (!v.metrics.length) return undefined;
    return recognised('cloudwatch-metric-stream', v, chain, b.length * 4);
  } catch {
    return undefined;
  }
}

function kpl(b: Uint8Array, chain: DecodingKind[], depth: number, budget: Budget): Part[] {
  let users: KplUserRecord[];
  try {
    users = deaggregate(b);
  } catch (e) {
    return [binary(b, ext(chain, 'kpl'), errorText(e))];
  }
  const out: Part[] = [];
  for (const u of users) {
    // A user record is decoded like any record (but an aggregate inside an aggregate is shown as is).
    const parts = isKplAggregate(u.data) ? [binary(u.data, ext(chain, 'kpl'))] : auto(u.data, ext(chain, 'kpl'), depth + 1, budget);
    for (const p of parts) out.push({ ...p, user: u });
  }
  return out;
}

/** Applies one decoding by hand, then auto-detects what it yields. */
function forced(b: Uint8Array, kind: DecodingKind, budget: Budget): Part[] {
  switch (kind) {
    case 'binary':
      return [binary(b, [])];
    case 'text': {
      const t = tryUtf8(b);
      if (t !== undefined) return [{ decodings: ['text'], text: t }];
      return [{ decodings: ['text'], text: utf8Lossy.decode(b), error: 'not valid UTF-8: invalid bytes are shown as \uFFFD' }];
    }
    case 'json': {
      const t = tryUtf8(b);
      if (t === undefined) return [binary(b, ['json'], 'not JSON: the bytes are not valid UTF-8')];
      try {
        const v = JSON.parse(t);
        return [{ decodings: ['json'], lazyText: () => JSON.stringify(v, null, 2), json: v, jsonChars: t.length }];
      } catch (e) {
        return [{ decodings: ['json'], text: t, error: `not JSON: ${errorText(e)}` }];
      }
    }
    case 'base64': {
      const t = tryUtf8(b)?.replace(/\s+/g, '');
      if (t === undefined || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.length % 4 === 1) return [binary(b, ['base64'], 'not base64 text')];
      if (t.length * 0.75 > budget.left) return [binary(b, ['base64'], `not decoded: more than the ${DECODE_BUDGET_BYTES / 1024 / 1024} MiB a record may decode to`)];
      const inner = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
      budget.left -= inner.length;
      return auto(inner, ['base64'], 1, budget);
    }
    case 'gzip':
    case 'zlib': {
      let out: Buffer;
      try {
        out = inflateLayer(kind, b, budget);
      } catch (e) {
        return [binary(b, [kind], `${kind === 'gzip' ? 'gzip' : 'zlib'} data is invalid: ${errorText(e)}`)];
      }
      return auto(out, [kind], 1, budget);
    }
    case 'kpl':
      return kpl(b, [], 0, budget);
    case 'glue-schema-registry':
      // With the schemas the options give (the inspector's: workspace, settings, Glue).
      if (!isGlueSchemaRegistryRecord(b)) return [binary(b, ['glue-schema-registry'], `not a Glue Schema Registry record: it starts with bytes ${toBuffer(b.subarray(0, 2)).toString('hex') || '(none)'}, not 03 00 or 03 05 (header version 3, compression none or zlib) and a 16-byte schema version id`)];
      return [glue(b, [], budget)];
    case 'cloudwatch-logs': {
      let body = b;
      const chain: DecodingKind[] = [];
      if (isGzip(b)) {
        try {
          body = inflateLayer('gzip', b, budget);
          chain.push('gzip');
        } catch (e) {
          return [binary(b, ['gzip', 'cloudwatch-logs'], `gzip data is invalid: ${errorText(e)}`)];
        }
      }
      const t = tryUtf8(body);
      let v: unknown;
      try {
        if (t === undefined) throw new Error('the bytes are not valid UTF-8');
        v = JSON.parse(t);
      } catch (e) {
        return [binary(body, ext(chain, 'cloudwatch-logs'), `not a CloudWatch Logs payload: ${errorText(e)}`)];
      }
      if (!isCloudWatchLogsPayload(v)) {
        const value = v;
        return [{ decodings: ext(chain, 'cloudwatch-logs'), lazyText: () => JSON.stringify(value, null, 2), json: v, jsonChars: t!.length, error: 'not a CloudWatch Logs payload: messageType, logGroup, logStream or logEvents missing' }];
      }
      return [fromJson(v, chain, t!.length)];
    }
  }
  return auto(b, [], 0, budget);
}

/**
 * Decodes one record read from Kinesis. Usually one result; a KPL aggregate gives one per user
 * record (id `${shardId}/${sequenceNumber}/${subSequenceNumber}`). The decoded output of one raw
 * record is at most DECODE_BUDGET_BYTES (`truncatedAt` says when it was cut).
 */
export function decodeRecord(raw: RawRecord, forcedKind?: DecodingKind, options: DecodeOptions = NO_OPTIONS): DecodedRecord[] {
  const data = raw.data ?? new Uint8Array(0);
  const budget: Budget = { left: DECODE_BUDGET_BYTES, opts: options };
  let parts: Part[];
  try {
    parts = forcedKind ? forced(data, forcedKind, budget) : auto(data, [], 0, budget);
  } catch (e) {
    // Decoders are written not to throw; this is the last guard.
    parts = [binary(data, forcedKind ? [forcedKind] : [], `could not decode: ${errorText(e)}`)];
  }
  if (parts.length === 0) {
    // An aggregate with no user records.
    parts = [{ decodings: ['kpl'], text: '(KPL aggregate with no user records)' }];
  }
  const base = `${raw.shardId}/${raw.sequenceNumber}`;
  // Held records do not keep a large buffer alive for a small view into it (a copy instead).
  const own = (b: Uint8Array): Uint8Array => (b.buffer.byteLength > 65536 && b.byteLength < b.buffer.byteLength / 2 ? new Uint8Array(b) : b);
  const rawBytes = parts.some((p) => !p.user) ? own(data) : data;
  if (options.cloudWatchLogs?.rowPerEvent) parts = parts.flatMap(logEventRows);
  return parts.map((p) => {
    const u = p.user;
    const bytes = u ? own(u.data) : rawBytes;
    const rec = new Decoded(bytes, p.text, p.lazyText);
    rec.id = (u ? `${base}/${u.subSequenceNumber}` : base) + (p.logEvent ? `/e${p.logEvent.index}` : '');
    rec.shardId = raw.shardId;
    rec.sequenceNumber = raw.sequenceNumber;
    rec.partitionKey = u ? u.partitionKey : raw.partitionKey;
    rec.arrivalTime = raw.arrivalTime;
    rec.size = bytes.length;
    rec.decodings = p.decodings;
    if (u) {
      rec.subSequenceNumber = u.subSequenceNumber;
      if (u.explicitHashKey !== undefined) rec.explicitHashKey = u.explicitHashKey;
    }
    if (p.json !== undefined) rec.json = p.json;
    if (p.error !== undefined) rec.error = p.error;
    if (p.cloudWatchLogs) rec.cloudWatchLogs = p.cloudWatchLogs;
    if (p.format) rec.format = p.format;
    if (p.controlMessage) rec.controlMessage = true;
    if (p.logEvent) rec.logEvent = p.logEvent;
    if (p.schemaVersionId) rec.schemaVersionId = p.schemaVersionId;
    if (budget.truncatedAt !== undefined) rec.truncatedAt = budget.truncatedAt;
    // Strings of one-byte characters; parsed JSON takes about three times its text.
    // The rows of one log payload share its bytes: each counts its share.
    const share = p.logEvent ? Math.ceil(bytes.length / p.logEvent.count) : bytes.length;
    rec.memoryBytes = 200 + share + (p.text?.length ?? 0) + (p.heldBytes ?? 0) + 3 * (p.jsonChars ?? 0);
    return rec;
  });
}

const NO_OPTIONS: DecodeOptions = {};

/** A CloudWatch Logs payload as one part per log event (control messages stay whole). */
function logEventRows(p: Part): Part[] {
  if (p.format !== 'cloudwatch-logs' || p.controlMessage || !p.cloudWatchLogs) return [p];
  const h = p.cloudWatchLogs;
  const count = h.events.length;
  return h.events.map((e, index) => {
    const row: CloudWatchLogEventRow = {
      messageType: h.messageType,
      ...(h.owner !== undefined ? { owner: h.owner } : {}),
      logGroup: h.logGroup,
      logStream: h.logStream,
      ...(h.subscriptionFilters ? { subscriptionFilters: h.subscriptionFilters } : {}),
      ...e,
    };
    const time = Number.isFinite(e.timestamp) ? new Date(e.timestamp).toISOString() : String(e.timestamp);
    return { ...p, json: row, jsonChars: e.message.length + 200, text: `${time}  ${e.message}`, lazyText: undefined, logEvent: { index, count } };
  });
}

const RAW = Symbol('raw bytes');
const TEXT = Symbol('text');
const LAZY = Symbol('lazy text');
const b64 = Symbol('base64 set by hand');

/**
 * A record made by decodeRecord: `text` (when it is pretty JSON, a hex dump or a log listing) and
 * `rawBase64` are made when read, from what the record holds. They are accessors of the class:
 * read them by name (JSON.stringify includes them; an object spread does not).
 */
class Decoded implements DecodedRecord {
  id = '';
  shardId = '';
  sequenceNumber = '';
  declare subSequenceNumber?: number;
  partitionKey = '';
  declare explicitHashKey?: string;
  arrivalTime = 0;
  size = 0;
  decodings: DecodingKind[] = [];
  declare json?: unknown;
  declare error?: string;
  declare cloudWatchLogs?: DecodedRecord['cloudWatchLogs'];
  declare format?: DecodedRecord['format'];
  declare controlMessage?: boolean;
  declare logEvent?: DecodedRecord['logEvent'];
  declare schemaVersionId?: string;
  declare truncatedAt?: number;
  declare memoryBytes?: number;
  [RAW]: Uint8Array;
  [TEXT]: string | undefined;
  [LAZY]: (() => string) | undefined;
  declare [b64]?: string;

  constructor(bytes: Uint8Array, text: string | undefined, lazyText: (() => string) | undefined) {
    this[RAW] = bytes;
    this[TEXT] = text;
    this[LAZY] = lazyText;
  }

  get text(): string {
    return this[TEXT] ?? this[LAZY]?.() ?? '';
  }
  set text(v: string) {
    this[TEXT] = v;
  }
  get rawBase64(): string {
    return this[b64] ?? toBuffer(this[RAW]).toString('base64');
  }
  set rawBase64(v: string) {
    this[b64] = v;
  }

  toJSON(): DecodedRecord {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(this)) o[k] = (this as unknown as Record<string, unknown>)[k];
    o.text = this.text;
    o.rawBase64 = this.rawBase64;
    return o as unknown as DecodedRecord;
  }
}

/** The raw bytes of a decoded record (of its KPL user record for one). */
export function rawBytesOf(r: DecodedRecord): Uint8Array {
  return r instanceof Decoded ? r[RAW] : Buffer.from(r.rawBase64, 'base64');
}

/**
 * Decodes a batch. CloudWatch Logs CONTROL_MESSAGE records are left out (and counted in
 * `options.counts`) unless `options.showControlMessages`.
 */
export function decodeRecords(raws: readonly RawRecord[], forcedKind?: DecodingKind, options: DecodeOptions = NO_OPTIONS): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const hide = !options.showControlMessages;
  for (const r of raws) {
    for (const d of decodeRecord(r, forcedKind, options)) {
      if (hide && d.controlMessage) {
        if (options.counts) options.counts.controlMessages++;
        continue;
      }
      out.push(d);
    }
  }
  return out;
}

/** decodeRecords, after loading the schemas the batch's Glue Schema Registry records need. */
export async function decodeRecordsWithSchemas(raws: readonly RawRecord[], forcedKind?: DecodingKind, options: DecodeOptions = NO_OPTIONS): Promise<DecodedRecord[]> {
  if (options.avroSchemas) {
    const ids = schemaVersionIdsIn(raws);
    if (ids.size) await options.avroSchemas.load(ids);
  }
  return decodeRecords(raws, forcedKind, options);
}

/** A one-line preview of a decoded record for list rows (at most `max` characters). */
export function previewOf(r: DecodedRecord, max = 200): string {
  const src = r.json !== undefined && !r.cloudWatchLogs && r.format !== 'cloudfront-realtime-log' && !r.logEvent ? JSON.stringify(r.json) : r.text;
  const s = src.length > max * 2 ? src.slice(0, max * 2) : src;
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? one.slice(0, max - 1) + '\u2026' : one;
}
