/** The list's columns: which format's columns show (auto: the one all shown records are of), and columns added from fields. */
import { html } from 'lit';

import { checkedOf, valueOf } from '../shared/view';
import { ColumnChoice, hiddenText, InspectorViewState } from './state';
import { columnTitle, formatColumnChoices, withFieldColumn } from './columns';
import type { Controller } from './controller';

/** Sends the columns to the host, which checks each and fills the rows' cells; a refused one is said. */
export function applyColumns(ctl: Controller, columns: string[]): void {
  ctl.store.update({ columns, columnProblem: undefined });
  ctl.host.request<'setColumns'>({ type: 'setColumns', columns }).then(
    (r) => ctl.store.update({ columns: r.columns, columnProblem: r.errors.length ? r.errors.map((e) => e.error).join(' ') : undefined }),
    (e: Error) => ctl.store.update({ columnProblem: e.message }),
  );
}

function setLogEventRows(ctl: Controller, on: boolean): void {
  if (on === ctl.store.state.logEventRows) return;
  ctl.store.update({ logEventRows: on });
  ctl.host.post({ type: 'setLogEventRows', on });
}

function add(ctl: Controller, spec: string): void {
  const next = withFieldColumn(ctl.store.state.columns, spec);
  if (typeof next === 'string') {
    ctl.store.update({ columnProblem: next });
    return;
  }
  ctl.store.update({ columnDraft: '' });
  applyColumns(ctl, next);
}

export function columnBarSection(s: InspectorViewState, ctl: Controller) {
  const hidden = hiddenText(s.status);
  return html`<div class="column-bar" id="columnBar" aria-label="Columns">
      <span class="codicon codicon-list-flat" title="Columns"></span>
      <vscode-single-select id="columnChoice" aria-label="Format columns" .value=${s.columnChoice}
        @change=${(e: Event) => ctl.store.update({ columnChoice: valueOf(e) as ColumnChoice })}>
        <vscode-option value="auto" ?selected=${s.columnChoice === 'auto'}>Columns: a format's, when all shown are of one</vscode-option>
        <vscode-option value="none" ?selected=${s.columnChoice === 'none'}>Columns: none of a format</vscode-option>
        ${s.formats.map((f) => html`<vscode-option value=${f.name} ?selected=${s.columnChoice === f.name}>Columns: ${f.title}</vscode-option>`)}
      </vscode-single-select>
      ${s.columns.map(
        (spec) => html`<span class="col-chip" data-spec=${spec}>${columnTitle(s, spec)}<button type="button" title="Remove the column ${spec}" aria-label="Remove the column ${spec}"
          @click=${() => applyColumns(ctl, s.columns.filter((c) => c !== spec))}>×</button></span>`,
      )}
      <vscode-textfield id="columnAdd" class="col-add" placeholder="Add a column: JMESPath, e.g. detail.status" aria-label="Add a column from a JMESPath" .value=${s.columnDraft}
        @input=${(e: Event) => ctl.store.update({ columnDraft: valueOf(e) })} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && add(ctl, ctl.store.state.columnDraft)}></vscode-textfield>
      <vscode-button id="columnAddButton" icon="add" secondary title="Add the column" @click=${() => add(ctl, ctl.store.state.columnDraft)}>Column</vscode-button>
      <vscode-single-select id="columnFormatField" aria-label="Add a format's field as a column" .value=${''}
        @change=${(e: Event) => {
          const v = valueOf(e);
          if (v) add(ctl, v);
        }}>
        <vscode-option value="" selected>Add a format's field…</vscode-option>
        ${formatColumnChoices(s.formats).map((c) => html`<vscode-option value=${c.spec}>${c.label}</vscode-option>`)}
      </vscode-single-select>
      <vscode-checkbox id="logEventRows" label="One row per log event" title="CloudWatch Logs payloads: each log event its own row, with its time and message (export writes the rows; replay sends each record once)"
        .checked=${s.logEventRows} @change=${(e: Event) => setLogEventRows(ctl, checkedOf(e))}></vscode-checkbox>
      <span class="muted" id="hiddenCount" ?hidden=${!hidden}>${hidden ?? ''}</span>
    </div>
    <div class="column-error" id="columnError" role="alert" ?hidden=${!s.columnProblem}>${s.columnProblem ?? ''}</div>`;
}

