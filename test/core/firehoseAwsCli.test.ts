import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalEndpoint } from '../../src/core/local/localEndpoint';
import { decodeDeliveredObject } from '../../src/core/local/deliveredObjects';

const AWS = '/usr/bin/aws';
const exec = promisify(execFile);
const FIX = join(__dirname, '../../../test/fixtures/firehose');

/** Debian's awscli (2.9.19), a client no one here wrote, against the emulator. */
describe("Firehose emulator with Debian's awscli", function () {
  this.timeout(120_000);

  it('create-delivery-stream (Lambda transform, dynamic partitioning, GZIP), put-record-batch, describe-delivery-stream; stopping the endpoint delivers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firehose-cli-'));
    const local = await startLocalEndpoint({ deliveryDir: dir, firehose: { lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    const aws = async (...args: string[]) => {
      const r = await exec(AWS, [...args, '--endpoint-url', local.endpoint, '--region', 'us-east-1', '--output', 'json'], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      });
      return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    };
    let closed = false;
    try {
      const config = {
        BucketARN: 'arn:aws:s3:::cli-bucket',
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        Prefix: 'city=!{partitionKeyFromLambda:city}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        CompressionFormat: 'GZIP',
        // awscli 2.9's model refuses intervals under 60 s: stopping the endpoint delivers instead.
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: 'arn:aws:lambda:us-east-1:000000000000:function:cities' }] }] },
      };
      const created = await aws('firehose', 'create-delivery-stream', '--delivery-stream-name', 'from-cli', '--extended-s3-destination-configuration', JSON.stringify(config));
      assert.equal(created.DeliveryStreamARN, 'arn:aws:firehose:us-east-1:000000000000:deliverystream/from-cli');
      const records = Array.from({ length: 20 }, (_, i) => ({ Data: Buffer.from(JSON.stringify({ id: i, city: ['Lisbon', 'Osaka'][i % 2] })).toString('base64') }));
      const put = await aws('firehose', 'put-record-batch', '--delivery-stream-name', 'from-cli', '--records', JSON.stringify(records));
      assert.equal(put.FailedPutCount, 0);
      assert.equal(put.RequestResponses.length, 20);
      const d = await aws('firehose', 'describe-delivery-stream', '--delivery-stream-name', 'from-cli');
      const dest = d.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription;
      assert.equal(dest.CompressionFormat, 'GZIP');
      assert.equal(dest.ProcessingConfiguration.Processors[0].Parameters[0].ParameterValue, 'arn:aws:lambda:us-east-1:000000000000:function:cities');
      assert.equal(dest.DynamicPartitioningConfiguration.Enabled, true);
      assert.deepEqual(local.firehose.delivered('from-cli'), [], 'buffered: 60 s not reached');
      await local.close();
      closed = true;
      const delivered = local.firehose.delivered('from-cli');
      assert.deepEqual(delivered.map((o) => o.key.split('/')[0]).sort(), ['city=Lisbon', 'city=Osaka']);
      const ids = delivered.flatMap((o) => decodeDeliveredObject(readFileSync(o.file!)).lines.map((l) => JSON.parse(l).id));
      const failed = local.firehose.errorObjects('from-cli').flatMap((o) => decodeDeliveredObject(readFileSync(o.file!)).lines.map((l) => JSON.parse(Buffer.from(JSON.parse(l).rawData, 'base64').toString()).id));
      const all = Array.from({ length: 20 }, (_, i) => i);
      assert.deepEqual([...ids, ...failed].sort((a, b) => a - b), all.filter((i) => i % 10 !== 7), 'every record delivered or in the error output, but the dropped ones');
      assert.deepEqual(failed.sort((a, b) => a - b), [3, 13]);
    } finally {
      if (!closed) await local.close();
    }
  });

  it('--s3-destination-configuration in shorthand with CompressionFormat=Snappy: a .snappy object in snappy-java\'s format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firehose-cli-snappy-'));
    const local = await startLocalEndpoint({ deliveryDir: dir });
    try {
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
      const aws = async (...args: string[]) => JSON.parse((await exec(AWS, [...args, '--endpoint-url', local.endpoint, '--region', 'us-east-1', '--output', 'json'], { env })).stdout || 'null');
      await aws('firehose', 'create-delivery-stream', '--delivery-stream-name', 'cli-snappy', '--s3-destination-configuration', 'BucketARN=arn:aws:s3:::cli-snappy,RoleARN=arn:aws:iam::000000000000:role/firehose,CompressionFormat=Snappy');
      const d = await aws('firehose', 'describe-delivery-stream', '--delivery-stream-name', 'cli-snappy');
      assert.equal(d.DeliveryStreamDescription.Destinations[0].S3DestinationDescription.CompressionFormat, 'Snappy');
      const records = Array.from({ length: 5 }, (_, i) => ({ Data: Buffer.from(`${JSON.stringify({ id: i })}\n`).toString('base64') }));
      assert.equal((await aws('firehose', 'put-record-batch', '--delivery-stream-name', 'cli-snappy', '--records', JSON.stringify(records))).FailedPutCount, 0);
      await local.firehose.flush('cli-snappy');
      const [o] = local.firehose.delivered('cli-snappy');
      assert.match(o.key, /\.snappy$/);
      const body = readFileSync(o.file!);
      assert.equal(body.subarray(1, 7).toString(), 'SNAPPY', "snappy-java's header");
      assert.deepEqual(decodeDeliveredObject(body, undefined, o.key).lines.map((l) => JSON.parse(l).id), [0, 1, 2, 3, 4]);
    } finally {
      await local.close();
    }
  });
});
