import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { patchKinesalite, quietAbortedRequests } from './kinesalitePatches';

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
  if (options.path) return startPersistentKinesis(options as LocalKinesisOptions & { path: string });
  const server = createKinesaliteServer(options);
  const port = await listenOnLoopback(server, options.port);
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

/** Listens on 127.0.0.1 only (never every interface); resolves with the port. */
export function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** An in-memory kinesalite server, not yet listening: its 'request' handler serves Kinesis. */
export function createKinesaliteServer(options: Pick<LocalKinesisOptions, 'shardLimit'> = {}): Server {
  // Loaded lazily: it costs nothing until the Local connection is used, and esbuild keeps it external.
  patchKinesalite(require);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const kinesalite = require('kinesalite') as (opts: object) => Server;
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: options.shardLimit ?? 1000 });
  quietAbortedRequests(server);
  return server;
}

/**
 * With a data folder kinesalite stores through leveldown, a native module that has been seen to
 * crash the whole process when its database closes. So the persistent endpoint runs in a child
 * process: a crash there cannot take down VS Code's extension host, and stopping it is a kill
 * (leveldb's log keeps what was written).
 */
async function startPersistentKinesis(options: LocalKinesisOptions & { path: string }): Promise<LocalKinesis> {
  const script = `
    (${patchKinesalite.toString()})(require('module').createRequire(${JSON.stringify(require.resolve('kinesalite'))}));
    const server = require(${JSON.stringify(require.resolve('kinesalite'))})(${JSON.stringify({
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: options.shardLimit ?? 1000,
      path: options.path,
    })});
    (${quietAbortedRequests.toString()})(server);
    server.listen(${options.port ?? 0}, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
    server.on('error', (e) => { console.error(e.message); process.exit(2); });
    process.on('SIGTERM', () => process.exit(0));
    // Ends with its parent, however the parent ends: its stdin closes then.
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  `;
  // ELECTRON_RUN_AS_NODE makes desktop VS Code's binary behave as plain Node.
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`kinesalite exited (${code}): ${stderr.trim() || 'no output'}`)));
    child.once('error', reject);
  }).catch((e) => {
    // Nothing may stay behind a failed start (a live child would hold the LevelDB lock).
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  });
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
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
