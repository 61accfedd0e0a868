import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import './shardSelect';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import './inspector.css';

import type {
  DecodingChoice,
  HostToWebview,
  InspectorFilter,
  InspectorOptions,
  InspectorStats,
  InspectorStatus,
  RecordDetail,
  RowSummary,
  ShardChoice,
  SortOrder,
  StartPosition,
} from '../../src/protocol/inspector';
import { DECODING_CHOICES } from '../../src/protocol/inspector';
import { HostChannel } from './rpc';
import { h, text, nf, formatBytes, formatDuration, formatFullTime, fromLocalInput, toLocalInput } from './dom';
import { VirtualTable, shortShard } from './table';
import { renderJson } from './jsonView';
import { drawStats } from './charts';

type Field = HTMLElement & { value: string; invalid?: boolean; disabled?: boolean };
type MultiField = HTMLElement & { value: string[] };

const DECODING_LABELS: Record<DecodingChoice, string> = {
  auto: 'Auto-detect',
  text: 'Text (UTF-8)',
  json: 'JSON',
  binary: 'Binary (hex)',
  base64: 'Base64',
  gzip: 'gzip',
  zlib: 'zlib',
  kpl: 'KPL aggregate',
  'cloudwatch-logs': 'CloudWatch Logs',
};

const host = new HostChannel();

// ---- state ----
let connectionId = '';
let streamName = '';
let shards: ShardChoice[] = [];
let options: InspectorOptions = { position: { type: 'LATEST' }, shards: 'all' };
let filter: InspectorFilter = {};
let sort: SortOrder = 'asc';
let status: InspectorStatus | undefined;
let lastStats: InspectorStats | undefined = { rates: [], perShard: [], topKeys: [] };
let selected: RowSummary | undefined;
let decoding: DecodingChoice = 'auto';
const perRecordDecoding = new Map<string, DecodingChoice>();

function persist(): void {
  if (connectionId) host.setState({ connectionId, streamName, options, filter, sort });
}

// ---- toolbar ----
function option(value: string, label: string, selectedValue?: string): HTMLElement {
  const o = h('vscode-option', { value }, label);
  if (value === selectedValue) o.setAttribute('selected', '');
  return o;
}

const positionSelect = h('vscode-single-select', { id: 'position', 'aria-label': 'Start position' },
  option('LATEST', 'Latest (tail)'),
  option('TRIM_HORIZON', 'Trim horizon (oldest)'),
  option('AT_TIMESTAMP', 'At timestamp'),
  option('AT_SEQUENCE_NUMBER', 'At sequence number'),
  option('AFTER_SEQUENCE_NUMBER', 'After sequence number'),
) as Field;
const startTime = h('vscode-textfield', { id: 'startTime', type: 'datetime-local', 'aria-label': 'Start timestamp', step: 1 }) as Field;
const startSeq = h('vscode-textfield', { id: 'startSeq', placeholder: 'Sequence number', 'aria-label': 'Start sequence number' }) as Field;
const startSeqShard = h('vscode-single-select', { id: 'startSeqShard', 'aria-label': 'Shard of the sequence number' }) as Field;
const shardSelect = h('kinesis-shard-select', { id: 'shards', 'aria-label': 'Shards to read (none chosen: all)' }) as MultiField;
const playBtn = h('vscode-button', { id: 'play', icon: 'play', title: 'Start reading (or resume)' }, 'Play');
const pauseBtn = h('vscode-button', { id: 'pause', icon: 'debug-pause', secondary: true, title: 'Pause reading (records stay)', 'aria-label': 'Pause' });
const stopBtn = h('vscode-button', { id: 'stop', icon: 'debug-stop', secondary: true, title: 'Stop reading', 'aria-label': 'Stop' });
const clearBtn = h('vscode-button', { id: 'clear', icon: 'clear-all', secondary: true, title: 'Clear: drop all held records', 'aria-label': 'Clear' });
const exportJsonl = h('vscode-button', { id: 'exportJsonl', icon: 'export', secondary: true, title: 'Export the filtered records to a JSON Lines file' }, 'JSONL');
const exportCsv = h('vscode-button', { id: 'exportCsv', icon: 'export', secondary: true, title: 'Export the filtered records to a CSV file' }, 'CSV');
const notebookBtn = h('vscode-button', { id: 'toNotebook', icon: 'notebook', secondary: true, title: 'Open a transform notebook with the filtered records (the newest 500) as its sample' }, 'Notebook');
const stateBadge = h('span', { class: 'state', id: 'state', role: 'status' });
const seqGroup = h('span', { class: 'group' }, startSeqShard, startSeq);

