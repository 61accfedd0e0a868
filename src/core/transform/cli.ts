/**
 * The transform engine from a terminal, for CI:
 *   npm run transform -- --handler ./src/transform.ts#handler --sample sample.jsonl [--mode firehose|lambda-kinesis]
 * Prints a table of records, what would be delivered and the contract violations; the exit
 * status is 1 when there is any violation (0 otherwise, 2 for bad arguments).
 */
import { ArgError, startCli } from '../cliStart';
import { readFileSync } from 'node:fs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { StaticCredentials } from '../aws/connection';
import { resolve } from 'node:path';
import { parseHandlerSpec } from './compile';
import { hasErrors, runTransform, TransformMode, TransformReport } from './engine';
import { parseNotebook } from './notebookFormat';
import { fromStored, parseJsonLines } from './sample';
import type { SampleRecord } from './sampleRecord';

export interface CliArgs {
  handler: string;
  sample: string;
  mode: TransformMode;
  timeoutMs?: number;
  memoryMb?: number;
  prefix?: string;
  stream?: string;
  json: boolean;
  limit: number;
  /** Pass this shell's AWS credentials to the handler (otherwise it gets none). */
  credentials: boolean;
}

export const USAGE = `Usage: npm run transform -- --handler <file>[#export] --sample <records.jsonl> [options]

Runs a Firehose transformation Lambda (or a Kinesis Lambda consumer) locally on sample records,
checks its responses against the contract and exits with status 1 on a violation.

Options:
  --mode firehose|lambda-kinesis   event shape (default firehose)
  --timeout <ms>                   per invocation (default 60000)
  --memory <MB>                    memory limit (default 512)
  --prefix <expression>            S3 prefix, e.g. 'orders/!{partitionKeyFromLambda:customerId}/'
  --stream <name>                  source stream name (adds kinesisRecordMetadata)
  (--sample may also be a .kinesis-notebook: the records its sample cell stored)
  --credentials                    give the handler this shell's AWS credentials (AWS_PROFILE,
                                   environment, ~/.aws); without it the handler gets none
  --rows <n>                       table rows to print (default 50)
  --json                           print the full report as JSON instead
`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new ArgError(`--${name} needs a value.`);
      return v;
    }
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  const known = new Set(['handler', 'sample', 'mode', 'timeout', 'memory', 'prefix', 'stream', 'rows', 'json', 'credentials', 'help']);
  for (const a of argv) {
    if (a.startsWith('--') && !known.has(a.slice(2).split('=')[0])) throw new ArgError(`Unknown option ${a}.`);
  }
  const handler = get('handler');
  const sample = get('sample');
  if (!handler || !sample) throw new ArgError('--handler and --sample are required.');
  const mode = (get('mode') ?? 'firehose') as TransformMode;
  if (mode !== 'firehose' && mode !== 'lambda-kinesis') throw new ArgError(`--mode must be firehose or lambda-kinesis, not ${mode}.`);
  const int = (name: string) => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new ArgError(`--${name} must be a positive integer.`);
    return n;
  };
  return { handler, sample, mode, timeoutMs: int('timeout'), memoryMb: int('memory'), prefix: get('prefix'), stream: get('stream'), json: argv.includes('--json'), limit: int('rows') ?? 50, credentials: argv.includes('--credentials') };
}

function cell(s: string, w: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > w ? one.slice(0, w - 1) + '…' : one.padEnd(w);
}

