import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { firehoseClientFor } from '../../src/core/aws/clientFactory';
import { DeliveredObjectsLoader, deliveredObjectLine, loadObjectDocument, objectDocument } from '../../src/core/firehose/deliveredObjectsLoader';
import { DeliveryStreamService } from '../../src/core/firehose/deliveryStreamService';
import { lambda, ROLE } from '../support/firehoseConfigs';

const FIX = join(__dirname, '../../../test/fixtures/firehose');
const rec = (id: number) => ({ Data: Buffer.from(JSON.stringify({ id, city: ['Lisbon', 'Osaka', 'Denver'][id % 3] })) });

/** What the tree shows under a local delivery stream, against the built-in endpoint with the real Firehose client. */
describe('Delivered objects in the tree', function () {
  this.timeout(30_000);
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  let folder: string;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'firehose-tree-'));
    local = await startLocalEndpoint({ deliveryDir: folder, log: () => undefined, firehose: { lambdaHandlers: { cities: join(FIX, 'cities.js') } } });
    firehose = firehoseClientFor(local.endpoint);
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'tree',
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::tree-bucket',
          RoleARN: ROLE,
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 },
          CompressionFormat: 'GZIP',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
          ProcessingConfiguration: lambda('cities'),
        },
      }),
    );
    // Five deliveries of two records: id 10k+1 is delivered, 10k+3 fails into the error output.
    for (let i = 0; i < 5; i++) {
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'tree', Records: [rec(i * 10 + 1), rec(i * 10 + 3)] }));
      await local.firehose.flush('tree');
    }
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });

  it('pages delivered objects newest first with Load more, each once, and tells the bucket folder', async () => {
    const loader = DeliveredObjectsLoader.forEndpoint(local.endpoint, 'tree', 'delivered', 2);
    const first = await loader.ensureFirstPage();
    assert.equal(first.objects.length, 2);
    assert.equal(first.hasMore, true);
    assert.ok(first.folder?.startsWith(folder) && first.folder.endsWith('tree-bucket'), first.folder);
    await loader.loadNextPage();
    const last = await loader.loadNextPage();
    assert.equal(last.hasMore, false);
    assert.equal((await loader.loadNextPage()).objects.length, 5, 'past the last page nothing changes');
    assert.deepEqual(last.objects.map((o) => o.key), local.firehose.delivered('tree').map((o) => o.key).reverse());
    assert.ok(last.objects.every((o) => o.kind === 'delivered' && o.key.endsWith('.gz')));
  });

  it('lists the error output apart and opens an error object as pretty JSON', async () => {
    const loader = DeliveredObjectsLoader.forEndpoint(local.endpoint, 'tree', 'errors');
    const st = await loader.ensureFirstPage();
    assert.equal(st.objects.length, 5);
    assert.equal(st.hasMore, false);
    assert.ok(st.objects.every((o) => o.kind === 'error' && o.key.startsWith('errors/processing-failed/')));
    const doc = await loadObjectDocument(local.endpoint, 'tree', st.objects[0].key);
    assert.equal(doc.language, 'jsonc');
    const body = JSON.parse(doc.text.replace(/^\/\/.*\n/gm, ''));
    assert.equal(body[0].errorCode, 'Lambda.ProcessingFailedStatus');
    assert.equal(JSON.parse(Buffer.from(body[0].rawData, 'base64').toString()).id, 43, 'the newest error first');
  });

  it('opens a GZIP object decoded: the transformed records, and its size before and after', async () => {
    const [newest] = (await DeliveredObjectsLoader.forEndpoint(local.endpoint, 'tree', 'delivered').ensureFirstPage()).objects;
    const doc = await loadObjectDocument(local.endpoint, 'tree', newest.key);
    assert.equal(doc.language, 'jsonc');
    assert.match(doc.text, /^\/\/ .*\.gz\n\/\/ 1 record, [\d.]+ B stored, GZIP, [\d.]+ B decompressed\n/);
    assert.deepEqual(JSON.parse(doc.text.replace(/^\/\/.*\n/gm, '')), [{ id: 41, city: 'Denver', transformed: true }]);
    await assert.rejects(loadObjectDocument(local.endpoint, 'tree', 'no/such/key'), /has no object no\/such\/key/);
  });

  it('shows an unmapped Lambda as the delivery stream\'s failure', async () => {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'unmapped',
        ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::unmapped-bucket', RoleARN: ROLE, ErrorOutputPrefix: 'e/', ProcessingConfiguration: lambda('nobody-mapped-me') },
      }),
    );
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'unmapped', Records: [rec(1)] }));
    await local.firehose.flush('unmapped').catch(() => undefined);
    const s = await new DeliveryStreamService(firehose).describe('unmapped');
    assert.ok(s.failure, 'a failure is described');
    assert.match(s.failure.details, /nobody-mapped-me/);
    const ok = await new DeliveryStreamService(firehose).describe('tree');
    assert.equal(ok.failure, undefined);
  });
});

describe('Delivered objects: lines and documents', () => {
  const obj = {
    bucket: 'b',
    key: 'clicks/action=view/2026/12/01/00/tree-1-2026-12-01-00-30-05-71b0cc37-d23d-474d-863a-8e2f0c1a2b3c.gz',
    size: 2048,
    records: 3,
    kind: 'delivered' as const,
    at: Date.parse('2026-12-01T00:30:05Z'),
  };
  it('shows an object by its partition folder and short name, size, records and time; the whole key in the tooltip', () => {
    const today = deliveredObjectLine(obj, Date.parse('2026-12-01T10:00:00Z'));
    assert.deepEqual([today.label, today.description], ['clicks/action=view/71b0cc37.gz', '2.0 KiB · 3 records · 00:30:05 UTC']);
    assert.match(today.tooltip, /^s3:\/\/b\/clicks\/action=view\/2026\/12\/01\/00\/tree-1-2026/);
    assert.equal(deliveredObjectLine({ ...obj, key: '2026/12/01/00/tree-1-2026-12-01-00-30-05-71b0cc37-d23d-474d-863a-8e2f0c1a2b3c' }).label, '71b0cc37', 'no prefix, not compressed');
    assert.equal(deliveredObjectLine({ ...obj, key: 'odd/name.txt' }).label, 'odd/name.txt', 'a name Firehose did not make stays whole');
    assert.equal(deliveredObjectLine({ ...obj, records: 1 }, Date.parse('2026-12-02T10:00:00Z')).description, '2.0 KiB · 1 record · 2026-12-01 00:30:05 UTC');
  });

  it('is JSON only when every record is JSON, else one record a line; says when an object was cut', () => {
    const base = { key: 'k', compression: 'UNCOMPRESSED', storedBytes: 10, bytes: 10, cut: false };
    const mixed = objectDocument({ ...base, lines: ['{"a":1}', 'plain text'] });
    assert.equal(mixed.language, 'plaintext');
    assert.equal(mixed.text.split('\n').slice(-3).join('|'), '{"a":1}|plain text|');
    const json = objectDocument({ ...base, lines: ['{"a":1}', '[2]', '"s"'] });
    assert.equal(json.language, 'jsonc');
    assert.match(json.text, /\[\n {2}\{\n {4}"a": 1\n {2}\},\n {2}\[\n {4}2\n {2}\],\n {2}"s"\n\]\n$/);
    assert.equal(objectDocument({ ...base, lines: [] }).language, 'plaintext');
    assert.match(objectDocument({ ...base, lines: ['x'], cut: true }).text, /only its first records are here/);
  });
});
