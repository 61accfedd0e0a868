import * as vscode from 'vscode';
import { displayText, TransformReport } from '../../core/transform/engine';
import { renderDelivery, renderRecordTable, renderSample, renderViolations } from '../../core/transform/renderHtml';
import { SampleRecord } from '../../core/transform/sampleRecord';
import { chartSpec } from '../../core/sql/chart';
import { SqlCellResult } from '../../core/sql/run';

/** The notebook's cell outputs, built from what the core produced (the kernel decides when). */

/** What a sample cell produced, kept for the transform cells below it (re-runs reuse it). */
export interface Sample {
  records: SampleRecord[];
  streamName?: string;
  region?: string;
  /** The connection a stream sample came from (a cell's "credentials": true means this one). */
  connectionId?: string;
  description: string;
}

/** Output metadata the integration tests (and anyone scripting the notebook) can read. */
export interface TransformOutputMetadata {
  kind: 'sample' | 'records' | 'delivery' | 'violations' | 'error' | 'console' | 'sql';
  records?: number;
  counts?: Record<string, number>;
  violations?: { code: string; recordIndex?: number; message: string }[];
  objects?: string[];
  /** SQL cells: the result's columns, its row count, the chart drawn (if any) and a failed check. */
  columns?: { name: string; type: string }[];
  chart?: { x: string; y: string; by?: string; series: string[] };
  check?: string;
}

/** The mime type of SQL results, drawn by the notebook renderer `kinesis-sql-result`. */
export const SQL_RESULT_MIME = 'application/vnd.kinesis.sql+json';
/** Rows of a SQL result kept in the cell's output (the table scrolls through all of them). */
export const MAX_RESULT_ROWS = 100_000;

function html(markup: string, metadata: TransformOutputMetadata): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(markup, 'text/html')], metadata as unknown as Record<string, unknown>);
}

export function sampleOutput(s: Sample): vscode.NotebookCellOutput[] {
  return [
    html(
      renderSample({
        description: s.description,
        total: s.records.length,
        records: s.records.slice(0, 10).map((r) => ({ shardId: r.shardId, partitionKey: r.partitionKey, sequenceNumber: r.sequenceNumber, arrivalTime: r.arrivalTime, text: displayText(r.data, 300) })),
      }),
      { kind: 'sample', records: s.records.length },
    ),
  ];
}

export function reportOutputs(r: TransformReport): vscode.NotebookCellOutput[] {
  const violations = r.violations.map((v) => ({ code: v.code, message: v.message, ...(v.recordIndex !== undefined ? { recordIndex: v.recordIndex } : {}) }));
  // Violations first: they are what a run is for; then every record, then what would be delivered.
  const out: vscode.NotebookCellOutput[] = [];
  if (r.violations.length) out.push(html(renderViolations(r), { kind: 'violations', violations }));
  out.push(html(renderRecordTable(r), { kind: 'records', records: r.records, counts: r.counts, violations }));
  if (r.delivery) out.push(html(renderDelivery(r), { kind: 'delivery', objects: r.delivery.objects.map((o) => o.key) }));
  const stdout = r.logs.filter((l) => l.stream === 'stdout').map((l) => l.text).join('');
  const stderr = r.logs.filter((l) => l.stream === 'stderr').map((l) => l.text).join('');
  if (stdout) out.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stdout(stdout)], { kind: 'console' }));
  if (stderr) out.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(stderr)], { kind: 'console' }));
  return out;
}

export function sqlOutputs(r: SqlCellResult): vscode.NotebookCellOutput[] {
  const shown = r.truncated ? `the first ${r.rows.length.toLocaleString('en-US')} of ${r.rowCount.toLocaleString('en-US')}` : r.rowCount.toLocaleString('en-US');
  const loaded = Object.entries(r.tables).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ');
  const summary = `${shown} row${r.rowCount === 1 ? '' : 's'} · load ${r.timings.loadMs} ms, query ${r.timings.queryMs} ms${loaded ? ` · tables: ${loaded}` : ''}${r.expect ? ` · check "expect: ${r.expect}" ${r.checkFailure ? 'FAILED' : 'passed'}` : ''}`;
  const chart = chartSpec(r.columns, r.rows);
  const meta: TransformOutputMetadata = {
    kind: 'sql',
    records: r.rowCount,
    columns: r.columns,
    ...(chart ? { chart: { x: chart.x, y: chart.y, ...(chart.by ? { by: chart.by } : {}), series: chart.series.map((s) => s.name) } } : {}),
    ...(r.checkFailure ? { check: r.checkFailure } : {}),
  };
  const data = { columns: r.columns, rows: r.rows, rowCount: r.rowCount, truncated: r.truncated, summary };
  const out = [
    new vscode.NotebookCellOutput(
      [vscode.NotebookCellOutputItem.json(data, SQL_RESULT_MIME), vscode.NotebookCellOutputItem.text(`${summary}\n${r.columns.map((c) => c.name).join('\t')}\n${r.rows.slice(0, 20).map((row) => row.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\t')).join('\n')}`)],
      meta as unknown as Record<string, unknown>,
    ),
  ];
  if (r.checkFailure) out.unshift(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: 'Check failed', message: r.checkFailure })], { kind: 'error', check: r.checkFailure }));
  return out;
}

/** A failed cell: VS Code renders it as an error (the message is for people: no stack of ours). */
export function errorOutput(message: string): vscode.NotebookCellOutput[] {
  const metadata: TransformOutputMetadata = { kind: 'error' };
  return [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: 'Error', message, stack: '' })], metadata as unknown as Record<string, unknown>)];
}
