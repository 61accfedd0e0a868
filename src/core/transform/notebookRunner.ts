/**
 * A `.kinesis-notebook` run headless, for CI:
 *   npm run notebook -- run demo/orders.kinesis-notebook [--endpoint URL | --profile P] [--json]
 * Every code cell in order, as the notebook controller runs them: sample cells take records (a
 * stored sample is used as is, so a notebook of checks runs offline), transform cells run the
 * handler isolated and check the contract, SQL cells query the sample above (`records`), the
 * transform above (`output`) or a stream. Exit status 1 when a transform violates its contract,
 * a SQL cell fails or a `-- expect:` check fails; 2 for bad arguments or an unreadable notebook.
 */
import { ArgError, startCli } from '../cliStart';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describeError, UserError } from '../aws/errors';
import { terminalKinesisClient } from '../aws/clientFactory';
import { SqlError } from '../sql/engine';
import { resultToRecords, runSqlCell, SqlCellResult } from '../sql/run';
import { CellSpec, CellSpecError, parseCell, TransformOptions } from './cellSpec';
import { formatReport } from './cli';
import { parseHandlerSpec } from './compile';
import { hasErrors, runTransform, TransformReport } from './engine';
import { NotebookCellJson, parseNotebook } from './notebookFormat';
import { fromStored, parseJsonLines, sampleFromStream } from './sample';
import type { SampleRecord } from './sampleRecord';

export const USAGE = `Usage: npm run notebook -- run <file.kinesis-notebook> [options]

Runs every cell of a transform notebook in order, prints each output, and exits with status 1
when a transform violates its contract, a SQL cell fails or a "-- expect: empty|rows" check fails.

Options:
  --endpoint URL    the Kinesis endpoint for sample cells and stream(...) (e.g. http://127.0.0.1:4567)
  --profile P       an AWS profile instead (default: the SDK's credential chain)
  --region R        the region (default AWS_REGION or us-east-1)
  --rows N          rows of each result to print (default 20)
  --json            print the results as JSON instead
`;

export interface CellRun {
  index: number;
  kind: 'sample' | 'transform' | 'sql' | 'skipped';
  ok: boolean;
  /** Why the cell failed, for people. */
  error?: string;
  records?: number;
  sql?: Pick<SqlCellResult, 'columns' | 'rows' | 'rowCount' | 'expect' | 'checkFailure' | 'timings'>;
  transform?: { violations: TransformReport['violations']; counts: TransformReport['counts']; records: number };
  text: string;
}

interface Args {
  file: string;
  endpoint?: string;
  profile?: string;
  region?: string;
  rows: number;
  json: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const rest = [...argv];
  if (rest[0] === 'run') rest.shift();
  let file: string | undefined;
  const out: Partial<Args> = { rows: 20, json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined || v.startsWith('--')) throw new ArgError(`${flag} needs a value.`);
      return v;
    };
    if (flag === '--endpoint') out.endpoint = value();
    else if (flag === '--profile') out.profile = value();
    else if (flag === '--region') out.region = value();
    else if (flag === '--rows') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new ArgError('--rows is a whole number.');
      out.rows = n;
    } else if (flag === '--json') out.json = true;
    else if (flag.startsWith('--')) throw new ArgError(`Unknown option ${flag}.`);
    else if (!file) file = a;
    else throw new ArgError(`One notebook at a time (got ${file} and ${a}).`);
  }
  if (!file) throw new ArgError('Name the notebook to run.');
  if (out.endpoint && out.profile) throw new ArgError('--endpoint and --profile are alternatives: give one.');
  return { ...(out as Args), file };
}

function cellText(s: string, w: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > w ? one.slice(0, w - 1) + '…' : one.padEnd(w);
}

/** A SQL result as a text table. */
export function formatSqlResult(r: SqlCellResult, rows = 20): string {
  const values = r.rows.slice(0, rows).map((row) => row.map((v) => (v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v))));
  const widths = r.columns.map((c, i) => Math.min(40, Math.max(c.name.length, ...values.map((v) => v[i].length))));
  const out = [r.columns.map((c, i) => cellText(c.name, widths[i])).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const v of values) out.push(v.map((x, i) => cellText(x, widths[i])).join('  '));
  if (r.rowCount > values.length) out.push(`… ${(r.rowCount - values.length).toLocaleString('en-US')} more rows`);
  out.push(`${r.rowCount.toLocaleString('en-US')} row(s); load ${r.timings.loadMs} ms, query ${r.timings.queryMs} ms`);
  if (r.expect) out.push(r.checkFailure ?? `Check passed (expect: ${r.expect}).`);
  return out.join('\n');
}

