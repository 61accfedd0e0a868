import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalKinesis, startLocalKinesis } from '../../src/core/local/localKinesis';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { StreamService } from '../../src/core/kinesis/streamService';
import { midpoint } from '../../src/core/kinesis/hashKeys';
import { kinesisClientFor, LOCAL_CREDENTIALS } from '../../src/core/aws/clientFactory';
import { readAll, StreamReader } from '../../src/core/records/reader';
import type { RawRecord, ShardProgress } from '../../src/core/records/types';
import { freePort, startKinesalite, startKinesisMock, TestEndpoint, uniqueName } from '../support/endpoints';
import { startFaultProxy } from '../support/faultProxy';

interface Put {
  pk: string;
  data: string;
  shardId: string;
  seq: string;
}

/** Puts records with PutRecords, 500 at a time, `parallel` calls in flight; returns where each landed. */
async function putMany(client: KinesisClient, stream: string, items: { pk: string; data: string }[], parallel = 4): Promise<Put[]> {
  const out: Put[] = new Array(items.length);
  const chunks: number[] = [];
  for (let i = 0; i < items.length; i += 500) chunks.push(i);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const start = chunks[next++];
      const slice = items.slice(start, start + 500);
      let pending = slice.map((it, j) => ({ it, j }));
      while (pending.length) {
        const res = await client.send(
          new PutRecordsCommand({ StreamName: stream, Records: pending.map(({ it }) => ({ PartitionKey: it.pk, Data: Buffer.from(it.data) })) }),
        );
        const retry: typeof pending = [];
        res.Records!.forEach((r, k) => {
          const { it, j } = pending[k];
          if (r.ErrorCode) retry.push(pending[k]);
          else out[start + j] = { ...it, shardId: r.ShardId!, seq: r.SequenceNumber! };
        });
        pending = retry;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

/** Puts in order, one PutRecords at a time (keeps the order per partition key across calls). */
async function putInOrder(client: KinesisClient, stream: string, items: { pk: string; data: string }[]): Promise<Put[]> {
  return putMany(client, stream, items, 1);
}

function key(r: { shardId: string; sequenceNumber?: string; seq?: string }): string {
  return `${r.shardId}/${r.sequenceNumber ?? r.seq}`;
}

/** Every put record was read exactly once, nothing else was read, and each shard's records came in sequence order. */
function assertExactlyOnceInOrder(read: RawRecord[], puts: Put[]): void {
  const seen = new Map<string, number>();
  for (const r of read) seen.set(key(r), (seen.get(key(r)) ?? 0) + 1);
  const dups = [...seen].filter(([, n]) => n > 1);
  assert.equal(dups.length, 0, `duplicates: ${dups.slice(0, 5).map(([k, n]) => `${k} x${n}`).join(', ')}`);
  const expected = new Set(puts.map(key));
  const missing = puts.filter((p) => !seen.has(key(p)));
  assert.equal(missing.length, 0, `missing ${missing.length} records, e.g. ${missing.slice(0, 3).map(key).join(', ')}`);
  const extra = read.filter((r) => !expected.has(key(r)));
  assert.equal(extra.length, 0, `unexpected records: ${extra.slice(0, 3).map(key).join(', ')}`);
  const last = new Map<string, bigint>();
  for (const r of read) {
    const s = BigInt(r.sequenceNumber);
    const prev = last.get(r.shardId);
    assert.ok(prev === undefined || s > prev, `shard ${r.shardId} out of order at ${r.sequenceNumber}`);
    last.set(r.shardId, s);
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function items(n: number, prefix: string, keys = 16): { pk: string; data: string }[] {
  return Array.from({ length: n }, (_, i) => ({ pk: `pk-${i % keys}`, data: JSON.stringify({ prefix, i }) }));
}

describe('StreamReader against kinesalite', function () {
  this.timeout(120_000);
  let ep: TestEndpoint;
  let svc: StreamService;
  before(async () => {
    ep = await startKinesalite();
    svc = new StreamService(ep.client);
  });
  after(() => ep.close());

  async function stream(shards: number): Promise<string> {
    const name = uniqueName('reader');
    await svc.create(name, { shardCount: shards });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    return name;
  }

  describe('start positions', () => {
    let name: string;
    let before1: Put[];
    let after1: Put[];
    let boundary: number;
    before(async () => {
      name = await stream(2);
      before1 = await putInOrder(ep.client, name, items(40, 'a'));
      // Arrival times have millisecond resolution; leave a clear gap around the boundary.
      await new Promise((r) => setTimeout(r, 300));
      boundary = Date.now();
      await new Promise((r) => setTimeout(r, 300));
      after1 = await putInOrder(ep.client, name, items(40, 'b'));
    });

    it('TRIM_HORIZON reads every record once, in order per shard', async () => {
      const read = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
      assertExactlyOnceInOrder(read, [...before1, ...after1]);
      // Fields come through as put.
      const first = read.find((r) => key(r) === key(before1[0]))!;
      assert.equal(first.partitionKey, before1[0].pk);
      assert.equal(Buffer.from(first.data).toString(), before1[0].data);
      assert.ok(first.arrivalTime > 0);
      // Or just the first N.
      const ten = await readAll(ep.client, name, { type: 'TRIM_HORIZON' }, { until: 10 });
      assert.equal(ten.length, 10);
    });

    it('AT_TIMESTAMP reads only what arrived from that time on', async () => {
      const read = await readAll(ep.client, name, { type: 'AT_TIMESTAMP', timestamp: boundary });
      assertExactlyOnceInOrder(read, after1);
    });

    it('AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER read one shard from that record on', async () => {
      const shardId = before1[0].shardId;
      const inShard = [...before1, ...after1].filter((p) => p.shardId === shardId).sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      assert.ok(inShard.length > 10);
      const at = inShard[5];
      const readAt = await readAll(ep.client, name, { type: 'AT_SEQUENCE_NUMBER', shardId, sequenceNumber: at.seq });
      assertExactlyOnceInOrder(readAt, inShard.slice(5));
      const readAfter = await readAll(ep.client, name, { type: 'AFTER_SEQUENCE_NUMBER', shardId, sequenceNumber: at.seq });
      assertExactlyOnceInOrder(readAfter, inShard.slice(6));
    });

    it('reads only the chosen shards', async () => {
      const shardId = after1[0].shardId;
      const read = await readAll(ep.client, name, { type: 'TRIM_HORIZON' }, { shardIds: [shardId] });
      assertExactlyOnceInOrder(read, [...before1, ...after1].filter((p) => p.shardId === shardId));
    });

    it('LATEST reads only what is put after it started, on every shard', async () => {
      const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'LATEST' }, pollIntervalMs: 50 });
      const read: RawRecord[] = [];
      let progress: ShardProgress[] = [];
      reader.onRecords((b) => read.push(...b));
      reader.onProgress((p) => (progress = p));
      reader.start();
      try {
        await waitUntil(() => progress.length === 2 && progress.every((p) => p.state === 'caught-up'), 20_000, 'both shards caught up');
        const later = await putInOrder(ep.client, name, items(30, 'c'));
        await waitUntil(() => read.length >= later.length, 20_000, 'the new records');
        // A few more polls, to be sure nothing else arrives.
        const calls = reader.stats.getRecordsCalls;
        await waitUntil(() => reader.stats.getRecordsCalls >= calls + 4, 20_000, 'more polls');
        assertExactlyOnceInOrder(read, later);
        assert.ok(progress.every((p) => p.millisBehindLatest === 0));
      } finally {
        await reader.stop();
      }
      assert.equal(reader.isRunning, false);
    });
  });

  it('follows a split and a merge made while reading: nothing missed or repeated, parents before children', async () => {
    const name = await stream(2);
    const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'TRIM_HORIZON' }, pollIntervalMs: 50, listShardsIntervalMs: 300 });
    const read: RawRecord[] = [];
    reader.onRecords((b) => read.push(...b));
    reader.start();
    try {
      const puts: Put[] = [];
      puts.push(...(await putInOrder(ep.client, name, items(300, 'p1', 24))));
      const [s0, s1] = (await svc.listShards(name)).sort((a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1));
      await svc.splitShard(name, s0, midpoint(s0.startingHashKey, s0.endingHashKey));
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      puts.push(...(await putInOrder(ep.client, name, items(300, 'p2', 24))));
      const open = (await svc.listShards(name)).filter((s) => !s.closed);
      const upperChild = open.find((s) => s.parentShardId === s0.shardId && s.endingHashKey === s0.endingHashKey)!;
      await svc.mergeShards(name, upperChild, open.find((s) => s.shardId === s1.shardId)!);
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      puts.push(...(await putInOrder(ep.client, name, items(300, 'p3', 24))));
      await waitUntil(() => read.length >= puts.length, 60_000, `all ${puts.length} records (have ${read.length})`);
      const shards = await svc.listShards(name);
      assert.equal(shards.length, 5, 'two parents, two split children, one merged child');
      assertExactlyOnceInOrder(read, puts);
      assertParentsFirst(read, shards);
      assertOrderPerKey(read);
    } finally {
      await reader.stop();
    }
    // Reading the whole history afterwards gives the same, lineage first.
    const again = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
    assert.equal(again.length, read.length);
    assertParentsFirst(again, await svc.listShards(name));
    assertOrderPerKey(again);
  });

  it('reads 50,000 records across 4 shards exactly once, in order per shard', async function () {
    this.timeout(240_000);
    const name = await stream(4);
    const puts = await putMany(ep.client, name, items(50_000, 'big', 1000), 4);
    const read = await readAll(ep.client, name, { type: 'TRIM_HORIZON' }, { timeoutMs: 200_000 });
    assert.equal(read.length, 50_000);
    assertExactlyOnceInOrder(read, puts);
    assert.equal(new Set(read.map((r) => r.shardId)).size, 4);
  });

  it('stops cleanly: stop() resolves, nothing is delivered afterwards, pause holds reading', async () => {
    const name = await stream(1);
    await putInOrder(ep.client, name, items(10, 's'));
    const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'TRIM_HORIZON' }, pollIntervalMs: 20 });
    let n = 0;
    reader.onRecords((b) => (n += b.length));
    reader.start();
    await waitUntil(() => n === 10, 20_000, 'first records');
    reader.pause();
    const callsAtPause = reader.stats.getRecordsCalls;
    await putInOrder(ep.client, name, items(5, 's2'));
    await new Promise((r) => setTimeout(r, 500));
    // At most the call in flight when pausing completes.
    assert.ok(reader.stats.getRecordsCalls <= callsAtPause + 1);
    assert.ok(n <= 15);
    reader.resume();
    await waitUntil(() => n === 15, 20_000, 'records after resume');
    await reader.stop();
    const after = n;
    await putInOrder(ep.client, name, items(5, 's3'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(n, after);
  });

  it('reports a stream that does not exist as a fatal error', async () => {
    await assert.rejects(readAll(ep.client, uniqueName('missing'), { type: 'TRIM_HORIZON' }), (e: Error) => e.name === 'ResourceNotFoundException');
  });
});

