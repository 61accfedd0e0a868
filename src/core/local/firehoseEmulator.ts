import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { StreamReader } from '../records/reader';
import { parseHandlerSpec } from '../transform/compile';
import { WarmHandlers } from '../transform/warmHandlers';
import { DeliveryBuffer } from './firehoseBuffer';
import type { WrittenObject } from './firehoseDelivery';
import { DeliveryPipeline, PipelineStream } from './firehosePipeline';
import { checkJqQuery, JqError, JqOptions } from './jq';
import { folderStore, memoryStore, objectPath, ObjectStore, StoredObject } from './s3Folder';
import { decodeDeliveredObject } from './deliveredObjects';
import { COMPRESSION_FORMATS, CompressionFormat } from './compression';
import {
  applyDestinationUpdate,
  batchData,
  checkCreateRequest,
  checkDeliveryStreamName,
  checkListLimit,
  checkTags,
  FirehoseApiError,
  MAX_FIREHOSE_BODY_BYTES,
  recordData,
  ValidCreateRequest,
} from './firehoseValidation';

/**
 * A small Amazon Data Firehose emulator for the built-in Local connection: nothing on npm or in
 * Debian emulates Firehose. It speaks the Firehose JSON 1.1 API for the control plane the
 * extension uses (create, describe, list, delete, update destination, tags) and PutRecord /
 * PutRecordBatch. A Kinesis-sourced stream reads its source stream from the local Kinesis
 * endpoint. Buffered records go through the delivery engine (Lambda transform from the workspace,
 * partitioning, compression) to an S3-shaped folder (bucket/prefix/object) on disk or in memory,
 * or to an HTTP endpoint.
 *
 * Its parts: request checks (firehoseValidation), the two buffering stages and their journal
 * (firehoseBuffer), when they move (firehosePipeline), the delivery engine (firehoseDelivery, with
 * the HTTP endpoint client and jq), the object writer (s3Folder); this file answers the API.
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
  /**
   * Lambda function name or ARN → handler in the workspace (`./src/transform.ts#handler`), for
   * delivery streams with a Lambda processor (setting kinesis.local.lambdaHandlers, flag --lambda).
   */
  lambdaHandlers?: Record<string, string> | (() => Record<string, string>);
  /** Relative handler paths are resolved from here (the workspace folder, or the current folder). */
  handlerRoot?: string | (() => string | undefined);
  /** Per Lambda invocation (default 60 s). */
  lambdaTimeoutMs?: number;
  /** First back-off step of HTTP endpoint retries (default 1 s). */
  httpBackoffBaseMs?: number;
  jq?: JqOptions;
  /**
   * Dynamic partitioning's active partitions quota per delivery stream (AWS's default, 500; AWS
   * raises it to 5,000 on request). Records that would open one more go to the error output.
   */
  maxActivePartitions?: number;
  /**
   * Bytes one delivery stream may hold buffered (default 256 MiB): past it, buffers are delivered
   * early, and while that fails PutRecord/PutRecordBatch answer ServiceUnavailableException and a
   * Kinesis source is read no further, so memory stays bounded whatever the producers send.
   */
  maxBufferedBytes?: number;
  /** Tests: the time buffering hints are measured against (default Date.now). */
  clock?: () => number;
  /** Tests: wraps the object writer, to inject write failures. */
  wrapStore?: (store: ObjectStore) => ObjectStore;
}

export interface DeliveredObject extends StoredObject {
  records: number;
}

/** An object a delivery stream wrote, as the tree lists it. */
export interface ListedObject {
  bucket: string;
  key: string;
  size: number;
  records: number;
  kind: 'delivered' | 'error' | 'backup';
  /** epoch ms */
  at: number;
}

interface StoredStream extends PipelineStream {
  status: 'ACTIVE';
  created: number;
  /** Objects written, oldest first (the most recent MAX_OBJECTS_LISTED). */
  objects: WrittenObject[];
  reader?: StreamReader;
  /** Reading the source is paused while deliveries fail and the buffers are past twice the destination's size. */
  sourcePaused?: boolean;
}

