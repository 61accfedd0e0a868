/**
 * `npm run tail`: the stream reader and the decoders in a terminal, for people and scripts.
 *
 *   npm run tail -- --stream NAME [--from latest|trim-horizon|<ISO time>|<sequence number>]
 *                   [--to <ISO time>] [--count N] [--filter <JMESPath>] [--format json|text]
 *                   [--endpoint URL | --profile P] [--region R]
 *
 * JSON Lines on stdout (one object per record, a KPL user record each on its own line), messages
 * on stderr. Follows resharding; exits 0 at --to / --count, runs until Ctrl-C otherwise.
 */
import { parseArgs } from 'node:util';
import { CONNECTION_OPTIONS, startCli } from '../cliStart';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { terminalClient, terminalKinesisClient } from '../aws/clientFactory';
import { describeError, UserError } from '../aws/errors';
import { StreamService } from '../kinesis/streamService';
import { cloudFrontFieldOrder, realtimeLogConfigFields } from './cloudFront';
import { decodeRecords, DecodeOptions, rawBytesOf, previewOf } from './decoders';
import { RecordFilter } from './filters';
import { AvroSchemas, schemaVersionIdsIn } from './glueSchemaRegistry';
import { ReaderEnd, StreamReader } from './reader';
import type { DecodedRecord, RawRecord, StartPosition } from './types';

const USAGE = `Usage: npm run tail -- --stream NAME [options]

Where to start and stop:
  --from P           latest (default) | trim-horizon | an ISO time (2026-11-28T10:00:00Z)
                     | a sequence number (its shard is found) | SHARD_ID:SEQUENCE_NUMBER
  --to T             stop at records that arrived after this ISO time (or "now"), exit 0
  --count N          stop after N records (a KPL aggregate counts as one), exit 0
                     with neither, tail until Ctrl-C

What to print:
  --format F         json (default: JSON Lines) | text (one readable line a record)
  --filter EXPR      JMESPath over the decoded record (records without JSON never match)
  --log-events       CloudWatch Logs payloads: one line per log event
  --show-control-messages   print CloudWatch Logs CONTROL_MESSAGE probes (hidden, counted)
  --cloudfront-fields a,b,c   the fields of the CloudFront real-time log configuration
  --cloudfront-config NAME    read them from that configuration (GetRealtimeLogConfig)
  --schemas DIR      Avro schemas of Glue Schema Registry records: DIR/<schema-version-id>.avsc
                     (on AWS, without it, Glue's GetSchemaVersion is asked)

Connection:
  --endpoint URL     a local or custom endpoint (kinesalite, LocalStack...)
  --profile P        an AWS profile; without it the SDK's default credential chain
  --region R         default: AWS_REGION, else us-east-1
`;

export interface TailIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** One output line's object (the JSON Lines format). */
export interface TailLine {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  partitionKey: string;
  arrivalTime: string;
  format: string;
  data: unknown;
  error?: string;
}

/** What a decoded record prints as: the decoded value for structured formats, text, or base64. */
export function tailLine(r: DecodedRecord): TailLine {
  const last = r.decodings[r.decodings.length - 1];
  const data = r.json !== undefined ? r.json : last === 'binary' ? Buffer.from(rawBytesOf(r)).toString('base64') : r.text;
  return {
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    ...(r.subSequenceNumber !== undefined ? { subSequenceNumber: r.subSequenceNumber } : {}),
    partitionKey: r.partitionKey,
    arrivalTime: new Date(r.arrivalTime).toISOString(),
    format: r.decodings.join('+'),
    data,
    ...(r.error ? { error: r.error } : {}),
  };
}

function textLine(r: DecodedRecord): string {
  const sub = r.subSequenceNumber !== undefined ? `/${r.subSequenceNumber}` : '';
  return `${new Date(r.arrivalTime).toISOString()}  ${r.shardId}  ${r.sequenceNumber}${sub}  ${r.partitionKey}  ${r.decodings.join('+')}  ${previewOf(r, 500)}${r.error ? `  (${r.error})` : ''}`;
}

