import * as assert from 'node:assert/strict';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateDeliveryStreamCommand,
  CreateDeliveryStreamCommandInput,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  UpdateDestinationCommand,
} from '@aws-sdk/client-firehose';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { firehoseClientFor, kinesisClientFor } from '../../src/core/aws/clientFactory';
import { clickEvent, DEMO_DELIVERY_STREAMS, DEMO_LAMBDA, DEMO_STREAMS, seedDemo } from '../../src/core/local/demoData';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { decodeDeliveredObject } from '../../src/core/local/deliveredObjects';
import { listDeliveredObjects, readDeliveredObject } from '../../src/core/firehose/localObjects';
import { startKinesalite } from '../support/endpoints';
import { StreamService } from '../../src/core/kinesis/streamService';
import { encodeAggregate } from '../../src/core/producer/aggregation';
import { DeliveryStreamService } from '../../src/core/firehose/deliveryStreamService';
import type { DeliveredObject } from '../../src/core/local/firehoseEmulator';
import type { ObjectStore } from '../../src/core/local/s3Folder';
import { jq, lambda, lambdaArn, ROLE } from '../support/firehoseConfigs';

const FIX = join(__dirname, '../../../test/fixtures/firehose');
const s3 = (bucket: string, over: Record<string, unknown> = {}) => ({ BucketARN: `arn:aws:s3:::${bucket}`, RoleARN: ROLE, BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 }, ...over });

/** Records a test puts: {"id": n, "city": ...}, with extra fields for the first of a batch. */
const rec = (id: number, extra: Record<string, unknown> = {}) => ({ Data: Buffer.from(JSON.stringify({ id, city: ['Lisbon', 'Osaka', 'Denver'][id % 3], ...extra })) });

const lines = (o: DeliveredObject, body: Buffer | undefined) => decodeDeliveredObject(body ?? o.body!).lines;

interface Received {
  headers: IncomingMessage['headers'];
  body: { requestId: string; timestamp: number; records: { data: string }[] };
}