describe('StreamReader against kinesis-mock (ChildShards)', function () {
  this.timeout(120_000);

  it('follows a split through the ChildShards of the closed shard', async () => {
    const ep = await startKinesisMock();
    try {
      const svc = new StreamService(ep.client);
      const name = uniqueName('childshards');
      await svc.create(name, { shardCount: 1 });
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 100 });
      const puts = await putInOrder(ep.client, name, items(20, 'k1', 4));
      const [parent] = await svc.listShards(name);
      await svc.splitShard(name, parent, midpoint(parent.startingHashKey, parent.endingHashKey));
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 100 });
      puts.push(...(await putInOrder(ep.client, name, items(20, 'k2', 4))));
      // Periodic ListShards off: only the parent's ChildShards (or the ListShards made when it closes) lead on.
      const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'TRIM_HORIZON' }, listShardsIntervalMs: 0, pollIntervalMs: 50 });
      const read: RawRecord[] = [];
      reader.onRecords((b) => read.push(...b));
      reader.start();
      try {
        await waitUntil(() => read.length >= puts.length, 60_000, 'all records');
      } finally {
        await reader.stop();
      }
      assertExactlyOnceInOrder(read, puts);
      // Only the first ListShards: the children came from ChildShards.
      assert.equal(reader.stats.listShardsCalls, 1);
      const shards = await svc.listShards(name);
      assert.equal(shards.length, 3);
      assertParentsFirst(read, shards, 2);
      assertOrderPerKey(read);
    } finally {
      await ep.close();
    }
  });
});

