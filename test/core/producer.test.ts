/**
 * The producer engine, its sources and its CLI against kinesalite over HTTP with real SDK clients.
 * Faults are injected by test/support/putFaultProxy.ts, an HTTP proxy in front of kinesalite (the
 * sanctioned mock: no real endpoint throttles on demand). No timing assertions.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { LOCAL_CREDENTIALS, localHandler } from '../../src/core/aws/clientFactory';
import { StreamService, toShardInfo } from '../../src/core/kinesis/streamService';
import { Producer, produce, putOne } from '../../src/core/producer/engine';
import { fileSource, writeUndelivered } from '../../src/core/producer/fileSource';
import { ProduceRecord, SourceItem, utf8 } from '../../src/core/producer/records';
import { TemplateGenerator } from '../../src/core/producer/templates';
import { runCli } from '../../src/core/producer/cli';
import { hashKeyOf } from '../../src/core/producer/aggregation';
import { deaggregate, isKplAggregate } from '../../src/core/records/kpl';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';
import { startPutFaultProxy } from '../support/putFaultProxy';
import { RecordingHost, startRecordingHost } from '../support/recordingHost';

const run = promisify(execFile);

interface ReadRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: string;
  raw: Buffer;
}

/** Every record of every shard from TRIM_HORIZON, with a plain GetRecords loop (Limit 10000). */
async function readAll(client: KinesisClient, stream: string): Promise<ReadRecord[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const out: ReadRecord[] = [];
  for (const s of shards) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const r = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      for (const rec of r.Records ?? []) {
        const raw = Buffer.from(rec.Data!);
        out.push({ shardId: s.ShardId!, sequenceNumber: rec.SequenceNumber!, partitionKey: rec.PartitionKey!, data: raw.toString('utf8'), raw });
      }
      if (!r.Records?.length) break;
      it = r.NextShardIterator;
    }
  }
  return out;
}

/** A client that does not retry by itself, so the engine's retries are what is tested. */
function noRetryClient(endpoint: string): KinesisClient {
  return new KinesisClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: localHandler(), maxAttempts: 1 });
}

/** Wraps a source and remembers what it yielded (id -> data). */
function remember(source: Iterable<SourceItem>, seen: Map<string, string>, idOf: (data: string) => string): Iterable<SourceItem> {
  return {
    *[Symbol.iterator]() {
      for (const item of source) {
        if ('record' in item) {
          const text = Buffer.from(item.record.data).toString('utf8');
          seen.set(idOf(text), text);
        }
        yield item;
      }
    },
  };
}