/** A local HTTP endpoint whose answers the test scripts, one per request; then it accepts. */
async function receiver(script: ((r: Received) => { status: number; body: string })[]): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const r: Received = { headers: req.headers, body: JSON.parse(raw.toString('utf8')) };
      got.push(r);
      const answer = script[got.length - 1]?.(r) ?? { status: 200, body: JSON.stringify({ requestId: r.body.requestId, timestamp: Date.now() }) };
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/firehose`, got };
}

describe('Firehose emulator: transform, partition, compress, deliver (real @aws-sdk/client-firehose over HTTP)', function () {
  this.timeout(120_000);
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  const logs: string[] = [];
  before(async () => {
    local = await startLocalEndpoint({
      deliveryDir: mkdtempSync(join(tmpdir(), 'firehose-delivery-')),
      log: (l) => logs.push(l),
      firehose: {
        lambdaHandlers: { cities: join(FIX, 'cities.js'), [lambdaArn('by-arn')]: join(FIX, 'cities.js') },
        lambdaTimeoutMs: 2000,
        httpBackoffBaseMs: 20,
      },
    });
    firehose = firehoseClientFor(local.endpoint);
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });
  const create = (input: Omit<CreateDeliveryStreamCommandInput, 'DeliveryStreamType'>) => firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamType: 'DirectPut', ...input }));
  const put = async (name: string, records: { Data: Buffer }[]) => {
    for (let i = 0; i < records.length; i += 500) {
      const r = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records.slice(i, i + 500) }));
      assert.equal(r.FailedPutCount, 0);
    }
  };
  const read = (name: string, o: DeliveredObject) => local.firehose.readObject(name, o.key);

  it('runs the Lambda from the workspace: Ok records partitioned by its keys and GZIP-compressed, Dropped gone, ProcessingFailed and a thrown invocation retried, failures in the error output as Firehose writes them', async () => {
    await create({
      DeliveryStreamName: 'cities',
      ExtendedS3DestinationConfiguration: s3('cities-bucket', {
        Prefix: 'city=!{partitionKeyFromLambda:city}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        CompressionFormat: 'GZIP',
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: lambda('cities'),
      }),
    });
    // The first batch's first record makes the handler throw once: Firehose retries the invocation.
    await put('cities', [rec(0, { throwOnce: true }), ...Array.from({ length: 29 }, (_, i) => rec(i + 1))]);
    assert.equal(await local.firehose.flush('cities'), true);

    const delivered = local.firehose.delivered('cities');
    assert.deepEqual(delivered.map((o) => o.key.split('/')[0]).sort(), ['city=Denver', 'city=Lisbon', 'city=Osaka']);
    for (const o of delivered) {
      assert.match(o.key, /^city=\w+\/cities-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/);
      const body = read('cities', o)!;
      assert.equal(body[0], 0x1f, 'stored GZIP');
      const city = o.key.split('/')[0].slice('city='.length);
      for (const l of lines(o, body)) assert.equal(JSON.parse(l).city, city, 'each record in its own partition');
    }
    const okIds = delivered.flatMap((o) => lines(o, read('cities', o)).map((l) => JSON.parse(l))).map((r) => {
      assert.equal(r.transformed, true);
      return r.id;
    });
    const all = Array.from({ length: 30 }, (_, i) => i);
    assert.deepEqual(okIds.sort((a, b) => a - b), all.filter((i) => i % 10 !== 3 && i % 10 !== 7));

    const [errors] = local.firehose.errorObjects('cities');
    assert.match(errors.key, /^errors\/processing-failed\/cities-1-.*\.gz$/);
    const failed = lines(errors, read('cities', errors)).map((l) => JSON.parse(l));
    assert.deepEqual(failed.map((f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).id).sort((a, b) => a - b), [3, 13, 23]);
    for (const f of failed) {
      assert.deepEqual(Object.keys(f).sort(), ['arrivalTimestamp', 'attemptEndingTimestamp', 'attemptsMade', 'errorCode', 'errorMessage', 'lambdaArn', 'rawData']);
      assert.equal(f.lambdaArn, lambdaArn('cities'));
      assert.equal(f.attemptsMade, 2, 'the first attempt threw, the second answered');
      assert.equal(f.errorCode, 'Lambda.ProcessingFailedStatus');
      assert.equal(f.errorMessage, 'ProcessingFailed status set for record', "Firehose's own words");
    }
  });

  it('sends the records of an invocation that fails for good (throws, times out, returns garbage) to the error output after NumberOfRetries', async () => {
    await create({
      DeliveryStreamName: 'always-fails',
      ExtendedS3DestinationConfiguration: s3('fails-bucket', { ErrorOutputPrefix: 'err/!{firehose:error-output-type}/', ProcessingConfiguration: lambda('by-arn', 2) }),
    });
    await put('always-fails', [rec(1, { alwaysThrow: true }), rec(2)]);
    await local.firehose.flush('always-fails');
    assert.deepEqual(local.firehose.delivered('always-fails'), []);
    const [err] = local.firehose.errorObjects('always-fails');
    const failed = lines(err, read('always-fails', err)).map((l) => JSON.parse(l));
    assert.equal(failed.length, 2);
    for (const f of failed) {
      assert.equal(f.attemptsMade, 3, '1 attempt + NumberOfRetries 2');
      assert.equal(f.errorCode, 'Lambda.FunctionError');
      assert.equal(f.errorMessage, 'The Lambda function was successfully invoked but it returned an error result.');
    }
    assert.ok(logs.some((l) => /always-fails: invocation of by-arn failed 3 times \(Lambda\.FunctionError: .*this batch always fails/.test(l)), 'what the handler threw is in the log');

    await create({ DeliveryStreamName: 'times-out', ExtendedS3DestinationConfiguration: s3('slow-bucket', { ProcessingConfiguration: lambda('cities', 0) }) });
    await put('times-out', [rec(1, { sleep: 10_000 })]);
    await local.firehose.flush('times-out');
    const [slow] = local.firehose.errorObjects('times-out');
    const timedOut = JSON.parse(lines(slow, read('times-out', slow))[0]);
    assert.deepEqual([timedOut.errorCode, timedOut.errorMessage], ['Lambda.FunctionTimedOut', 'The Lambda function invocation timed out. Increase the Timeout setting in the Lambda function.']);
    assert.ok(logs.some((l) => /times-out: .*Lambda\.FunctionTimedOut: .*did not finish within 2000 ms/.test(l)));
    assert.match(slow.key, /^processing-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/times-out-1-/, 'no error prefix: Firehose\'s default');

    await create({ DeliveryStreamName: 'garbage', ExtendedS3DestinationConfiguration: s3('garbage-bucket', { ProcessingConfiguration: lambda('cities', 0) }) });
    await put('garbage', [rec(1, { garbage: true })]);
    await local.firehose.flush('garbage');
    const [g] = local.firehose.errorObjects('garbage');
    const ge = JSON.parse(lines(g, read('garbage', g))[0]);
    assert.equal(ge.errorCode, 'Lambda.JsonProcessingException');
    assert.match(ge.errorMessage, /^There was an error parsing returned records from the Lambda function\./);
    assert.ok(logs.some((l) => /garbage: .*must return \{ records/.test(l)));

    // A response that breaks the contract fails the whole invocation (AWS's code and words, then
    // what the notebook's check found): none of its records is delivered from it, after the retries.
    await create({ DeliveryStreamName: 'bad-ids', ExtendedS3DestinationConfiguration: s3('bad-ids-bucket', { ProcessingConfiguration: lambda('cities', 1) }) });
    await put('bad-ids', [rec(1, { omit: true }), rec(2, { dupe: true }), rec(4)]);
    await local.firehose.flush('bad-ids');
    assert.deepEqual(local.firehose.delivered('bad-ids'), []);
    const bad = local.firehose.errorObjects('bad-ids').flatMap((o) => lines(o, read('bad-ids', o)).map((l) => JSON.parse(l)));
    assert.deepEqual(bad.map((f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).id), [1, 2, 4], 'the whole batch');
    for (const f of bad) {
      assert.equal(f.errorCode, 'Lambda.MissingRecordId');
      assert.equal(f.attemptsMade, 2, '1 attempt + NumberOfRetries 1');
      assert.match(f.errorMessage, /^One or more record IDs were not returned\. Ensure that the Lambda function returns all received record IDs\. Record 1 \(recordId \S+\) is missing from the response\. \(and 1 more problem\)$/);
    }

    await create({ DeliveryStreamName: 'dupes', ExtendedS3DestinationConfiguration: s3('dupes-bucket', { ProcessingConfiguration: lambda('cities', 0) }) });
    await put('dupes', [rec(2, { dupe: true }), rec(4)]);
    await local.firehose.flush('dupes');
    const dupes = local.firehose.errorObjects('dupes').flatMap((o) => lines(o, read('dupes', o)).map((l) => JSON.parse(l)));
    assert.equal(dupes.length, 2);
    assert.ok(dupes.every((f) => f.errorCode === 'Lambda.DuplicatedRecordId' && f.errorMessage.startsWith('Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique record IDs for each record. Record 1 ')));

    await create({ DeliveryStreamName: 'bad-values', ExtendedS3DestinationConfiguration: s3('bad-values-bucket', { ProcessingConfiguration: lambda('cities', 2) }) });
    await put('bad-values', [rec(11, { badResult: true }), rec(12)]);
    await put('bad-values', [rec(14, { badData: true }), rec(15)]);
    await local.firehose.flush('bad-values');
    const values = local.firehose.errorObjects('bad-values').flatMap((o) => lines(o, read('bad-values', o)).map((l) => JSON.parse(l)));
    assert.deepEqual(values.map((f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).id), [11, 12, 14, 15]);
    assert.ok(values.every((f) => f.errorCode === 'Lambda.JsonProcessingException' && f.attemptsMade === 3));
    assert.match(values[0].errorMessage, /^There was an error parsing returned records from the Lambda function\..* Record 1 has result "OK"; it must be "Ok", "Dropped" or "ProcessingFailed"/);

    // Broken once, then answered correctly: the retry delivers every record, nothing is in the error output.
    await create({ DeliveryStreamName: 'broken-once', ExtendedS3DestinationConfiguration: s3('broken-once-bucket', { ProcessingConfiguration: lambda('cities', 1) }) });
    await put('broken-once', [rec(21, { badData: true, once: true }), rec(22)]);
    await local.firehose.flush('broken-once');
    assert.deepEqual(local.firehose.errorObjects('broken-once'), []);
    assert.deepEqual(local.firehose.delivered('broken-once').flatMap((o) => lines(o, read('broken-once', o)).map((l) => JSON.parse(l).id)), [21, 22]);
  });

  it('shows an unmapped Lambda on the delivery stream and keeps its records buffered, not passed through', async () => {
    await create({ DeliveryStreamName: 'unmapped', ExtendedS3DestinationConfiguration: s3('unmapped-bucket', { ProcessingConfiguration: lambda('nobody-mapped-me') }) });
    const before = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'unmapped' }));
    assert.match(before.DeliveryStreamDescription!.FailureDescription!.Details!, /nobody-mapped-me has no handler.*kinesis\.local\.lambdaHandlers.*--lambda nobody-mapped-me=/);
    const summary = await new DeliveryStreamService(firehose).describe('unmapped');
    assert.equal(summary.failure?.type, 'INVALID_CONFIGURATION', 'the tree\'s model carries it');
    assert.match(summary.failure!.details, /has no handler/);
    await put('unmapped', [rec(1)]);
    assert.equal(await local.firehose.flush('unmapped'), false);
    assert.deepEqual(local.firehose.delivered('unmapped'), []);
    assert.deepEqual(local.firehose.errorObjects('unmapped'), []);
  });

  it('partitions with a jq query (Debian jq 1.6); a record without the key, or not JSON, goes to the error output', async () => {
    await create({
      DeliveryStreamName: 'by-query',
      ExtendedS3DestinationConfiguration: s3('query-bucket', {
        Prefix: 'city=!{partitionKeyFromQuery:city}/y=!{timestamp:yyyy}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: jq('{city: .city | ascii_downcase}'),
      }),
    });
    await put('by-query', [rec(1), rec(2), rec(3), { Data: Buffer.from('{"id": 4}') }, { Data: Buffer.from('not json') }]);
    await local.firehose.flush('by-query');
    const year = new Date().getUTCFullYear();
    const delivered = local.firehose.delivered('by-query');
    assert.deepEqual(delivered.map((o) => o.key.split('/').slice(0, 2).join('/')).sort(), [`city=denver/y=${year}`, `city=lisbon/y=${year}`, `city=osaka/y=${year}`]);
    const [err] = local.firehose.errorObjects('by-query');
    const failed = lines(err, read('by-query', err)).map((l) => JSON.parse(l));
    assert.deepEqual(failed.map((f) => Buffer.from(f.rawData, 'base64').toString()).sort(), ['not json', '{"id": 4}']);
    assert.ok(failed.every((f) => f.errorCode === 'DynamicPartitioning.MetadataExtractionFailed'));
  });

  it('deaggregates JSON records and appends a newline delimiter', async () => {
    await create({
      DeliveryStreamName: 'deagg',
      ExtendedS3DestinationConfiguration: s3('deagg-bucket', {
        Prefix: 'x/',
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            { Type: 'RecordDeAggregation', Parameters: [{ ParameterName: 'SubRecordType', ParameterValue: 'JSON' }] },
            { Type: 'AppendDelimiterToRecord', Parameters: [] },
          ],
        },
      }),
    });
    await put('deagg', [{ Data: Buffer.from('{"a":1}{"a":"}{"} {"a":[3]}') }, { Data: Buffer.from('{"a":4}') }]);
    await local.firehose.flush('deagg');
    const [o] = local.firehose.delivered('deagg');
    assert.equal(o.records, 4);
    assert.equal(read('deagg', o)!.toString(), '{"a":1}\n{"a":"}{"}\n{"a":[3]}\n{"a":4}\n');
  });

  it('delivers to an HTTP endpoint by its contract: retried on a 500 and on a wrong requestId with the same request id, then accepted', async () => {
    const ep = await receiver([
      () => ({ status: 500, body: 'busy' }),
      () => ({ status: 200, body: JSON.stringify({ requestId: 'someone-else', timestamp: 1 }) }),
    ]);
    try {
      await create({
        DeliveryStreamName: 'to-http',
        HttpEndpointDestinationConfiguration: {
          EndpointConfiguration: { Url: ep.url, Name: 'partner', AccessKey: 'k-123' },
          RequestConfiguration: { ContentEncoding: 'GZIP', CommonAttributes: [{ AttributeName: 'team', AttributeValue: 'data' }] },
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
          RetryOptions: { DurationInSeconds: 60 },
          S3Configuration: s3('http-backup'),
        },
      });
      await put('to-http', [rec(1), rec(2)]);
      assert.equal(await local.firehose.flush('to-http'), true);
      assert.equal(ep.got.length, 3);
      const ids = new Set(ep.got.map((g) => g.headers['x-amz-firehose-request-id']));
      assert.equal(ids.size, 1, 'one request id across retries');
      const last = ep.got[2];
      assert.equal(last.headers['x-amz-firehose-protocol-version'], '1.0');
      assert.equal(last.headers['x-amz-firehose-access-key'], 'k-123');
      assert.equal(last.headers['content-type'], 'application/json');
      assert.equal(last.headers['content-encoding'], 'gzip');
      assert.equal(last.headers['x-amz-firehose-source-arn'], 'arn:aws:firehose:us-east-1:000000000000:deliverystream/to-http');
      assert.deepEqual(JSON.parse(String(last.headers['x-amz-firehose-common-attributes'])), { commonAttributes: { team: 'data' } });
      assert.equal(last.body.requestId, last.headers['x-amz-firehose-request-id']);
      assert.deepEqual(last.body.records.map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString()).id), [1, 2]);
      assert.deepEqual(local.firehose.errorObjects('to-http'), [], 'nothing backed up');
      const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'to-http' }));
      const h = d.DeliveryStreamDescription!.Destinations![0].HttpEndpointDestinationDescription!;
      assert.deepEqual([h.EndpointConfiguration, h.S3DestinationDescription?.BucketARN], [{ Url: ep.url, Name: 'partner' }, 'arn:aws:s3:::http-backup']);
    } finally {
      ep.server.close();
    }
  });

  it('backs up to S3 what an HTTP endpoint refuses for good (413 at once; failures past the retry duration)', async () => {
    const ep = await receiver([() => ({ status: 413, body: '{"errorMessage":"Payload too large"}' })]);
    try {
      await create({
        DeliveryStreamName: 'http-413',
        HttpEndpointDestinationConfiguration: { EndpointConfiguration: { Url: ep.url }, RetryOptions: { DurationInSeconds: 60 }, S3Configuration: s3('backup-413', { ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/' }) },
      });
      await put('http-413', [rec(1)]);
      await local.firehose.flush('http-413');
      assert.equal(ep.got.length, 1, 'a 413 is not retried');
      const [b] = local.firehose.errorObjects('http-413');
      assert.match(b.key, /^failed\/http-endpoint-failed\//);
      const e = JSON.parse(lines(b, read('http-413', b))[0]);
      assert.equal(e.errorCode, 'HttpEndpoint.DestinationException');
      assert.match(e.errorMessage, /413/);
      assert.equal(JSON.parse(Buffer.from(e.rawData, 'base64').toString()).id, 1);
    } finally {
      ep.server.close();
    }
    const down = await receiver([]);
    down.server.close();
    await create({ DeliveryStreamName: 'http-down', HttpEndpointDestinationConfiguration: { EndpointConfiguration: { Url: down.url }, RetryOptions: { DurationInSeconds: 1 }, S3Configuration: s3('backup-down') } });
    await put('http-down', [rec(5)]);
    await local.firehose.flush('http-down');
    const [b2] = local.firehose.errorObjects('http-down');
    const e2 = JSON.parse(lines(b2, read('http-down', b2))[0]);
    assert.equal(e2.errorCode, 'HttpEndpoint.RequestFailed');
    assert.ok(e2.attemptsMade > 1, 'retried within the duration');
  });

  it('UpdateDestination changes the configuration Describe shows and what the next delivery does; a stale version is refused', async () => {
    await create({ DeliveryStreamName: 'updated', ExtendedS3DestinationConfiguration: s3('updated-bucket', { Prefix: 'before/' }) });
    const d1 = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'updated' }))).DeliveryStreamDescription!;
    await put('updated', [rec(1)]);
    await firehose.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: 'updated',
        CurrentDeliveryStreamVersionId: d1.VersionId,
        DestinationId: d1.Destinations![0].DestinationId,
        ExtendedS3DestinationUpdate: { Prefix: 'after/', CompressionFormat: 'GZIP' },
      }),
    );
    const d2 = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'updated' }))).DeliveryStreamDescription!;
    assert.equal(d2.VersionId, '2');
    assert.equal(d2.Destinations![0].ExtendedS3DestinationDescription!.Prefix, 'after/');
    assert.equal(d2.Destinations![0].ExtendedS3DestinationDescription!.CompressionFormat, 'GZIP');
    assert.equal(d2.Destinations![0].ExtendedS3DestinationDescription!.BucketARN, 'arn:aws:s3:::updated-bucket', 'fields not updated are kept');
    await put('updated', [rec(2)]);
    await local.firehose.flush('updated');
    const keys = local.firehose.delivered('updated').map((o) => o.key);
    assert.equal(keys.length, 2);
    assert.match(keys[0], /^before\/.*updated-1-.*[^z]$/, 'buffered before the update: delivered with the old configuration');
    assert.match(keys[1], /^after\/.*updated-2-.*\.gz$/);
    await assert.rejects(
      firehose.send(new UpdateDestinationCommand({ DeliveryStreamName: 'updated', CurrentDeliveryStreamVersionId: '1', DestinationId: d1.Destinations![0].DestinationId, ExtendedS3DestinationUpdate: { Prefix: 'x/' } })),
      (e: Error) => e.name === 'ConcurrentModificationException',
    );
  });

  it('lists a delivery stream\'s objects newest first, a page at a time, and its error objects apart', async () => {
    await create({ DeliveryStreamName: 'listed', ExtendedS3DestinationConfiguration: s3('listed-bucket', { ProcessingConfiguration: lambda('cities') }) });
    for (let i = 0; i < 5; i++) {
      await put('listed', [rec(i * 10 + 1), rec(i * 10 + 3)]);
      await local.firehose.flush('listed');
    }
    const p1 = local.firehose.listObjects('listed', { limit: 2 });
    const p2 = local.firehose.listObjects('listed', { limit: 2, next: p1.next });
    const p3 = local.firehose.listObjects('listed', { limit: 2, next: p2.next });
    const keys = [...p1.objects, ...p2.objects, ...p3.objects].map((o) => o.key);
    assert.equal(p3.next, undefined);
    assert.deepEqual(keys, local.firehose.delivered('listed').map((o) => o.key).reverse(), 'newest first, every object once');
    const ids = [...p1.objects, ...p2.objects, ...p3.objects].map((o) => JSON.parse(decodeDeliveredObject(local.firehose.readObject('listed', o.key)!).lines[0]).id);
    assert.deepEqual(ids, [41, 31, 21, 11, 1]);
    const errors = local.firehose.listObjects('listed', { kind: 'errors' });
    assert.equal(errors.objects.length, 5);
    assert.ok(errors.objects.every((o) => o.kind === 'error' && o.records === 1));
    assert.equal(local.firehose.readObject('listed', 'not/an/object/of/this/stream'), undefined);

    // The same over HTTP, as the tree asks an endpoint started by npm run local or the demo.
    const h1 = await listDeliveredObjects(local.endpoint, 'listed', { limit: 3 });
    const h2 = await listDeliveredObjects(local.endpoint, 'listed', { limit: 3, next: h1.next });
    assert.deepEqual([...h1.objects, ...h2.objects].map((o) => o.key), keys);
    assert.equal(h2.next, undefined);
    assert.match(h1.folder!, /listed-bucket$/, 'the bucket folder, for "Reveal delivery folder"');
    const opened = await readDeliveredObject(local.endpoint, 'listed', keys[0]);
    assert.deepEqual(opened.lines.map((l) => JSON.parse(l).id), [41]);
    const err = await listDeliveredObjects(local.endpoint, 'listed', { kind: 'errors', limit: 1 });
    const openedError = await readDeliveredObject(local.endpoint, 'listed', err.objects[0].key);
    assert.equal(JSON.parse(openedError.lines[0]).errorCode, 'Lambda.ProcessingFailedStatus');
    await assert.rejects(readDeliveredObject(local.endpoint, 'listed', 'no/such/key'), /has no object no\/such\/key/);
    await assert.rejects(listDeliveredObjects(local.endpoint, 'no-such-stream'), /not found/);
  });
});

describe('Delivered objects from an endpoint that is not the built-in one', function () {
  it('says the endpoint does not list delivered objects (kinesalite alone)', async () => {
    const ep = await startKinesalite();
    try {
      await assert.rejects(listDeliveredObjects(ep.endpoint, 'any'), /does not list delivered objects/);
    } finally {
      await ep.close();
    }
  });
});

describe('Firehose emulator: nothing lost, 50,000 records with faults injected', function () {
  this.timeout(300_000);

  it('accounts for every record: delivered, dropped by the transform, in the error output, or in the S3 backup (handler throws, times out, returns garbage; HTTP endpoint fails, answers the wrong request id, stops)', async () => {
    const N = 50_000;
    const local = await startLocalEndpoint({
      log: () => undefined,
      firehose: { lambdaHandlers: { cities: join(FIX, 'cities.js') }, lambdaTimeoutMs: 1500, httpBackoffBaseMs: 10 },
    });
    const firehose = firehoseClientFor(local.endpoint);
    // The HTTP endpoint: every third request gets a 500, every fifth the wrong requestId; it is stopped halfway.
    const accepted: number[] = [];
    let requests = 0;
    const ep = await receiver([]);
    ep.server.removeAllListeners('request');
    ep.server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
        requests++;
        if (requests % 3 === 0) return void res.writeHead(500).end('try later');
        if (requests % 5 === 0) return void res.writeHead(200).end(JSON.stringify({ requestId: 'wrong', timestamp: Date.now() }));
        accepted.push(...body.records.map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString()).id));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ requestId: body.requestId, timestamp: Date.now() }));
      });
    });
    try {
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'bulk-s3',
          ExtendedS3DestinationConfiguration: s3('bulk', {
            Prefix: 'city=!{partitionKeyFromLambda:city}/',
            ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
            CompressionFormat: 'GZIP',
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
            DynamicPartitioningConfiguration: { Enabled: true },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [
                {
                  Type: 'Lambda',
                  Parameters: [
                    { ParameterName: 'LambdaArn', ParameterValue: lambdaArn('cities') },
                    { ParameterName: 'NumberOfRetries', ParameterValue: '1' },
                    { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.2' },
                  ],
                },
              ],
            },
          }),
        }),
      );
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'bulk-http',
          HttpEndpointDestinationConfiguration: {
            EndpointConfiguration: { Url: ep.url },
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
            RetryOptions: { DurationInSeconds: 1 },
            S3Configuration: s3('bulk-backup'),
          },
        }),
      );
      const faults: Record<number, Record<string, unknown>> = { 1000: { throwOnce: true }, 9000: { garbage: true }, 20000: { alwaysThrow: true }, 30000: { sleep: 5000 } };
      const records = Array.from({ length: N }, (_, i) => ({ Data: Buffer.from(JSON.stringify({ id: i, city: ['Lisbon', 'Osaka', 'Denver'][i % 3], ...faults[i], pad: 'x'.repeat(40) })) }));
      for (let i = 0; i < N; i += 500) {
        const batch = records.slice(i, i + 500);
        for (const name of ['bulk-s3', 'bulk-http']) {
          const r = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: batch }));
          assert.equal(r.FailedPutCount, 0);
        }
        if (i === N / 2) await new Promise<void>((r) => ep.server.close(() => r()));
      }
    } finally {
      firehose.destroy();
      ep.server.close();
      // Stopping the endpoint delivers what is still buffered.
      await local.close();
    }
    const ids = (o: DeliveredObject) => decodeDeliveredObject(o.body!).lines.map((l) => JSON.parse(l).id as number);
    const rawIds = (o: DeliveredObject) => decodeDeliveredObject(o.body!).lines.map((l) => JSON.parse(Buffer.from(JSON.parse(l).rawData, 'base64').toString()).id as number);

    const delivered = local.firehose.delivered('bulk-s3').flatMap(ids);
    const failed = local.firehose.errorObjects('bulk-s3').flatMap(rawIds);
    const seen = new Set([...delivered, ...failed]);
    assert.equal(seen.size, delivered.length + failed.length, 'no record both delivered and failed, none twice');
    const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !seen.has(i));
    assert.ok(missing.every((i) => i % 10 === 7), 'the only records not written anywhere are those the transform dropped');
    assert.ok(failed.includes(20000) && failed.includes(30000), 'the invocations that failed for good went to the error output');
    assert.ok(delivered.includes(1000) && delivered.includes(9000), 'the invocations that failed once were retried and delivered');
    assert.equal(missing.length + seen.size, N);

    const backedUp = local.firehose.errorObjects('bulk-http').flatMap(rawIds);
    assert.ok(backedUp.length > 0, 'the stopped endpoint left records to back up');
    assert.ok(accepted.length > 0);
    const http = [...accepted, ...backedUp];
    assert.equal(new Set(http).size, N, 'every record reached the endpoint or the backup');
    assert.equal(http.length, N, 'and only once');
  });
});

describe("The demo's delivery stream: clickstream through the demo's TypeScript transform", function () {
  this.timeout(120_000);

  it('reads clickstream, runs demo/src/clicks.ts, delivers GZIP objects partitioned by action, and /help clicks to the error output', async () => {
    const root = join(__dirname, '../../..');
    const local = await startLocalEndpoint({ firehose: { lambdaHandlers: { [DEMO_LAMBDA.name]: join(root, DEMO_LAMBDA.handler) } } });
    const kinesis = kinesisClientFor(local.endpoint);
    const firehose = firehoseClientFor(local.endpoint);
    try {
      await seedDemo(kinesis, { records: 10, firehose });
      // A Kinesis-sourced delivery stream reads what arrives after its creation, as Firehose does.
      const clicks = Array.from({ length: 70 }, () => clickEvent());
      await kinesis.send(new PutRecordsCommand({ StreamName: DEMO_STREAMS.clickstream, Records: clicks.map((c) => ({ PartitionKey: c.key, Data: Buffer.from(JSON.stringify(c.data)) })) }));
      // Flush until the reader has taken them all.
      const accounted = () => [...local.firehose.delivered(DEMO_DELIVERY_STREAMS.archive), ...local.firehose.errorObjects(DEMO_DELIVERY_STREAMS.archive)].reduce((a, o) => a + o.records, 0);
      for (let i = 0; i < 100 && accounted() < 70 - clicks.filter((c) => (c.data as { durationMs: number }).durationMs === 0).length; i++) {
        await local.firehose.flush(DEMO_DELIVERY_STREAMS.archive);
        await new Promise((r) => setTimeout(r, 200));
      }
      const delivered = local.firehose.delivered(DEMO_DELIVERY_STREAMS.archive);
      const errors = local.firehose.errorObjects(DEMO_DELIVERY_STREAMS.archive);
      assert.ok(delivered.length >= 2, 'several partitions');
      const rows = delivered.flatMap((o) => {
        assert.match(o.key, /^clicks\/action=(view|click|add_to_cart|purchase)\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/clickstream-archive-1-.*\.gz$/);
        const action = o.key.split('/')[1].slice('action='.length);
        return decodeDeliveredObject(o.body!).lines.map((l) => {
          const row = JSON.parse(l);
          assert.equal(row.action, action);
          return row;
        });
      });
      assert.ok(rows.every((r) => r.page !== '/help' && typeof r.section === 'string'));
      const failed = errors.flatMap((o) => decodeDeliveredObject(o.body!).lines.map((l) => JSON.parse(l)));
      assert.ok(failed.length > 0, 'some /help clicks failed on purpose');
      assert.ok(errors.every((o) => /^errors\/processing-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/.*\.gz$/.test(o.key)));
      assert.ok(failed.every((f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).page === '/help' && f.errorCode === 'Lambda.ProcessingFailedStatus'));
      // The transform drops a click whose duration is 0 ms.
      const dropped = clicks.filter((c) => (c.data as { durationMs: number }).durationMs === 0).length;
      assert.equal(rows.length + failed.length + dropped, 70, 'every click accounted for');
      assert.equal(failed.length, clicks.filter((c) => (c.data as { page: string }).page === '/help').length);
    } finally {
      kinesis.destroy();
      firehose.destroy();
      await local.close();
    }
  });
});

describe('Firehose emulator: a Kinesis source while deliveries fail', function () {
  this.timeout(120_000);

  it('pauses reading the source past twice the buffer while the Lambda has no handler, then resumes and delivers every record once it is mapped', async () => {
    const handlers: Record<string, string> = {};
    const logs: string[] = [];
    const local = await startLocalEndpoint({ log: (l) => logs.push(l), firehose: { lambdaHandlers: () => handlers, tickMs: 100 } });
    const kinesis = kinesisClientFor(local.endpoint);
    const firehose = firehoseClientFor(local.endpoint);
    try {
      const svc = new StreamService(kinesis);
      await svc.create('busy', { shardCount: 1 });
      await svc.waitFor('busy', 'ACTIVE', { intervalMs: 20 });
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'from-busy',
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: { KinesisStreamARN: (await svc.describe('busy')).arn!, RoleARN: ROLE },
          ExtendedS3DestinationConfiguration: s3('busy-bucket', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 }, ProcessingConfiguration: lambda('identity') }),
        }),
      );
      const N = 4000;
      for (let i = 0; i < N; i += 500) {
        const records = Array.from({ length: 500 }, (_, k) => ({ PartitionKey: 'p', Data: Buffer.from(JSON.stringify({ id: i + k, pad: 'x'.repeat(1000) })) }));
        await kinesis.send(new PutRecordsCommand({ StreamName: 'busy', Records: records }));
      }
      for (let i = 0; i < 200 && !logs.some((l) => l.includes('is paused')); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(logs.some((l) => l.includes('reading busy is paused')), 'reading paused');
      assert.deepEqual(local.firehose.delivered('from-busy'), []);
      handlers.identity = join(__dirname, '../../../test/fixtures/transform/identity.js');
      const count = () => local.firehose.delivered('from-busy').reduce((a, o) => a + o.records, 0);
      for (let i = 0; i < 300 && count() < N; i++) {
        await local.firehose.flush('from-busy');
        await new Promise((r) => setTimeout(r, 100));
      }
      const ids = local.firehose.delivered('from-busy').flatMap((o) => decodeDeliveredObject(o.body!).lines.map((l) => JSON.parse(l).id));
      assert.equal(ids.length, N);
      assert.equal(new Set(ids).size, N, 'each record once');
    } finally {
      kinesis.destroy();
      firehose.destroy();
      await local.close();
    }
  });
});

describe('Firehose emulator: buffers across a restart, with a transform', function () {
  this.timeout(120_000);

  it('keeps records a stopped endpoint could not transform (no handler yet) in the data folder, and transforms and delivers them after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firehose-restart-'));
    const first = await startLocalEndpoint({ path: dir, log: () => undefined });
    let f = firehoseClientFor(first.endpoint);
    try {
      await f.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'kept',
          ExtendedS3DestinationConfiguration: s3('kept-bucket', {
            Prefix: 'city=!{partitionKeyFromLambda:city}/',
            ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
            DynamicPartitioningConfiguration: { Enabled: true },
            ProcessingConfiguration: lambda('cities'),
          }),
        }),
      );
      await f.send(new PutRecordBatchCommand({ DeliveryStreamName: 'kept', Records: Array.from({ length: 10 }, (_, i) => rec(i)) }));
    } finally {
      f.destroy();
      await first.close();
    }
    assert.deepEqual(first.firehose.delivered('kept'), [], 'nothing could be delivered without the handler');
    const again = await startLocalEndpoint({ path: dir, log: () => undefined, firehose: { lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    f = firehoseClientFor(again.endpoint);
    let keys: string[] = [];
    try {
      assert.equal(await again.firehose.flush('kept'), true);
      const ids = again.firehose.delivered('kept').flatMap((o) => decodeDeliveredObject(readFileSync(o.file!)).lines.map((l) => JSON.parse(l).id));
      assert.deepEqual(ids.sort((a, b) => a - b), [0, 1, 2, 4, 5, 6, 8, 9], 'transformed after the restart: 3 failed, 7 dropped');
      const page = await listDeliveredObjects(again.endpoint, 'kept', { kind: 'errors' });
      assert.equal(page.objects.length, 1);
      keys = [...again.firehose.delivered('kept'), ...again.firehose.errorObjects('kept')].map((o) => o.key).sort();
    } finally {
      f.destroy();
      await again.close();
    }
    // The list of objects is kept in the data folder too.
    const third = await startLocalEndpoint({ path: dir, log: () => undefined });
    try {
      assert.deepEqual([...third.firehose.delivered('kept'), ...third.firehose.errorObjects('kept')].map((o) => o.key).sort(), keys);
      assert.equal(keys.length, 4, 'three partitions and one error object');
    } finally {
      await third.close();
    }
  });
});

describe('Firehose emulator: KPL aggregated records from a Kinesis source', function () {
  this.timeout(60_000);

  it('deaggregates them into their user records before the transform and delivery, as Firehose does', async () => {
    const local = await startLocalEndpoint({ firehose: { lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    const kinesis = kinesisClientFor(local.endpoint);
    const firehose = firehoseClientFor(local.endpoint);
    try {
      const svc = new StreamService(kinesis);
      await svc.create('kpl-source', { shardCount: 1 });
      await svc.waitFor('kpl-source', 'ACTIVE', { intervalMs: 20 });
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'from-kpl',
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: { KinesisStreamARN: (await svc.describe('kpl-source')).arn!, RoleARN: ROLE },
          ExtendedS3DestinationConfiguration: s3('kpl-bucket', { ProcessingConfiguration: lambda('cities') }),
        }),
      );
      const users = Array.from({ length: 12 }, (_, i) => ({ partitionKey: `u${i}`, data: Buffer.from(JSON.stringify({ id: i, city: 'Lisbon' })) }));
      await kinesis.send(new PutRecordsCommand({ StreamName: 'kpl-source', Records: [{ PartitionKey: 'agg', Data: encodeAggregate(users) }] }));
      let ids: number[] = [];
      for (let i = 0; i < 100 && ids.length < 10; i++) {
        await local.firehose.flush('from-kpl');
        ids = local.firehose.delivered('from-kpl').flatMap((o) => decodeDeliveredObject(o.body!).lines.map((l) => JSON.parse(l).id));
        await new Promise((r) => setTimeout(r, 100));
      }
      // 12 user records: 3 ProcessingFailed, 7 Dropped by the handler, the other 10 delivered.
      assert.deepEqual(ids.sort((a, b) => a - b), [0, 1, 2, 4, 5, 6, 8, 9, 10, 11]);
      const failed = local.firehose.errorObjects('from-kpl').flatMap((o) => decodeDeliveredObject(o.body!).lines.map((l) => JSON.parse(l)));
      assert.deepEqual(failed.map((f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).id), [3]);
    } finally {
      kinesis.destroy();
      firehose.destroy();
      await local.close();
    }
  });
});

describe('Firehose emulator: two buffering stages, each partition on its own hints, each object written once', function () {
  this.timeout(120_000);
  // The buffering hints are minutes long: these tests move the emulator's clock (its `clock` knob)
  // and run its hint check (`tick`) themselves, instead of waiting.
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  let now = T0;
  const clock = () => now;
  const settle = async (local: LocalEndpoint) => {
    for (let i = 0; i < 3; i++) await local.firehose.tick();
  };
  const ids = (local: LocalEndpoint, name: string, o: DeliveredObject) =>
    decodeDeliveredObject(local.firehose.readObject(name, o.key)!).lines.map((l) => JSON.parse(l).id as number);
  const rawIds = (local: LocalEndpoint, name: string, o: DeliveredObject) =>
    decodeDeliveredObject(local.firehose.readObject(name, o.key)!).lines.map((l) => JSON.parse(Buffer.from(JSON.parse(l).rawData, 'base64').toString()).id as number);
  const byQuery = (bucket: string, hints: { SizeInMBs: number; IntervalInSeconds: number }) =>
    s3(bucket, {
      Prefix: 'city=!{partitionKeyFromQuery:city}/',
      ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
      BufferingHints: hints,
      DynamicPartitioningConfiguration: { Enabled: true },
      ProcessingConfiguration: jq('{city: .city}'),
    });
  beforeEach(() => {
    now = T0;
  });

  it('delivers each partition when ITS buffer reaches the hints: a busy partition by size (objects of at most SizeInMBs), a quiet one by interval', async () => {
    const local = await startLocalEndpoint({ log: () => undefined, firehose: { clock, tickMs: 3_600_000 } });
    const firehose = firehoseClientFor(local.endpoint);
    try {
      await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'rates', DeliveryStreamType: 'DirectPut', ExtendedS3DestinationConfiguration: byQuery('rates', { SizeInMBs: 1, IntervalInSeconds: 60 }) }));
      const pad = 'x'.repeat(4000);
      const busy = Array.from({ length: 300 }, (_, i) => ({ Data: Buffer.from(JSON.stringify({ id: i, city: 'Lisbon', pad })) }));
      const quiet = Array.from({ length: 5 }, (_, i) => ({ Data: Buffer.from(JSON.stringify({ id: 1000 + i, city: 'Osaka' })) }));
      for (let i = 0; i < busy.length; i += 100) await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'rates', Records: [...busy.slice(i, i + 100), ...(i === 0 ? quiet : [])] }));
      await settle(local);

      const first = local.firehose.delivered('rates');
      assert.equal(first.length, 1, 'Lisbon passed 1 MiB: one object; Osaka is still buffered');
      assert.match(first[0].key, /^city=Lisbon\/rates-1-2026-03-01-10-00-00-/);
      assert.ok(first[0].size <= 1024 * 1024, 'an object is at most SizeInMBs');

      now = T0 + 59_000;
      await settle(local);
      assert.equal(local.firehose.delivered('rates').length, 1, 'before IntervalInSeconds nothing else is delivered');

      now = T0 + 60_000;
      await settle(local);
      const all = local.firehose.delivered('rates');
      const osaka = all.filter((o) => o.key.startsWith('city=Osaka/'));
      assert.equal(osaka.length, 1, 'Osaka: one object, at its interval');
      assert.deepEqual(ids(local, 'rates', osaka[0]), [1000, 1001, 1002, 1003, 1004]);
      const lisbon = all.filter((o) => o.key.startsWith('city=Lisbon/')).flatMap((o) => ids(local, 'rates', o));
      assert.deepEqual(lisbon, busy.map((_, i) => i), 'Lisbon: every record once, in order, across its objects');
    } finally {
      firehose.destroy();
      await local.close();
    }
  });

  it("holds records for the Lambda processor's BufferIntervalInSeconds (or BufferSizeInMBs) before invoking it", async () => {
    const local = await startLocalEndpoint({ log: () => undefined, firehose: { clock, tickMs: 3_600_000, lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    const firehose = firehoseClientFor(local.endpoint);
    const processor = (interval: string) => ({
      Enabled: true,
      Processors: [
        {
          Type: 'Lambda' as const,
          Parameters: [
            { ParameterName: 'LambdaArn' as const, ParameterValue: lambdaArn('cities') },
            { ParameterName: 'BufferIntervalInSeconds' as const, ParameterValue: interval },
            { ParameterName: 'BufferSizeInMBs' as const, ParameterValue: '0.2' },
          ],
        },
      ],
    });
    try {
      // The destination delivers at once (interval 0): what is not delivered was not processed.
      await firehose.send(
        new CreateDeliveryStreamCommand({ DeliveryStreamName: 'held', DeliveryStreamType: 'DirectPut', ExtendedS3DestinationConfiguration: s3('held', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 }, ProcessingConfiguration: processor('120') }) }),
      );
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'held', Records: [rec(1), rec(2)] }));
      now = T0 + 119_000;
      await settle(local);
      assert.deepEqual(local.firehose.delivered('held'), [], 'not invoked before BufferIntervalInSeconds');
      now = T0 + 120_000;
      await settle(local);
      assert.deepEqual(local.firehose.delivered('held').flatMap((o) => ids(local, 'held', o)), [1, 2], 'invoked at BufferIntervalInSeconds, then delivered');

      // Past BufferSizeInMBs (0.2 MB) it is invoked at once, interval or not.
      const big = Array.from({ length: 60 }, (_, i) => rec(10 + i, { pad: 'y'.repeat(4000) }));
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'held', Records: big }));
      await settle(local);
      assert.equal(local.firehose.delivered('held').reduce((a, o) => a + o.records, 0), 2 + 60 - 6 - 6, 'the 0.2 MB buffer was transformed (Dropped and ProcessingFailed ones aside)');
      const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'held' }));
      const params = d.DeliveryStreamDescription!.Destinations![0].ExtendedS3DestinationDescription!.ProcessingConfiguration!.Processors![0].Parameters!;
      assert.ok(params.some((p) => p.ParameterName === 'BufferIntervalInSeconds' && p.ParameterValue === '120'));
      await assert.rejects(
        firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'too-long', ExtendedS3DestinationConfiguration: s3('held', { ProcessingConfiguration: processor('901') }) })),
        /BufferIntervalInSeconds "901" must be a number from 0 to 900/,
      );
    } finally {
      firehose.destroy();
      await local.close();
    }
  });

  it('writes each object once when a write fails part way: the retry skips what was written and keeps the planned keys', async () => {
    // A write that fails is what no real part here can do on demand (the process runs as root):
    // the object store is wrapped to fail its second write, once. That is the only mock.
    const attempts: string[] = [];
    let failNext = 2;
    const wrapStore = (inner: ObjectStore): ObjectStore => ({
      put(bucket, key, body) {
        attempts.push(key);
        if (--failNext === 0) throw new Error('injected: the disk is full');
        return inner.put(bucket, key, body);
      },
    });
    const local = await startLocalEndpoint({ log: () => undefined, firehose: { clock, tickMs: 3_600_000, wrapStore, lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    const firehose = firehoseClientFor(local.endpoint);
    try {
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'once',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: s3('once', { Prefix: 'city=!{partitionKeyFromLambda:city}/', ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/', DynamicPartitioningConfiguration: { Enabled: true }, ProcessingConfiguration: lambda('cities') }),
        }),
      );
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'once', Records: Array.from({ length: 30 }, (_, i) => rec(i)) }));
      assert.equal(await local.firehose.flush('once'), false, 'the second object could not be written');
      const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'once' }));
      assert.match(d.DeliveryStreamDescription!.FailureDescription!.Details!, /injected: the disk is full.*stay buffered and are retried/);
      const failedKey = attempts[1];
      assert.equal(await local.firehose.flush('once'), true, 'retried');
      assert.equal((await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'once' }))).DeliveryStreamDescription!.FailureDescription, undefined);

      const written = [...local.firehose.delivered('once'), ...local.firehose.errorObjects('once')];
      assert.equal(written.length, 4, 'three partitions and the error output, one object each');
      assert.equal(new Set(written.map((o) => o.key)).size, 4);
      assert.ok(written.some((o) => o.key === failedKey), 'the object that failed was written under its planned key');
      assert.equal(attempts.filter((k) => k === attempts[0]).length, 1, 'the object written before the failure was not written again');
      const delivered = local.firehose.delivered('once').flatMap((o) => ids(local, 'once', o));
      const failed = local.firehose.errorObjects('once').flatMap((o) => rawIds(local, 'once', o));
      const all = [...delivered, ...failed].sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 10 !== 7), 'every record exactly once (the Dropped ones aside)');
    } finally {
      firehose.destroy();
      await local.close();
    }
  });

  it('keeps transformed records buffered per partition across a restart (data folder), and delivers them under the keys planned before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firehose-stage2-'));
    // The first run cannot write (the store is wrapped to refuse: the only mock), so stopping cannot deliver.
    const planned: string[] = [];
    const refuse = (): ObjectStore => ({
      put(_bucket, key) {
        planned.push(key);
        throw new Error('injected: the bucket folder cannot be written');
      },
    });
    const first = await startLocalEndpoint({ path: dir, log: () => undefined, firehose: { clock, tickMs: 3_600_000, wrapStore: refuse, lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    let f = firehoseClientFor(first.endpoint);
    try {
      await f.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'staged',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: s3('staged', { Prefix: 'city=!{partitionKeyFromLambda:city}/', ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/', DynamicPartitioningConfiguration: { Enabled: true }, ProcessingConfiguration: lambda('cities') }),
        }),
      );
      await f.send(new PutRecordBatchCommand({ DeliveryStreamName: 'staged', Records: Array.from({ length: 20 }, (_, i) => rec(i)) }));
      assert.equal(await first.firehose.flush('staged'), false);
    } finally {
      f.destroy();
      await first.close();
    }
    assert.ok(planned.length > 0);
    // The second run has no handler for the Lambda: what it delivers was transformed before the restart.
    const again = await startLocalEndpoint({ path: dir, log: () => undefined, firehose: { clock, tickMs: 3_600_000 } });
    f = firehoseClientFor(again.endpoint);
    try {
      assert.equal(await again.firehose.flush('staged'), true);
      const delivered = again.firehose.delivered('staged');
      const got = delivered.flatMap((o) => decodeDeliveredObject(readFileSync(o.file!)).lines.map((l) => JSON.parse(l)));
      assert.ok(got.every((r) => r.transformed === true), 'transformed before the restart');
      assert.deepEqual(got.map((r) => r.id).sort((a, b) => a - b), [0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 18, 19]);
      const keys = [...delivered, ...again.firehose.errorObjects('staged')].map((o) => o.key);
      assert.equal(keys.length, 4);
      for (const k of keys) assert.ok(planned.includes(k), `${k} is the key planned before the restart`);
    } finally {
      f.destroy();
      await again.close();
    }
  });
});
