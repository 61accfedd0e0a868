import * as assert from 'node:assert/strict';
import { Emitter, Semaphore, sleep } from '../../src/core/async';
import { errorName, isPermanent, isRetryable, isThrottle, isTransient } from '../../src/core/aws/retry';
import { listAllShards } from '../../src/core/kinesis/shards';
import { StreamService } from '../../src/core/kinesis/streamService';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

/** The core's shared helpers, each with one home: async building blocks, retry classification, the shard pager. */
describe('Core helpers: async', () => {
  it('sleep resolves, and rejects at once with the caller\'s error when aborted', async () => {
    await sleep(1);
    const ctrl = new AbortController();
    const p = sleep(60_000, ctrl.signal, () => Object.assign(new Error('stopped'), { name: 'AbortError' }));
    ctrl.abort();
    await assert.rejects(p, { name: 'AbortError', message: 'stopped' });
    await assert.rejects(sleep(5, ctrl.signal), (e: unknown) => e === ctrl.signal.reason, 'without one, the signal\'s reason');
  });

  it('a semaphore runs at most its limit at once, in order', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        sem.run(async () => {
          running++;
          most = Math.max(most, running);
          await sleep(5);
          order.push(i);
          running--;
        }),
      ),
    );
    assert.equal(most, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(sem.running, 0);
  });

  it('an emitter reports a throwing listener and still calls the others; off() removes one', () => {
    const reported: unknown[] = [];
    const em = new Emitter<number>((e) => reported.push(e));
    const got: number[] = [];
    em.on(() => {
      throw new Error('listener bug');
    });
    const off = em.on((v) => got.push(v));
    em.fire(1);
    off();
    em.fire(2);
    assert.deepEqual(got, [1]);
    assert.equal(reported.length, 2);
    assert.equal(em.size, 1);
  });
});

describe('Core helpers: retry classification', () => {
  const sdk = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('tells throttling, transient and permanent errors apart, for SDK errors and PutRecords entry codes alike', () => {
    for (const t of ['ProvisionedThroughputExceededException', 'ThrottlingException', 'KMSThrottlingException', 'LimitExceededException']) {
      assert.equal(isThrottle(sdk(t)), true, t);
      assert.equal(isThrottle(t), true, `${t} as an entry code`);
      assert.equal(isRetryable(t), true);
    }
    assert.equal(isRetryable('InternalFailure'), true);
    assert.equal(isTransient(sdk('Whatever', 503)), true, 'any 5xx');
    assert.equal(isTransient(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), true);
    assert.equal(errorName(Object.assign(new Error('x'), { cause: { code: 'ECONNRESET' } })), 'ECONNRESET');
    assert.equal(isTransient(new Error('socket hang up')), true);
    for (const p of ['ResourceNotFoundException', 'AccessDeniedException', 'ExpiredTokenException', 'ValidationException']) {
      assert.equal(isPermanent(sdk(p)), true, p);
      assert.equal(isRetryable(sdk(p, 400)), false, p);
    }
    assert.equal(isRetryable('InvalidArgumentException'), false);
  });
});

describe('Core helpers: the shard pager', function () {
  let ep: TestEndpoint;
  before(async () => {
    ep = await startKinesalite();
  });
  after(() => ep?.close());

  it('lists every shard, counting its calls, and says when the stream is missing', async () => {
    const stream = uniqueName('pager');
    const svc = new StreamService(ep.client);
    await svc.create(stream, { shardCount: 3 });
    await svc.waitFor(stream, 'ACTIVE');
    let calls = 0;
    const shards = await listAllShards(ep.client, stream, { onCall: () => calls++ });
    assert.deepEqual(shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
    assert.ok(calls >= 1);
    assert.deepEqual((await svc.listShards(stream)).map((s) => s.shardId), shards.map((s) => s.ShardId), 'the stream service pages through the same pager');
    await assert.rejects(listAllShards(ep.client, 'no-such-stream'), { name: 'ResourceNotFoundException' });
  });
});
