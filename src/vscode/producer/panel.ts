import * as vscode from 'vscode';
import { basename, join } from 'node:path';
import { Connection, connectionLabel } from '../../core/aws/connection';
import { describeError, UserError } from '../../core/aws/errors';
import { redact } from '../../core/aws/redact';
import { Producer, ProduceProgress, ProduceResult, ProducerOptions, putOne, summarize } from '../../core/producer/engine';
import { checkFile, fileSource, guessFormat } from '../../core/producer/fileSource';
import { saveUndeliveredAs } from '../undeliveredFile';
import { LibraryTemplate, loadTemplates, saveTemplate, WORKSPACE_TEMPLATE_DIR } from '../../core/producer/library';
import { fromUndelivered, randomPartitionKey, SourceItem, utf8 } from '../../core/producer/records';
import { cleanBase64, ProduceTargetKind, RecordDataFormat, recordDataProblem } from '../../core/producer/recordData';
import { putRecordBatch } from '../../core/producer/deliveryStreamSink';
import { UndeliveredList } from '../../core/producer/undelivered';
import { TemplateError, TemplateGenerator } from '../../core/producer/templates';
import {
  PRODUCER_VIEW_TYPE,
  KeySpec,
  ProducerCommand,
  ProducerProtocol,
  ProducerReplyResults,
  ProducerRequest,
  ResultInfo,
  RunSettings,
  RunSource,
  RunState,
  sanitizeKey,
  sanitizePreviewCount,
  sanitizeSettings,
  TemplateInfo,
} from '../../protocol/producer';
import type { ExtensionServices } from '../services';
import { PanelKind, WebviewPanelHost } from '../webviewPanelHost';

export interface ProducerPanelInit {
  connection: Connection;
  streamName: string;
  /** Produce into a Firehose delivery stream (PutRecordBatch) rather than a data stream. */
  deliveryStream?: boolean;
}

export function producerPanelKey(connectionId: string, streamName: string, deliveryStream = false): string {
  return deliveryStream ? `${connectionId}|firehose|${streamName}` : `${connectionId}|${streamName}`;
}

function panelTitle(init: ProducerPanelInit): string {
  return init.deliveryStream ? `Produce to ${init.streamName} (delivery stream)` : `Produce to ${init.streamName}`;
}

export const PRODUCER_PANEL: PanelKind = {
  viewType: PRODUCER_VIEW_TYPE,
  bundle: 'producer',
  icon: 'send',
  // The forms and the run's progress stay when the tab is hidden.
  retainContextWhenHidden: true,
};

const UNDELIVERED_SAMPLE = 50;
const PROBLEMS_SHOWN = 50;

/**
 * One producer panel per stream. The host runs the engine (src/core/producer) and streams files
 * from disk; the webview only sends settings and shows progress.
 */
export class ProducerPanel extends WebviewPanelHost<ProducerProtocol> {
  static readonly panels = new Map<string, ProducerPanel>();

  readonly connection: Connection;
  readonly streamName: string;
  readonly targetKind: ProduceTargetKind;
  state: RunState = 'idle';
  lastResult?: ProduceResult;
  lastProgress?: ProduceProgress;
  private controller?: AbortController;
  private running?: Promise<ProduceResult>;
  /** The undelivered records of the last run (the first in memory, the rest in a temporary file). */
  private undelivered?: UndeliveredList;
  /** Files the host itself picked (in its open dialog): the only paths it streams from. */
  private readonly pickedFiles = new Set<string>();

  static open(services: ExtensionServices, init: ProducerPanelInit): ProducerPanel {
    const existing = WebviewPanelHost.revealExisting(ProducerPanel.panels, producerPanelKey(init.connection.id, init.streamName, init.deliveryStream));
    if (existing) return existing;
    return new ProducerPanel(services, WebviewPanelHost.createPanel(services, PRODUCER_PANEL, panelTitle(init)), init);
  }

  constructor(services: ExtensionServices, panel: vscode.WebviewPanel, init: ProducerPanelInit) {
    super(services, panel, producerPanelKey(init.connection.id, init.streamName, init.deliveryStream), PRODUCER_PANEL, panelTitle(init), ProducerPanel.panels);
    this.connection = init.connection;
    this.streamName = init.streamName;
    this.targetKind = init.deliveryStream ? 'deliveryStream' : 'dataStream';
  }