/** For every shard with parents: its first record came after the last record of each parent. */
function assertParentsFirst(read: RawRecord[], shards: { shardId: string; parentShardId?: string; adjacentParentShardId?: string }[], atLeast = 3): void {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  read.forEach((r, i) => {
    if (!first.has(r.shardId)) first.set(r.shardId, i);
    last.set(r.shardId, i);
  });
  let checked = 0;
  for (const s of shards) {
    for (const p of [s.parentShardId, s.adjacentParentShardId]) {
      if (!p || !first.has(s.shardId) || !last.has(p)) continue;
      assert.ok(first.get(s.shardId)! > last.get(p)!, `${s.shardId} was read before its parent ${p} was drained`);
      checked++;
    }
  }
  assert.ok(checked >= atLeast, `expected parent/child pairs to check, got ${checked}`);
}

/** Records of one partition key were delivered in the order they were put (data carries the put index). */
function assertOrderPerKey(read: RawRecord[]): void {
  const lastByKey = new Map<string, string>();
  const order = (r: RawRecord) => {
    const d = JSON.parse(Buffer.from(r.data).toString()) as { prefix: string; i: number };
    return `${d.prefix}:${String(d.i).padStart(6, '0')}`;
  };
  for (const r of read) {
    const o = order(r);
    const prev = lastByKey.get(r.partitionKey);
    assert.ok(prev === undefined || o > prev, `key ${r.partitionKey}: ${o} after ${prev}`);
    lastByKey.set(r.partitionKey, o);
  }
}

