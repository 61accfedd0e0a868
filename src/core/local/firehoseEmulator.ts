import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { StreamReader } from '../records/reader';
import { defaultPrefix, evaluatePrefix, objectSuffix } from '../transform/s3Key';

/**
 * A small Amazon Data Firehose emulator for the built-in Local connection: nothing on npm or in
 * Debian emulates Firehose. It speaks the Firehose JSON 1.1 API for the control plane the
 * extension uses (create, describe, list, delete, tags) and PutRecord / PutRecordBatch, and
 * delivers buffered records to an S3-shaped folder (bucket/prefix/object) on disk, or keeps the
 * objects in memory. A Kinesis-sourced stream reads its source stream from the local Kinesis
 * endpoint. Data transformation (Lambda) is not run here: the transform notebook does that.
 */
export interface LocalFirehoseOptions {
  /** Where delivered objects are written; in memory when absent. */
  dataDir?: string;
  /** The local Kinesis client, for KinesisStreamAsSource delivery streams. */
  kinesis?: () => Promise<KinesisClient>;
  /** How often buffers are checked for their interval, ms. */
  tickMs?: number;
}

export interface DeliveredObject {
  bucket: string;
  key: string;
  size: number;
  records: number;
  body: Buffer;
}

interface StoredStream {
  name: string;
  arn: string;
  type: 'DirectPut' | 'KinesisStreamAsSource';
  status: 'ACTIVE';
  created: number;
  versionId: string;
  source?: { KinesisStreamARN: string; RoleARN?: string; DeliveryStartTimestamp: number };
  destination: Record<string, unknown> & { BucketARN: string; Prefix?: string; BufferingHints: { SizeInMBs: number; IntervalInSeconds: number } };
  destinationKind: 'ExtendedS3' | 'S3';
  tags: { Key: string; Value?: string }[];
  buffer: Buffer[];
  bufferBytes: number;
  bufferSince: number;
  delivered: DeliveredObject[];
  reader?: StreamReader;
  incoming: number;
}

export interface LocalFirehose {
  /** Answers one Firehose API request (X-Amz-Target Firehose_20150804.*). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Objects delivered so far, per delivery stream (for tests and the tree). */
  delivered(name: string): DeliveredObject[];
  /** Delivers what is buffered now, ignoring the buffering hints. */
  flush(name?: string): void;
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.';

export function createLocalFirehose(opts: LocalFirehoseOptions = {}): LocalFirehose {
  const streams = new Map<string, StoredStream>();

  const deliver = (s: StoredStream) => {
    if (!s.buffer.length) return;
    const body = Buffer.concat(s.buffer);
    const bucket = s.destination.BucketARN.replace(/^arn:aws:s3:::/, '');
    const key = objectKey(s.name, Number(s.versionId), s.bufferSince, s.destination.Prefix);
    const obj: DeliveredObject = { bucket, key, size: body.length, records: s.buffer.length, body };
    s.delivered.push(obj);
    if (opts.dataDir) {
      const file = join(opts.dataDir, bucket, key);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, body);
    }
    s.buffer = [];
    s.bufferBytes = 0;
    s.bufferSince = Date.now();
  };

  const accept = (s: StoredStream, data: Buffer) => {
    if (!s.buffer.length) s.bufferSince = Date.now();
    s.buffer.push(data);
    s.bufferBytes += data.length;
    s.incoming++;
    if (s.bufferBytes >= s.destination.BufferingHints.SizeInMBs * 1024 * 1024) deliver(s);
  };

  const tick = setInterval(() => {
    for (const s of streams.values()) {
      if (s.buffer.length && Date.now() - s.bufferSince >= s.destination.BufferingHints.IntervalInSeconds * 1000) deliver(s);
    }
  }, opts.tickMs ?? 1000);
  tick.unref();

  const get = (name: unknown): StoredStream => {
    const s = typeof name === 'string' ? streams.get(name) : undefined;
    if (!s) throw new ApiError('ResourceNotFoundException', `Firehose ${String(name)} under account ${ACCOUNT} not found.`);
    return s;
  };

