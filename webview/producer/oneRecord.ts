/** The One record tab: key, hash key and data checked as you type; sends one PutRecord. */
import { html } from 'lit';
import type { DataFormat } from '../../src/protocol/producer';
import { valueOf } from '../shared/view';
import { checkOne, OneForm, ProducerViewState } from './state';
import { Controller, messageOf, note } from './controller';

const HISTORY = 10;

function setOne(ctl: Controller, patch: Partial<OneForm>): void {
  ctl.store.update((s) => ({ one: { ...s.one, ...patch } }));
}

async function send(ctl: Controller): Promise<void> {
  const s = ctl.store.state;
  if (!checkOne(s.one, s.targetKind).canSend || s.oneSending) return;
  ctl.store.update({ oneSending: true, oneResult: { text: 'Sending…', kind: 'muted' } });
  try {
    const r = await ctl.host.request<'putOne'>({ type: 'putOne', partitionKey: s.one.key, explicitHashKey: s.one.hash, data: s.one.data, format: s.one.format });
    ctl.store.update((cur) => ({
      oneResult: { text: cur.targetKind === 'deliveryStream' ? `Sent, record id ${r.sequenceNumber}` : `Sent to ${r.shardId}, sequence number ${r.sequenceNumber}`, kind: 'ok' },
      oneHistory: [{ ...r, time: new Date().toLocaleTimeString() }, ...cur.oneHistory].slice(0, HISTORY),
    }));
  } catch (e) {
    ctl.store.update({ oneResult: { text: messageOf(e), kind: 'error' } });
  } finally {
    ctl.store.update({ oneSending: false });
  }
}

export function oneRecordView(s: ProducerViewState, ctl: Controller) {
  const c = checkOne(s.one, s.targetKind);
  // A delivery stream takes no partition key or hash key: the inputs hide.
  const keys = s.targetKind === 'dataStream';
  const formats: [DataFormat, string][] = [['json', 'JSON'], ['text', 'Text'], ['base64', 'Base64 (binary)']];
  return html`<div class="pane">
    ${keys ? html`<div class="row"><label class="lbl" for="oneKey">Partition key</label><div class="ctl">
      <vscode-textfield id="oneKey" aria-label="Partition key" placeholder="Empty: a random key" ?invalid=${!!c.key} .value=${s.one.key}
        @input=${(e: Event) => setOne(ctl, { key: valueOf(e) })}></vscode-textfield>
      ${note('oneKeyMsg', c.keyNote)}</div></div>
    <div class="row"><label class="lbl" for="oneHash">Explicit hash key</label><div class="ctl">
      <vscode-textfield id="oneHash" aria-label="Explicit hash key" placeholder="Optional: 0 to 2^128-1" ?invalid=${!!c.hash} .value=${s.one.hash}
        @input=${(e: Event) => setOne(ctl, { hash: valueOf(e) })}></vscode-textfield>
      ${note('oneHashMsg', c.hash ? { text: c.hash, kind: 'error' } : undefined)}</div></div>` : ''}
    <div class="row"><label class="lbl" for="oneFormat">Data as</label><div class="ctl">
      <vscode-single-select id="oneFormat" aria-label="Data format" .value=${s.one.format} @change=${(e: Event) => setOne(ctl, { format: valueOf(e) as DataFormat })}>
        ${formats.map(([v, l]) => html`<vscode-option value=${v} ?selected=${v === s.one.format}>${l}</vscode-option>`)}
      </vscode-single-select></div></div>
    <div class="row"><label class="lbl" for="oneData">Data</label><div class="ctl">
      <vscode-textarea id="oneData" aria-label="Record data" rows="10" monospace resize="vertical" ?invalid=${c.data.kind === 'error'} .value=${s.one.data}
        @input=${(e: Event) => setOne(ctl, { data: valueOf(e) })}></vscode-textarea>
      ${note('oneDataMsg', c.data)}</div></div>
    <div class="actions"><vscode-button id="oneSend" icon="send" ?disabled=${!c.canSend || s.oneSending} @click=${() => void send(ctl)}>Send record</vscode-button></div>
    ${note('oneResult', s.oneResult)}
    <table class="grid" id="oneHistory" ?hidden=${!s.oneHistory.length}>
      ${keys
        ? html`<thead><tr><th>Time</th><th>Partition key</th><th>Shard</th><th>Sequence number</th></tr></thead>
      <tbody>${s.oneHistory.map((r) => html`<tr><td>${r.time}</td><td>${r.partitionKey}</td><td>${r.shardId}</td><td class="mono">${r.sequenceNumber}</td></tr>`)}</tbody>`
        : html`<thead><tr><th>Time</th><th>Record id</th></tr></thead>
      <tbody>${s.oneHistory.map((r) => html`<tr><td>${r.time}</td><td class="mono">${r.sequenceNumber}</td></tr>`)}</tbody>`}
    </table>
  </div>`;
}
