import * as vscode from 'vscode';
import { webviewHtml, webviewRoots } from '../webviewHtml';
import { homedir } from 'node:os';
import { ListShardsCommand, ListShardsCommandInput, KinesisClient } from '@aws-sdk/client-kinesis';
import type { Connection } from '../../core/aws/connection';
import { connectionLabel } from '../../core/aws/connection';
import { describeError, UserError } from '../../core/aws/errors';
import { StreamReader } from '../../core/records/reader';
import { decodeRecord, hexDump, rawBytesOf } from '../../core/records/decoders';
import { RecordDecodeQueue } from '../../core/records/decodeQueue';
import { exportToFile, isExportCancelled, toJsonLine } from '../../core/records/export';
import type { DecodedRecord, ShardProgress } from '../../core/records/types';
import {
  INSPECTOR_VIEW_TYPE,
  DecodingChoice,
  HostToWebview,
  InspectorFilter,
  InspectorOptions,
  InspectorRequest,
  InspectorStatus,
  PlayState,
  RecordDetail,
  ReplyResults,
  ShardChoice,
  SortOrder,
  WebviewToHost,
} from '../../protocol/inspector';
import { Disposable } from '../dispose';
import type { ExtensionServices } from '../services';
import { InspectorModel } from './model';

const DETAIL_MAX_CHARS = 200_000;
/** The detail's base64 covers the first 262,500 bytes (350,000 characters). */
const RAW_BASE64_MAX_BYTES = 262_500;
const NOTEBOOK_MAX = 500;
const FLUSH_MS = 200;
const STATS_MS = 1000;

export function maxRecordsSetting(): number {
  const v = vscode.workspace.getConfiguration('kinesis').get<number>('inspector.maxRecords', 100_000) ?? 100_000;
  return Math.max(100, Math.min(2_000_000, Math.floor(v)));
}

/** `kinesis.inspector.maxMemoryMB` in bytes: about how much memory a panel's records may take. */
export function maxMemorySetting(): number {
  const v = Number(vscode.workspace.getConfiguration('kinesis').get<number>('inspector.maxMemoryMB', 512) ?? 512);
  return Math.max(16, Math.min(8192, Math.floor(Number.isFinite(v) ? v : 512))) * 1024 * 1024;
}

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
}

/**
 * One record inspector per stream. The host side owns everything that matters: the reader,
 * decoding, the held records and the filter. The webview gets windows of rows on request.
 */
export class InspectorPanel extends Disposable {
  /** Open panels by connection and stream. Also the integration tests' hook into the host-side model. */
  static readonly panels = new Map<string, InspectorPanel>();
  static get forTests(): ReadonlyMap<string, InspectorPanel> {
    return InspectorPanel.panels;
  }

  readonly key: string;
  readonly model = new InspectorModel(maxRecordsSetting(), maxMemorySetting());
  /** Decodes what the reader gives in slices, between which the host answers other work. */
  private readonly decoder = new RecordDecodeQueue(
    (records) => {
      this.model.add(records);
      this.statusDirty = true;
    },
    (e) => this.services.log.error(`Inspector ${this.streamName}: holding decoded records failed: ${describeError(e).message}`),
  );
  readonly connection: Connection;
  readonly streamName: string;
  options: InspectorOptions;
  sort: SortOrder;
  state: PlayState = 'stopped';
  private reader?: StreamReader;
  private readerGeneration = 0;
  private progress: ShardProgress[] = [];
  private lastError?: string;
  private shardChoices: ShardChoice[] = [];
  private statusDirty = false;
  private webviewReady = false;
  private preselectShard?: string;
  private readonly readyWaiters: (() => void)[] = [];