const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Reading' },
  h('span', { class: 'title' }, h('span', { class: 'codicon codicon-eye' }), h('strong', { id: 'streamName' }, ''), h('span', { class: 'muted', id: 'connLabel' }, '')),
  h('label', { class: 'lbl', for: 'position' }, 'Start'), positionSelect, startTime, seqGroup,
  h('label', { class: 'lbl', for: 'shards' }, 'Shards'), shardSelect,
  playBtn, pauseBtn, stopBtn, stateBadge,
  h('span', { class: 'spacer' }),
  clearBtn,
  h('span', { class: 'lbl' }, 'Export'), exportJsonl, exportCsv, notebookBtn,
);

const shardStrip = h('div', { class: 'shard-strip', id: 'shardStrip', role: 'list', 'aria-label': 'Shard status' });

// ---- filter bar ----
const fKey = h('vscode-textfield', { id: 'fKey', placeholder: 'Partition key', 'aria-label': 'Filter by partition key' }) as Field;
const fShard = h('vscode-single-select', { id: 'fShard', 'aria-label': 'Filter by shard' }) as Field;
const fFrom = h('vscode-textfield', { id: 'fFrom', type: 'datetime-local', step: 1, 'aria-label': 'Arrived at or after' }) as Field;
const fTo = h('vscode-textfield', { id: 'fTo', type: 'datetime-local', step: 1, 'aria-label': 'Arrived at or before' }) as Field;
const fText = h('vscode-textfield', { id: 'fText', placeholder: 'Search text', 'aria-label': 'Filter by text' }) as Field;
const fJmes = h('vscode-textfield', { id: 'fJmes', class: 'jmes', placeholder: "JMESPath, e.g. level == 'ERROR' && latency > `100`", 'aria-label': 'Filter by JMESPath expression' }) as Field;
const fClear = h('vscode-button', { id: 'fClear', icon: 'clear-all', secondary: true, title: 'Clear the filter' }, 'Reset');
const fError = h('div', { class: 'filter-error', id: 'filterError', role: 'alert' });
const matchCount = h('span', { class: 'muted', id: 'matchCount' });
fError.hidden = true;
const filterBar = h('div', { class: 'filterbar', role: 'search' },
  h('span', { class: 'codicon codicon-filter', title: 'Filter' }),
  fKey, fShard, h('span', { class: 'lbl' }, 'From'), fFrom, h('span', { class: 'lbl' }, 'to'), fTo, fText, fJmes, fClear, matchCount,
);

const notice = h('div', { class: 'notice', id: 'notice', role: 'status' });
notice.hidden = true;

// ---- charts ----
const canvases = {
  rates: h('canvas', { class: 'chart', id: 'chartRates', 'aria-label': 'Records and bytes per second' }),
  shards: h('canvas', { class: 'chart', id: 'chartShards', 'aria-label': 'Records per shard' }),
  keys: h('canvas', { class: 'chart', id: 'chartKeys', 'aria-label': 'Top partition keys' }),
};
const charts = h('vscode-collapsible', { heading: 'Charts', open: true, class: 'charts' },
  h('div', { class: 'charts-row' }, canvases.rates, canvases.shards, canvases.keys));

// ---- table + detail ----
const table = new VirtualTable(
  (version, start, count) => host.request<'getRows'>({ type: 'getRows', version, start, count }),
  (row) => select(row),
  (order) => {
    sort = order;
    host.post({ type: 'setSort', order });
    persist();
  },
);
const emptyHint = h('div', { class: 'empty', id: 'empty' }, 'No records yet. Choose where to start and press Play.');

const decodingSelect = h('vscode-single-select', { id: 'decoding', 'aria-label': 'Decoding' },
  ...DECODING_CHOICES.map((d) => option(d, DECODING_LABELS[d], 'auto'))) as Field;
