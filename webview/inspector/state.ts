/**
 * The record inspector's view state and what is decided from it: the start position and filter
 * read from the forms (and back), the toolbar's enabled buttons, the shard strip, counts, the
 * notice shown, the detail's facts, and what the page persists. Pure (no DOM, no host): the view
 * modules render it, tests run it in plain Node.
 */
import {
  type DecodingChoice,
  type FormatInfo,
  type RecordFormatName,
  type WindowEnd,
  type InspectorFilter,
  type InspectorOptions,
  type InspectorPanelState,
  type InspectorStats,
  type InspectorStatus,
  type RecordDetail,
  type RowSummary,
  type ShardChoice,
  type SortOrder,
  type StartPosition,
} from '../../src/protocol/inspector';
import { formatDuration, formatFullTime, fromLocalInput, nf, toLocalInput } from '../shared/format';

export type PositionType = StartPosition['type'];
export type NoticeLevel = 'info' | 'warning' | 'error';

export interface PositionForm {
  type: PositionType;
  /** datetime-local text */
  time: string;
  seq: string;
  seqShard: string;
  /** Shards chosen in the toolbar; none: all. */
  shards: string[];
  /** Where the read ends: nowhere (it follows the stream), at a time, or after a count of records. */
  end: EndType;
  /** datetime-local text */
  endTime: string;
  endCount: string;
}

export type EndType = 'none' | 'time' | 'count';

/** Which format's columns the list shows: the one all shown records are of (auto), a chosen one, or none. */
export type ColumnChoice = 'auto' | 'none' | RecordFormatName;

export interface FilterForm {
  key: string;
  shard: string;
  from: string;
  to: string;
  text: string;
  jmespath: string;
}

export interface InspectorViewState {
  connectionId: string;
  streamName: string;
  connectionLabel: string;
  shards: ShardChoice[];
  options: InspectorOptions;
  position: PositionForm;
  filter: InspectorFilter;
  filterForm: FilterForm;
  /** A refused filter (bad JMESPath) or a warning about it. */
  filterProblem?: { message: string; invalid: boolean };
  sort: SortOrder;
  status?: InspectorStatus;
  stats?: InspectorStats;
  /** Rows in the filtered view (from the host's `view` events). */
  viewCount: number;
  selected?: RowSummary;
  /** Decodings chosen by hand, per record. */
  decodings: Record<string, DecodingChoice>;
  detail?: RecordDetail;
  /** Shown in the detail pane instead of a record. */
  detailMessage: string;
  notice?: { level: NoticeLevel; message: string };
  /** The recognised formats and their columns (from the host). */
  formats: FormatInfo[];
  columnChoice: ColumnChoice;
  /** Columns from fields (JMESPath or `format:column`), kept per stream with the panel. */
  columns: string[];
  /** The text of the "add a column" field, and why the last one was refused. */
  columnDraft: string;
  columnProblem?: string;
  /** CloudWatch Logs payloads shown as one row per log event (saved with the panel). */
  logEventRows: boolean;
  /** The last replay's undelivered records the host holds (until saved), and where they were going. */
  undelivered?: { count: number; target: string };
}

export const NO_RECORD_SELECTED = 'Select a record to see it decoded.';

export function initialState(): InspectorViewState {
  return {
    connectionId: '',
    streamName: '',
    connectionLabel: '',
    shards: [],
    options: { position: { type: 'LATEST' }, shards: 'all' },
    position: { type: 'LATEST', time: '', seq: '', seqShard: '', shards: [], end: 'none', endTime: '', endCount: '' },
    filter: {},
    filterForm: { key: '', shard: '', from: '', to: '', text: '', jmespath: '' },
    sort: 'asc',
    viewCount: 0,
    decodings: {},
    detailMessage: NO_RECORD_SELECTED,
    formats: [],
    columnChoice: 'auto',
    columns: [],
    columnDraft: '',
    logEventRows: false,
  };
}

