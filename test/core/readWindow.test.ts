import * as assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { ReaderEnd, StreamReader } from '../../src/core/records/reader';
import type { RawRecord } from '../../src/core/records/types';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

describe('reader: a window (an end time, a record count)', function () {
  this.timeout(30_000);
  let ep: TestEndpoint;
  let name: string;
  let between: number;
  before(async () => {
    ep = await startKinesalite();
    name = uniqueName('window');
    const svc = new StreamService(ep.client);
    await svc.create(name, { shardCount: 2 });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    const put = (tag: string) => ep.client.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 40 }, (_, i) => ({ PartitionKey: `${tag}-${i}`, Data: Buffer.from(tag) })) }));
    await put('early');
    await new Promise((r) => setTimeout(r, 30));
    between = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await put('late');
  });
  after(() => ep.close());

  function read(end: { at?: number; count?: number }, limitPerCall = 7): Promise<{ records: RawRecord[]; end: ReaderEnd; reader: StreamReader }> {
    const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'TRIM_HORIZON' }, end, limitPerCall, pollIntervalMs: 50, minCallIntervalMs: 0 });
    const records: RawRecord[] = [];
    reader.onRecords((b) => records.push(...b));
    return new Promise((resolve) => {
      reader.onEnd((e) => resolve({ records, end: e, reader }));
      reader.start();
    });
  }

  it('stops each shard at the first record after the end time, then ends and stops', async () => {
    const { records, end, reader } = await read({ at: between });
    assert.equal(end.reason, 'time');
    assert.equal(records.length, 40);
    assert.ok(records.every((r) => Buffer.from(r.data).toString() === 'early'));
    await reader.stop();
    assert.equal(reader.isRunning, false);
  });

  it('stops after a count of records across shards (pages cut to it)', async () => {
    const { records, end } = await read({ count: 45 });
    assert.equal(end.reason, 'count');
    assert.equal(end.recordsRead, 45);
    assert.equal(records.length, 45);
    assert.equal(new Set(records.map((r) => r.sequenceNumber)).size, 45);
  });

  it('whichever comes first: a count larger than the window ends at the time', async () => {
    const { records, end } = await read({ at: between, count: 1000 });
    assert.equal(end.reason, 'time');
    assert.equal(records.length, 40);
  });
});