export interface LocalFirehose {
  /** Answers one Firehose API request (X-Amz-Target Firehose_20150804.*). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Starts reading the Kinesis sources of delivery streams kept from a previous run (once the endpoint listens). */
  resumeSources(): Promise<void>;
  /** Objects delivered so far, per delivery stream (for tests and the tree). With a folder, bodies are on disk only. */
  delivered(name: string): DeliveredObject[];
  /** Error output objects (processing-failed) and S3 backups of failed HTTP deliveries. */
  errorObjects(name: string): DeliveredObject[];
  /** A page of a delivery stream's objects, newest first; `next` continues. */
  listObjects(name: string, opts?: { kind?: 'delivered' | 'errors'; limit?: number; next?: string }): { objects: ListedObject[]; next?: string };
  /** One object's body as stored (compressed if it was), or undefined when it is not this stream's. */
  readObject(name: string, key: string): Buffer | undefined;
  /** The folder a delivery stream's bucket is written to (with a data folder), for "Reveal delivery folder". */
  folderOf(name: string): string | undefined;
  /** Delivers what is buffered now, ignoring the buffering hints; false when a delivery failed (the records stay buffered). */
  flush(name?: string): Promise<boolean>;
  /** Checks every buffer against its hints once now, and waits for the deliveries that starts (tests move `clock`). */
  tick(): Promise<void>;
  /** Stops reading sources and delivers what is buffered. */
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const DESTINATION_ID = 'destinationId-000000000001';
/** Kept in memory (in metadata) per stream: the tree and tests look at recent objects only. */
const MAX_OBJECTS_LISTED = 5000;

export const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.';
/**
 * Operations of this emulator that AWS does not have, for the extension's tree (it may talk to an
 * endpoint started by `npm run local` or the demo, in another process): a delivery stream's objects
 * and one object decoded. Same JSON 1.1 shape, same guard, under their own target prefix.
 */
export const LOCAL_TARGET_PREFIX = 'KinesisDevtoolsLocal_20261201.';

export function createLocalFirehose(opts: LocalFirehoseOptions = {}): LocalFirehose {
  const streams = new Map<string, StoredStream>();
  const plainStore = opts.dataDir ? folderStore(opts.dataDir) : memoryStore();
  const store: ObjectStore = opts.wrapStore ? opts.wrapStore(plainStore) : plainStore;
  const clock = opts.clock ?? Date.now;
  const log = opts.log ?? (() => undefined);
  const stateFile = opts.stateDir ? join(opts.stateDir, 'delivery-streams.json') : undefined;
  const journalOf = (name: string) => (opts.stateDir ? join(opts.stateDir, 'buffers', `${name}.jsonl`) : undefined);
  if (opts.stateDir) mkdirSync(join(opts.stateDir, 'buffers'), { recursive: true });

  const saveState = () => {
    if (!stateFile) return;
    const defs = [...streams.values()].map((s) => ({ request: { ...s.request, Tags: s.tags.length ? s.tags : undefined }, arn: s.arn, created: s.created, versionId: s.versionId }));
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(defs, null, 1));
    renameSync(`${stateFile}.tmp`, stateFile);
  };

  const warm = new WarmHandlers();
  const stopping = new AbortController();
  const manifestOf = (name: string) => (opts.stateDir ? join(opts.stateDir, 'objects', `${name}.jsonl`) : undefined);
  if (opts.stateDir) mkdirSync(join(opts.stateDir, 'objects'), { recursive: true });

  const resolveLambda = (arn: string) => {
    const map = (typeof opts.lambdaHandlers === 'function' ? opts.lambdaHandlers() : opts.lambdaHandlers) ?? {};
    const name = arn.split(':')[6] ?? arn;
    const unqualified = arn.split(':').slice(0, 7).join(':');
    const spec = map[arn] ?? map[unqualified] ?? map[name];
    if (!spec) {
      return {
        problem: `The Lambda processor ${name} has no handler in this workspace, so its records stay buffered. Map it: setting "kinesis.local.lambdaHandlers": {"${name}": "./src/transform.ts#handler"}, or npm run local -- --lambda ${name}=./src/transform.ts#handler.`,
      };
    }
    const root = (typeof opts.handlerRoot === 'function' ? opts.handlerRoot() : opts.handlerRoot) ?? process.cwd();
    const { path, exportName } = parseHandlerSpec(spec, root);
    if (!existsSync(path)) return { problem: `The handler file for Lambda ${name} is not there: ${isAbsolute(spec) ? spec : resolve(root, spec.split('#')[0])}. Fix the mapping (kinesis.local.lambdaHandlers or --lambda); the records stay buffered.` };
    return { source: { kind: 'file' as const, path, exportName }, functionName: name };
  };

