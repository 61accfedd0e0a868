import * as assert from 'node:assert/strict';
import { ShardReadBudget } from '../../src/core/records/shardReadBudget';

/**
 * The reader's per-shard pacing, as arithmetic on the times it is given (no clock, no waiting):
 * the same accounting as Kinesis and as test/support/faultProxy.ts, which throttles a call made
 * before the earlier pages are paid.
 */
const MiB = 1024 * 1024;
const kinesis = { minCallIntervalMs: 200, bytesPerSecond: 2 * MiB, maxRecordsPerCall: 10_000 };

describe('Shard read budget', () => {
  it('lets the first call go at once, then keeps calls 200 ms apart (5 per second)', () => {
    const b = new ShardReadBudget(kinesis);
    assert.equal(b.nextCallAt(), -Infinity);
    b.sent(1000);
    assert.equal(b.nextCallAt(), 1200);
    b.answered({ sentAt: 1000, answeredAt: 1004, records: 0, bytes: 0 });
    assert.equal(b.nextCallAt(), 1200, 'an empty page costs only its call');
  });

  it('a page of B bytes blocks the shard for B / 2 MiB s, counted from when the service got the call', () => {
    const b = new ShardReadBudget(kinesis);
    // 2 MiB answered after 40 ms: the call reached the service about 20 ms after it was sent.
    b.answered({ sentAt: 1000, answeredAt: 1040, records: 10_000, bytes: 2 * MiB });
    assert.equal(b.nextCallAt(), 1000 + 20 + 1000);
    // 10 MiB in one page (the largest GetRecords returns): the next 5 s are blocked, as AWS documents.
    const big = new ShardReadBudget(kinesis);
    big.answered({ sentAt: 0, answeredAt: 0, records: 10, bytes: 10 * MiB });
    assert.equal(big.nextCallAt(), 5000);
  });

  it('counts at most 50 ms for the request to arrive, however long the answer took to come back', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 900, records: 5000, bytes: MiB });
    assert.equal(b.nextCallAt(), 50 + 500);
    const custom = new ShardReadBudget({ ...kinesis, maxArrivalDelayMs: 10 });
    custom.answered({ sentAt: 0, answeredAt: 900, records: 5000, bytes: MiB });
    assert.equal(custom.nextCallAt(), 10 + 500);
  });

  it('after a throttled call, allows 50 ms more for calls to reach the service, up to 500 ms', () => {
    const b = new ShardReadBudget(kinesis);
    b.throttled();
    assert.equal(b.arrivalDelayAllowanceMs, 100);
    b.answered({ sentAt: 0, answeredAt: 900, records: 5000, bytes: MiB });
    assert.equal(b.nextCallAt(), 100 + 500);
    for (let i = 0; i < 20; i++) b.throttled();
    assert.equal(b.arrivalDelayAllowanceMs, 500);
    const quick = new ShardReadBudget(kinesis);
    quick.throttled();
    quick.answered({ sentAt: 0, answeredAt: 20, records: 5000, bytes: MiB });
    assert.equal(quick.nextCallAt(), 10 + 500, 'never more than half the round trip');
  });

  it('adds up pages like the service does: a debt not yet paid carries over', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 0, records: 1, bytes: 2 * MiB });
    // A second call sent early (say the caller ignored nextCallAt): its cost starts when the first is paid.
    b.answered({ sentAt: 300, answeredAt: 300, records: 1, bytes: MiB });
    assert.equal(b.nextCallAt(), 1000 + 500);
  });

  it('a caught-up shard holds its polls, and never earlier than the limits allow', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 5, records: 0, bytes: 0 });
    b.holdUntil(1000);
    assert.equal(b.nextCallAt(), 1000);
    b.answered({ sentAt: 1000, answeredAt: 1000, records: 1, bytes: 4 * MiB });
    b.holdUntil(500);
    assert.equal(b.nextCallAt(), 3000, 'a hold in the past does not shorten the byte budget');
  });

  it('sizes Limit so that one page holds about 1 s of the byte budget, within 1..10,000', () => {
    const b = new ShardReadBudget(kinesis);
    assert.equal(b.limit(), 1000, 'before any record: 1,000, not a first page of up to 10 MiB');
    b.answered({ sentAt: 0, answeredAt: 0, records: 0, bytes: 0 });
    assert.equal(b.limit(), 1000, 'an empty page tells nothing of the size');
    b.answered({ sentAt: 0, answeredAt: 0, records: 100, bytes: 100 * 1024 });
    assert.equal(b.limit(), 2048, '1 KiB records: 2 MiB / 1 KiB');
    const small = new ShardReadBudget(kinesis);
    small.answered({ sentAt: 0, answeredAt: 0, records: 100, bytes: 100 * 206 });
    assert.equal(small.limit(), 10_000, '206-byte records: 10,180 would fit, capped at the maximum');
    const huge = new ShardReadBudget(kinesis);
    huge.answered({ sentAt: 0, answeredAt: 0, records: 2, bytes: 2 * 3 * MiB });
    assert.equal(huge.limit(), 1, 'records larger than the budget: one at a time');
    const capped = new ShardReadBudget({ ...kinesis, maxRecordsPerCall: 50 });
    assert.equal(capped.limit(), 50);
    capped.answered({ sentAt: 0, answeredAt: 0, records: 100, bytes: 100 * 1024 });
    assert.equal(capped.limit(), 50, 'never above the caller\'s maximum');
  });

  it('makes pages larger when a call takes longer to come back than half of a page\'s budget', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 1500, records: 100, bytes: 100 * 1024 });
    assert.equal(b.limit(), 6144, 'a 1.5 s round trip: pages of 3 s of budget, so that the next call is back before the page is paid');
    b.answered({ sentAt: 5000, answeredAt: 5100, records: 100, bytes: 100 * 1024 });
    assert.equal(b.limit(), Math.floor((2 * MiB * 2 * 1.08) / 1024), 'the average round trip falls (1,080 ms): so do the pages');
    b.answered({ sentAt: 9000, answeredAt: 9010, records: 100, bytes: 100 * 1024 });
    b.answered({ sentAt: 9100, answeredAt: 9110, records: 100, bytes: 100 * 1024 });
    b.answered({ sentAt: 9200, answeredAt: 9210, records: 100, bytes: 100 * 1024 });
    b.answered({ sentAt: 9300, answeredAt: 9310, records: 100, bytes: 100 * 1024 });
    assert.equal(b.limit(), 2048, 'never below 1 s of budget');
  });

  it('follows a change in record size, recent pages weighing more, and ignores empty pages', () => {
    const b = new ShardReadBudget(kinesis);
    b.answered({ sentAt: 0, answeredAt: 0, records: 10, bytes: 10 * 1000 });
    assert.equal(b.averageRecordBytes, 1000);
    b.answered({ sentAt: 0, answeredAt: 0, records: 0, bytes: 0 });
    assert.equal(b.averageRecordBytes, 1000);
    b.answered({ sentAt: 0, answeredAt: 0, records: 10, bytes: 10 * 2000 });
    assert.equal(b.averageRecordBytes, 1300);
  });

  it('without limits (Infinity bytes/s, no call interval) never waits and asks for the maximum', () => {
    const b = new ShardReadBudget({ minCallIntervalMs: 0, bytesPerSecond: Infinity, maxRecordsPerCall: 10_000 });
    b.answered({ sentAt: 100, answeredAt: 150, records: 10_000, bytes: 100 * MiB });
    assert.equal(b.nextCallAt(), 100);
    assert.equal(b.limit(), 10_000);
  });
});
