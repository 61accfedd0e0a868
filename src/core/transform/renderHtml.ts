/**
 * The transform notebook's outputs as HTML. Everything that comes from records, handlers or
 * users is escaped; there is no script, no event handler attribute and no URL: the output is
 * static markup styled with VS Code theme variables.
 */
import type { RecordRow, TransformReport } from './engine';
import type { Violation } from './sampleRecord';

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `<style>
.ktn { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground); }
.ktn .ktn-summary { margin: 2px 0 6px; }
.ktn .ktn-summary b { font-weight: 600; }
.ktn table { border-collapse: collapse; width: 100%; table-layout: fixed; }
.ktn th, .ktn td { border-bottom: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35)); padding: 3px 6px; text-align: left; vertical-align: top; }
.ktn th { font-weight: 600; color: var(--vscode-descriptionForeground); position: sticky; top: 0; background: var(--vscode-editor-background); }
.ktn td.ktn-data { font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.ktn .ktn-clip { line-height: 1.4em; max-height: 2.8em; overflow: hidden; }
.ktn td.ktn-n { width: 4em; color: var(--vscode-descriptionForeground); }
.ktn col.ktn-result { width: 9em; } .ktn col.ktn-n { width: 4em; } .ktn col.ktn-keys { width: 16em; }
.ktn .ktn-badge { font-weight: 600; }
.ktn .r-Ok, .ktn .r-Success { color: var(--vscode-testing-iconPassed, #3fb950); }
.ktn .r-Dropped, .ktn .r-NotRun, .ktn .r-Retried { color: var(--vscode-descriptionForeground); }
.ktn .r-ProcessingFailed, .ktn .r-Failed { color: var(--vscode-editorWarning-foreground, #cca700); }
.ktn .r-bad { color: var(--vscode-errorForeground, #f14c4c); }
.ktn tr.ktn-violating td { background: var(--vscode-inputValidation-errorBackground, rgba(241,76,76,.12)); }
.ktn .ktn-key { display: inline-block; margin: 0 4px 2px 0; padding: 0 5px; border-radius: 3px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); font-size: 11px; }
.ktn .ktn-muted { color: var(--vscode-descriptionForeground); }
.ktn pre { font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; white-space: pre-wrap; word-break: break-all; margin: 4px 0; padding: 6px; background: var(--vscode-textCodeBlock-background, rgba(128,128,128,.1)); max-height: 24em; overflow: auto; }
.ktn ul { margin: 4px 0; padding-left: 18px; }
.ktn li { margin: 3px 0; }
.ktn .ktn-code { font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; color: var(--vscode-descriptionForeground); }
.ktn h4 { margin: 8px 0 4px; font-size: 1em; }
</style>`;

const GOOD = new Set(['Ok', 'Dropped', 'ProcessingFailed', 'Success', 'Failed', 'Retried', 'NotRun']);
function resultClass(result: string): string {
  return GOOD.has(result) ? `r-${result}` : 'r-bad';
}

function where(v: Violation): string {
  if (v.recordIndex !== undefined) return `record ${v.recordIndex + 1}`;
  if (v.invocation !== undefined) return `invocation ${v.invocation + 1}`;
  return 'run';
}

/** The record table; shows the first `maxRows` rows and every row with a violation. */
export function renderRecordTable(report: TransformReport, maxRows = 100): string {
  const flagged = new Map<number, Violation[]>();
  for (const v of report.violations) if (v.recordIndex !== undefined) flagged.set(v.recordIndex, [...(flagged.get(v.recordIndex) ?? []), v]);
  const rows = report.rows.filter((r) => r.index < maxRows || flagged.has(r.index));
  const firehose = report.mode === 'firehose';
  const counts = Object.entries(report.counts)
    .map(([k, n]) => `<span class="ktn-badge ${resultClass(k)}">${esc(k)}</span> ${esc(n.toLocaleString('en-US'))}`)
    .join(' · ');
  const errors = report.violations.filter((v) => v.severity === 'error').length;
  const head = `<div class="ktn-summary"><b>${firehose ? 'Firehose transform' : 'Lambda Kinesis consumer'}</b> <span class="ktn-code">${esc(report.handler)}</span> — ${esc(
    report.records.toLocaleString('en-US'),
  )} records in ${esc(report.invocations)} invocation${report.invocations === 1 ? '' : 's'}: ${counts}${
    errors ? ` · <span class="r-bad ktn-badge">${esc(errors)} contract violation${errors === 1 ? '' : 's'}</span>` : ' · <span class="r-Ok">contract OK</span>'
  } <span class="ktn-muted">(${esc(report.timings.totalMs)} ms)</span></div>`;
  const cols = firehose
    ? '<colgroup><col class="ktn-n"><col class="ktn-result"><col><col><col class="ktn-keys"></colgroup><thead><tr><th>#</th><th>Result</th><th>Input (decoded)</th><th>Output (decoded)</th><th>Partition keys</th></tr></thead>'
    : '<colgroup><col class="ktn-n"><col class="ktn-result"><col><col class="ktn-keys"></colgroup><thead><tr><th>#</th><th>Result</th><th>Input (decoded)</th><th>Sequence number</th></tr></thead>';
  const body = rows.map((r) => row(r, firehose, flagged.get(r.index))).join('');
  const more = rows.length < report.rows.length ? `<div class="ktn-muted">Showing ${esc(rows.length)} of ${esc(report.rows.length.toLocaleString('en-US'))} records (every record with a violation is shown).</div>` : '';
  return `${STYLE}<div class="ktn" data-kind="records">${head}<table>${cols}<tbody>${body}</tbody></table>${more}</div>`;
}

