import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createKinesaliteServer, listenOnLoopback, startLocalKinesis, LocalKinesis } from './localKinesis';
import { createLocalFirehose, FIREHOSE_TARGET_PREFIX, LocalFirehose } from './firehoseEmulator';
import { kinesisClientFor } from '../aws/clientFactory';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

export interface LocalEndpointOptions {
  port?: number;
  /** Persist Kinesis streams (and write Firehose deliveries) under this folder. */
  path?: string;
  /** Where Firehose writes delivered objects (bucket/key); defaults to <path>/s3, else memory. */
  deliveryDir?: string;
  shardLimit?: number;
}

export interface LocalEndpoint {
  /** One URL for both services, like LocalStack: http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  firehose: LocalFirehose;
  close(): Promise<void>;
}

/**
 * The built-in endpoint: Kinesis (kinesalite) and Firehose (our emulator) behind one URL on
 * 127.0.0.1, routed by the X-Amz-Target header. In memory, Kinesis requests go straight to
 * kinesalite's handler; with a data folder they are proxied to kinesalite's child process.
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  let persistent: LocalKinesis | undefined;
  let inMemory: Server | undefined;
  if (options.path) persistent = await startLocalKinesis({ path: options.path, port: 0, shardLimit: options.shardLimit });
  else inMemory = createKinesaliteServer(options);

  let selfClient: KinesisClient | undefined;
  const front = createServer();
  const firehose = createLocalFirehose({
    dataDir: options.deliveryDir ?? (options.path ? join(options.path, 's3') : undefined),
    kinesis: async () => (selfClient ??= kinesisClientFor(endpointUrl())),
  });
  const endpointUrl = () => `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  front.on('request', (req, res) => {
    if (String(req.headers['x-amz-target'] ?? '').startsWith(FIREHOSE_TARGET_PREFIX)) return firehose.handle(req, res);
    if (inMemory) return void inMemory.emit('request', req, res);
    const upstream = request(
      { host: '127.0.0.1', port: persistent!.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.writeHead(503, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: `local Kinesis is not answering: ${e.message}` }));
    });
    req.pipe(upstream);
  });
  const port = await listenOnLoopback(front, options.port);
  let closed: Promise<void> | undefined;
  return {
    endpoint: endpointUrl(),
    port,
    firehose,
    close: () =>
      (closed ??= (async () => {
        await firehose.close();
        selfClient?.destroy();
        front.closeAllConnections?.();
        await new Promise<void>((r) => front.close(() => r()));
        if (inMemory) await new Promise<void>((r) => inMemory!.close(() => r()) ?? r());
        await persistent?.close();
      })()),
  };
}
