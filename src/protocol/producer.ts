/**
 * Messages between the producer panel (webview/producer) and the extension host
 * (src/vscode/producer). The webview posts `ready` first; requests carry an id and get one
 * `reply` with the same id. No credentials ever cross this boundary.
 */

export const PRODUCER_VIEW_TYPE = 'kinesis.producer';

export type DataFormat = 'text' | 'json' | 'base64';
export type FileFormatId = 'jsonl' | 'json' | 'csv' | 'text' | 'undelivered';

export type KeySpec =
  | { type: 'random' }
  | { type: 'fixed'; value: string }
  | { type: 'field'; field: string }
  | { type: 'template'; template: string };

export type Amount = { type: 'count'; count: number } | { type: 'duration'; seconds: number } | { type: 'untilStopped' };

export interface RunSettings {
  amount: Amount;
  /** Records per second; 0 = as fast as the stream accepts. */
  rate: number;
  ordered: boolean;
  /** Pack records into KPL aggregated records (consumers deaggregate). */
  aggregate?: boolean;
  onInvalid: 'skip' | 'stop';
}

export type RunSource =
  | { type: 'template'; template: string; partitionKey: KeySpec }
  | { type: 'file'; path: string; format: FileFormatId; partitionKey: KeySpec }
  /** The undelivered records of the last run. */
  | { type: 'undelivered' };

export interface TemplateInfo {
  id: string;
  name: string;
  description?: string;
  origin: 'builtin' | 'workspace';
  template: string;
  partitionKey: KeySpec;
}

export interface ShardTotalsInfo {
  records: number;
  bytes: number;
}

export interface ProgressInfo {
  elapsedMs: number;
  read: number;
  sent: number;
  bytesSent: number;
  retried: number;
  callsFailed: number;
  undelivered: number;
  rejected: number;
  inFlight: number;
  pending: number;
  recordsPerSecond: number;
  bytesPerSecond: number;
  shards: Record<string, ShardTotalsInfo>;
  expectedTotal?: number;
  durationMs?: number;
}

export interface ResultInfo extends ProgressInfo {
  status: 'completed' | 'stopped' | 'failed';
  error?: string;
  /** The first input problems (rejected counts them all). */
  problems: { origin: string; message: string }[];
  /** Shown in the list; all of them can be saved. */
  undeliveredSample: { partitionKey: string; error: string; origin?: string }[];
}

export type RunState = 'idle' | 'running' | 'stopping';

export interface PutOneReply {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
}

export interface PreviewReply {
  records: { partitionKey: string; data: string }[];
}

export interface PickFileReply {
  path: string;
  name: string;
  size: number;
  format: FileFormatId;
}

export type ProducerRequest =
  | { type: 'putOne'; id: number; partitionKey: string; explicitHashKey: string; data: string; format: DataFormat }
  | { type: 'preview'; id: number; template: string; partitionKey: KeySpec; count: number }
  | { type: 'pickFile'; id: number }
  | { type: 'saveTemplate'; id: number; name: string; template: string; partitionKey: KeySpec }
  | { type: 'reloadTemplates'; id: number }
  | { type: 'saveUndelivered'; id: number };

export interface ProducerReplyResults {
  putOne: PutOneReply;
  preview: PreviewReply;
  pickFile: PickFileReply | undefined;
  saveTemplate: { path: string; templates: TemplateInfo[] };
  reloadTemplates: TemplateInfo[];
  saveUndelivered: { path: string } | undefined;
}

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'start'; source: RunSource; settings: RunSettings }
  | { type: 'stop' }
  | { type: 'resend'; settings: RunSettings }
  | ProducerRequest;

export type HostToWebview =
  | { type: 'init'; streamName: string; connectionId: string; connectionLabel: string; templates: TemplateInfo[]; hasWorkspace: boolean }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'runState'; state: RunState; source?: RunSource['type'] }
  | { type: 'progress'; progress: ProgressInfo }
  | { type: 'result'; result: ResultInfo }
  | { type: 'runError'; message: string };

/** Limits the panel checks as you type (the host checks again). */
export const LIMITS = {
  maxRecordBytes: 1024 * 1024,
  maxPartitionKeyLength: 256,
  maxHashKey: '340282366920938463463374607431768211455',
};

/** What the webview keeps in its state so that the panel can be restored after a reload. */
export interface ProducerPanelTarget {
  connectionId: string;
  streamName: string;
}

export function isProducerPanelTarget(v: unknown): v is ProducerPanelTarget {
  const t = v as ProducerPanelTarget | undefined;
  return !!t && typeof t.connectionId === 'string' && typeof t.streamName === 'string';
}
