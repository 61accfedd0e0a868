/** The reading toolbar (start position, shards, Play/Pause/Stop, Clear, export) and the shard strip. */
import { html } from 'lit';
import { nf } from '../shared/format';
import { valueOf } from '../shared/view';
import { shortShard } from './table';
import { EndType, InspectorViewState, optionsFromForm, PositionForm, PositionType, shardChips, toolbarView, withEndType, withPositionType, windowText } from './state';
import type { Controller } from './controller';

const POSITIONS: [PositionType, string][] = [
  ['LATEST', 'Latest (tail)'],
  ['TRIM_HORIZON', 'Trim horizon (oldest)'],
  ['AT_TIMESTAMP', 'At timestamp'],
  ['AT_SEQUENCE_NUMBER', 'At sequence number'],
  ['AFTER_SEQUENCE_NUMBER', 'After sequence number'],
];

function setPosition(ctl: Controller, patch: Partial<PositionForm>): void {
  ctl.store.update((s) => ({ position: { ...s.position, ...patch } }));
}

function play(ctl: Controller): void {
  const s = ctl.store.state;
  if (s.status?.state === 'paused') {
    ctl.host.post({ type: 'resume' });
    return;
  }
  const options = optionsFromForm(s.position, s.shards);
  if (typeof options === 'string') {
    ctl.notify('error', options);
    return;
  }
  ctl.store.update({ options });
  ctl.host.post({ type: 'start', options });
}

/** Replay the selected record, or the filtered ones: the host asks where to, and reports at the end. */
function replayRecords(ctl: Controller): void {
  const s = ctl.store.state;
  ctl.host.request<'replay'>({ type: 'replay', ...(s.selected ? { recordIds: [s.selected.id] } : {}) }).then(
    (r) => r.started && ctl.notify('info', `Replaying ${nf.format(r.records)} records to ${r.target}…`),
    (e: Error) => ctl.notify('error', e.message),
  );
}

/** Saves the last replay's undelivered records: the host asks where (the same save as the notification's). */
function saveUndelivered(ctl: Controller): void {
  ctl.host.request<'saveUndelivered'>({ type: 'saveUndelivered' }).then(
    (r) => r.saved && ctl.notify('info', `Saved ${nf.format(r.written ?? 0)} undelivered records to ${r.path}.`),
    (e: Error) => ctl.notify('error', e.message),
  );
}

/** "N undelivered — Save…" while the host holds the last replay's undelivered records. */
function undeliveredBadge(s: InspectorViewState, ctl: Controller) {
  const u = s.undelivered;
  if (!u) return html``;
  const n = nf.format(u.count);
  return html`<span class="undelivered" id="undelivered" role="status" title=${`${n} records the last replay to ${u.target} could not deliver (throttled or refused). Save them to send them again with the producer.`}>
    <span class="codicon codicon-warning" aria-hidden="true"></span>${n} undelivered
    <vscode-button id="saveUndelivered" icon="save" secondary title="Save them as JSON Lines the producer sends again" @click=${() => saveUndelivered(ctl)}>Save…</vscode-button>
  </span>`;
}

const ENDS: [EndType, string][] = [
  ['none', 'No end (follow)'],
  ['time', 'At time'],
  ['count', 'After N records'],
];

function exportTo(ctl: Controller, format: 'jsonl' | 'csv'): void {
  ctl.host.request<'export'>({ type: 'export', format }).then(
    (r) => r.path && ctl.notify('info', `Exported ${nf.format(r.written)} records to ${r.path}.`),
    (e: Error) => ctl.notify('error', e.message),
  );
}

function toNotebook(ctl: Controller): void {
  ctl.host.request<'sendToNotebook'>({ type: 'sendToNotebook' }).then(
    (r) => ctl.notify('info', r.sent < r.of ? `Sent the newest ${nf.format(r.sent)} of ${nf.format(r.of)} records to a transform notebook.` : `Sent ${nf.format(r.sent)} records to a transform notebook.`),
    (e: Error) => ctl.notify('error', e.message),
  );
}

