/**
 * Real local endpoints for tests and benchmarks: kinesalite in this process, kinesis-local
 * (kinesis-mock) in a child process for what kinesalite lacks. Shared by core tests,
 * benchmarks and scripts; nothing here imports vscode.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { LocalKinesis, startLocalKinesis } from '../../src/core/local/localKinesis';

export interface TestEndpoint {
  endpoint: string;
  client: KinesisClient;
  close(): Promise<void>;
}

export async function startKinesalite(opts: { shardLimit?: number } = {}): Promise<TestEndpoint & { server: LocalKinesis }> {
  const server = await startLocalKinesis({ shardLimit: opts.shardLimit ?? 2000 });
  const client = kinesisClientFor(server.endpoint);
  return {
    endpoint: server.endpoint,
    client,
    server,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** kinesis-mock (npm kinesis-local): UpdateShardCount, consumers, ChildShards, StreamARN. */
export async function startKinesisMock(): Promise<TestEndpoint & { child: ChildProcess }> {
  const main = require.resolve('kinesis-local/main.js');
  const [plain, tls] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [main], {
    cwd: dirname(main),
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plain),
      KINESIS_MOCK_TLS_PORT: String(tls),
      CREATE_STREAM_DURATION: '0ms',
      DELETE_STREAM_DURATION: '0ms',
      UPDATE_SHARD_COUNT_DURATION: '0ms',
      SPLIT_SHARD_DURATION: '0ms',
      MERGE_SHARDS_DURATION: '0ms',
      REGISTER_STREAM_CONSUMER_DURATION: '0ms',
      DEREGISTER_STREAM_CONSUMER_DURATION: '0ms',
      ROOT_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const endpoint = `http://127.0.0.1:${plain}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kinesis-local exited with ${child.exitCode}`);
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.ListStreams', Authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request' },
        body: '{}',
      });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('kinesis-local did not start in 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const client = kinesisClientFor(endpoint);
  return {
    endpoint,
    client,
    child,
    close: async () => {
      client.destroy();
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // It has been seen to ignore SIGTERM under load.
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await new Promise((r) => child.once('exit', r));
      clearTimeout(killer);
    },
  };
}

let counter = 0;
/** A stream name unique within the run. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}
