/** The File tab: a file the host picks (and streams), its format and key. */
import { html } from 'lit';
import type { FileFormatId } from '../../src/protocol/producer';
import { formatBytes } from '../shared/format';
import { valueOf } from '../shared/view';
import type { ProducerViewState } from './state';
import { keyChooserView } from './keyChooser';
import { Controller, messageOf, note } from './controller';

const FORMATS: [FileFormatId, string][] = [
  ['jsonl', 'JSON Lines (one JSON value per line)'],
  ['json', 'JSON array (one record per element)'],
  ['csv', 'CSV with a header row (sent as JSON)'],
  ['text', 'Text (one record per line)'],
  ['undelivered', 'Undelivered records saved here'],
];

async function pick(ctl: Controller): Promise<void> {
  try {
    const picked = await ctl.host.request<'pickFile'>({ type: 'pickFile' });
    if (!picked) return;
    ctl.store.update((s) => ({ file: { ...s.file, picked, format: picked.format, note: undefined } }));
  } catch (e) {
    ctl.store.update((s) => ({ file: { ...s.file, note: { text: messageOf(e), kind: 'error' } } }));
  }
}

export function fileTabView(s: ProducerViewState, ctl: Controller) {
  const f = s.file;
  const set = (patch: Partial<ProducerViewState['file']>) => ctl.store.update((cur) => ({ file: { ...cur.file, ...patch } }));
  return html`<div class="pane">
    <div class="row"><span class="lbl">File</span><div class="ctl inline">
      <vscode-button id="filePick" icon="folder-opened" secondary @click=${() => void pick(ctl)}>Choose file…</vscode-button>
      <span id="fileName" class="muted">${f.picked ? `${f.picked.name} (${formatBytes(f.picked.size)})` : 'No file chosen'}</span>
    </div></div>
    <div class="row"><label class="lbl" for="fileFormat">Format</label><div class="ctl">
      <vscode-single-select id="fileFormat" aria-label="File format" .value=${f.format} @change=${(e: Event) => set({ format: valueOf(e) as FileFormatId })}>
        ${FORMATS.map(([v, l]) => html`<vscode-option value=${v} ?selected=${v === f.format}>${l}</vscode-option>`)}
      </vscode-single-select></div></div>
    ${s.targetKind === 'dataStream' ? html`<div class="row"><label class="lbl" for="fileKeyMode">Partition key</label><div class="ctl">${keyChooserView('file', f.key, false, (key) => set({ key }))}</div></div>` : ''}
    <div class="row"><span class="lbl"></span><div class="muted small">The file is streamed from disk by the extension, never loaded whole. Each line (or element, or row) is one record.</div></div>
    ${note('fileMsg', f.note)}
  </div>`;
}
