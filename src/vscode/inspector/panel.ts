import * as vscode from 'vscode';
import { homedir } from 'node:os';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Connection } from '../../core/aws/connection';
import { connectionLabel } from '../../core/aws/connection';
import { describeError, UserError } from '../../core/aws/errors';
import { StreamService } from '../../core/kinesis/streamService';
import { exportToFile, isExportCancelled } from '../../core/records/export';
import { formatColumnsList } from '../../core/records/formats';
import type { ReplayOptions } from '../../core/producer/replay';
import type { ProduceResult } from '../../core/producer/engine';
import type { UndeliveredList } from '../../core/producer/undelivered';
import type { DecodedRecord, ShardProgress } from '../../core/records/types';
import {
  INSPECTOR_VIEW_TYPE,
  InspectorCommand,
  InspectorFilter,
  InspectorOptions,
  InspectorProtocol,
  InspectorRequest,
  PlayState,
  FormatInfo,
  ReplyResults,
  sanitizeColumns,
  sanitizeDecoding,
  sanitizeSort,
  ShardChoice,
  SortOrder,
} from '../../protocol/inspector';
import type { ExtensionServices } from '../services';
import { PanelKind, WebviewPanelHost } from '../webviewPanelHost';
import { decodedAs, loadSchemaFor, recordDetail, recordJson } from './detail';
import { InspectorModel } from './model';
import { InspectorSession } from './session';
import { pickDestination, pickPartitionKey, pickReplayRecords, ReplayDestination, replayWithProgress, showReplayReport } from './replay';
import { UndeliveredHold } from './undelivered';
import { InspectorSchemaSource } from './schemaSource';
import { cloudFrontFieldsSetting, maxMemorySetting, maxRecordsSetting } from './settings';

export { cloudFrontFieldsSetting, maxMemorySetting, maxRecordsSetting } from './settings';

const NOTEBOOK_MAX = 500;

export const INSPECTOR_PANEL: PanelKind = { viewType: INSPECTOR_VIEW_TYPE, bundle: 'inspector', icon: 'eye', retainContextWhenHidden: false };

/** The recognised formats with their columns, for the list. */
export const FORMAT_INFO: FormatInfo[] = formatColumnsList();

export function panelKey(connectionId: string, streamName: string): string {
  return `${connectionId}|${streamName}`;
}

export interface InspectorPanelInit {
  connection: Connection;
  streamName: string;
  options?: InspectorOptions;
  filter?: InspectorFilter;
  sort?: SortOrder;
  preselectShard?: string;
  columns?: string[];
  logEventRows?: boolean;
}

/**
 * One record inspector per stream. The host side owns everything that matters: the reading
 * session (./session: reader, decoding, held records, filter). The webview gets windows of rows
 * on request; this class adds what needs VS Code: the clipboard, editors, export, notebooks.
 */
export class InspectorPanel extends WebviewPanelHost<InspectorProtocol> {
  /** Open panels by connection and stream. Also the integration tests' hook into the host-side model. */
  static readonly panels = new Map<string, InspectorPanel>();
  static get forTests(): ReadonlyMap<string, InspectorPanel> {
    return InspectorPanel.panels;
  }

  readonly connection: Connection;
  readonly streamName: string;
  readonly session: InspectorSession;
  private shardChoices: ShardChoice[] = [];
  private preselectShard?: string;
  private readonly schemaSource: InspectorSchemaSource;
  /** The undelivered records of the last replay, until saved or replaced by the next (or the panel closes). */
  private readonly undelivered = this._register(new UndeliveredHold((view) => this.post({ type: 'undelivered', count: view?.count ?? 0, ...(view ? { target: view.target } : {}) })));

  static async open(services: ExtensionServices, init: InspectorPanelInit): Promise<InspectorPanel> {
    const existing = WebviewPanelHost.revealExisting(InspectorPanel.panels, panelKey(init.connection.id, init.streamName));
    if (existing) {
      if (init.preselectShard) existing.preselect(init.preselectShard);
      return existing;
    }
    return new InspectorPanel(services, WebviewPanelHost.createPanel(services, INSPECTOR_PANEL, `Inspect ${init.streamName}`), init);
  }