function assertExactlyOnce(read: ReadRecord[], sent: Map<string, string>, idOf: (data: string) => string): void {
  const counts = new Map<string, number>();
  for (const r of read) {
    const id = idOf(r.data);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.equal(r.data, sent.get(id), `content of record ${id}`);
  }
  const dupes = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(dupes.slice(0, 5), [], 'records read more than once');
  const missing = [...sent.keys()].filter((id) => !counts.has(id));
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} records missing`);
  assert.equal(read.length, sent.size);
}

const idOfJson = (d: string) => String((JSON.parse(d) as { id: number }).id);

describe('Producer against kinesalite', function () {
  this.timeout(180_000);
  let ep: TestEndpoint;
  let svc: StreamService;
  let client: KinesisClient;
  const dir = mkdtempSync(join(tmpdir(), 'producer-test-'));

  before(async () => {
    ep = await startKinesalite();
    svc = new StreamService(ep.client);
    client = noRetryClient(ep.endpoint);
  });
  after(async () => {
    client.destroy();
    await ep.close();
  });

  async function newStream(shards: number): Promise<string> {
    const name = uniqueName('produce');
    await svc.create(name, { shardCount: shards });
    await svc.waitFor(name, 'ACTIVE');
    return name;
  }

  it('sends 100,000 templated records and each is read back exactly once with its content', async () => {
    const stream = await newStream(4);
    const gen = new TemplateGenerator({
      template: '{"id": {{counter}}, "name": "{{faker.person.fullName}}", "city": "{{faker.location.city}}", "level": {{pick(["info","warn","error"],[8,2,1])}}, "at": "{{now}}"}',
      partitionKey: { type: 'random' },
    });
    const sent = new Map<string, string>();
    const progress: number[] = [];
    const result = await produce(client, remember(gen.records(0, 100_000), sent, idOfJson), {
      streamName: stream,
      progressIntervalMs: 100,
      onProgress: (p) => progress.push(p.sent),
    });
    assert.equal(result.status, 'completed', result.error);
    assert.equal(result.sent, 100_000);
    assert.equal(result.undelivered, 0);
    assert.equal(Object.values(result.shards).reduce((a, s) => a + s.records, 0), 100_000);
    assert.equal(Object.keys(result.shards).length, 4, 'random keys spread over all 4 shards');
    assert.ok(result.calls >= 200, 'at most 500 records per call');
    assert.ok(progress.length > 1 && progress[progress.length - 1] === 100_000, 'progress reached the end');
    assertExactlyOnce(await readAll(ep.client, stream), sent, idOfJson);
  });

  it('delivers every record exactly once through partial failures and throttled calls', async () => {
    const stream = await newStream(3);
    const proxy = await startPutFaultProxy(ep.endpoint, { failEntries: 0.2, throttleCalls: 0.15 });
    const viaProxy = noRetryClient(proxy.endpoint);
    try {
      const gen = new TemplateGenerator({ template: '{"id": {{counter}}, "v": "{{faker.string.alphanumeric(20)}}"}' });
      const sent = new Map<string, string>();
      const result = await produce(viaProxy, remember(gen.records(0, 20_000), sent, idOfJson), {
        streamName: stream,
        maxAttempts: 30,
        backoffBaseMs: 5,
        backoffMaxMs: 100,
      });
      assert.equal(result.status, 'completed', result.error);
      assert.equal(result.sent, 20_000);
      assert.equal(result.undelivered, 0);
      assert.ok(proxy.stats.entriesFailed > 0 && proxy.stats.callsThrottled > 0, JSON.stringify(proxy.stats));
      assert.ok(result.retried >= proxy.stats.entriesFailed, 'every failed entry was retried');
      assert.ok(result.callsFailed >= proxy.stats.callsThrottled);
      // Only the failed entries were sent again: kinesalite saw each record exactly once.
      assert.equal(proxy.stats.entriesForwarded, 20_000);
      assertExactlyOnce(await readAll(ep.client, stream), sent, idOfJson);
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it('keeps the order per partition key when asked, even through faults', async () => {
    const stream = await newStream(2);
    const proxy = await startPutFaultProxy(ep.endpoint, { failEntries: 0.3, throttleCalls: 0.1 });
    const viaProxy = noRetryClient(proxy.endpoint);
    try {
      const gen = new TemplateGenerator({
        template: '{"id": {{counter}}, "key": "k{{int(1, 12)}}"}',
        partitionKey: { type: 'field', field: 'key' },
      });
      const sent = new Map<string, string>();
      const result = await produce(viaProxy, remember(gen.records(0, 3000), sent, idOfJson), {
        streamName: stream,
        ordered: true,
        maxAttempts: 40,
        backoffBaseMs: 2,
        backoffMaxMs: 50,
      });
      assert.equal(result.status, 'completed', result.error);
      assert.equal(result.sent, 3000);
      assert.ok(result.retried > 0);
      const read = await readAll(ep.client, stream);
      assertExactlyOnce(read, sent, idOfJson);
      // Within a shard records are in sequence order; each key's ids must rise.
      const last = new Map<string, number>();
      for (const r of read) {
        const id = Number(idOfJson(r.data));
        assert.ok(id > (last.get(r.partitionKey) ?? 0), `key ${r.partitionKey}: ${id} after ${last.get(r.partitionKey)}`);
        last.set(r.partitionKey, id);
      }
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it('with KPL aggregation: every user record exactly once, in the shard of its key and in order, through faults', async () => {
    const stream = await newStream(3);
    const proxy = await startPutFaultProxy(ep.endpoint, { failEntries: 0.2, throttleCalls: 0.1 });
    const viaProxy = noRetryClient(proxy.endpoint);
    try {
      const gen = new TemplateGenerator({
        template: '{"id": {{counter}}, "key": "k{{int(1, 40)}}", "words": "{{faker.lorem.words(4)}}"}',
        partitionKey: { type: 'field', field: 'key' },
      });
      const sent = new Map<string, string>();
      const result = await produce(viaProxy, remember(gen.records(0, 30_000), sent, idOfJson), {
        streamName: stream,
        aggregate: true,
        aggregateMaxBytes: 8192,
        ordered: true,
        maxAttempts: 40,
        backoffBaseMs: 2,
        backoffMaxMs: 50,
      });
      assert.equal(result.status, 'completed', result.error);
      assert.equal(result.sent, 30_000);
      assert.equal(result.undelivered, 0);
      assert.ok(result.retried > 0 && proxy.stats.entriesFailed > 0);
      assert.equal(Object.values(result.shards).reduce((a, s) => a + s.records, 0), 30_000);
      const kinesisRecords = await readAll(ep.client, stream);
      assert.ok(kinesisRecords.length < 30_000 / 10, `records were packed (${kinesisRecords.length} Kinesis records)`);
      const shards = (await ep.client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
      const users: ReadRecord[] = [];
      for (const r of kinesisRecords) {
        if (!isKplAggregate(r.raw)) {
          users.push(r);
          continue;
        }
        for (const u of deaggregate(r.raw)) users.push({ ...r, partitionKey: u.partitionKey, data: Buffer.from(u.data).toString('utf8'), raw: Buffer.from(u.data) });
      }
      assertExactlyOnce(users, sent, idOfJson);
      const last = new Map<string, number>();
      for (const u of users) {
        const shard = shards.find((s) => s.ShardId === u.shardId)!;
        const h = hashKeyOf(u.partitionKey);
        assert.ok(h >= BigInt(shard.HashKeyRange!.StartingHashKey!) && h <= BigInt(shard.HashKeyRange!.EndingHashKey!), `${u.partitionKey} is in ${u.shardId}`);
        assert.equal(JSON.parse(u.data).key, u.partitionKey);
        const id = Number(idOfJson(u.data));
        assert.ok(id > (last.get(u.partitionKey) ?? 0), `key ${u.partitionKey}: ${id} after ${last.get(u.partitionKey)}`);
        last.set(u.partitionKey, id);
      }
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it('with KPL aggregation through a split made during the run: each user record reaches the shard whose range holds its key', async () => {
    const stream = await newStream(1);
    const [parent] = (await ep.client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    const gen = new TemplateGenerator({ template: '{"id": {{counter}}, "key": "k{{int(1, 200)}}"}', partitionKey: { type: 'field', field: 'key' } });
    const sent = new Map<string, string>();
    let split: Promise<unknown> | undefined;
    const result = await produce(client, remember(gen.records(0, 8000), sent, idOfJson), {
      streamName: stream,
      aggregate: true,
      aggregateMaxBytes: 4096,
      rate: 4000,
      progressIntervalMs: 20,
      onProgress: (p) => {
        // Split the only shard in the middle of its range once a quarter is through.
        if (!split && p.sent >= 2000) {
          split = new StreamService(ep.client).splitShard(stream, toShardInfo(parent), String(2n ** 127n));
        }
      },
    });
    await split;
    assert.ok(split, 'the stream was split during the run');
    assert.equal(result.status, 'completed', result.error);
    assert.equal(result.sent, 8000);
    assert.equal(result.undelivered, 0);

    const shards = new Map(((await ep.client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []).map((s) => [s.ShardId!, s]));
    assert.equal(shards.size, 3);
    // What a KCL consumer keeps: user records inside the range of the shard they were read from.
    const kept: ReadRecord[] = [];
    let discarded = 0;
    for (const r of await readAll(ep.client, stream)) {
      const range = shards.get(r.shardId)!.HashKeyRange!;
      const users = isKplAggregate(r.raw) ? deaggregate(r.raw).map((u) => ({ partitionKey: u.partitionKey, data: Buffer.from(u.data) })) : [{ partitionKey: r.partitionKey, data: r.raw }];
      for (const u of users) {
        const h = hashKeyOf(u.partitionKey);
        if (h < BigInt(range.StartingHashKey!) || h > BigInt(range.EndingHashKey!)) discarded++;
        else kept.push({ ...r, partitionKey: u.partitionKey, data: u.data.toString('utf8'), raw: u.data });
      }
    }
    assert.ok(discarded > 0, 'some aggregates were packed for the parent and landed in a child (the case under test)');
    assertExactlyOnce(kept, sent, idOfJson);
    const children = [...shards.values()].filter((s) => s.ParentShardId === parent.ShardId).map((s) => s.ShardId!);
    for (const c of children) assert.ok(result.shards[c]?.records > 0, `records counted in child ${c}`);
    assert.ok(result.shardMapRefreshes >= 1, 'the shard map was read again');
  });

  it('reports records it could not deliver, saves them, and re-sends them from the file', async () => {
    const stream = await newStream(1);
    const proxy = await startPutFaultProxy(ep.endpoint, { failEntries: 1 });
    const viaProxy = noRetryClient(proxy.endpoint);
    const sent = new Map<string, string>();
    try {
      const gen = new TemplateGenerator({ template: '{"id": {{counter}}}', partitionKey: { type: 'template', template: 'p{{counter}}' } });
      const result = await produce(viaProxy, remember(gen.records(0, 50), sent, idOfJson), { streamName: stream, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 5 });
      assert.equal(result.sent, 0);
      assert.equal(result.undelivered, 50);
      assert.equal(result.undeliveredRecords.count, 50);
      assert.match(result.undeliveredRecords.held[0].error, /ProvisionedThroughputExceededException.*after 3 attempts/);
      assert.equal(result.undeliveredRecords.held[0].attempts, 3);
      const file = join(dir, 'undelivered.jsonl');
      await writeUndelivered(file, result.undeliveredRecords);
      const again = await produce(client, fileSource({ path: file, format: 'undelivered' }), { streamName: stream });
      assert.equal(again.status, 'completed');
      assert.equal(again.sent, 50);
      const read = await readAll(ep.client, stream);
      assertExactlyOnce(read, sent, idOfJson);
      assert.deepEqual(read.map((r) => r.partitionKey).sort(), [...sent.keys()].map((id) => `p${id}`).sort(), 'partition keys kept');
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it('holds only the first undelivered records in memory and spills the rest to a private file; saving and re-sending use both', async () => {
    const stream = await newStream(1);
    const proxy = await startPutFaultProxy(ep.endpoint, { failEntries: 1 });
    const viaProxy = noRetryClient(proxy.endpoint);
    const sent = new Map<string, string>();
    try {
      const gen = new TemplateGenerator({ template: '{"id": {{counter}}}', partitionKey: { type: 'template', template: 'p{{counter}}' } });
      const result = await produce(viaProxy, remember(gen.records(0, 1200), sent, idOfJson), { streamName: stream, maxAttempts: 1, undeliveredInMemory: { records: 100 } });
      const list = result.undeliveredRecords;
      assert.equal(result.undelivered, 1200, 'the count says how many there are, on disk included');
      assert.equal(list.count, 1200);
      assert.equal(list.held.length, 100, 'only the cap is held in memory');
      assert.equal(list.spilledCount, 1100);
      const spill = list.spillPath!;
      assert.equal(statSync(spill).mode & 0o777, 0o600, 'the spill file is private');
      assert.equal(statSync(dirname(spill)).mode & 0o777, 0o700, 'in a private folder');
      assert.equal(readFileSync(spill, 'utf8').trim().split('\n').length, 1100);
      const file = join(dir, 'spilled-undelivered.jsonl');
      assert.equal(await writeUndelivered(file, list), 1200, 'saving writes memory and file');
      const again = await produce(client, fileSource({ path: file, format: 'undelivered' }), { streamName: stream });
      assert.equal(again.sent, 1200);
      assertExactlyOnce(await readAll(ep.client, stream), sent, idOfJson);
      list.dispose();
      assert.equal(existsSync(dirname(spill)), false, 'dispose removes the spill folder');
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it('stops when asked: what was read is either sent or reported undelivered', async () => {
    const stream = await newStream(2);
    const ctl = new AbortController();
    const gen = new TemplateGenerator({ template: '{"id": {{counter}}}' });
    const producer = new Producer(client, {
      streamName: stream,
      rate: 2000,
      signal: ctl.signal,
      progressIntervalMs: 20,
      onProgress: (p) => {
        if (p.sent >= 300) ctl.abort();
      },
    });
    const result = await producer.run(gen.records());
    assert.equal(result.status, 'stopped');
    assert.ok(result.sent >= 300);
    assert.equal(result.sent + result.undelivered, result.read, 'every record read is accounted for');
    assert.equal((await readAll(ep.client, stream)).length, result.sent);
  });

  it('stops after a duration, delivering what it read', async () => {
    const stream = await newStream(1);
    const gen = new TemplateGenerator({ template: '{"id": {{counter}}}' });
    const result = await produce(client, gen.records(), { streamName: stream, rate: 500, durationMs: 600 });
    assert.equal(result.status, 'completed');
    assert.ok(result.sent > 0);
    assert.equal(result.undelivered, 0);
    assert.equal((await readAll(ep.client, stream)).length, result.sent);
  });

  it('rejects oversized records and bad keys with clear messages, and batches big records within 5 MiB', async () => {
    const stream = await newStream(1);
    const big = (n: number) => new Uint8Array(n).fill(97);
    const records: ProduceRecord[] = [
      { data: big(1024 * 1024 - 1), partitionKey: 'k', origin: 'record 1' }, // exactly 1 MiB with the key: allowed
      { data: big(1024 * 1024), partitionKey: 'k', origin: 'record 2' }, // over by the key
      { data: utf8('x'), partitionKey: '', origin: 'record 3' },
      { data: utf8('x'), partitionKey: 'p'.repeat(257), origin: 'record 4' },
      { data: utf8('x'), partitionKey: 'k', explicitHashKey: (1n << 128n).toString(), origin: 'record 5' },
      { data: utf8('x'), partitionKey: 'k', explicitHashKey: ((1n << 128n) - 1n).toString(), origin: 'record 6' },
      ...Array.from({ length: 12 }, (_, i) => ({ data: big(900 * 1024), partitionKey: `b${i}`, origin: `record ${7 + i}` })),
    ];
    const items = records.map((record) => ({ record }));
    const skipped = await produce(client, items, { streamName: stream, onInvalid: 'skip' });
    assert.equal(skipped.status, 'completed');
    assert.equal(skipped.rejected, 4);
    assert.equal(skipped.sent, 14);
    assert.ok(skipped.calls >= 3, `12 records of 900 KiB need at least 3 calls of 5 MiB (got ${skipped.calls})`);
    const messages = skipped.problems.map((p) => `${p.origin}: ${p.message}`);
    assert.match(messages[0], /^record 2: .*1 MiB/);
    assert.match(messages[1], /^record 3: .*partition key is empty/);
    assert.match(messages[2], /^record 4: .*257 characters; at most 256/);
    assert.match(messages[3], /^record 5: .*explicit hash key .* 0 to 2\^128-1/);
    const read = await readAll(ep.client, stream);
    assert.equal(read.length, 14);
    assert.ok(read.some((r) => r.data.length === 1024 * 1024 - 1));

    // Stopping at invalid input says where, and nothing after it is read.
    const stream2 = await newStream(1);
    const stopped = await produce(client, items, { streamName: stream2 });
    assert.equal(stopped.status, 'failed');
    assert.match(stopped.error!, /record 2: .*1 MiB/);
    assert.equal(stopped.read, 1);
    assert.equal(stopped.sent + stopped.undelivered, 1, 'the one record before is sent or reported');

    await assert.rejects(putOne(client, stream, { data: big(1024 * 1024), partitionKey: 'k' }), /1 MiB/);
    const one = await putOne(client, stream, { data: utf8('hello'), partitionKey: 'k', explicitHashKey: '0' });
    assert.equal(one.shardId, 'shardId-000000000000');
    assert.match(one.sequenceNumber, /^\d+$/);
  });

  it('reads JSON Lines, JSON arrays and CSV from disk; a malformed line is reported with its number', async () => {
    const stream = await newStream(2);
    const jsonl = join(dir, 'events.jsonl');
    writeFileSync(jsonl, ['{"id": 1, "user": "a"}', '{"id": 2, "user": "b"}', '{"id": 3, "user": ', '', '{"id": 4, "user": "a"}', '{"id": 5}'].join('\n') + '\n');
    const skipped = await produce(client, fileSource({ path: jsonl, partitionKey: { type: 'field', field: 'user' } }), { streamName: stream, onInvalid: 'skip' });
    assert.equal(skipped.sent, 3);
    assert.equal(skipped.rejected, 2);
    assert.equal(skipped.problems[0].origin, 'line 3');
    assert.match(skipped.problems[0].message, /not valid JSON/);
    assert.equal(skipped.problems[1].origin, 'line 6');
    assert.match(skipped.problems[1].message, /field "user"/);
    const read = await readAll(ep.client, stream);
    assert.deepEqual(read.map((r) => JSON.parse(r.data).id).sort(), [1, 2, 4]);
    assert.equal(read.find((r) => JSON.parse(r.data).id === 2)!.partitionKey, 'b');
    assert.equal(read.find((r) => JSON.parse(r.data).id === 1)!.data, '{"id": 1, "user": "a"}', 'the line is sent as is');

    const stopped = await produce(client, fileSource({ path: jsonl, partitionKey: { type: 'field', field: 'user' } }), { streamName: stream });
    assert.equal(stopped.status, 'failed');
    assert.match(stopped.error!, /line 3: not valid JSON/);
    assert.equal(stopped.read, 2);

    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'id,name,score\n1,ann,3.5\n2,"bob, jr",4\n3,broken\n4,dan,5\n');
    const fromCsv = await produce(client, fileSource({ path: csv, partitionKey: { type: 'field', field: 'name' } }), { streamName: stream, onInvalid: 'skip' });
    assert.equal(fromCsv.sent, 3);
    assert.equal(fromCsv.rejected, 1);
    assert.equal(fromCsv.problems[0].origin, 'line 4');
    const arr = join(dir, 'items.json');
    writeFileSync(arr, JSON.stringify([{ id: 10, k: 'x' }, { id: 11, k: 'y' }, { id: 12, k: 'z' }], null, 2));
    const fromArray = await produce(client, fileSource({ path: arr, partitionKey: { type: 'field', field: 'k' } }), { streamName: stream });
    assert.equal(fromArray.sent, 3);
    const badArr = join(dir, 'bad.json');
    writeFileSync(badArr, '[{"id": 20}, {"id": 21,, }]');
    const fromBad = await produce(client, fileSource({ path: badArr }), { streamName: stream, onInvalid: 'skip' });
    assert.equal(fromBad.sent, 1);
    assert.equal(fromBad.rejected, 1);
    assert.match(fromBad.problems[0].message, /malformed/);

    const all = await readAll(ep.client, stream);
    const csvRows = all.map((r) => JSON.parse(r.data)).filter((v) => 'score' in v);
    assert.deepEqual(csvRows.map((v) => v.name).sort(), ['ann', 'bob, jr', 'dan']);
    assert.equal(csvRows.find((v) => v.name === 'ann').score, 3.5);
    assert.deepEqual(all.map((r) => JSON.parse(r.data).id).filter((id) => id >= 10).sort(), [10, 11, 12, 20]);
  });

  it('streams a 20,000-line JSON Lines file from disk: every line delivered once, keyed by its field', async () => {
    const stream = await newStream(3);
    const file = join(dir, 'big.jsonl');
    const { createWriteStream } = await import('node:fs');
    const w = createWriteStream(file);
    for (let i = 1; i <= 20_000; i++) w.write(JSON.stringify({ id: i, user: `u${i % 37}`, text: 'x'.repeat(i % 200) }) + '\n');
    await new Promise<void>((r) => w.end(r));
    const result = await produce(client, fileSource({ path: file, partitionKey: { type: 'field', field: 'user' } }), { streamName: stream });
    assert.equal(result.status, 'completed', result.error);
    assert.equal(result.sent, 20_000);
    const read = await readAll(ep.client, stream);
    const sent = new Map(readFileSync(file, 'utf8').trim().split('\n').map((line) => [idOfJson(line), line] as [string, string]));
    assertExactlyOnce(read, sent, idOfJson);
    for (const r of read) assert.equal(r.partitionKey, JSON.parse(r.data).user);
  });

  it('stops with a clear message when the stream does not exist', async () => {
    const gen = new TemplateGenerator({ template: '{"id": {{counter}}}' });
    const result = await produce(client, gen.records(0, 10), { streamName: 'no-such-stream-' + process.pid });
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /not found/);
    assert.equal(result.sent, 0);
    assert.equal(result.undelivered, 10, 'nothing dropped silently');
  });

  it('records sent by the producer are read by the AWS CLI (aws kinesis get-records)', async function () {
    // Debian's awscli (apt install awscli); a pyenv shim may shadow `aws` on PATH, so the full path.
    const { existsSync } = await import('node:fs');
    if (!existsSync('/usr/bin/aws')) this.skip();
    const stream = await newStream(1);
    const gen = new TemplateGenerator({ template: '{"id": {{counter}}, "text": "héllo {{faker.word.noun}}"}', partitionKey: { type: 'fixed', value: 'cli-key' } });
    const sent = new Map<string, string>();
    await produce(client, remember(gen.records(0, 25), sent, idOfJson), { streamName: stream });
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const aws = (...args: string[]) => run('/usr/bin/aws', [...args, '--endpoint-url', ep.endpoint, '--output', 'json'], { env });
    const it = JSON.parse((await aws('kinesis', 'get-shard-iterator', '--stream-name', stream, '--shard-id', 'shardId-000000000000', '--shard-iterator-type', 'TRIM_HORIZON')).stdout).ShardIterator;
    const out = JSON.parse((await aws('kinesis', 'get-records', '--shard-iterator', it)).stdout) as { Records: { Data: string; PartitionKey: string }[] };
    assert.equal(out.Records.length, 25);
    for (const r of out.Records) {
      const text = Buffer.from(r.Data, 'base64').toString('utf8');
      assert.equal(text, sent.get(idOfJson(text)));
      assert.equal(r.PartitionKey, 'cli-key');
    }
  });

  it('runs from the terminal: npm run produce -- --stream --template --rate --count --endpoint', async () => {
    const stream = await newStream(2);
    const lines: string[] = [];
    const code = await runCli(['--stream', stream, '--template', 'iot-sensor', '--rate', '5000', '--count', '1500', '--endpoint', ep.endpoint, '--quiet'], {
      out: (s) => lines.push(s),
      err: (s) => lines.push(s),
      isTty: false,
    });
    assert.equal(code, 0, lines.join(''));
    assert.match(lines.join(''), /completed: 1500 sent/);
    const read = await readAll(ep.client, stream);
    assert.equal(read.length, 1500);
    for (const r of read) assert.equal(JSON.parse(r.data).sensorId, r.partitionKey);
    // And the real entry point, as a child process (the bundle npm run produce runs; npm test builds it first).
    const script = join(__dirname, '../../../dist/tools/produce.js');
    const { stdout } = await run(process.execPath, [script, '--stream', stream, '--template', 'seed-message', '--count', '10', '--endpoint', ep.endpoint]);
    assert.match(stdout, /completed: 10 sent/);
    assert.equal((await readAll(ep.client, stream)).length, 1510);
    const bad = await runCli(['--stream', stream, '--template', 'nope', '--endpoint', ep.endpoint], { out: () => undefined, err: (s) => lines.push(s), isTty: false });
    assert.equal(bad, 2);
    assert.match(lines.join(''), /No template "nope"/);
  });
});

describe('Producer CLI credentials', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let host: RecordingHost;
  const saved = { ...process.env };
  before(async () => {
    ep = await startKinesalite();
    host = await startRecordingHost(ep.endpoint);
  });
  after(async () => {
    await host.close();
    await ep.close();
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  async function produceThroughHost(extra: string[]): Promise<void> {
    const stream = uniqueName('creds');
    await new StreamService(ep.client).create(stream, { shardCount: 1 });
    await new StreamService(ep.client).waitFor(stream, 'ACTIVE');
    host.requests.length = 0;
    const lines: string[] = [];
    const code = await runCli(['--stream', stream, '--template', 'seed-message', '--count', '5', '--endpoint', host.url, '--quiet', ...extra], { out: (s) => lines.push(s), err: (s) => lines.push(s), isTty: false });
    assert.equal(code, 0, lines.join(''));
  }

  it('signs with temporary credentials from the environment, session token included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creds-'));
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIATEMPORARYKEY',
      AWS_SECRET_ACCESS_KEY: 'temporary-secret',
      AWS_SESSION_TOKEN: 'the-session-token',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    });
    await produceThroughHost([]);
    assert.ok(host.requests.length > 0);
    for (const r of host.requests) assert.deepEqual(r, { keyId: 'ASIATEMPORARYKEY', securityToken: 'the-session-token' });
  });

  it('honours --profile over the environment, with the profile\'s session token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creds-'));
    writeFileSync(join(dir, 'credentials'), ['[ci]', 'aws_access_key_id = ASIAPROFILEKEY', 'aws_secret_access_key = profile-secret', 'aws_session_token = profile-token', ''].join('\n'));
    writeFileSync(join(dir, 'config'), ['[profile ci]', 'region = eu-west-1', ''].join('\n'));
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTKEY',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    });
    await produceThroughHost(['--profile', 'ci']);
    assert.ok(host.requests.length > 0);
    for (const r of host.requests) assert.deepEqual(r, { keyId: 'ASIAPROFILEKEY', securityToken: 'profile-token' });
  });
});

describe('Producer without an endpoint', () => {
  it('a file that does not exist is a clear error', async () => {
    const gen = fileSource({ path: '/nonexistent/file.jsonl' });
    await assert.rejects(gen.next(), /Cannot read \/nonexistent\/file.jsonl/);
  });

  it('writes undelivered records as JSON Lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'undelivered-'));
    const file = join(dir, 'u.jsonl');
    await writeUndelivered(file, [{ partitionKey: 'k', data: Buffer.from('hi').toString('base64'), error: 'x', attempts: 2 }]);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8').trim()), { partitionKey: 'k', data: 'aGk=', error: 'x', attempts: 2 });
  });
});
