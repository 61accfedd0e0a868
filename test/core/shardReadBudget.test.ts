import * as assert from 'node:assert/strict';
import { ShardReadBudget } from '../../src/core/records/shardReadBudget';

/**
 * The reader's per-shard pacing, as arithmetic on the times it is given (no clock, no waiting):
 * the same accounting as Kinesis and as test/support/faultProxy.ts, which throttles a call made
 * before the earlier pages are paid.
 */
const MiB = 1024 * 1024;
const kinesis = { minCallIntervalMs: 200, bytesPerSecond: 2 * MiB };

describe('Shard read budget', () => {
  it('lets the first call go at once, then keeps calls 200 ms apart (5 per second)', () => {
    const b = new ShardReadBudget(kinesis);
    assert.equal(b.nextCallAt(), -Infinity);
    b.sent(1000);
    assert.equal(b.nextCallAt(), 1200);
    b.answered({ sentAt: 1000, answeredAt: 1004, bytes: 0 });
    assert.equal(b.nextCallAt(), 1200, 'an empty page costs only its call');
  });

  it('a page of B bytes blocks the shard for B / 2 MiB s, counted from when the service got the call', () => {
    const b = new ShardReadBudget(kinesis);
    // 2 MiB answered after 40 ms: the call reached the service about 20 ms after it was sent.
    b.answered({ sentAt: 1000, answeredAt: 1040, bytes: 2 * MiB });
    assert.equal(b.nextCallAt(), 1000 + 20 + 1000);
    // 10 MiB in one page (the largest GetRecords returns): the next 5 s are blocked, as AWS documents.
    const big = new ShardReadBudget(kinesis);
    big.answered({ sentAt: 0, answeredAt: 0, bytes: 10 * MiB });
    assert.equal(big.nextCallAt(), 5000);
  });

  it('counts at most 50 ms for the request to arrive, however long the answer took to come back', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 900, bytes: MiB });
    assert.equal(b.nextCallAt(), 50 + 500);
    const custom = new ShardReadBudget({ ...kinesis, maxArrivalDelayMs: 10 });
    custom.answered({ sentAt: 0, answeredAt: 900, bytes: MiB });
    assert.equal(custom.nextCallAt(), 10 + 500);
  });

  it('after a throttled call, allows 50 ms more for calls to reach the service, up to 500 ms', () => {
    const b = new ShardReadBudget(kinesis);
    b.throttled();
    assert.equal(b.arrivalDelayAllowanceMs, 100);
    b.answered({ sentAt: 0, answeredAt: 900, bytes: MiB });
    assert.equal(b.nextCallAt(), 100 + 500);
    for (let i = 0; i < 20; i++) b.throttled();
    assert.equal(b.arrivalDelayAllowanceMs, 500);
    const quick = new ShardReadBudget(kinesis);
    quick.throttled();
    quick.answered({ sentAt: 0, answeredAt: 20, bytes: MiB });
    assert.equal(quick.nextCallAt(), 10 + 500, 'never more than half the round trip');
  });

  it('adds up pages like the service does: a debt not yet paid carries over', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 0, bytes: 2 * MiB });
    // A second call sent early (say the caller ignored nextCallAt): its cost starts when the first is paid.
    b.answered({ sentAt: 300, answeredAt: 300, bytes: MiB });
    assert.equal(b.nextCallAt(), 1000 + 500);
  });

  it('a caught-up shard holds its polls, and never earlier than the limits allow', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 5, bytes: 0 });
    b.holdUntil(1000);
    assert.equal(b.nextCallAt(), 1000);
    b.answered({ sentAt: 1000, answeredAt: 1000, bytes: 4 * MiB });
    b.holdUntil(500);
    assert.equal(b.nextCallAt(), 3000, 'a hold in the past does not shorten the byte budget');
  });




  it('without limits (Infinity bytes/s, no call interval) never waits', () => {
    const b = new ShardReadBudget({ minCallIntervalMs: 0, bytesPerSecond: Infinity });
    b.answered({ sentAt: 100, answeredAt: 150, bytes: 100 * MiB });
    assert.equal(b.nextCallAt(), 100);
  });
});
