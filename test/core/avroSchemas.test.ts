import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GlueClient } from '@aws-sdk/client-glue';
import { LOCAL_CREDENTIALS, localHandler } from '../../src/core/aws/clientFactory';
import { AvroSchemas, MAX_SCHEMA_BYTES } from '../../src/core/records/avroSchemas';
import { decodeRecord, decodeRecords } from '../../src/core/records/decoders';
import { toJsonLine } from '../../src/core/records/export';
import { redecodeRecord, sourceRecordId, undecodedSchemaId } from '../../src/core/records/redecode';
import { encodeAggregate } from '../../src/core/producer/aggregation';
import type { RawRecord } from '../../src/core/records/types';
import { AVRO_SCHEMA, AVRO_SCHEMA_VERSION_ID, AVRO_VALUE, CLOUDWATCH_LOGS_PAYLOAD, glueSchemaRegistryRecord } from '../support/awsSamples';

function raw(data: Uint8Array, over: Partial<RawRecord> = {}): RawRecord {
  return { shardId: 'shardId-000000000000', sequenceNumber: '49600000000000000000000000000000000000000000000000000001', partitionKey: 'pk', arrivalTime: 0, data, ...over };
}

const OTHER_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';

describe('Avro schema loader (shared by the tailer and the inspector)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'avsc-loader-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds <id>.avsc in the folders, a file mapped to the id, or one the locate hook finds; caches each id', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(b, `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(AVRO_SCHEMA));
    const inFolders = new AvroSchemas({ dirs: [a, b] });
    await inFolders.load([AVRO_SCHEMA_VERSION_ID.toUpperCase()]);
    assert.equal(inFolders.get(AVRO_SCHEMA_VERSION_ID)?.source, join(b, `${AVRO_SCHEMA_VERSION_ID}.avsc`));
    const [d] = decodeRecord(raw(glueSchemaRegistryRecord()), undefined, { avroSchemas: inFolders });
    assert.deepEqual((d.json as { value: unknown }).value, AVRO_VALUE);

    // A file named for what it holds, mapped by id (a setting), and a located one.
    writeFileSync(join(dir, 'customer.avsc'), JSON.stringify(AVRO_SCHEMA));
    const mapped = new AvroSchemas({ files: { [AVRO_SCHEMA_VERSION_ID.toUpperCase()]: join(dir, 'customer.avsc') } });
    await mapped.load([AVRO_SCHEMA_VERSION_ID]);
    assert.equal(mapped.get(AVRO_SCHEMA_VERSION_ID)?.name, 'Customer');
    const asked: string[] = [];
    const located = new AvroSchemas({ locate: (id) => (asked.push(id), id === AVRO_SCHEMA_VERSION_ID ? join(dir, 'customer.avsc') : undefined) });
    await located.load([AVRO_SCHEMA_VERSION_ID, OTHER_ID]);
    await located.load([AVRO_SCHEMA_VERSION_ID, OTHER_ID]);
    assert.deepEqual(asked, [AVRO_SCHEMA_VERSION_ID, OTHER_ID], 'each id is looked up once, found or not');
    assert.ok(located.get(AVRO_SCHEMA_VERSION_ID)?.type);
    assert.match(located.get(OTHER_ID)!.error!, /not found in no schema folder or Glue/);
  });

  it('a bad, huge or odd schema file is an error on its records, never a throw, and says which file; forget() tries again', async () => {
    const file = join(dir, `${AVRO_SCHEMA_VERSION_ID}.avsc`);
    const schemas = new AvroSchemas({ dir });
    const decode = () => decodeRecords([raw(glueSchemaRegistryRecord())], undefined, { avroSchemas: schemas })[0];

    writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n');
    await schemas.load([AVRO_SCHEMA_VERSION_ID]);
    assert.match(decode().error!, /avsc is not JSON/);
    assert.doesNotMatch(decode().error!, /root:x/, 'the file is not echoed');

    schemas.forget();
    writeFileSync(file, JSON.stringify({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'no-such-type' }] }));
    await schemas.load([AVRO_SCHEMA_VERSION_ID]);
    assert.match(decode().error!, /avsc is not a valid Avro schema: .*no-such-type/);
    assert.deepEqual(decode().decodings, ['glue-schema-registry', 'binary']);

    schemas.forget();
    writeFileSync(file, ' '.repeat(MAX_SCHEMA_BYTES + 1));
    await schemas.load([AVRO_SCHEMA_VERSION_ID]);
    assert.match(decode().error!, /larger than 1 MiB: not read as a schema/);

    rmSync(file);
    mkdirSync(file);
    const odd = new AvroSchemas({ files: { [AVRO_SCHEMA_VERSION_ID]: file } });
    await odd.load([AVRO_SCHEMA_VERSION_ID]);
    assert.match(odd.get(AVRO_SCHEMA_VERSION_ID)!.error!, /is not a regular file/);

    // The schema put in place, forget() lets the next load find it.
    rmSync(file, { recursive: true });
    writeFileSync(file, JSON.stringify(AVRO_SCHEMA));
    assert.deepEqual(schemas.forget(), [AVRO_SCHEMA_VERSION_ID]);
    await schemas.load([AVRO_SCHEMA_VERSION_ID]);
    assert.equal(decode().error, undefined);
    assert.deepEqual(schemas.forget(), [], 'a decoded schema is kept');
  });

  it('forgetFile() forgets the schemas read from a file that changed (or one named <id>.avsc), not the others', async () => {
    const mapped = join(dir, 'customer.avsc');
    writeFileSync(mapped, JSON.stringify(AVRO_SCHEMA));
    writeFileSync(join(dir, `${OTHER_ID}.avsc`), JSON.stringify({ ...AVRO_SCHEMA, name: 'Other' }));
    const schemas = new AvroSchemas({ dirs: [dir], files: { [AVRO_SCHEMA_VERSION_ID]: mapped } });
    await schemas.load([AVRO_SCHEMA_VERSION_ID, OTHER_ID]);
    schemas.add('11111111-2222-4333-8444-555555555555', AVRO_SCHEMA);
    assert.deepEqual(schemas.forgetFile(join(dir, 'unrelated.avsc')), []);
    assert.deepEqual(schemas.forgetFile(join(dir, '.', 'customer.avsc')), [AVRO_SCHEMA_VERSION_ID], 'by the path it was read from');
    assert.equal(schemas.get(AVRO_SCHEMA_VERSION_ID), undefined);
    assert.equal(schemas.get(OTHER_ID)?.name, 'Other');
    assert.deepEqual(schemas.forgetFile(join(tmpdir(), `${OTHER_ID.toUpperCase()}.avsc`)), [OTHER_ID], 'by the id its name gives');
    assert.equal(schemas.get('11111111-2222-4333-8444-555555555555')?.source, 'added', 'a schema added by hand stays');
  });

  it('decoding by hand as a Glue Schema Registry record uses the schemas given; other bytes say what they lack', async () => {
    writeFileSync(join(dir, `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(AVRO_SCHEMA));
    const schemas = new AvroSchemas({ dirs: [dir] });
    await schemas.load([AVRO_SCHEMA_VERSION_ID]);
    const [d] = decodeRecord(raw(glueSchemaRegistryRecord('zlib')), 'glue-schema-registry', { avroSchemas: schemas });
    assert.equal(d.format, 'glue-schema-registry');
    assert.deepEqual(d.decodings, ['glue-schema-registry']);
    assert.deepEqual((d.json as { value: unknown }).value, AVRO_VALUE);
    const [none] = decodeRecord(raw(glueSchemaRegistryRecord()), 'glue-schema-registry');
    assert.match(none.error!, /no schemas were given/);
    const [other] = decodeRecord(raw(Buffer.from('{"n":1}')), 'glue-schema-registry', { avroSchemas: schemas });
    assert.match(other.error!, /not a Glue Schema Registry record: it starts with bytes 7b22, not 03 00 or 03 05/);
    assert.equal(other.format, undefined);
  });

  it('looks up at most maxSchemas ids (random bytes that look like the wire format do not ask Glue each)', async () => {
    const schemas = new AvroSchemas({ maxSchemas: 2 });
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
    await schemas.load(ids);
    assert.ok(schemas.get(ids[0])?.error && schemas.get(ids[1])?.error);
    assert.match(schemas.get(ids[2])!.error!, /more than 2 schema versions/);
    assert.equal(schemas.has(ids[2]), true, 'nothing left to load for it');
  });

  describe('from Glue (GetSchemaVersion)', () => {
    // No emulator here serves Glue: a local HTTP server speaks Glue's JSON protocol for this one
    // operation, and the real SDK client calls it.
    let server: Server;
    let glue: GlueClient;
    const calls: string[] = [];
    before(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const target = String(req.headers['x-amz-target']);
          const id = (JSON.parse(body) as { SchemaVersionId: string }).SchemaVersionId;
          calls.push(`${target} ${id}`);
          res.setHeader('content-type', 'application/x-amz-json-1.1');
          if (target !== 'AWSGlue.GetSchemaVersion') return void res.writeHead(400).end(JSON.stringify({ __type: 'InvalidInputException', Message: 'unexpected' }));
          if (id === AVRO_SCHEMA_VERSION_ID) {
            return void res.writeHead(200).end(JSON.stringify({ SchemaVersionId: id, SchemaDefinition: JSON.stringify(AVRO_SCHEMA), DataFormat: 'AVRO', SchemaArn: 'arn:aws:glue:us-east-1:123456789012:schema/shop/CustomerSchema', VersionNumber: 3, Status: 'AVAILABLE' }));
          }
          if (id === OTHER_ID) return void res.writeHead(200).end(JSON.stringify({ SchemaVersionId: id, SchemaDefinition: '{"type":"object"}', DataFormat: 'JSON', Status: 'AVAILABLE' }));
          res.writeHead(400).end(JSON.stringify({ __type: 'EntityNotFoundException', Message: 'Schema version is not found.' }));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      glue = new GlueClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: LOCAL_CREDENTIALS, requestHandler: localHandler(), maxAttempts: 1 });
    });
    after(async () => {
      glue?.destroy();
      await new Promise((r) => server?.close(r));
    });

    it('fetches a schema once per id, names it after the schema, and says why for the others', async () => {
      calls.length = 0;
      const schemas = new AvroSchemas({ glue: () => glue, searched: 'the workspace', hint: (id) => `put it at schemas/${id}.avsc` });
      const missing = '11111111-2222-4333-8444-555555555555';
      await Promise.all([schemas.load([AVRO_SCHEMA_VERSION_ID, missing, OTHER_ID]), schemas.load([AVRO_SCHEMA_VERSION_ID])]);
      await schemas.load([AVRO_SCHEMA_VERSION_ID, missing]);
      assert.deepEqual(calls.sort(), [`AWSGlue.GetSchemaVersion ${AVRO_SCHEMA_VERSION_ID}`, `AWSGlue.GetSchemaVersion ${OTHER_ID}`, `AWSGlue.GetSchemaVersion ${missing}`].sort());
      const [d] = decodeRecords([raw(glueSchemaRegistryRecord('zlib'))], undefined, { avroSchemas: schemas });
      assert.deepEqual(d.json, { schemaVersionId: AVRO_SCHEMA_VERSION_ID, schemaName: 'CustomerSchema', compression: 'zlib', value: AVRO_VALUE });
      assert.equal(schemas.get(AVRO_SCHEMA_VERSION_ID)?.source, 'Glue');
      assert.equal(schemas.get(missing)!.error, `schema ${missing} not found in the workspace or Glue: GetSchemaVersion failed: Schema version is not found.; put it at schemas/${missing}.avsc`);
      assert.match(schemas.get(OTHER_ID)!.error!, /is JSON in Glue; only Avro schemas are decoded/);
    });
  });
});

describe('held records decoded again', () => {
  it('a CloudWatch Logs payload becomes one row per log event and back, keeping where it came from; exported rows carry the bytes once', () => {
    const [payload] = decodeRecord(raw(gzipSync(JSON.stringify(CLOUDWATCH_LOGS_PAYLOAD))));
    const rows = redecodeRecord(payload, { cloudWatchLogs: { rowPerEvent: true } });
    assert.equal(rows.length, CLOUDWATCH_LOGS_PAYLOAD.logEvents.length);
    assert.deepEqual(rows.map((r) => r.id), rows.map((_, i) => `${payload.id}/e${i}`));
    assert.ok(rows.every((r) => sourceRecordId(r) === payload.id && r.sequenceNumber === payload.sequenceNumber && r.logEvent?.count === rows.length));
    assert.deepEqual(rows.map((r) => (r.json as { timestamp: number }).timestamp), CLOUDWATCH_LOGS_PAYLOAD.logEvents.map((e) => e.timestamp));
    // The rows share the payload's bytes: together they weigh about what the payload does, not three times it.
    const bytes = rows.reduce((n, r) => n + r.memoryBytes!, 0);
    assert.ok(bytes < payload.memoryBytes! + rows.length * 1000, `${bytes} vs ${payload.memoryBytes}`);
    const lines = rows.map((r) => JSON.parse(toJsonLine(r)) as { logEvent: unknown; rawBase64?: string; sequenceNumber: string });
    assert.equal(lines[0].rawBase64, payload.rawBase64);
    assert.ok(lines.slice(1).every((l) => l.rawBase64 === undefined && l.sequenceNumber === payload.sequenceNumber));
    assert.deepEqual(lines[1].logEvent, { index: 1, count: rows.length });
    const [back] = redecodeRecord(rows[1], {});
    assert.equal(back.id, payload.id);
    assert.equal(back.logEvent, undefined);
  });

  it('a Glue Schema Registry record met before its schema decodes once the schema is loaded; a KPL user record keeps its place', async () => {
    const agg = encodeAggregate([{ partitionKey: 'user-a', data: glueSchemaRegistryRecord() }, { partitionKey: 'user-b', data: Buffer.from('{"n":1}') }]);
    const schemas = new AvroSchemas();
    const [first, second] = decodeRecords([raw(agg)], undefined, { avroSchemas: schemas });
    assert.match(first.error!, /its schema is being loaded/);
    assert.equal(undecodedSchemaId(first), AVRO_SCHEMA_VERSION_ID);
    assert.equal(undecodedSchemaId(second), undefined);
    schemas.add(AVRO_SCHEMA_VERSION_ID, AVRO_SCHEMA);
    const [again] = redecodeRecord(first, { avroSchemas: schemas });
    assert.equal(again.error, undefined);
    assert.equal(again.format, 'glue-schema-registry');
    assert.equal(again.id, first.id);
    assert.equal(again.subSequenceNumber, 0);
    assert.equal(again.partitionKey, 'user-a');
    assert.equal(undecodedSchemaId(again), undefined);
  });
});