// ---- start position ----

/** The toolbar's form for given options (a sequence start names its shard). */
export function positionForm(options: InspectorOptions, preselect?: string): PositionForm {
  const p = options.position;
  return {
    type: p.type,
    time: p.type === 'AT_TIMESTAMP' ? toLocalInput(p.timestamp) : '',
    seq: p.type === 'AT_SEQUENCE_NUMBER' || p.type === 'AFTER_SEQUENCE_NUMBER' ? p.sequenceNumber : '',
    seqShard: p.type === 'AT_SEQUENCE_NUMBER' || p.type === 'AFTER_SEQUENCE_NUMBER' ? p.shardId : preselect ?? '',
    shards: preselect ? [preselect] : options.shards === 'all' ? [] : [...options.shards],
    end: options.end?.count !== undefined ? 'count' : options.end?.at !== undefined ? 'time' : 'none',
    endTime: options.end?.at !== undefined ? toLocalInput(options.end.at) : '',
    endCount: options.end?.count !== undefined ? String(options.end.count) : '',
  };
}

/** Changing the end type: an end time gets a default five minutes after the start (or now). */
export function withEndType(f: PositionForm, end: EndType, now = Date.now()): PositionForm {
  const start = f.type === 'AT_TIMESTAMP' ? fromLocalInput(f.time) : undefined;
  return {
    ...f,
    end,
    endTime: end === 'time' && !f.endTime ? toLocalInput((start ?? now) + (start === undefined ? 0 : 5 * 60_000)) : f.endTime,
    endCount: end === 'count' && !f.endCount ? '1000' : f.endCount,
  };
}

/** The window's end from the form: none, an end, or what is wrong with it in words. */
export function windowEndFromForm(f: PositionForm): WindowEnd | undefined | string {
  if (f.end === 'time') {
    const at = fromLocalInput(f.endTime);
    if (at === undefined) return 'Choose the date and time to stop at.';
    const start = f.type === 'AT_TIMESTAMP' ? fromLocalInput(f.time) : undefined;
    if (start !== undefined && at < start) return 'The end is before the start: choose an end time after the start time.';
    // Whole seconds in the form: the end is the end of its second.
    return { at: at + 999 };
  }
  if (f.end === 'count') {
    const t = f.endCount.trim();
    if (!/^\d{1,9}$/.test(t) || Number(t) < 1) return 'The number of records to read is a whole number of 1 or more.';
    return { count: Number(t) };
  }
  return undefined;
}

/** Changing the position type: a timestamp start gets a default five minutes back. */
export function withPositionType(f: PositionForm, type: PositionType, now = Date.now()): PositionForm {
  return { ...f, type, time: type === 'AT_TIMESTAMP' && !f.time ? toLocalInput(now - 5 * 60_000) : f.time };
}

/** The options Play sends, or what is missing, in words. */
export function optionsFromForm(f: PositionForm, shards: ShardChoice[]): InspectorOptions | string {
  let position: StartPosition;
  switch (f.type) {
    case 'TRIM_HORIZON':
      position = { type: 'TRIM_HORIZON' };
      break;
    case 'AT_TIMESTAMP': {
      const ts = fromLocalInput(f.time);
      if (ts === undefined) return 'Choose the date and time to start at.';
      position = { type: 'AT_TIMESTAMP', timestamp: ts };
      break;
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const seq = f.seq.trim();
      if (!/^\d{1,128}$/.test(seq)) return 'A sequence number is digits only.';
      const shardId = f.seqShard || shards[0]?.shardId;
      if (!shardId) return 'Choose the shard of the sequence number.';
      position = { type: f.type, sequenceNumber: seq, shardId };
      break;
    }
    default:
      position = { type: 'LATEST' };
  }
  const end = windowEndFromForm(f);
  if (typeof end === 'string') return end;
  const options: InspectorOptions = { position, shards: f.shards.length ? [...f.shards] : 'all' };
  if (end) options.end = end;
  return options;
}

