/**
 * The producer panel's view state and everything decided from it: validation as you type, the
 * run's settings and source, whether Start is allowed, what is saved across reloads, and the
 * figures the progress shows. Pure (no DOM, no host): the view modules render it, tests run it
 * in plain Node.
 */
import type {
  Amount,
  DataFormat,
  FileFormatId,
  KeySpec,
  PickFileReply,
  PreviewReply,
  ProducerPanelTarget,
  ProgressInfo,
  PutOneReply,
  ResultInfo,
  RunSettings,
  RunSource,
  RunState,
  TemplateInfo,
} from '../../src/protocol/producer';
import { explicitHashKeyProblem, partitionKeyProblem, ProduceTargetKind, recordDataProblem } from '../../src/core/producer/recordData';
import { LIMITS } from '../../src/protocol/producer';
import { formatBytes, formatDuration, nf } from '../shared/format';

export type Tab = 0 | 1 | 2;
export const TAB_ONE: Tab = 0;
export const TAB_TEMPLATE: Tab = 1;
export const TAB_FILE: Tab = 2;

export type AmountType = Amount['type'];
export type KeyMode = KeySpec['type'];

/** A line under a field: a problem, a success, or a quiet note. */
export interface Note {
  text: string;
  kind: 'error' | 'ok' | 'muted';
}

/** A partition key chooser as typed (the value is kept when the mode changes). */
export interface KeyForm {
  mode: KeyMode;
  value: string;
}

export interface OneForm {
  key: string;
  hash: string;
  format: DataFormat;
  data: string;
}

export interface RunForm {
  amountType: AmountType;
  amountValue: string;
  rate: string;
  ordered: boolean;
  skip: boolean;
  aggregate: boolean;
}

export interface ProducerViewState {
  target?: ProducerPanelTarget;
  /** A data stream or a Firehose delivery stream: which inputs show and which limits apply. */
  targetKind: ProduceTargetKind;
  connectionLabel: string;
  hasWorkspace: boolean;
  tab: Tab;
  templates: TemplateInfo[];
  one: OneForm;
  oneSending: boolean;
  oneResult?: Note;
  oneHistory: (PutOneReply & { time: string })[];
  tpl: { text: string; key: KeyForm; selected: string; name: string };
  /** The last preview's answer for the current text, or its error. */
  preview: { pending: boolean; records: PreviewReply['records']; error?: string };
  tplSaveNote?: Note;
  file: { picked?: PickFileReply; format: FileFormatId; key: KeyForm; note?: Note };
  run: RunForm;
  runState: RunState;
  progress?: ProgressInfo;
  result?: ResultInfo;
  runNote?: Note;
}

export function initialState(): ProducerViewState {
  return {
    targetKind: 'dataStream',
    connectionLabel: '',
    hasWorkspace: false,
    tab: TAB_TEMPLATE,
    templates: [],
    one: { key: '', hash: '', format: 'json', data: '{\n  "message": "hello from VS Code"\n}' },
    oneSending: false,
    oneHistory: [],
    tpl: { text: '', key: { mode: 'random', value: '' }, selected: '', name: '' },
    preview: { pending: false, records: [] },
    file: { format: 'jsonl', key: { mode: 'random', value: '' } },
    run: { amountType: 'count', amountValue: '1000', rate: '0', ordered: false, skip: false, aggregate: false },
    runState: 'idle',
  };
}

// ---- partition keys ----

export function keySpec(k: KeyForm): KeySpec {
  switch (k.mode) {
    case 'field':
      return { type: 'field', field: k.value.trim() };
    case 'fixed':
      return { type: 'fixed', value: k.value };
    case 'template':
      return { type: 'template', template: k.value };
    default:
      return { type: 'random' };
  }
}

