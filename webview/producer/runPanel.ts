/** How much and how fast, Start and Stop, the progress while it runs and the result after. */
import { html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ResultInfo } from '../../src/protocol/producer';
import { nf } from '../shared/format';
import { checkedOf, valueOf } from '../shared/view';
import { AmountType, limitsText, ProducerViewState, progressView, resultSummary, runSettingsFor, runSource, RunForm, startCheck, TAB_ONE, withAmountType } from './state';
import { Controller, messageOf, note } from './controller';

function setRun(ctl: Controller, patch: Partial<RunForm>): void {
  ctl.store.update((s) => ({ run: { ...s.run, ...patch } }));
}

function clearResult(ctl: Controller): void {
  ctl.store.update({ result: undefined, progress: undefined, runNote: undefined });
}

function start(ctl: Controller): void {
  const s = ctl.store.state;
  const source = runSource(s);
  if (!source || !startCheck(s).enabled) return;
  clearResult(ctl);
  ctl.host.post({ type: 'start', source, settings: runSettingsFor(s) });
}

function resend(ctl: Controller): void {
  clearResult(ctl);
  ctl.host.post({ type: 'resend', settings: { ...runSettingsFor(ctl.store.state), amount: { type: 'untilStopped' } } });
}

async function saveUndelivered(ctl: Controller): Promise<void> {
  try {
    const r = await ctl.host.request<'saveUndelivered'>({ type: 'saveUndelivered' });
    if (r) ctl.store.update({ runNote: { text: `Saved to ${r.path}. Re-send it from the File tab (format: undelivered) or with Re-send.`, kind: 'ok' } });
  } catch (e) {
    ctl.store.update({ runNote: { text: messageOf(e), kind: 'error' } });
  }
}

const EMPTY_STATS = progressView(
  { elapsedMs: 0, read: 0, sent: 0, bytesSent: 0, retried: 0, shardMapRefreshes: 0, callsFailed: 0, calls: 0, undelivered: 0, rejected: 0, inFlight: 0, pending: 0, recordsPerSecond: 0, bytesPerSecond: 0, shards: {} },
  false,
).stats.map((x) => ({ ...x, value: '–' }));

function progressSection(s: ProducerViewState, ctl: Controller) {
  const p = s.result ?? s.progress;
  const shown = !!p || s.runState !== 'idle';
  const v = p ? progressView(p, !!s.result) : undefined;
  const r = s.result;
  return html`
    <vscode-progress-bar id="progressBar" aria-label="Progress" ?hidden=${!shown} .max=${v?.bar.max ?? 1} .value=${v?.bar.value} .indeterminate=${v ? v.bar.indeterminate : true}></vscode-progress-bar>
    <div class="stats" id="stats" ?hidden=${!shown}>${(v?.stats ?? EMPTY_STATS).map(
      (x) => html`<div class="stat"><div class="stat-value ${x.bad ? 'bad' : ''}" id=${x.id}>${x.value}</div><div class="stat-label">${x.label}</div></div>`,
    )}</div>
    ${r ? resultBox(r, s) : ''}
    <div class="actions" ?hidden=${!r?.undelivered}>
      <vscode-button id="saveUndelivered" icon="save" secondary @click=${() => void saveUndelivered(ctl)}>Save undelivered records</vscode-button>
      <vscode-button id="resend" icon="refresh" @click=${() => resend(ctl)}>Re-send</vscode-button>
    </div>
    <table class="grid" id="shardTable" ?hidden=${!v?.shards.length || s.targetKind === 'deliveryStream'}>
      <thead><tr><th>Shard</th><th class="num">Records</th><th class="num">Bytes</th><th>Share</th></tr></thead>
      <tbody>${(v?.shards ?? []).map(
        (x) => html`<tr><td>${x.shardId}</td><td class="num">${x.records}</td><td class="num">${x.bytes}</td><td><div class="meter"><div class="meter-fill" style=${styleMap({ width: `${(x.share * 100).toFixed(1)}%` })}></div></div></td></tr>`,
      )}</tbody>
    </table>
    ${r ? resultLists(r) : ''}`;
}

function resultBox(r: ResultInfo, s: ProducerViewState) {
  const sum = resultSummary(r, s.targetKind);
  return html`<div class="result ${sum.icon === 'pass' ? 'ok' : sum.icon === 'error' ? 'bad' : ''}" id="result">
    <span class="codicon codicon-${sum.icon}"></span><span id="resultText">${sum.text}</span>
    ${r.error ? html`<div class="error-text">${r.error}</div>` : ''}
  </div>`;
}