function row(r: RecordRow, firehose: boolean, violations: Violation[] | undefined): string {
  const mark = violations ? ` title="${esc(violations.map((v) => v.message).join('\n'))}"` : '';
  const result = `<span class="ktn-badge ${violations ? 'r-bad' : resultClass(r.result)}">${violations ? '⚠ ' : ''}${esc(r.result)}</span>`;
  const keys = r.partitionKeys ? Object.entries(r.partitionKeys).map(([k, v]) => `<span class="ktn-key">${esc(k)}=${esc(v)}</span>`).join('') : '';
  const cls = violations ? ' class="ktn-violating"' : '';
  if (!firehose) {
    return `<tr${cls}${mark} data-record="${esc(r.index + 1)}"><td class="ktn-n">${esc(r.index + 1)}</td><td>${result}</td><td class="ktn-data"><div class="ktn-clip">${esc(r.input)}</div></td><td class="ktn-data">${esc(r.recordId)}</td></tr>`;
  }
  return `<tr${cls}${mark} data-record="${esc(r.index + 1)}"><td class="ktn-n">${esc(r.index + 1)}</td><td>${result}</td><td class="ktn-data"><div class="ktn-clip">${esc(r.input)}</div></td><td class="ktn-data"><div class="ktn-clip">${esc(r.output ?? '')}</div></td><td>${keys}</td></tr>`;
}

/** What Firehose would write to S3: objects, their keys and the first object's content. */
export function renderDelivery(report: TransformReport, maxObjects = 50): string {
  const d = report.delivery;
  if (!d) return '';
  const objects = d.objects
    .slice(0, maxObjects)
    .map((o) => `<tr><td class="ktn-data">s3://&lt;bucket&gt;/${esc(o.key)}</td><td>${esc(o.records.toLocaleString('en-US'))}</td><td>${esc(o.bytes.toLocaleString('en-US'))}</td></tr>`)
    .join('');
  const more = d.objects.length > maxObjects ? `<div class="ktn-muted">and ${esc(d.objects.length - maxObjects)} more objects</div>` : '';
  const first = d.objects[0];
  const preview = first ? `<h4>Content of the first object</h4><pre>${esc(first.text)}${first.text.length < first.bytes ? '\n…' : ''}</pre>` : '';
  return `${STYLE}<div class="ktn" data-kind="delivery"><h4>Would be delivered</h4><div class="ktn-summary">${esc(d.bytes.toLocaleString('en-US'))} bytes in ${esc(d.objects.length)} S3 object${
    d.objects.length === 1 ? '' : 's'
  } under prefix <span class="ktn-code">${esc(d.prefix)}</span>${d.errorRecords ? ` · <span class="r-ProcessingFailed">${esc(d.errorRecords)} record${d.errorRecords === 1 ? '' : 's'} to the error prefix (processing-failed/)</span>` : ''}</div>${
    d.objects.length ? `<table><colgroup><col><col style="width:7em"><col style="width:8em"></colgroup><thead><tr><th>S3 object key</th><th>Records</th><th>Bytes</th></tr></thead><tbody>${objects}</tbody></table>` : ''
  }${more}${preview}</div>`;
}

/** Contract violations, each pointing at its record (or invocation). */
export function renderViolations(report: TransformReport, max = 100): string {
  if (!report.violations.length) return '';
  const items = report.violations
    .slice(0, max)
    .map(
      (v) =>
        `<li data-code="${esc(v.code)}"${v.recordIndex !== undefined ? ` data-record="${esc(v.recordIndex + 1)}"` : ''}><span class="${v.severity === 'error' ? 'r-bad' : 'r-ProcessingFailed'} ktn-badge">${esc(where(v))}</span> <span class="ktn-code">[${esc(v.code)}]</span> ${esc(
          v.message,
        )}${v.stack ? `<pre>${esc(v.stack)}</pre>` : ''}</li>`,
    )
    .join('');
  const more = report.violations.length > max ? `<div class="ktn-muted">and ${esc(report.violations.length - max)} more</div>` : '';
  return `${STYLE}<div class="ktn" data-kind="violations"><h4 class="r-bad">Contract violations (${esc(report.violations.length)})</h4><ul>${items}</ul>${more}</div>`;
}

export interface SampleSummary {
  description: string;
  records: { shardId: string; partitionKey: string; sequenceNumber: string; arrivalTime: number; text: string }[];
  total: number;
}

export function renderSample(s: SampleSummary, maxRows = 10): string {
  const rows = s.records
    .slice(0, maxRows)
    .map(
      (r, i) =>
        `<tr><td class="ktn-n">${esc(i + 1)}</td><td class="ktn-data">${esc(r.shardId)}</td><td class="ktn-data">${esc(r.partitionKey)}</td><td class="ktn-data">${esc(new Date(r.arrivalTime).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td><td class="ktn-data"><div class="ktn-clip">${esc(r.text)}</div></td></tr>`,
    )
    .join('');
  const more = s.total > maxRows ? `<div class="ktn-muted">First ${esc(maxRows)} of ${esc(s.total.toLocaleString('en-US'))} records.</div>` : '';
  return `${STYLE}<div class="ktn" data-kind="sample"><div class="ktn-summary">${esc(s.description)}</div>${
    s.total
      ? `<table><colgroup><col class="ktn-n"><col style="width:14em"><col style="width:10em"><col style="width:12em"><col></colgroup><thead><tr><th>#</th><th>Shard</th><th>Partition key</th><th>Arrival</th><th>Data (decoded)</th></tr></thead><tbody>${rows}</tbody></table>`
      : ''
  }${more}</div>`;
}
