import { KinesisClient, PutRecordsCommand, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { CreateDeliveryStreamCommand, FirehoseClient, ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { gzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseTemplateSpec, TemplateGenerator } from '../producer/templates';
import { encodeAggregate } from '../producer/aggregation';
import { StreamService } from '../kinesis/streamService';
import { midpoint } from '../kinesis/hashKeys';
import { sortShards } from '../kinesis/model';

/**
 * Demo streams for `npm run demo` and the end-to-end tests: a clickstream of JSON events shaped
 * like the seed's `{Id, Date}` message, a 4-shard orders stream split once (so lineage shows),
 * a sensor stream, CloudWatch Logs subscription payloads (gzip), KPL-aggregated metrics, and the
 * records AWS services write (aws-sources). `startTrickle` keeps a few records a second flowing.
 */
export const DEMO_STREAMS = {
  clickstream: 'clickstream',
  orders: 'orders',
  sensors: 'iot-sensors',
  logs: 'app-logs',
  kpl: 'metrics-kpl',
  aws: 'aws-sources',
} as const;

/**
 * The producer templates of the records AWS services write into streams, one after another in the
 * demo's aws-sources stream (EventBridge rule targets, CloudFront real-time logs, DynamoDB's
 * Kinesis streaming, CloudWatch metric streams), so that the inspector shows each with its fields.
 */
export const DEMO_AWS_TEMPLATES = ['eventbridge-event', 'cloudfront-realtime-log', 'dynamodb-change', 'metric-stream-batch'] as const;

export const DEMO_DELIVERY_STREAMS = {
  archive: 'clickstream-archive',
  events: 'app-events',
} as const;

const DEMO_ROLE = 'arn:aws:iam::000000000000:role/firehose-demo';

/** The clickstream archive's Lambda processor, and the demo handler the built-in Firehose runs for it. */
export const DEMO_LAMBDA = { name: 'enrich-clicks', handler: './demo/src/clicks.ts#handler' } as const;

const PAGES = ['/', '/search', '/product/42', '/product/7', '/cart', '/checkout', '/help'];
const ACTIONS = ['view', 'view', 'view', 'click', 'click', 'add_to_cart', 'purchase'];
const CITIES = ['Lisbon', 'Osaka', 'Denver', 'Nairobi', 'Tallinn', 'Recife'];

let counter = 0;

export function clickEvent(now = Date.now()): { key: string; data: object } {
  const id = ++counter;
  const user = `user-${(id * 7919) % 97}`;
  return {
    key: user,
    data: { Id: id, Date: new Date(now).toISOString(), user, page: PAGES[id % PAGES.length], action: ACTIONS[(id * 3) % ACTIONS.length], durationMs: (id * 37) % 900 },
  };
}

export function orderEvent(now = Date.now()): { key: string; data: object } {
  const id = ++counter;
  const customer = `c-${1000 + ((id * 31) % 250)}`;
  return {
    key: customer,
    data: { orderId: `o-${id}`, customer, city: CITIES[id % CITIES.length], items: 1 + (id % 4), total: Math.round(((id * 1.37) % 300) * 100) / 100, currency: 'EUR', at: new Date(now).toISOString() },
  };
}

export function sensorEvent(now = Date.now()): { key: string; data: object } {
  const id = ++counter;
  const device = `sensor-${id % 12}`;
  return {
    key: device,
    data: { device, temperature: Math.round((18 + 6 * Math.sin(id / 10)) * 10) / 10, humidity: 40 + (id % 25), battery: 100 - (id % 60), ts: now },
  };
}

const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR'];

/** A gzip CloudWatch Logs subscription payload, as a log group's subscription filter writes it. */
export function cloudWatchLogsRecord(now = Date.now()): PutRecordsRequestEntry {
  const id = ++counter;
  const logStream = `2026/11/28/[$LATEST]${(id % 4).toString(16).padStart(32, 'a')}`;
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '000000000000',
    logGroup: '/aws/lambda/checkout',
    logStream,
    subscriptionFilters: ['to-kinesis'],
    logEvents: Array.from({ length: 2 + (id % 3) }, (_, i) => ({
      id: `${now}${String(id * 10 + i).padStart(20, '0')}`,
      timestamp: now - (3 - i) * 250,
      message: `${LEVELS[(id + i) % LEVELS.length]} checkout request=${id}-${i} took ${(id * 13 + i * 7) % 400} ms`,
    })),
  };
  return { PartitionKey: logStream, Data: gzipSync(JSON.stringify(payload)) };
}

/** One KPL-aggregated record (the format the Kinesis Producer Library writes) of `users` metrics. */
export function kplRecord(users: number, now = Date.now()): PutRecordsRequestEntry {
  const records = Array.from({ length: users }, () => {
    const id = ++counter;
    const host = `host-${id % 5}`;
    return { partitionKey: host, data: Buffer.from(JSON.stringify({ host, metric: id % 2 ? 'cpu' : 'mem', value: (id * 17) % 100, at: now })) };
  });
  return { PartitionKey: records[0].partitionKey, Data: encodeAggregate(records) };
}

function entries(make: () => { key: string; data: object }, n: number): PutRecordsRequestEntry[] {
  return Array.from({ length: n }, () => {
    const e = make();
    return { PartitionKey: e.key, Data: Buffer.from(JSON.stringify(e.data)) };
  });
}

async function put(client: KinesisClient, stream: string, records: PutRecordsRequestEntry[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records.slice(i, i + 500) }));
    if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} demo records were not accepted by ${stream}`);
  }
}

/** Creates the demo streams with some history. Idempotent: existing streams are left as they are. */
export async function seedDemo(client: KinesisClient, opts: { records?: number; firehose?: FirehoseClient } = {}): Promise<string[]> {
  const svc = new StreamService(client);
  const existing = new Set((await svc.listAllStreams()).map((s) => s.name));
  const n = opts.records ?? 300;
  const created: string[] = [];
  const make = async (name: string, shards: number) => {
    if (existing.has(name)) return false;
    await svc.create(name, { shardCount: shards });
    await svc.waitFor(name, 'ACTIVE');
    created.push(name);
    return true;
  };
  if (await make(DEMO_STREAMS.clickstream, 2)) await put(client, DEMO_STREAMS.clickstream, entries(clickEvent, n));
  if (await make(DEMO_STREAMS.orders, 4)) {
    // Order times spread over the last half hour, so that per-minute windows on "at" have history.
    const start = Date.now() - 30 * 60_000;
    const total = n + Math.ceil(n / 3);
    let k = 0;
    const spread = () => orderEvent(start + Math.floor((k++ * 30 * 60_000) / total));
    await put(client, DEMO_STREAMS.orders, entries(spread, n));
    // Split the first shard once, so the tree shows a closed parent and its two children.
    const [first] = sortShards(await svc.listShards(DEMO_STREAMS.orders));
    await svc.splitShard(DEMO_STREAMS.orders, first, midpoint(first.startingHashKey, first.endingHashKey));
    await svc.waitFor(DEMO_STREAMS.orders, 'ACTIVE');
    await put(client, DEMO_STREAMS.orders, entries(spread, Math.ceil(n / 3)));
  }
  if (await make(DEMO_STREAMS.sensors, 1)) await put(client, DEMO_STREAMS.sensors, entries(sensorEvent, Math.ceil(n / 2)));
  if (await make(DEMO_STREAMS.logs, 1)) await put(client, DEMO_STREAMS.logs, Array.from({ length: 40 }, () => cloudWatchLogsRecord()));
  if (await make(DEMO_STREAMS.kpl, 1)) {
    await put(client, DEMO_STREAMS.kpl, Array.from({ length: 5 }, () => kplRecord(40)));
  }
  if (await make(DEMO_STREAMS.aws, 2)) await put(client, DEMO_STREAMS.aws, awsSourceEntries(Math.max(4, Math.ceil(n / 12))));
  if (opts.firehose) created.push(...(await seedDeliveryStreams(opts.firehose, (await svc.describe(DEMO_STREAMS.clickstream)).arn!)));
  return created;
}

/** `perTemplate` records rendered from each of DEMO_AWS_TEMPLATES, interleaved. */
export function awsSourceEntries(perTemplate: number): PutRecordsRequestEntry[] {
  const dir = templatesDir();
  const generators = DEMO_AWS_TEMPLATES.map((id) => new TemplateGenerator(parseTemplateSpec(readFileSync(join(dir, `${id}.json`), 'utf8'), `${id}.json`), { seed: 7 }));
  const out: PutRecordsRequestEntry[] = [];
  for (let i = 0; i < perTemplate; i++) {
    for (const g of generators) {
      const r = g.render(i);
      out.push({ PartitionKey: r.partitionKey, Data: Buffer.from(r.data) });
    }
  }
  return out;
}

/** The shipped templates/ folder: above this module in the repository, the tools' bundles and out/. */
function templatesDir(): string {
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'templates', `${DEMO_AWS_TEMPLATES[0]}.json`))) return join(d, 'templates');
  }
  throw new Error('The producer templates (templates/*.json) were not found above ' + __dirname);
}

/** A Kinesis-sourced archive of the clickstream (with a Lambda transform) and a Direct PUT stream. */
async function seedDeliveryStreams(firehose: FirehoseClient, clickstreamArn: string): Promise<string[]> {
  const existing = new Set((await firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }))).DeliveryStreamNames ?? []);
  const created: string[] = [];
  if (!existing.has(DEMO_DELIVERY_STREAMS.archive)) {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: DEMO_DELIVERY_STREAMS.archive,
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: clickstreamArn, RoleARN: DEMO_ROLE },
        // The demo's TypeScript transform runs on each batch (npm run demo / local --demo map it),
        // partitions by action, fails /help clicks on purpose; objects are GZIP.
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::demo-archive',
          RoleARN: DEMO_ROLE,
          Prefix: 'clicks/action=!{partitionKeyFromLambda:action}/!{timestamp:yyyy/MM/dd/HH}/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 15 },
          CompressionFormat: 'GZIP',
          DynamicPartitioningConfiguration: { Enabled: true },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: 'Lambda',
                Parameters: [
                  { ParameterName: 'LambdaArn', ParameterValue: `arn:aws:lambda:us-east-1:000000000000:function:${DEMO_LAMBDA.name}` },
                  { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
                  // Invoke at once (AWS allows 0-900 s, default 60): the demo's partitions still wait for their 15 s.
                  { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '0' },
                ],
              },
            ],
          },
        },
      }),
    );
    created.push(DEMO_DELIVERY_STREAMS.archive);
  }
  if (!existing.has(DEMO_DELIVERY_STREAMS.events)) {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: DEMO_DELIVERY_STREAMS.events,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::demo-events', RoleARN: DEMO_ROLE, BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 } },
      }),
    );
    created.push(DEMO_DELIVERY_STREAMS.events);
  }
  return created;
}

/** Puts a few records a second into the demo streams until stopped. */
export function startTrickle(client: KinesisClient, opts: { intervalMs?: number; onError?: (e: unknown) => void } = {}): { stop(): void } {
  let i = 0;
  const timer = setInterval(() => {
    i++;
    const jobs = [put(client, DEMO_STREAMS.clickstream, entries(clickEvent, 1 + (i % 3)))];
    if (i % 2 === 0) jobs.push(put(client, DEMO_STREAMS.orders, entries(orderEvent, 1)));
    if (i % 4 === 0) jobs.push(put(client, DEMO_STREAMS.sensors, entries(sensorEvent, 2)));
    if (i % 5 === 0) jobs.push(put(client, DEMO_STREAMS.logs, [cloudWatchLogsRecord()]));
    if (i % 6 === 0) jobs.push(put(client, DEMO_STREAMS.kpl, [kplRecord(10)]));
    Promise.all(jobs).catch((e) => opts.onError?.(e));
  }, opts.intervalMs ?? 1000);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
