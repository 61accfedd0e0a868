/**
 * The record inspector's view state and what is decided from it: the start position and filter
 * read from the forms (and back), the toolbar's enabled buttons, the shard strip, counts, the
 * notice shown, the detail's facts, and what the page persists. Pure (no DOM, no host): the view
 * modules render it, tests run it in plain Node.
 */
import type {
  DecodingChoice,
  InspectorFilter,
  InspectorOptions,
  InspectorPanelState,
  InspectorStats,
  InspectorStatus,
  RecordDetail,
  RowSummary,
  ShardChoice,
  SortOrder,
  StartPosition,
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
}

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
}

export const NO_RECORD_SELECTED = 'Select a record to see it decoded.';

export function initialState(): InspectorViewState {
  return {
    connectionId: '',
    streamName: '',
    connectionLabel: '',
    shards: [],
    options: { position: { type: 'LATEST' }, shards: 'all' },
    position: { type: 'LATEST', time: '', seq: '', seqShard: '', shards: [] },
    filter: {},
    filterForm: { key: '', shard: '', from: '', to: '', text: '', jmespath: '' },
    sort: 'asc',
    viewCount: 0,
    decodings: {},
    detailMessage: NO_RECORD_SELECTED,
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
  };
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
  return { position, shards: f.shards.length ? [...f.shards] : 'all' };
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
  if (d.explicitHashKey) facts.push(['Explicit hash key', d.explicitHashKey]);
  if (d.parts && d.parts > 1) facts.push(['Parts', `${d.parts} records; the first is shown`]);
  return facts;
}

/** How the detail body shows the text: as a JSON tree, a hex dump or plain text. */
export function detailBodyKind(d: RecordDetail): 'cloudwatch-logs' | 'json' | 'hex' | 'text' {
  if (d.cloudWatchLogs) return 'cloudwatch-logs';
  if (d.isJson && d.truncatedFrom === undefined) return 'json';
  return d.decodings.at(-1) === 'binary' ? 'hex' : 'text';
}

// ---- persistence ----

export function persisted(s: InspectorViewState): InspectorPanelState | undefined {
  if (!s.connectionId) return undefined;
  return { connectionId: s.connectionId, streamName: s.streamName, options: s.options, filter: s.filter, sort: s.sort };
}
