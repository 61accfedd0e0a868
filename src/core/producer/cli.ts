/**
 * The producer from a terminal, sharing the core engine with the panel:
 *
 *   npm run produce -- --stream S --template iot-sensor --rate 500 --count 10000 --endpoint http://127.0.0.1:4567
 *   npm run produce -- --stream S --file events.jsonl --partition-key-field userId
 *   npm run produce -- --stream S --file undelivered.jsonl --format undelivered
 *   npm run produce -- --delivery-stream D --template clickstream --count 1000 --endpoint http://127.0.0.1:4567
 *
 * Progress goes to stderr, the summary to stdout. Ctrl-C stops the run and still reports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONNECTION_OPTIONS, startCli } from '../cliStart';
import { terminalFirehoseClient, terminalKinesisClient } from '../aws/clientFactory';
import { listProfiles } from '../connections/profiles';
import { describeError, UserError } from '../aws/errors';
import { Producer, ProduceProgress, ProduceResult, summarize } from './engine';
import { fileSource, FileFormat, writeUndelivered } from './fileSource';
import { loadTemplates, WORKSPACE_TEMPLATE_DIR } from './library';
import { PartitionKeySpec } from './partitionKey';
import { formatBytes, SourceItem } from './records';
import { parseTemplateSpec, TemplateGenerator, TemplateSpec } from './templates';

const USAGE = `Usage: npm run produce -- (--stream NAME | --delivery-stream NAME) (--template NAME|FILE | --file FILE) [options]

Target (one of):
  --stream NAME            a Kinesis data stream (PutRecords: 500 records, 5 MiB a call)
  --delivery-stream NAME   a Firehose delivery stream, Direct PUT (PutRecordBatch: 500 records,
                           4 MiB a call, 1,000 KiB a record; no partition keys, no --aggregate)

Source (one of):
  --template NAME|FILE     a starter template (seed-message, clickstream, iot-sensor, stock-ticker),
                           one in .kinesis/templates, or a template .json file
  --file FILE              records from a file (JSON Lines, JSON array, CSV, text, undelivered)
  --format F               jsonl | json | csv | text | undelivered (default: from the extension)

Partition key (default: the template's rule, else random):
  --partition-key-field F  take it from a field (dotted path) or CSV column
  --partition-key K        a fixed key
  --random-key             a random key per record

How much and how fast:
  --count N                records to send (templates default to 1000)
  --duration S             seconds to run (e.g. 30 or 30s); with neither, a file is sent whole
  --rate R                 records per second (default: as fast as the stream accepts)
  --ordered                keep the order of records per partition key
  --aggregate              pack records into KPL aggregated records, grouped by shard
                           (consumers must deaggregate: KCL, Lambda, the inspector do)
  --concurrency N          PutRecords calls in flight (default 8)
  --max-attempts N         attempts per record before it is given up (default 10)
  --on-invalid skip|stop   on a malformed line or invalid record (default stop)

Where:
  --endpoint URL           a local or custom endpoint (kinesalite, LocalStack...)
  --region R               default: AWS_REGION, else the profile's region, else us-east-1
  --profile P              an AWS profile; without it the SDK's default credential chain
                           (AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN, AWS_PROFILE, SSO, roles)

Output:
  --undelivered FILE       write undelivered records as JSON Lines (re-send with --file FILE)
  --preview N              print N rendered records and exit without sending
  --quiet                  no progress line
`;

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTty: boolean;
}

function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new UserError(`--duration "${s}" is not a duration (e.g. 30, 30s, 5m).`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

function positiveInt(name: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new UserError(`--${name} must be a whole number above 0 (got "${s}").`);
  return Number(s);
}

/** Finds a template by name among the shipped and workspace ones, or reads it from a path. */
export async function findTemplate(nameOrPath: string, cwd = process.cwd()): Promise<TemplateSpec> {
  const asPath = resolve(cwd, nameOrPath);
  if (/\.json$/i.test(nameOrPath) && existsSync(asPath)) return parseTemplateSpec(readFileSync(asPath, 'utf8'), nameOrPath);
  const dirs = [join(cwd, WORKSPACE_TEMPLATE_DIR), join(__dirname, '../../../../templates'), join(__dirname, '../templates'), join(cwd, 'templates')];
  const known: string[] = [];
  for (const dir of dirs) {
    for (const t of await loadTemplates(dir, 'builtin')) {
      if (t.id === nameOrPath || t.spec.name === nameOrPath) return t.spec;
      known.push(t.id);
    }
  }
  throw new UserError(`No template "${nameOrPath}". Known: ${[...new Set(known)].join(', ') || 'none found'}; or give a path to a template .json file.`);
}

