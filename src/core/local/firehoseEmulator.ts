import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { StreamReader } from '../records/reader';
import { defaultPrefix, evaluatePrefix, objectSuffix } from '../transform/s3Key';
import { BufferedRecord, DeliveryBuffer } from './firehoseBuffer';
import { folderStore, memoryStore, ObjectStore, StoredObject } from './s3Folder';
import {
  batchData,
  checkCreateRequest,
  checkDeliveryStreamName,
  checkListLimit,
  checkTags,
  FirehoseApiError,
  MAX_FIREHOSE_BODY_BYTES,
  recordData,
  S3Destination,
  ValidCreateRequest,
} from './firehoseValidation';

/**
 * A small Amazon Data Firehose emulator for the built-in Local connection: nothing on npm or in
 * Debian emulates Firehose. It speaks the Firehose JSON 1.1 API for the control plane the
 * extension uses (create, describe, list, delete, tags) and PutRecord / PutRecordBatch, and
 * delivers buffered records to an S3-shaped folder (bucket/prefix/object) on disk, or keeps the
 * objects in memory. A Kinesis-sourced stream reads its source stream from the local Kinesis
 * endpoint. Data transformation (Lambda) is not run here: the transform notebook does that.
 *
 * Its parts: request checks (firehoseValidation), the buffer and its journal (firehoseBuffer), the
 * object writer (s3Folder); this file answers the API and decides when to deliver.
 */
export interface LocalFirehoseOptions {
  /** Where delivered objects are written; in memory when absent. */
  dataDir?: string;
  /** Where delivery streams and their buffered records are kept across restarts; nowhere when absent. */
  stateDir?: string;
  /** The local Kinesis client, for KinesisStreamAsSource delivery streams. */
  kinesis?: () => Promise<KinesisClient>;
  /** How often buffers are checked for their interval, ms. */
  tickMs?: number;
  /** Delivery and source failures, for the output channel or the terminal. */
  log?: (line: string) => void;
}

export interface DeliveredObject extends StoredObject {
  records: number;
}

interface StoredStream extends ValidCreateRequest {
  arn: string;
  status: 'ACTIVE';
  created: number;
  versionId: string;
  buffer: DeliveryBuffer;
  delivered: DeliveredObject[];
  reader?: StreamReader;
  /** Why records are not flowing (source unreadable, delivery failing), as DescribeDeliveryStream's FailureDescription. */
  failure?: { Type: string; Details: string; from: 'source' | 'delivery' };
  /** After a failed delivery, the next attempt is not before this time. */
  retryAt: number;
}

export interface LocalFirehose {
  /** Answers one Firehose API request (X-Amz-Target Firehose_20150804.*). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Starts reading the Kinesis sources of delivery streams kept from a previous run (once the endpoint listens). */
  resumeSources(): Promise<void>;
  /** Objects delivered so far, per delivery stream (for tests and the tree). With a folder, bodies are on disk only. */
  delivered(name: string): DeliveredObject[];
  /** Delivers what is buffered now, ignoring the buffering hints; false when a delivery failed (the records stay buffered). */
  flush(name?: string): boolean;
  /** Stops reading sources and delivers what is buffered. */
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const RETRY_MS = 5000;
/** Kept in memory (in metadata) per stream: the tree and tests look at recent objects only. */
const MAX_DELIVERED_LISTED = 1000;

export const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.';

export function createLocalFirehose(opts: LocalFirehoseOptions = {}): LocalFirehose {
  const streams = new Map<string, StoredStream>();
  const store: ObjectStore = opts.dataDir ? folderStore(opts.dataDir) : memoryStore();
  const log = opts.log ?? (() => undefined);
  const stateFile = opts.stateDir ? join(opts.stateDir, 'delivery-streams.json') : undefined;
  const journalOf = (name: string) => (opts.stateDir ? join(opts.stateDir, 'buffers', `${name}.jsonl`) : undefined);
  if (opts.stateDir) mkdirSync(join(opts.stateDir, 'buffers'), { recursive: true });

  const saveState = () => {
    if (!stateFile) return;
    const defs = [...streams.values()].map((s) => ({ request: requestOf(s), arn: s.arn, created: s.created, versionId: s.versionId }));
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(defs, null, 1));
    renameSync(`${stateFile}.tmp`, stateFile);
  };