const copyBtn = h('vscode-button', { id: 'copy', icon: 'copy', secondary: true, title: 'Copy the record as JSON' }, 'Copy');
const openBtn = h('vscode-button', { id: 'open', icon: 'go-to-file', secondary: true, title: 'Open the record in an editor tab' }, 'Open');
const detailMeta = h('dl', { class: 'meta', id: 'detailMeta' });
const detailError = h('div', { class: 'decode-error', id: 'decodeError', role: 'alert' });
detailError.hidden = true;
const detailBody = h('div', { class: 'detail-body', id: 'detailBody' });
const rawHex = h('pre', { class: 'raw', id: 'rawHex' });
const rawBox = h('vscode-collapsible', { heading: 'Raw bytes', class: 'raw-box' }, rawHex);
const detail = h('section', { class: 'detail', id: 'detail', 'aria-label': 'Selected record' },
  h('div', { class: 'detail-toolbar' }, h('strong', {}, 'Record'), h('span', { class: 'spacer' }), decodingSelect, copyBtn, openBtn),
  detailMeta, detailError, detailBody, rawBox);
showDetailPlaceholder();

const main = h('div', { class: 'main' }, h('div', { class: 'list' }, table.root, emptyHint), detail);

document.body.append(toolbar, shardStrip, filterBar, fError, notice, charts, main);

// ---- behaviour ----
function positionFromUi(): StartPosition | string {
  switch (positionSelect.value) {
    case 'TRIM_HORIZON':
      return { type: 'TRIM_HORIZON' };
    case 'AT_TIMESTAMP': {
      const ts = fromLocalInput(startTime.value);
      return ts === undefined ? 'Choose the date and time to start at.' : { type: 'AT_TIMESTAMP', timestamp: ts };
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const seq = startSeq.value.trim();
      if (!/^\d{1,128}$/.test(seq)) return 'A sequence number is digits only.';
      const shardId = startSeqShard.value || shards[0]?.shardId;
      if (!shardId) return 'Choose the shard of the sequence number.';
      return { type: positionSelect.value, sequenceNumber: seq, shardId };
    }
    default:
      return { type: 'LATEST' };
  }
}

function syncPositionFields(): void {
  const t = positionSelect.value;
  startTime.hidden = t !== 'AT_TIMESTAMP';
  seqGroup.hidden = !t.endsWith('SEQUENCE_NUMBER');
  if (t === 'AT_TIMESTAMP' && !startTime.value) startTime.value = toLocalInput(Date.now() - 5 * 60_000);
}
positionSelect.addEventListener('change', syncPositionFields);

playBtn.addEventListener('click', () => {
  if (status?.state === 'paused') {
    host.post({ type: 'resume' });
    return;
  }
  const position = positionFromUi();
  if (typeof position === 'string') {
    showNotice('error', position);
    return;
  }
  const chosen = shardSelect.value ?? [];
  options = { position, shards: chosen.length ? [...chosen] : 'all' };
  persist();
  host.post({ type: 'start', options });
});
pauseBtn.addEventListener('click', () => host.post({ type: 'pause' }));
stopBtn.addEventListener('click', () => host.post({ type: 'stop' }));
clearBtn.addEventListener('click', () => host.post({ type: 'clear' }));
for (const [btn, format] of [[exportJsonl, 'jsonl'], [exportCsv, 'csv']] as const) {
  btn.addEventListener('click', () => {
    host.request<'export'>({ type: 'export', format }).then(
      (r) => { if (r.path) showNotice('info', `Exported ${nf.format(r.written)} records to ${r.path}.`); },
      (e: Error) => showNotice('error', e.message),
    );
  });
}

notebookBtn.addEventListener('click', () => {
  host.request<'sendToNotebook'>({ type: 'sendToNotebook' }).then(
    (r) => showNotice('info', r.sent < r.of ? `Sent the newest ${nf.format(r.sent)} of ${nf.format(r.of)} records to a transform notebook.` : `Sent ${nf.format(r.sent)} records to a transform notebook.`),
    (e: Error) => showNotice('error', e.message),
  );
});

// filter: debounced, errors inline
let filterTimer: ReturnType<typeof setTimeout> | undefined;
function filterFromUi(): InspectorFilter {
  const f: InspectorFilter = {};
  if (fKey.value.trim()) f.partitionKey = fKey.value.trim();
  if (fShard.value) f.shards = [fShard.value];
  const from = fromLocalInput(fFrom.value);
  const to = fromLocalInput(fTo.value);
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to + 999;
  if (fText.value) f.text = fText.value;
  if (fJmes.value.trim()) f.jmespath = fJmes.value.trim();
  return f;
}
function applyFilter(): void {
  filter = filterFromUi();
  persist();
  host.request<'setFilter'>({ type: 'setFilter', filter }).then(
    (r) => {
      fError.hidden = !r.warning;
      if (r.warning) text(fError, `The expression failed on some records: ${r.warning}`);
      fJmes.invalid = false;
    },
    (e: Error) => {
      text(fError, e.message);
      fError.hidden = false;
      fJmes.invalid = true;
    },
  );
}
function scheduleFilter(): void {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(applyFilter, 300);
}
for (const f of [fKey, fText, fJmes]) f.addEventListener('input', scheduleFilter);
for (const f of [fShard, fFrom, fTo]) f.addEventListener('change', scheduleFilter);
for (const f of [fKey, fText, fJmes]) f.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') { clearTimeout(filterTimer); applyFilter(); } });
fClear.addEventListener('click', () => {
  for (const f of [fKey, fFrom, fTo, fText, fJmes]) f.value = '';
  fShard.value = '';
  clearTimeout(filterTimer);
  applyFilter();
});

