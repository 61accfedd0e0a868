/**
 * The record model shared by the reader, the decoders, the inspector and the notebook.
 * Agreed interface between the core reader (src/core/records/*) and the inspector UI.
 */
import type { CloudWatchLogEvent, CloudWatchLogsPayload } from './cloudwatchLogs';

/** Where reading starts on each shard. */
export type StartPosition =
  | { type: 'LATEST' }
  | { type: 'TRIM_HORIZON' }
  | { type: 'AT_TIMESTAMP'; timestamp: number /* epoch ms */ }
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string; shardId: string }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string; shardId: string };

/** A record as read from Kinesis, before decoding. */
export interface RawRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** epoch ms */
  arrivalTime: number;
  data: Uint8Array;
  encryptionType?: string;
}

/** Formats AWS producers put into streams, recognised per record. */
export type RecordFormatName = 'eventbridge' | 'cloudfront-realtime-log' | 'cloudwatch-logs' | 'cloudwatch-metric-stream' | 'dynamodb' | 'glue-schema-registry';

export type DecodingKind = 'text' | 'json' | 'binary' | 'base64' | 'gzip' | 'zlib' | 'kpl' | RecordFormatName;

/** One user-visible record after decoding (a KPL aggregate yields several, one per user record). */
export interface DecodedRecord {
  /** Unique within a reader session: `${shardId}/${sequenceNumber}` plus `/${subSequenceNumber}` for KPL. */
  id: string;
  shardId: string;
  sequenceNumber: string;
  /** For KPL user records. */
  subSequenceNumber?: number;
  partitionKey: string;
  explicitHashKey?: string;
  arrivalTime: number;
  /** Size of the raw payload in bytes. */
  size: number;
  /** The chain of decodings applied, outermost first, e.g. ['gzip', 'cloudwatch-logs']. */
  decodings: DecodingKind[];
  /**
   * The final form: a string of text, pretty JSON text, or hex dump for binary. On records made by
   * decodeRecord, pretty JSON and hex dumps are made when read (not held): read it once per use.
   */
  text: string;
  /** Parsed JSON when the final form is JSON (for JMESPath filtering). */
  json?: unknown;
  /** When a decoding was attempted and failed: why (the raw bytes are still shown). */
  error?: string;
  /** Base64 of the raw bytes, for "show raw", copy and export (made when read, on decodeRecord's records). */
  rawBase64: string;
  /** Set when the decoded output was cut at the decode budget: that budget in bytes (the raw bytes are whole). */
  truncatedAt?: number;
  /** About how much memory holding this record takes, in bytes (decodeRecord sets it). */
  memoryBytes?: number;
  /**
   * The recognised format of the final form (also the last of `decodings`); `json` then holds its
   * decoded value (see formats.ts for its columns and detail).
   */
  format?: RecordFormatName;
  /** A CloudWatch Logs CONTROL_MESSAGE (a health probe, not log data): decodeRecords hides these by default. */
  controlMessage?: boolean;
  /** With `cloudWatchLogs.rowPerEvent`: this row's log event, of how many in its payload. */
  logEvent?: { index: number; count: number };
  /** Glue Schema Registry records: the schema version id (also when its schema is not available: `error` says why). */
  schemaVersionId?: string;
  /** CloudWatch Logs subscription payloads: header fields and the log events as rows. */
  cloudWatchLogs?: Omit<CloudWatchLogsPayload, 'logEvents'> & { events: CloudWatchLogEvent[] };
}

/** Per-shard state the inspector shows. */
export interface ShardProgress {
  shardId: string;
  state: 'waiting-for-parent' | 'reading' | 'caught-up' | 'closed' | 'error';
  lastSequenceNumber?: string;
  millisBehindLatest?: number;
  recordsRead: number;
  error?: string;
}