  const deliver = (s: StoredStream): boolean => {
    const records = s.buffer.records;
    if (!records.length) return true;
    const body = Buffer.concat(records.map((r) => r.data));
    const key = objectKey(s.name, Number(s.versionId), s.buffer.oldest, s.destination.Prefix);
    let obj: StoredObject;
    try {
      obj = store.put(s.bucket, key, body);
    } catch (e) {
      // Nothing was stored: the records stay buffered (and journaled) and are tried again.
      const details = `Delivery of ${records.length} records to s3://${s.bucket}/${key} failed: ${(e as Error).message}. They stay buffered and are retried.`;
      if (s.failure?.Details !== details) log(`Firehose ${s.name}: ${details}`);
      s.failure = { Type: 'UNKNOWN_ERROR', Details: details, from: 'delivery' };
      s.retryAt = Date.now() + RETRY_MS;
      return false;
    }
    s.delivered.push({ ...obj, records: records.length });
    if (s.delivered.length > MAX_DELIVERED_LISTED) s.delivered.splice(0, s.delivered.length - MAX_DELIVERED_LISTED);
    if (s.failure?.from === 'delivery') s.failure = undefined;
    try {
      s.buffer.clear();
    } catch (e) {
      log(`Firehose ${s.name}: delivered, but its buffer journal could not be cleared (${(e as Error).message}); a restart may deliver these records again.`);
    }
    return true;
  };

  const due = (s: StoredStream) => s.buffer.records.length > 0 && Date.now() >= s.retryAt && Date.now() - s.buffer.oldest >= s.destination.BufferingHints.IntervalInSeconds * 1000;

  const accept = (s: StoredStream, records: BufferedRecord[]) => {
    s.buffer.add(records);
    if (s.buffer.bytes >= s.destination.BufferingHints.SizeInMBs * 1024 * 1024 && Date.now() >= s.retryAt) deliver(s);
  };

  const tick = setInterval(() => {
    for (const s of streams.values()) {
      try {
        if (due(s)) deliver(s);
      } catch (e) {
        // Never let one stream's trouble end the endpoint (this runs in a timer).
        log(`Firehose ${s.name}: ${(e as Error).message}`);
      }
    }
  }, opts.tickMs ?? 1000);
  tick.unref();

  const get = (name: unknown): StoredStream => {
    const s = streams.get(checkDeliveryStreamName(name));
    if (!s) throw new FirehoseApiError('ResourceNotFoundException', `Firehose ${String(name)} under account ${ACCOUNT} not found.`);
    return s;
  };

  const startSource = async (s: StoredStream) => {
    if (!s.source || !opts.kinesis) return;
    const streamName = s.source.KinesisStreamARN.split('/').pop()!;
    const checkpoints = s.buffer.checkpoints;
    const resumeAt = Object.values(checkpoints).reduce((a, c) => Math.min(a, c.arrival), Infinity);
    const reader = new StreamReader({
      client: await opts.kinesis(),
      streamName,
      start: { type: 'AT_TIMESTAMP', timestamp: Number.isFinite(resumeAt) ? resumeAt : s.created },
      pollIntervalMs: 500,
    });
    reader.onRecords((batch) => {
      // Resuming from a timestamp re-reads records already taken: skip up to each shard's checkpoint.
      const fresh = batch.filter((r) => {
        const c = checkpoints[r.shardId];
        return !c || BigInt(r.sequenceNumber) > BigInt(c.sequenceNumber);
      });
      try {
        accept(s, fresh.map((r) => ({ data: Buffer.from(r.data), arrival: r.arrivalTime, shardId: r.shardId, sequenceNumber: r.sequenceNumber })));
      } catch (e) {
        const details = `Records read from ${streamName} could not be buffered (${(e as Error).message}); reading stopped. Restart the endpoint to resume from the last record kept.`;
        s.failure = { Type: 'UNKNOWN_ERROR', Details: details, from: 'source' };
        log(`Firehose ${s.name}: ${details}`);
        void reader.stop();
      }
    });
    reader.onError((e) => {
      if (!e.fatal) return;
      const details = `Cannot read the source stream ${s.source!.KinesisStreamARN}: ${e.message}. Check KinesisStreamARN (the stream must exist on this endpoint), then recreate the delivery stream.`;
      s.failure = { Type: 'UNKNOWN_ERROR', Details: details, from: 'source' };
      log(`Firehose ${s.name}: ${details}`);
    });
    s.reader = reader;
    reader.start();
  };

