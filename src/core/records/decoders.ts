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
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { cloudWatchLogsText, isCloudWatchLogsPayload } from './cloudwatchLogs';
import { deaggregate, isKplAggregate, KplUserRecord } from './kpl';
import type { DecodedRecord, DecodingKind, RawRecord } from './types';

export const DECODING_KINDS: readonly DecodingKind[] = ['text', 'json', 'binary', 'base64', 'gzip', 'zlib', 'kpl', 'cloudwatch-logs'];

/** Hex dumps show at most this many bytes (the full payload stays in rawBase64). */
export const HEX_DUMP_MAX_BYTES = 64 * 1024;

const MAX_DEPTH = 5;
/** Largest inflated size accepted (a "zip bomb" guard): 64 MiB. */
const MAX_INFLATED = 64 * 1024 * 1024;

interface Part {
  decodings: DecodingKind[];
  text: string;
  json?: unknown;
  error?: string;
  cloudWatchLogs?: DecodedRecord['cloudWatchLogs'];
  /** Set for KPL user records. */
  user?: KplUserRecord;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
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
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}

/** True when at least 95% of the characters are printable (tabs and line breaks count as printable). */
export function isMostlyPrintable(s: string): boolean {
  if (s.length === 0) return true;
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
  const n = Math.min(b.length, maxBytes);
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
  if (b.length > n) lines.push(`... ${b.length - n} more bytes`);
  if (b.length === 0) lines.push('(empty)');
  return lines.join('\n');
}

function inflate(kind: 'gzip' | 'zlib', b: Uint8Array): Buffer {
  const buf = toBuffer(b);
  return kind === 'gzip' ? gunzipSync(buf, { maxOutputLength: MAX_INFLATED }) : inflateSync(buf, { maxOutputLength: MAX_INFLATED });
}

function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').trim();
}

function binary(b: Uint8Array, chain: DecodingKind[], error?: string): Part {
  return { decodings: [...chain, 'binary'], text: hexDump(b), ...(error ? { error } : {}) };
}

