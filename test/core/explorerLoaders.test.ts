import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { kinesisClientFor, localHandler, LOCAL_CREDENTIALS } from '../../src/core/aws/clientFactory';
import { DeliveryStreamService } from '../../src/core/firehose/deliveryStreamService';
import { deliveryStreamDetails, loadDeliveryStreams } from '../../src/core/firehose/deliveryStreamLoader';
import { loadShards } from '../../src/core/kinesis/streamChildrenLoader';
import { StreamService } from '../../src/core/kinesis/streamService';
import { mapLimit } from '../../src/core/async';

/** The explorer's loaders (one per node kind) against the built-in endpoint: Kinesis and our Firehose emulator. */
describe('Explorer loaders', function () {
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  before(async () => {
    local = await startLocalEndpoint({ deliveryDir: mkdtempSync(join(tmpdir(), 'kinesis-loaders-')) });
    firehose = new FirehoseClient({ region: 'us-east-1', endpoint: local.endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: localHandler() });
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });

  it('loads every delivery stream described, and shapes the lines under one from its model', async () => {
    const svc = new DeliveryStreamService(firehose);
    assert.deepEqual(await loadDeliveryStreams(svc), []);
    for (const name of ['b-archive', 'a-events']) {
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: name,
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: {
            BucketARN: 'arn:aws:s3:::my-bucket',
            RoleARN: 'arn:aws:iam::000000000000:role/firehose',
            Prefix: `${name}/`,
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
            ProcessingConfiguration: name === 'a-events' ? { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: 'arn:aws:lambda:us-east-1:000000000000:function:enrich' }] }] } : undefined,
          },
        }),
      );
    }
    const streams = await loadDeliveryStreams(svc);
    assert.deepEqual(streams.map((s) => s.name).sort(), ['a-events', 'b-archive']);
    assert.equal((await loadDeliveryStreams(svc, 1)).length, 1, 'capped');
    const events = streams.find((s) => s.name === 'a-events')!;
    const lines = deliveryStreamDetails(events);
    assert.deepEqual(lines.map((l) => [l.kind, l.label, l.description]), [
      ['source-direct', 'Source', 'Direct PUT (PutRecord, PutRecordBatch)'],
      ['processing', 'Processing', 'Lambda enrich'],
      ['destination-s3', 'Destination: S3', 's3://my-bucket/a-events/ · buffer 1 MiB or 60 s'],
    ]);
    assert.equal(new Set(lines.map((l) => l.key)).size, lines.length, 'keys are unique under the stream');
    assert.equal(deliveryStreamDetails(streams.find((s) => s.name === 'b-archive')!)[1].description, 'none');
  });

  it('a delivery stream that cannot be described keeps its name', async () => {
    const svc = new DeliveryStreamService(firehose);
    const broken = Object.assign(Object.create(svc) as DeliveryStreamService, {
      listPage: async () => ({ names: ['gone'], next: undefined }),
    });
    assert.deepEqual(await loadDeliveryStreams(broken), [{ name: 'gone', destinations: [] }]);
  });

  it('loads a stream\'s shards in order, parents before children', async () => {
    const k = kinesisClientFor(local.endpoint);
    const svc = new StreamService(k);
    await svc.create('loader-shards', { shardCount: 2 });
    await svc.waitFor('loader-shards', 'ACTIVE');
    const [first] = await loadShards(svc, 'loader-shards');
    await svc.splitShard('loader-shards', first, '100');
    await svc.waitFor('loader-shards', 'ACTIVE');
    const shards = await loadShards(svc, 'loader-shards');
    assert.equal(shards.length, 4);
    const parentAt = shards.findIndex((s) => s.shardId === first.shardId);
    assert.ok(shards.every((s, i) => s.parentShardId !== first.shardId || i > parentAt), shards.map((s) => s.shardId).join(','));
    k.destroy();
  });

  it('maps with bounded concurrency, keeping order', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 30, 20]);
    assert.equal(most, 2);
    assert.deepEqual(await mapLimit([], 4, async () => 1), []);
  });
});
