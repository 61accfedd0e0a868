/**
 * The record inspector's message protocol between the extension host (which runs the reader,
 * decoders and filters and holds the records) and the webview (which shows a window of them).
 *
 * Over the shared kit (./rpc): the webview posts `ready` first, the host answers with `init`;
 * each request gets exactly one `reply` of the same id (`ok: false` with a plain-words `error`).
 * - The host never sends credentials: only stream/shard names, record data and statistics.
 * - Record content travels as strings and is rendered as text (textContent), never as HTML.
 *
 * Shared by both sides: no imports of `vscode`, Node or DOM APIs here.
 */
import type { DecodedRecord, DecodingKind, RecordFormatName, ShardProgress, StartPosition } from '../core/records/types';
import type { FormatColumn, FormatDetail } from '../core/records/formatTypes';
import { UserError } from '../core/aws/errors';
import type { HostToWebview as HostMessage, Protocol, WebviewToHost as WebviewMessage } from './rpc';

export type { DecodingKind, FormatColumn, FormatDetail, RecordFormatName, ShardProgress, StartPosition };

/** A recognised format as the list knows it: its title and columns (the host sends them in `init`). */
export interface FormatInfo {
  name: RecordFormatName;
  title: string;
  columns: FormatColumn[];
}

/** Where a read ends: records that arrived at most at `at` (epoch ms), at most `count` records. */
export interface WindowEnd {
  at?: number;
  count?: number;
}

/** Columns added from fields (a JMESPath, or `format:column`) at most. */
export const MAX_FIELD_COLUMNS = 12;

/** The webview panel type (also the serializer's key). */
export const INSPECTOR_VIEW_TYPE = 'kinesis.inspector';

/** How a record is decoded: detected per record, or forced by hand. */
export type DecodingChoice = 'auto' | DecodingKind;
export const DECODING_CHOICES: readonly DecodingChoice[] = ['auto', 'text', 'json', 'binary', 'base64', 'gzip', 'zlib', 'kpl', 'cloudwatch-logs', 'glue-schema-registry'];

/** What to read: where to start and which shards ('all' includes children born while reading). */
export interface InspectorOptions {
  position: StartPosition;
  shards: 'all' | string[];
  /** Read a window: stop at this end. */
  end?: WindowEnd;
}

/** The filter over held records; empty fields do not filter. */
export interface InspectorFilter {
  partitionKey?: string;
  shards?: string[];
  /** epoch ms, inclusive */
  from?: number;
  /** epoch ms, inclusive */
  to?: number;
  text?: string;
  jmespath?: string;
}

export type SortOrder = 'asc' | 'desc';
export type PlayState = 'stopped' | 'starting' | 'playing' | 'paused';

/** A shard the user can choose in the toolbar. */
export interface ShardChoice {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  /** False once the shard is closed (it has an ending sequence number). */
  open: boolean;
}

/** One table row: enough to draw the row, nothing more. */
export interface RowSummary extends Pick<DecodedRecord, 'id' | 'arrivalTime' | 'shardId' | 'partitionKey' | 'sequenceNumber' | 'subSequenceNumber' | 'size' | 'decodings' | 'logEvent'> {
  /** The start of the decoded text on one line. */
  preview: string;
  failed: boolean;
  /** The recognised format of the record, if any. */
  format?: RecordFormatName;
  /** Cells of the extra columns, by column key: `format:column` for the format's own, the spec for columns from fields. */
  cells?: Record<string, string>;
}

/** The selected record, decoded as asked. */
export interface RecordDetail
  extends Pick<DecodedRecord, 'id' | 'shardId' | 'sequenceNumber' | 'subSequenceNumber' | 'partitionKey' | 'explicitHashKey' | 'arrivalTime' | 'size' | 'decodings' | 'logEvent'> {
  decoding: DecodingChoice;
  /** The decoded text (pretty JSON when `isJson`), possibly cut at `truncated`. */
  text: string;
  isJson: boolean;
  /** When the detail was cut to keep the panel responsive: the full length. */
  truncatedFrom?: number;
  /** When decoding stopped at the per-record decode budget: that budget in bytes (the raw bytes are whole). */
  decodeTruncatedAt?: number;
  error?: string;
  /** Hex + ASCII dump of the raw bytes (first 64 KiB). */
  rawHex: string;
  rawBase64: string;
  /** More than one record when a forced decoding yields several (KPL, CloudWatch Logs). */
  parts?: number;
  /** A CloudWatch Logs subscription payload: its header and events (first 2,000), shown as rows. */
  cloudWatchLogs?: NonNullable<DecodedRecord['cloudWatchLogs']> & { totalEvents: number };
  /** A recognised format: its name with the layers it came through (`gzip+cloudwatch-logs`), title and own detail. */
  format?: { name: RecordFormatName; title: string; layers: string; detail?: FormatDetail };
}

