import * as assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { midpoint } from '../../src/core/kinesis/hashKeys';
import { StreamService } from '../../src/core/kinesis/streamService';
import { replay } from '../../src/core/producer/replay';
import { decodeRecords, rawBytesOf } from '../../src/core/records/decoders';
import { RecordFilter } from '../../src/core/records/filters';
import { readAll } from '../../src/core/records/reader';
import { CLOUDWATCH_LOGS_PAYLOAD } from '../support/awsSamples';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';
import { gzipSync } from 'node:zlib';
import { CreateDeliveryStreamCommand } from '@aws-sdk/client-firehose';
import { firehoseClientFor } from '../../src/core/aws/clientFactory';
import { decodeDeliveredObject } from '../../src/core/local/deliveredObjects';
import { startLocalEndpoint } from '../../src/core/local/localEndpoint';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; data: Buffer }[], handler: (e: { partitionKey: string; data: Buffer }, done: () => void) => void, after: () => void, onError: (e: Error) => void): void;
};

describe('replay: records read from one stream sent to another through the producer engine', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let svc: StreamService;
  let source: string;
  before(async () => {
    ep = await startKinesalite();
    svc = new StreamService(ep.client);
    source = uniqueName('replay-src');
    await svc.create(source, { shardCount: 2 });
    await svc.waitFor(source, 'ACTIVE', { intervalMs: 20 });
    for (let b = 0; b < 6; b++) {
      await ep.client.send(new PutRecordsCommand({ StreamName: source, Records: Array.from({ length: 500 }, (_, i) => { const n = b * 500 + i; return { PartitionKey: `user-${n % 37}`, Data: Buffer.from(JSON.stringify({ n, level: n % 3 === 0 ? 'ERROR' : 'INFO' })) }; }) }));
    }
    const aggregate = await new Promise<{ partitionKey: string; data: Buffer }>((resolve, reject) => {
      const out: { partitionKey: string; data: Buffer }[] = [];
      agg.aggregate([0, 1, 2].map((i) => ({ partitionKey: `kpl-${i}`, data: Buffer.from(JSON.stringify({ kpl: i, level: 'ERROR' })) })), (e, done) => (out.push(e), done()), () => resolve(out[0]), reject);
    });
    await ep.client.send(new PutRecordsCommand({ StreamName: source, Records: [{ PartitionKey: aggregate.partitionKey, Data: aggregate.data }, { PartitionKey: 'logs', Data: gzipSync(JSON.stringify(CLOUDWATCH_LOGS_PAYLOAD)) }] }));
  });
  after(() => ep.close());

  it('sends the filtered records, keys kept, each once, while the target is split: nothing lost', async () => {
    const target = uniqueName('replay-dst');
    await svc.create(target, { shardCount: 1 });
    await svc.waitFor(target, 'ACTIVE', { intervalMs: 20 });
    const decoded = decodeRecords(await readAll(ep.client, source, { type: 'TRIM_HORIZON' }));
    const { filter } = RecordFilter.compile({ jmespath: "level == 'ERROR'" });
    const chosen = filter.apply(decoded);
    assert.equal(chosen.length, 1000 + 3, 'a third of the JSON records and the three KPL user records');
    let split: Promise<void> | undefined;
    const result = await replay(chosen, {
      target: { client: ep.client, streamName: target },
      rate: 1500,
      onProgress: (p) => {
        // Split the target's shard while the replay runs.
        if (!split && p.sent >= 300) {
          split = (async () => {
            const [parent] = await svc.listShards(target);
            await svc.splitShard(target, parent, midpoint(parent.startingHashKey, parent.endingHashKey));
          })();
        }
      },
    });
    await split;
    assert.equal(result.status, 'completed');
    assert.equal(result.sent, 1003);
    assert.equal(result.undelivered, 0);
    assert.equal(result.rejected, 0);
    const landed = await readAll(ep.client, target, { type: 'TRIM_HORIZON' });
    assert.equal(new Set(landed.map((r) => r.shardId)).size, 3, 'the parent and both children took records');
    const got = landed.map((r) => `${r.partitionKey}|${Buffer.from(r.data).toString('base64')}`).sort();
    const want = chosen.map((r) => `${r.partitionKey}|${Buffer.from(rawBytesOf(r)).toString('base64')}`).sort();
    assert.deepEqual(got, want, 'every chosen record exactly once, with its partition key and bytes');
  });

  it('re-keys from a field of the decoded record; one CloudWatch Logs payload shown as rows is sent once; a record without the field is reported', async () => {
    const target = uniqueName('replay-rekey');
    await svc.create(target, { shardCount: 1 });
    await svc.waitFor(target, 'ACTIVE', { intervalMs: 20 });
    const raws = await readAll(ep.client, source, { type: 'TRIM_HORIZON' });
    const rows = decodeRecords(raws, undefined, { cloudWatchLogs: { rowPerEvent: true } });
    const logs = rows.filter((r) => r.format === 'cloudwatch-logs');
    assert.equal(logs.length, 3);
    const some = rows.filter((r) => (r.json as { n?: number })?.n !== undefined && (r.json as { n: number }).n < 5);
    const result = await replay([...some, ...logs], { target: { client: ep.client, streamName: target }, partitionKey: { type: 'field', field: 'n' } });
    assert.equal(result.sent, 5);
    assert.equal(result.rejected, 1, 'the log payload has no field n: reported, not dropped silently');
    assert.match(result.problems[0].message, /no field "n"/);
    const landed = await readAll(ep.client, target, { type: 'TRIM_HORIZON' });
    assert.deepEqual(landed.map((r) => r.partitionKey).sort(), ['0', '1', '2', '3', '4']);
    result.undeliveredRecords.dispose();
  });

  it('sends records to a delivery stream (Direct PUT) on another connection: each delivered once, bytes as read', async () => {
    // Another connection: the built-in endpoint (kinesalite and the Firehose emulator on one URL).
    const local = await startLocalEndpoint();
    const firehose = firehoseClientFor(local.endpoint);
    try {
      await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'replayed', ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::replayed', RoleARN: 'arn:aws:iam::000000000000:role/firehose', BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 } } }));
      const decoded = decodeRecords(await readAll(ep.client, source, { type: 'TRIM_HORIZON' }));
      const chosen = RecordFilter.compile({ jmespath: "type(n) == 'number' && n < `200`" }).filter.apply(decoded);
      assert.equal(chosen.length, 200);
      const result = await replay(chosen, { target: { firehose, deliveryStreamName: 'replayed' } });
      assert.equal(result.status, 'completed');
      assert.equal(result.sent, 200);
      assert.equal(result.undelivered, 0);
      await local.firehose.flush('replayed');
      const lines = local.firehose.delivered('replayed').flatMap((o) => decodeDeliveredObject(o.body!).lines);
      assert.deepEqual(lines.map((l) => JSON.parse(l).n).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
      result.undeliveredRecords.dispose();
    } finally {
      firehose.destroy();
      await local.close();
    }
  });
});