  constructor(services: ExtensionServices, panel: vscode.WebviewPanel, init: InspectorPanelInit) {
    super(services, panel, panelKey(init.connection.id, init.streamName), INSPECTOR_PANEL, `Inspect ${init.streamName}`, InspectorPanel.panels);
    this.connection = init.connection;
    this.streamName = init.streamName;
    this.preselectShard = init.preselectShard;
    this.schemaSource = this._register(new InspectorSchemaSource(services, init.connection, (changedFile) => this.session.schemasChanged(this.schemaSource.schemas, changedFile)));
    this.session = new InspectorSession({
      streamName: init.streamName,
      client: () => this.client(),
      log: services.log,
      post: (e) => this.post(e),
      canPost: () => this.isReady && !this.isDisposed,
      isVisible: () => this.panel.visible,
      maxRecords: maxRecordsSetting(),
      maxMemoryBytes: maxMemorySetting(),
      options: init.options ?? { position: { type: 'LATEST' }, shards: init.preselectShard ? [init.preselectShard] : 'all' },
      filter: init.filter,
      sort: init.sort,
      columns: init.columns,
      cloudFrontFields: cloudFrontFieldsSetting(),
      schemas: this.schemaSource.schemas,
      logEventRows: init.logEventRows,
    });
    this._register({ dispose: () => this.session.dispose() });
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kinesis.inspector.maxRecords') || e.affectsConfiguration('kinesis.inspector.maxMemoryMB')) {
          this.session.setLimits(maxRecordsSetting(), maxMemorySetting());
        }
        if (e.affectsConfiguration('kinesis.records.cloudFrontFields')) this.session.setCloudFrontFields(cloudFrontFieldsSetting());
      }),
    );
  }

  // What the integration tests and commands read: the session's.
  get model(): InspectorModel {
    return this.session.model;
  }
  get options(): InspectorOptions {
    return this.session.options;
  }
  get sort(): SortOrder {
    return this.session.sort;
  }
  get state(): PlayState {
    return this.session.state;
  }
  get shardProgress(): readonly ShardProgress[] {
    return this.session.shardProgress;
  }

  /** Starts a new read: drops what was held, reads from the chosen position. */
  start(options: InspectorOptions): Promise<void> {
    return this.session.start(options);
  }

  stopReader(): Promise<void> {
    return this.session.stop();
  }

  private preselect(shardId: string): void {
    if (this.session.state !== 'stopped') return;
    this.session.options = { ...this.session.options, shards: [shardId] };
    this.post({ type: 'selectShard', shardId });
  }

  protected onCommand(m: InspectorCommand): void {
    switch (m.type) {
      case 'start':
        void this.session.start(m.options);
        return;
      case 'pause':
        this.session.pause();
        return;
      case 'resume':
        this.session.resume();
        return;
      case 'stop':
        void this.session.stop();
        return;
      case 'clear':
        this.session.clear();
        return;
      case 'setSort':
        this.session.setSort(sanitizeSort(m.order));
        return;
      case 'refreshShards':
        void this.sendShards();
        return;
      case 'setLogEventRows':
        this.session.setLogEventRows(m.on === true);
        return;
    }
  }

  protected async onReady(): Promise<void> {
    const s = this.session;
    this.post({
      type: 'init',
      connectionId: this.connection.id,
      streamName: this.streamName,
      connectionLabel: connectionLabel(this.connection),
      shards: this.shardChoices,
      options: s.options,
      filter: s.model.currentFilter,
      sort: s.sort,
      maxRecords: s.model.maxRecords,
      preselectShard: this.preselectShard,
      formats: FORMAT_INFO,
      columns: s.model.fieldColumnSpecs,
      logEventRows: s.logEventRows,
    });
    this.preselectShard = undefined;
    // The webview may be new (a hidden panel is rebuilt): give it the whole current picture.
    s.sendAll();
    const u = this.undelivered.view;
    if (u) this.post({ type: 'undelivered', count: u.count, target: u.target });
    await this.sendShards();
  }

  private async sendShards(): Promise<void> {
    try {
      const shards = await new StreamService(await this.client()).listShards(this.streamName);
      this.shardChoices = shards
        .map((s) => {
          const c: ShardChoice = { shardId: s.shardId, open: !s.closed };
          if (s.parentShardId) c.parentShardId = s.parentShardId;
          if (s.adjacentParentShardId) c.adjacentParentShardId = s.adjacentParentShardId;
          return c;
        })
        .sort((a, b) => a.shardId.localeCompare(b.shardId));
      this.post({ type: 'shards', shards: this.shardChoices });
    } catch (e) {
      this.post({ type: 'notice', level: 'error', message: describeError(e, { operation: 'list the shards', stream: this.streamName }).message });
    }
  }

  protected async handle(req: InspectorRequest): Promise<ReplyResults[InspectorRequest['type']]> {
    switch (req.type) {
      case 'getRows':
        return { version: this.model.viewVersion, start: req.start, rows: this.model.rows(req.start, req.count) };
      case 'getRecord': {
        const r = await this.heldFor(req.recordId, req.decoding);
        return recordDetail(r, sanitizeDecoding(req.decoding), this.session.decodeOptions);
      }
      case 'setFilter':
        return this.session.setFilter(req.filter);
      case 'copyRecord':
        await vscode.env.clipboard.writeText(recordJson(decodedAs(await this.heldFor(req.recordId, req.decoding), sanitizeDecoding(req.decoding), this.session.decodeOptions)));
        return { copied: true };
      case 'openRecord': {
        const content = recordJson(decodedAs(await this.heldFor(req.recordId, req.decoding), sanitizeDecoding(req.decoding), this.session.decodeOptions));
        const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return { opened: true };
      }
      case 'export':
        return this.export(req.format === 'csv' ? 'csv' : 'jsonl');
      case 'sendToNotebook':
        return this.sendToNotebook();
      case 'setColumns':
        return this.session.setColumns(sanitizeColumns(req.columns));
      case 'saveUndelivered': {
        const saved = await this.saveUndelivered();
        return saved ? { saved: true, ...saved } : { saved: false };
      }
      case 'replay':
        return this.replayAsked(Array.isArray(req.recordIds) ? req.recordIds.filter((x): x is string => typeof x === 'string') : undefined);
    }
    throw new UserError('The panel asked for something the extension does not know.');
  }

  /** A held record about to be decoded as asked (by hand as Glue Schema Registry: its schema loaded first). */
  private async heldFor(recordId: unknown, decoding: unknown): Promise<DecodedRecord> {
    const r = this.held(recordId);
    await loadSchemaFor(r, sanitizeDecoding(decoding), this.session.avroSchemas);
    return r;
  }

  private held(recordId: unknown): DecodedRecord {
    const r = typeof recordId === 'string' ? this.model.get(recordId) : undefined;
    if (!r) throw new UserError('That record is no longer held (cleared, or dropped by the kinesis.inspector.maxRecords or maxMemoryMB cap).');
    return r;
  }

  private async export(format: 'jsonl' | 'csv'): Promise<ReplyResults['export']> {
    const count = this.model.matchingCount;
    if (!count) throw new UserError('No records to export: nothing is held or nothing matches the filter.');
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, `${this.streamName}-records.${format}`),
      filters: format === 'jsonl' ? { 'JSON Lines': ['jsonl', 'ndjson'] } : { CSV: ['csv'] },
      saveLabel: 'Export',
      title: `Export ${count.toLocaleString('en-US')} records`,
    });
    if (!target) return { written: 0 };
    let written: number;
    try {
      written = await this.exportTo(format, target);
    } catch (e) {
      if (isExportCancelled(e)) return { written: 0 };
      throw e;
    }
    void vscode.window.showInformationMessage(`Exported ${written.toLocaleString('en-US')} records to ${target.fsPath}.`, 'Open').then((c) => {
      if (c) void vscode.window.showTextDocument(target);
    });
    return { written, path: target.fsPath };
  }

  /**
   * Writes the filtered records (a snapshot) to a file, with a cancellable progress notification.
   * Cancelled or failed, it leaves the target as it was (the core writes a temporary file and renames it).
   */
  async exportTo(format: 'jsonl' | 'csv', target: vscode.Uri): Promise<number> {
    const records = [...this.model.filtered()];
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${records.length.toLocaleString('en-US')} records`, cancellable: true },
      async (progress, token) => {
        const ctrl = new AbortController();
        const sub = token.onCancellationRequested(() => ctrl.abort());
        let last = 0;
        return exportToFile(format, records, target.fsPath, {
          abortSignal: ctrl.signal,
          progressEvery: 2000,
          onProgress: (n) => {
            progress.report({ increment: ((n - last) / records.length) * 100, message: `${n.toLocaleString('en-US')} written` });
            last = n;
          },
        }).finally(() => sub.dispose());
      },
    );
  }

  /** The filtered records (the newest NOTEBOOK_MAX) as a transform notebook's stored sample. */
  async sendToNotebook(): Promise<ReplyResults['sendToNotebook']> {
    const all = [...this.model.filtered()];
    if (!all.length) throw new UserError('No records to send: nothing is held or nothing matches the filter.');
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('kinesis.newTransformNotebook')) throw new UserError('The transform notebook is not available in this version.');
    const records = all.slice(-NOTEBOOK_MAX).map((r) => ({
      data: r.rawBase64,
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      shardId: r.shardId,
      arrivalTime: r.arrivalTime,
      ...(r.subSequenceNumber !== undefined ? { subSequenceNumber: r.subSequenceNumber } : {}),
    }));
    await vscode.commands.executeCommand('kinesis.newTransformNotebook', { records, streamName: this.streamName });
    return { sent: records.length, of: all.length };
  }

  /**
   * Replay as the user asks it: which records (the selected ones or the filtered ones), where to
   * (a data stream or delivery stream, on any connection) and with which keys, by quick picks.
   */
  private async replayAsked(selectedIds?: string[]): Promise<ReplyResults['replay']> {
    const records = await pickReplayRecords(this.model, selectedIds);
    const dest = records && (await pickDestination(this.services));
    const partitionKey = dest && (await pickPartitionKey(dest));
    if (!records || !dest || !partitionKey) return { started: false, records: 0 };
    void this.replayWithProgress(records, dest, partitionKey);
    return { started: true, records: records.length, target: dest.name };
  }

  /**
   * Replays with a progress notification and the nothing-lost report (also posted to the panel);
   * undelivered records are kept (the toolbar shows them), and the notification offers to save them.
   */
  async replayWithProgress(records: DecodedRecord[], dest: ReplayDestination, partitionKey: ReplayOptions['partitionKey'] = 'keep', retry?: ReplayOptions['retry']): Promise<ProduceResult> {
    const { result, report, clean } = await replayWithProgress(this.services, records, dest, partitionKey, retry);
    const list = result.undeliveredRecords;
    if (this.isDisposed) list.dispose();
    else this.undelivered.keep(list, dest.name);
    this.services.log.info(`Inspector ${this.streamName}: ${report}`);
    this.post({ type: 'notice', level: clean ? 'info' : 'warning', message: report });
    showReplayReport(report, clean, result.undelivered, () => this.undelivered.save(list));
    return result;
  }

  /** The panel is the active editor tab (the save command acts on it first). */
  get active(): boolean {
    return this.panel.active;
  }

  /** The undelivered records of the last replay, until saved (tests). */
  get undeliveredRecords(): UndeliveredList | undefined {
    return this.undelivered.records;
  }

  /** Asks where, then saves the last replay's undelivered records (the toolbar's Save…, the command, the notification). */
  saveUndelivered(): Promise<{ path: string; written: number } | undefined> {
    return this.undelivered.save();
  }

  private client(): Promise<KinesisClient> {
    return this.services.clients.kinesisClient(this.connection);
  }
}