  const add = (v: ValidCreateRequest, extra: { arn?: string; created?: number; versionId?: string } = {}): StoredStream => {
    const created = extra.created ?? Date.now();
    const s: StoredStream = {
      ...v,
      source: v.source ? { ...v.source, DeliveryStartTimestamp: created / 1000 } as StoredStream['source'] : undefined,
      arn: extra.arn ?? `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${v.name}`,
      status: 'ACTIVE',
      created,
      versionId: extra.versionId ?? '1',
      buffer: new DeliveryBuffer(journalOf(v.name)),
      delivered: [],
      retryAt: 0,
    };
    streams.set(v.name, s);
    return s;
  };

  // Delivery streams kept from a previous run, checked again as if they were created now.
  if (stateFile && existsSync(stateFile)) {
    try {
      for (const d of JSON.parse(readFileSync(stateFile, 'utf8'))) {
        try {
          add(checkCreateRequest(d.request), { arn: d.arn, created: d.created, versionId: d.versionId });
        } catch (e) {
          log(`Firehose: a delivery stream kept in ${stateFile} was skipped: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      log(`Firehose: ${stateFile} could not be read (${(e as Error).message}); starting with no delivery streams.`);
    }
  }

  const ops: Record<string, (body: any) => Promise<unknown> | unknown> = {
    CreateDeliveryStream: async (b) => {
      const v = checkCreateRequest(b);
      if (streams.has(v.name)) throw new FirehoseApiError('ResourceInUseException', `Firehose ${v.name} under account ${ACCOUNT} already exists.`);
      const s = add(v);
      s.buffer.remove(); // a journal left by a deleted stream of the same name is not this stream's
      saveState();
      await startSource(s);
      return { DeliveryStreamARN: s.arn };
    },
    DeleteDeliveryStream: async (b) => {
      const s = get(b.DeliveryStreamName);
      streams.delete(s.name);
      await s.reader?.stop();
      s.buffer.remove();
      saveState();
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
          FailureDescription: s.failure ? { Type: s.failure.Type, Details: s.failure.Details } : undefined,
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
      const limit = checkListLimit(b.Limit);
      let names = [...streams.values()]
        .filter((s) => !b.DeliveryStreamType || s.type === b.DeliveryStreamType)
        .map((s) => s.name)
        .sort();
      if (b.ExclusiveStartDeliveryStreamName) names = names.filter((n) => n > b.ExclusiveStartDeliveryStreamName);
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    },
    PutRecord: (b) => {
      const s = directPut(b.DeliveryStreamName);
      accept(s, [{ data: recordData(b.Record), arrival: Date.now() }]);
      return { RecordId: recordId(), Encrypted: false };
    },
    PutRecordBatch: (b) => {
      const s = directPut(b.DeliveryStreamName);
      const now = Date.now();
      const data = batchData(b.Records);
      accept(s, data.map((d) => ({ data: d, arrival: now })));
      return { FailedPutCount: 0, Encrypted: false, RequestResponses: data.map(() => ({ RecordId: recordId() })) };
    },
    ListTagsForDeliveryStream: (b) => ({ Tags: get(b.DeliveryStreamName).tags, HasMoreTags: false }),
    TagDeliveryStream: (b) => {
      const s = get(b.DeliveryStreamName);
      for (const t of checkTags(b.Tags)) s.tags = s.tags.filter((x) => x.Key !== t.Key).concat([t]);
      if (s.tags.length > 50) throw new FirehoseApiError('LimitExceededException', 'A delivery stream has at most 50 tags.');
      saveState();
      return {};
    },
  };

  const directPut = (name: unknown): StoredStream => {
    const s = get(name);
    if (s.type !== 'DirectPut') throw new FirehoseApiError('InvalidArgumentException', `${s.name} reads from a Kinesis stream: put records into the stream instead.`);
    // Deliveries are failing and the buffer is past twice its size: push back, as Firehose does when it cannot keep up.
    if (s.failure?.from === 'delivery' && s.buffer.bytes >= 2 * s.destination.BufferingHints.SizeInMBs * 1024 * 1024) {
      throw new FirehoseApiError('ServiceUnavailableException', `Slow down: ${s.name} cannot deliver (${s.failure.Details})`);
    }
    return s;
  };

  const send = (res: ServerResponse, status: number, body: unknown, close = false) => {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
      ...(close ? { Connection: 'close' } : {}),
    });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const tooLarge = () =>
      send(res, 413, { __type: 'RequestEntityTooLargeException', message: `The request is larger than Firehose accepts (${MAX_FIREHOSE_BODY_BYTES / 1024 / 1024} MiB): send fewer or smaller records per call.` }, true);
    if (Number(req.headers['content-length'] ?? 0) > MAX_FIREHOSE_BODY_BYTES) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('error', () => undefined); // a client that goes away mid-request: nothing to answer
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FIREHOSE_BODY_BYTES) {
        chunks.length = 0;
        req.removeAllListeners('data').removeAllListeners('end');
        req.resume();
        tooLarge();
        return;
      }
      chunks.push(c);
    });
    req.on('end', async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.slice(FIREHOSE_TARGET_PREFIX.length);
      try {
        if (!Object.prototype.hasOwnProperty.call(ops, op)) throw new FirehoseApiError('UnknownOperationException', `The local Firehose emulator does not support ${op || 'this request'}.`);
        let body: unknown;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch {
          throw new FirehoseApiError('SerializationException', 'The request body is not JSON.');
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new FirehoseApiError('SerializationException', 'The request body is not a JSON object.');
        send(res, 200, (await ops[op](body)) ?? {});
      } catch (e) {
        if (e instanceof FirehoseApiError) send(res, e.status, { __type: e.type, message: e.message });
        else {
          log(`Firehose ${op}: ${(e as Error).message}`);
          send(res, 500, { __type: 'ServiceUnavailableException', message: `The local Firehose emulator failed: ${(e as Error).message}` });
        }
      }
    });
  };

  const flush = (name?: string) => {
    let ok = true;
    for (const s of streams.values()) if (!name || s.name === name) ok = deliver(s) && ok;
    return ok;
  };

  let closed: Promise<void> | undefined;
  return {
    handle,
    resumeSources: async () => {
      for (const s of streams.values()) if (s.source && !s.reader) await startSource(s);
    },
    delivered: (name) => streams.get(name)?.delivered ?? [],
    flush,
    close: () =>
      (closed ??= (async () => {
        clearInterval(tick);
        await Promise.all([...streams.values()].map((s) => s.reader?.stop()));
        // Deliver what was accepted; what cannot be delivered stays in the journal (with a data folder).
        const pending = [...streams.values()].reduce((a, s) => a + s.buffer.records.length, 0);
        if (pending && !flush()) log(`Firehose: some buffered records could not be delivered at stop${stateFile ? '; they are kept for the next start' : ' and are lost'}.`);
        try {
          saveState();
        } catch (e) {
          log(`Firehose: delivery streams could not be saved: ${(e as Error).message}`);
        }
      })()),
  };
}

function recordId(): string {
  return randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
}

/** The CreateDeliveryStream request that makes this stream again (kept in the data folder). */
function requestOf(s: StoredStream): Record<string, unknown> {
  const { BucketARN, RoleARN, Prefix, ErrorOutputPrefix, BufferingHints, ...rest } = s.destination as S3Destination;
  return {
    DeliveryStreamName: s.name,
    DeliveryStreamType: s.type,
    KinesisStreamSourceConfiguration: s.source ? { KinesisStreamARN: s.source.KinesisStreamARN, RoleARN: s.source.RoleARN } : undefined,
    [s.destinationKind === 'ExtendedS3' ? 'ExtendedS3DestinationConfiguration' : 'S3DestinationConfiguration']: { ...rest, BucketARN, RoleARN, Prefix, ErrorOutputPrefix, BufferingHints },
    Tags: s.tags.length ? s.tags : undefined,
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