  get isDeliveryStream(): boolean {
    return this.targetKind === 'deliveryStream';
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.controller?.abort();
    // A run still going disposes its list when it ends; the last one goes now.
    if (!this.running) this.undelivered?.dispose();
    super.dispose();
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

  protected onCommand(m: ProducerCommand): void {
    const fail = (operation: string) => (e: unknown) =>
      this.post({ type: 'runError', message: describeError(e, { operation, stream: this.streamName }).message });
    switch (m.type) {
      case 'start':
        this.start(m.source, m.settings).catch(fail('produce records'));
        return;
      case 'resend':
        this.start({ type: 'undelivered' }, m.settings).catch(fail('re-send records'));
        return;
      case 'stop':
        this.stop();
        return;
    }
  }

  protected async onReady(): Promise<void> {
    this.post({
      type: 'init',
      streamName: this.streamName,
      connectionId: this.connection.id,
      connectionLabel: connectionLabel(this.connection),
      templates: await this.templates(),
      hasWorkspace: !!vscode.workspace.workspaceFolders?.length,
      targetKind: this.targetKind,
    });
    this.post({ type: 'runState', state: this.state });
    if (this.lastProgress && this.state !== 'idle') this.post({ type: 'progress', progress: this.lastProgress });
    if (this.lastResult && this.state === 'idle') this.post({ type: 'result', result: this.toResultInfo(this.lastResult) });
  }

  protected override describeFailure(e: unknown): string {
    return e instanceof TemplateError ? redact(e.message) : describeError(e, { stream: this.streamName }).message;
  }

  protected async handle(m: ProducerRequest): Promise<ProducerReplyResults[ProducerRequest['type']]> {
    switch (m.type) {
      case 'putOne':
        return this.putOne(String(m.partitionKey ?? ''), String(m.explicitHashKey ?? ''), String(m.data ?? ''), m.format);
      case 'preview': {
        const gen = new TemplateGenerator({ template: String(m.template ?? ''), partitionKey: sanitizeKey(m.partitionKey) });
        return { records: gen.preview(sanitizePreviewCount(m.count)) };
      }
      case 'pickFile':
        return this.pickFile();
      case 'saveTemplate': {
        const dir = this.workspaceTemplateDir();
        if (!dir) throw new UserError('Open a folder first: templates are saved in its .kinesis/templates folder.');
        const spec = { name: String(m.name ?? ''), template: String(m.template ?? ''), partitionKey: sanitizeKey(m.partitionKey) };
        // Check it before saving, so that a saved template always loads.
        new TemplateGenerator(spec).preview(1);
        const path = await saveTemplate(dir, spec);
        return { path, templates: await this.templates() };
      }
      case 'reloadTemplates':
        return this.templates();
      case 'saveUndelivered':
        return this.saveUndelivered();
    }
    throw new UserError('The panel asked for something the extension does not know.');
  }

  private async pickFile(): Promise<ProducerReplyResults['pickFile']> {
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

  private async saveUndelivered(): Promise<ProducerReplyResults['saveUndelivered']> {
    const undelivered = this.undelivered;
    if (!undelivered?.count) throw new UserError('There are no undelivered records to save.');
    const saved = await saveUndeliveredAs(undelivered, `undelivered-${this.streamName}`);
    if (!saved) return undefined;
    this.services.log.info(`Saved ${saved.written} undelivered records of ${this.streamName} to ${saved.path}`);
    return { path: saved.path };
  }

  private async putOne(partitionKey: string, explicitHashKey: string, text: string, format: RecordDataFormat) {
    const fmt: RecordDataFormat = format === 'json' || format === 'base64' ? format : 'text';
    const checked = recordDataProblem(text, fmt, partitionKey, this.targetKind);
    if (checked.problem) throw new UserError(`The data cannot be sent: ${checked.problem}`);
    const data = fmt === 'base64' ? Buffer.from(cleanBase64(text)!, 'base64') : utf8(text);
    if (this.isDeliveryStream) {
      // A delivery stream takes no key: one PutRecordBatch entry, through the engine's own sink.
      const firehose = await this.services.clients.firehoseClient(this.connection);
      const [out] = await putRecordBatch(firehose, this.streamName, [{ data, partitionKey: '' }]);
      if (!out || out.ErrorCode) throw new UserError(`${this.streamName} did not take the record: ${out?.ErrorMessage ?? out?.ErrorCode ?? 'no answer'}.`, 'Try again; if it keeps failing, look at the delivery stream in the Kinesis view.');
      this.services.log.info(`Put one record to delivery stream ${this.streamName}: ${out.SequenceNumber}`);
      return { shardId: out.ShardId!, sequenceNumber: out.SequenceNumber!, partitionKey: '' };
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
    // KPL aggregation and per-key order are for data streams; a delivery stream has neither.
    if (this.isDeliveryStream) Object.assign(s, { aggregate: false, ordered: false });
    const items = await this.sourceItems(source);
    const client = await this.services.clients.kinesisClient(this.connection);
    const deliveryStream = this.isDeliveryStream ? await this.services.clients.firehoseClient(this.connection) : undefined;
    const controller = new AbortController();
    this.controller = controller;
    const options: ProducerOptions = {
      streamName: this.streamName,
      deliveryStream,
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
        if (!('status' in p)) this.post({ type: 'progress', progress: p });
      },
    };
    const producer = new Producer(client, options);
    this.setState('running', source.type);
    this.lastResult = undefined;
    this.services.log.info(`Producing to ${this.isDeliveryStream ? 'delivery stream ' : ''}${this.streamName} from ${source.type === 'file' ? source.path : source.type} (${describeSettings(s)})`);
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

  private async sourceItems(source: RunSource): Promise<Iterable<SourceItem> | AsyncIterable<SourceItem>> {
    switch (source?.type) {
      case 'template': {
        const gen = new TemplateGenerator({ template: String(source.template ?? ''), partitionKey: this.keyOf(source.partitionKey) });
        gen.preview(1); // a template that cannot make one record fails here, before anything is sent
        return gen.records();
      }
      case 'file': {
        if (typeof source.path !== 'string' || !source.path) throw new UserError('Choose a file first.');
        if (!this.pickedFiles.has(source.path)) {
          throw new UserError('The panel only reads a file chosen with its Choose file… button.', 'Choose the file again (after a reload the choice is not kept).');
        }
        await checkFile(source.path);
        return fileSource({ path: source.path, format: source.format, partitionKey: this.keyOf(source.partitionKey) });
      }
      case 'undelivered': {
        const undelivered = this.undelivered;
        if (!undelivered?.count) throw new UserError('There are no undelivered records to re-send.');
        return (async function* () {
          for await (const u of undelivered) yield { record: fromUndelivered(u) };
        })();
      }
    }
    throw new UserError('Unknown source.');
  }

  /** The run's key: none for a delivery stream (it takes no key; a field named for one is not required). */
  private keyOf(k: KeySpec | undefined): KeySpec {
    return this.isDeliveryStream ? { type: 'random' } : sanitizeKey(k);
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
    // The list of undelivered records stays here (it may be in a file); the webview gets a sample.
    const { undeliveredRecords, problems, ...progress } = r;
    const info: ResultInfo = {
      ...(progress satisfies Omit<ResultInfo, 'problems' | 'undeliveredSample'>),
      problems: problems.slice(0, PROBLEMS_SHOWN),
      undeliveredSample: undeliveredRecords.held.slice(0, UNDELIVERED_SAMPLE).map((u) => ({ partitionKey: u.partitionKey, error: u.error, origin: u.origin })),
    };
    return info;
  }
}

function toTemplateInfo(t: LibraryTemplate): TemplateInfo {
  return {
    id: `${t.origin}:${t.id}`,
    name: t.spec.name ?? t.id,
    description: t.spec.description,
    origin: t.origin,
    template: t.spec.template,
    partitionKey: t.spec.partitionKey ?? { type: 'random' },
  };
}

/** For the log. */
function describeSettings(s: RunSettings): string {
  const amount = s.amount.type === 'count' ? `${s.amount.count} records` : s.amount.type === 'duration' ? `${s.amount.seconds} s` : 'until stopped';
  return `${amount}, ${s.rate ? `${s.rate} rec/s` : 'as fast as accepted'}${s.ordered ? ', ordered per key' : ''}${s.aggregate ? ', KPL aggregation' : ''}, on invalid input: ${s.onInvalid}`;
}