function parseTime(flag: string, s: string): number {
  if (s === 'now') return Date.now();
  const t = /^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(t)) throw new UserError(`--${flag} "${s}" is not an ISO time (e.g. 2026-11-28T10:00:00Z).`);
  return t;
}

/** The start position a --from value names; a bare sequence number is looked up among the shards. */
export async function startFrom(from: string | undefined, client: KinesisClient, stream: string, signal?: AbortSignal): Promise<StartPosition> {
  const f = (from ?? 'latest').trim();
  const lower = f.toLowerCase();
  if (lower === 'latest') return { type: 'LATEST' };
  if (lower === 'trim-horizon' || lower === 'trim_horizon') return { type: 'TRIM_HORIZON' };
  const withShard = /^(shardId-\d+):(\d{1,128})$/.exec(f);
  if (withShard) return { type: 'AT_SEQUENCE_NUMBER', shardId: withShard[1], sequenceNumber: withShard[2] };
  if (/^\d{20,128}$/.test(f)) {
    const seq = BigInt(f);
    const shards = await new StreamService(client).listShards(stream, { abortSignal: signal });
    const shard = shards.find((s) => BigInt(s.startingSequenceNumber) <= seq && (s.endingSequenceNumber === undefined || seq <= BigInt(s.endingSequenceNumber)));
    if (!shard) throw new UserError(`No shard of "${stream}" holds sequence number ${f}: give it as SHARD_ID:SEQUENCE_NUMBER, or start at a time.`);
    return { type: 'AT_SEQUENCE_NUMBER', shardId: shard.shardId, sequenceNumber: f };
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(f)) return { type: 'AT_TIMESTAMP', timestamp: parseTime('from', f) };
  throw new UserError(`--from "${f}" is not latest, trim-horizon, an ISO time or a sequence number.`);
}

