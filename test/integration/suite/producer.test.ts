import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { ProducerHooks } from '../../../src/vscode/producer';
import type { InspectorHooks } from '../../../src/vscode/inspector';
import { api, createStream, hook, localClient, until } from '../helpers';

async function readAll(client: KinesisClient, stream: string): Promise<{ partitionKey: string; data: string }[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const out: { partitionKey: string; data: string }[] = [];
  for (const s of shards) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const r = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      for (const rec of r.Records ?? []) out.push({ partitionKey: rec.PartitionKey!, data: Buffer.from(rec.Data!).toString('utf8') });
      if (!r.Records?.length) break;
      it = r.NextShardIterator;
    }
  }
  return out;
}

describe('Producer inside VS Code', () => {
  const name = `prod-${Date.now().toString(36)}`;
  let client: KinesisClient | undefined;

  after(async () => {
    await client?.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
  });

  it('opens the panel on a local stream, runs a template into it, and the records read back (also in the inspector)', async () => {
    const a = await api();
    const local = await localClient(a);
    const connection = local.connection;
    client = local.client;
    await createStream(client, name, 2);

    const key = await vscode.commands.executeCommand<string>('kinesis.produceRecords', { connection, streamName: name });
    assert.ok(key, 'the command returns the panel key');
    const panel = hook<ProducerHooks>(a, 'producer').panels.get(key);
    assert.ok(panel, 'a producer panel is open for the stream');
    await Promise.race([panel.whenReady(), new Promise((_, rej) => setTimeout(() => rej(new Error('the webview never posted ready')), 60_000))]);
    // The same command on the same stream reveals the same panel.
    assert.equal(await vscode.commands.executeCommand<string>('kinesis.produceRecords', { connection, streamName: name }), key);

    const result = await panel.start(
      { type: 'template', template: '{"id": {{counter}}, "device": "d-{{int(1, 5)}}", "temp": {{float(10, 30, 1)}}}', partitionKey: { type: 'field', field: 'device' } },
      { amount: { type: 'count', count: 2000 }, rate: 0, ordered: false, onInvalid: 'stop' },
    );
    assert.equal(result.status, 'completed', result.error);
    assert.equal(result.sent, 2000);
    assert.equal(result.undelivered, 0);
    assert.equal(panel.state, 'idle');

    const read = await readAll(client, name);
    assert.equal(read.length, 2000);
    const ids = new Set(read.map((r) => (JSON.parse(r.data) as { id: number }).id));
    assert.equal(ids.size, 2000, 'each record once');
    for (const r of read) assert.equal((JSON.parse(r.data) as { device: string }).device, r.partitionKey);

    // A bad template is refused before anything is sent.
    await assert.rejects(
      panel.start({ type: 'template', template: '{"id": {{nope}}}', partitionKey: { type: 'random' } }, { amount: { type: 'count', count: 10 }, rate: 0, ordered: false, onInvalid: 'stop' }),
      /unknown placeholder "nope"/,
    );
    assert.equal((await readAll(client, name)).length, 2000);

    // A file from disk, with a malformed line skipped and reported by its number.
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'producer-it-')), 'events.jsonl');
    writeFileSync(file, ['{"id": 5001, "u": "a"}', '{"id": 5002, "u": ', '{"id": 5003, "u": "b"}'].join('\n') + '\n');
    const fileRun = { type: 'file' as const, path: file, format: 'jsonl' as const, partitionKey: { type: 'field' as const, field: 'u' } };
    // A path the webview names but the host never picked is refused, before anything is read.
    await assert.rejects(panel.start(fileRun, { amount: { type: 'untilStopped' }, rate: 0, ordered: false, onInvalid: 'skip' }), /only reads a file chosen with its Choose file/);
    panel.filePicked(file); // what the host's open dialog does (a dialog cannot be clicked in the extension host)
    const fromFile = await panel.start(
      { type: 'file', path: file, format: 'jsonl', partitionKey: { type: 'field', field: 'u' } },
      { amount: { type: 'untilStopped' }, rate: 0, ordered: false, onInvalid: 'skip' },
    );
    assert.equal(fromFile.sent, 2);
    assert.equal(fromFile.rejected, 1);
    assert.equal(fromFile.problems[0].origin, 'line 2');

    // The inspector reads them all back.
    const inspectorKey = await vscode.commands.executeCommand<string>('kinesis.inspectRecords', { connection, streamName: name });
    const inspector = hook<InspectorHooks>(a, 'inspector').panels.get(inspectorKey);
    assert.ok(inspector);
    await inspector.whenReady();
    await inspector.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
    await until('the inspector to hold all 2002 records', () => inspector.model.heldCount === 2002);
    inspector.dispose();
    panel.dispose();
  });
});