/** What the status says of the window: where the read ends, or that it ended there. */
export function windowText(status: InspectorStatus | undefined): string | undefined {
  if (!status) return undefined;
  if (status.ended) {
    const where = status.ended.reason === 'count' ? `after ${nf.format(status.ended.recordsRead)} records (the count asked)` : `at the end time${status.end?.at !== undefined ? ` ${formatFullTime(status.end.at)}` : ''}`;
    return `Stopped ${where}: ${nf.format(status.ended.recordsRead)} records read.`;
  }
  if (status.state === 'stopped' || !status.end) return undefined;
  const parts: string[] = [];
  if (status.end.at !== undefined) parts.push(`until ${formatFullTime(status.end.at)}`);
  if (status.end.count !== undefined) parts.push(`for ${nf.format(status.end.count)} records`);
  return `Reading ${parts.join(' or ')}.`;
}

// ---- filter ----

export function filterForm(f: InspectorFilter): FilterForm {
  return {
    key: f.partitionKey ?? '',
    shard: f.shards?.[0] ?? '',
    from: toLocalInput(f.from),
    // Whole seconds: `to` was widened to the end of its second.
    to: toLocalInput(f.to),
    text: f.text ?? '',
    jmespath: f.jmespath ?? '',
  };
}

export function filterFromForm(f: FilterForm): InspectorFilter {
  const out: InspectorFilter = {};
  if (f.key.trim()) out.partitionKey = f.key.trim();
  if (f.shard) out.shards = [f.shard];
  const from = fromLocalInput(f.from);
  const to = fromLocalInput(f.to);
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to + 999;
  if (f.text) out.text = f.text;
  if (f.jmespath.trim()) out.jmespath = f.jmespath.trim();
  return out;
}

export const EMPTY_FILTER_FORM: FilterForm = { key: '', shard: '', from: '', to: '', text: '', jmespath: '' };

// ---- toolbar, strip, counts ----

const STATE_LABELS: Record<string, string> = { stopped: 'Stopped', starting: 'Starting…', playing: 'Reading', paused: 'Paused' };
const SHARD_STATE_TEXT: Record<string, string> = { 'waiting-for-parent': 'waiting for parent', reading: 'reading', 'caught-up': 'at tip', closed: 'closed', error: 'error' };

export interface ToolbarView {
  stateLabel: string;
  stateClass: string;
  playLabel: 'Play' | 'Resume';
  canPlay: boolean;
  canPause: boolean;
  canStop: boolean;
  /** Start position and shards can be changed only when stopped. */
  formEnabled: boolean;
}

export function toolbarView(status: InspectorStatus | undefined): ToolbarView {
  const state = status?.state ?? 'stopped';
  return {
    stateLabel: STATE_LABELS[state] ?? state,
    stateClass: state,
    playLabel: state === 'paused' ? 'Resume' : 'Play',
    canPlay: state !== 'playing' && state !== 'starting',
    canPause: state === 'playing',
    canStop: state !== 'stopped',
    formEnabled: state === 'stopped',
  };
}

export interface ShardChip {
  shardId: string;
  state: string;
  label: string;
  title: string;
}

export function shardChips(status: InspectorStatus | undefined): ShardChip[] {
  return (status?.shards ?? []).map((p) => {
    const behind = p.millisBehindLatest === undefined ? '' : ` · ${formatDuration(p.millisBehindLatest)} behind`;
    return {
      shardId: p.shardId,
      state: p.state,
      label: ` ${SHARD_STATE_TEXT[p.state] ?? p.state}${behind} · ${nf.format(p.recordsRead)} read`,
      title: `${p.shardId}${p.lastSequenceNumber ? `\nlast sequence number ${p.lastSequenceNumber}` : ''}${p.error ? `\n${p.error}` : ''}`,
    };
  });
}

