import * as vscode from 'vscode';
import { webviewHtml, webviewRoots } from '../webviewHtml';
import { basename, join } from 'node:path';
import { Connection, connectionLabel } from '../../core/aws/connection';
import { describeError, UserError } from '../../core/aws/errors';
import { redact } from '../../core/aws/redact';
import { Producer, ProduceProgress, ProduceResult, ProducerOptions, putOne, summarize } from '../../core/producer/engine';
import { checkFile, fileSource, guessFormat, writeUndelivered } from '../../core/producer/fileSource';
import { LibraryTemplate, loadTemplates, saveTemplate, WORKSPACE_TEMPLATE_DIR } from '../../core/producer/library';
import { fromUndelivered, randomPartitionKey, SourceItem, utf8 } from '../../core/producer/records';
import { UndeliveredList } from '../../core/producer/undelivered';
import { TemplateError, TemplateGenerator } from '../../core/producer/templates';
import {
  HostToWebview,
  KeySpec,
  PRODUCER_VIEW_TYPE,
  ProducerReplyResults,
  ProducerRequest,
  ProgressInfo,
  ResultInfo,
  RunSettings,
  RunSource,
  RunState,
  TemplateInfo,
  WebviewToHost,
} from '../../protocol/producer';
import { Disposable } from '../dispose';
import type { ExtensionServices } from '../services';

export interface ProducerPanelInit {
  connection: Connection;
  streamName: string;
}

export function producerPanelKey(connectionId: string, streamName: string): string {
  return `${connectionId}|${streamName}`;
}

const UNDELIVERED_SAMPLE = 50;
const PROBLEMS_SHOWN = 50;

/**
 * One producer panel per stream. The host runs the engine (src/core/producer) and streams files
 * from disk; the webview only sends settings and shows progress.
 */
export class ProducerPanel extends Disposable {
  static readonly panels = new Map<string, ProducerPanel>();

  readonly key: string;
  readonly connection: Connection;
  readonly streamName: string;
  state: RunState = 'idle';
  lastResult?: ProduceResult;
  lastProgress?: ProduceProgress;
  private controller?: AbortController;
  private running?: Promise<ProduceResult>;
  /** The undelivered records of the last run (the first in memory, the rest in a temporary file). */
  private undelivered?: UndeliveredList;
  /** Files the host itself picked (in its open dialog): the only paths it streams from. */
  private readonly pickedFiles = new Set<string>();
  private webviewReady = false;
  private readonly readyWaiters: (() => void)[] = [];