interface Inputs {
  records?: SampleRecord[];
  streamName?: string;
}

function withoutCredentials(o: TransformOptions): Omit<TransformOptions, 'credentials'> {
  const { credentials: _none, ...rest } = o;
  return rest;
}

/** Runs the notebook's cells; returns each cell's outcome. */
export async function runNotebook(
  text: string,
  opts: { baseDir: string; client?: () => KinesisClient; signal?: AbortSignal; rows?: number; onCell?: (run: CellRun, cell: NotebookCellJson) => void },
): Promise<CellRun[]> {
  const cells = parseNotebook(text).cells;
  const runs: CellRun[] = [];
  /** Per cell index: the records it offers the cells below (a sample, or a SQL result). */
  const samples = new Map<number, Inputs>();
  const transforms = new Map<number, { report: TransformReport; input: SampleRecord[] }>();
  const needClient = (what: string): KinesisClient => {
    if (!opts.client) throw new UserError(`${what} reads a stream: run with --endpoint URL (e.g. the local endpoint of npm run local) or --profile P.`);
    return opts.client();
  };
  const above = (i: number, withSql: boolean): Inputs | undefined => {
    for (let k = i - 1; k >= 0; k--) {
      if (cells[k].kind !== 'code') continue;
      if (cells[k].language === 'sql' && !withSql) continue;
      const s = samples.get(k);
      if (s) return s;
    }
    return undefined;
  };
  const transformAbove = (i: number) => {
    for (let k = i - 1; k >= 0; k--) if (transforms.has(k)) return transforms.get(k);
    return undefined;
  };

  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (opts.signal?.aborted) break;
    if (cell.kind !== 'code') continue;
    let run: CellRun;
    try {
      if (cell.language === 'sql') {
        const input = above(i, false);
        const result = await runSqlCell(
          cell.source,
          {
            records: input?.records,
            transform: transformAbove(i),
            readStream: (call) => sampleFromStream(needClient(`stream('${call.stream}')`), call.stream, { from: call.from, count: call.count, signal: opts.signal }),
          },
          { maxRows: 100_000 },
        );
        samples.set(i, { records: resultToRecords(result) });
        run = {
          index: i,
          kind: 'sql',
          ok: !result.checkFailure,
          ...(result.checkFailure ? { error: result.checkFailure } : {}),
          records: result.rowCount,
          sql: { columns: result.columns, rows: result.rows.slice(0, opts.rows ?? 20), rowCount: result.rowCount, expect: result.expect, checkFailure: result.checkFailure, timings: result.timings },
          text: formatSqlResult(result, opts.rows),
        };
      } else {
        const spec: CellSpec = parseCell(cell.language, cell.source);
        if (spec.kind === 'sample') {
          const s = spec.source;
          let records: SampleRecord[];
          let how: string;
          const stored = cell.storedSample;
          if (s.type === 'stored' || (stored && !spec.refresh && stored.spec === spec.key && stored.records.length)) {
            if (!stored) throw new UserError('This sample cell has no stored records: take a sample with "store": true in VS Code and save the notebook.');
            records = stored.records.map((r, k) => fromStored(r, k));
            how = `stored in the notebook (taken ${stored.takenAt})`;
          } else if (s.type === 'file') {
            const path = isAbsolute(s.file) ? s.file : resolve(opts.baseDir, s.file);
            let body: string;
            try {
              body = readFileSync(path, 'utf8');
            } catch {
              throw new UserError(`The sample file ${s.file} was not found (looked at ${path}).`);
            }
            records = parseJsonLines(body).slice(0, s.count ?? Infinity);
            how = `from ${basename(path)}`;
          } else {
            records = await sampleFromStream(needClient(`The sample cell (stream ${s.stream})`), s.stream, { from: s.from, count: s.count, signal: opts.signal });
            how = `from stream ${s.stream}`;
          }
          samples.set(i, { records, ...(s.type === 'stream' ? { streamName: s.stream } : {}) });
          run = { index: i, kind: 'sample', ok: true, records: records.length, text: `${records.length.toLocaleString('en-US')} records ${how}.` };
        } else if (spec.kind === 'transform') {
          const input = above(i, true);
          if (!input?.records) throw new UserError('There is no sample cell (or SQL cell) above this transform cell.');
          const h = spec.handler;
          const handler =
            h.type === 'file'
              ? (() => {
                  const { path, exportName } = parseHandlerSpec(h.spec, opts.baseDir);
                  return { kind: 'file' as const, path, exportName };
                })()
              : { kind: 'code' as const, code: h.code, language: h.language, resolveDir: opts.baseDir, label: `cell-${i + 1}.${h.language === 'typescript' ? 'ts' : 'js'}`, exportName: h.exportName };
          const report = await runTransform({
            handler,
            handlerLabel: h.type === 'file' ? h.spec : `cell ${i + 1}`,
            records: input.records,
            streamName: input.streamName,
            // mode, prefix, timeout, memory, buffer, batch size: the cell's options are the request's.
            // No AWS credentials reach a handler run headless (the cell's "credentials" is not honoured).
            ...withoutCredentials(spec.options),
            cwd: opts.baseDir,
            signal: opts.signal,
          });
          transforms.set(i, { report, input: input.records });
          const bad = hasErrors(report);
          run = {
            index: i,
            kind: 'transform',
            ok: !bad,
            ...(bad ? { error: `${report.violations.filter((v) => v.severity === 'error').length} contract violation(s).` } : {}),
            records: report.records,
            transform: { violations: report.violations, counts: report.counts, records: report.records },
            text: (spec.options.credentials ? 'Note: run headless, the handler gets no AWS credentials (the cell asks for them); npm run transform -- --credentials gives it this shell\'s.\n' : '') + formatReport(report, opts.rows ?? 20),
          };
        } else {
          run = { index: i, kind: 'skipped', ok: true, text: `(a ${cell.language} cell with nothing to run)` };
        }
      }
    } catch (e) {
      const message =
        e instanceof SqlError ? e.describe(cell.source) : e instanceof CellSpecError || e instanceof UserError ? e.message : describeError(e, { operation: `run cell ${i + 1}` }).message;
      run = { index: i, kind: cell.language === 'sql' ? 'sql' : 'sample', ok: false, error: message, text: `Error: ${message}` };
      if (cell.language !== 'sql') {
        try {
          const spec = parseCell(cell.language, cell.source);
          if (spec.kind === 'transform') run.kind = 'transform';
        } catch {
          /* the message already says what is wrong */
        }
      }
    }
    runs.push(run);
    opts.onCell?.(run, cell);
  }
  return runs;
}

