/** The selected record: its facts, decoded body (JSON tree, text, hex, log events), raw bytes, decoding choice, copy and open. */
import { html } from 'lit';
import { DECODING_CHOICES, DecodingChoice, FormatDetail, RecordDetail, RowSummary } from '../../src/protocol/inspector';
import { formatFullTime, nf } from '../shared/format';
import { valueOf } from '../shared/view';
import { renderJson } from './jsonView';
import { decodingFor, detailBodyKind, detailFacts, InspectorViewState, NO_RECORD_SELECTED, withDecoding } from './state';
import type { Controller } from './controller';

const DECODING_LABELS: Partial<Record<DecodingChoice, string>> = {
  auto: 'Auto-detect',
  text: 'Text (UTF-8)',
  json: 'JSON',
  binary: 'Binary (hex)',
  base64: 'Base64',
  gzip: 'gzip',
  zlib: 'zlib',
  kpl: 'KPL aggregate',
  'cloudwatch-logs': 'CloudWatch Logs',
  'glue-schema-registry': 'Glue Schema Registry (Avro)',
};

let detailToken = 0;

async function load(ctl: Controller, id: string): Promise<void> {
  const token = ++detailToken;
  try {
    const detail = await ctl.host.request<'getRecord'>({ type: 'getRecord', recordId: id, decoding: decodingFor(ctl.store.state, id) });
    if (token === detailToken) ctl.store.update({ detail });
  } catch (e) {
    if (token === detailToken) ctl.store.update({ detail: undefined, detailMessage: (e as Error).message });
  }
}

/** A row was chosen in the table. */
export function selectRow(ctl: Controller, row: RowSummary): void {
  if (ctl.store.state.selected?.id === row.id) return;
  ctl.store.update({ selected: row, detailMessage: 'Loading…' });
  void load(ctl, row.id);
}

function chooseDecoding(ctl: Controller, d: DecodingChoice): void {
  const s = ctl.store.state;
  if (!s.selected) return;
  ctl.store.update({ decodings: withDecoding(s, s.selected.id, d) });
  void load(ctl, s.selected.id);
}

function copyOrOpen(ctl: Controller, what: 'copyRecord' | 'openRecord'): void {
  const s = ctl.store.state;
  if (!s.selected) return;
  const req = { type: what, recordId: s.selected.id, decoding: decodingFor(s, s.selected.id) } as const;
  ctl.host.request(req).then(
    () => what === 'copyRecord' && ctl.notify('info', 'Copied the record as JSON.'),
    (e: Error) => ctl.notify('error', e.message),
  );
}

// The JSON tree is built once per record shown, not on every render of the page.
let jsonFor: RecordDetail | undefined;
let jsonNode: HTMLElement | undefined;

function jsonTree(d: RecordDetail) {
  if (jsonFor !== d) {
    jsonFor = d;
    try {
      jsonNode = renderJson(JSON.parse(d.text));
    } catch {
      jsonNode = undefined;
    }
  }
  return jsonNode ?? html`<pre class="text">${d.text}</pre>`;
}

function logEvents(c: NonNullable<RecordDetail['cloudWatchLogs']>) {
  const extra = `${c.messageType}${c.owner ? ` · owner ${c.owner}` : ''}${c.subscriptionFilters?.length ? ` · filter ${c.subscriptionFilters.join(', ')}` : ''}`;
  return html`<div class="cwl-box">
    <div class="cwl-head"><span class="codicon codicon-output"></span> <strong>${c.logGroup}</strong> · ${c.logStream}<span class="muted"> · ${extra}</span></div>
    <table class="cwl"><thead><tr><th>Time</th><th>Message (${nf.format(c.totalEvents)} events)</th></tr></thead>
      <tbody>${c.events.map((e) => html`<tr><td class="cwl-time">${formatFullTime(e.timestamp).replace(/ \(.*\)$/, '')}</td><td class="cwl-msg">${e.message}</td></tr>`)}</tbody></table>
    ${c.totalEvents > c.events.length ? html`<div class="muted">First ${nf.format(c.events.length)} events shown: open the record in an editor to see all.</div>` : ''}
  </div>`;
}

// A section's JSON tree is built once per record shown too.
const sectionTrees = new WeakMap<object, HTMLElement>();

function sectionJson(key: object, value: unknown) {
  let node = sectionTrees.get(key);
  if (!node) sectionTrees.set(key, (node = renderJson(value)));
  return node;
}

const CHANGE_LABELS = { added: 'added', removed: 'removed', changed: 'changed' } as const;

