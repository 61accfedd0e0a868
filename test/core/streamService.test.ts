import * as assert from 'node:assert/strict';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { midpoint } from '../../src/core/kinesis/hashKeys';
import { sortShards } from '../../src/core/kinesis/model';
import { describeError, UserError } from '../../src/core/aws/errors';
import { startKinesalite, startKinesisMock, TestEndpoint, uniqueName } from '../support/endpoints';

describe('StreamService against kinesalite', function () {
  let ep: TestEndpoint;
  let svc: StreamService;
  before(async () => {
    ep = await startKinesalite();
    svc = new StreamService(ep.client);
  });
  after(() => ep.close());

  it('creates, describes, lists and deletes a stream', async () => {
    const name = uniqueName('crud');
    await svc.create(name, { shardCount: 2 });
    await svc.waitFor(name, 'ACTIVE');
    const d = await svc.describe(name);
    assert.equal(d.name, name);
    assert.equal(d.status, 'ACTIVE');
    assert.equal(d.openShardCount, 2);
    assert.equal(d.retentionHours, 24);
    const all = await svc.listAllStreams();
    assert.ok(all.some((s) => s.name === name));
    await svc.delete(name);
    await svc.waitFor(name, 'DELETED');
    assert.ok(!(await svc.listAllStreams()).some((s) => s.name === name));
  });

  it('pages through streams with a cursor, each stream once', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(3, '0')}-${process.pid}`);
    await Promise.all(names.map((n) => svc.create(n, { shardCount: 1 })));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await svc.listStreamsPage(cursor, 10);
      assert.ok(page.streams.length <= 10);
      seen.push(...page.streams.map((s) => s.name));
      cursor = page.next;
      pages++;
    } while (cursor);
    assert.ok(pages >= 3, `expected at least 3 pages, got ${pages}`);
    for (const n of names) assert.equal(seen.filter((s) => s === n).length, 1, n);
  });

  it('splits a shard and merges the children back, keeping lineage', async () => {
    const name = uniqueName('split');
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE');
    await ep.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: Buffer.from('x') }));
    const [parent] = await svc.listShards(name);
    await svc.splitShard(name, parent, midpoint(parent.startingHashKey, parent.endingHashKey));
    await svc.waitFor(name, 'ACTIVE');
    const afterSplit = sortShards(await svc.listShards(name));
    assert.equal(afterSplit.length, 3);
    assert.equal(afterSplit[0].shardId, parent.shardId);
    assert.ok(afterSplit[0].closed);
    const children = afterSplit.filter((s) => s.parentShardId === parent.shardId);
    assert.equal(children.length, 2);
    await svc.mergeShards(name, children[0], children[1]);
    await svc.waitFor(name, 'ACTIVE');
    const merged = (await svc.listShards(name)).find((s) => s.adjacentParentShardId);
    assert.ok(merged, 'a merged shard with an adjacent parent');
    assert.deepEqual([merged!.parentShardId, merged!.adjacentParentShardId].sort(), children.map((c) => c.shardId).sort());
  });

  it('rejects bad input before calling Kinesis', async () => {
    await assert.rejects(svc.create('bad name!', { shardCount: 1 }), (e: Error) => e instanceof UserError && /not allowed/.test(e.message));
    await assert.rejects(svc.create(uniqueName(), { shardCount: 0 }), /at least 1 shard/);
    const name = uniqueName('bad');
    await svc.create(name, { shardCount: 2 });
    await svc.waitFor(name, 'ACTIVE');
    const [a, b] = sortShards(await svc.listShards(name));
    await assert.rejects(svc.splitShard(name, a, b.startingHashKey), /must be above .* and at most/);
    await assert.rejects(svc.splitShard(name, a, 'abc'), /whole number/);
    await assert.rejects(svc.create(uniqueName(), { shardCount: 501 }), /At most 500 shards/);
  });

  it('refuses to merge shards that are not adjacent', async () => {
    const name = uniqueName('merge');
    await svc.create(name, { shardCount: 3 });
    await svc.waitFor(name, 'ACTIVE');
    const [a, , c] = sortShards(await svc.listShards(name));
    await assert.rejects(svc.mergeShards(name, a, c), /not adjacent/);
  });

  it('changes retention and tags', async () => {
    const name = uniqueName('ret');
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE');
    await svc.setRetention(name, 24, 48);
    assert.equal((await svc.describe(name)).retentionHours, 48);
    await svc.addTags(name, { team: 'data', env: 'dev' });
    assert.deepEqual(await svc.listTags(name), { team: 'data', env: 'dev' });
    await svc.removeTags(name, ['env']);
    assert.deepEqual(await svc.listTags(name), { team: 'data' });
  });

  it('says plainly that a stream does not exist', async () => {
    const err = await svc.describe('no-such-stream').catch((e) => e);
    const f = describeError(err, { operation: 'describe the stream', stream: 'no-such-stream' });
    assert.match(f.message, /stream "no-such-stream" not found/);
  });

  it('says plainly that an endpoint is unreachable', async () => {
    const { kinesisClientFor } = await import('../../src/core/aws/clientFactory');
    const dead = new StreamService(kinesisClientFor('http://127.0.0.1:9'));
    const err = await dead.listStreamsPage().catch((e) => e);
    const f = describeError(err, { operation: 'list streams', endpoint: 'http://127.0.0.1:9' });
    assert.match(f.message, /not reachable/);
    assert.ok(f.action);
    dead.client.destroy();
  });
});

describe('StreamService against kinesis-local (what kinesalite lacks)', function () {
  this.timeout(90_000);
  let ep: TestEndpoint;
  let svc: StreamService;
  before(async () => {
    ep = await startKinesisMock();
    svc = new StreamService(ep.client);
  });
  after(() => ep?.close());

  it('updates the shard count and shows closed parents', async () => {
    const name = uniqueName('usc');
    await svc.create(name, { shardCount: 2 });
    await svc.waitFor(name, 'ACTIVE');
    await svc.updateShardCount(name, 4);
    await svc.waitFor(name, 'ACTIVE');
    const d = await svc.describe(name);
    assert.equal(d.openShardCount, 4);
    const shards = await svc.listShards(name);
    assert.equal(shards.filter((s) => !s.closed).length, 4);
  });

  it('creates an on-demand stream and lists its consumers', async () => {
    const { RegisterStreamConsumerCommand } = await import('@aws-sdk/client-kinesis');
    const name = uniqueName('od');
    await svc.create(name, { onDemand: true });
    await svc.waitFor(name, 'ACTIVE');
    const d = await svc.describe(name);
    assert.equal(d.mode, 'ON_DEMAND');
    assert.ok(d.arn);
    await ep.client.send(new RegisterStreamConsumerCommand({ StreamARN: d.arn, ConsumerName: 'reader-1' }));
    const consumers = await svc.listConsumers(d.arn!);
    assert.deepEqual(consumers.map((c) => c.name), ['reader-1']);
  });
});