export function matchCountText(status: InspectorStatus | undefined): string {
  if (!status) return '';
  return status.matching === status.held ? `${nf.format(status.held)} records` : `${nf.format(status.matching)} of ${nf.format(status.held)} records`;
}

/** What the list says when it has no row to show; undefined when it has rows. */
export function emptyHint(s: InspectorViewState): string | undefined {
  const st = s.status;
  if (s.viewCount > 0) return undefined;
  if (st && st.held > 0) return 'No record matches the filter.';
  return !st || st.state === 'stopped' ? 'No records yet. Choose where to start and press Play.' : 'Waiting for records…';
}

/** The notice line: a reading error first, then a message of the moment, then the cap. */
export function noticeShown(s: InspectorViewState): InspectorViewState['notice'] {
  if (s.status?.error) return { level: 'error', message: s.status.error };
  if (s.notice) return s.notice;
  const st = s.status;
  if (st?.ended) return { level: 'info', message: windowText(st)! };
  if (st && st.dropped > 0) {
    return { level: 'warning', message: `Holding the newest ${nf.format(st.maxRecords)} records: ${nf.format(st.dropped)} older ones were dropped (setting kinesis.inspector.maxRecords).` };
  }
  return undefined;
}

// ---- detail ----

export function decodingFor(s: InspectorViewState, id: string): DecodingChoice {
  return s.decodings[id] ?? 'auto';
}

export function withDecoding(s: InspectorViewState, id: string, d: DecodingChoice): Record<string, DecodingChoice> {
  const next = { ...s.decodings };
  if (d === 'auto') delete next[id];
  else next[id] = d;
  return next;
}

export function detailFacts(d: RecordDetail): [string, string][] {
  const facts: [string, string][] = [
    ['Shard', d.shardId],
    ['Partition key', d.partitionKey],
    ['Sequence number', d.subSequenceNumber === undefined ? d.sequenceNumber : `${d.sequenceNumber} (user record ${d.subSequenceNumber})`],
    ['Arrived', formatFullTime(d.arrivalTime)],
    ['Size', `${nf.format(d.size)} bytes`],
    ['Decoded as', d.decodings.length ? d.decodings.join(' → ') : 'raw'],
  ];
  if (d.format) facts.push(['Format', `${d.format.title} (${d.format.layers})`]);
  if (d.explicitHashKey) facts.push(['Explicit hash key', d.explicitHashKey]);
  if (d.logEvent) facts.push(['Log event', `${nf.format(d.logEvent.index + 1)} of ${nf.format(d.logEvent.count)} in this record (replay sends the record once)`]);
  if (d.parts && d.parts > 1) facts.push(['Parts', `${d.parts} records; the first is shown`]);
  return facts;
}

/** How the detail body shows the text: as a JSON tree, a hex dump or plain text. */
export function detailBodyKind(d: RecordDetail): 'cloudwatch-logs' | 'format' | 'json' | 'hex' | 'text' {
  if (d.cloudWatchLogs) return 'cloudwatch-logs';
  if (d.format?.detail?.sections.length) return 'format';
  if (d.isJson && d.truncatedFrom === undefined) return 'json';
  return d.decodings.at(-1) === 'binary' ? 'hex' : 'text';
}

/** How many CloudWatch Logs control messages (health probes) were hidden, in words; undefined for none. */
export function hiddenText(status: InspectorStatus | undefined): string | undefined {
  const n = status?.controlMessagesHidden ?? 0;
  return n ? `${nf.format(n)} CloudWatch Logs control message${n === 1 ? '' : 's'} hidden` : undefined;
}

// ---- persistence ----

export function persisted(s: InspectorViewState): InspectorPanelState | undefined {
  if (!s.connectionId) return undefined;
  const p: InspectorPanelState = { connectionId: s.connectionId, streamName: s.streamName, options: s.options, filter: s.filter, sort: s.sort };
  if (s.columns.length) p.columns = [...s.columns];
  if (s.logEventRows) p.logEventRows = true;
  return p;
}