export function keyForm(k: KeySpec | undefined): KeyForm {
  switch (k?.type) {
    case 'field':
      return { mode: 'field', value: k.field };
    case 'fixed':
      return { mode: 'fixed', value: k.value };
    case 'template':
      return { mode: 'template', value: k.template };
    default:
      return { mode: 'random', value: '' };
  }
}

export function keyFormProblem(k: KeyForm): string | undefined {
  if (k.mode === 'random') return undefined;
  if (!k.value.trim()) return k.mode === 'field' ? 'Name the field.' : 'Enter the key.';
  if (k.mode === 'fixed') return partitionKeyProblem(k.value, false);
  return undefined;
}

// ---- one record ----

export interface OneCheck {
  key?: string;
  keyNote: Note;
  hash?: string;
  data: Note;
  canSend: boolean;
}

/** A delivery stream takes no partition key or hash key: they are neither checked nor sent. */
export function checkOne(one: OneForm, kind: ProduceTargetKind = 'dataStream'): OneCheck {
  const delivery = kind === 'deliveryStream';
  const key = delivery ? undefined : partitionKeyProblem(one.key, true);
  const hash = delivery ? undefined : explicitHashKeyProblem(one.hash);
  const d = recordDataProblem(one.data, one.format, one.key, kind);
  return {
    key,
    keyNote: key ? { text: key, kind: 'error' } : { text: one.key || delivery ? '' : 'A random key (a UUID) is used.', kind: 'muted' },
    hash,
    data: d.problem ? { text: d.problem, kind: 'error' } : { text: `${nf.format(d.size)} bytes${one.format === 'json' ? ', valid JSON' : ''}`, kind: 'muted' },
    canSend: !key && !hash && !d.problem,
  };
}

// ---- template ----

/** The template's own verdict: ok, or what to show under it. */
export function templateNote(s: ProducerViewState): { ok: boolean; note: Note } {
  if (!s.tpl.text.trim()) return { ok: false, note: { text: 'Write a record template, or start from one above.', kind: 'muted' } };
  if (s.preview.error) return { ok: false, note: { text: s.preview.error, kind: 'error' } };
  const keyProblem = s.targetKind === 'deliveryStream' ? undefined : keyFormProblem(s.tpl.key);
  if (keyProblem) return { ok: false, note: { text: keyProblem, kind: 'error' } };
  if (s.preview.pending) return { ok: false, note: { text: 'Checking…', kind: 'muted' } };
  return { ok: true, note: { text: 'The template is valid.', kind: 'ok' } };
}

/** The form filled from a template of the library. */
export function withTemplate(s: ProducerViewState, id: string): Partial<ProducerViewState> {
  const t = s.templates.find((x) => x.id === id);
  if (!t) return {};
  return {
    tpl: { text: t.template, key: keyForm(t.partitionKey), selected: t.id, name: t.origin === 'workspace' ? t.name : '' },
    preview: { pending: true, records: [] },
  };
}

// ---- run ----

export function runSettings(run: RunForm): RunSettings {
  const n = Number(run.amountValue);
  const amount: Amount = run.amountType === 'count' ? { type: 'count', count: Math.floor(n) } : run.amountType === 'duration' ? { type: 'duration', seconds: n } : { type: 'untilStopped' };
  return { amount, rate: Number(run.rate) || 0, ordered: run.ordered, aggregate: run.aggregate, onInvalid: run.skip ? 'skip' : 'stop' };
}

export function settingsProblem(run: RunForm): string | undefined {
  const n = Number(run.amountValue);
  if (run.amountType === 'count' && (!run.amountValue.trim() || !Number.isInteger(n) || n < 1)) return 'The count is a whole number above 0.';
  if (run.amountType === 'duration' && (!run.amountValue.trim() || !Number.isFinite(n) || n <= 0)) return 'The duration is a number of seconds above 0.';
  const r = Number(run.rate || 0);
  if (!Number.isFinite(r) || r < 0) return 'The rate is a number of records per second, 0 for as fast as possible.';
  return undefined;
}

