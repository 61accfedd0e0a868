import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DeleteStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { InspectorHooks } from '../../../src/vscode/inspector';
import { api, createStream, hook, until } from '../helpers';
import { StreamService } from '../../../src/core/kinesis/streamService';
import { midpoint } from '../../../src/core/kinesis/hashKeys';


describe('Record inspector inside VS Code', () => {
  const name = `insp-${Date.now().toString(36)}`;
  let client: KinesisClient | undefined;

  after(async () => {
    await client?.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
  });

  it('opens on a local stream from the command, receives records, filters them, follows a split and stops when closed', async () => {
    const a = await api();
    const connection = (await a.services.connections.list()).find((c) => c.kind === 'local');
    assert.ok(connection, 'the Local connection is listed');
    assert.match(await a.services.local.endpoint(), /^http:\/\/127\.0\.0\.1:\d+$/);
    client = await a.services.clients.kinesisClient(connection);
    await createStream(client, name, 2);

    const records = Array.from({ length: 30 }, (_, i) => ({
      PartitionKey: `device-${i % 5}`,
      Data: Buffer.from(JSON.stringify({ level: i % 3 === 0 ? 'ERROR' : 'INFO', n: i })),
    }));
    records.push({ PartitionKey: 'xss', Data: Buffer.from('<img src=x onerror=alert(1)>') });
    const put = await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
    assert.equal(put.FailedRecordCount ?? 0, 0);

    const key = await vscode.commands.executeCommand<string>('kinesis.inspectRecords', { connection, streamName: name });
    assert.ok(key, 'the command returns the panel key');
    const hooks = hook<InspectorHooks>(a, 'inspector');
    const panel = hooks.panels.get(key);
    assert.ok(panel, 'one panel is open for the stream');
    // The webview bundle loaded and spoke first (the protocol starts with `ready`).
    await Promise.race([panel.whenReady(), new Promise((_, rej) => setTimeout(() => rej(new Error('the webview never posted ready')), 60_000))]);

    // A second Inspect on the same stream reveals the same panel.
    const again = await vscode.commands.executeCommand<string>('kinesis.inspectRecords', { connection, streamName: name });
    assert.equal(again, key);
    assert.equal(hooks.panels.get(key), panel);
    assert.equal([...hooks.panels.keys()].filter((k) => k === key).length, 1);

    // Inspect from a shard item: the same panel, with that shard preselected.
    await vscode.commands.executeCommand('kinesis.inspectRecords', { connection, streamName: name, shard: { shardId: 'shardId-000000000001' } });
    assert.deepEqual(panel.options.shards, ['shardId-000000000001']);

    await panel.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
    assert.equal(panel.state, 'playing');
    await until('all 31 records', () => panel.model.heldCount === 31);
    assert.equal(panel.model.matchingCount, 31);

    // Decoded on the host: JSON parsed, the HTML-looking record kept as plain text.
    const rows = panel.model.rows(0, 100);
    assert.equal(rows.length, 31);
    const xss = rows.find((r) => r.partitionKey === 'xss');
    assert.ok(xss);
    assert.equal(panel.model.get(xss.id)?.text, '<img src=x onerror=alert(1)>');
    assert.deepEqual(panel.model.get(rows.find((r) => r.partitionKey !== 'xss')!.id)?.decodings, ['json']);

    // A JMESPath filter reduces the view; a bad expression is an error, not a throw, and leaves the view.
    assert.deepEqual(panel.model.setFilter({ jmespath: "level == 'ERROR'" }), {});
    assert.equal(panel.model.matchingCount, 10);
    assert.ok(panel.model.rows(0, 100).every((r) => r.preview.includes('ERROR')));
    const bad = panel.model.setFilter({ jmespath: 'level ==' });
    assert.ok(bad.error, 'a syntax error comes back as a message');
    assert.equal(panel.model.matchingCount, 10);
    panel.model.setFilter({ partitionKey: 'device-1', jmespath: "level == 'INFO'" });
    assert.equal(panel.model.matchingCount, 4);
    // Export writes the filtered records (JSON Lines, one per line).
    const file = vscode.Uri.file(path.join(os.tmpdir(), `${name}.jsonl`));
    assert.equal(await panel.exportTo('jsonl', file), 4);
    const lines = (await fs.readFile(file.fsPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.ok(lines.every((l) => l.partitionKey === 'device-1' && l.data.level === 'INFO'));
    await fs.rm(file.fsPath, { force: true });
    // ...and the same records go to a transform notebook as its stored sample.
    assert.deepEqual(await panel.sendToNotebook(), { sent: 4, of: 4 });
    const nb = vscode.window.activeNotebookEditor?.notebook;
    assert.ok(nb, 'a notebook opened');
    const stored = JSON.stringify(nb.getCells().map((c) => c.metadata));
    assert.equal(stored.match(/"partitionKey":"device-1"/g)?.length, 4, 'the notebook stores the 4 records as its sample');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    panel.model.setFilter({});
    assert.equal(panel.model.matchingCount, 31);

    // Shard progress reached the panel.
    await until('progress for both shards', () => panel.shardProgress.length === 2);

    // Tailing through a split: the Split Shard command closes shard 0, and records put afterwards
    // land in its children, which the running reader follows (no record missed or read twice).
    const [shard0] = (await new StreamService(client).listShards(name)).filter((s) => s.shardId === 'shardId-000000000000');
    await vscode.commands.executeCommand('kinesis.splitShard', { connection, streamName: name }, { shardId: shard0.shardId, newStartingHashKey: midpoint(shard0.startingHashKey, shard0.endingHashKey) });
    const after = Array.from({ length: 40 }, (_, i) => ({ PartitionKey: `after-${i}`, Data: Buffer.from(JSON.stringify({ after: i })) }));
    assert.equal((await client.send(new PutRecordsCommand({ StreamName: name, Records: after }))).FailedRecordCount ?? 0, 0);
    await until('the records put after the split', () => panel.model.heldCount === 71, 90_000);
    const ids = panel.model.rows(0, 200).map((r) => r.id);
    assert.equal(new Set(ids).size, 71, 'no record twice');
    await until('progress for the children too', () => panel.shardProgress.length === 4, 60_000);
    assert.ok(panel.shardProgress.some((p) => p.shardId === 'shardId-000000000000' && p.state === 'closed'), JSON.stringify(panel.shardProgress));

    // Closing the panel stops its reader and forgets it.
    panel.panel.dispose();
    await until('the reader to stop', () => panel.state === 'stopped');
    assert.equal(hooks.panels.has(key), false);
  });
});