/** A recognised format's own detail: field tables, JSON trees, tables of rows, attribute diffs. */
function formatSections(fd: FormatDetail) {
  return html`<div class="format-detail" id="formatDetail" data-format=${fd.format}>
    <div class="format-title"><span class="codicon codicon-symbol-structure"></span> <strong>${fd.title}</strong></div>
    ${fd.sections.map((sec) => {
      switch (sec.kind) {
        case 'fields':
          return html`<h4>${sec.title}</h4><table class="fmt-fields"><tbody>${sec.fields.map((f) => html`<tr><th>${f.name}</th><td>${f.value}</td></tr>`)}</tbody></table>`;
        case 'json':
          return html`<h4>${sec.title}</h4><div class="fmt-json">${sectionJson(sec, sec.value)}</div>`;
        case 'table':
          return html`<h4>${sec.title}</h4><table class="fmt-table"><thead><tr>${sec.columns.map((c) => html`<th>${c.title}</th>`)}</tr></thead>
            <tbody>${sec.rows.map((r) => html`<tr>${sec.columns.map((c) => html`<td>${r[c.id] ?? ''}</td>`)}</tr>`)}</tbody></table>`;
        case 'diff':
          return html`<h4>${sec.title}</h4>${sec.changes.length
            ? html`<table class="fmt-diff"><thead><tr><th>Attribute</th><th>Change</th><th>Old</th><th>New</th></tr></thead>
              <tbody>${sec.changes.map((c) => html`<tr class="diff-${c.change}"><th>${c.name}</th><td>${CHANGE_LABELS[c.change]}</td><td>${show(c.old)}</td><td>${show(c.new)}</td></tr>`)}</tbody></table>`
            : html`<div class="muted">No attribute changed.</div>`}`;
      }
    })}
  </div>`;
}

function show(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function body(d: RecordDetail) {
  const kind = detailBodyKind(d);
  const main =
    kind === 'cloudwatch-logs'
      ? logEvents(d.cloudWatchLogs!)
      : kind === 'format'
        ? html`${formatSections(d.format!.detail!)}<vscode-collapsible heading="Decoded value" class="decoded-box">${d.isJson && d.truncatedFrom === undefined ? jsonTree(d) : html`<pre class="text">${d.text}</pre>`}</vscode-collapsible>`
        : kind === 'json'
          ? jsonTree(d)
          : html`<pre class="text ${kind === 'hex' ? 'hex' : ''}">${d.text}</pre>`;
  return html`${d.decodeTruncatedAt !== undefined
      ? html`<div class="muted decode-truncated" role="note">Decoded output truncated at ${nf.format(d.decodeTruncatedAt / 1024 / 1024)} MiB (a record may decode to no more); the raw bytes below are whole.</div>`
      : ''}${main}${d.truncatedFrom !== undefined
      ? html`<div class="muted">Showing the first ${nf.format(d.text.length)} of ${nf.format(d.truncatedFrom)} characters: open it in an editor to see it all.</div>`
      : ''}`;
}

export function detailSection(s: InspectorViewState, ctl: Controller) {
  const d = s.selected && s.detail?.id === s.selected.id ? s.detail : undefined;
  const decoding = s.selected ? decodingFor(s, s.selected.id) : 'auto';
  return html`<section class="detail" id="detail" aria-label="Selected record">
    <div class="detail-toolbar"><strong>Record</strong><span class="spacer"></span>
      <vscode-single-select id="decoding" aria-label="Decoding" ?disabled=${!d} .value=${decoding} @change=${(e: Event) => chooseDecoding(ctl, valueOf(e) as DecodingChoice)}>
        ${DECODING_CHOICES.map((c) => html`<vscode-option value=${c} ?selected=${c === decoding}>${DECODING_LABELS[c] ?? c}</vscode-option>`)}
      </vscode-single-select>
      <vscode-button id="copy" icon="copy" secondary title="Copy the record as JSON" ?disabled=${!d} @click=${() => copyOrOpen(ctl, 'copyRecord')}>Copy</vscode-button>
      <vscode-button id="open" icon="go-to-file" secondary title="Open the record in an editor tab" ?disabled=${!d} @click=${() => copyOrOpen(ctl, 'openRecord')}>Open</vscode-button>
    </div>
    <dl class="meta" id="detailMeta">${d ? detailFacts(d).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`) : ''}</dl>
    <div class="decode-error" id="decodeError" role="alert" ?hidden=${!d?.error}><span class="codicon codicon-warning"></span> Could not decode: ${d?.error ?? ''}</div>
    <div class="detail-body" id="detailBody">${d ? body(d) : html`<div class="muted placeholder">${s.selected ? s.detailMessage : NO_RECORD_SELECTED}</div>`}</div>
    <vscode-collapsible heading="Raw bytes" class="raw-box" ?hidden=${!d} ?open=${!!d?.error}><pre class="raw" id="rawHex">${d?.rawHex ?? ''}</pre></vscode-collapsible>
  </section>`;
}