  static open(services: ExtensionServices, init: ProducerPanelInit): ProducerPanel {
    const key = producerPanelKey(init.connection.id, init.streamName);
    const existing = ProducerPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PRODUCER_VIEW_TYPE, `Produce to ${init.streamName}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      // The forms and the run's progress stay when the tab is hidden.
      retainContextWhenHidden: true,
      localResourceRoots: webviewRoots(services.context.extensionUri),
    });
    return new ProducerPanel(services, panel, init);
  }

  constructor(private readonly services: ExtensionServices, readonly panel: vscode.WebviewPanel, init: ProducerPanelInit) {
    super();
    this.connection = init.connection;
    this.streamName = init.streamName;
    this.key = producerPanelKey(init.connection.id, init.streamName);
    ProducerPanel.panels.get(this.key)?.dispose();
    ProducerPanel.panels.set(this.key, this);
    panel.iconPath = new vscode.ThemeIcon('send');
    panel.webview.html = this.html(panel.webview);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)));
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (ProducerPanel.panels.get(this.key) === this) ProducerPanel.panels.delete(this.key);
    this.controller?.abort();
    // A run still going disposes its list when it ends; the last one goes now.
    if (!this.running) this.undelivered?.dispose();
    super.dispose();
    this.panel.dispose();
  }

  /** Resolves once the webview has posted `ready` (tests). */
  whenReady(): Promise<void> {
    if (this.webviewReady) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  /**
   * Marks a path as chosen by the user in the host's open dialog. A webview message only names a
   * file; the host streams it only when it picked it itself, so a compromised or confused webview
   * cannot read any other file. Tests call this in place of the dialog.
   */
  filePicked(path: string): void {
    this.pickedFiles.add(path);
  }

  /** The undelivered records of the last run (tests, save, re-send). */
  get undeliveredRecords(): UndeliveredList | undefined {
    return this.undelivered;
  }

  private post(msg: HostToWebview): void {
    if (this.isDisposed) return;
    void this.panel.webview.postMessage(msg);
  }

  private onMessage(m: WebviewToHost): void {
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    switch (m.type) {
      case 'ready':
        void this.onReady();
        return;
      case 'start':
        this.start(m.source, m.settings).catch((e) => this.post({ type: 'runError', message: describeError(e, { operation: 'produce records', stream: this.streamName }).message }));
        return;
      case 'resend':
        this.start({ type: 'undelivered' }, m.settings).catch((e) => this.post({ type: 'runError', message: describeError(e, { operation: 're-send records', stream: this.streamName }).message }));
        return;
      case 'stop':
        this.stop();
        return;
      default:
        void this.answer(m);
    }
  }

  private async onReady(): Promise<void> {
    this.webviewReady = true;
    this.post({
      type: 'init',
      streamName: this.streamName,
      connectionId: this.connection.id,
      connectionLabel: connectionLabel(this.connection),
      templates: await this.templates(),
      hasWorkspace: !!vscode.workspace.workspaceFolders?.length,
    });
    this.post({ type: 'runState', state: this.state });
    if (this.lastProgress && this.state !== 'idle') this.post({ type: 'progress', progress: toProgressInfo(this.lastProgress) });
    if (this.lastResult && this.state === 'idle') this.post({ type: 'result', result: this.toResultInfo(this.lastResult) });
    this.readyWaiters.splice(0).forEach((r) => r());
  }

  private async answer(m: ProducerRequest): Promise<void> {
    try {
      const result = await this.handle(m);
      this.post({ type: 'reply', id: m.id, ok: true, result });
    } catch (e) {
      const message = e instanceof TemplateError ? e.message : describeError(e, { stream: this.streamName }).message;
      this.post({ type: 'reply', id: m.id, ok: false, error: redact(message) });
    }
  }

  private async handle(m: ProducerRequest): Promise<ProducerReplyResults[ProducerRequest['type']]> {
    switch (m.type) {
      case 'putOne':
        return this.putOne(m.partitionKey, m.explicitHashKey, m.data, m.format);
      case 'preview': {
        const gen = new TemplateGenerator({ template: m.template, partitionKey: sanitizeKey(m.partitionKey) });
        return { records: gen.preview(Math.max(1, Math.min(20, Math.floor(m.count) || 5))) };
      }
      case 'pickFile': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Produce from this file',
          filters: { 'Records (JSON Lines, JSON, CSV, text)': ['jsonl', 'ndjson', 'json', 'csv', 'tsv', 'txt', 'log'], 'All files': ['*'] },
        });
        const uri = picked?.[0];
        if (!uri) return undefined;
        if (uri.scheme !== 'file') throw new UserError('Only files on this machine can be streamed.');
        const size = await checkFile(uri.fsPath);
        this.filePicked(uri.fsPath);
        return { path: uri.fsPath, name: basename(uri.fsPath), size, format: guessFormat(uri.fsPath) };
      }
      case 'saveTemplate': {
        const dir = this.workspaceTemplateDir();
        if (!dir) throw new UserError('Open a folder first: templates are saved in its .kinesis/templates folder.');
        // Check it before saving, so that a saved template always loads.
        new TemplateGenerator({ template: m.template, partitionKey: sanitizeKey(m.partitionKey) }).preview(1);
        const path = await saveTemplate(dir, { name: m.name, template: m.template, partitionKey: sanitizeKey(m.partitionKey) });
        return { path, templates: await this.templates() };
      }
      case 'reloadTemplates':
        return this.templates();
      case 'saveUndelivered': {
        const undelivered = this.undelivered;
        if (!undelivered?.count) throw new UserError('There are no undelivered records to save.');
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const name = `undelivered-${this.streamName}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
        const target = await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
          filters: { 'JSON Lines': ['jsonl'] },
          saveLabel: 'Save undelivered records',
        });
        if (!target) return undefined;
        if (target.scheme !== 'file') throw new UserError('Save to a file on this machine.');
        const n = await writeUndelivered(target.fsPath, undelivered);
        this.services.log.info(`Saved ${n} undelivered records of ${this.streamName} to ${target.fsPath}`);
        return { path: target.fsPath };
      }
    }
  }

  private async putOne(partitionKey: string, explicitHashKey: string, text: string, format: 'text' | 'json' | 'base64') {
    let data: Uint8Array;
    if (format === 'json') {
      try {
        JSON.parse(text);
      } catch (e) {
        throw new UserError(`The data is not valid JSON: ${(e as Error).message}`);
      }
      data = utf8(text);
    } else if (format === 'base64') {
      const clean = text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new UserError('The data is not valid base64.');
      data = Buffer.from(clean, 'base64');
    } else {
      data = utf8(text);
    }
    const key = partitionKey === '' ? randomPartitionKey() : partitionKey;
    const client = await this.services.clients.kinesisClient(this.connection);
    const out = await putOne(client, this.streamName, { data, partitionKey: key, explicitHashKey: explicitHashKey.trim() || undefined });
    this.services.log.info(`Put one record to ${this.streamName}: ${out.shardId} ${out.sequenceNumber}`);
    return { ...out, partitionKey: key };
  }

  /** Runs the producer; resolves with the result (also posted to the webview). */
  async start(source: RunSource, settings: RunSettings): Promise<ProduceResult> {
    if (this.state !== 'idle') throw new UserError('A run is already going: stop it first.');
    const s = sanitizeSettings(settings);
    const items = await this.sourceItems(source, s);
    const client = await this.services.clients.kinesisClient(this.connection);
    const controller = new AbortController();
    this.controller = controller;
    const options: ProducerOptions = {
      streamName: this.streamName,
      rate: s.rate || undefined,
      ordered: s.ordered,
      aggregate: s.aggregate,
      onInvalid: s.onInvalid,
      signal: controller.signal,
      progressIntervalMs: 250,
      maxRecords: s.amount.type === 'count' ? s.amount.count : undefined,
      durationMs: s.amount.type === 'duration' ? s.amount.seconds * 1000 : undefined,
      expectedTotal: s.amount.type === 'count' ? s.amount.count : source.type === 'undelivered' ? this.undelivered?.count : undefined,
      onProgress: (p) => {
        this.lastProgress = p;
        if (!('status' in p)) this.post({ type: 'progress', progress: toProgressInfo(p) });
      },
    };
    const producer = new Producer(client, options);
    this.setState('running', source.type);
    this.lastResult = undefined;
    this.services.log.info(`Producing to ${this.streamName} from ${source.type === 'file' ? source.path : source.type} (${describeSettings(s)})`);
    this.running = producer.run(items);
    try {
      const result = await this.running;
      this.lastResult = result;
      // The previous list was read by this run if it re-sent it: it can go now.
      this.undelivered?.dispose();
      this.undelivered = result.undeliveredRecords;
      if (this.isDisposed) this.undelivered.dispose();
      this.services.log.info(`Produce to ${this.streamName}: ${summarize(result)}`);
      this.post({ type: 'result', result: this.toResultInfo(result) });
      return result;
    } finally {
      this.controller = undefined;
      this.running = undefined;
      this.setState('idle');
    }
  }

  /** Stops the run: nothing new is sent; calls in flight finish. */
  stop(): void {
    if (this.state !== 'running') return;
    this.setState('stopping');
    this.controller?.abort();
  }

  private setState(state: RunState, source?: RunSource['type']): void {
    this.state = state;
    this.post({ type: 'runState', state, source });
  }

  private async sourceItems(source: RunSource, s: RunSettings): Promise<Iterable<SourceItem> | AsyncIterable<SourceItem>> {
    switch (source.type) {
      case 'template': {
        const gen = new TemplateGenerator({ template: String(source.template ?? ''), partitionKey: sanitizeKey(source.partitionKey) });
        gen.preview(1); // a template that cannot make one record fails here, before anything is sent
        return gen.records();
      }
      case 'file': {
        if (typeof source.path !== 'string' || !source.path) throw new UserError('Choose a file first.');
        if (!this.pickedFiles.has(source.path)) {
          throw new UserError('The panel only reads a file chosen with its Choose file… button.', 'Choose the file again (after a reload the choice is not kept).');
        }
        await checkFile(source.path);
        return fileSource({ path: source.path, format: source.format, partitionKey: sanitizeKey(source.partitionKey) });
      }
      case 'undelivered': {
        const undelivered = this.undelivered;
        if (!undelivered?.count) throw new UserError('There are no undelivered records to re-send.');
        void s;
        return (async function* () {
          for await (const u of undelivered) yield { record: fromUndelivered(u) };
        })();
      }
    }
    throw new UserError('Unknown source.');
  }

  private workspaceTemplateDir(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && folder.uri.scheme === 'file' ? join(folder.uri.fsPath, WORKSPACE_TEMPLATE_DIR) : undefined;
  }

  private async templates(): Promise<TemplateInfo[]> {
    const onError = (path: string, message: string) => this.services.log.warn(`Template ${path} skipped: ${message}`);
    const builtin = await loadTemplates(join(this.services.context.extensionUri.fsPath, 'templates'), 'builtin', onError);
    const dir = this.workspaceTemplateDir();
    const workspace = dir ? await loadTemplates(dir, 'workspace', onError) : [];
    return [...builtin, ...workspace].map(toTemplateInfo);
  }

  private toResultInfo(r: ProduceResult): ResultInfo {
    return {
      ...toProgressInfo(r),
      status: r.status,
      error: r.error,
      problems: r.problems.slice(0, PROBLEMS_SHOWN),
      undeliveredSample: r.undeliveredRecords.held.slice(0, UNDELIVERED_SAMPLE).map((u) => ({ partitionKey: u.partitionKey, error: u.error, origin: u.origin })),
    };
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.services.context.extensionUri, 'producer', `Produce to ${this.streamName}`);
  }
}

