import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { AvroSchemas } from '../../src/core/records/avroSchemas';
import { replaySource } from '../../src/core/producer/replay';
import { StreamService } from '../../src/core/kinesis/streamService';
import { InspectorSession } from '../../src/vscode/inspector/session';
import { loadSchemaFor, recordDetail } from '../../src/vscode/inspector/detail';
import { AVRO_SCHEMA, AVRO_SCHEMA_VERSION_ID, AVRO_VALUE, CLOUDWATCH_LOGS_CONTROL, CLOUDWATCH_LOGS_PAYLOAD, glueSchemaRegistryRecord } from '../support/awsSamples';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The inspector session in plain Node on kinesalite: schemas that arrive after their records, CloudWatch Logs rows per event. */
describe('InspectorSession: Glue Schema Registry schemas and CloudWatch Logs rows', function () {
  let ep: TestEndpoint;
  let dir: string;
  const stream = uniqueName('session-formats');
  before(async () => {
    ep = await startKinesalite();
    dir = mkdtempSync(join(tmpdir(), 'session-avsc-'));
    const svc = new StreamService(ep.client);
    await svc.create(stream, { shardCount: 1 });
    await svc.waitFor(stream, 'ACTIVE', { intervalMs: 20 });
    await ep.client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [
          { PartitionKey: 'logs', Data: gzipSync(JSON.stringify(CLOUDWATCH_LOGS_CONTROL)) },
          { PartitionKey: 'logs', Data: gzipSync(JSON.stringify(CLOUDWATCH_LOGS_PAYLOAD)) },
          { PartitionKey: 'customer', Data: glueSchemaRegistryRecord() },
          { PartitionKey: 'plain', Data: Buffer.from('{"n":1}') },
        ],
      }),
    );
  });
  /** A session on the test stream, as a panel holds it (not visible: nothing is posted). */
  const session = (over: Partial<ConstructorParameters<typeof InspectorSession>[0]> = {}) =>
    new InspectorSession({
      streamName: stream,
      client: async () => ep.client,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      post: () => undefined,
      canPost: () => true,
      isVisible: () => false,
      maxRecords: 1000,
      maxMemoryBytes: 64 * 1024 * 1024,
      ...over,
    });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    return ep?.close();
  });

  it('a record whose schema is missing says where to put it, and decodes once the schema file is there', async () => {
    const logs: string[] = [];
    const s = session({
      log: { info: (m) => logs.push(m), warn: () => undefined, error: (m) => logs.push(m) },
      schemas: new AvroSchemas({ dirs: [dir], hint: (id) => `put it at ${dir}/${id}.avsc` }),
    });
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      await until('3 records held (the control message hidden)', () => s.model.heldCount === 3);
      assert.equal(s.status().controlMessagesHidden, 1);
      const gsr = () => [...s.model.all()].find((r) => r.partitionKey === 'customer')!;
      await until('the schema looked for', () => /not found/.test(gsr().error ?? ''));
      assert.match(gsr().error!, new RegExp(`schema ${AVRO_SCHEMA_VERSION_ID} not found in ${dir} or Glue: .*; put it at`));

      writeFileSync(join(dir, `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(AVRO_SCHEMA));
      s.schemasChanged();
      await until('the record decoded again', () => gsr().format === 'glue-schema-registry');
      assert.equal(gsr().error, undefined);
      assert.deepEqual((gsr().json as { value: unknown }).value, AVRO_VALUE);
      assert.equal(s.model.heldCount, 3);
      assert.equal(s.status().formats?.['glue-schema-registry'], 1);
      const row = s.model.rows(0, 10).find((r) => r.partitionKey === 'customer')!;
      assert.equal(row.cells?.['glue-schema-registry:schema'], 'Customer');
      assert.ok(logs.some((l) => l.includes('decoded again')), logs.join('\n'));
    } finally {
      s.dispose();
    }
  });

  it('switches CloudWatch Logs payloads to one row per log event and back; replay sends the payload once', async () => {
    const s = session();
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      await until('3 records held', () => s.model.heldCount === 3);
      const events = CLOUDWATCH_LOGS_PAYLOAD.logEvents.length;
      s.setLogEventRows(true);
      assert.equal(s.logEventRows, true);
      assert.equal(s.model.heldCount, 2 + events);
      const rows = s.model.rows(0, 100).filter((r) => r.format === 'cloudwatch-logs');
      assert.deepEqual(rows.map((r) => r.logEvent?.index), [...Array(events).keys()]);
      assert.deepEqual(rows.map((r) => r.cells?.['cloudwatch-logs:message']), CLOUDWATCH_LOGS_PAYLOAD.logEvents.map((e) => e.message));
      assert.deepEqual(rows.map((r) => r.cells?.['cloudwatch-logs:events']), rows.map((_, i) => `${i + 1} of ${events}`), 'each row says which event of its payload it is');
      const d = recordDetail(s.model.get(rows[1].id)!, 'auto');
      assert.deepEqual(d.logEvent, { index: 1, count: events });
      assert.equal(d.cloudWatchLogs, undefined, 'the row shows its event, not the whole payload');
      assert.equal(d.format?.detail?.sections.find((x) => x.kind === 'table')?.kind === 'table' && (d.format.detail.sections.find((x) => x.kind === 'table') as { rows: unknown[] }).rows.length, 1);

      // The rows of the payload filtered, then replayed: the payload is sent once, whole.
      s.setFilter({ jmespath: 'logGroup' });
      assert.equal(s.model.matchingCount, events);
      const sent = [...replaySource(s.model.filtered())].map((x) => ('record' in x ? x.record : undefined)!);
      assert.equal(sent.length, 1);
      assert.equal(sent[0].partitionKey, 'logs');
      assert.deepEqual(Buffer.from(sent[0].data), gzipSync(JSON.stringify(CLOUDWATCH_LOGS_PAYLOAD)));

      s.setFilter({});
      s.setLogEventRows(false);
      assert.equal(s.model.heldCount, 3);
      assert.equal([...s.model.all()].filter((r) => r.logEvent).length, 0);
      assert.equal(s.model.rows(0, 10).find((r) => r.format === 'cloudwatch-logs')?.cells?.['cloudwatch-logs:events'], String(events), 'a whole payload counts its events');
    } finally {
      s.dispose();
    }
  });

  it('a schema file that changes decodes again every held record of its schema, in slices, not only those that failed; decoding by hand uses the same schemas', async () => {
    const own = mkdtempSync(join(tmpdir(), 'session-avsc-changed-'));
    const file = join(own, `${AVRO_SCHEMA_VERSION_ID}.avsc`);
    writeFileSync(file, JSON.stringify(AVRO_SCHEMA));
    const s = session({ schemas: new AvroSchemas({ dirs: [own] }) });
    try {
      await s.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      const gsr = () => [...s.model.all()].find((r) => r.partitionKey === 'customer')!;
      await until('the record decoded with the first schema', () => gsr()?.format === 'glue-schema-registry');
      assert.equal((gsr().json as { schemaName: string }).schemaName, 'Customer');
      const plain = [...s.model.all()].find((r) => r.partitionKey === 'plain')!;

      // Decoding by hand as Glue Schema Registry: the session's schemas, loaded first when not yet.
      const byHand = recordDetail(gsr(), 'glue-schema-registry', s.decodeOptions);
      assert.equal(byHand.format?.name, 'glue-schema-registry');
      assert.equal(byHand.error, undefined);
      const fresh = new AvroSchemas({ dirs: [own] });
      assert.match(recordDetail(gsr(), 'glue-schema-registry', { avroSchemas: fresh }).error ?? '', /being loaded/);
      await loadSchemaFor(gsr(), 'glue-schema-registry', fresh);
      assert.deepEqual(recordDetail(gsr(), 'glue-schema-registry', { avroSchemas: fresh }).format?.detail?.sections.find((x) => x.kind === 'json'), { kind: 'json', title: 'Value', value: AVRO_VALUE });
      assert.match(recordDetail(plain, 'glue-schema-registry', s.decodeOptions).error ?? '', /not a Glue Schema Registry record/);

      // The schema file changes (a field renamed, the record renamed): the record decoded with the old one is decoded again.
      const renamed = { ...AVRO_SCHEMA, name: 'CustomerV2', fields: AVRO_SCHEMA.fields.map((f) => (f.name === 'name' ? { ...f, name: 'fullName' } : f)) };
      writeFileSync(file, JSON.stringify(renamed));
      s.schemasChanged(undefined, file);
      await until('the record decoded again with the changed schema', () => (gsr().json as { schemaName?: string }).schemaName === 'CustomerV2');
      const { name, ...rest } = AVRO_VALUE;
      assert.deepEqual((gsr().json as { value: unknown }).value, { ...rest, fullName: name });
      assert.equal([...s.model.all()].find((r) => r.partitionKey === 'plain'), plain, 'records of no schema are left as they were');
      assert.equal(s.model.heldCount, 3);
      assert.equal(s.model.rows(0, 10).find((r) => r.partitionKey === 'customer')?.cells?.['glue-schema-registry:schema'], 'CustomerV2');

      // An unrelated file changing decodes nothing again (nothing is even queued).
      const before = gsr();
      s.schemasChanged(undefined, join(own, 'other.avsc'));
      assert.equal(gsr(), before);
    } finally {
      s.dispose();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
