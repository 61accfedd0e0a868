import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { describeError, UserError } from '../../core/aws/errors';
import { redact } from '../../core/aws/redact';
import { CellSpec, CellSpecError, parseCell, SampleSource } from '../../core/transform/cellSpec';
import { parseHandlerSpec } from '../../core/transform/compile';
import { hasErrors, runTransform, TransformReport } from '../../core/transform/engine';
import { NOTEBOOK_TYPE, StoredSample } from '../../core/transform/notebookFormat';
import { fromStored, parseJsonLines, sampleFromStream, toStored } from '../../core/transform/sample';
import { SampleRecord } from '../../core/transform/sampleRecord';
import { WarmHandlers } from '../../core/transform/warmHandlers';
import type { StaticCredentials } from '../../core/aws/connection';
import { SqlError } from '../../core/sql/engine';
import { flinkSql, glueColumns, glueDdl } from '../../core/sql/schema';
import { prepareQuery, StreamCall } from '../../core/sql/query';
import { describeRecords, resultToRecords, runSqlCell, SqlCellResult } from '../../core/sql/run';
import { Disposable } from '../dispose';
import { errorOutput, MAX_RESULT_ROWS, reportOutputs, Sample, sampleOutput, sqlOutputs } from './outputs';
export type { TransformOutputMetadata } from './outputs';
import type { ExtensionServices } from '../services';

export const CONTROLLER_ID = 'kinesis-transform-kernel';

export const UNTRUSTED_MESSAGE =
  'This workspace is not trusted, so the transform notebook does not run handlers (they are code from the workspace). Trust the folder (Workspaces: Manage Workspace Trust) and run the cell again. Sample cells still run.';

/**
 * The transform notebook's kernel: owns its NotebookController, runs sample and transform cells
 * in order, and cancels through an AbortController per cell (the handler's child process is killed).
 */
export class TransformKernel extends Disposable {
  readonly controller: vscode.NotebookController;
  private readonly samples = new Map<string, Sample>();
  /** Results of SQL and transform cells in this session: what the cells below them read. */
  private readonly sqlResults = new Map<string, SqlCellResult>();
  private readonly transforms = new Map<string, { report: TransformReport; input: readonly SampleRecord[] }>();
  private readonly running = new Set<AbortController>();
  /** A re-run of an unchanged handler reuses its loaded child, as Lambda reuses a warm container. */
  private readonly warm = new WarmHandlers();
  private order = 0;

