/**
 * The producer panel: one record, a file, or a templated stream at a set rate. The extension host
 * does the work (src/vscode/producer/panel.ts); this page keeps one state (./state), renders it
 * with the tab modules and saves it for reloads. lit escapes every interpolation: record content
 * is never parsed as HTML.
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

import { html } from 'lit';
import type { ProducerEvent, ProducerProtocol } from '../../src/protocol/producer';
import { HostChannel } from '../shared/host';
import { Store } from '../shared/store';
import { mount } from '../shared/view';
import { fromSaved, initialState, ProducerViewState, SavedState, Tab, toSaved } from './state';
import type { Controller } from './controller';
import { oneRecordView } from './oneRecord';
import { chooseTemplate, schedulePreview, templateTabView } from './templateTab';
import { fileTabView } from './fileTab';
import { runPanelView } from './runPanel';

const DEFAULT_TEMPLATE = 'builtin:iot-sensor';

const host = new HostChannel<ProducerProtocol, SavedState>();
const store = new Store<ProducerViewState>(initialState());
const ctl: Controller = { store, host };
let started = false;

function view(s: ProducerViewState) {
  const onTab = (e: Event) => store.update({ tab: (e.target as HTMLElement & { selectedIndex: number }).selectedIndex as Tab });
  return html`
    <div class="header"><span class="codicon codicon-send"></span><span>Produce to </span><strong id="streamName">${s.target?.streamName ?? ''}</strong><span class="muted" id="targetKind">${s.targetKind === 'deliveryStream' ? ' (Firehose delivery stream)' : ''}</span><span class="muted" id="connLabel">${s.connectionLabel ? ` · ${s.connectionLabel}` : ''}</span></div>
    <vscode-tabs id="tabs" .selectedIndex=${s.tab} @vsc-tabs-select=${onTab}>
      <vscode-tab-header slot="header" id="tabOne">One record</vscode-tab-header>
      <vscode-tab-panel>${oneRecordView(s, ctl)}</vscode-tab-panel>
      <vscode-tab-header slot="header" id="tabTemplate">Template</vscode-tab-header>
      <vscode-tab-panel>${templateTabView(s, ctl)}</vscode-tab-panel>
      <vscode-tab-header slot="header" id="tabFile">File</vscode-tab-header>
      <vscode-tab-panel>${fileTabView(s, ctl)}</vscode-tab-panel>
    </vscode-tabs>
    ${runPanelView(s, ctl)}`;
}

function onEvent(msg: ProducerEvent): void {
  switch (msg.type) {
    case 'init': {
      const saved = host.getState();
      store.update((s) => ({
        target: { connectionId: msg.connectionId, streamName: msg.streamName, kind: msg.targetKind },
        targetKind: msg.targetKind,
        connectionLabel: msg.connectionLabel,
        hasWorkspace: msg.hasWorkspace,
        templates: msg.templates,
        ...(started ? {} : fromSaved(saved, s)),
      }));
      document.title = `Produce to ${msg.streamName}${msg.targetKind === 'deliveryStream' ? ' (delivery stream)' : ''}`;
      if (!started && !saved) chooseTemplate(ctl, (msg.templates.find((t) => t.id === DEFAULT_TEMPLATE) ?? msg.templates[0])?.id ?? '');
      else schedulePreview(ctl);
      started = true;
      return;
    }
    case 'runState':
      store.update({ runState: msg.state });
      return;
    case 'progress':
      store.update({ progress: msg.progress });
      return;
    case 'result':
      store.update({ result: msg.result });
      return;
    case 'runError':
      store.update({ runNote: { text: msg.message, kind: 'error' } });
      return;
  }
}

host.onEvent(onEvent);
mount(store, document.body, view);
// The state, not the page, is what is saved: every change, once the host said which stream this is.
store.subscribe((s) => {
  if (started) host.setState(toSaved(s));
  // For styles and tests: whether a run is going.
  document.body.dataset.runState = s.runState;
});
host.ready();
