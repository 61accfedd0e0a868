/**
 * The producer panel: one record, a file, or a templated stream at a set rate. The extension host
 * does the work (src/vscode/producer/panel.ts); this page only collects settings and shows
 * progress. Record content is always set with textContent, never parsed as HTML.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import './producer.css';

import type {
  Amount,
  DataFormat,
  FileFormatId,
  HostToWebview,
  KeySpec,
  PickFileReply,
  ProducerReplyResults,
  ProducerRequest,
  ProgressInfo,
  ResultInfo,
  RunSettings,
  RunSource,
  RunState,
  TemplateInfo,
  WebviewToHost,
} from '../../src/protocol/producer';
import { LIMITS } from '../../src/protocol/producer';

// ---------- host channel ----------
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscodeApi = acquireVsCodeApi();
let nextId = 1;
const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
type RequestBody<K extends ProducerRequest['type']> = Omit<Extract<ProducerRequest, { type: K }>, 'id' | 'type'>;

function post(msg: WebviewToHost): void {
  vscodeApi.postMessage(msg);
}
function request<K extends ProducerRequest['type']>(type: K, body: RequestBody<K>): Promise<ProducerReplyResults[K]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    vscodeApi.postMessage({ ...body, type, id });
  });
}

// ---------- DOM helpers ----------
type Attrs = Record<string, string | number | boolean | undefined>;
function h(tag: string, attrs?: Attrs | null, ...children: (Node | string | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}
function setText(el: Element, value: string): void {
  if (el.textContent !== value) el.textContent = value;
}
const nf = new Intl.NumberFormat('en-US');
function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
type Field = HTMLElement & { value: string; invalid?: boolean; disabled?: boolean };
type Check = HTMLElement & { checked: boolean };
function option(value: string, label: string, selected = false): HTMLElement {
  const o = h('vscode-option', { value }, label);
  if (selected) o.setAttribute('selected', '');
  return o;
}
function select(id: string, label: string, options: [string, string][], selected?: string): Field {
  return h('vscode-single-select', { id, 'aria-label': label }, ...options.map(([v, l]) => option(v, l, v === selected))) as Field;
}
function field(id: string, label: string, attrs: Attrs = {}): Field {
  return h('vscode-textfield', { id, 'aria-label': label, ...attrs }) as Field;
}
function labelled(text: string, forId: string, el: HTMLElement, hint?: HTMLElement): HTMLElement {
  return h('div', { class: 'row' }, h('label', { class: 'lbl', for: forId }, text), h('div', { class: 'ctl' }, el, hint ?? null));
}
function message(id: string): HTMLElement {
  const el = h('div', { class: 'msg', id, role: 'status' });
  return el;
}
function showMsg(el: HTMLElement, text: string, kind: 'error' | 'ok' | 'muted' = 'muted'): void {
  setText(el, text);
  el.className = `msg ${kind}`;
}
function onInput(el: HTMLElement, fn: () => void): void {
  el.addEventListener('input', fn);
  el.addEventListener('change', fn);
}
function utf8Length(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

// ---------- header ----------
const streamTitle = h('strong', { id: 'streamName' });
const connLabel = h('span', { class: 'muted', id: 'connLabel' });
const header = h('div', { class: 'header' }, h('span', { class: 'codicon codicon-send' }), h('span', null, 'Produce to '), streamTitle, connLabel);

// ---------- One record ----------
const oneKey = field('oneKey', 'Partition key', { placeholder: 'Empty: a random key' });
const oneHash = field('oneHash', 'Explicit hash key', { placeholder: 'Optional: 0 to 2^128-1' });
const oneFormat = select('oneFormat', 'Data format', [['json', 'JSON'], ['text', 'Text'], ['base64', 'Base64 (binary)']], 'json');
const oneData = h('vscode-textarea', { id: 'oneData', 'aria-label': 'Record data', rows: 10, monospace: true, resize: 'vertical' }) as Field;
oneData.value = '{\n  "message": "hello from VS Code"\n}';
const oneKeyMsg = message('oneKeyMsg');
const oneHashMsg = message('oneHashMsg');
const oneDataMsg = message('oneDataMsg');
const oneSend = h('vscode-button', { id: 'oneSend', icon: 'send' }, 'Send record') as Field;
const oneResult = message('oneResult');
const oneHistory = h('table', { class: 'grid', id: 'oneHistory', hidden: true },
  h('thead', null, h('tr', null, h('th', null, 'Time'), h('th', null, 'Partition key'), h('th', null, 'Shard'), h('th', null, 'Sequence number'))),
  h('tbody'),
);
const onePanel = h('div', { class: 'pane' },
  labelled('Partition key', 'oneKey', oneKey, oneKeyMsg),
  labelled('Explicit hash key', 'oneHash', oneHash, oneHashMsg),
  labelled('Data as', 'oneFormat', oneFormat),
  labelled('Data', 'oneData', oneData, oneDataMsg),
  h('div', { class: 'actions' }, oneSend),
  oneResult,
  oneHistory,
);

function keyProblem(key: string, allowEmpty: boolean): string | undefined {
  if (!key) return allowEmpty ? undefined : 'A partition key is required.';
  if (key.length > LIMITS.maxPartitionKeyLength) return `${key.length} characters: at most ${LIMITS.maxPartitionKeyLength} are allowed.`;
  return undefined;
}
function hashProblem(v: string): string | undefined {
  const t = v.trim();
  if (!t) return undefined;
  if (!/^\d{1,39}$/.test(t)) return 'A whole number from 0 to 2^128-1.';
  if (t.length === 39 && t > LIMITS.maxHashKey) return 'Above 2^128-1 (340282366920938463463374607431768211455).';
  return undefined;
}
function dataProblem(): { problem?: string; size: number } {
  const text = oneData.value;
  const format = oneFormat.value as DataFormat;
  let size = utf8Length(text);
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (e) {
      return { problem: `Not valid JSON: ${(e as Error).message}`, size };
    }
  } else if (format === 'base64') {
    const clean = text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return { problem: 'Not valid base64.', size };
    size = Math.floor((clean.length * 3) / 4) - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
  }
  const total = size + utf8Length(oneKey.value || 'x'.repeat(36));
  if (total > LIMITS.maxRecordBytes) return { problem: `${bytes(total)} with the partition key: at most 1 MiB per record.`, size };
  return { size };
}
function validateOne(): boolean {
  const k = keyProblem(oneKey.value, true);
  const hp = hashProblem(oneHash.value);
  const d = dataProblem();
  oneKey.invalid = !!k;
  oneHash.invalid = !!hp;
  oneData.invalid = !!d.problem;
  showMsg(oneKeyMsg, k ?? (oneKey.value ? '' : 'A random key (a UUID) is used.'), k ? 'error' : 'muted');
  showMsg(oneHashMsg, hp ?? '', hp ? 'error' : 'muted');
  showMsg(oneDataMsg, d.problem ?? `${nf.format(d.size)} bytes${oneFormat.value === 'json' ? ', valid JSON' : ''}`, d.problem ? 'error' : 'muted');
  oneSend.disabled = !!(k || hp || d.problem);
  persist();
  return !oneSend.disabled;
}
[oneKey, oneHash, oneData, oneFormat].forEach((el) => onInput(el, validateOne));
oneSend.addEventListener('click', async () => {
  if (!validateOne()) return;
  oneSend.disabled = true;
  showMsg(oneResult, 'Sending…');
  try {
    const r = await request('putOne', { partitionKey: oneKey.value, explicitHashKey: oneHash.value, data: oneData.value, format: oneFormat.value as DataFormat });
    showMsg(oneResult, `Sent to ${r.shardId}, sequence number ${r.sequenceNumber}`, 'ok');
    const tbody = oneHistory.querySelector('tbody')!;
    tbody.prepend(h('tr', null, h('td', null, new Date().toLocaleTimeString()), h('td', null, r.partitionKey), h('td', null, r.shardId), h('td', { class: 'mono' }, r.sequenceNumber)));
    while (tbody.children.length > 10) tbody.lastElementChild!.remove();
    oneHistory.hidden = false;
  } catch (e) {
    showMsg(oneResult, (e as Error).message, 'error');
  } finally {
    validateOne();
  }
});

// ---------- partition key chooser (template and file) ----------
interface KeyChooser {
  el: HTMLElement;
  get(): KeySpec;
  set(k: KeySpec): void;
  problem(): string | undefined;
}
function keyChooser(prefix: string, withTemplate: boolean): KeyChooser {
  const modes: [string, string][] = [['random', 'Random per record'], ['field', 'From a field'], ['fixed', 'Fixed']];
  if (withTemplate) modes.push(['template', 'Template']);
  const mode = select(`${prefix}KeyMode`, 'Partition key', modes, 'random');
  const value = field(`${prefix}KeyValue`, 'Partition key value');
  const msg = message(`${prefix}KeyMsg`);
  const placeholders: Record<string, string> = { field: 'Field name, e.g. userId or user.id', fixed: 'The key for every record', template: 'e.g. device-{{int(1, 10)}}' };
  const update = () => {
    value.hidden = mode.value === 'random';
    value.setAttribute('placeholder', placeholders[mode.value] ?? '');
    const p = chooser.problem();
    value.invalid = !!p;
    showMsg(msg, p ?? '', 'error');
  };
  const chooser: KeyChooser = {
    el: h('div', { class: 'key' }, mode, value, msg),
    get() {
      switch (mode.value) {
        case 'field':
          return { type: 'field', field: value.value.trim() };
        case 'fixed':
          return { type: 'fixed', value: value.value };
        case 'template':
          return { type: 'template', template: value.value };
        default:
          return { type: 'random' };
      }
    },
    set(k) {
      mode.value = k.type;
      value.value = k.type === 'field' ? k.field : k.type === 'fixed' ? k.value : k.type === 'template' ? k.template : '';
      update();
    },
    problem() {
      if (mode.value === 'random') return undefined;
      if (!value.value.trim()) return mode.value === 'field' ? 'Name the field.' : 'Enter the key.';
      if (mode.value === 'fixed') return keyProblem(value.value, false);
      return undefined;
    },
  };
  onInput(mode, () => (update(), chooser.el.dispatchEvent(new Event('keychange', { bubbles: true }))));
  onInput(value, () => (update(), chooser.el.dispatchEvent(new Event('keychange', { bubbles: true }))));
  queueMicrotask(update);
  return chooser;
}

// ---------- Template ----------
let templates: TemplateInfo[] = [];
const tplSelect = h('vscode-single-select', { id: 'tplSelect', 'aria-label': 'Starter and saved templates' }) as Field;
const tplDescription = h('div', { class: 'muted small', id: 'tplDescription' });
const tplReload = h('vscode-button', { id: 'tplReload', icon: 'refresh', secondary: true, title: 'Reload saved templates' }, 'Reload') as Field;
const tplText = h('vscode-textarea', { id: 'tplText', 'aria-label': 'Template', rows: 11, monospace: true, resize: 'vertical' }) as Field;
const tplKey = keyChooser('tpl', true);
const tplMsg = message('tplMsg');
const tplPreview = h('div', { class: 'preview', id: 'tplPreview', 'aria-label': 'Preview of the next records' });
const tplName = field('tplName', 'Template name', { placeholder: 'Name to save as' });
const tplSave = h('vscode-button', { id: 'tplSave', icon: 'save', secondary: true, title: 'Save to .kinesis/templates in the workspace' }, 'Save') as Field;
const tplSaveMsg = message('tplSaveMsg');
const help = h('vscode-collapsible', { title: 'Placeholders', class: 'help' },
  h('div', { class: 'help-body' },
    ...[
      ['{{uuid}}', 'a random UUID'],
      ['{{counter}}  {{counter(100, 5)}}', 'a running counter: start, step'],
      ['{{now}}  {{now("epoch")}}  {{now("epochSeconds")}}', 'the current time'],
      ['{{int(1, 100)}}  {{float(0, 1, 3)}}  {{bool(0.3)}}', 'random numbers, decimals, true with a probability'],
      ['{{pick(["GET", "POST"])}}  {{pick(["ok", "error"], [95, 5])}}', 'a pick from a list, optionally weighted'],
      ['{{faker.person.fullName}}  {{faker.location.city}}  {{faker.internet.email}}', 'any @faker-js/faker function'],
      ['{{faker.number.int({"min": 1, "max": 9})}}', 'arguments are JSON values'],
    ].map(([code, what]) => h('div', { class: 'help-row' }, h('code', null, code), h('span', { class: 'muted' }, what))),
    h('div', { class: 'muted small' }, 'In JSON templates a placeholder inside quotes is escaped; outside quotes it is written as a JSON value.'),
  ),
);
const templatePanel = h('div', { class: 'pane' },
  h('div', { class: 'row' }, h('label', { class: 'lbl', for: 'tplSelect' }, 'Start from'), h('div', { class: 'ctl inline' }, tplSelect, tplReload, tplDescription)),
  h('div', { class: 'split' },
    h('div', { class: 'col' }, h('label', { class: 'lbl block', for: 'tplText' }, 'Record template'), tplText, tplMsg),
    h('div', { class: 'col' }, h('div', { class: 'lbl block' }, 'Preview of the next records'), tplPreview),
  ),
  labelled('Partition key', 'tplKeyMode', tplKey.el),
  h('div', { class: 'row' }, h('label', { class: 'lbl', for: 'tplName' }, 'Save as'), h('div', { class: 'ctl inline' }, tplName, tplSave, tplSaveMsg)),
  help,
);

function fillTemplateSelect(selectedId?: string): void {
  tplSelect.replaceChildren(option('', 'Choose a template…', !selectedId));
  for (const origin of ['builtin', 'workspace'] as const) {
    for (const t of templates.filter((x) => x.origin === origin)) {
      tplSelect.append(option(t.id, origin === 'builtin' ? t.name : `${t.name} (workspace)`, t.id === selectedId));
    }
  }
}
function loadTemplate(id: string): void {
  const t = templates.find((x) => x.id === id);
  if (!t) return;
  tplText.value = t.template;
  tplKey.set(t.partitionKey);
  tplName.value = t.origin === 'workspace' ? t.name : '';
  setText(tplDescription, t.description ?? '');
  schedulePreview();
}
onInput(tplSelect, () => tplSelect.value && loadTemplate(tplSelect.value));
tplReload.addEventListener('click', async () => {
  templates = await request('reloadTemplates', {});
  fillTemplateSelect(tplSelect.value);
  showMsg(tplSaveMsg, `${templates.length} templates`, 'muted');
});
tplSave.addEventListener('click', async () => {
  try {
    const r = await request('saveTemplate', { name: tplName.value, template: tplText.value, partitionKey: tplKey.get() });
    templates = r.templates;
    const saved = templates.find((t) => t.origin === 'workspace' && t.name === tplName.value.trim());
    fillTemplateSelect(saved?.id);
    showMsg(tplSaveMsg, `Saved to ${r.path}`, 'ok');
  } catch (e) {
    showMsg(tplSaveMsg, (e as Error).message, 'error');
  }
});

let previewTimer: number | undefined;
let previewSeq = 0;
let templateOk = false;
function schedulePreview(): void {
  persist();
  if (previewTimer) clearTimeout(previewTimer);
  previewTimer = window.setTimeout(() => void runPreview(), 250);
}
async function runPreview(): Promise<void> {
  const seq = ++previewSeq;
  const keyProblemText = tplKey.problem();
  if (!tplText.value.trim()) {
    templateOk = false;
    showMsg(tplMsg, 'Write a record template, or start from one above.', 'muted');
    tplPreview.replaceChildren();
    updateStart();
    return;
  }
  try {
    const r = await request('preview', { template: tplText.value, partitionKey: tplKey.get(), count: 5 });
    if (seq !== previewSeq) return;
    templateOk = !keyProblemText;
    tplText.invalid = false;
    showMsg(tplMsg, keyProblemText ?? 'The template is valid.', keyProblemText ? 'error' : 'ok');
    tplPreview.replaceChildren(
      ...r.records.map((rec) => h('div', { class: 'preview-item' }, h('div', { class: 'preview-key' }, h('span', { class: 'codicon codicon-key' }), rec.partitionKey), h('pre', null, rec.data))),
    );
  } catch (e) {
    if (seq !== previewSeq) return;
    templateOk = false;
    tplText.invalid = true;
    showMsg(tplMsg, (e as Error).message, 'error');
  }
  updateStart();
}
onInput(tplText, schedulePreview);
tplKey.el.addEventListener('keychange', schedulePreview);

// ---------- File ----------
let file: PickFileReply | undefined;
const filePick = h('vscode-button', { id: 'filePick', icon: 'folder-opened', secondary: true }, 'Choose file…');
const fileName = h('span', { id: 'fileName', class: 'muted' }, 'No file chosen');
const fileFormat = select('fileFormat', 'File format', [
  ['jsonl', 'JSON Lines (one JSON value per line)'],
  ['json', 'JSON array (one record per element)'],
  ['csv', 'CSV with a header row (sent as JSON)'],
  ['text', 'Text (one record per line)'],
  ['undelivered', 'Undelivered records saved here'],
], 'jsonl');
const fileKey = keyChooser('file', false);
const fileMsg = message('fileMsg');
const filePanel = h('div', { class: 'pane' },
  h('div', { class: 'row' }, h('span', { class: 'lbl' }, 'File'), h('div', { class: 'ctl inline' }, filePick, fileName)),
  labelled('Format', 'fileFormat', fileFormat),
  labelled('Partition key', 'fileKeyMode', fileKey.el),
  h('div', { class: 'row' }, h('span', { class: 'lbl' }), h('div', { class: 'muted small' }, 'The file is streamed from disk by the extension, never loaded whole. Each line (or element, or row) is one record.')),
  fileMsg,
);
filePick.addEventListener('click', async () => {
  try {
    const r = await request('pickFile', {});
    if (!r) return;
    file = r;
    setText(fileName, `${r.name} (${bytes(r.size)})`);
    fileFormat.value = r.format;
    showMsg(fileMsg, '', 'muted');
  } catch (e) {
    showMsg(fileMsg, (e as Error).message, 'error');
  }
  updateStart();
});
onInput(fileFormat, updateStart);
fileKey.el.addEventListener('keychange', updateStart);

// ---------- tabs ----------
const tabs = h('vscode-tabs', { id: 'tabs', 'selected-index': 1 },
  h('vscode-tab-header', { slot: 'header', id: 'tabOne' }, 'One record'),
  h('vscode-tab-panel', null, onePanel),
  h('vscode-tab-header', { slot: 'header', id: 'tabTemplate' }, 'Template'),
  h('vscode-tab-panel', null, templatePanel),
  h('vscode-tab-header', { slot: 'header', id: 'tabFile' }, 'File'),
  h('vscode-tab-panel', null, filePanel),
) as HTMLElement & { selectedIndex: number };
tabs.addEventListener('vsc-tabs-select', () => {
  runSection.hidden = tabs.selectedIndex === 0;
  updateStart();
  persist();
});

// ---------- run settings and progress ----------
const amountType = select('amountType', 'How much', [['count', 'A number of records'], ['duration', 'For a duration (seconds)'], ['untilStopped', 'Until stopped']], 'count');
const amountValue = field('amountValue', 'Count or seconds', { type: 'number', min: 1, value: '1000' });
amountValue.value = '1000';
const rate = field('rate', 'Records per second', { type: 'number', min: 0, placeholder: '0 = as fast as the stream accepts' });
rate.value = '0';
const ordered = h('vscode-checkbox', { id: 'ordered', label: 'Keep order per partition key' }) as Check;
const skipInvalid = h('vscode-checkbox', { id: 'skipInvalid', label: 'Skip invalid input and go on (else stop at it)' }) as Check;
const aggregate = h('vscode-checkbox', { id: 'aggregate', label: 'KPL aggregation (consumers must deaggregate)', title: 'Pack small records into KPL aggregated records, grouped by shard, as the Kinesis Producer Library does. The KCL, Lambda deaggregation and the inspector read them back.' }) as Check;
const startBtn = h('vscode-button', { id: 'start', icon: 'play' }, 'Start') as Field;
const stopBtn = h('vscode-button', { id: 'stop', icon: 'debug-stop', secondary: true }, 'Stop') as Field;
stopBtn.disabled = true;
const runMsg = message('runMsg');
const bar = h('vscode-progress-bar', { id: 'progressBar', 'aria-label': 'Progress' }) as HTMLElement & { value?: number; max: number; indeterminate: boolean };
bar.hidden = true;
const stat = (id: string, label: string) => h('div', { class: 'stat' }, h('div', { class: 'stat-value', id }, '–'), h('div', { class: 'stat-label' }, label));
const stats = h('div', { class: 'stats', id: 'stats', hidden: true },
  stat('stSent', 'sent'), stat('stRetried', 'retried'), stat('stUndelivered', 'undelivered'), stat('stInvalid', 'invalid input'),
  stat('stRate', 'records/s'), stat('stBytes', 'bytes/s'), stat('stElapsed', 'elapsed'), stat('stInFlight', 'calls in flight'),
);
const shardTable = h('table', { class: 'grid', id: 'shardTable', hidden: true });
const resultBox = h('div', { class: 'result', id: 'result', hidden: true });
const saveUndelivered = h('vscode-button', { id: 'saveUndelivered', icon: 'save', secondary: true }, 'Save undelivered records') as Field;
const resend = h('vscode-button', { id: 'resend', icon: 'refresh' }, 'Re-send') as Field;
const resultActions = h('div', { class: 'actions', hidden: true }, saveUndelivered, resend);
const resultLists = h('div', { class: 'result-lists' });

const runSection = h('div', { class: 'run' },
  h('div', { class: 'run-settings' },
    h('div', { class: 'cell' }, h('label', { class: 'lbl block', for: 'amountType' }, 'How much'), h('div', { class: 'inline' }, amountType, amountValue)),
    h('div', { class: 'cell' }, h('label', { class: 'lbl block', for: 'rate' }, 'Rate (records/s, 0 = as fast as possible)'), rate),
    h('div', { class: 'cell checks' }, ordered, skipInvalid, aggregate),
    h('div', { class: 'cell buttons' }, startBtn, stopBtn),
  ),
  runMsg,
  bar,
  stats,
  resultBox,
  resultActions,
  shardTable,
  resultLists,
);

onInput(amountType, () => {
  amountValue.hidden = amountType.value === 'untilStopped';
  if (amountType.value === 'duration' && Number(amountValue.value) > 3600) amountValue.value = '60';
  updateStart();
});
onInput(amountValue, updateStart);
[ordered, skipInvalid, aggregate].forEach((el) => onInput(el, persist));
onInput(rate, updateStart);

function settings(): RunSettings {
  const n = Number(amountValue.value);
  const amount: Amount = amountType.value === 'count' ? { type: 'count', count: Math.floor(n) } : amountType.value === 'duration' ? { type: 'duration', seconds: n } : { type: 'untilStopped' };
  return { amount, rate: Number(rate.value) || 0, ordered: ordered.checked, aggregate: aggregate.checked, onInvalid: skipInvalid.checked ? 'skip' : 'stop' };
}
function settingsProblem(): string | undefined {
  const n = Number(amountValue.value);
  if (amountType.value === 'count' && (!Number.isInteger(n) || n < 1)) return 'The count is a whole number above 0.';
  if (amountType.value === 'duration' && (!Number.isFinite(n) || n <= 0)) return 'The duration is a number of seconds above 0.';
  const r = Number(rate.value || 0);
  if (!Number.isFinite(r) || r < 0) return 'The rate is a number of records per second, 0 for as fast as possible.';
  return undefined;
}
function source(): RunSource | undefined {
  if (tabs.selectedIndex === 1) return { type: 'template', template: tplText.value, partitionKey: tplKey.get() };
  if (tabs.selectedIndex === 2 && file) return { type: 'file', path: file.path, format: fileFormat.value as FileFormatId, partitionKey: fileKey.get() };
  return undefined;
}
function updateStart(): void {
  persist();
  if (runState !== 'idle') {
    startBtn.disabled = true;
    return;
  }
  let problem = settingsProblem();
  if (!problem && tabs.selectedIndex === 1 && !templateOk) problem = 'Fix the template first.';
  if (!problem && tabs.selectedIndex === 2) problem = !file ? 'Choose a file first.' : fileKey.problem();
  startBtn.disabled = !!problem;
  showMsg(runMsg, problem && tabs.selectedIndex !== 0 && !(tabs.selectedIndex === 1 && !templateOk) ? problem : '', 'muted');
}
startBtn.addEventListener('click', () => {
  const src = source();
  if (!src || startBtn.disabled) return;
  clearResult();
  post({ type: 'start', source: src, settings: settings() });
});
stopBtn.addEventListener('click', () => post({ type: 'stop' }));
resend.addEventListener('click', () => {
  clearResult();
  post({ type: 'resend', settings: { ...settings(), amount: { type: 'untilStopped' } } });
});
saveUndelivered.addEventListener('click', async () => {
  try {
    const r = await request('saveUndelivered', {});
    if (r) showMsg(runMsg, `Saved to ${r.path}. Re-send it from the File tab (format: undelivered) or with Re-send.`, 'ok');
  } catch (e) {
    showMsg(runMsg, (e as Error).message, 'error');
  }
});

let runState: RunState = 'idle';
function setRunState(s: RunState): void {
  runState = s;
  stopBtn.disabled = s !== 'running';
  setText(stopBtn, s === 'stopping' ? 'Stopping…' : 'Stop');
  document.body.dataset.runState = s;
  if (s !== 'idle') {
    bar.hidden = false;
    stats.hidden = false;
  }
  updateStart();
}

function clearResult(): void {
  resultBox.hidden = true;
  resultActions.hidden = true;
  resultLists.replaceChildren();
  showMsg(runMsg, '', 'muted');
}

function showProgress(p: ProgressInfo, final = false): void {
  bar.hidden = false;
  stats.hidden = false;
  const total = p.expectedTotal;
  if (total) {
    bar.indeterminate = false;
    bar.max = total;
    bar.value = Math.min(total, p.sent + p.undelivered);
  } else if (p.durationMs) {
    bar.indeterminate = false;
    bar.max = p.durationMs;
    bar.value = final ? p.durationMs : Math.min(p.durationMs, p.elapsedMs);
  } else {
    bar.indeterminate = !final;
    bar.max = 1;
    bar.value = final ? 1 : undefined;
  }
  setText(document.getElementById('stSent')!, total ? `${nf.format(p.sent)} / ${nf.format(total)}` : nf.format(p.sent));
  setText(document.getElementById('stRetried')!, nf.format(p.retried));
  setText(document.getElementById('stUndelivered')!, nf.format(p.undelivered));
  setText(document.getElementById('stInvalid')!, nf.format(p.rejected));
  setText(document.getElementById('stRate')!, nf.format(Math.round(p.recordsPerSecond)));
  setText(document.getElementById('stBytes')!, `${bytes(p.bytesPerSecond)}/s`);
  setText(document.getElementById('stElapsed')!, duration(p.elapsedMs));
  setText(document.getElementById('stInFlight')!, nf.format(p.inFlight));
  document.getElementById('stUndelivered')!.classList.toggle('bad', p.undelivered > 0);
  document.getElementById('stInvalid')!.classList.toggle('bad', p.rejected > 0);
  const shards = Object.entries(p.shards).sort(([a], [b]) => a.localeCompare(b));
  shardTable.hidden = shards.length === 0;
  shardTable.replaceChildren(
    h('thead', null, h('tr', null, h('th', null, 'Shard'), h('th', { class: 'num' }, 'Records'), h('th', { class: 'num' }, 'Bytes'), h('th', null, 'Share'))),
    h('tbody', null,
      ...shards.map(([id, t]) => {
        const share = p.sent ? t.records / p.sent : 0;
        const fill = h('div', { class: 'meter-fill' });
        fill.style.width = `${(share * 100).toFixed(1)}%`; // CSSOM, allowed by the CSP (a style attribute is not)
        const meter = h('div', { class: 'meter' }, fill);
        return h('tr', null, h('td', null, id), h('td', { class: 'num' }, nf.format(t.records)), h('td', { class: 'num' }, bytes(t.bytes)), h('td', null, meter));
      }),
    ),
  );
}

function showResult(r: ResultInfo): void {
  showProgress(r, true);
  resultBox.hidden = false;
  const icon = r.status === 'completed' && !r.undelivered ? 'pass' : r.status === 'failed' || r.undelivered ? 'error' : 'debug-stop';
  const words = r.status === 'completed' ? 'Completed' : r.status === 'stopped' ? 'Stopped' : 'Failed';
  const rps = r.elapsedMs > 0 ? (r.sent / r.elapsedMs) * 1000 : 0;
  resultBox.className = `result ${icon === 'pass' ? 'ok' : icon === 'error' ? 'bad' : ''}`;
  resultBox.replaceChildren(
    h('span', { class: `codicon codicon-${icon}` }),
    h('span', { id: 'resultText' },
      `${words}: ${nf.format(r.sent)} records sent in ${duration(r.elapsedMs)} (${nf.format(Math.round(rps))} rec/s) to ${Object.keys(r.shards).length} shard(s), ${nf.format(r.retried)} retried, ${nf.format(r.undelivered)} undelivered${r.rejected ? `, ${nf.format(r.rejected)} invalid input` : ''}.`,
    ),
    ...(r.error ? [h('div', { class: 'error-text' }, r.error)] : []),
  );
  resultActions.hidden = r.undelivered === 0;
  const lists: HTMLElement[] = [];
  if (r.problems.length) {
    lists.push(h('vscode-collapsible', { title: `Invalid input (${nf.format(r.rejected)})`, open: true },
      h('ul', { class: 'list' }, ...r.problems.map((p) => h('li', null, h('strong', null, p.origin), ': ', p.message)))));
  }
  if (r.undeliveredSample.length) {
    lists.push(h('vscode-collapsible', { title: `Undelivered records (${nf.format(r.undelivered)})`, open: true },
      h('ul', { class: 'list' }, ...r.undeliveredSample.map((u) => h('li', null, h('strong', null, u.origin ?? u.partitionKey), ': ', u.error)))));
  }
  resultLists.replaceChildren(...lists);
}

// ---------- state kept across reloads of the page ----------
interface SavedState {
  /** Which stream the panel produces to: read by the host to restore the panel after a reload. */
  target?: { connectionId: string; streamName: string };
  tab: number;
  one: { key: string; hash: string; format: string; data: string };
  tpl: { text: string; key: KeySpec; selected: string };
  run: { amountType: string; amountValue: string; rate: string; ordered: boolean; skip: boolean; aggregate?: boolean };
}
let restoring = true;
let target: SavedState['target'];
function persist(): void {
  if (restoring) return;
  const s: SavedState = {
    target,
    tab: tabs.selectedIndex,
    one: { key: oneKey.value, hash: oneHash.value, format: oneFormat.value, data: oneData.value },
    tpl: { text: tplText.value, key: tplKey.get(), selected: tplSelect.value },
    run: { amountType: amountType.value, amountValue: amountValue.value, rate: rate.value, ordered: ordered.checked, skip: skipInvalid.checked, aggregate: aggregate.checked },
  };
  vscodeApi.setState(s);
}
function restore(): void {
  const s = vscodeApi.getState() as SavedState | undefined;
  if (!s) return;
  oneKey.value = s.one.key;
  oneHash.value = s.one.hash;
  oneFormat.value = s.one.format;
  oneData.value = s.one.data;
  tplText.value = s.tpl.text;
  tplKey.set(s.tpl.key);
  amountType.value = s.run.amountType;
  amountValue.value = s.run.amountValue;
  amountValue.hidden = s.run.amountType === 'untilStopped';
  rate.value = s.run.rate;
  ordered.checked = s.run.ordered;
  skipInvalid.checked = s.run.skip;
  aggregate.checked = !!s.run.aggregate;
  tabs.selectedIndex = s.tab;
}

