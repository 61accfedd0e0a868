/** The filter bar: typed filters applied by the host a moment after the last keystroke; a bad expression is shown under it. */
import { html } from 'lit';
import { valueOf } from '../shared/view';
import { EMPTY_FILTER_FORM, FilterForm, filterFromForm, InspectorViewState, matchCountText } from './state';
import type { Controller } from './controller';

const FILTER_DELAY_MS = 300;
let timer: ReturnType<typeof setTimeout> | undefined;

function apply(ctl: Controller): void {
  clearTimeout(timer);
  const filter = filterFromForm(ctl.store.state.filterForm);
  ctl.store.update({ filter });
  ctl.host.request<'setFilter'>({ type: 'setFilter', filter }).then(
    (r) => ctl.store.update({ filterProblem: r.warning ? { message: `The expression failed on some records: ${r.warning}`, invalid: false } : undefined }),
    (e: Error) => ctl.store.update({ filterProblem: { message: e.message, invalid: true } }),
  );
}

function edit(ctl: Controller, patch: Partial<FilterForm>, now = false): void {
  ctl.store.update((s) => ({ filterForm: { ...s.filterForm, ...patch } }));
  clearTimeout(timer);
  if (now) apply(ctl);
  else timer = setTimeout(() => apply(ctl), FILTER_DELAY_MS);
}

function onEnter(ctl: Controller) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Enter') apply(ctl);
  };
}

export function filterBarSection(s: InspectorViewState, ctl: Controller) {
  const f = s.filterForm;
  return html`<div class="filterbar" role="search">
      <span class="codicon codicon-filter" title="Filter"></span>
      <vscode-textfield id="fKey" placeholder="Partition key" aria-label="Filter by partition key" .value=${f.key}
        @input=${(e: Event) => edit(ctl, { key: valueOf(e) })} @keydown=${onEnter(ctl)}></vscode-textfield>
      <vscode-single-select id="fShard" aria-label="Filter by shard" .value=${f.shard} @change=${(e: Event) => edit(ctl, { shard: valueOf(e) })}>
        <vscode-option value="" ?selected=${!f.shard}>All shards</vscode-option>
        ${s.shards.map((c) => html`<vscode-option value=${c.shardId} ?selected=${c.shardId === f.shard}>${c.shardId}</vscode-option>`)}
      </vscode-single-select>
      <span class="lbl">From</span>
      <vscode-textfield id="fFrom" type="datetime-local" step="1" aria-label="Arrived at or after" .value=${f.from} @change=${(e: Event) => edit(ctl, { from: valueOf(e) })}></vscode-textfield>
      <span class="lbl">to</span>
      <vscode-textfield id="fTo" type="datetime-local" step="1" aria-label="Arrived at or before" .value=${f.to} @change=${(e: Event) => edit(ctl, { to: valueOf(e) })}></vscode-textfield>
      <vscode-textfield id="fText" placeholder="Search text" aria-label="Filter by text" .value=${f.text}
        @input=${(e: Event) => edit(ctl, { text: valueOf(e) })} @keydown=${onEnter(ctl)}></vscode-textfield>
      <vscode-textfield id="fJmes" class="jmes" placeholder="JMESPath, e.g. level == 'ERROR' && latency > \`100\`" aria-label="Filter by JMESPath expression"
        ?invalid=${!!s.filterProblem?.invalid} .value=${f.jmespath} @input=${(e: Event) => edit(ctl, { jmespath: valueOf(e) })} @keydown=${onEnter(ctl)}></vscode-textfield>
      <vscode-button id="fClear" icon="clear-all" secondary title="Clear the filter" @click=${() => edit(ctl, EMPTY_FILTER_FORM, true)}>Reset</vscode-button>
      <span class="muted" id="matchCount">${matchCountText(s.status)}</span>
    </div>
    <div class="filter-error" id="filterError" role="alert" ?hidden=${!s.filterProblem}>${s.filterProblem?.message ?? ''}</div>`;
}