  /** What keeps records from flowing that the user must fix, known before any delivery (shown by Describe). */
  const configProblem = (s: StoredStream): string | undefined => {
    if (!s.processing.lambda) return undefined;
    const r = resolveLambda(s.processing.lambda.arn);
    return 'problem' in r ? r.problem : undefined;
  };

  const remember = (s: StoredStream, written: WrittenObject[]) => {
    if (!written.length) return;
    s.objects.push(...written);
    if (s.objects.length > MAX_OBJECTS_LISTED) s.objects.splice(0, s.objects.length - MAX_OBJECTS_LISTED);
    const manifest = manifestOf(s.name);
    if (manifest) {
      try {
        appendFileSync(manifest, written.map((o) => JSON.stringify({ bucket: o.bucket, key: o.key, size: o.size, records: o.records, kind: o.kind, at: o.at, compression: o.compression }) + '\n').join(''));
      } catch (e) {
        log(`Firehose ${s.name}: the list of its objects could not be saved (${(e as Error).message}); the objects themselves are written.`);
      }
    }
  };

  const pipeline = new DeliveryPipeline({
    store,
    warm,
    resolveLambda,
    lambdaTimeoutMs: opts.lambdaTimeoutMs,
    jq: opts.jq,
    httpBackoffBaseMs: opts.httpBackoffBaseMs,
    maxActivePartitions: opts.maxActivePartitions,
    maxBufferedBytes: opts.maxBufferedBytes,
    log,
    region: REGION,
    accountId: ACCOUNT,
    clock,
    written: (s, o) => remember(s as StoredStream, [o]),
    settled: (x) => backPressure(x as StoredStream),
  });
  const hints = (s: StoredStream) => pipeline.hints(s);
  /** Deliveries are failing and twice the buffer is held, or the stream holds its whole memory budget. */
  const pressed = (s: StoredStream) =>
    (s.failure?.from === 'delivery' && s.buffer.heldBytes >= 2 * hints(s).SizeInMBs * 1024 * 1024) || s.buffer.heldBytes >= pipeline.budget;

  /**
   * Deliveries are failing (a handler that does not load, a write that fails), or the buffers hold
   * the stream's memory budget: stop taking more from the source, as Firehose falls behind;
   * resumed once that is over.
   */
  const backPressure = (s: StoredStream) => {
    if (!s.reader) return;
    if (pressed(s) && !s.sourcePaused) {
      s.sourcePaused = true;
      s.reader.pause();
      const why = s.failure?.from === 'delivery' ? `until deliveries succeed again (${s.failure.Details.split('\n')[0]})` : `while its buffers hold the local emulator's ${Math.round(pipeline.budget / 1048576)} MiB limit`;
      log(`Firehose ${s.name}: reading ${s.source!.KinesisStreamARN.split('/').pop()} is paused ${why}.`);
    } else if (!pressed(s) && s.failure?.from !== 'delivery' && s.sourcePaused) {
      s.sourcePaused = false;
      s.reader.resume();
    }
  };

