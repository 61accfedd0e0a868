import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DeleteStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { InspectorHooks } from '../../../src/vscode/inspector';
import type { EndpointConnection } from '../../../src/core/aws/connection';
import { fileSource, guessFormat } from '../../../src/core/producer/fileSource';
import { AVRO_SCHEMA, AVRO_SCHEMA_VERSION_ID, AVRO_VALUE, glueSchemaRegistryRecord } from '../../support/awsSamples';
import { startPutFaultProxy } from '../../support/putFaultProxy';
import { api, createStream, hook, localClient, until } from '../helpers';

/**
 * The record inspector in VS Code: a Glue Schema Registry record decoded with the schema from an
 * .avsc file of the workspace (named for its schema version id, found by the workspace's file
 * watcher when it appears after the record), and a replay whose records are refused by the target
 * saved to a file the producer reads back. The refusals come from the fault proxy in front of the
 * Local endpoint (no real endpoint throttles on demand); the native save dialog is the one part
 * not driven here: the inspector's test hook stands in for it, answering with the file to write.
 */
describe('Record inspector: Avro schemas from the workspace (found, changed); replay undelivered records saved by the command', () => {
  const source = `gsr-src-${Date.now().toString(36)}`;
  const target = `gsr-dst-${Date.now().toString(36)}`;
  let client: KinesisClient | undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  after(async () => {
    for (const s of [source, target]) await client?.send(new DeleteStreamCommand({ StreamName: s })).catch(() => undefined);
    if (folder) rmSync(join(folder, 'schemas'), { recursive: true, force: true });
  });

  it('decodes a Glue Schema Registry record once its <schema-version-id>.avsc is in the workspace; says where to put it until then', async () => {
    assert.ok(folder, 'the tests run with a workspace folder');
    const a = await api();
    const local = await localClient(a);
    client = local.client;
    await createStream(client, source, 1);
    await client.send(new PutRecordsCommand({ StreamName: source, Records: [{ PartitionKey: 'customer-42', Data: glueSchemaRegistryRecord() }, { PartitionKey: 'plain', Data: Buffer.from('{"n":1}') }] }));

    const key = await vscode.commands.executeCommand<string>('kinesis.inspectRecords', { connection: local.connection, streamName: source });
    const panel = hook<InspectorHooks>(a, 'inspector').panels.get(key)!;
    await panel.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
    const gsr = () => [...panel.model.all()].find((r) => r.partitionKey === 'customer-42');
    const missing = await until('the record says its schema is missing', () => (/not found/.test(gsr()?.error ?? '') ? gsr()!.error : undefined), 30_000);
    assert.match(missing, new RegExp(`schema ${AVRO_SCHEMA_VERSION_ID} not found in the workspace or Glue: Glue is asked on AWS connections only \\(this is the Local connection\\); put it at schemas/${AVRO_SCHEMA_VERSION_ID}\\.avsc`));

    mkdirSync(join(folder, 'schemas'), { recursive: true });
    writeFileSync(join(folder, 'schemas', `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(AVRO_SCHEMA, null, 2));
    const decoded = await until('the record decoded again with the workspace schema', () => (gsr()?.format === 'glue-schema-registry' ? gsr() : undefined), 30_000).catch((e: Error) => { throw new Error(`${e.message}: ${gsr()?.error}`); });
    assert.equal(decoded.error, undefined);
    assert.deepEqual(decoded.json, { schemaVersionId: AVRO_SCHEMA_VERSION_ID, schemaName: 'Customer', compression: 'none', value: AVRO_VALUE });
    const row = panel.model.rows(0, 10).find((r) => r.partitionKey === 'customer-42')!;
    assert.equal(row.cells?.['glue-schema-registry:schema'], 'Customer');
    assert.equal(panel.model.heldCount, 2);

    // The schema file changes (a field and the record renamed): the record decoded with the old schema is decoded again.
    const renamed = { ...AVRO_SCHEMA, name: 'CustomerV2', fields: AVRO_SCHEMA.fields.map((f) => (f.name === 'name' ? { ...f, name: 'fullName' } : f)) };
    writeFileSync(join(folder, 'schemas', `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(renamed, null, 2));
    const again = await until('the record decoded again with the changed schema', () => ((gsr()?.json as { schemaName?: string } | undefined)?.schemaName === 'CustomerV2' ? gsr() : undefined), 30_000);
    const { name, ...rest } = AVRO_VALUE;
    assert.deepEqual((again.json as { value: unknown }).value, { ...rest, fullName: name });
    assert.equal(panel.model.rows(0, 10).find((r) => r.partitionKey === 'customer-42')?.cells?.['glue-schema-registry:schema'], 'CustomerV2');
    assert.equal(panel.model.heldCount, 2);
    await panel.stopReader();
    panel.dispose();
  });

  it('keeps the undelivered records of a replay and saves them as the JSON Lines the producer reads back', async () => {
    const a = await api();
    const local = await localClient(a);
    client = local.client;
    await createStream(client, target, 1);
    const proxy = await startPutFaultProxy(await a.services.local.endpoint(), { failEntries: 1 });
    try {
      const key = await vscode.commands.executeCommand<string>('kinesis.inspectRecords', { connection: local.connection, streamName: source });
      const panel = hook<InspectorHooks>(a, 'inspector').panels.get(key)!;
      await panel.start({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });
      await until('both records held', () => panel.model.heldCount === 2, 30_000);
      const records = [...panel.model.filtered()];
      const refusing: EndpointConnection = { kind: 'endpoint', id: 'endpoint:refusing-proxy', name: 'Refusing proxy', endpoint: proxy.endpoint, region: local.connection.region };
      const result = await panel.replayWithProgress(records, { connection: refusing, kind: 'stream', name: target }, 'keep', { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 5 });
      assert.equal(result.sent, 0);
      assert.equal(result.undelivered, 2);
      assert.equal(panel.undeliveredRecords?.count, 2, 'the panel keeps them to save');

      // Saved after the notification is gone: the command (shown while an inspector holds such records) asks where, writes them, and lets them go.
      mkdirSync(join(folder!, 'schemas'), { recursive: true });
      const file = vscode.Uri.file(join(folder!, 'schemas', 'undelivered-replay.jsonl'));
      const hooks = hook<InspectorHooks>(a, 'inspector');
      const realDialog = hooks.saveDialog.show;
      const asked: vscode.SaveDialogOptions[] = [];
      hooks.saveDialog.show = async (o) => (asked.push(o), file);
      try {
        const saved = await vscode.commands.executeCommand<{ path: string; written: number }>('kinesis.saveUndeliveredReplayRecords');
        assert.deepEqual(saved, { path: file.fsPath, written: 2 });
      } finally {
        hooks.saveDialog.show = realDialog;
      }
      assert.equal(asked[0]?.title, 'Save 2 undelivered records');
      assert.equal(panel.undeliveredRecords, undefined, 'saved, they are let go (the file holds them)');
      const lines = readFileSync(file.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { partitionKey: string; data: string; error: string });
      assert.deepEqual(lines.map((l) => l.partitionKey).sort(), ['customer-42', 'plain']);
      assert.deepEqual(Buffer.from(lines.find((l) => l.partitionKey === 'customer-42')!.data, 'base64'), glueSchemaRegistryRecord());
      assert.match(lines[0].error, /ProvisionedThroughputExceededException/);

      // The producer's file reader takes it back as records to send (npm run produce -- --file).
      assert.equal(guessFormat(file.fsPath), 'undelivered');
      const again = [];
      for await (const item of fileSource({ path: file.fsPath, format: 'undelivered' })) again.push(item);
      assert.deepEqual(again.map((i) => ('record' in i ? i.record.partitionKey : 'problem')).sort(), ['customer-42', 'plain']);
      panel.dispose();
    } finally {
      await proxy.close();
      a.services.clients.invalidate('endpoint:refusing-proxy');
    }
  });
});
