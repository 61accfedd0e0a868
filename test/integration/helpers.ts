/** Shared by the integration suites (inside VS Code's extension host). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisDevtoolsTestApi } from '../../src/vscode/api';
import type { Connection } from '../../src/core/aws/connection';
import { StreamService } from '../../src/core/kinesis/streamService';

export const EXTENSION_ID = 'kinesis-devtools.kinesis-devtools';

/** Activates the extension (once) and returns its test API (given only in ExtensionMode.Test). */
export async function api(): Promise<KinesisDevtoolsTestApi> {
  const ext = vscode.extensions.getExtension<KinesisDevtoolsTestApi | undefined>(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  const exported = await ext.activate();
  assert.ok(exported, 'the extension gives its test API when VS Code runs it in test mode');
  return exported;
}

/** A feature's test hook, as its register function published it on the API. */
export function hook<T>(a: KinesisDevtoolsTestApi, name: string): T {
  const h = a.hooks?.[name] as T | undefined;
  assert.ok(h, `the ${name} exposes its test hook`);
  return h;
}

/** Polls until fn returns something truthy. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The Local connection and a Kinesis client for it (starting the built-in endpoint). */
export async function localClient(a: KinesisDevtoolsTestApi): Promise<{ connection: Connection; client: KinesisClient }> {
  const connection = (await a.services.connections.list()).find((c) => c.kind === 'local');
  assert.ok(connection, 'the Local connection is listed');
  return { connection, client: await a.services.clients.kinesisClient(connection) };
}

/** Creates a stream and waits until it is ACTIVE. */
export async function createStream(client: KinesisClient, name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await new StreamService(client).waitFor(name, 'ACTIVE', { intervalMs: 100 });
}
