import * as assert from 'node:assert/strict';
import { InspectorModel } from '../../src/vscode/inspector/model';
import { decodeRecord } from '../../src/core/records/decoders';
import type { DecodedRecord } from '../../src/core/records/types';

/** The inspector's host-side model (no vscode): cap, sorted filtered view, windows, stats. */
function rec(i: number, opts: { shard?: number; t?: number; body?: string; key?: string } = {}): DecodedRecord {
  const [d] = decodeRecord({
    shardId: `shardId-00000000000${opts.shard ?? i % 2}`,
    sequenceNumber: String(1000 + i),
    partitionKey: opts.key ?? `k-${i % 3}`,
    arrivalTime: opts.t ?? 1_000_000 + i * 10,
    data: Buffer.from(opts.body ?? JSON.stringify({ n: i, level: i % 2 ? 'INFO' : 'ERROR' })),
  });
  return d;
}

describe('InspectorModel (record inspector host side)', () => {
  it('holds records, keeps the view sorted by arrival time and reports what changed', () => {
    const m = new InspectorModel(100);
    m.add([rec(0), rec(1), rec(2)]);
    assert.deepEqual(m.takeChange(), { version: 1, count: 3, changedFrom: 0 });
    assert.equal(m.takeChange(), undefined, 'nothing new, nothing to post');
    // A later batch that arrived earlier on another shard merges into place.
    m.add([rec(3, { t: 1_000_015 }), rec(4)]);
    const change = m.takeChange()!;
    assert.equal(change.count, 5);
    assert.equal(change.changedFrom, 2, 'rows before the first inserted one are unchanged');
    assert.deepEqual(m.rows(0, 10).map((r) => r.sequenceNumber), ['1000', '1001', '1003', '1002', '1004']);
    // A record seen twice (same id) is kept once.
    m.add([rec(4)]);
    assert.equal(m.heldCount, 5);
  });

  it('drops the oldest beyond the cap and counts them', () => {
    const m = new InspectorModel(10);
    for (let i = 0; i < 25; i += 5) m.add([0, 1, 2, 3, 4].map((k) => rec(i + k)));
    assert.equal(m.heldCount, 10);
    assert.equal(m.dropped, 15);
    assert.equal(m.read, 25);
    assert.equal(m.get(rec(0).id), undefined);
    assert.deepEqual(m.rows(0, 100).map((r) => r.sequenceNumber), Array.from({ length: 10 }, (_, i) => String(1015 + i)));
    const stats = m.stats();
    assert.equal(stats.perShard.reduce((a, s) => a + s.count, 0), 10);
    assert.equal(stats.topKeys.reduce((a, k) => a + k.count, 0), 10);
  });

  it('filters with JMESPath, reports syntax errors without throwing and keeps the last good filter', () => {
    const m = new InspectorModel(100);
    m.add(Array.from({ length: 20 }, (_, i) => rec(i)));
    m.add([rec(20, { body: '<img src=x onerror=alert(1)>' })]);
    assert.deepEqual(m.setFilter({ jmespath: "level == 'ERROR'" }), {});
    assert.equal(m.matchingCount, 10);
    assert.ok(m.setFilter({ jmespath: 'level ==' }).error);
    assert.equal(m.matchingCount, 10);
    m.setFilter({ text: 'onerror' });
    assert.equal(m.matchingCount, 1);
    assert.equal(m.rows(0, 1)[0].preview, '<img src=x onerror=alert(1)>');
    m.setFilter({ shards: ['shardId-000000000001'], partitionKey: 'k-1' });
    assert.ok(m.rows(0, 100).every((r) => r.shardId === 'shardId-000000000001' && r.partitionKey === 'k-1'));
    // New records are filtered as they arrive.
    m.setFilter({ jmespath: 'n > `100`' });
    assert.equal(m.matchingCount, 0);
    m.add([rec(101), rec(102)]);
    assert.equal(m.matchingCount, 2);
    m.setFilter({});
    assert.equal(m.matchingCount, 23);
  });

  it('gives windows of rows and counts records and bytes per second', () => {
    const m = new InspectorModel(1000);
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    m.add(Array.from({ length: 50 }, (_, i) => rec(i)), now - 2000);
    m.add(Array.from({ length: 30 }, (_, i) => rec(100 + i)), now - 1000);
    const rows = m.rows(40, 20);
    assert.equal(rows.length, 20);
    assert.equal(rows[0].sequenceNumber, '1040');
    assert.equal(m.rows(75, 20).length, 5);
    const stats = m.stats(now);
    assert.equal(stats.rates.length, 60);
    assert.equal(stats.rates.at(-1)!.records, 30);
    assert.equal(stats.rates.at(-2)!.records, 50);
    assert.ok(stats.rates.at(-1)!.bytes > 0);
    m.clear();
    assert.equal(m.heldCount, 0);
    assert.equal(m.takeChange()!.count, 0);
  });
});
