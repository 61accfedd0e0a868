import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { InspectorHooks } from '../../../src/vscode/inspector';
import { replayReport } from '../../../src/vscode/inspector/replay';
import { api, createStream, hook, localClient, until } from '../helpers';
import { StreamService } from '../../../src/core/kinesis/streamService';

/**
 * Replay through the inspector panel's host: records read in the panel (a window of them),
 * filtered, then sent to another stream on the Local connection through the core replay, with
 * the progress notification and the report; the target holds each once, keys kept. The quick
 * picks that choose the target are the only part not driven here (the test calls what they lead to).
 */
describe('Record inspector: read a window, then replay the filtered records', () => {
  const source = `replay-src-${Date.now().toString(36)}`;
  const target = `replay-dst-${Date.now().toString(36)}`;
  let client: KinesisClient | undefined;

  after(async () => {
    for (const s of [source, target]) await client?.send(new DeleteStreamCommand({ StreamName: s })).catch(() => undefined);
  });

  it('reads 40 of 60 records, replays the ERROR ones among them with their keys, and reports every one sent', async () => {
    const a = await api();
    const local = await localClient(a);
    client = local.client;
    await createStream(client, source, 2);
    await createStream(client, target, 1);
    const records = Array.from({ length: 60 }, (_, i) => ({ PartitionKey: `device-${i % 4}`, Data: Buffer.from(JSON.stringify({ level: i % 3 === 0 ? 'ERROR' : 'INFO', n: i })) }));
    for (let i = 0; i < 60; i += 20) {
      // Put in three calls so that "the first 40" is the first two calls on either shard.
      assert.equal((await client.send(new PutRecordsCommand({ StreamName: source, Records: records.slice(i, i + 20) }))).FailedRecordCount ?? 0, 0);
    }

    const key = await vscode.commands.executeCommand<string>('kinesis.inspectRecords', { connection: local.connection, streamName: source });
    const panel = hook<InspectorHooks>(a, 'inspector').panels.get(key);
    assert.ok(panel);
    await panel.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all', end: { count: 40 } });
    await until('the window read to its end', () => panel.state === 'stopped' && panel.model.heldCount === 40, 60_000);
    assert.deepEqual(panel.session.status().ended, { reason: 'count', recordsRead: 40 });

    panel.model.setFilter({ jmespath: "level == 'ERROR'" });
    const chosen = [...panel.model.filtered()];
    assert.ok(chosen.length > 0 && chosen.length < 40);
    const result = await panel.replayWithProgress(chosen, { connection: local.connection, kind: 'stream', name: target });
    assert.equal(result.status, 'completed');
    assert.equal(result.sent, chosen.length);
    assert.equal(result.undelivered + result.rejected, 0);
    assert.equal(replayReport(result, 'x'), `Replayed to x: ${chosen.length} of ${chosen.length} records sent.`);

    // The target holds exactly the chosen records, each once, with their partition keys and bytes.
    const [shard] = await new StreamService(client).listShards(target);
    const it = await client.send(new GetShardIteratorCommand({ StreamName: target, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 1000 }));
    const seen = (got.Records ?? []).map((r) => `${r.PartitionKey}|${Buffer.from(r.Data!).toString()}`).sort();
    const want = chosen.map((r) => `${r.partitionKey}|${Buffer.from(r.rawBase64, 'base64').toString()}`).sort();
    assert.deepEqual(seen, want);
    panel.dispose();
  });
});
