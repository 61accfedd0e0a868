import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalKinesisOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** A folder to persist streams in; in memory when absent. */
  path?: string;
  /** Shards allowed across all streams. */
  shardLimit?: number;
}

export interface LocalKinesis {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts kinesalite in this process, bound to 127.0.0.1 only (its CLI binds every interface).
 * Stream changes are instant, so demos and tests never wait on CREATING.
 */
export async function startLocalKinesis(options: LocalKinesisOptions = {}): Promise<LocalKinesis> {
  // Loaded lazily: it costs nothing until the Local connection is used, and esbuild keeps it external.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const kinesalite = require('kinesalite') as (opts: object) => Server;
  const server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: options.shardLimit ?? 1000,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      })),
  };
}

/** True when something answers Kinesis's ListStreams at the URL (used before pointing at an external endpoint). */
export async function probeEndpoint(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.ListStreams' },
      body: '{"Limit":1}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