/** The report as text for a terminal. */
export function formatReport(r: TransformReport, limit = 50): string {
  const out: string[] = [];
  out.push(`${r.mode === 'firehose' ? 'Firehose transform' : 'Lambda Kinesis consumer'} ${r.handler}`);
  out.push(`${r.records} records in ${r.invocations} invocation(s); ${Object.entries(r.counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push('');
  const flagged = new Set(r.violations.filter((v) => v.recordIndex !== undefined).map((v) => v.recordIndex));
  const shown = r.rows.filter((row, i) => i < limit || flagged.has(row.index));
  out.push(`${cell('#', 5)} ${cell('result', 16)} ${cell('input', 40)} ${cell('output', 40)} partition keys`);
  for (const row of shown) {
    const keys = row.partitionKeys ? Object.entries(row.partitionKeys).map(([k, v]) => `${k}=${v}`).join(' ') : '';
    out.push(`${cell(String(row.index + 1) + (row.violations ? '!' : ''), 5)} ${cell(row.result, 16)} ${cell(row.input, 40)} ${cell(row.output ?? '', 40)} ${keys}`);
  }
  if (shown.length < r.rows.length) out.push(`… ${r.rows.length - shown.length} more rows (--rows to show more)`);
  if (r.delivery) {
    out.push('');
    out.push(`Delivered: ${r.delivery.bytes} bytes in ${r.delivery.objects.length} object(s), prefix ${r.delivery.prefix}; ${r.delivery.errorRecords} record(s) to the error prefix`);
    for (const o of r.delivery.objects.slice(0, 20)) out.push(`  s3://<bucket>/${o.key}  (${o.records} records, ${o.bytes} bytes)`);
  }
  const logs = r.logs.map((l) => l.text).join('');
  if (logs.trim()) {
    out.push('');
    out.push('Handler output:');
    out.push(...logs.trimEnd().split('\n').slice(0, 100).map((l) => '  ' + l));
  }
  out.push('');
  if (r.violations.length === 0) out.push('No contract violations.');
  else {
    out.push(`${r.violations.length} contract violation(s):`);
    for (const v of r.violations) {
      const where = v.recordIndex !== undefined ? `record ${v.recordIndex + 1}` : v.invocation !== undefined ? `invocation ${v.invocation + 1}` : 'run';
      out.push(`  ${v.severity === 'error' ? 'ERROR' : 'WARN '} [${v.code}] ${where}: ${v.message}`);
      if (v.stack) out.push(...v.stack.split('\n').slice(0, 8).map((l) => '      ' + l));
    }
  }
  out.push(`Timings: compile ${r.timings.compileMs} ms, start ${r.timings.startMs} ms, handler ${r.timings.handlerMs} ms, total ${r.timings.totalMs} ms`);
  return out.join('\n');
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: readonly string[], cwd = process.cwd(), write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const start = startCli(argv, USAGE, parseArgs, { out: write, err: write }, { helpWhenEmpty: true });
  if ('exit' in start) return start.exit;
  const args: CliArgs = start.args;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, args.sample), 'utf8');
  } catch (e) {
    write(`Cannot read the sample ${args.sample}: ${(e as Error).message}\n`);
    return 2;
  }
  let records: SampleRecord[];
  if (args.sample.endsWith('.kinesis-notebook')) {
    // The sample a notebook stored ("store": true): CI runs on the records the notebook ran on.
    const stored = parseNotebook(text).cells.find((c) => c.storedSample)?.storedSample;
    if (!stored) {
      write(`${args.sample} has no stored sample: set "store": true in its sample cell, run it and save the notebook.\n`);
      return 2;
    }
    records = stored.records.map((r, i) => fromStored(r, i));
  } else {
    records = parseJsonLines(text);
  }
  let credentials: StaticCredentials | undefined;
  if (args.credentials) {
    try {
      const c = await fromNodeProviderChain()();
      credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
    } catch (e) {
      write(`--credentials: no AWS credentials found (${(e as Error).message}). Set AWS_PROFILE or sign in (aws sso login / aws configure), or leave --credentials out.\n`);
      return 2;
    }
  }
  const { path, exportName } = parseHandlerSpec(args.handler, cwd);
  const ctrl = new AbortController();
  const onSig = () => ctrl.abort();
  process.once('SIGINT', onSig);
  try {
    const report = await runTransform({
      handler: { kind: 'file', path, exportName },
      records,
      mode: args.mode,
      timeoutMs: args.timeoutMs,
      memoryMb: args.memoryMb,
      prefix: args.prefix,
      streamName: args.stream,
      signal: ctrl.signal,
      credentials,
      cwd,
    });
    write((args.json ? JSON.stringify(report, null, 2) : formatReport(report, args.limit)) + '\n');
    return hasErrors(report) ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSig);
  }
}