/** The region of a named profile, when its config has one. */
async function profileRegion(profile: string): Promise<string | undefined> {
  try {
    return (await listProfiles()).find((p) => p.name === profile)?.region;
  } catch {
    return undefined;
  }
}

function progressLine(p: ProduceProgress): string {
  const total = p.expectedTotal ? `/${p.expectedTotal}` : '';
  return `sent ${p.sent}${total}  retried ${p.retried}  undelivered ${p.undelivered}  ${Math.round(p.recordsPerSecond)} rec/s  ${formatBytes(Math.round(p.bytesPerSecond))}/s  in flight ${p.inFlight}`;
}

export async function runCli(argv: string[], io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), isTty: !!process.stderr.isTTY }, signal?: AbortSignal): Promise<number> {
  const start = startCli(argv, USAGE, (a) =>
    parseArgs({
      args: [...a],
      allowPositionals: false,
      options: {
        ...CONNECTION_OPTIONS,
        stream: { type: 'string' },
        'delivery-stream': { type: 'string' },
        template: { type: 'string' },
        file: { type: 'string' },
        format: { type: 'string' },
        'partition-key-field': { type: 'string' },
        'partition-key': { type: 'string' },
        'random-key': { type: 'boolean' },
        count: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        ordered: { type: 'boolean' },
        aggregate: { type: 'boolean' },
        concurrency: { type: 'string' },
        'max-attempts': { type: 'string' },
        'on-invalid': { type: 'string' },
        undelivered: { type: 'string' },
        preview: { type: 'string' },
        quiet: { type: 'boolean' },
      },
    }).values,
    io,
  );
  if ('exit' in start) return start.exit;
  const args = start.args;
  try {
    if (!args.template === !args.file) throw new UserError('Give one source: --template NAME or --file FILE.');
    const keyOptions = [args['partition-key-field'], args['partition-key'], args['random-key']].filter((x) => x !== undefined && x !== false);
    if (keyOptions.length > 1) throw new UserError('Give at most one of --partition-key-field, --partition-key and --random-key.');
    const key: PartitionKeySpec | undefined = args['partition-key-field']
      ? { type: 'field', field: args['partition-key-field'] }
      : args['partition-key'] !== undefined
        ? { type: 'fixed', value: args['partition-key'] }
        : args['random-key']
          ? { type: 'random' }
          : undefined;
    const count = positiveInt('count', args.count);
    const durationMs = args.duration ? parseDuration(args.duration) : undefined;
    const rate = args.rate !== undefined ? Number(args.rate) : undefined;
    if (rate !== undefined && (!Number.isFinite(rate) || rate < 0)) throw new UserError(`--rate must be a number of records per second (got "${args.rate}").`);
    const onInvalid = args['on-invalid'] ?? 'stop';
    if (onInvalid !== 'skip' && onInvalid !== 'stop') throw new UserError('--on-invalid is skip or stop.');

    let source: Iterable<SourceItem> | AsyncIterable<SourceItem>;
    let expectedTotal: number | undefined = count;
    if (args.template) {
      const spec = await findTemplate(args.template);
      const gen = new TemplateGenerator(key ? { ...spec, partitionKey: key } : spec);
      const preview = positiveInt('preview', args.preview);
      if (preview) {
        for (const r of gen.preview(preview)) io.out(`${r.partitionKey}\t${r.data.replace(/\n\s*/g, ' ')}\n`);
        return 0;
      }
      if (count === undefined && durationMs === undefined) expectedTotal = 1000;
      source = gen.records();
    } else {
      const format = args.format as FileFormat | undefined;
      if (format && !['jsonl', 'json', 'csv', 'text', 'undelivered'].includes(format)) throw new UserError(`--format is jsonl, json, csv, text or undelivered (got "${format}").`);
      source = fileSource({ path: resolve(args.file!), format, partitionKey: key });
    }
    if (!args.stream === !args['delivery-stream']) throw new UserError('Name one target: --stream NAME (a data stream) or --delivery-stream NAME (a Firehose delivery stream).');
    const target = (args.stream ?? args['delivery-stream'])!;

    const where = { endpoint: args.endpoint, region: args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (args.profile ? await profileRegion(args.profile) : undefined), profile: args.profile, maxAttempts: 1 };
    const client = terminalKinesisClient(where);
    const firehose = args['delivery-stream'] ? terminalFirehoseClient(where) : undefined;

    const ctl = new AbortController();
    signal?.addEventListener('abort', () => ctl.abort());
    const onSigint = () => {
      io.err('\nStopping (calls in flight finish)...\n');
      ctl.abort();
    };
    process.once('SIGINT', onSigint);
    let lastLine = 0;
    const quiet = !!args.quiet;
    const producer = new Producer(client, {
      streamName: target,
      deliveryStream: firehose,
      rate: rate || undefined,
      maxRecords: count ?? (args.template && durationMs === undefined ? 1000 : undefined),
      durationMs,
      ordered: !!args.ordered,
      aggregate: !!args.aggregate,
      maxInFlight: positiveInt('concurrency', args.concurrency),
      maxAttempts: positiveInt('max-attempts', args['max-attempts']),
      onInvalid,
      signal: ctl.signal,
      expectedTotal,
      progressIntervalMs: 500,
      onProgress: (p) => {
        if (quiet || 'status' in p) return;
        if (io.isTty) io.err(`\r${progressLine(p)}\x1b[K`);
        else if (p.elapsedMs - lastLine >= 2000) {
          lastLine = p.elapsedMs;
          io.err(progressLine(p) + '\n');
        }
      },
    });
    let result: ProduceResult;
    try {
      result = await producer.run(source);
    } finally {
      process.off('SIGINT', onSigint);
      client.destroy();
      firehose?.destroy();
    }
    if (io.isTty && !quiet) io.err('\n');
    io.out(summarize(result) + '\n');
    const shards = Object.entries(result.shards).sort(([a], [b]) => a.localeCompare(b));
    for (const [id, t] of shards) io.out(`  ${id}: ${t.records} records, ${formatBytes(t.bytes)}\n`);
    for (const p of result.problems.slice(0, 20)) io.out(`  invalid input, ${p.origin}: ${p.message}\n`);
    if (result.problems.length > 20) io.out(`  ... and ${result.rejected - 20} more invalid input\n`);
    try {
      if (result.undeliveredRecords.count) {
        const out = args.undelivered ?? `undelivered-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
        const n = await writeUndelivered(resolve(out), result.undeliveredRecords);
        io.out(`  ${n} undelivered records written to ${out}; re-send with --file ${out}\n`);
      }
    } finally {
      result.undeliveredRecords.dispose();
    }
    return result.status === 'completed' && result.undelivered === 0 ? 0 : 1;
  } catch (e) {
    io.err(`Error: ${describeError(e, { operation: 'produce records', endpoint: args.endpoint, stream: args.stream ?? args['delivery-stream'] }).message}\n`);
    return 2;
  }
}