function toTemplateInfo(t: LibraryTemplate): TemplateInfo {
  return {
    id: `${t.origin}:${t.id}`,
    name: t.spec.name ?? t.id,
    description: t.spec.description,
    origin: t.origin,
    template: t.spec.template,
    partitionKey: (t.spec.partitionKey as KeySpec | undefined) ?? { type: 'random' },
  };
}

function toProgressInfo(p: ProduceProgress): ProgressInfo {
  return {
    elapsedMs: p.elapsedMs,
    read: p.read,
    sent: p.sent,
    bytesSent: p.bytesSent,
    retried: p.retried,
    callsFailed: p.callsFailed,
    undelivered: p.undelivered,
    rejected: p.rejected,
    inFlight: p.inFlight,
    pending: p.pending,
    recordsPerSecond: p.recordsPerSecond,
    bytesPerSecond: p.bytesPerSecond,
    shards: p.shards,
    expectedTotal: p.expectedTotal,
    durationMs: p.durationMs,
  };
}

/** Messages come from a webview: take only the fields we know, with sane bounds. */
export function sanitizeKey(k: KeySpec | undefined): KeySpec {
  if (!k || typeof k !== 'object') return { type: 'random' };
  switch (k.type) {
    case 'fixed':
      return { type: 'fixed', value: String(k.value ?? '') };
    case 'field':
      return { type: 'field', field: String(k.field ?? '') };
    case 'template':
      return { type: 'template', template: String(k.template ?? '') };
    default:
      return { type: 'random' };
  }
}