// detail
function decodingFor(id: string): DecodingChoice {
  return perRecordDecoding.get(id) ?? 'auto';
}
decodingSelect.addEventListener('change', () => {
  if (!selected) return;
  decoding = decodingSelect.value as DecodingChoice;
  if (decoding === 'auto') perRecordDecoding.delete(selected.id);
  else perRecordDecoding.set(selected.id, decoding);
  void loadDetail(selected.id);
});
copyBtn.addEventListener('click', () => {
  if (selected) host.request<'copyRecord'>({ type: 'copyRecord', recordId: selected.id, decoding: decodingFor(selected.id) }).then(
    () => showNotice('info', 'Copied the record as JSON.'), (e: Error) => showNotice('error', e.message));
});
openBtn.addEventListener('click', () => {
  if (selected) host.request<'openRecord'>({ type: 'openRecord', recordId: selected.id, decoding: decodingFor(selected.id) }).catch((e: Error) => showNotice('error', e.message));
});

function select(row: RowSummary): void {
  if (selected?.id === row.id) return;
  selected = row;
  decodingSelect.value = decodingFor(row.id);
  void loadDetail(row.id);
}

let detailToken = 0;
async function loadDetail(id: string): Promise<void> {
  const token = ++detailToken;
  try {
    const d = await host.request<'getRecord'>({ type: 'getRecord', recordId: id, decoding: decodingFor(id) });
    if (token === detailToken) showDetail(d);
  } catch (e) {
    if (token !== detailToken) return;
    showDetailPlaceholder((e as Error).message);
  }
}

function showDetailPlaceholder(message = 'Select a record to see it decoded.'): void {
  detailMeta.replaceChildren();
  detailError.hidden = true;
  detailBody.replaceChildren(h('div', { class: 'muted placeholder' }, message));
  rawHex.textContent = '';
  rawBox.hidden = true;
  for (const b of [copyBtn, openBtn, decodingSelect] as Field[]) b.disabled = true;
}