function fromJson(value: unknown, chain: DecodingKind[]): Part {
  if (isCloudWatchLogsPayload(value)) {
    return {
      decodings: [...chain, 'cloudwatch-logs'],
      text: cloudWatchLogsText(value),
      json: value,
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
  return { decodings: [...chain, 'json'], text: JSON.stringify(value, null, 2), json: value };
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
function auto(b: Uint8Array, chain: DecodingKind[], depth: number): Part[] {
  if (depth > MAX_DEPTH) return [binary(b, chain)];
  if (isGzip(b)) {
    let out: Buffer;
    try {
      out = inflate('gzip', b);
    } catch (e) {
      return [binary(b, [...chain, 'gzip'], `gzip data is invalid: ${errorText(e)}`)];
    }
    return auto(out, [...chain, 'gzip'], depth + 1);
  }
  if (isZlib(b)) {
    let out: Buffer | undefined;
    try {
      out = inflate('zlib', b);
    } catch {
      // Two bytes that look like a zlib header can start ordinary text ("x^"): not an error, go on.
    }
    if (out) return auto(out, [...chain, 'zlib'], depth + 1);
  }
  if (isKplAggregate(b)) return kpl(b, chain, depth);
  const text = tryUtf8(b);
  if (text === undefined) return [binary(b, chain)];
  const parsed = parseJsonObject(text);
  if (parsed.ok) return [fromJson(parsed.value, chain)];
  const trimmed = text.trim();
  if (looksBase64(trimmed)) {
    const inner = Buffer.from(trimmed, 'base64');
    if (meaningful(inner)) return auto(inner, [...chain, 'base64'], depth + 1);
  }
  if (isMostlyPrintable(text)) return [{ decodings: [...chain, 'text'], text }];
  return [binary(b, chain)];
}

function kpl(b: Uint8Array, chain: DecodingKind[], depth: number): Part[] {
  let users: KplUserRecord[];
  try {
    users = deaggregate(b);
  } catch (e) {
    return [binary(b, [...chain, 'kpl'], errorText(e))];
  }
  const out: Part[] = [];
  for (const u of users) {
    // A user record is decoded like any record (but an aggregate inside an aggregate is shown as is).
    const parts = isKplAggregate(u.data) ? [binary(u.data, [...chain, 'kpl'])] : auto(u.data, [...chain, 'kpl'], depth + 1);
    for (const p of parts) out.push({ ...p, user: u });
  }
  return out;
}

/** Applies one decoding by hand, then auto-detects what it yields. */
function forced(b: Uint8Array, kind: DecodingKind): Part[] {
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
        return [{ decodings: ['json'], text: JSON.stringify(v, null, 2), json: v }];
      } catch (e) {
        return [{ decodings: ['json'], text: t, error: `not JSON: ${errorText(e)}` }];
      }
    }
    case 'base64': {
      const t = tryUtf8(b)?.replace(/\s+/g, '');
      if (t === undefined || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.length % 4 === 1) return [binary(b, ['base64'], 'not base64 text')];
      return auto(Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64'), ['base64'], 1);
    }
    case 'gzip':
    case 'zlib': {
      let out: Buffer;
      try {
        out = inflate(kind, b);
      } catch (e) {
        return [binary(b, [kind], `${kind === 'gzip' ? 'gzip' : 'zlib'} data is invalid: ${errorText(e)}`)];
      }
      return auto(out, [kind], 1);
    }
    case 'kpl':
      return kpl(b, [], 0);
    case 'cloudwatch-logs': {
      let body = b;
      const chain: DecodingKind[] = [];
      if (isGzip(b)) {
        try {
          body = inflate('gzip', b);
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
        return [binary(body, [...chain, 'cloudwatch-logs'], `not a CloudWatch Logs payload: ${errorText(e)}`)];
      }
      if (!isCloudWatchLogsPayload(v)) {
        return [{ decodings: [...chain, 'cloudwatch-logs'], text: JSON.stringify(v, null, 2), json: v, error: 'not a CloudWatch Logs payload: messageType, logGroup, logStream or logEvents missing' }];
      }
      return [fromJson(v, chain)];
    }
  }
  return auto(b, [], 0);
}

/**
 * Decodes one record read from Kinesis. Usually one result; a KPL aggregate gives one per user
 * record (id `${shardId}/${sequenceNumber}/${subSequenceNumber}`).
 */
export function decodeRecord(raw: RawRecord, forcedKind?: DecodingKind): DecodedRecord[] {
  const data = raw.data ?? new Uint8Array(0);
  let parts: Part[];
  try {
    parts = forcedKind ? forced(data, forcedKind) : auto(data, [], 0);
  } catch (e) {
    // Decoders are written not to throw; this is the last guard.
    parts = [binary(data, forcedKind ? [forcedKind] : [], `could not decode: ${errorText(e)}`)];
  }
  if (parts.length === 0) {
    // An aggregate with no user records.
    parts = [{ decodings: ['kpl'], text: '(KPL aggregate with no user records)' }];
  }
  const base = `${raw.shardId}/${raw.sequenceNumber}`;
  let rawBase64: string | undefined;
  return parts.map((p) => {
    const u = p.user;
    const rec: DecodedRecord = {
      id: u ? `${base}/${u.subSequenceNumber}` : base,
      shardId: raw.shardId,
      sequenceNumber: raw.sequenceNumber,
      partitionKey: u ? u.partitionKey : raw.partitionKey,
      arrivalTime: raw.arrivalTime,
      size: u ? u.data.length : data.length,
      decodings: p.decodings,
      text: p.text,
      rawBase64: u ? toBuffer(u.data).toString('base64') : (rawBase64 ??= toBuffer(data).toString('base64')),
    };
    if (u) {
      rec.subSequenceNumber = u.subSequenceNumber;
      if (u.explicitHashKey !== undefined) rec.explicitHashKey = u.explicitHashKey;
    }
    if (p.json !== undefined) rec.json = p.json;
    if (p.error !== undefined) rec.error = p.error;
    if (p.cloudWatchLogs) rec.cloudWatchLogs = p.cloudWatchLogs;
    return rec;
  });
}

/** Decodes a batch (convenience for the inspector host). */
export function decodeRecords(raws: RawRecord[], forcedKind?: DecodingKind): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const r of raws) for (const d of decodeRecord(r, forcedKind)) out.push(d);
  return out;
}

/** A one-line preview of a decoded record for list rows (at most `max` characters). */
export function previewOf(r: DecodedRecord, max = 200): string {
  const src = r.json !== undefined && !r.cloudWatchLogs ? JSON.stringify(r.json) : r.text;
  const s = src.length > max * 2 ? src.slice(0, max * 2) : src;
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? one.slice(0, max - 1) + '\u2026' : one;
}
