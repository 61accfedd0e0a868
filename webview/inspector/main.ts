/**
 * The record inspector page: one state (./state) rendered by the toolbar, filter bar and detail
 * modules; the hand-written virtual table and the charts keep their own elements. The host
 * (src/vscode/inspector) holds the records and answers for rows on request.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import './shardSelect';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import './inspector.css';

import { html } from 'lit';
import type { InspectorEvent, InspectorPanelState, InspectorProtocol } from '../../src/protocol/inspector';
import { h } from '../shared/dom';
import { HostChannel } from '../shared/host';
import { Store } from '../shared/store';
import { mount } from '../shared/view';
import { VirtualTable } from './table';
import { drawStats } from './charts';
import { emptyHint, filterForm, initialState, InspectorViewState, NoticeLevel, noticeShown, persisted, positionForm } from './state';
import { listColumns } from './columns';
import { columnBarSection } from './columnBar';
import type { Controller } from './controller';
import { shardStripView, toolbarSection } from './toolbar';
import { filterBarSection } from './filterBar';
import { detailSection, selectRow } from './detail';

const INFO_NOTICE_MS = 6000;

const host = new HostChannel<InspectorProtocol, InspectorPanelState>();
const store = new Store<InspectorViewState>(initialState());
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
const ctl: Controller = {
  store,
  host,
  notify(level: NoticeLevel, message: string) {
    clearTimeout(noticeTimer);
    store.update({ notice: { level, message } });
    if (level === 'info') noticeTimer = setTimeout(() => store.update({ notice: undefined }), INFO_NOTICE_MS);
  },
};

const table = new VirtualTable(
  (version, start, count) => host.request<'getRows'>({ type: 'getRows', version, start, count }),
  (row) => selectRow(ctl, row),
  (order) => {
    store.update({ sort: order });
    host.post({ type: 'setSort', order });
  },
);

const canvases = {
  rates: h('canvas', { class: 'chart', id: 'chartRates', 'aria-label': 'Records and bytes per second' }),
  shards: h('canvas', { class: 'chart', id: 'chartShards', 'aria-label': 'Records per shard' }),
  keys: h('canvas', { class: 'chart', id: 'chartKeys', 'aria-label': 'Top partition keys' }),
};
let chartsOpen = true;
let statsFrame = 0;
function scheduleCharts(): void {
  const stats = store.state.stats;
  if (!stats || statsFrame || !chartsOpen) return;
  statsFrame = requestAnimationFrame(() => {
    statsFrame = 0;
    drawStats(canvases, store.state.stats ?? stats);
  });
}

function view(s: InspectorViewState) {
  const notice = noticeShown(s);
  const hint = emptyHint(s);
  table.setColumns(listColumns(s));
  return html`${toolbarSection(s, ctl)}${shardStripView(s)}${filterBarSection(s, ctl)}${columnBarSection(s, ctl)}
    <div class="notice ${notice?.level ?? ''}" id="notice" role="status" ?hidden=${!notice}>
      <span class="codicon codicon-${notice?.level ?? 'info'}"></span> ${notice?.message ?? ''}
    </div>
    <vscode-collapsible heading="Charts" open class="charts"
      @vsc-collapsible-toggle=${(e: Event) => { chartsOpen = !!(e.currentTarget as { open?: boolean }).open; setTimeout(scheduleCharts, 0); }}>
      <div class="charts-row">${canvases.rates}${canvases.shards}${canvases.keys}</div>
    </vscode-collapsible>
    <div class="main">
      <div class="list">${table.root}<div class="empty" id="empty" ?hidden=${!hint}>${hint ?? ''}</div></div>
      ${detailSection(s, ctl)}
    </div>`;
}

function onEvent(msg: InspectorEvent): void {
  switch (msg.type) {
    case 'init':
      store.update({
        connectionId: msg.connectionId,
        streamName: msg.streamName,
        connectionLabel: msg.connectionLabel,
        shards: msg.shards,
        options: msg.options,
        position: positionForm(msg.options, msg.preselectShard),
        filter: msg.filter,
        filterForm: filterForm(msg.filter),
        sort: msg.sort,
        formats: msg.formats ?? [],
        columns: msg.columns ?? [],
        logEventRows: msg.logEventRows === true,
      });
      document.title = `Inspect ${msg.streamName}`;
      table.setOrder(msg.sort);
      return;
    case 'shards':
      store.update({ shards: msg.shards });
      return;
    case 'selectShard':
      store.update((s) => ({ options: { ...s.options, shards: [msg.shardId] }, position: { ...s.position, shards: [msg.shardId] } }));
      return;
    case 'view':
      table.update(msg.version, msg.count, msg.changedFrom);
      store.update({ viewCount: msg.count });
      return;
    case 'status':
      // A reading error or warning of the moment gives way to the new status (info fades by itself).
      store.update((s) => ({ status: msg.status, notice: s.notice?.level === 'info' ? s.notice : undefined }));
      return;
    case 'stats':
      store.update({ stats: msg.stats });
      scheduleCharts();
      return;
    case 'notice':
      ctl.notify(msg.level, msg.message);
      return;
    case 'undelivered':
      store.update({ undelivered: msg.count > 0 ? { count: msg.count, target: msg.target ?? '' } : undefined });
      return;
  }
}

host.onEvent(onEvent);
mount(store, document.body, view);
store.subscribe((s) => {
  const p = persisted(s);
  if (p) host.setState(p);
});
new ResizeObserver(() => scheduleCharts()).observe(document.body);
// theme changes restyle the body: redraw the canvases in the new colours
new MutationObserver(() => scheduleCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// expose a little for tests and the benchmark (no record content beyond what is on screen)
(window as unknown as { __inspector: unknown }).__inspector = {
  table,
  get selectedId() {
    return store.state.selected?.id;
  },
  get filter() {
    return store.state.filter;
  },
  get persisted() {
    return host.getState();
  },
  get columns() {
    return table.columns;
  },
};

host.ready();