describe('StreamReader under faults', function () {
  this.timeout(120_000);

  it('backs off on throttling and renews expired iterators, reading every record once (fault proxy in front of kinesalite)', async () => {
    // The proxy is the only mock here, and only because kinesalite never throttles reads and its
    // iterators do not expire within a test: it forwards every request to kinesalite and answers
    // some GetRecords / GetShardIterator with the 400 JSON errors real Kinesis sends.
    const ep = await startKinesalite();
    const proxy = await startFaultProxy(ep.endpoint, [
      { operation: 'GetRecords', when: (n) => n % 7 === 0, fault: 'ExpiredIteratorException' },
      { operation: 'GetRecords', when: (n) => n % 3 === 0, fault: 'ProvisionedThroughputExceededException' },
      { operation: 'GetShardIterator', when: (n) => n === 2, fault: 'LimitExceededException' },
    ]);
    // No SDK retries: the reader's own backoff must do the work.
    const client = new KinesisClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    try {
      const svc = new StreamService(ep.client);
      const name = uniqueName('faults');
      await svc.create(name, { shardCount: 2 });
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      const puts = await putMany(ep.client, name, items(2000, 'f'));
      const reader = new StreamReader({ client, streamName: name, start: { type: 'TRIM_HORIZON' }, limitPerCall: 50, pollIntervalMs: 20, minCallIntervalMs: 10, backoffBaseMs: 20, backoffMaxMs: 200 });
      const read: RawRecord[] = [];
      const errors: string[] = [];
      reader.onRecords((b) => read.push(...b));
      reader.onError((e) => errors.push(e.message));
      reader.start();
      try {
        await waitUntil(() => read.length >= puts.length, 90_000, `all records (have ${read.length})`);
        // No more faults from here, so that none is injected into a call that stop() abandons:
        // every fault counted by the proxy has then been answered to, and seen by, the reader.
        proxy.rules = [];
        const calls = reader.stats.getRecordsCalls;
        await waitUntil(() => reader.stats.getRecordsCalls >= calls + 4, 20_000, 'more polls');
      } finally {
        await reader.stop();
      }
      assertExactlyOnceInOrder(read, puts);
      assert.ok(proxy.injected.ProvisionedThroughputExceededException > 0);
      assert.ok(proxy.injected.ExpiredIteratorException > 0);
      assert.equal(proxy.injected.LimitExceededException, 1);
      assert.equal(reader.stats.throttled, proxy.injected.ProvisionedThroughputExceededException + proxy.injected.LimitExceededException);
      assert.equal(reader.stats.expiredIteratorsRenewed, proxy.injected.ExpiredIteratorException);
      assert.deepEqual(errors.filter((e) => !/retrying/.test(e)), []);
    } finally {
      client.destroy();
      await proxy.close();
      await ep.close();
    }
  });

  it('survives the endpoint being killed and restarted mid-read: nothing missed, nothing repeated', async function () {
    this.timeout(180_000);
    // kinesalite with a data folder (startLocalKinesis runs it in a child process then), stopped
    // and started again on the same port and folder.
    const dir = mkdtempSync(join(tmpdir(), 'kinesalite-'));
    const port = await freePort();
    const startChild = () => startLocalKinesis({ port, path: dir });
    const kill = (c: LocalKinesis) => c.close();
    let child = await startChild();
    const client = kinesisClientFor(`http://127.0.0.1:${port}`);
    try {
      const svc = new StreamService(client);
      const name = uniqueName('restart');
      await svc.create(name, { shardCount: 2 });
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      const puts = await putMany(client, name, items(1500, 'r1'));
      const reader = new StreamReader({ client, streamName: name, start: { type: 'TRIM_HORIZON' }, limitPerCall: 40, pollIntervalMs: 20, backoffBaseMs: 50, backoffMaxMs: 500 });
      const read: RawRecord[] = [];
      const retrying: string[] = [];
      let sawError = false;
      reader.onRecords((b) => read.push(...b));
      reader.onError((e) => (e.fatal ? assert.fail(`fatal: ${e.message}`) : retrying.push(e.message)));
      reader.onProgress((p) => (sawError ||= p.some((s) => s.state === 'error')));
      reader.start();
      try {
        await waitUntil(() => read.length >= 200, 30_000, 'some records before the kill');
        await kill(child);
        const atKill = read.length;
        assert.ok(atKill < puts.length, 'the kill must happen mid-read');
        await new Promise((r) => setTimeout(r, 1500));
        child = await startChild();
        puts.push(...(await putMany(client, name, items(500, 'r2'))));
        await waitUntil(() => read.length >= puts.length, 90_000, `all records after restart (have ${read.length} of ${puts.length})`);
        const calls = reader.stats.getRecordsCalls;
        await waitUntil(() => reader.stats.getRecordsCalls >= calls + 4, 20_000, 'more polls');
      } finally {
        await reader.stop();
      }
      assertExactlyOnceInOrder(read, puts);
      assert.ok(retrying.length > 0, 'the outage was reported as retrying');
      assert.ok(reader.stats.networkRetries > 0);
      assert.ok(sawError, 'progress showed the shards in error while the endpoint was down');
    } finally {
      client.destroy();
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