function showDetail(d: RecordDetail): void {
  for (const b of [copyBtn, openBtn, decodingSelect] as Field[]) b.disabled = false;
  const meta: [string, string][] = [
    ['Shard', d.shardId],
    ['Partition key', d.partitionKey],
    ['Sequence number', d.subSequenceNumber === undefined ? d.sequenceNumber : `${d.sequenceNumber} (user record ${d.subSequenceNumber})`],
    ['Arrived', formatFullTime(d.arrivalTime)],
    ['Size', `${nf.format(d.size)} bytes`],
    ['Decoded as', d.decodings.length ? d.decodings.join(' → ') : 'raw'],
  ];
  if (d.explicitHashKey) meta.push(['Explicit hash key', d.explicitHashKey]);
  if (d.parts && d.parts > 1) meta.push(['Parts', `${d.parts} records; the first is shown`]);
  detailMeta.replaceChildren(...meta.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  if (d.error) {
    detailError.replaceChildren(h('span', { class: 'codicon codicon-warning' }), document.createTextNode(` Could not decode: ${d.error}`));
    detailError.hidden = false;
  } else detailError.hidden = true;
  let body: HTMLElement;
  if (d.cloudWatchLogs) {
    body = logEventsView(d.cloudWatchLogs);
  } else if (d.isJson && d.truncatedFrom === undefined) {
    try {
      body = renderJson(JSON.parse(d.text));
    } catch {
      body = h('pre', { class: 'text' }, d.text);
    }
  } else {
    body = h('pre', { class: 'text' + (d.decodings.at(-1) === 'binary' ? ' hex' : '') }, d.text);
  }
  const parts: HTMLElement[] = [body];
  if (d.truncatedFrom !== undefined) parts.push(h('div', { class: 'muted' }, `Showing the first ${nf.format(d.text.length)} of ${nf.format(d.truncatedFrom)} characters: open it in an editor to see it all.`));
  if (d.decodeTruncatedAt !== undefined) {
    parts.unshift(h('div', { class: 'muted decode-truncated', role: 'note' }, `Decoded output truncated at ${nf.format(d.decodeTruncatedAt / 1024 / 1024)} MiB (a record may decode to no more); the raw bytes below are whole.`));
  }
  detailBody.replaceChildren(...parts);
  rawHex.textContent = d.rawHex;
  rawBox.hidden = false;
  rawBox.toggleAttribute('open', !!d.error);
}

/** CloudWatch Logs subscription payload: the header, then one row per log event (text only). */
function logEventsView(c: NonNullable<RecordDetail['cloudWatchLogs']>): HTMLElement {
  const head = h('div', { class: 'cwl-head' },
    h('span', { class: 'codicon codicon-output' }), ' ',
    h('strong', {}, c.logGroup), ' · ', c.logStream,
    h('span', { class: 'muted' }, ` · ${c.messageType}${c.owner ? ` · owner ${c.owner}` : ''}${c.subscriptionFilters?.length ? ` · filter ${c.subscriptionFilters.join(', ')}` : ''}`));
  const rows = c.events.map((e) => h('tr', {}, h('td', { class: 'cwl-time' }, formatFullTime(e.timestamp).replace(/ \(.*\)$/, '')), h('td', { class: 'cwl-msg' }, e.message)));
  const table = h('table', { class: 'cwl' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, `Message (${nf.format(c.totalEvents)} events)`))),
    h('tbody', {}, ...rows));
  const more = c.totalEvents > c.events.length ? h('div', { class: 'muted' }, `First ${nf.format(c.events.length)} events shown: open the record in an editor to see all.`) : null;
  return h('div', { class: 'cwl-box' }, head, table, more);
}

// notices
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
let capNotice = '';
function showNotice(level: 'info' | 'warning' | 'error', message: string): void {
  notice.className = `notice ${level}`;
  notice.replaceChildren(h('span', { class: `codicon codicon-${level === 'info' ? 'info' : level}` }), document.createTextNode(' ' + message));
  notice.hidden = false;
  clearTimeout(noticeTimer);
  if (level === 'info') noticeTimer = setTimeout(() => renderCapNotice(), 6000);
}
function renderCapNotice(): void {
  if (capNotice) showNotice('warning', capNotice);
  else notice.hidden = true;
}

// status strip
function renderStatus(s: InspectorStatus): void {
  status = s;
  const labels: Record<string, string> = { stopped: 'Stopped', starting: 'Starting…', playing: 'Reading', paused: 'Paused' };
  text(stateBadge, labels[s.state] ?? s.state);
  stateBadge.className = `state ${s.state}`;
  (playBtn as Field).disabled = s.state === 'playing' || s.state === 'starting';
  (pauseBtn as Field).disabled = s.state !== 'playing';
  (stopBtn as Field).disabled = s.state === 'stopped';
  playBtn.textContent = s.state === 'paused' ? 'Resume' : 'Play';
  for (const el of [positionSelect, startTime, startSeq, startSeqShard, shardSelect] as Field[]) el.disabled = s.state !== 'stopped';
  const chips = s.shards.map((p) => {
    const behind = p.millisBehindLatest === undefined ? '' : ` · ${formatDuration(p.millisBehindLatest)} behind`;
    const stateText: Record<string, string> = { 'waiting-for-parent': 'waiting for parent', reading: 'reading', 'caught-up': 'at tip', closed: 'closed', error: 'error' };
    const chip = h('span', { class: `chip ${p.state}`, role: 'listitem', title: `${p.shardId}${p.lastSequenceNumber ? `\nlast sequence number ${p.lastSequenceNumber}` : ''}${p.error ? `\n${p.error}` : ''}` },
      h('span', { class: 'dot' }),
      h('strong', {}, shortShard(p.shardId)),
      ` ${stateText[p.state] ?? p.state}${behind} · ${nf.format(p.recordsRead)} read`);
    return chip;
  });
  shardStrip.replaceChildren(...chips);
  shardStrip.hidden = chips.length === 0;
  text(matchCount, s.matching === s.held ? `${nf.format(s.held)} records` : `${nf.format(s.matching)} of ${nf.format(s.held)} records`);
  capNotice = s.dropped > 0 ? `Holding the newest ${nf.format(s.maxRecords)} records: ${nf.format(s.dropped)} older ones were dropped (setting kinesis.inspector.maxRecords).` : '';
  if (s.error) showNotice('error', s.error);
  else if (notice.hidden || notice.classList.contains('warning') || notice.classList.contains('error')) renderCapNotice();
  emptyHint.hidden = s.held > 0 || table.rowCount > 0;
  if (s.held > 0 && table.rowCount === 0) {
    emptyHint.hidden = false;
    text(emptyHint, 'No record matches the filter.');
  } else if (s.held === 0) {
    text(emptyHint, s.state === 'stopped' ? 'No records yet. Choose where to start and press Play.' : 'Waiting for records…');
  }
}