  static async open(services: ExtensionServices, init: InspectorPanelInit): Promise<InspectorPanel> {
    const key = panelKey(init.connection.id, init.streamName);
    const existing = InspectorPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      if (init.preselectShard) existing.preselect(init.preselectShard);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, `Inspect ${init.streamName}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: webviewRoots(services.context.extensionUri),
    });
    return new InspectorPanel(services, panel, init);
  }

  constructor(private readonly services: ExtensionServices, readonly panel: vscode.WebviewPanel, init: InspectorPanelInit) {
    super();
    this.connection = init.connection;
    this.streamName = init.streamName;
    this.key = panelKey(init.connection.id, init.streamName);
    this.options = init.options ?? { position: { type: 'LATEST' }, shards: init.preselectShard ? [init.preselectShard] : 'all' };
    this.sort = init.sort ?? 'asc';
    this.preselectShard = init.preselectShard;
    if (init.filter) this.model.setFilter(init.filter);
    InspectorPanel.panels.get(this.key)?.dispose();
    InspectorPanel.panels.set(this.key, this);

    panel.title = `Inspect ${init.streamName}`;
    panel.iconPath = new vscode.ThemeIcon('eye');
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(services.context.extensionUri) };
    panel.webview.html = this.html(panel.webview);

    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kinesis.inspector.maxRecords') || e.affectsConfiguration('kinesis.inspector.maxMemoryMB')) {
          this.model.setLimits(maxRecordsSetting(), maxMemorySetting());
          this.statusDirty = true;
          this.flush();
        }
      }),
    );
    const flush = setInterval(() => this.flush(), FLUSH_MS);
    const stats = setInterval(() => this.postStats(), STATS_MS);
    this._register({ dispose: () => (clearInterval(flush), clearInterval(stats)) });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (InspectorPanel.panels.get(this.key) === this) InspectorPanel.panels.delete(this.key);
    this.decoder.clear();
    void this.stopReader();
    super.dispose();
    this.panel.dispose();
  }

  /** Resolves once the webview has posted `ready` (tests). */
  whenReady(): Promise<void> {
    if (this.webviewReady) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  get shardProgress(): readonly ShardProgress[] {
    return this.progress;
  }

  private preselect(shardId: string): void {
    if (this.state !== 'stopped') return;
    this.options = { ...this.options, shards: [shardId] };
    this.post({ type: 'selectShard', shardId });
  }

  private post(msg: HostToWebview): void {
    if (this.isDisposed) return;
    void this.panel.webview.postMessage(msg);
  }

  // ---- messages ----
  private onMessage(m: WebviewToHost): void {
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'ready':
        void this.onReady();
        return;
      case 'start':
        void this.start(m.options);
        return;
      case 'pause':
        if (this.reader && this.state === 'playing') {
          this.reader.pause();
          this.setState('paused');
        }
        return;
      case 'resume':
        if (this.reader && this.state === 'paused') {
          this.reader.resume();
          this.setState('playing');
        }
        return;
      case 'stop':
        void this.stopReader();
        return;
      case 'clear':
        this.decoder.clear();
        this.model.clear();
        this.statusDirty = true;
        this.flush();
        return;
      case 'setSort':
        this.sort = m.order === 'desc' ? 'desc' : 'asc';
        return;
      case 'refreshShards':
        void this.sendShards();
        return;
      default:
        void this.answer(m);
    }
  }

  private async onReady(): Promise<void> {
    this.webviewReady = true;
    this.readyWaiters.splice(0).forEach((r) => r());
    this.post({
      type: 'init',
      connectionId: this.connection.id,
      streamName: this.streamName,
      connectionLabel: connectionLabel(this.connection),
      shards: this.shardChoices,
      options: this.options,
      filter: this.model.currentFilter,
      sort: this.sort,
      maxRecords: this.model.maxRecords,
      preselectShard: this.preselectShard,
    });
    this.preselectShard = undefined;
    // The webview may be new (a hidden panel is rebuilt): give it the whole current picture.
    const change = this.model.takeChange();
    this.post({ type: 'view', version: change?.version ?? this.model.viewVersion, count: this.model.matchingCount, changedFrom: 0 });
    this.post({ type: 'status', status: this.status() });
    this.postStats();
    await this.sendShards();
  }

  private async sendShards(): Promise<void> {
    try {
      this.shardChoices = await listShardChoices(await this.client(), this.streamName);
      this.post({ type: 'shards', shards: this.shardChoices });
    } catch (e) {
      this.post({ type: 'notice', level: 'error', message: describeError(e, { operation: 'list the shards', stream: this.streamName }).message });
    }
  }

  private async answer(req: InspectorRequest): Promise<void> {
    try {
      const result = await this.handle(req);
      this.post({ type: 'reply', id: req.id, request: req.type, ok: true, result } as HostToWebview);
    } catch (e) {
      const f = describeError(e);
      this.post({ type: 'reply', id: req.id, request: req.type, ok: false, error: f.message });
    }
  }

  private async handle(req: InspectorRequest): Promise<ReplyResults[InspectorRequest['type']]> {
    switch (req.type) {
      case 'getRows':
        return { version: this.model.viewVersion, start: req.start, rows: this.model.rows(req.start, req.count) };
      case 'getRecord':
        return this.detail(req.recordId, req.decoding);
      case 'setFilter': {
        const res = this.model.setFilter(sanitizeFilter(req.filter));
        if (res.error) throw new UserError(res.error);
        this.statusDirty = true;
        this.flush();
        return { matching: this.model.matchingCount, ...(res.warning ? { warning: res.warning } : {}) };
      }
      case 'copyRecord': {
        await vscode.env.clipboard.writeText(recordJson(this.decoded(req.recordId, req.decoding)));
        return { copied: true };
      }
      case 'openRecord': {
        const doc = await vscode.workspace.openTextDocument({ language: 'json', content: recordJson(this.decoded(req.recordId, req.decoding)) });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return { opened: true };
      }
      case 'export':
        return this.export(req.format);
      case 'sendToNotebook':
        return this.sendToNotebook();
    }
  }

  // ---- records ----
  private held(recordId: string): DecodedRecord {
    const r = this.model.get(recordId);
    if (!r) throw new UserError('That record is no longer held (cleared, or dropped by the kinesis.inspector.maxRecords or maxMemoryMB cap).');
    return r;
  }

  /** The record decoded as asked: as read (auto), or re-decoded from its raw bytes. */
  private decoded(recordId: string, decoding: DecodingChoice): DecodedRecord & { parts?: number } {
    const r = this.held(recordId);
    if (decoding === 'auto') return r;
    const parts = decodeRecord({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, arrivalTime: r.arrivalTime, data: rawBytesOf(r) }, decoding);
    // The first part, as the record held (its text and base64 are accessors: not spread).
    const first: DecodedRecord & { parts?: number } = parts[0];
    first.id = r.id;
    first.subSequenceNumber = r.subSequenceNumber;
    first.explicitHashKey = r.explicitHashKey;
    first.parts = parts.length;
    return first;
  }

  private detail(recordId: string, decoding: DecodingChoice): RecordDetail {
    const raw = this.held(recordId);
    const d = this.decoded(recordId, decoding);
    // Pretty JSON, the hex dump and base64 are made here, for the record shown, not for each record read.
    const text = d.text;
    const bytes = rawBytesOf(raw);
    const cut = text.length > DETAIL_MAX_CHARS;
    const detail: RecordDetail = {
      id: raw.id,
      shardId: raw.shardId,
      sequenceNumber: raw.sequenceNumber,
      partitionKey: d.partitionKey,
      arrivalTime: raw.arrivalTime,
      size: raw.size,
      decoding,
      decodings: d.decodings,
      text: cut ? text.slice(0, DETAIL_MAX_CHARS) : text,
      isJson: d.json !== undefined,
      rawHex: hexDump(bytes),
      rawBase64: Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, RAW_BASE64_MAX_BYTES)).toString('base64'),
    };
    if (raw.subSequenceNumber !== undefined) detail.subSequenceNumber = raw.subSequenceNumber;
    if (raw.explicitHashKey !== undefined) detail.explicitHashKey = raw.explicitHashKey;
    if (cut) detail.truncatedFrom = text.length;
    if (d.truncatedAt !== undefined) detail.decodeTruncatedAt = d.truncatedAt;
    if (d.error) detail.error = d.error;
    if (d.parts !== undefined) detail.parts = d.parts;
    if (d.cloudWatchLogs) {
      const c = d.cloudWatchLogs;
      detail.cloudWatchLogs = { ...c, events: c.events.slice(0, 2000), totalEvents: c.events.length };
    }
    return detail;
  }

  private async export(format: 'jsonl' | 'csv'): Promise<ReplyResults['export']> {
    const count = this.model.matchingCount;
    if (!count) throw new UserError('No records to export: nothing is held or nothing matches the filter.');
    const ext = format === 'jsonl' ? 'jsonl' : 'csv';
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, `${this.streamName}-records.${ext}`),
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

  // ---- reading ----
  private client(): Promise<KinesisClient> {
    return this.services.clients.kinesisClient(this.connection);
  }

  /** Starts a new read: drops what was held, reads from the chosen position. */
  async start(options: InspectorOptions): Promise<void> {
    let checked: InspectorOptions;
    try {
      checked = sanitizeOptions(options);
    } catch (e) {
      this.post({ type: 'notice', level: 'error', message: describeError(e).message });
      return;
    }
    await this.stopReader();
    this.options = checked;
    this.decoder.clear();
    this.model.clear();
    this.lastError = undefined;
    this.progress = [];
    this.setState('starting');
    const generation = ++this.readerGeneration;
    let client: KinesisClient;
    try {
      client = await this.client();
    } catch (e) {
      this.lastError = describeError(e, { operation: 'connect', stream: this.streamName }).message;
      this.setState('stopped');
      return;
    }
    if (generation !== this.readerGeneration || this.isDisposed) return;
    const reader = new StreamReader({
      client,
      streamName: this.streamName,
      start: this.options.position,
      shardIds: this.options.shards === 'all' ? undefined : this.options.shards,
    });
    this.reader = reader;
    reader.onRecords((batch) => {
      if (this.reader !== reader) return;
      this.decoder.push(batch);
    });
    reader.onProgress((p) => {
      if (this.reader !== reader) return;
      this.progress = p;
      this.statusDirty = true;
    });
    reader.onError((e) => {
      if (this.reader !== reader) return;
      const where = e.shardId ? ` (${e.shardId})` : '';
      if (e.fatal) {
        this.lastError = `${e.message}${where}`;
        this.services.log.error(`Inspector ${this.streamName}${where}: ${e.message}`);
        if (!e.shardId) void this.stopReader();
      } else {
        this.services.log.warn(`Inspector ${this.streamName}${where}: ${e.message} (retrying)`);
      }
      this.statusDirty = true;
    });
    reader.start();
    this.setState('playing');
    this.services.log.info(`Inspector: reading ${this.streamName} from ${this.options.position.type}`);
  }

  async stopReader(): Promise<void> {
    const r = this.reader;
    this.reader = undefined;
    this.readerGeneration++;
    if (r) {
      await r.stop().catch(() => undefined);
      this.progress = r.progress();
    }
    if (!this.isDisposed) this.setState('stopped');
    else this.state = 'stopped';
  }

  private setState(s: PlayState): void {
    this.state = s;
    this.statusDirty = true;
    this.flush();
  }

  status(): InspectorStatus {
    const s: InspectorStatus = {
      state: this.state,
      shards: this.progress,
      held: this.model.heldCount,
      matching: this.model.matchingCount,
      dropped: this.model.dropped,
      maxRecords: this.model.maxRecords,
      read: this.model.read,
    };
    if (this.lastError) s.error = this.lastError;
    return s;
  }

  /** Posts what changed since the last flush (coalesced: at most every FLUSH_MS). */
  flush(): void {
    if (this.isDisposed || !this.webviewReady) return;
    const change = this.model.takeChange();
    if (change) {
      this.post({ type: 'view', ...change });
      this.statusDirty = true;
    }
    if (this.statusDirty) {
      this.statusDirty = false;
      this.post({ type: 'status', status: this.status() });
    }
  }

  private postStats(): void {
    if (this.isDisposed || !this.webviewReady || !this.panel.visible) return;
    if (this.state === 'stopped' && this.model.heldCount === 0) return;
    this.post({ type: 'stats', stats: this.model.stats() });
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.services.context.extensionUri, 'inspector', `Inspect ${this.streamName}`);
  }
}




/** A record as pretty JSON for the clipboard and the editor tab (same fields as JSON Lines export). */
export function recordJson(r: DecodedRecord): string {
  return JSON.stringify(JSON.parse(toJsonLine(r)), null, 2);
}

async function listShardChoices(client: KinesisClient, streamName: string): Promise<ShardChoice[]> {
  const out: ShardChoice[] = [];
  let input: ListShardsCommandInput = { StreamName: streamName };
  for (;;) {
    const res = await client.send(new ListShardsCommand(input));
    for (const s of res.Shards ?? []) {
      if (!s.ShardId) continue;
      const c: ShardChoice = { shardId: s.ShardId, open: !s.SequenceNumberRange?.EndingSequenceNumber };
      if (s.ParentShardId) c.parentShardId = s.ParentShardId;
      if (s.AdjacentParentShardId) c.adjacentParentShardId = s.AdjacentParentShardId;
      out.push(c);
    }
    if (!res.NextToken) break;
    input = { NextToken: res.NextToken };
  }
  return out.sort((a, b) => a.shardId.localeCompare(b.shardId));
}

function str(v: unknown, max = 10_000): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Messages from the webview are input: keep only well-formed fields. */
export function sanitizeFilter(f: InspectorFilter | undefined): InspectorFilter {
  const out: InspectorFilter = {};
  if (!f || typeof f !== 'object') return out;
  const pk = str(f.partitionKey, 256);
  if (pk) out.partitionKey = pk;
  if (Array.isArray(f.shards)) {
    const ids = f.shards.filter((s): s is string => typeof s === 'string' && s.length < 200);
    if (ids.length) out.shards = ids;
  }
  const from = num(f.from);
  const to = num(f.to);
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  const t = str(f.text, 1000);
  if (t) out.text = t;
  const j = str(f.jmespath, 4000);
  if (j?.trim()) out.jmespath = j;
  return out;
}

export function sanitizeOptions(o: InspectorOptions | undefined): InspectorOptions {
  const shards = Array.isArray(o?.shards) ? o!.shards.filter((s): s is string => typeof s === 'string') : [];
  const p = o?.position;
  let position: InspectorOptions['position'] = { type: 'LATEST' };
  switch (p?.type) {
    case 'TRIM_HORIZON':
      position = { type: 'TRIM_HORIZON' };
      break;
    case 'AT_TIMESTAMP': {
      const ts = num(p.timestamp);
      if (ts === undefined) throw new UserError('Choose the date and time to start at.');
      position = { type: 'AT_TIMESTAMP', timestamp: ts };
      break;
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const seq = str(p.sequenceNumber, 128);
      const shardId = str(p.shardId, 128);
      if (!seq || !/^\d+$/.test(seq) || !shardId) throw new UserError('A sequence-number start needs the shard and a sequence number (digits).');
      position = { type: p.type, sequenceNumber: seq, shardId };
      break;
    }
  }
  return { position, shards: shards.length ? shards : 'all' };
}
