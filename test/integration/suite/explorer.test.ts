import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisDevtoolsTestApi } from '../../../src/vscode/api';
import type { ExplorerNode, StreamNode, ShardNode } from '../../../src/vscode/tree/nodes';
import { StreamService } from '../../../src/core/kinesis/streamService';
import { api } from '../helpers';

async function children(a: KinesisDevtoolsTestApi, node?: ExplorerNode): Promise<ExplorerNode[]> {
  return a.explorer.getChildren(node);
}

async function localStreams(a: KinesisDevtoolsTestApi): Promise<StreamNode[]> {
  const [local] = await children(a);
  assert.equal(local.kind, 'connection');
  const [dataStreams] = await children(a, local);
  assert.equal(dataStreams.kind, 'dataStreams');
  return (await children(a, dataStreams)).filter((n): n is StreamNode => n.kind === 'stream');
}

describe('Kinesis explorer inside VS Code', () => {
  it('activates, contributes the view and its commands', async () => {
    const a = await api();
    assert.ok(a.services && a.explorer);
    // activate() does no network work: the local endpoint has not been started by it.
    assert.equal(a.services.local.isEmbeddedRunning, false);
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['kinesis.createStream', 'kinesis.deleteStream', 'kinesis.splitShard', 'kinesis.mergeShards', 'kinesis.refresh']) {
      assert.ok(cmds.includes(c), c);
    }
  });

  it('shows Local first and starts the built-in endpoint on expand', async () => {
    const a = await api();
    const [local] = await children(a);
    assert.equal(local.kind, 'connection');
    assert.equal((local as { connection: { kind: string } }).connection.kind, 'local');
    const [dataStreams] = await children(a, local);
    assert.equal(dataStreams.kind, 'dataStreams');
    const url = await a.services.local.currentEndpoint();
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates a stream, splits a shard and deletes the stream through the commands', async () => {
    const a = await api();
    const name = `it-${Date.now().toString(36)}`;
    const [local] = await children(a);
    const [dataStreams] = await children(a, local);
    const created = await vscode.commands.executeCommand('kinesis.createStream', dataStreams, { name, shardCount: 2 });
    assert.equal(created, name);

    let stream = (await localStreams(a)).find((s) => s.streamName === name);
    assert.ok(stream, 'the new stream is in the tree');
    const client = await a.services.clients.kinesisClient(stream.connection);
    await client.send(new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: 'a', Data: Buffer.from('{"Id":1}') }] }));

    const [shardsFolder] = await children(a, stream);
    let shards = (await children(a, shardsFolder)) as ShardNode[];
    assert.equal(shards.length, 2);
    assert.ok(shards.every((s) => !s.shard.closed));

    // Options stand in for the input box (the key it would default to: the range's midpoint).
    await vscode.commands.executeCommand('kinesis.splitShard', { connection: stream.connection, streamName: name }, {
      shardId: shards[0].shard.shardId,
      newStartingHashKey: ((BigInt(shards[0].shard.startingHashKey) + BigInt(shards[0].shard.endingHashKey)) / 2n).toString(),
    });
    stream = (await localStreams(a)).find((s) => s.streamName === name)!;
    const [shardsAfter] = await children(a, stream);
    shards = (await children(a, shardsAfter)) as ShardNode[];
    assert.equal(shards.length, 4, 'the parent stays, closed, beside its two children');
    const parent = shards.find((s) => s.shard.closed)!;
    assert.equal(shards.filter((s) => s.shard.parentShardId === parent.shard.shardId).length, 2);
    const item = shards.find((s) => s.shard.parentShardId)!.toTreeItem();
    assert.match(String(item.description), /split from #0/);

    const svc = new StreamService(client);
    assert.equal((await svc.describe(name)).openShardCount, 3);

    const deleted = await vscode.commands.executeCommand('kinesis.deleteStream', stream, { confirm: true });
    assert.equal(deleted, true);
    assert.ok(!(await localStreams(a)).some((s) => s.streamName === name), 'the stream is gone from the tree');
  });

  it('answers bad input with a clear error instead of a raw SDK error', async () => {
    const a = await api();
    const [local] = await children(a);
    const [dataStreams] = await children(a, local);
    const logged: string[] = [];
    const orig = a.services.log.error.bind(a.services.log);
    a.services.log.error = (m: string, e?: unknown) => {
      logged.push(m);
      orig(m, e);
    };
    try {
      const r = await vscode.commands.executeCommand('kinesis.createStream', dataStreams, { name: 'not valid!', shardCount: 1 });
      assert.equal(r, undefined);
      assert.ok(logged.some((m) => /may hold only letters, digits/.test(m)), logged.join('\n'));
    } finally {
      a.services.log.error = orig;
    }
  });

  it('shows an unreachable endpoint as one error item and keeps the rest of the tree working', async () => {
    const a = await api();
    const id = await vscode.commands.executeCommand<string>('kinesis.addEndpoint', { name: 'Nowhere', endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    try {
      const conns = await children(a);
      const dead = conns.find((n) => n.kind === 'connection' && n.connection.id === id);
      assert.ok(dead, 'the new connection is listed');
      const [folder] = await children(a, dead);
      const items = await children(a, folder);
      assert.equal(items.length, 1);
      assert.equal(items[0].kind, 'message');
      const item = items[0].toTreeItem();
      assert.match(String(item.label), /Could not list streams: the endpoint http:\/\/127\.0\.0\.1:9 is not reachable/);
      assert.equal(item.command?.command, 'kinesis.refresh');
      // Local still answers.
      assert.ok(Array.isArray(await localStreams(a)));
    } finally {
      await vscode.workspace.getConfiguration('kinesis').update('connections.endpoints', [], vscode.ConfigurationTarget.Global);
    }
  });

  it('lists the built-in Firehose emulator\'s delivery streams under Local', async () => {
    const a = await api();
    const { CreateDeliveryStreamCommand } = await import('@aws-sdk/client-firehose');
    const [local] = await children(a);
    const [, deliveryFolder] = await children(a, local);
    assert.equal(deliveryFolder.kind, 'deliveryStreams');
    const firehose = await a.services.clients.firehoseClient((local as { connection: import('../../../src/core/aws/connection').Connection }).connection);
    const name = `it-ds-${Date.now().toString(36)}`;
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::it-bucket', RoleARN: 'arn:aws:iam::000000000000:role/r', Prefix: 'p/' } }));
    const items = await children(a, deliveryFolder);
    const node = items.find((n) => n.kind === 'deliveryStream' && n.stream.name === name);
    assert.ok(node, items.map((n) => n.kind).join(','));
    const details = (await children(a, node)).map((n) => n.toTreeItem());
    // On the Local connection, what it delivered follows its settings.
    assert.deepEqual(details.map((d) => d.label), ['Source', 'Processing', 'Destination: S3', 'Delivered objects', 'Error output']);
    assert.match(String(details[2].description), /s3:\/\/it-bucket\/p\//);
  });
});