  constructor(private readonly services: ExtensionServices) {
    super();
    this.controller = this._register(vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Kinesis Transform'));
    this.controller.supportedLanguages = ['json', 'typescript', 'javascript', 'sql'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Runs handlers locally, isolated';
    this.controller.detail = 'Firehose data transformation and Lambda Kinesis handlers, checked against the contract';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = () => this.cancelAll();
    this._register(vscode.workspace.onDidCloseNotebookDocument((nb) => this.forget(nb)));
    this._register({ dispose: () => this.cancelAll() });
    this._register({ dispose: () => void this.warm.dispose() });
  }

  async execute(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    for (const cell of cells) {
      if (this.isDisposed) return;
      await this.runCell(cell, notebook);
    }
  }

  cancelAll(): void {
    for (const c of this.running) c.abort();
  }

  private forget(nb: vscode.NotebookDocument): void {
    const prefix = nb.uri.toString() + '#';
    for (const m of [this.samples, this.sqlResults, this.transforms]) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
  }

  private key(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell): string {
    return `${notebook.uri.toString()}#${cell.document.uri.fragment || cell.index}`;
  }

  private async runCell(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument): Promise<void> {
    if (cell.kind !== vscode.NotebookCellKind.Code) return;
    const exec = this.controller.createNotebookCellExecution(cell);
    exec.executionOrder = ++this.order;
    const abort = new AbortController();
    this.running.add(abort);
    const sub = exec.token.onCancellationRequested(() => abort.abort());
    exec.start(Date.now());
    let success = true;
    try {
      await exec.clearOutput();
      if (cell.document.languageId === 'sql') {
        const result = await this.runSql(cell, notebook, abort.signal);
        await exec.replaceOutput(sqlOutputs(result));
        success = !result.checkFailure;
        return;
      }
      const spec = parseCell(cell.document.languageId, cell.document.getText());
      if (spec.kind === 'sample') {
        const sample = await this.takeSample(cell, notebook, spec, abort.signal);
        await exec.replaceOutput(sampleOutput(sample));
      } else if (spec.kind === 'transform') {
        if (!vscode.workspace.isTrusted) throw new UserError(UNTRUSTED_MESSAGE);
        const sample = await this.sampleFor(cell, notebook, abort.signal);
        const report = await this.transform(cell, notebook, spec, sample, abort.signal);
        this.transforms.set(this.key(notebook, cell), { report, input: sample.records });
        await exec.replaceOutput(reportOutputs(report));
        success = !hasErrors(report);
      }
    } catch (e) {
      success = false;
      const cancelled = abort.signal.aborted;
      if (!cancelled && e instanceof SqlError) {
        // Where in the query: line, column and a caret under the place.
        await exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: 'SQL error', message: redact(e.describe(cell.document.getText())) })], { kind: 'error', line: e.line, column: e.column }));
        return;
      }
      const message = redact(cancelled ? 'Cancelled.' : e instanceof CellSpecError ? e.message : describeError(e, { operation: 'run the cell' }).message);
      if (!cancelled && !(e instanceof CellSpecError) && !(e instanceof UserError)) this.services.log.error('Transform notebook cell failed', e);
      await exec.replaceOutput(errorOutput(message));
    } finally {
      sub.dispose();
      this.running.delete(abort);
      exec.end(success, Date.now());
    }
  }

  /** The sample of the nearest sample cell above, taking it now if this session has not. */
  private async sampleFor(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, signal: AbortSignal, opts: { sql?: boolean } = { sql: true }): Promise<Sample> {
    for (let i = cell.index - 1; i >= 0; i--) {
      const above = notebook.cellAt(i);
      if (opts.sql && above.kind === vscode.NotebookCellKind.Code && above.document.languageId === 'sql') {
        // A SQL cell's result is the sample of the transform below it: one record per row.
        const result = this.sqlResults.get(this.key(notebook, above)) ?? (await this.runSql(above, notebook, signal));
        const records = resultToRecords(result);
        return { records, description: `${records.length.toLocaleString('en-US')} rows of the SQL cell above, one JSON record each.` };
      }
      if (above.kind !== vscode.NotebookCellKind.Code || above.document.languageId !== 'json') continue;
      let spec: CellSpec;
      try {
        spec = parseCell('json', above.document.getText());
      } catch {
        continue;
      }
      if (spec.kind !== 'sample') continue;
      return this.samples.get(this.key(notebook, above)) ?? (await this.takeSample(above, notebook, spec, signal));
    }
    throw new UserError('There is no sample cell above this one. Add a JSON cell such as { "sample": { "stream": "orders", "count": 500 } } before it.');
  }

  /** The sample of a sample cell (taking it if this session has not), for "Infer Table". */
  async sampleOf(cell: vscode.NotebookCell, signal = new AbortController().signal): Promise<{ records: readonly SampleRecord[]; streamName?: string; region?: string }> {
    const spec = parseCell(cell.document.languageId, cell.document.getText());
    if (spec.kind !== 'sample') throw new UserError('Infer Table works on a sample cell: a JSON cell such as { "sample": { "stream": "orders", "count": 500 } }.');
    return this.samples.get(this.key(cell.notebook, cell)) ?? (await this.takeSample(cell, cell.notebook, spec, signal));
  }

  /** Runs a SQL cell over the sample above it (table records), the transform above it (output) and streams it names. */
  private async runSql(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<SqlCellResult> {
    const text = cell.document.getText();
    const q = prepareQuery(text);
    let records: readonly SampleRecord[] | undefined;
    if (/\brecords\b/i.test(q.sql) || q.streams.length === 0) {
      records = (await this.sampleFor(cell, notebook, signal, { sql: false }).catch((e) => {
        if (e instanceof UserError) return undefined; // runSqlCell explains a missing `records` table
        throw e;
      }))?.records;
    }
    let transform: { report: TransformReport; input: readonly SampleRecord[] } | undefined;
    if (/\boutput\b/i.test(q.sql)) transform = await this.transformAbove(cell, notebook, signal);
    const result = await runSqlCell(text, { records, transform, readStream: (call) => this.readStream(call, signal) }, { maxRows: MAX_RESULT_ROWS });
    if (signal.aborted) throw new UserError('Cancelled.');
    this.sqlResults.set(this.key(notebook, cell), result);
    return result;
  }

  private async transformAbove(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, signal: AbortSignal) {
    for (let i = cell.index - 1; i >= 0; i--) {
      const above = notebook.cellAt(i);
      if (above.kind !== vscode.NotebookCellKind.Code || above.document.languageId === 'sql') continue;
      let spec: CellSpec;
      try {
        spec = parseCell(above.document.languageId, above.document.getText());
      } catch {
        continue;
      }
      if (spec.kind !== 'transform') continue;
      const known = this.transforms.get(this.key(notebook, above));
      if (known) return known;
      if (!vscode.workspace.isTrusted) throw new UserError(UNTRUSTED_MESSAGE);
      const sample = await this.sampleFor(above, notebook, signal);
      const report = await this.transform(above, notebook, spec, sample, signal);
      const run = { report, input: sample.records };
      this.transforms.set(this.key(notebook, above), run);
      return run;
    }
    return undefined;
  }

  private async readStream(call: StreamCall, signal: AbortSignal): Promise<SampleRecord[]> {
    const id = call.connection ?? 'local';
    const connection = await this.services.connections.get(id);
    if (!connection) {
      const known = (await this.services.connections.list()).map((c) => c.id);
      throw new UserError(`stream('${call.stream}'): there is no connection "${id}". Known connections: ${known.join(', ') || 'none'}.`);
    }
    const client = await this.services.clients.kinesisClient(connection);
    return sampleFromStream(client, call.stream, { from: call.from, count: call.count, signal });
  }

  /** "Infer Table": the Glue columns and DDL of a sample cell's records. */
  async inferTable(cell: vscode.NotebookCell): Promise<string> {
    const sample = await this.sampleOf(cell);
    const columns = await describeRecords(sample.records);
    const name = (sample.streamName ?? 'records').replace(/[^A-Za-z0-9_]/g, '_');
    return [
      `-- Glue Data Catalog table for the ${sample.records.length} records of this sample (the Kinesis metadata columns left out).`,
      `-- StorageDescriptor.Columns (CreateTable / Firehose record format conversion):`,
      ...JSON.stringify(glueColumns(columns), null, 2).split('\n').map((l) => `-- ${l}`),
      '',
      glueDdl(name, columns),
      '',
    ].join('\n');
  }

  /** "Copy as Flink SQL": the Kinesis connector's CREATE TABLE for the stream the cell reads, and its query. */
  async flinkSqlOf(cell: vscode.NotebookCell): Promise<string> {
    const text = cell.document.getText();
    const q = prepareQuery(text);
    const signal = new AbortController().signal;
    let stream: string | undefined;
    let region: string | undefined;
    let from: string | undefined;
    let records: readonly SampleRecord[];
    let query = text.split(/\r?\n/).filter((l) => !/^\s*--\s*expect\s*:/i.test(l)).join('\n');
    if (q.streams.length) {
      const call = q.streams[0];
      stream = call.stream;
      from = typeof call.from === 'string' ? call.from : 'AT_TIMESTAMP';
      records = await this.readStream({ ...call, count: Math.min(call.count, 1000) }, signal);
      query = query.replace(/\bstream\s*\([^)]*\)/i, 'records');
    } else {
      const sample = await this.sampleFor(cell, cell.notebook, signal, { sql: false });
      stream = sample.streamName;
      region = sample.region;
      records = sample.records;
    }
    if (!stream) throw new UserError('Copy as Flink SQL needs the stream the records come from: a sample cell with "stream", or stream(\'name\') in the query.');
    const columns = await describeRecords(records);
    return flinkSql({ stream, region, from, columns, query });
  }

  private async takeSample(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, spec: Extract<CellSpec, { kind: 'sample' }>, signal: AbortSignal): Promise<Sample> {
    const stored = cell.metadata?.storedSample as StoredSample | undefined;
    let sample: Sample;
    const src = spec.source;
    if (src.type === 'stored' || (stored && !spec.refresh && stored.spec === spec.key && stored.records.length)) {
      if (!stored) throw new UserError('This sample cell has no stored records. Take a sample from a stream or file first, with "store": true.');
      const records = stored.records.map((r, i) => fromStored(r, i));
      sample = {
        records,
        streamName: src.type === 'stream' ? src.stream : undefined,
        connectionId: src.type === 'stream' ? src.connection : undefined,
        description: `${records.length.toLocaleString('en-US')} records stored in the notebook (taken ${stored.takenAt}). Set "refresh": true or change the spec to take a new sample.`,
      };
    } else {
      sample = await this.freshSample(src, notebook, signal);
    }
    if (spec.store && src.type !== 'stored') {
      const value: StoredSample = { spec: spec.key, takenAt: new Date().toISOString(), records: sample.records.map(toStored) };
      if (!stored || stored.spec !== value.spec || stored.records.length !== value.records.length || spec.refresh) await this.setStored(notebook, cell, value);
    } else if (!spec.store && stored) {
      await this.setStored(notebook, cell, undefined);
    }
    this.samples.set(this.key(notebook, cell), sample);
    return sample;
  }

  private async freshSample(src: SampleSource, notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<Sample> {
    if (src.type === 'file') {
      const path = resolvePath(src.file, notebook);
      if (!existsSync(path)) throw new UserError(`The sample file ${src.file} was not found (looked at ${path}).`);
      const records = parseJsonLines(readFileSync(path, 'utf8')).slice(0, src.count ?? Infinity);
      return { records, description: `${records.length.toLocaleString('en-US')} records from ${basename(path)}.` };
    }
    if (src.type !== 'stream') throw new UserError('Nothing to sample.');
    const connection = await this.services.connections.get(src.connection);
    if (!connection) {
      const known = (await this.services.connections.list()).map((c) => c.id);
      throw new UserError(`There is no connection "${src.connection}". Known connections: ${known.join(', ') || 'none'}.`);
    }
    const client = await this.services.clients.kinesisClient(connection);
    const records = await sampleFromStream(client, src.stream, { from: src.from, count: src.count, signal });
    if (signal.aborted) throw new UserError('Cancelled.');
    const from = typeof src.from === 'string' ? src.from : `AT_TIMESTAMP ${src.from.atTimestamp}`;
    const shards = new Set(records.map((r) => r.shardId)).size;
    return {
      records,
      streamName: src.stream,
      region: connection.region,
      connectionId: connection.id,
      description: `${records.length.toLocaleString('en-US')} records from stream ${src.stream} (${connection.id}), ${from}, ${shards} shard${shards === 1 ? '' : 's'}${
        records.length < src.count ? ` — the stream had no more than that (asked for ${src.count})` : ''
      }.`,
    };
  }

  private async setStored(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell, value: StoredSample | undefined): Promise<void> {
    const metadata: Record<string, unknown> = { ...cell.metadata };
    if (value) metadata.storedSample = value;
    else delete metadata.storedSample;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.updateCellMetadata(cell.index, metadata)]);
    await vscode.workspace.applyEdit(edit);
  }

  private async transform(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, spec: Extract<CellSpec, { kind: 'transform' }>, sample: Sample, signal: AbortSignal): Promise<TransformReport> {
    const h = spec.handler;
    let handler: Parameters<typeof runTransform>[0]['handler'];
    if (h.type === 'file') {
      const { path, exportName } = parseHandlerSpec(h.spec, baseDir(notebook));
      const found = existsSync(path) ? path : workspaceRelative(h.spec.split('#')[0]);
      if (!found) throw new UserError(`The handler file ${h.spec.split('#')[0]} was not found (looked at ${path}).`);
      handler = { kind: 'file', path: found, exportName };
      const dirty = vscode.workspace.textDocuments.find((d) => d.isDirty && d.uri.fsPath === found);
      if (dirty) void vscode.window.showWarningMessage(`${basename(found)} has unsaved changes; the notebook runs the saved file.`);
    } else {
      handler = { kind: 'code', code: h.code, language: h.language, resolveDir: baseDir(notebook), label: `cell-${cell.index + 1}.${h.language === 'typescript' ? 'ts' : 'js'}`, exportName: h.exportName };
    }
    return runTransform({
      handler,
      handlerLabel: h.type === 'file' ? h.spec : `cell ${cell.index + 1} (${h.language === 'typescript' ? 'TypeScript' : 'JavaScript'})`,
      records: sample.records,
      mode: spec.options.mode,
      streamName: sample.streamName,
      region: sample.region,
      prefix: spec.options.prefix,
      deliveryStreamName: spec.options.deliveryStreamName,
      bufferBytes: spec.options.bufferBytes,
      batchSize: spec.options.batchSize,
      timeoutMs: spec.options.timeoutMs,
      memoryMb: spec.options.memoryMb,
      credentials: spec.options.credentials ? await this.credentialsFor(spec.options.credentials, sample) : undefined,
      cwd: baseDir(notebook),
      signal,
      warm: this.warm,
    });
  }

  /** The keys of the connection a cell names ("credentials": true: the sample's), resolved now. */
  private async credentialsFor(wanted: true | string, sample: Sample): Promise<StaticCredentials> {
    const id = wanted === true ? sample.connectionId : wanted;
    if (!id) throw new UserError('"credentials": true passes the credentials of the sample\'s connection, but this sample is not from a stream. Name the connection instead: "credentials": "<connection id>".');
    const connection = await this.services.connections.get(id);
    if (!connection) throw new UserError(`There is no connection "${id}" to take credentials from. Known connections: ${(await this.services.connections.list()).map((c) => c.id).join(', ') || 'none'}.`);
    const client = await this.services.clients.kinesisClient(connection);
    try {
      const c = await client.config.credentials();
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
    } catch (e) {
      throw new UserError(`Could not get the credentials of ${id} for the handler: ${describeError(e, { operation: 'get credentials' }).message}`);
    }
  }
}

function baseDir(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? tmpdir();
}

function workspaceRelative(p: string): string | undefined {
  if (isAbsolute(p)) return undefined;
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    const candidate = join(f.uri.fsPath, p);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function resolvePath(p: string, notebook: vscode.NotebookDocument): string {
  if (isAbsolute(p)) return p;
  const here = join(baseDir(notebook), p);
  return existsSync(here) ? here : workspaceRelative(p) ?? here;
}