export function runSource(s: ProducerViewState): RunSource | undefined {
  // A delivery stream takes no key: none is made (a random one would be dropped).
  const key = (k: KeyForm): KeySpec => (s.targetKind === 'deliveryStream' ? { type: 'random' } : keySpec(k));
  if (s.tab === TAB_TEMPLATE) return { type: 'template', template: s.tpl.text, partitionKey: key(s.tpl.key) };
  if (s.tab === TAB_FILE && s.file.picked) return { type: 'file', path: s.file.picked.path, format: s.file.format, partitionKey: key(s.file.key) };
  return undefined;
}

/** The run's settings for this target: KPL aggregation and per-key order only for a data stream. */
export function runSettingsFor(s: ProducerViewState): RunSettings {
  const r = runSettings(s.run);
  return s.targetKind === 'deliveryStream' ? { ...r, ordered: false, aggregate: false } : r;
}

/** The limits the panel shows for its target (the engine keeps within them). */
export function limitsText(kind: ProduceTargetKind): string {
  const l = LIMITS[kind];
  const per = kind === 'deliveryStream' ? `${formatBytes(l.maxRecordBytes)} per record (no partition key)` : `${formatBytes(l.maxRecordBytes)} per record with its partition key`;
  return `${kind === 'deliveryStream' ? 'Firehose' : 'Kinesis'} limits: ${per}, ${nf.format(l.recordsPerCall)} records and ${formatBytes(l.bytesPerCall)} per ${l.call} call.`;
}

/** Whether Start may be pressed, and the reason shown when not (the template's own note says its reason). */
export function startCheck(s: ProducerViewState): { enabled: boolean; message: string } {
  if (s.runState !== 'idle') return { enabled: false, message: '' };
  const settings = settingsProblem(s.run);
  if (settings) return { enabled: false, message: settings };
  if (s.tab === TAB_TEMPLATE && !templateNote(s).ok) return { enabled: false, message: '' };
  if (s.tab === TAB_FILE) {
    const problem = !s.file.picked ? 'Choose a file first.' : s.targetKind === 'deliveryStream' ? undefined : keyFormProblem(s.file.key);
    if (problem) return { enabled: false, message: problem };
  }
  return { enabled: s.tab !== TAB_ONE, message: '' };
}

/** Changing how much: a duration is not left at a count's thousands of seconds. */
export function withAmountType(run: RunForm, amountType: AmountType): RunForm {
  const amountValue = amountType === 'duration' && Number(run.amountValue) > 3600 ? '60' : run.amountValue;
  return { ...run, amountType, amountValue };
}

// ---- progress and result ----

export interface ProgressView {
  bar: { max: number; value?: number; indeterminate: boolean };
  stats: { id: string; label: string; value: string; bad?: boolean }[];
  shards: { shardId: string; records: string; bytes: string; share: number }[];
}

export function progressView(p: ProgressInfo, final: boolean): ProgressView {
  const total = p.expectedTotal;
  let bar: ProgressView['bar'];
  if (total) bar = { indeterminate: false, max: total, value: Math.min(total, p.sent + p.undelivered) };
  else if (p.durationMs) bar = { indeterminate: false, max: p.durationMs, value: final ? p.durationMs : Math.min(p.durationMs, p.elapsedMs) };
  else bar = { indeterminate: !final, max: 1, value: final ? 1 : undefined };
  return {
    bar,
    stats: [
      { id: 'stSent', label: 'sent', value: total ? `${nf.format(p.sent)} / ${nf.format(total)}` : nf.format(p.sent) },
      { id: 'stRetried', label: 'retried', value: nf.format(p.retried) },
      { id: 'stUndelivered', label: 'undelivered', value: nf.format(p.undelivered), bad: p.undelivered > 0 },
      { id: 'stInvalid', label: 'invalid input', value: nf.format(p.rejected), bad: p.rejected > 0 },
      { id: 'stRate', label: 'records/s', value: nf.format(Math.round(p.recordsPerSecond)) },
      { id: 'stBytes', label: 'bytes/s', value: `${formatBytes(p.bytesPerSecond)}/s` },
      { id: 'stElapsed', label: 'elapsed', value: formatDuration(p.elapsedMs) },
      { id: 'stInFlight', label: 'calls in flight', value: nf.format(p.inFlight) },
    ],
    shards: Object.entries(p.shards)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([shardId, t]) => ({ shardId, records: nf.format(t.records), bytes: formatBytes(t.bytes), share: p.sent ? t.records / p.sent : 0 })),
  };
}