  const tick = setInterval(() => void pipeline.tick(streams.values()), opts.tickMs ?? 1000);
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
        pipeline.accept(s, fresh.map((r) => ({ data: Buffer.from(r.data), arrival: r.arrivalTime, shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey })));
        backPressure(s);
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
      objects: readManifest(manifestOf(v.name), opts.dataDir),
      retryAt: 0,
      failures: 0,
    };
    streams.set(v.name, s);
    return s;
  };

  const checkQuery = async (v: ValidCreateRequest) => {
    if (!v.processing.jqQuery) return;
    try {
      await checkJqQuery(v.processing.jqQuery, opts.jq);
    } catch (e) {
      if (e instanceof JqError) throw new FirehoseApiError('InvalidArgumentException', e.message);
      throw e;
    }
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
      await checkQuery(v);
      // What a deleted stream of the same name left (journal, list of objects) is not this stream's.
      const manifest = manifestOf(v.name);
      if (manifest) rmSync(manifest, { force: true });
      const s = add(v);
      s.buffer.remove();
      saveState();
      await startSource(s);
      return { DeliveryStreamARN: s.arn };
    },
    DeleteDeliveryStream: async (b) => {
      const s = get(b.DeliveryStreamName);
      streams.delete(s.name);
      await s.reader?.stop();
      await s.busy;
      s.buffer.remove();
      const manifest = manifestOf(s.name);
      if (manifest) rmSync(manifest, { force: true });
      saveState();
      return {};
    },
    UpdateDestination: async (b) => {
      const s = get(b.DeliveryStreamName);
      if (typeof b.CurrentDeliveryStreamVersionId !== 'string') throw new FirehoseApiError('ValidationException', "1 validation error detected: Value null at 'currentDeliveryStreamVersionId' failed to satisfy constraint: Member must not be null");
      if (b.CurrentDeliveryStreamVersionId !== s.versionId) {
        throw new FirehoseApiError('ConcurrentModificationException', `VersionId ${b.CurrentDeliveryStreamVersionId} is not the current one (${s.versionId}): describe the delivery stream again and retry.`);
      }
      if (b.DestinationId !== DESTINATION_ID) throw new FirehoseApiError('InvalidArgumentException', `DestinationId ${JSON.stringify(b.DestinationId ?? null)} is not this delivery stream's (${DESTINATION_ID}).`);
      const merged = applyDestinationUpdate(s.request, b);
      const v = checkCreateRequest({ ...merged, DeliveryStreamName: s.name, DeliveryStreamType: s.type, Tags: s.tags.length ? s.tags : undefined });
      await checkQuery(v);
      // Records buffered under the old configuration are delivered with it, as Firehose does.
      await pipeline.run(s, { force: true });
      Object.assign(s, { destination: v.destination, destinationKind: v.destinationKind, http: v.http, processing: v.processing, dynamicPartitioning: v.dynamicPartitioning, compression: v.compression, fileExtension: v.fileExtension, bucket: v.bucket, request: v.request });
      s.versionId = String(Number(s.versionId) + 1);
      if (s.failure?.from === 'delivery') s.failure = undefined;
      s.retryAt = 0;
      s.failures = 0;
      saveState();
      return {};
    },
    DescribeDeliveryStream: (b) => {
      const s = get(b.DeliveryStreamName);
      const dest: Record<string, unknown> = { DestinationId: DESTINATION_ID };
      if (s.destinationKind === 'HttpEndpoint') {
        const h = s.http!;
        const req = s.request.HttpEndpointDestinationConfiguration as Record<string, unknown>;
        dest.HttpEndpointDestinationDescription = {
          EndpointConfiguration: { Url: h.Url, ...(h.Name ? { Name: h.Name } : {}) },
          BufferingHints: h.BufferingHints,
          RequestConfiguration: { ContentEncoding: h.ContentEncoding, CommonAttributes: h.CommonAttributes },
          ProcessingConfiguration: req.ProcessingConfiguration,
          RoleARN: req.RoleARN,
          RetryOptions: { DurationInSeconds: h.RetryDurationInSeconds },
          S3BackupMode: h.S3BackupMode,
          S3DestinationDescription: s.destination,
        };
      } else dest[s.destinationKind === 'ExtendedS3' ? 'ExtendedS3DestinationDescription' : 'S3DestinationDescription'] = s.destination;
      const problem = s.failure ? undefined : configProblem(s);
      const failure = s.failure ?? (problem ? { Type: 'INVALID_CONFIGURATION', Details: problem } : undefined);
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: s.name,
          DeliveryStreamARN: s.arn,
          DeliveryStreamStatus: s.status,
          FailureDescription: failure ? { Type: failure.Type, Details: failure.Details } : undefined,
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
      pipeline.accept(s, [{ data: recordData(b.Record), arrival: clock() }]);
      return { RecordId: recordId(), Encrypted: false };
    },
    PutRecordBatch: (b) => {
      const s = directPut(b.DeliveryStreamName);
      const now = clock();
      const data = batchData(b.Records);
      pipeline.accept(s, data.map((d) => ({ data: d, arrival: now })));
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

  const MAX_LINES_SENT = 16 * 1024 * 1024;
  const localOps: Record<string, (body: any) => unknown> = {
    ListDeliveredObjects: (b) => {
      if (b.Kind !== undefined && b.Kind !== 'delivered' && b.Kind !== 'errors') throw new FirehoseApiError('ValidationException', 'Kind is "delivered" or "errors".');
      if (b.Limit !== undefined && (!Number.isInteger(b.Limit) || b.Limit < 1 || b.Limit > 1000)) throw new FirehoseApiError('ValidationException', 'Limit is a whole number from 1 to 1000.');
      const page = api.listObjects(checkDeliveryStreamName(b.DeliveryStreamName), { kind: b.Kind, limit: b.Limit, next: typeof b.NextToken === 'string' ? b.NextToken : undefined });
      return { Objects: page.objects, NextToken: page.next, Folder: api.folderOf(b.DeliveryStreamName) };
    },
    GetDeliveredObject: (b) => {
      const name = checkDeliveryStreamName(b.DeliveryStreamName);
      if (typeof b.Key !== 'string') throw new FirehoseApiError('ValidationException', 'Key is the object key, as ListDeliveredObjects gives it.');
      const body = api.readObject(name, b.Key);
      const written = streams.get(name)?.objects.find((x) => x.key === b.Key);
      if (!body) throw new FirehoseApiError('ResourceNotFoundException', `${name} has no object ${b.Key.slice(0, 200)} (only the most recent ${MAX_OBJECTS_LISTED} are kept in its list).`);
      let decoded;
      try {
        decoded = decodeDeliveredObject(body, undefined, b.Key, written?.compression);
      } catch (e) {
        throw new FirehoseApiError('InvalidArgumentException', (e as Error).message);
      }
      // The reply is JSON over a local socket: past 16 MiB of text, the rest is cut and said so.
      let sent = 0;
      const lines: string[] = [];
      for (const l of decoded.lines) {
        if (sent + l.length > MAX_LINES_SENT) {
          decoded.cut = true;
          break;
        }
        sent += l.length;
        lines.push(l);
      }
      return { Key: b.Key, Compression: decoded.compression, StoredBytes: decoded.storedBytes, Bytes: decoded.bytes, Cut: decoded.cut, Lines: lines };
    },
  };

  const directPut = (name: unknown): StoredStream => {
    const s = get(name);
    if (s.type !== 'DirectPut') throw new FirehoseApiError('InvalidArgumentException', `${s.name} reads from a Kinesis stream: put records into the stream instead.`);
    // Deliveries are failing and the buffer is past twice its size: push back, as Firehose does when it cannot keep up.
    if (pressed(s)) {
      const why = s.failure?.from === 'delivery' ? `cannot deliver (${s.failure.Details})` : `holds ${Math.round(s.buffer.heldBytes / 1048576)} MiB buffered, the local emulator's limit per delivery stream`;
      throw new FirehoseApiError('ServiceUnavailableException', `Slow down: ${s.name} ${why}. Retry with back-off.`);
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
      const local = target.startsWith(LOCAL_TARGET_PREFIX);
      const op = target.slice((local ? LOCAL_TARGET_PREFIX : FIREHOSE_TARGET_PREFIX).length);
      const table = local ? localOps : ops;
      try {
        if (!Object.prototype.hasOwnProperty.call(table, op)) throw new FirehoseApiError('UnknownOperationException', `The local Firehose emulator does not support ${op || 'this request'}.`);
        let body: unknown;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch {
          throw new FirehoseApiError('SerializationException', 'The request body is not JSON.');
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new FirehoseApiError('SerializationException', 'The request body is not a JSON object.');
        send(res, 200, (await table[op](body)) ?? {});
      } catch (e) {
        if (e instanceof FirehoseApiError) send(res, e.status, { __type: e.type, message: e.message });
        else {
          log(`Firehose ${op}: ${(e as Error).message}`);
          send(res, 500, { __type: 'ServiceUnavailableException', message: `The local Firehose emulator failed: ${(e as Error).message}` });
        }
      }
    });
  };

  const flush = async (name?: string, final = false) => {
    let ok = true;
    for (const s of [...streams.values()]) if (!name || s.name === name) ok = (await pipeline.run(s, { force: true, final, signal: stopping.signal })) && ok;
    return ok;
  };

  const objectsOf = (name: string, kinds: WrittenObject['kind'][]): DeliveredObject[] =>
    (streams.get(name)?.objects ?? []).filter((o) => kinds.includes(o.kind)).map(({ bucket, key, size, body, file, records }) => ({ bucket, key, size, records, ...(body ? { body } : {}), ...(file ? { file } : {}) }));

  let closed: Promise<void> | undefined;
  const api: LocalFirehose = {
    handle,
    resumeSources: async () => {
      for (const s of streams.values()) if (s.source && !s.reader) await startSource(s);
    },
    delivered: (name) => objectsOf(name, ['delivered']),
    errorObjects: (name) => objectsOf(name, ['error', 'backup']),
    listObjects: (name, o = {}) => {
      const s = get(name);
      const kinds: WrittenObject['kind'][] = o.kind === 'errors' ? ['error', 'backup'] : ['delivered'];
      const all = s.objects.filter((x) => kinds.includes(x.kind)).reverse();
      const start = o.next ? Math.max(0, all.findIndex((x) => x.key === o.next)) : 0;
      const limit = Math.max(1, Math.min(o.limit ?? 50, 1000));
      const page = all.slice(start, start + limit);
      return { objects: page.map(({ bucket, key, size, records, kind, at }) => ({ bucket, key, size, records, kind, at })), next: all[start + limit]?.key };
    },
    folderOf: (name) => (opts.dataDir ? join(opts.dataDir, get(name).bucket) : undefined),
    readObject: (name, key) => {
      const o = get(name).objects.find((x) => x.key === key);
      if (!o) return undefined;
      if (o.body) return o.body;
      if (!opts.dataDir) return undefined;
      // The path is worked out again from bucket and key (never taken from the kept list), inside the data folder.
      try {
        return readFileSync(objectPath(opts.dataDir, o.bucket, o.key));
      } catch {
        return undefined;
      }
    },
    flush: (name) => flush(name),
    tick: async () => {
      await pipeline.tick(streams.values());
    },
    close: () =>
      (closed ??= (async () => {
        clearInterval(tick);
        await Promise.all([...streams.values()].map((s) => s.reader?.stop()));
        // Deliver what was accepted (an HTTP endpoint gets one attempt, then the S3 backup); what
        // cannot be delivered stays in the journal (with a data folder).
        const pending = [...streams.values()].some((s) => !s.buffer.empty);
        stopping.abort();
        if (pending && !(await flush(undefined, true))) log(`Firehose: some buffered records could not be delivered at stop${stateFile ? '; they are kept for the next start' : ' and are lost'}.`);
        await warm.dispose();
        try {
          saveState();
        } catch (e) {
          log(`Firehose: delivery streams could not be saved: ${(e as Error).message}`);
        }
      })()),
  };
  return api;
}

function recordId(): string {
  return randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
}

/** The objects a stream wrote before a restart; each file is located again from bucket and key, inside the data folder. */
function readManifest(file: string | undefined, dataDir: string | undefined): WrittenObject[] {
  if (!file || !existsSync(file) || !dataDir) return [];
  const out: WrittenObject[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const o = JSON.parse(line);
      if (typeof o.key !== 'string' || typeof o.bucket !== 'string' || !['delivered', 'error', 'backup'].includes(o.kind)) continue;
      const compression = COMPRESSION_FORMATS.includes(o.compression) ? (o.compression as CompressionFormat) : undefined;
      out.push({ bucket: o.bucket, key: o.key, size: Number(o.size) || 0, records: Number(o.records) || 0, kind: o.kind, at: Number(o.at) || 0, compression, file: objectPath(dataDir, o.bucket, o.key) });
    } catch {
      // a line cut short by a crash, or a key that would leave the data folder
    }
  }
  // A batch written again after a crash (same planned key) is listed once.
  const seen = new Set<string>();
  return out
    .reverse()
    .filter((o) => !seen.has(o.key) && seen.add(o.key))
    .reverse()
    .slice(-MAX_OBJECTS_LISTED);
}