/** The CLI: returns the exit status. */
export async function main(argv: readonly string[], cwd = process.cwd(), write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const start = startCli(argv, USAGE, parseArgs, { out: write, err: write }, { helpWhenEmpty: true });
  if ('exit' in start) return start.exit;
  const args: Args = start.args;
  const path = resolve(cwd, args.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    parseNotebook(text);
  } catch (e) {
    write(`Cannot read the notebook ${args.file}: ${(e as Error).message}\n`);
    return 2;
  }
  let client: KinesisClient | undefined;
  const ctrl = new AbortController();
  const onSig = () => ctrl.abort();
  process.once('SIGINT', onSig);
  try {
    const runs = await runNotebook(text, {
      baseDir: dirname(path),
      client: args.endpoint || args.profile ? () => (client ??= terminalKinesisClient(args)) : undefined,
      signal: ctrl.signal,
      rows: args.rows,
      onCell: args.json
        ? undefined
        : (run, cell) => write(`\n── cell ${run.index + 1} · ${run.kind === 'skipped' ? cell.language : run.kind}${run.ok ? '' : ' · FAILED'} ──\n${run.text}\n`),
    });
    const failed = runs.filter((r) => !r.ok);
    if (args.json) write(JSON.stringify({ notebook: args.file, ok: failed.length === 0, cells: runs }, null, 2) + '\n');
    else write(`\n${runs.length} cell(s) run, ${failed.length} failed${failed.length ? `: ${failed.map((r) => `cell ${r.index + 1} (${r.error?.split('\n')[0]})`).join('; ')}` : ''}.\n`);
    return failed.length ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSig);
    client?.destroy();
  }
}
