/**
 * Fault and abuse suite for the built-in local endpoint (issue 8, section 2): browser-style
 * requests, hostile delivery-stream configurations, oversized and broken requests, failed
 * deliveries, stops and crashes. Everything talks to the real endpoint over HTTP, with the real
 * SDK clients where a client can say it, and raw HTTP where only a hostile client would.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateDeliveryStreamCommand,
  CreateDeliveryStreamCommandInput,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateStreamCommand, ListStreamsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { firehoseClientFor, kinesisClientFor } from '../../src/core/aws/clientFactory';
import { LocalEndpoint, startLocalEndpoint } from '../../src/core/local/localEndpoint';
import { folderStore, ObjectPathError, objectPath } from '../../src/core/local/s3Folder';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request as a browser or a hostile program would send it. */
function raw(port: number, opts: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: '/', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

// kinesalite wants an Authorization header (any signature passes), as the SDKs and the CLI send one.
const AUTH = 'AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0';
const kinesisCall = (target: string, body: object, extra: Record<string, string | number> = {}) => ({
  headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Kinesis_20131202.${target}`, Authorization: AUTH, 'X-Amz-Date': '20261130T000000Z', ...extra },
  body: JSON.stringify(body),
});
const firehoseCall = (target: string, body: object, extra: Record<string, string | number> = {}) => ({
  headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Firehose_20150804.${target}`, ...extra },
  body: JSON.stringify(body),
});

function s3Config(over: Record<string, unknown> = {}): CreateDeliveryStreamCommandInput['ExtendedS3DestinationConfiguration'] {
  return { BucketARN: 'arn:aws:s3:::good-bucket', RoleARN: ROLE, ...over } as CreateDeliveryStreamCommandInput['ExtendedS3DestinationConfiguration'];
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  return p.then(
    () => assert.fail('expected the call to be refused'),
    (e) => e,
  );
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every file under a folder, relative paths (to see what a request wrote). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(dir.length + 1));
}

describe('Local endpoint abuse: requests from web pages', () => {
  let local: LocalEndpoint;
  before(async () => {
    local = await startLocalEndpoint();
  });
  after(() => local.close());

  it('refuses a Kinesis or Firehose call that carries an Origin header, with no CORS header, and does nothing', async () => {
    for (const call of [kinesisCall('CreateStream', { StreamName: 'from-a-page', ShardCount: 1 }, { Origin: 'https://evil.example' }),
      firehoseCall('CreateDeliveryStream', { DeliveryStreamName: 'from-a-page', ExtendedS3DestinationConfiguration: s3Config() }, { Origin: 'null' })]) {
      const res = await raw(local.port, call);
      assert.equal(res.status, 403);
      assert.equal(JSON.parse(res.body).__type, 'AccessDeniedException');
      assert.match(JSON.parse(res.body).message, /web pages.*Origin/);
      assert.deepEqual(Object.keys(res.headers).filter((h) => h.startsWith('access-control-')), []);
    }
    const k = kinesisClientFor(local.endpoint);
    assert.deepEqual((await k.send(new ListStreamsCommand({}))).StreamNames, []);
    k.destroy();
    assert.equal((await raw(local.port, firehoseCall('ListDeliveryStreams', {}, { Host: `127.0.0.1:${local.port}` }))).body.includes('from-a-page'), false);
  });

  it('answers a CORS preflight without any Access-Control header', async () => {
    const res = await raw(local.port, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-amz-target,content-type' },
    });
    assert.equal(res.status, 403);
    assert.deepEqual(Object.keys(res.headers).filter((h) => h.startsWith('access-control-')), []);
  });

  it('refuses a request addressed to another host name (DNS rebinding) and accepts 127.0.0.1 and localhost', async () => {
    const rebound = await raw(local.port, kinesisCall('ListStreams', {}, { Host: `attacker.example:${local.port}` }));
    assert.equal(rebound.status, 403);
    assert.match(JSON.parse(rebound.body).message, /127\.0\.0\.1:\d+ or localhost/);
    const otherPort = await raw(local.port, kinesisCall('ListStreams', {}, { Host: `127.0.0.1:${local.port + 1}` }));
    assert.equal(otherPort.status, 403);
    for (const host of [`127.0.0.1:${local.port}`, `localhost:${local.port}`]) {
      assert.equal((await raw(local.port, kinesisCall('ListStreams', {}, { Host: host }))).status, 200, host);
    }
  });

  it('keeps serving the AWS CLI, which sends no Origin', async function () {
    this.timeout(30_000);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'aws',
        ['kinesis', 'create-stream', '--stream-name', 'from-cli', '--shard-count', '1', '--endpoint-url', local.endpoint, '--region', 'us-east-1'],
        { env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_PAGER: '' } },
        (e, stdout, stderr) => (e ? reject(new Error(stderr || e.message)) : resolve(stdout)),
      ),
    );
    assert.equal(out.trim(), '');
    const k = kinesisClientFor(local.endpoint);
    assert.deepEqual((await k.send(new ListStreamsCommand({}))).StreamNames, ['from-cli']);
    k.destroy();
  });
});