  const data = (r: { Data?: unknown }): Buffer => {
    if (typeof r?.Data !== 'string') throw new ApiError('InvalidArgumentException', 'Record.Data is required.');
    const b = Buffer.from(r.Data, 'base64');
    if (b.length > 1000 * 1024) throw new ApiError('InvalidArgumentException', 'A record is at most 1,000 KiB before base64 encoding.');
    return b;
  };

  const startSource = async (s: StoredStream) => {
    if (!s.source || !opts.kinesis) return;
    const streamName = s.source.KinesisStreamARN.split('/').pop()!;
    const reader = new StreamReader({ client: await opts.kinesis(), streamName, start: { type: 'AT_TIMESTAMP', timestamp: s.created }, pollIntervalMs: 500 });
    reader.onRecords((batch) => batch.forEach((r) => accept(s, Buffer.from(r.data))));
    reader.onError(() => undefined);
    s.reader = reader;
    reader.start();
  };

  const ops: Record<string, (body: any) => Promise<unknown> | unknown> = {
    CreateDeliveryStream: async (b) => {
      const name = b.DeliveryStreamName;
      if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) {
        throw new ApiError('InvalidArgumentException', 'DeliveryStreamName must be 1-64 characters of a-z, A-Z, 0-9, _ . -');
      }
      if (streams.has(name)) throw new ApiError('ResourceInUseException', `Firehose ${name} under account ${ACCOUNT} already exists.`);
      const ext = b.ExtendedS3DestinationConfiguration ?? b.S3DestinationConfiguration;
      if (!ext?.BucketARN) throw new ApiError('InvalidArgumentException', 'This emulator delivers to S3 only: give ExtendedS3DestinationConfiguration with a BucketARN.');
      const type = b.DeliveryStreamType ?? 'DirectPut';
      if (type === 'KinesisStreamAsSource' && !b.KinesisStreamSourceConfiguration?.KinesisStreamARN) {
        throw new ApiError('InvalidArgumentException', 'KinesisStreamSourceConfiguration.KinesisStreamARN is required for KinesisStreamAsSource.');
      }
      const now = Date.now();
      const s: StoredStream = {
        name,
        arn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${name}`,
        type,
        status: 'ACTIVE',
        created: now,
        versionId: '1',
        source: type === 'KinesisStreamAsSource' ? { ...b.KinesisStreamSourceConfiguration, DeliveryStartTimestamp: now / 1000 } : undefined,
        destination: {
          ...ext,
          BufferingHints: { SizeInMBs: ext.BufferingHints?.SizeInMBs ?? 5, IntervalInSeconds: ext.BufferingHints?.IntervalInSeconds ?? 300 },
          CompressionFormat: ext.CompressionFormat ?? 'UNCOMPRESSED',
          EncryptionConfiguration: ext.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
        },
        destinationKind: b.ExtendedS3DestinationConfiguration ? 'ExtendedS3' : 'S3',
        tags: b.Tags ?? [],
        buffer: [],
        bufferBytes: 0,
        bufferSince: now,
        delivered: [],
        incoming: 0,
      };
      streams.set(name, s);
      await startSource(s);
      return { DeliveryStreamARN: s.arn };
    },
    DeleteDeliveryStream: async (b) => {
      const s = get(b.DeliveryStreamName);
      streams.delete(s.name);
      await s.reader?.stop();
      return {};
    },
    DescribeDeliveryStream: (b) => {
      const s = get(b.DeliveryStreamName);
      const dest: Record<string, unknown> = { DestinationId: 'destinationId-000000000001' };
      dest[s.destinationKind === 'ExtendedS3' ? 'ExtendedS3DestinationDescription' : 'S3DestinationDescription'] = s.destination;
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: s.name,
          DeliveryStreamARN: s.arn,
          DeliveryStreamStatus: s.status,
          DeliveryStreamType: s.type,
          VersionId: s.versionId,
          CreateTimestamp: s.created / 1000,
          Source: s.source ? { KinesisStreamSourceDescription: s.source } : undefined,
          Destinations: [dest],
          HasMoreDestinations: false,
        },
      };
    },
    ListDeliveryStreams: (b) => {
      const limit = Math.min(Math.max(Number(b.Limit ?? 10), 1), 10000);
      let names = [...streams.values()]
        .filter((s) => !b.DeliveryStreamType || s.type === b.DeliveryStreamType)
        .map((s) => s.name)
        .sort();
      if (b.ExclusiveStartDeliveryStreamName) names = names.filter((n) => n > b.ExclusiveStartDeliveryStreamName);
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    },
    PutRecord: (b) => {
      const s = get(b.DeliveryStreamName);
      if (s.type !== 'DirectPut') throw new ApiError('InvalidArgumentException', `${s.name} reads from a Kinesis stream: put records into the stream instead.`);
      accept(s, data(b.Record));
      return { RecordId: randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''), Encrypted: false };
    },
    PutRecordBatch: (b) => {
      const s = get(b.DeliveryStreamName);
      if (s.type !== 'DirectPut') throw new ApiError('InvalidArgumentException', `${s.name} reads from a Kinesis stream: put records into the stream instead.`);
      const records = Array.isArray(b.Records) ? b.Records : [];
      if (!records.length || records.length > 500) throw new ApiError('InvalidArgumentException', 'PutRecordBatch takes 1 to 500 records.');
      const buffers = records.map(data);
      if (buffers.reduce((a: number, x: Buffer) => a + x.length, 0) > 4 * 1024 * 1024) throw new ApiError('InvalidArgumentException', 'A batch is at most 4 MiB.');
      buffers.forEach((x: Buffer) => accept(s, x));
      return { FailedPutCount: 0, Encrypted: false, RequestResponses: buffers.map(() => ({ RecordId: randomUUID().replace(/-/g, '') })) };
    },
    ListTagsForDeliveryStream: (b) => ({ Tags: get(b.DeliveryStreamName).tags, HasMoreTags: false }),
    TagDeliveryStream: (b) => {
      const s = get(b.DeliveryStreamName);
      for (const t of b.Tags ?? []) {
        s.tags = s.tags.filter((x) => x.Key !== t.Key).concat([t]);
      }
      return {};
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': randomUUID() });
        res.end(text);
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.slice(FIREHOSE_TARGET_PREFIX.length);
      try {
        if (!Object.prototype.hasOwnProperty.call(ops, op)) throw new ApiError('UnknownOperationException', `The local Firehose emulator does not support ${op || 'this request'}.`);
        let body: unknown = {};
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch {
          throw new ApiError('SerializationException', 'The request body is not JSON.');
        }
        send(200, (await ops[op](body)) ?? {});
      } catch (e) {
        if (e instanceof ApiError) send(e.status, { __type: e.type, message: e.message });
        else send(500, { __type: 'ServiceUnavailableException', message: (e as Error).message });
      }
    });
  };
  let closed: Promise<void> | undefined;
  return {
    handle,
    delivered: (name) => streams.get(name)?.delivered ?? [],
    flush: (name) => {
      for (const s of streams.values()) if (!name || s.name === name) deliver(s);
    },
    close: () =>
      (closed ??= (async () => {
        clearInterval(tick);
        await Promise.all([...streams.values()].map((s) => s.reader?.stop()));
      })()),
  };
}

/**
 * Where an object lands: a prefix without expressions gets the default time prefix after it; a
 * prefix with expressions is evaluated (timestamp, random-string). Partition keys from a Lambda
 * are not known here (no transform runs), so such a prefix is kept as written.
 */
function objectKey(stream: string, version: number, oldest: number, prefix = ''): string {
  let evaluated: string;
  if (!prefix.includes('!{')) evaluated = prefix + defaultPrefix(oldest);
  else {
    try {
      evaluated = evaluatePrefix(prefix, { timestamp: oldest });
    } catch {
      evaluated = prefix;
    }
  }
  return evaluated + objectSuffix(stream, oldest, version);
}
