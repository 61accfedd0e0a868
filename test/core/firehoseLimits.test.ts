import * as assert from 'node:assert/strict';
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { firehoseClientFor } from '../../src/core/aws/clientFactory';
import { decodeDeliveredObject } from '../../src/core/local/deliveredObjects';
import { jq, ROLE } from '../support/firehoseConfigs';

const byTenant = (bucket: string, hints = { SizeInMBs: 64, IntervalInSeconds: 60 }) => ({
  BucketARN: `arn:aws:s3:::${bucket}`,
  RoleARN: ROLE,
  Prefix: 'tenant=!{partitionKeyFromQuery:tenant}/',
  ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
  BufferingHints: hints,
  DynamicPartitioningConfiguration: { Enabled: true },
  ProcessingConfiguration: jq('{tenant: .tenant}'),
});
const rec = (id: number, tenant: string, pad = '') => ({ Data: Buffer.from(JSON.stringify({ id, tenant, ...(pad ? { pad } : {}) }) + '\n') });

describe('Firehose emulator: the active partitions quota and a memory budget (real @aws-sdk/client-firehose over HTTP)', function () {
  this.timeout(120_000);
  // The buffering interval is a minute: the test moves the emulator's clock and runs its hint check itself.
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  let now = T0;
  const clock = () => now;
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  const logs: string[] = [];
  before(async () => {
    local = await startLocalEndpoint({ log: (l) => logs.push(l), firehose: { clock, tickMs: 3_600_000, maxActivePartitions: 3, maxBufferedBytes: 256 * 1024 } });
    firehose = firehoseClientFor(local.endpoint);
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });
  const settle = async () => {
    for (let i = 0; i < 3; i++) await local.firehose.tick();
  };
  const lines = (name: string, key: string) => decodeDeliveredObject(local.firehose.readObject(name, key)!, undefined, key).lines.map((l) => JSON.parse(l));

  it('sends records that would open a partition past the quota to the error output (activePartitionExceeded); once partitions are delivered, new ones open again; nothing is lost', async () => {
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'tenants', DeliveryStreamType: 'DirectPut', ExtendedS3DestinationConfiguration: byTenant('tenants') }));
    // Ten tenants, round robin: the first three open the three partitions allowed.
    const first = Array.from({ length: 50 }, (_, i) => rec(i, `t${i % 10}`));
    const put = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'tenants', Records: first }));
    assert.equal(put.FailedPutCount, 0, 'AWS does not throttle for it: the call succeeds');
    await settle();
    assert.deepEqual([local.firehose.delivered('tenants'), local.firehose.errorObjects('tenants')], [[], []], 'every buffer waits for its interval, the error output too');
    assert.ok(logs.some((l) => /tenants: 35 records would open a partition past the 3 active partitions allowed/.test(l)));

    // The same tenants again: the three active partitions take theirs, the others still cannot open.
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'tenants', Records: [rec(100, 't0'), rec(101, 't9')] }));
    now = T0 + 60_000;
    await settle();
    const errors = local.firehose.errorObjects('tenants');
    assert.equal(errors.length, 1);
    assert.match(errors[0].key, /^errors\/activePartitionExceeded\/tenants-1-2026-03-01-10-00-00-/);
    const failed = lines('tenants', errors[0].key);
    for (const f of failed) {
      assert.equal(f.errorCode, 'DynamicPartitioning.ActivePartitionsLimitExceeded');
      assert.equal(f.errorMessage, 'The number of active partitions has exceeded the configured limit');
      assert.equal(f.attemptsMade, 1);
    }
    const failedIds = failed.map((f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).id as number);
    assert.deepEqual(failedIds, [...first.map((_, i) => i).filter((i) => i % 10 >= 3), 101], 'the 7 tenants past the quota; rawData is the record as put');
    const delivered = local.firehose.delivered('tenants');
    assert.deepEqual(delivered.map((o) => o.key.split('/')[0]).sort(), ['tenant=t0', 'tenant=t1', 'tenant=t2']);
    const deliveredIds = delivered.flatMap((o) => lines('tenants', o.key).map((r) => r.id as number));

    // Delivered: the partitions are no longer active, so new tenants open partitions again.
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'tenants', Records: [rec(200, 't7'), rec(201, 't8')] }));
    await local.firehose.flush('tenants');
    const later = local.firehose.delivered('tenants').filter((o) => !delivered.some((d) => d.key === o.key));
    assert.deepEqual(later.map((o) => o.key.split('/')[0]).sort(), ['tenant=t7', 'tenant=t8']);

    assert.equal(local.firehose.errorObjects('tenants').length, 1, 'no more errors');
    const all = [...deliveredIds, ...later.flatMap((o) => lines('tenants', o.key).map((r) => r.id as number)), ...failedIds].sort((a, b) => a - b);
    assert.deepEqual(all, [...first.map((_, i) => i), 100, 101, 200, 201], 'every record is delivered or in the error output, once');
  });

  it('holds at most its memory budget: past it, the largest partitions are delivered early, every record once', async () => {
    await firehose.send(
      new CreateDeliveryStreamCommand({ DeliveryStreamName: 'big', DeliveryStreamType: 'DirectPut', ExtendedS3DestinationConfiguration: byTenant('big', { SizeInMBs: 128, IntervalInSeconds: 900 }) }),
    );
    const pad = 'x'.repeat(2000);
    const records = Array.from({ length: 300 }, (_, i) => rec(i, `t${i % 2}`, pad));
    for (let i = 0; i < records.length; i += 100) {
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'big', Records: records.slice(i, i + 100) }));
      await settle();
    }
    const early = local.firehose.delivered('big');
    assert.ok(early.length >= 1, 'past 256 KiB, partitions are delivered long before 128 MiB or 900 s');
    await local.firehose.flush('big');
    const ids = local.firehose.delivered('big').flatMap((o) => lines('big', o.key).map((r) => r.id as number)).sort((a, b) => a - b);
    assert.deepEqual(ids, records.map((_, i) => i));
    assert.deepEqual(local.firehose.errorObjects('big'), []);
  });
});
