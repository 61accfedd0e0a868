import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { runTransform } from '../../src/core/transform/engine';
import { sampleFromStream } from '../../src/core/transform/sample';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

const FIX = join(__dirname, '../../../test/fixtures/transform');

describe('transform samples from a stream (kinesalite)', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let name: string;
  before(async () => {
    ep = await startKinesalite();
    name = uniqueName('transform');
    await ep.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    await new StreamService(ep.client).waitFor(name, 'ACTIVE');
    for (let b = 0; b < 2; b++) {
      await ep.client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: Array.from({ length: 300 }, (_, i) => {
            const n = b * 300 + i;
            return { PartitionKey: `c-${n % 7}`, Data: Buffer.from(JSON.stringify({ orderId: `o-${n}`, customerId: `c-${n % 7}`, amount: n, status: n % 50 === 0 ? 'cancelled' : 'paid' })) };
          }),
        }),
      );
    }
  });
  after(() => ep.close());

  it('takes N records from TRIM_HORIZON and runs a TypeScript handler with Kinesis metadata', async () => {
    const sample = await sampleFromStream(ep.client, name, { from: 'TRIM_HORIZON', count: 500 });
    assert.equal(sample.length, 500);
    assert.equal(new Set(sample.map((r) => `${r.shardId}/${r.sequenceNumber}`)).size, 500);
    assert.ok(sample.every((r) => r.partitionKey.startsWith('c-') && r.arrivalTime > 0));
    const report = await runTransform({
      handler: { kind: 'file', path: join(FIX, 'transform.ts'), exportName: 'handler' },
      records: sample,
      streamName: name,
      prefix: '!{partitionKeyFromLambda:customerId}/',
    });
    assert.deepEqual(report.violations, []);
    assert.equal(report.rows.length, 500);
    const dropped = sample.filter((r) => Buffer.from(r.data).toString().includes('cancelled')).length;
    assert.equal(report.counts.Dropped ?? 0, dropped);
    assert.equal(report.counts.Ok, 500 - dropped);
    assert.equal(new Set(report.delivery!.objects.map((o) => o.prefix)).size, 7);
  });

  it('takes records from a timestamp on', async () => {
    const all = await sampleFromStream(ep.client, name, { from: 'TRIM_HORIZON', count: 1000 });
    assert.equal(all.length, 600);
    const later = await sampleFromStream(ep.client, name, { from: { atTimestamp: Date.now() + 60_000 }, count: 10 });
    assert.equal(later.length, 0);
  });
});
