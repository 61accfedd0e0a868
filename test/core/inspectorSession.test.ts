import * as assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InspectorSession } from '../../src/vscode/inspector/session';
import { recordDetail } from '../../src/vscode/inspector/detail';
import { sanitizeDecoding, sanitizeFilter, sanitizeOptions, sanitizeSort } from '../../src/protocol/inspector';
import type { InspectorEvent } from '../../src/protocol/inspector';
import { StreamService } from '../../src/core/kinesis/streamService';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

/** The inspector's reading session in plain Node, reading a real stream on kinesalite. */
async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('InspectorSession (record inspector host side, no vscode)', function () {
  let ep: TestEndpoint;
  const stream = uniqueName('session');
  before(async () => {
    ep = await startKinesalite();
    const svc = new StreamService(ep.client);
    await svc.create(stream, { shardCount: 2 });
    await svc.waitFor(stream, 'ACTIVE');
    const records = Array.from({ length: 30 }, (_, i) => ({ PartitionKey: `device-${i % 3}`, Data: Buffer.from(JSON.stringify({ i, level: i % 3 ? 'INFO' : 'ERROR' })) }));
    await ep.client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  });
  after(() => ep?.close());

  function session(events: InspectorEvent[], logs: string[] = [], canPost = () => true) {
    return new InspectorSession({
      streamName: stream,
      client: async () => ep.client,
      log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
      post: (e) => events.push(e),
      canPost,
      isVisible: () => true,
      maxRecords: 1000,
      maxMemoryBytes: 64 * 1024 * 1024,
    });
  }

  it('reads from the trim horizon into its model, posts view and status, filters, and stops', async () => {
    const events: InspectorEvent[] = [];
    const s = session(events);
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      assert.equal(s.state, 'playing');
      await until('30 records held', () => s.model.heldCount === 30);
      await until('a view event with 30 rows', () => events.some((e) => e.type === 'view' && e.count === 30));
      await until('both shards reported', () => s.shardProgress.length === 2);
      const last = [...events].reverse().find((e) => e.type === 'status');
      assert.equal(last?.type === 'status' && last.status.state, 'playing');

      assert.deepEqual(s.setFilter({ jmespath: "level == 'ERROR'" }), { matching: 10 });
      assert.throws(() => s.setFilter({ jmespath: 'level ==' }), /./, 'a bad expression is refused');
      assert.equal(s.model.matchingCount, 10, 'the last good filter stays');

      const row = s.model.rows(0, 1)[0];
      const d = recordDetail(s.model.get(row.id)!, 'binary');
      assert.deepEqual(d.decodings, ['binary']);
      assert.match(d.rawHex, /^00000000 /);

      s.pause();
      assert.equal(s.state, 'paused');
      s.resume();
      assert.equal(s.state, 'playing');
      await s.stop();
      assert.equal(s.state, 'stopped');
      s.clear();
      assert.equal(s.model.heldCount, 0);
    } finally {
      s.dispose();
    }
  });

  it('a bad start position is a notice, not a throw; nothing is posted before the webview is ready', async () => {
    const events: InspectorEvent[] = [];
    let ready = false;
    const s = session(events, [], () => ready);
    try {
      await s.start({ position: { type: 'AT_TIMESTAMP' } as never, shards: 'all' });
      assert.deepEqual(events, []);
      assert.equal(s.state, 'stopped');
      ready = true;
      await s.start({ position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: 'abc', shardId: 'x' }, shards: 'all' });
      assert.deepEqual(events, [{ type: 'notice', level: 'error', message: 'A sequence-number start needs the shard and a sequence number (digits).' }]);
    } finally {
      s.dispose();
    }
  });

  it('a stream that does not exist ends the read with the reason in the status', async () => {
    const events: InspectorEvent[] = [];
    const logs: string[] = [];
    const s = new InspectorSession({
      streamName: 'no-such-stream',
      client: async () => ep.client,
      log: { info: () => undefined, warn: () => undefined, error: (m) => logs.push(m) },
      post: (e) => events.push(e),
      canPost: () => true,
      isVisible: () => false,
      maxRecords: 100,
      maxMemoryBytes: 16 * 1024 * 1024,
    });
    try {
      await s.start({ position: { type: 'LATEST' }, shards: 'all' });
      await until('the read to stop', () => s.state === 'stopped');
      assert.match(s.status().error ?? '', /no-such-stream|not found/i);
      assert.ok(logs.length > 0, 'the failure is logged');
    } finally {
      s.dispose();
    }
  });
});

describe('Inspector input checks (what the webview sends is input)', () => {
  it('keeps only well-formed filter fields', () => {
    assert.deepEqual(sanitizeFilter({ partitionKey: 'k'.repeat(300), shards: ['a', 3 as never, 'b'], from: Infinity, to: 5, text: 'x', jmespath: '  ' }), { shards: ['a', 'b'], to: 5, text: 'x' });
    assert.deepEqual(sanitizeFilter('junk' as never), {});
  });

  it('checks start options, sort and decoding', () => {
    assert.deepEqual(sanitizeOptions(undefined), { position: { type: 'LATEST' }, shards: 'all' });
    assert.deepEqual(sanitizeOptions({ position: { type: 'TRIM_HORIZON' }, shards: ['s1', 4 as never] }), { position: { type: 'TRIM_HORIZON' }, shards: ['s1'] });
    assert.throws(() => sanitizeOptions({ position: { type: 'AT_TIMESTAMP', timestamp: NaN }, shards: 'all' }), /date and time/);
    assert.equal(sanitizeSort('desc'), 'desc');
    assert.equal(sanitizeSort('DROP TABLE'), 'asc');
    assert.equal(sanitizeDecoding('gzip'), 'gzip');
    assert.equal(sanitizeDecoding('../../etc'), 'auto');
  });
});
