/**
 * The producer panel's protocol (webview/producer and src/vscode/producer) over the shared kit
 * (./rpc): requests, what each replies, commands, events, and the input checks the host runs on
 * what the webview sends. Types come from the core producer, never copied. No credentials ever
 * cross this boundary.
 */
import type { ProduceProgress } from '../core/producer/progress';
import type { PartitionKeySpec } from '../core/producer/partitionKey';
import { FIREHOSE_MAX_BYTES_PER_CALL, FIREHOSE_MAX_RECORD_BYTES, FIREHOSE_MAX_RECORDS_PER_CALL, MAX_BYTES_PER_CALL, MAX_PARTITION_KEY_LENGTH, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from '../core/producer/limits';
import type { ProduceTargetKind } from '../core/producer/recordData';
import { UserError } from '../core/aws/errors';
import type { Protocol } from './rpc';

export const PRODUCER_VIEW_TYPE = 'kinesis.producer';

export type DataFormat = 'text' | 'json' | 'base64';
export type FileFormatId = 'jsonl' | 'json' | 'csv' | 'text' | 'undelivered';

/** How a record gets its partition key: the core's own type. */
export type KeySpec = PartitionKeySpec;

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

/** The engine's progress, as it reports it. */
export type ProgressInfo = ProduceProgress;

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

export type ProducerCommand =
  | { type: 'start'; source: RunSource; settings: RunSettings }
  | { type: 'stop' }
  | { type: 'resend'; settings: RunSettings };

export type ProducerEvent =
  | { type: 'init'; streamName: string; connectionId: string; connectionLabel: string; templates: TemplateInfo[]; hasWorkspace: boolean; targetKind: ProduceTargetKind }
  | { type: 'runState'; state: RunState; source?: RunSource['type'] }
  | { type: 'progress'; progress: ProgressInfo }
  | { type: 'result'; result: ResultInfo }
  | { type: 'runError'; message: string };

export interface ProducerProtocol extends Protocol {
  requests: ProducerRequest;
  results: ProducerReplyResults;
  commands: ProducerCommand;
  events: ProducerEvent;
}

/** Limits the panel checks as you type and shows (the host checks again): the core's own, per target. */
export const LIMITS: Record<ProduceTargetKind, { maxRecordBytes: number; maxPartitionKeyLength?: number; recordsPerCall: number; bytesPerCall: number; call: string }> = {
  dataStream: { maxRecordBytes: MAX_RECORD_BYTES, maxPartitionKeyLength: MAX_PARTITION_KEY_LENGTH, recordsPerCall: MAX_RECORDS_PER_CALL, bytesPerCall: MAX_BYTES_PER_CALL, call: 'PutRecords' },
  deliveryStream: { maxRecordBytes: FIREHOSE_MAX_RECORD_BYTES, recordsPerCall: FIREHOSE_MAX_RECORDS_PER_CALL, bytesPerCall: FIREHOSE_MAX_BYTES_PER_CALL, call: 'PutRecordBatch' },
};

/** What the webview keeps in its state so that the panel can be restored after a reload. */
export interface ProducerPanelTarget {
  connectionId: string;
  streamName: string;
  /** A Firehose delivery stream (absent: a data stream, as panels saved before delivery streams). */
  kind?: ProduceTargetKind;
}

export function isProducerPanelTarget(v: unknown): v is ProducerPanelTarget {
  const t = v as ProducerPanelTarget | undefined;
  return !!t && typeof t.connectionId === 'string' && typeof t.streamName === 'string' && (t.kind === undefined || t.kind === 'dataStream' || t.kind === 'deliveryStream');
}

// ---- checks of what the webview sends (it is input: take only the fields we know, with sane bounds) ----

export function sanitizeKey(k: KeySpec | undefined): KeySpec {
  if (!k || typeof k !== 'object') return { type: 'random' };
  switch (k.type) {
    case 'fixed':
      return { type: 'fixed', value: String(k.value ?? '') };
    case 'field':
      return { type: 'field', field: String(k.field ?? '') };
    case 'template':
      return { type: 'template', template: String(k.template ?? '') };
    default:
      return { type: 'random' };
  }
}

export function sanitizeSettings(s: RunSettings): RunSettings {
  const rate = Number(s?.rate ?? 0);
  if (!Number.isFinite(rate) || rate < 0) throw new UserError('The rate is a number of records per second (0 for as fast as the stream accepts).');
  let amount: RunSettings['amount'];
  const a = s?.amount;
  if (a?.type === 'count') {
    const n = Math.floor(Number(a.count));
    if (!Number.isFinite(n) || n < 1) throw new UserError('The count is a whole number of records above 0.');
    amount = { type: 'count', count: n };
  } else if (a?.type === 'duration') {
    const secs = Number(a.seconds);
    if (!Number.isFinite(secs) || secs <= 0) throw new UserError('The duration is a number of seconds above 0.');
    amount = { type: 'duration', seconds: secs };
  } else {
    amount = { type: 'untilStopped' };
  }
  return { amount, rate, ordered: !!s?.ordered, aggregate: !!s?.aggregate, onInvalid: s?.onInvalid === 'skip' ? 'skip' : 'stop' };
}

/** A preview's record count: 1 to 20, 5 when the webview sent nonsense. */
export function sanitizePreviewCount(n: unknown): number {
  return Math.max(1, Math.min(20, Math.floor(Number(n)) || 5));
}