export function resultSummary(r: ResultInfo, kind: ProduceTargetKind = 'dataStream'): { icon: 'pass' | 'error' | 'debug-stop'; text: string } {
  const icon = r.status === 'completed' && !r.undelivered ? 'pass' : r.status === 'failed' || r.undelivered ? 'error' : 'debug-stop';
  const words = r.status === 'completed' ? 'Completed' : r.status === 'stopped' ? 'Stopped' : 'Failed';
  const rps = r.elapsedMs > 0 ? (r.sent / r.elapsedMs) * 1000 : 0;
  const text =
    `${words}: ${nf.format(r.sent)} records sent in ${formatDuration(r.elapsedMs)} (${nf.format(Math.round(rps))} rec/s) to ${kind === 'deliveryStream' ? 'the delivery stream' : `${Object.keys(r.shards).length} shard(s)`}, ` +
    `${nf.format(r.retried)} retried, ${nf.format(r.undelivered)} undelivered${r.rejected ? `, ${nf.format(r.rejected)} invalid input` : ''}.`;
  return { icon, text };
}

// ---- what survives a reload ----

/** What the page saves with setState; `target` is what the host restores the panel from. */
export interface SavedState {
  target?: ProducerPanelTarget;
  tab: number;
  one: { key: string; hash: string; format: string; data: string };
  tpl: { text: string; key: KeySpec; selected: string };
  run: { amountType: string; amountValue: string; rate: string; ordered: boolean; skip: boolean; aggregate?: boolean };
}

export function toSaved(s: ProducerViewState): SavedState {
  return {
    target: s.target,
    tab: s.tab,
    one: { ...s.one },
    tpl: { text: s.tpl.text, key: keySpec(s.tpl.key), selected: s.tpl.selected },
    run: { ...s.run },
  };
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

/** The forms from a saved state (it came back from storage: anything odd falls back to the default). */
export function fromSaved(saved: SavedState | undefined, base: ProducerViewState): Partial<ProducerViewState> {
  if (!saved || typeof saved !== 'object') return {};
  const tab = [TAB_ONE, TAB_TEMPLATE, TAB_FILE].includes(saved.tab as Tab) ? (saved.tab as Tab) : base.tab;
  const format = (['json', 'text', 'base64'] as const).find((f) => f === saved.one?.format) ?? base.one.format;
  const amountType = (['count', 'duration', 'untilStopped'] as const).find((a) => a === saved.run?.amountType) ?? base.run.amountType;
  return {
    tab,
    one: { key: str(saved.one?.key, base.one.key), hash: str(saved.one?.hash, base.one.hash), format, data: str(saved.one?.data, base.one.data) },
    tpl: { ...base.tpl, text: str(saved.tpl?.text, base.tpl.text), key: keyForm(saved.tpl?.key), selected: str(saved.tpl?.selected, '') },
    preview: { pending: true, records: [] },
    run: {
      amountType,
      amountValue: str(saved.run?.amountValue, base.run.amountValue),
      rate: str(saved.run?.rate, base.run.rate),
      ordered: !!saved.run?.ordered,
      skip: !!saved.run?.skip,
      aggregate: !!saved.run?.aggregate,
    },
  };
}