// ---------- messages from the host ----------
window.addEventListener('message', (ev: MessageEvent) => {
  const msg = ev.data as HostToWebview;
  if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return;
  switch (msg.type) {
    case 'reply': {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
      return;
    }
    case 'init': {
      target = { connectionId: msg.connectionId, streamName: msg.streamName };
      setText(streamTitle, msg.streamName);
      setText(connLabel, ` · ${msg.connectionLabel}`);
      document.title = `Produce to ${msg.streamName}`;
      templates = msg.templates;
      const saved = vscodeApi.getState() as SavedState | undefined;
      fillTemplateSelect(saved?.tpl.selected);
      tplSave.disabled = !msg.hasWorkspace;
      if (!msg.hasWorkspace) tplSave.setAttribute('title', 'Open a folder to save templates in its .kinesis/templates');
      if (saved) restore();
      else {
        const first = templates.find((t) => t.id === 'builtin:iot-sensor') ?? templates[0];
        if (first) {
          fillTemplateSelect(first.id);
          loadTemplate(first.id);
        }
      }
      restoring = false;
      persist();
      runSection.hidden = tabs.selectedIndex === 0;
      validateOne();
      schedulePreview();
      return;
    }
    case 'runState':
      setRunState(msg.state);
      return;
    case 'progress':
      showProgress(msg.progress);
      return;
    case 'result':
      showResult(msg.result);
      return;
    case 'runError':
      showMsg(runMsg, msg.message, 'error');
      return;
  }
});

document.body.append(header, tabs, runSection);
post({ type: 'ready' });