export function toolbarSection(s: InspectorViewState, ctl: Controller) {
  const t = toolbarView(s.status);
  const p = s.position;
  const label = (c: { shardId: string; open: boolean }) => `${c.shardId}${c.open ? '' : ' (closed)'}`;
  const seqShard = p.seqShard || s.shards[0]?.shardId || '';
  return html`<div class="toolbar" role="toolbar" aria-label="Reading">
    <span class="title"><span class="codicon codicon-eye"></span><strong id="streamName">${s.streamName}</strong><span class="muted" id="connLabel">${s.connectionLabel}</span></span>
    <label class="lbl" for="position">Start</label>
    <vscode-single-select id="position" aria-label="Start position" ?disabled=${!t.formEnabled} .value=${p.type}
      @change=${(e: Event) => ctl.store.update((cur) => ({ position: withPositionType(cur.position, valueOf(e) as PositionType) }))}>
      ${POSITIONS.map(([v, l]) => html`<vscode-option value=${v} ?selected=${v === p.type}>${l}</vscode-option>`)}
    </vscode-single-select>
    <vscode-textfield id="startTime" type="datetime-local" aria-label="Start timestamp" step="1" ?hidden=${p.type !== 'AT_TIMESTAMP'} ?disabled=${!t.formEnabled}
      .value=${p.time} @change=${(e: Event) => setPosition(ctl, { time: valueOf(e) })} @input=${(e: Event) => setPosition(ctl, { time: valueOf(e) })}></vscode-textfield>
    <span class="group" ?hidden=${!p.type.endsWith('SEQUENCE_NUMBER')}>
      <vscode-single-select id="startSeqShard" aria-label="Shard of the sequence number" ?disabled=${!t.formEnabled} .value=${seqShard}
        @change=${(e: Event) => setPosition(ctl, { seqShard: valueOf(e) })}>
        ${s.shards.map((c) => html`<vscode-option value=${c.shardId} ?selected=${c.shardId === seqShard}>${label(c)}</vscode-option>`)}
      </vscode-single-select>
      <vscode-textfield id="startSeq" placeholder="Sequence number" aria-label="Start sequence number" ?disabled=${!t.formEnabled} .value=${p.seq}
        @input=${(e: Event) => setPosition(ctl, { seq: valueOf(e) })}></vscode-textfield>
    </span>
    <span class="window-end">
      <label class="lbl" for="end">End</label>
      <vscode-single-select id="end" aria-label="Where reading ends" ?disabled=${!t.formEnabled} .value=${p.end}
        @change=${(e: Event) => ctl.store.update((cur) => ({ position: withEndType(cur.position, valueOf(e) as EndType) }))}>
        ${ENDS.map(([v, l]) => html`<vscode-option value=${v} ?selected=${v === p.end}>${l}</vscode-option>`)}
      </vscode-single-select>
      <vscode-textfield id="endTime" type="datetime-local" aria-label="End timestamp" step="1" ?hidden=${p.end !== 'time'} ?disabled=${!t.formEnabled}
        .value=${p.endTime} @change=${(e: Event) => setPosition(ctl, { endTime: valueOf(e) })} @input=${(e: Event) => setPosition(ctl, { endTime: valueOf(e) })}></vscode-textfield>
      <vscode-textfield id="endCount" type="number" min="1" aria-label="Records to read" ?hidden=${p.end !== 'count'} ?disabled=${!t.formEnabled}
        .value=${p.endCount} @input=${(e: Event) => setPosition(ctl, { endCount: valueOf(e) })}></vscode-textfield>
    </span>
    <label class="lbl" for="shards">Shards</label>
    <kinesis-shard-select id="shards" aria-label="Shards to read (none chosen: all)" ?disabled=${!t.formEnabled} .value=${p.shards}
      @change=${(e: Event) => setPosition(ctl, { shards: [...(((e.target as { value?: string[] }).value) ?? [])] })}>
      ${s.shards.map((c) => html`<vscode-option value=${c.shardId} ?selected=${p.shards.includes(c.shardId)}>${label(c)}</vscode-option>`)}
    </kinesis-shard-select>
    <vscode-button id="play" icon="play" title="Start reading (or resume)" ?disabled=${!t.canPlay} @click=${() => play(ctl)}>${t.playLabel}</vscode-button>
    <vscode-button id="pause" icon="debug-pause" secondary title="Pause reading (records stay)" aria-label="Pause" ?disabled=${!t.canPause} @click=${() => ctl.host.post({ type: 'pause' })}></vscode-button>
    <vscode-button id="stop" icon="debug-stop" secondary title="Stop reading" aria-label="Stop" ?disabled=${!t.canStop} @click=${() => ctl.host.post({ type: 'stop' })}></vscode-button>
    <span class="state ${t.stateClass}" id="state" role="status" title=${windowText(s.status) ?? ''}>${t.stateLabel}</span>
    <span class="muted" id="windowStatus" ?hidden=${!windowText(s.status)}>${windowText(s.status) ?? ''}</span>
    <span class="spacer"></span>
    <vscode-button id="clear" icon="clear-all" secondary title="Clear: drop all held records" aria-label="Clear" @click=${() => ctl.host.post({ type: 'clear' })}></vscode-button>
    <span class="lbl">Export</span>
    <vscode-button id="exportJsonl" icon="export" secondary title="Export the filtered records to a JSON Lines file" @click=${() => exportTo(ctl, 'jsonl')}>JSONL</vscode-button>
    <vscode-button id="exportCsv" icon="export" secondary title="Export the filtered records to a CSV file" @click=${() => exportTo(ctl, 'csv')}>CSV</vscode-button>
    <vscode-button id="replay" icon="debug-restart" secondary title="Replay the selected record, or the filtered records, to another data stream or delivery stream" @click=${() => replayRecords(ctl)}>Replay</vscode-button>
    ${undeliveredBadge(s, ctl)}
    <vscode-button id="toNotebook" icon="notebook" secondary title="Open a transform notebook with the filtered records (the newest 500) as its sample" @click=${() => toNotebook(ctl)}>Notebook</vscode-button>
  </div>`;
}

export function shardStripView(s: InspectorViewState) {
  const chips = shardChips(s.status);
  return html`<div class="shard-strip" id="shardStrip" role="list" aria-label="Shard status" ?hidden=${!chips.length}>
    ${chips.map((c) => html`<span class="chip ${c.state}" role="listitem" title=${c.title}><span class="dot"></span><strong>${shortShard(c.shardId)}</strong>${c.label}</span>`)}
  </div>`;
}
