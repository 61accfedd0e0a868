/**
 * The record inspector's message protocol between the extension host (which runs the reader,
 * decoders and filters and holds the records) and the webview (which shows a window of them).
 *
 * - The webview posts `ready` first; the host answers with `init`.
 * - Requests carry an `id`; the host answers each with exactly one `reply` of the same id
 *   (`ok: false` with a plain-words `error` when it failed).
 * - The host never sends credentials: only stream/shard names, record data and statistics.
 * - Record content travels as strings and is rendered as text (textContent), never as HTML.
 *
 * Shared by both sides: no imports of `vscode`, Node or DOM APIs here.
 */
import type { DecodingKind, ShardProgress, StartPosition } from '../core/records/types';

export type { DecodingKind, ShardProgress, StartPosition };

/** The webview panel type (also the serializer's key). */
export const INSPECTOR_VIEW_TYPE = 'kinesis.inspector';

/** How a record is decoded: detected per record, or forced by hand. */
export type DecodingChoice = 'auto' | DecodingKind;
export const DECODING_CHOICES: readonly DecodingChoice[] = ['auto', 'text', 'json', 'binary', 'base64', 'gzip', 'zlib', 'kpl', 'cloudwatch-logs'];

/** What to read: where to start and which shards ('all' includes children born while reading). */
export interface InspectorOptions {
  position: StartPosition;
  shards: 'all' | string[];
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
export interface RowSummary {
  id: string;
  arrivalTime: number;
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  size: number;
  /** The start of the decoded text on one line. */
  preview: string;
  decodings: DecodingKind[];
  failed: boolean;
}

/** The selected record, decoded as asked. */
export interface RecordDetail {
  id: string;
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  partitionKey: string;
  explicitHashKey?: string;
  arrivalTime: number;
  size: number;
  decoding: DecodingChoice;
  decodings: DecodingKind[];
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
  cloudWatchLogs?: {
    messageType: string;
    owner?: string;
    logGroup: string;
    logStream: string;
    subscriptionFilters?: string[];
    events: { id: string; timestamp: number; message: string }[];
    totalEvents: number;
  };
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
  | { type: 'sendToNotebook'; id: number };

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
}

/** Messages the webview posts to the host. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'start'; options: InspectorOptions }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'clear' }
  | { type: 'setSort'; order: SortOrder }
  | { type: 'refreshShards' }
  | InspectorRequest;

export type ReplyMessage = {
  [K in keyof ReplyResults]: { type: 'reply'; id: number; request: K; ok: true; result: ReplyResults[K] };
}[keyof ReplyResults] | { type: 'reply'; id: number; request: InspectorRequest['type']; ok: false; error: string };

/** Messages the host posts to the webview. */
export type HostToWebview =
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
    }
  | { type: 'shards'; shards: ShardChoice[] }
  /** The filtered view changed: `count` rows now; cached rows at or after `changedFrom` are stale. */
  | { type: 'view'; version: number; count: number; changedFrom: number }
  | { type: 'status'; status: InspectorStatus }
  | { type: 'stats'; stats: InspectorStats }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'selectShard'; shardId: string }
  | ReplyMessage;

/** What the webview persists with setState, and the serializer restores a panel from. */
export interface InspectorPanelState {
  connectionId: string;
  streamName: string;
  options?: InspectorOptions;
  filter?: InspectorFilter;
  sort?: SortOrder;
}

export function isInspectorPanelState(v: unknown): v is InspectorPanelState {
  const s = v as InspectorPanelState;
  return !!s && typeof s === 'object' && typeof s.connectionId === 'string' && typeof s.streamName === 'string';
}
