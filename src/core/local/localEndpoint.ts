import { createServer, request, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createKinesaliteServer, listenOnLoopback, startLocalKinesis, LocalKinesis } from './localKinesis';
import { createLocalFirehose, FIREHOSE_TARGET_PREFIX, LocalFirehose, LocalFirehoseOptions, LOCAL_TARGET_PREFIX } from './firehoseEmulator';
import { MAX_FIREHOSE_BODY_BYTES } from './firehoseValidation';
import { MAX_KINESIS_BODY_BYTES, Refusal, refuseRequest } from './requestGuard';
import { kinesisClientFor } from '../aws/clientFactory';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

export interface LocalEndpointOptions {
  port?: number;
  /** Persist Kinesis streams, Firehose delivery streams and their buffers (and write deliveries) under this folder. */
  path?: string;
  /** Where Firehose writes delivered objects (bucket/key); defaults to <path>/s3, else memory. */
  deliveryDir?: string;
  shardLimit?: number;
  /** Firehose delivery and source failures. */
  log?: (line: string) => void;
  /** How Firehose runs Lambda processors (handlers from the workspace) and reaches its destinations. */
  firehose?: Pick<LocalFirehoseOptions, 'lambdaHandlers' | 'handlerRoot' | 'lambdaTimeoutMs' | 'httpBackoffBaseMs' | 'jq' | 'tickMs' | 'clock' | 'wrapStore' | 'maxActivePartitions' | 'maxBufferedBytes'>;
}

export interface LocalEndpoint {
  /** One URL for both services, like LocalStack: http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  firehose: LocalFirehose;
  /** Stops serving, delivering what Firehose still buffers first. */
  close(): Promise<void>;
}

/**
 * The built-in endpoint: Kinesis (kinesalite) and Firehose (our emulator) behind one URL on
 * 127.0.0.1, routed by the X-Amz-Target header. In memory, Kinesis requests go straight to
 * kinesalite's handler; with a data folder they are proxied to kinesalite's child process.
 * Requests from web pages, or addressed to another host name, are refused (see requestGuard).
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  let persistent: LocalKinesis | undefined;
  let inMemory: Server | undefined;
  if (options.path) persistent = await startLocalKinesis({ path: options.path, port: 0, shardLimit: options.shardLimit });
  else inMemory = createKinesaliteServer(options);

  let selfClient: KinesisClient | undefined;
  const front = createServer();
  let firehose: LocalFirehose | undefined;
  const endpointUrl = () => `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const stopAll = async () => {
    await firehose?.close();
    selfClient?.destroy();
    front.closeAllConnections?.();
    if (front.listening) await new Promise<void>((r) => front.close(() => r()));
    if (inMemory) await new Promise<void>((r) => inMemory!.close(() => r()) ?? r());
    await persistent?.close();
  };

  try {
    firehose = createLocalFirehose({
      dataDir: options.deliveryDir ?? (options.path ? join(options.path, 's3') : undefined),
      stateDir: options.path ? join(options.path, 'firehose') : undefined,
      kinesis: async () => (selfClient ??= kinesisClientFor(endpointUrl())),
      log: options.log,
      ...options.firehose,
    });
    const port = await listenOnLoopback(front, options.port);
    front.on('request', (req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const isFirehose = target.startsWith(FIREHOSE_TARGET_PREFIX) || target.startsWith(LOCAL_TARGET_PREFIX);
      const refusal = refuseRequest(req, port, isFirehose ? MAX_FIREHOSE_BODY_BYTES : MAX_KINESIS_BODY_BYTES);
      if (refusal) return refuse(res, refusal);
      if (isFirehose) return firehose!.handle(req, res);
      if (inMemory) return void inMemory.emit('request', req, res);
      const upstream = request(
        { host: '127.0.0.1', port: persistent!.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(503, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: `local Kinesis is not answering: ${e.message}` }));
      });
      req.on('error', () => upstream.destroy());
      req.pipe(upstream);
    });
    await firehose.resumeSources();
    let closed: Promise<void> | undefined;
    return { endpoint: endpointUrl(), port, firehose, close: () => (closed ??= stopAll()) };
  } catch (e) {
    // A failed start (the port is taken, the data folder is unreadable) leaves nothing running.
    await stopAll().catch(() => undefined);
    throw e;
  }
}

/** A refusal carries no CORS header, so a browser gives the page nothing; the body says why. */
function refuse(res: ServerResponse, r: Refusal): void {
  const text = JSON.stringify({ __type: r.type, message: r.message });
  res.writeHead(r.status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text);
}