describe('Local endpoint abuse: oversized and broken requests', () => {
  let local: LocalEndpoint;
  before(async () => {
    local = await startLocalEndpoint();
  });
  after(() => local.close());

  it('answers 413 to a body over the service limit, before reading it, and keeps serving', async () => {
    for (const call of [firehoseCall('PutRecord', {}), kinesisCall('PutRecords', {})]) {
      // Announces 64 MiB and sends a few bytes: the answer comes without waiting for the rest.
      const res = await raw(local.port, { headers: { ...call.headers, 'Content-Length': 64 * 1024 * 1024 }, body: undefined });
      assert.equal(res.status, 413);
      assert.equal(JSON.parse(res.body).__type, 'RequestEntityTooLargeException');
    }
    // Chunked, so no length is announced: cut off once past the limit.
    const res = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: local.port, method: 'POST', headers: firehoseCall('PutRecord', {}).headers }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      for (let i = 0; i < 8; i++) req.write(chunk);
      req.end();
    });
    assert.equal(res, 413);
    assert.equal((await raw(local.port, firehoseCall('ListDeliveryStreams', {}))).status, 200);
  });

  /** Starts a request, sends part of its body, and goes away. */
  async function abandonRequests(port: number): Promise<void> {
    for (const target of ['Kinesis_20131202.ListStreams', 'Firehose_20150804.ListDeliveryStreams']) {
      await new Promise<void>((resolve) => {
        const socket = new Socket();
        socket.connect(port, '127.0.0.1', () => {
          socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Amz-Target: ${target}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n{"Li`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  it('survives a client that disconnects in the middle of a body (Kinesis and Firehose)', async () => {
    await abandonRequests(local.port);
    assert.equal((await raw(local.port, kinesisCall('ListStreams', {}))).status, 200);
  });

  it('survives a client that disconnects in the middle of a body, with a data folder (kinesalite in a child)', async () => {
    const persistent = await startLocalEndpoint({ path: mkdtempSync(join(tmpdir(), 'kinesis-abort-')) });
    try {
      await abandonRequests(persistent.port);
      const res = await raw(persistent.port, kinesisCall('ListStreams', {}));
      assert.equal(res.status, 200, res.body);
    } finally {
      await persistent.close();
    }
  });

  it('refuses record data that is not base64, or not JSON, with Firehose error types', async () => {
    const f = firehoseClientFor(local.endpoint);
    await f.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'strict', ExtendedS3DestinationConfiguration: s3Config() }));
    f.destroy();
    const notBase64 = await raw(local.port, firehoseCall('PutRecord', { DeliveryStreamName: 'strict', Record: { Data: 'not base64!' } }));
    assert.equal(notBase64.status, 400);
    assert.equal(JSON.parse(notBase64.body).__type, 'SerializationException');
    const notJson = await raw(local.port, { headers: firehoseCall('PutRecord', {}).headers, body: '{"DeliveryStreamName":' });
    assert.equal(JSON.parse(notJson.body).__type, 'SerializationException');
    const array = await raw(local.port, { headers: firehoseCall('PutRecord', {}).headers, body: '[1]' });
    assert.equal(JSON.parse(array.body).__type, 'SerializationException');
    const noData = await raw(local.port, firehoseCall('PutRecordBatch', { DeliveryStreamName: 'strict', Records: [{ Data: 'QQ==' }, {}] }));
    assert.equal(JSON.parse(noData.body).__type, 'ValidationException');
    assert.equal(await local.firehose.flush('strict'), true);
    assert.deepEqual(local.firehose.delivered('strict'), [], 'no refused record was buffered');
  });

  it('refuses batches over 500 records or 4 MiB, and records over 1,000 KiB', async () => {
    const f = firehoseClientFor(local.endpoint);
    await f.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'limits', ExtendedS3DestinationConfiguration: s3Config() }));
    const many = await errorOf(f.send(new PutRecordBatchCommand({ DeliveryStreamName: 'limits', Records: Array.from({ length: 501 }, () => ({ Data: Buffer.from('x') })) })));
    assert.equal(many.name, 'ValidationException');
    const big = Buffer.alloc(1000 * 1024, 1);
    // 4.15 MiB of data: over the batch limit, under the request body limit (5.5 MiB in base64).
    const heavy = await errorOf(f.send(new PutRecordBatchCommand({ DeliveryStreamName: 'limits', Records: Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(850 * 1024) })) })));
    assert.equal(heavy.name, 'InvalidArgumentException');
    assert.match(heavy.message, /4 MiB/);
    const tooBig = await errorOf(f.send(new PutRecordCommand({ DeliveryStreamName: 'limits', Record: { Data: Buffer.alloc(1000 * 1024 + 1) } })));
    assert.equal(tooBig.name, 'ValidationException');
    await f.send(new PutRecordCommand({ DeliveryStreamName: 'limits', Record: { Data: big } }));
    await local.firehose.flush('limits');
    assert.deepEqual(local.firehose.delivered('limits').map((o) => o.records), [1]);
    f.destroy();
  });
});