export interface InspectorStatus {
  state: PlayState;
  shards: ShardProgress[];
  /** Records held by the host. */
  held: number;
  /** Records matching the filter. */
  matching: number;
  /** Records dropped so far because of the cap. */
  dropped: number;
  maxRecords: number;
  /** Total records read in this session (before the cap). */
  read: number;
  error?: string;
  /** Matching records per recognised format (`other` for the rest): the list shows a format's columns when all are of it. */
  formats?: Record<string, number>;
  /** CloudWatch Logs CONTROL_MESSAGE records hidden (health probes, not log data). */
  controlMessagesHidden?: number;
  /** A windowed read reached its end: why, and how many records it read. */
  ended?: { reason: 'time' | 'count'; recordsRead: number };
  /** The window of the read of the moment. */
  end?: WindowEnd;
}

export interface RatePoint {
  /** epoch seconds */
  t: number;
  records: number;
  bytes: number;
}

export interface InspectorStats {
  rates: RatePoint[];
  perShard: { shardId: string; count: number }[];
  topKeys: { key: string; count: number }[];
}

/** Requests from the webview, each answered by one reply with the same id. */
export type InspectorRequest =
  | { type: 'getRows'; id: number; version: number; start: number; count: number }
  | { type: 'getRecord'; id: number; recordId: string; decoding: DecodingChoice }
  | { type: 'setFilter'; id: number; filter: InspectorFilter }
  | { type: 'copyRecord'; id: number; recordId: string; decoding: DecodingChoice }
  | { type: 'openRecord'; id: number; recordId: string; decoding: DecodingChoice }
  | { type: 'export'; id: number; format: 'jsonl' | 'csv' }
  /** Opens a transform notebook whose sample is the filtered records (the newest 500). */
  | { type: 'sendToNotebook'; id: number }
  /** The columns from fields the list shows (JMESPath or `format:column`); each is checked. */
  | { type: 'setColumns'; id: number; columns: string[] }
  /** Sends the selected records (ids), or all the filtered ones, to another stream. */
  | { type: 'replay'; id: number; recordIds?: string[] }
  /** Saves the last replay's undelivered records (the host asks where). */
  | { type: 'saveUndelivered'; id: number };

/** What each request type replies with. */
export interface ReplyResults {
  getRows: { version: number; start: number; rows: RowSummary[] };
  getRecord: RecordDetail;
  /** `warning`: the JMESPath expression failed on some records (for example a function given the wrong type). */
  setFilter: { matching: number; warning?: string };
  copyRecord: { copied: true };
  openRecord: { opened: true };
  export: { written: number; path?: string };
  sendToNotebook: { sent: number; of: number };
  /** The columns kept; `errors` for the specs refused, in words. */
  setColumns: { columns: string[]; errors: { spec: string; error: string }[] };
  replay: { started: boolean; records: number; target?: string };
  /** `saved: false`: the dialog was cancelled. */
  saveUndelivered: { saved: boolean; path?: string; written?: number };
}

/** Fire-and-forget messages the webview posts to the host. */
export type InspectorCommand =
  | { type: 'start'; options: InspectorOptions }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'clear' }
  | { type: 'setSort'; order: SortOrder }
  | { type: 'refreshShards' }
  /** CloudWatch Logs payloads as one row per log event (on) or one row per record (off); held rows are redone. */
  | { type: 'setLogEventRows'; on: boolean };

/** Messages the host posts to the webview (besides replies). */
export type InspectorEvent =
  | {
      type: 'init';
      connectionId: string;
      streamName: string;
      connectionLabel: string;
      shards: ShardChoice[];
      options: InspectorOptions;
      filter: InspectorFilter;
      sort: SortOrder;
      maxRecords: number;
      /** The shard to preselect (the panel was opened from a shard). */
      preselectShard?: string;
      /** The recognised formats and their columns. */
      formats?: FormatInfo[];
      /** Columns from fields kept for this stream. */
      columns?: string[];
      /** CloudWatch Logs payloads shown as one row per log event. */
      logEventRows?: boolean;
    }
  | { type: 'shards'; shards: ShardChoice[] }
  /** The filtered view changed: `count` rows now; cached rows at or after `changedFrom` are stale. */
  | { type: 'view'; version: number; count: number; changedFrom: number }
  | { type: 'status'; status: InspectorStatus }
  | { type: 'stats'; stats: InspectorStats }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'selectShard'; shardId: string }
  /** The last replay's undelivered records the panel holds (count 0: none any more), and where they were going. */
  | { type: 'undelivered'; count: number; target?: string };