export function sanitizeSettings(s: RunSettings): RunSettings {
  const rate = Number(s?.rate ?? 0);
  if (!Number.isFinite(rate) || rate < 0) throw new UserError('The rate is a number of records per second (0 for as fast as the stream accepts).');
  let amount: RunSettings['amount'];
  const a = s?.amount;
  if (a?.type === 'count') {
    const n = Math.floor(Number(a.count));
    if (!Number.isFinite(n) || n < 1) throw new UserError('The count is a whole number of records above 0.');
    amount = { type: 'count', count: n };
  } else if (a?.type === 'duration') {
    const secs = Number(a.seconds);
    if (!Number.isFinite(secs) || secs <= 0) throw new UserError('The duration is a number of seconds above 0.');
    amount = { type: 'duration', seconds: secs };
  } else {
    amount = { type: 'untilStopped' };
  }
  return { amount, rate, ordered: !!s?.ordered, aggregate: !!s?.aggregate, onInvalid: s?.onInvalid === 'skip' ? 'skip' : 'stop' };
}

function describeSettings(s: RunSettings): string {
  const amount = s.amount.type === 'count' ? `${s.amount.count} records` : s.amount.type === 'duration' ? `${s.amount.seconds} s` : 'until stopped';
  return `${amount}, ${s.rate ? `${s.rate} rec/s` : 'as fast as accepted'}${s.ordered ? ', ordered per key' : ''}${s.aggregate ? ', KPL aggregation' : ''}, on invalid input: ${s.onInvalid}`;
}