export async function runTail(argv: string[], io: TailIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }, signal?: AbortSignal): Promise<number> {
  const start = startCli(
    argv,
    USAGE,
    (a) =>
      parseArgs({
        args: [...a],
        allowPositionals: false,
        options: {
          ...CONNECTION_OPTIONS,
          stream: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          count: { type: 'string' },
          filter: { type: 'string' },
          format: { type: 'string' },
          'log-events': { type: 'boolean' },
          'show-control-messages': { type: 'boolean' },
          'cloudfront-fields': { type: 'string' },
          'cloudfront-config': { type: 'string' },
          schemas: { type: 'string' },
        },
      }).values,
    io,
  );
  if ('exit' in start) return start.exit;
  const args = start.args;
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  signal?.addEventListener('abort', onAbort);
  const onSigint = () => ctl.abort();
  process.once('SIGINT', onSigint);
  let client: KinesisClient | undefined;
  try {
    if (!args.stream) throw new UserError('Name the stream with --stream.');
    const format = args.format ?? 'json';
    if (format !== 'json' && format !== 'text') throw new UserError(`--format is json or text (got "${format}").`);
    let count: number | undefined;
    if (args.count !== undefined) {
      if (!/^\d+$/.test(args.count) || Number(args.count) < 1) throw new UserError(`--count must be a whole number above 0 (got "${args.count}").`);
      count = Number(args.count);
    }
    const to = args.to !== undefined ? parseTime('to', args.to) : undefined;
    const { filter, error: filterError } = RecordFilter.compile({ jmespath: args.filter });
    if (filterError) throw new UserError(`--filter: ${filterError}`);
    if (args['cloudfront-fields'] && args['cloudfront-config']) throw new UserError('Give --cloudfront-fields or --cloudfront-config, not both.');

    const conn = { endpoint: args.endpoint, region: args.region, profile: args.profile };
    client = terminalKinesisClient({ ...conn, maxAttempts: 1 });
    const options: DecodeOptions = {
      counts: { controlMessages: 0 },
      showControlMessages: !!args['show-control-messages'],
      ...(args['log-events'] ? { cloudWatchLogs: { rowPerEvent: true } } : {}),
    };
    if (args['cloudfront-fields']) options.cloudFrontFields = cloudFrontFieldOrder(args['cloudfront-fields'].split(',').map((f) => f.trim()).filter(Boolean));
    if (args['cloudfront-config']) {
      const { CloudFrontClient } = require('@aws-sdk/client-cloudfront') as typeof import('@aws-sdk/client-cloudfront');
      const cf = terminalClient({ ...conn, region: 'us-east-1' }, (cfg) => new CloudFrontClient(cfg));
      try {
        const config = await realtimeLogConfigFields(cf, { name: args['cloudfront-config'] }, ctl.signal);
        if (!config?.fields.length) throw new UserError(`The real-time log configuration "${args['cloudfront-config']}" has no fields.`);
        options.cloudFrontFields = config.fields;
      } finally {
        cf.destroy();
      }
    }
    const glue = !args.endpoint
      ? () => {
          const { GlueClient } = require('@aws-sdk/client-glue') as typeof import('@aws-sdk/client-glue');
          return terminalClient(conn, (cfg) => new GlueClient(cfg));
        }
      : undefined;
    options.avroSchemas = new AvroSchemas({
      dir: args.schemas,
      glue,
      searched: args.schemas ? `--schemas ${args.schemas}` : 'no --schemas folder',
      noGlue: 'not asked with --endpoint (Glue is asked on AWS only)',
      hint: (id) => `put it at ${args.schemas ?? 'DIR'}/${id}.avsc${args.schemas ? '' : ' and pass --schemas DIR'}`,
    });

    const start = await startFrom(args.from, client, args.stream, ctl.signal);
    if (to !== undefined && start.type === 'AT_TIMESTAMP' && to < start.timestamp) throw new UserError('--to is before --from: nothing to read.');
    const reader = new StreamReader({
      client,
      streamName: args.stream,
      start,
      listShardsIntervalMs: 5000,
      abortSignal: ctl.signal,
      ...(to !== undefined || count !== undefined ? { end: { at: to, count } } : {}),
    });
    let printed = 0;
    let fatal: string | undefined;
    let ended: ReaderEnd | undefined;
    // Pages are printed in the order they came, each after its schemas are loaded.
    let queue: Promise<void> = Promise.resolve();
    const print = async (batch: RawRecord[]): Promise<void> => {
      const ids = schemaVersionIdsIn(batch);
      if (ids.size) await options.avroSchemas!.load(ids);
      let text = '';
      for (const r of decodeRecords(batch, undefined, options)) {
        if (!filter.empty && !filter.matches(r)) continue;
        text += (format === 'json' ? JSON.stringify(tailLine(r)) : textLine(r)) + '\n';
        printed++;
      }
      if (text) io.out(text);
    };
    reader.onRecords((batch) => {
      queue = queue.then(() => print(batch)).catch((e) => io.err(`Could not print records: ${(e as Error).message}\n`));
    });
    reader.onError((e) => {
      if (!e.fatal) return;
      const message = describeError(e.cause ?? new Error(e.message), { operation: 'read the stream', endpoint: args.endpoint, stream: args.stream }).message;
      if (!e.shardId) fatal = message;
      io.err(`${e.shardId ? `Shard ${e.shardId}: ` : ''}${message}\n`);
    });
    const done = new Promise<void>((resolve) => {
      reader.onEnd((end) => {
        ended = end;
        resolve();
      });
      ctl.signal.addEventListener('abort', () => resolve(), { once: true });
      reader.onError((e) => {
        if (e.fatal && !e.shardId) resolve();
      });
    });
    reader.start();
    await done;
    await reader.stop();
    await queue;
    const hidden = options.counts!.controlMessages;
    io.err(`${printed} record${printed === 1 ? '' : 's'} printed${hidden ? `, ${hidden} CloudWatch Logs control message${hidden === 1 ? '' : 's'} hidden` : ''}${ended ? ` (end: ${ended.reason === 'count' ? `--count ${count}` : `--to ${new Date(to!).toISOString()}`})` : ''}.\n`);
    return fatal ? 2 : 0;
  } catch (e) {
    io.err(`Error: ${describeError(e, { operation: 'tail the stream', endpoint: args.endpoint, stream: args.stream }).message}\n`);
    return 2;
  } finally {
    process.off('SIGINT', onSigint);
    signal?.removeEventListener('abort', onAbort);
    client?.destroy();
  }
}