export interface InspectorProtocol extends Protocol {
  requests: InspectorRequest;
  results: ReplyResults;
  commands: InspectorCommand;
  events: InspectorEvent;
}

/** The messages each way (the benchmark's test double speaks them). */
export type WebviewToHost = WebviewMessage<InspectorProtocol>;
export type HostToWebview = HostMessage<InspectorProtocol>;

/** What the webview persists with setState, and the serializer restores a panel from. */
export interface InspectorPanelState {
  connectionId: string;
  streamName: string;
  options?: InspectorOptions;
  filter?: InspectorFilter;
  sort?: SortOrder;
  /** Columns from fields (JMESPath or `format:column`). */
  columns?: string[];
  /** CloudWatch Logs payloads shown as one row per log event. */
  logEventRows?: boolean;
}

export function isInspectorPanelState(v: unknown): v is InspectorPanelState {
  const s = v as InspectorPanelState;
  return !!s && typeof s === 'object' && typeof s.connectionId === 'string' && typeof s.streamName === 'string';
}

// ---- checks of what the webview sends (it is input: keep only well-formed fields) ----

function str(v: unknown, max = 10_000): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function sanitizeFilter(f: InspectorFilter | undefined): InspectorFilter {
  const out: InspectorFilter = {};
  if (!f || typeof f !== 'object') return out;
  const pk = str(f.partitionKey, 256);
  if (pk) out.partitionKey = pk;
  if (Array.isArray(f.shards)) {
    const ids = f.shards.filter((s): s is string => typeof s === 'string' && s.length < 200);
    if (ids.length) out.shards = ids;
  }
  const from = num(f.from);
  const to = num(f.to);
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  const t = str(f.text, 1000);
  if (t) out.text = t;
  const j = str(f.jmespath, 4000);
  if (j?.trim()) out.jmespath = j;
  return out;
}

/** Where to start reading, checked; throws a UserError that says what is missing. */
export function sanitizeOptions(o: InspectorOptions | undefined): InspectorOptions {
  const shards = Array.isArray(o?.shards) ? o!.shards.filter((s): s is string => typeof s === 'string') : [];
  const p = o?.position;
  let position: InspectorOptions['position'] = { type: 'LATEST' };
  switch (p?.type) {
    case 'TRIM_HORIZON':
      position = { type: 'TRIM_HORIZON' };
      break;
    case 'AT_TIMESTAMP': {
      const ts = num(p.timestamp);
      if (ts === undefined) throw new UserError('Choose the date and time to start at.');
      position = { type: 'AT_TIMESTAMP', timestamp: ts };
      break;
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const seq = str(p.sequenceNumber, 128);
      const shardId = str(p.shardId, 128);
      if (!seq || !/^\d+$/.test(seq) || !shardId) throw new UserError('A sequence-number start needs the shard and a sequence number (digits).');
      position = { type: p.type, sequenceNumber: seq, shardId };
      break;
    }
  }
  const end = sanitizeEnd(o?.end);
  return end ? { position, shards: shards.length ? shards : 'all', end } : { position, shards: shards.length ? shards : 'all' };
}

/** A window's end from the webview: a time, a positive whole count, or both; undefined for none. */
export function sanitizeEnd(e: WindowEnd | undefined): WindowEnd | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const out: WindowEnd = {};
  const at = num(e.at);
  if (at !== undefined) out.at = at;
  if (e.count !== undefined) {
    const c = num(e.count);
    if (c === undefined || c < 1 || !Number.isInteger(c)) throw new UserError('The record count to stop at is a whole number of 1 or more.');
    out.count = c;
  }
  return out.at === undefined && out.count === undefined ? undefined : out;
}

/** Column specs from the webview: strings of reasonable length, no duplicates, at most MAX_FIELD_COLUMNS. */
export function sanitizeColumns(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const c of v) {
    const t = typeof c === 'string' ? c.trim() : '';
    if (t && t.length <= 500 && !out.includes(t)) out.push(t);
    if (out.length === MAX_FIELD_COLUMNS) break;
  }
  return out;
}

/** The sort order a webview asked for. */
export function sanitizeSort(v: unknown): SortOrder {
  return v === 'desc' ? 'desc' : 'asc';
}

/** A decoding a webview asked for: one of the known ones, else auto. */
export function sanitizeDecoding(v: unknown): DecodingChoice {
  return DECODING_CHOICES.includes(v as DecodingChoice) ? (v as DecodingChoice) : 'auto';
}
