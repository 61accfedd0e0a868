import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { kinesisClientFor, localHandler, LOCAL_CREDENTIALS } from '../../src/core/aws/clientFactory';
import { DeliveryStreamService } from '../../src/core/firehose/deliveryStreamService';
import { StreamService } from '../../src/core/kinesis/streamService';
import { describeError } from '../../src/core/aws/errors';

describe('Local endpoint: Kinesis and Firehose behind one URL', function () {
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kinesis-s3-'));
    // The delivery stream below names a Lambda "enrich": it runs the identity handler from the fixtures.
    local = await startLocalEndpoint({ deliveryDir: dir, firehose: { lambdaHandlers: { enrich: join(__dirname, '../../../test/fixtures/transform/identity.js') } } });
    firehose = new FirehoseClient({ region: 'us-east-1', endpoint: local.endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: localHandler() });
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });

  it('serves Kinesis on the same URL', async () => {
    const k = kinesisClientFor(local.endpoint);
    const svc = new StreamService(k);
    await svc.create('same-url', { shardCount: 1 });
    assert.ok((await svc.listAllStreams()).some((s) => s.name === 'same-url'));
    k.destroy();
  });

  it('creates a Direct PUT delivery stream, describes it and delivers records to S3-shaped files', async () => {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'direct',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::my-bucket',
          RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          Prefix: 'events/',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: 'arn:aws:lambda:us-east-1:000000000000:function:enrich' }] }] },
        },
      }),
    );
    const svc = new DeliveryStreamService(firehose);
    const d = await svc.describe('direct');
    assert.equal(d.type, 'DirectPut');
    assert.equal(d.status, 'ACTIVE');
    assert.deepEqual(d.destinations.map((x) => [x.kind, x.target, x.buffering]), [['S3', 's3://my-bucket/events/', '1 MiB or 60 s']]);
    assert.deepEqual(d.processing, { enabled: true, processors: [{ type: 'Lambda', detail: 'arn:aws:lambda:us-east-1:000000000000:function:enrich' }] });
    const failed = await svc.putRecords('direct', Array.from({ length: 700 }, (_, i) => Buffer.from(`{"n":${i}}\n`)));
    assert.equal(failed, 0);
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'direct', Record: { Data: Buffer.from('{"n":700}\n') } }));
    assert.equal(local.firehose.delivered('direct').length, 0, 'buffered until the interval or size is reached');
    await local.firehose.flush('direct');
    const [obj] = local.firehose.delivered('direct');
    assert.equal(obj.records, 701);
    assert.match(obj.key, /^events\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/direct-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-/);
    const onDisk = readFileSync(join(dir, 'my-bucket', obj.key), 'utf8').trim().split('\n');
    assert.equal(onDisk.length, 701);
    assert.deepEqual(JSON.parse(onDisk[700]), { n: 700 });
  });

  it('reads a Kinesis source stream and delivers its records', async () => {
    const k = kinesisClientFor(local.endpoint);
    const svc = new StreamService(k);
    await svc.create('source', { shardCount: 2 });
    await svc.waitFor('source', 'ACTIVE');
    const arn = (await svc.describe('source')).arn!;
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'from-kinesis',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: arn, RoleARN: 'arn:aws:iam::000000000000:role/r' },
        ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::archive', RoleARN: 'arn:aws:iam::000000000000:role/r' },
      }),
    );
    await k.send(new PutRecordsCommand({ StreamName: 'source', Records: Array.from({ length: 50 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`r${i};`) })) }));
    const deadline = Date.now() + 20_000;
    let total = 0;
    while (Date.now() < deadline) {
      await local.firehose.flush('from-kinesis');
      total = local.firehose.delivered('from-kinesis').reduce((a, o) => a + o.records, 0);
      if (total >= 50) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(total, 50);
    const body = local.firehose.delivered('from-kinesis').map((o) => readFileSync(o.file!, 'utf8')).join('');
    for (let i = 0; i < 50; i++) assert.ok(body.includes(`r${i};`), `r${i}`);
    const d = await new DeliveryStreamService(firehose).describe('from-kinesis');
    assert.equal(d.sourceStreamArn, arn);
    const err = await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'from-kinesis', Record: { Data: Buffer.from('x') } })).catch((e) => e);
    assert.match(describeError(err).message, /reads from a Kinesis stream/);
    k.destroy();
  });

  it('lists delivery streams page by page and says plainly when one is missing', async () => {
    const svc = new DeliveryStreamService(firehose);
    for (const n of ['p-1', 'p-2', 'p-3']) {
      await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: n, ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::bucket-b', RoleARN: 'arn:aws:iam::000000000000:role/r' } }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await svc.listPage(cursor, 2);
      seen.push(...page.names);
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(seen.filter((n) => n.startsWith('p-')), ['p-1', 'p-2', 'p-3']);
    const err = await svc.describe('nope').catch((e) => e);
    assert.equal(err.name, 'ResourceNotFoundException');
  });
});