describe('Local endpoint abuse: hostile delivery-stream configurations', () => {
  let local: LocalEndpoint;
  let root: string;
  let s3: string;
  let firehose: FirehoseClient;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'kinesis-abuse-'));
    s3 = join(root, 'data', 's3');
    mkdirSync(s3, { recursive: true });
    local = await startLocalEndpoint({ deliveryDir: s3 });
    firehose = firehoseClientFor(local.endpoint);
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });

  const create = (name: string, over: Partial<CreateDeliveryStreamCommandInput> = {}, dest: Record<string, unknown> = {}) =>
    firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: s3Config(dest), ...over }));

  it('refuses bucket ARNs and prefixes that would write outside the data folder, and writes nothing', async () => {
    const hostile: [string, Record<string, unknown>, RegExp][] = [
      ['prefix-up', { Prefix: '../../../x/' }, /"\.\." segment/],
      ['prefix-up-inside', { Prefix: 'a/../../b/' }, /"\.\." segment/],
      ['prefix-dot', { Prefix: 'a/./b/' }, /"\." segment/],
      ['prefix-evaluates-up', { Prefix: "!{timestamp:'..'}/", ErrorOutputPrefix: 'e/!{firehose:error-output-type}/' }, /"\.\." segment/],
      ['error-prefix-up', { Prefix: 'ok/', ErrorOutputPrefix: '../../errors/' }, /"\.\." segment/],
      ['bucket-dots', { BucketARN: 'arn:aws:s3:::a..b' }, /no two adjacent dots/],
      ['bucket-upper', { BucketARN: 'arn:aws:s3:::MyBucket' }, /lowercase/],
      ['bucket-short', { BucketARN: 'arn:aws:s3:::ab' }, /3 to 63/],
      ['bucket-ip', { BucketARN: 'arn:aws:s3:::192.168.1.1' }, /IP address/],
    ];
    for (const [name, dest, message] of hostile) {
      const err = await errorOf(create(name, {}, dest));
      assert.equal(err.name, 'InvalidArgumentException', name);
      assert.match(err.message, message, name);
    }
    for (const arn of ['arn:aws:s3:::../../y', 'arn:aws:s3:::a/../../b', 'arn:aws:s3:::']) {
      const err = await errorOf(create('bucket-slash', {}, { BucketARN: arn }));
      assert.equal(err.name, 'ValidationException', arn);
      assert.match(err.message, /bucketARN/);
    }
    assert.deepEqual(filesUnder(root), [], 'nothing written anywhere');
    const list = await raw(local.port, firehoseCall('ListDeliveryStreams', { Limit: 100 }));
    assert.deepEqual(JSON.parse(list.body).DeliveryStreamNames, []);
  });

  it('refuses a 300-character prefix segment at creation, so no timer can throw ENAMETOOLONG', async () => {
    const err = await errorOf(create('long-segment', {}, { Prefix: `${'a'.repeat(300)}/` }));
    assert.equal(err.name, 'InvalidArgumentException');
    assert.match(err.message, /segment of 300 bytes/);
    const quoted = await errorOf(create('long-quoted', {}, { Prefix: `!{timestamp:'${'b'.repeat(300)}'}/`, ErrorOutputPrefix: 'e/' }));
    assert.equal(quoted.name, 'InvalidArgumentException');
    assert.equal((await raw(local.port, firehoseCall('ListDeliveryStreams', {}))).status, 200, 'still serving');
  });

  it('validates buffering hints, ARNs, names and prefix expressions as Firehose does', async () => {
    const cases: [string, Promise<unknown>, string, RegExp?][] = [
      ['size 0', create('h1', {}, { BufferingHints: { SizeInMBs: 0, IntervalInSeconds: 60 } }), 'ValidationException', /between 1 and 128/],
      ['size 129', create('h2', {}, { BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 60 } }), 'ValidationException', /between 1 and 128/],
      ['interval 901', create('h3', {}, { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 901 } }), 'ValidationException', /between 0 and 900/],
      ['size only', create('h4', {}, { BufferingHints: { SizeInMBs: 1 } }), 'InvalidArgumentException', /both .* or neither/],
      ['role', create('r1', {}, { RoleARN: 'r' }), 'ValidationException', /roleARN/],
      ['name', create('bad name', {}), 'ValidationException', /deliveryStreamName/],
      ['name length', create('n'.repeat(65), {}), 'ValidationException', /between 1 and 64/],
      ['namespace', create('p1', {}, { Prefix: '!{env:HOME}/', ErrorOutputPrefix: 'e/' }), 'InvalidArgumentException', /unknown namespace "env"/],
      ['malformed', create('p2', {}, { Prefix: 'a/!{timestamp:yyyy', ErrorOutputPrefix: 'e/' }), 'InvalidArgumentException', /malformed/],
      ['error type in prefix', create('p3', {}, { Prefix: '!{firehose:error-output-type}/', ErrorOutputPrefix: 'e/' }), 'InvalidArgumentException', /only in ErrorOutputPrefix/],
      ['no error prefix', create('p4', {}, { Prefix: '!{timestamp:yyyy}/' }), 'InvalidArgumentException', /needs an ErrorOutputPrefix/],
      ['partition keys', create('p5', {}, { Prefix: '!{partitionKeyFromQuery:city}/', ErrorOutputPrefix: 'e/' }), 'InvalidArgumentException', /dynamic partitioning/],
      ['bad pattern', create('p6', {}, { Prefix: '!{timestamp:QQQ}/', ErrorOutputPrefix: 'e/' }), 'InvalidArgumentException', /pattern letter/],
      ['prefix length', create('p7', {}, { Prefix: 'a/'.repeat(513) }), 'ValidationException', /between 0 and 1024/],
      ['source arn', create('s1', { DeliveryStreamType: 'KinesisStreamAsSource', KinesisStreamSourceConfiguration: { KinesisStreamARN: 'orders', RoleARN: ROLE } }), 'ValidationException', /kinesisStreamARN/],
      ['type', create('t1', { DeliveryStreamType: 'Nope' as never }), 'ValidationException', /enum/],
      ['destination', firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'd1', SplunkDestinationConfiguration: { HECEndpoint: 'https://x', HECEndpointType: 'Raw', HECToken: 't', S3Configuration: s3Config() as never } })), 'InvalidArgumentException', /S3 and HTTP endpoints only/],
      ['plain http to another host', firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'd2', HttpEndpointDestinationConfiguration: { EndpointConfiguration: { Url: 'http://example.com/in' }, S3Configuration: s3Config() as never } })), 'InvalidArgumentException', /must be https/],
      ['dynamic partitioning without an error prefix', create('dp1', {}, { Prefix: 'c=!{partitionKeyFromQuery:c}/', DynamicPartitioningConfiguration: { Enabled: true }, ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{c: .c}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] }] } }), 'InvalidArgumentException', /needs an ErrorOutputPrefix/],
      ['a jq query that does not compile', create('dp2', {}, { Prefix: 'c=!{partitionKeyFromQuery:c}/', ErrorOutputPrefix: 'e/', DynamicPartitioningConfiguration: { Enabled: true }, ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{c: .c' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] }] } }), 'InvalidArgumentException', /does not compile in jq 1\.6/],
      ['a Lambda ARN that is not one', create('l1', {}, { ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: 'my-function' }] }] } }), 'InvalidArgumentException', /LambdaArn like/],
      ['compression not in the enum (case-sensitive)', create('z1', {}, { CompressionFormat: 'zip' as never }), 'ValidationException', /enum value set: \[UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY\]/],
      ['compression with format conversion', create('z2', {}, { CompressionFormat: 'Snappy', DataFormatConversionConfiguration: { Enabled: true } }), 'InvalidArgumentException', /must be UNCOMPRESSED/],
    ];
    for (const [what, call, type, message] of cases) {
      const err = await errorOf(call);
      assert.equal(err.name, type, what);
      if (message) assert.match(err.message, message, what);
    }
    const limit = await raw(local.port, firehoseCall('ListDeliveryStreams', { Limit: 0 }));
    assert.equal(JSON.parse(limit.body).__type, 'ValidationException');
    // A valid configuration with expressions still works.
    await create('fine', {}, { Prefix: 'y=!{timestamp:yyyy}/r=!{firehose:random-string}/', ErrorOutputPrefix: 'err/!{firehose:error-output-type}/', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } });
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'fine', Record: { Data: Buffer.from('ok') } }));
    await local.firehose.flush('fine');
    assert.match(local.firehose.delivered('fine')[0].key, /^y=\d{4}\/r=[A-Za-z0-9]{11}\/fine-1-/);
  });

  it('keeps delivered objects on disk only, not their bodies in memory', async () => {
    await create('on-disk', {}, { Prefix: 'disk/' });
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'on-disk', Record: { Data: Buffer.from('kept on disk') } }));
    await local.firehose.flush('on-disk');
    const [obj] = local.firehose.delivered('on-disk');
    assert.equal(obj.body, undefined);
    assert.equal(readFileSync(obj.file!, 'utf8'), 'kept on disk');
    assert.ok(obj.file!.startsWith(join(s3, 'good-bucket', 'disk')));
  });

  it('keeps the records of a failed write buffered, then delivers them once, not twice', async () => {
    await create('fails', {}, { BucketARN: 'arn:aws:s3:::blocked-bucket', Prefix: 'p/' });
    // The bucket's folder is a file: every write fails until it is removed.
    writeFileSync(join(s3, 'blocked-bucket'), 'in the way');
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'fails', Records: [{ Data: Buffer.from('a;') }, { Data: Buffer.from('b;') }] }));
    assert.equal(await local.firehose.flush('fails'), false);
    const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'fails' }));
    assert.match(d.DeliveryStreamDescription!.FailureDescription!.Details!, /Delivery of 2 records .* failed.*retried/);
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'fails', Record: { Data: Buffer.from('c;') } }));
    rmSync(join(s3, 'blocked-bucket'));
    assert.equal(await local.firehose.flush('fails'), true);
    assert.equal(await local.firehose.flush('fails'), true);
    // The batch that failed keeps its planned object (two records, the same key); "c;" came after it.
    const objects = local.firehose.delivered('fails');
    assert.deepEqual(objects.map((o) => [o.records, readFileSync(o.file!, 'utf8')]), [
      [2, 'a;b;'],
      [1, 'c;'],
    ]);
    assert.deepEqual(readdirSync(join(s3, '.incoming')), [], 'no temporary file left');
    const after = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'fails' }));
    assert.equal(after.DeliveryStreamDescription!.FailureDescription, undefined);
  });
});