function renderShardChoices(list: ShardChoice[], preselect?: string): void {
  shards = list;
  const label = (s: ShardChoice) => `${s.shardId}${s.open ? '' : ' (closed)'}`;
  const chosen = preselect ? [preselect] : options.shards === 'all' ? [] : options.shards;
  shardSelect.replaceChildren(...list.map((s) => {
    const o = option(s.shardId, label(s));
    if (chosen.includes(s.shardId)) o.setAttribute('selected', '');
    return o;
  }));
  const seqShard = options.position.type.endsWith('SEQUENCE_NUMBER') ? (options.position as { shardId: string }).shardId : preselect;
  startSeqShard.replaceChildren(...list.map((s) => option(s.shardId, label(s), seqShard ?? list[0]?.shardId)));
  const fs = filter.shards?.[0] ?? '';
  fShard.replaceChildren(option('', 'All shards', fs), ...list.map((s) => option(s.shardId, s.shardId, fs)));
}

function applyOptionsToUi(): void {
  positionSelect.value = options.position.type;
  const p = options.position;
  if (p.type === 'AT_TIMESTAMP') startTime.value = toLocalInput(p.timestamp);
  if (p.type === 'AT_SEQUENCE_NUMBER' || p.type === 'AFTER_SEQUENCE_NUMBER') startSeq.value = p.sequenceNumber;
  syncPositionFields();
  fKey.value = filter.partitionKey ?? '';
  fFrom.value = toLocalInput(filter.from);
  fTo.value = toLocalInput(filter.to);
  fText.value = filter.text ?? '';
  fJmes.value = filter.jmespath ?? '';
  table.setOrder(sort);
}

let statsFrame = 0;
function scheduleCharts(): void {
  if (!lastStats || statsFrame || !(charts as HTMLElement & { open: boolean }).open) return;
  statsFrame = requestAnimationFrame(() => {
    statsFrame = 0;
    if (lastStats) drawStats(canvases, lastStats);
  });
}
charts.addEventListener('vsc-collapsible-toggle', () => setTimeout(scheduleCharts, 0));
new ResizeObserver(() => scheduleCharts()).observe(charts);
// theme changes restyle the body: redraw the canvases in the new colours
new MutationObserver(() => scheduleCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

host.onMessage((msg: HostToWebview) => {
  switch (msg.type) {
    case 'init':
      connectionId = msg.connectionId;
      streamName = msg.streamName;
      options = msg.options;
      filter = msg.filter;
      sort = msg.sort;
      text(document.getElementById('streamName')!, msg.streamName);
      text(document.getElementById('connLabel')!, msg.connectionLabel);
      document.title = `Inspect ${msg.streamName}`;
      renderShardChoices(msg.shards, msg.preselectShard);
      applyOptionsToUi();
      persist();
      break;
    case 'shards':
      renderShardChoices(msg.shards);
      break;
    case 'selectShard': {
      options = { ...options, shards: [msg.shardId] };
      shardSelect.value = [msg.shardId];
      break;
    }
    case 'view':
      table.update(msg.version, msg.count, msg.changedFrom);
      emptyHint.hidden = msg.count > 0;
      break;
    case 'status':
      renderStatus(msg.status);
      break;
    case 'stats':
      lastStats = msg.stats;
      scheduleCharts();
      break;
    case 'notice':
      showNotice(msg.level, msg.message);
      break;
  }
});

// expose a little for tests and the benchmark (no record content beyond what is on screen)
(window as unknown as { __inspector: unknown }).__inspector = {
  table,
  get selectedId() {
    return selected?.id;
  },
  get filter() {
    return filter;
  },
  get persisted() {
    return host.getState();
  },
};

host.post({ type: 'ready' });