function resultLists(r: ResultInfo) {
  return html`<div class="result-lists">
    ${r.problems.length ? html`<vscode-collapsible title=${`Invalid input (${nf.format(r.rejected)})`} open><ul class="list">${r.problems.map((p) => html`<li><strong>${p.origin}</strong>: ${p.message}</li>`)}</ul></vscode-collapsible>` : ''}
    ${r.undeliveredSample.length ? html`<vscode-collapsible title=${`Undelivered records (${nf.format(r.undelivered)})`} open><ul class="list">${r.undeliveredSample.map((u) => html`<li><strong>${u.origin ?? u.partitionKey}</strong>: ${u.error}</li>`)}</ul></vscode-collapsible>` : ''}
  </div>`;
}

export function runPanelView(s: ProducerViewState, ctl: Controller) {
  const check = startCheck(s);
  const r = s.run;
  // Per-key order and KPL aggregation are for data streams only.
  const dataStream = s.targetKind === 'dataStream';
  return html`<div class="run" ?hidden=${s.tab === TAB_ONE}>
    <div class="run-settings">
      <div class="cell"><label class="lbl block" for="amountType">How much</label><div class="inline">
        <vscode-single-select id="amountType" aria-label="How much" .value=${r.amountType} @change=${(e: Event) => ctl.store.update((cur) => ({ run: withAmountType(cur.run, valueOf(e) as AmountType) }))}>
          <vscode-option value="count" ?selected=${r.amountType === 'count'}>A number of records</vscode-option>
          <vscode-option value="duration" ?selected=${r.amountType === 'duration'}>For a duration (seconds)</vscode-option>
          <vscode-option value="untilStopped" ?selected=${r.amountType === 'untilStopped'}>Until stopped</vscode-option>
        </vscode-single-select>
        <vscode-textfield id="amountValue" aria-label="Count or seconds" type="number" min="1" ?hidden=${r.amountType === 'untilStopped'} .value=${r.amountValue}
          @input=${(e: Event) => setRun(ctl, { amountValue: valueOf(e) })}></vscode-textfield>
      </div></div>
      <div class="cell"><label class="lbl block" for="rate">Rate (records/s, 0 = as fast as possible)</label>
        <vscode-textfield id="rate" aria-label="Records per second" type="number" min="0" placeholder="0 = as fast as the stream accepts" .value=${r.rate}
          @input=${(e: Event) => setRun(ctl, { rate: valueOf(e) })}></vscode-textfield></div>
      <div class="cell checks">
        ${dataStream ? html`<vscode-checkbox id="ordered" label="Keep order per partition key" .checked=${r.ordered} @change=${(e: Event) => setRun(ctl, { ordered: checkedOf(e) })}></vscode-checkbox>` : ''}
        <vscode-checkbox id="skipInvalid" label="Skip invalid input and go on (else stop at it)" .checked=${r.skip} @change=${(e: Event) => setRun(ctl, { skip: checkedOf(e) })}></vscode-checkbox>
        ${dataStream ? html`<vscode-checkbox id="aggregate" label="KPL aggregation (consumers must deaggregate)" .checked=${r.aggregate} @change=${(e: Event) => setRun(ctl, { aggregate: checkedOf(e) })}
          title="Pack small records into KPL aggregated records, grouped by shard, as the Kinesis Producer Library does. The KCL, Lambda deaggregation and the inspector read them back."></vscode-checkbox>` : ''}
      </div>
      <div class="cell buttons">
        <vscode-button id="start" icon="play" ?disabled=${!check.enabled} @click=${() => start(ctl)}>Start</vscode-button>
        <vscode-button id="stop" icon="debug-stop" secondary ?disabled=${s.runState !== 'running'} @click=${() => ctl.host.post({ type: 'stop' })}>${s.runState === 'stopping' ? 'Stopping…' : 'Stop'}</vscode-button>
      </div>
    </div>
    <div class="muted small" id="limits">${limitsText(s.targetKind)}</div>
    ${note('runMsg', s.runNote ?? (check.message ? { text: check.message, kind: 'muted' } : undefined))}
    ${progressSection(s, ctl)}
  </div>`;
}
