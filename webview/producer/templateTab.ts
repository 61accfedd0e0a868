/** The Template tab: a library of starters and saved templates, the text with a live preview, its key, Save. */
import { html } from 'lit';
import { valueOf } from '../shared/view';
import { keySpec, KeyForm, ProducerViewState, templateNote, withTemplate } from './state';
import { keyChooserView } from './keyChooser';
import { Controller, messageOf, note } from './controller';

const PREVIEW_COUNT = 5;
const PREVIEW_DELAY_MS = 250;

const HELP: [string, string][] = [
  ['{{uuid}}', 'a random UUID'],
  ['{{counter}}  {{counter(100, 5)}}', 'a running counter: start, step'],
  ['{{now}}  {{now("epoch")}}  {{now("epochSeconds")}}', 'the current time'],
  ['{{int(1, 100)}}  {{float(0, 1, 3)}}  {{bool(0.3)}}', 'random numbers, decimals, true with a probability'],
  ['{{pick(["GET", "POST"])}}  {{pick(["ok", "error"], [95, 5])}}', 'a pick from a list, optionally weighted'],
  ['{{faker.person.fullName}}  {{faker.location.city}}  {{faker.internet.email}}', 'any @faker-js/faker function'],
  ['{{faker.number.int({"min": 1, "max": 9})}}', 'arguments are JSON values'],
];

let previewTimer: ReturnType<typeof setTimeout> | undefined;
let previewSeq = 0;

/** Asks the host for a preview of the current text a moment after the last keystroke. */
export function schedulePreview(ctl: Controller): void {
  clearTimeout(previewTimer);
  ctl.store.update((s) => ({ preview: { ...s.preview, pending: true } }));
  previewTimer = setTimeout(() => void runPreview(ctl), PREVIEW_DELAY_MS);
}

async function runPreview(ctl: Controller): Promise<void> {
  const seq = ++previewSeq;
  const s = ctl.store.state;
  if (!s.tpl.text.trim()) {
    ctl.store.update({ preview: { pending: false, records: [] } });
    return;
  }
  try {
    const r = await ctl.host.request<'preview'>({ type: 'preview', template: s.tpl.text, partitionKey: keySpec(s.tpl.key), count: PREVIEW_COUNT });
    if (seq === previewSeq) ctl.store.update({ preview: { pending: false, records: r.records } });
  } catch (e) {
    if (seq === previewSeq) ctl.store.update((cur) => ({ preview: { pending: false, records: cur.preview.records, error: messageOf(e) } }));
  }
}

function edit(ctl: Controller, patch: { text?: string; key?: KeyForm; name?: string }): void {
  ctl.store.update((s) => ({ tpl: { ...s.tpl, ...patch } }));
  if (patch.text !== undefined || patch.key !== undefined) schedulePreview(ctl);
}

export function chooseTemplate(ctl: Controller, id: string): void {
  if (!id) return;
  ctl.store.update((s) => withTemplate(s, id));
  schedulePreview(ctl);
}

async function reload(ctl: Controller): Promise<void> {
  try {
    const templates = await ctl.host.request<'reloadTemplates'>({ type: 'reloadTemplates' });
    ctl.store.update({ templates, tplSaveNote: { text: `${templates.length} templates`, kind: 'muted' } });
  } catch (e) {
    ctl.store.update({ tplSaveNote: { text: messageOf(e), kind: 'error' } });
  }
}

async function save(ctl: Controller): Promise<void> {
  const s = ctl.store.state;
  try {
    const r = await ctl.host.request<'saveTemplate'>({ type: 'saveTemplate', name: s.tpl.name, template: s.tpl.text, partitionKey: keySpec(s.tpl.key) });
    const saved = r.templates.find((t) => t.origin === 'workspace' && t.name === s.tpl.name.trim());
    ctl.store.update((cur) => ({ templates: r.templates, tpl: { ...cur.tpl, selected: saved?.id ?? cur.tpl.selected }, tplSaveNote: { text: `Saved to ${r.path}`, kind: 'ok' } }));
  } catch (e) {
    ctl.store.update({ tplSaveNote: { text: messageOf(e), kind: 'error' } });
  }
}

export function templateTabView(s: ProducerViewState, ctl: Controller) {
  const verdict = templateNote(s);
  const selected = s.templates.find((t) => t.id === s.tpl.selected);
  const group = (origin: 'builtin' | 'workspace') =>
    s.templates
      .filter((t) => t.origin === origin)
      .map((t) => html`<vscode-option value=${t.id} ?selected=${t.id === s.tpl.selected}>${origin === 'builtin' ? t.name : `${t.name} (workspace)`}</vscode-option>`);
  return html`<div class="pane">
    <div class="row"><label class="lbl" for="tplSelect">Start from</label><div class="ctl inline">
      <vscode-single-select id="tplSelect" aria-label="Starter and saved templates" .value=${s.tpl.selected} @change=${(e: Event) => chooseTemplate(ctl, valueOf(e))}>
        <vscode-option value="" ?selected=${!s.tpl.selected}>Choose a template…</vscode-option>${group('builtin')}${group('workspace')}
      </vscode-single-select>
      <vscode-button id="tplReload" icon="refresh" secondary title="Reload saved templates" @click=${() => void reload(ctl)}>Reload</vscode-button>
      <div class="muted small" id="tplDescription">${selected?.description ?? ''}</div>
    </div></div>
    <div class="split">
      <div class="col"><label class="lbl block" for="tplText">Record template</label>
        <vscode-textarea id="tplText" aria-label="Template" rows="11" monospace resize="vertical" ?invalid=${!!s.preview.error} .value=${s.tpl.text}
          @input=${(e: Event) => edit(ctl, { text: valueOf(e) })}></vscode-textarea>
        ${note('tplMsg', verdict.note)}</div>
      <div class="col"><div class="lbl block">Preview of the next records</div>
        <div class="preview" id="tplPreview" aria-label="Preview of the next records">${s.tpl.text.trim() ? s.preview.records.map(
          (r) => html`<div class="preview-item">${s.targetKind === 'dataStream' ? html`<div class="preview-key"><span class="codicon codicon-key"></span>${r.partitionKey}</div>` : ''}<pre>${r.data}</pre></div>`,
        ) : ''}</div></div>
    </div>
    ${s.targetKind === 'dataStream' ? html`<div class="row"><label class="lbl" for="tplKeyMode">Partition key</label><div class="ctl">${keyChooserView('tpl', s.tpl.key, true, (key) => edit(ctl, { key }))}</div></div>` : ''}
    <div class="row"><label class="lbl" for="tplName">Save as</label><div class="ctl inline">
      <vscode-textfield id="tplName" aria-label="Template name" placeholder="Name to save as" .value=${s.tpl.name} @input=${(e: Event) => edit(ctl, { name: valueOf(e) })}></vscode-textfield>
      <vscode-button id="tplSave" icon="save" secondary ?disabled=${!s.hasWorkspace}
        title=${s.hasWorkspace ? 'Save to .kinesis/templates in the workspace' : 'Open a folder to save templates in its .kinesis/templates'} @click=${() => void save(ctl)}>Save</vscode-button>
      ${note('tplSaveMsg', s.tplSaveNote)}
    </div></div>
    <vscode-collapsible title="Placeholders" class="help"><div class="help-body">
      ${HELP.map(([code, what]) => html`<div class="help-row"><code>${code}</code><span class="muted">${what}</span></div>`)}
      <div class="muted small">In JSON templates a placeholder inside quotes is escaped; outside quotes it is written as a JSON value.</div>
    </div></vscode-collapsible>
  </div>`;
}