describe('The S3 folder writer', () => {
  it('never resolves a key outside its root, through .. or through a link', () => {
    const root = mkdtempSync(join(tmpdir(), 'kinesis-s3w-'));
    const outside = mkdtempSync(join(tmpdir(), 'kinesis-outside-'));
    assert.equal(objectPath(root, 'b', 'x/y/z'), join(root, 'b', 'x', 'y', 'z'));
    for (const [bucket, key] of [['b', '../../etc/x'], ['..', 'x'], ['b', 'a/../../x'], ['b', `${'n'.repeat(256)}/x`]]) {
      assert.throws(() => objectPath(root, bucket, key), ObjectPathError, `${bucket}/${key}`);
    }
    mkdirSync(join(root, 'b'));
    symlinkSync(outside, join(root, 'b', 'link'));
    assert.throws(() => folderStore(root).put('b', 'link/file', Buffer.from('x')), /outside the data folder/);
    assert.deepEqual(readdirSync(outside), []);
  });
});

describe('Local endpoint: stops, restarts and failures', () => {
  const localJs = join(__dirname, '../../../dist/tools/local.js');

  /** `npm run local` (the built bundle) in a child process; resolves with its endpoint URL. */
  function runLocalTool(dir: string): Promise<{ endpoint: string; child: ReturnType<typeof spawn>; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, [localJs, '--port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b) => {
        out += b;
        const m = /endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve({ endpoint: m[1], child, exited });
      });
      child.once('exit', (code) => reject(new Error(`npm run local exited (${code}): ${out}`)));
    });
  }

  const interval60 = (name: string): CreateDeliveryStreamCommandInput => ({
    DeliveryStreamName: name,
    ExtendedS3DestinationConfiguration: s3Config({ BucketARN: 'arn:aws:s3:::kept', Prefix: `${name}/`, BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 } }),
  });

  it('delivers what is buffered when npm run local gets Ctrl-C', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'kinesis-stop-'));
    const { endpoint, child, exited } = await runLocalTool(dir);
    const f = firehoseClientFor(endpoint);
    await f.send(new CreateDeliveryStreamCommand(interval60('on-stop')));
    await f.send(new PutRecordCommand({ DeliveryStreamName: 'on-stop', Record: { Data: Buffer.from('last words') } }));
    f.destroy();
    assert.deepEqual(filesUnder(join(dir, 's3')), [], 'still buffered (60 s interval)');
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    const files = filesUnder(join(dir, 's3', 'kept'));
    assert.equal(files.length, 1);
    assert.equal(readFileSync(join(dir, 's3', 'kept', files[0]), 'utf8'), 'last words');
  });

  it('keeps accepted records across a crash with a data folder and delivers them after the restart', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'kinesis-crash-'));
    const first = await runLocalTool(dir);
    const f = firehoseClientFor(first.endpoint);
    await f.send(new CreateDeliveryStreamCommand(interval60('survives')));
    await f.send(new PutRecordBatchCommand({ DeliveryStreamName: 'survives', Records: [{ Data: Buffer.from('one;') }, { Data: Buffer.from('two;') }] }));
    f.destroy();
    first.child.kill('SIGKILL'); // no chance to deliver
    await first.exited;
    assert.deepEqual(filesUnder(join(dir, 's3')), []);
    // Its kinesalite child ends with it (stdin closes); the restart needs the LevelDB lock.
    const again = await until(() => startLocalEndpoint({ path: dir }).catch(() => undefined), 'a restart on the same folder', 10_000);
    const f2 = firehoseClientFor(again.endpoint);
    const d = await f2.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'survives' }));
    assert.equal(d.DeliveryStreamDescription!.DeliveryStreamStatus, 'ACTIVE');
    f2.destroy();
    await again.close();
    const files = filesUnder(join(dir, 's3', 'kept'));
    assert.deepEqual(files.map((x) => readFileSync(join(dir, 's3', 'kept', x), 'utf8')), ['one;two;']);
  });

  it('resumes a Kinesis source after a crash where it stopped, without losing or repeating a record', async function () {
    this.timeout(40_000);
    const dir = mkdtempSync(join(tmpdir(), 'kinesis-resume-'));
    const first = await runLocalTool(dir);
    const k = kinesisClientFor(first.endpoint);
    await k.send(new CreateStreamCommand({ StreamName: 'src', ShardCount: 2 }));
    const put = (client: typeof k, from: number, to: number) =>
      client.send(new PutRecordsCommand({ StreamName: 'src', Records: Array.from({ length: to - from }, (_, i) => ({ PartitionKey: `k${from + i}`, Data: Buffer.from(`r${from + i};`) })) }));
    const f = firehoseClientFor(first.endpoint);
    await f.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'from-src',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/src', RoleARN: ROLE },
        ExtendedS3DestinationConfiguration: s3Config({ BucketARN: 'arn:aws:s3:::kept', BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 900 } }),
      }),
    );
    await put(k, 0, 6);
    const journal = join(dir, 'firehose', 'buffers', 'from-src.jsonl');
    await until(() => (existsSync(journal) && readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"d"')).length === 6 ? true : undefined), 'six records journaled');
    k.destroy();
    f.destroy();
    first.child.kill('SIGKILL');
    await first.exited;
    const again = await until(() => startLocalEndpoint({ path: dir }).catch(() => undefined), 'a restart on the same folder', 10_000);
    const k2 = kinesisClientFor(again.endpoint);
    await put(k2, 6, 10);
    const seen = await until(async () => {
      await again.firehose.flush('from-src');
      const files = filesUnder(join(dir, 's3', 'kept')).map((x) => readFileSync(join(dir, 's3', 'kept', x), 'utf8'));
      const records = files.join('').split(';').filter(Boolean);
      return records.length >= 10 ? records : undefined;
    }, 'ten records delivered');
    k2.destroy();
    await again.close();
    assert.deepEqual([...seen].sort(), Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
  });

  it('reports a Kinesis source that cannot be read, in DescribeDeliveryStream and the log', async () => {
    const lines: string[] = [];
    const local = await startLocalEndpoint({ log: (l) => lines.push(l) });
    const f = firehoseClientFor(local.endpoint);
    try {
      await f.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'wrong-source',
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: { KinesisStreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/no-such-stream', RoleARN: ROLE },
          ExtendedS3DestinationConfiguration: s3Config(),
        }),
      );
      const failure = await until(async () => (await f.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'wrong-source' }))).DeliveryStreamDescription!.FailureDescription, 'a failure description');
      assert.match(failure.Details!, /Cannot read the source stream .*no-such-stream.*Check KinesisStreamARN/);
      assert.ok(lines.some((l) => /wrong-source: Cannot read the source stream/.test(l)), lines.join('\n'));
    } finally {
      f.destroy();
      await local.close();
    }
  });

  it('leaves nothing behind when the port is taken, so the data folder can be used at once', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'kinesis-port-'));
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await errorOf(startLocalEndpoint({ path: dir, port }));
      assert.match(err.message, /EADDRINUSE/);
    } finally {
      blocker.close();
    }
    // The kinesalite child of the failed start is gone: its LevelDB lock is free now, not later.
    const local = await startLocalEndpoint({ path: dir });
    await local.close();
  });
});
