import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DeleteStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { TransformNotebookHooks } from '../../../src/vscode/notebook';
import type { TransformOutputMetadata } from '../../../src/vscode/notebook/kernel';
import { EXTENSION_ID, api, createStream, hook, localClient, until } from '../helpers';

const CONTROLLER_ID = 'kinesis-transform-kernel';
const SQL_MIME = 'application/vnd.kinesis.sql+json';
const ERROR_MIME = 'application/vnd.code.notebook.error';

const sqlMeta = (cell: vscode.NotebookCell) => cell.outputs.find((o) => (o.metadata as TransformOutputMetadata | undefined)?.kind === 'sql')?.metadata as TransformOutputMetadata | undefined;
const item = (cell: vscode.NotebookCell, mime: string) => cell.outputs.flatMap((o) => o.items).find((i) => i.mime === mime);
const json = (cell: vscode.NotebookCell) => JSON.parse(new TextDecoder().decode(item(cell, SQL_MIME)!.data)) as { columns: { name: string; type: string }[]; rows: unknown[][]; rowCount: number };
const error = (cell: vscode.NotebookCell) => {
  const i = item(cell, ERROR_MIME);
  return i ? (JSON.parse(new TextDecoder().decode(i.data)) as { name: string; message: string }) : undefined;
};

describe('SQL cells in the transform notebook, through the controller', () => {
  const name = `sqlnb-${Date.now().toString(36)}`;
  let client: KinesisClient | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-sql-it-'));

  after(async () => {
    await client?.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
  });

  it('runs SQL over the sample, the transform output and a stream; checks, errors with positions, and a result as a sample', async () => {
    const a = await api();
    const local = await localClient(a);
    client = local.client;
    await createStream(client, name, 2);
    const cities = ['Tallinn', 'Lisbon', 'Osaka'];
    const t0 = Date.UTC(2026, 10, 28, 10);
    await client.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: Array.from({ length: 30 }, (_, i) => ({
          PartitionKey: `c-${i % 5}`,
          Data: Buffer.from(JSON.stringify({ orderId: `o-${i}`, city: cities[i % 3], total: i, at: new Date(t0 + i * 60_000).toISOString(), ...(i % 10 === 9 ? {} : { userId: `u-${i}` }) })),
        })),
      }),
    );
    const code = (language: string, source: string) => ({ kind: 'code', language, source: source.split('\n') });
    const file = join(dir, 'sql.kinesis-notebook');
    writeFileSync(
      file,
      JSON.stringify({
        cells: [
          code('json', JSON.stringify({ sample: { connection: 'local', stream: name, count: 100 } })),
          code('sql', 'SELECT tumble("at", INTERVAL 10 MINUTE) AS w, city, count(*) AS orders\nFROM records GROUP BY ALL ORDER BY w, city'),
          code('javascript', "exports.handler = async (e) => ({ records: e.records.map((r) => { const o = JSON.parse(Buffer.from(r.data, 'base64')); return { recordId: r.recordId, result: o.total % 2 ? 'Dropped' : 'Ok', data: r.data, metadata: { partitionKeys: { city: o.city } } }; }) });"),
          code('sql', '-- expect: empty\nSELECT * FROM output WHERE violations > 0'),
          code('sql', '-- expect: empty\nSELECT orderId FROM records WHERE userId IS NULL'),
          code('sql', 'SELECT city,\n       count(*)\nFROM records\nWHERE cty = 1'),
          code('sql', `SELECT city, sum(total) AS total FROM stream('${name}', count => 30) GROUP BY city ORDER BY city`),
          code('javascript', "exports.handler = async (e) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) });"),
          code('sql', 'SELECT result, count(*) AS n FROM output GROUP BY result'),
        ],
      }),
    );
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showNotebookDocument(doc);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: CONTROLLER_ID, extension: EXTENSION_ID });
    const kernel = hook<TransformNotebookHooks>(a, 'transformNotebook').kernel;
    await kernel.execute(doc.getCells(), doc);
    const [, perMinute, , check, failing, bad, direct, fedTransform, fedOutput] = doc.getCells();

    // The windowed query over the sample: 3 windows x 3 cities, with a chart of orders per city.
    const m = sqlMeta(perMinute);
    assert.ok(m, JSON.stringify(perMinute.outputs.map((o) => o.items.map((i) => i.mime))));
    assert.equal(m.records, 9);
    assert.deepEqual(m.chart, { x: 'w', y: 'orders', by: 'city', series: m.chart!.series });
    assert.deepEqual([...m.chart!.series].sort(), cities.slice().sort());
    assert.deepEqual(json(perMinute).rows[0], ['2026-11-28 10:00:00', 'Lisbon', 3]);
    await until('the SQL cell to succeed', () => perMinute.executionSummary?.success === true);

    // A check over the transform's output passes; a check over the sample fails the cell, saying why.
    assert.equal(sqlMeta(check)?.records, 0);
    await until('the passing check', () => check.executionSummary?.success === true);
    assert.match(error(failing)!.message, /expected no rows, the query returned 3/);
    await until('the failing check', () => failing.executionSummary?.success === false);

    // An error says where in the query.
    const e = error(bad);
    assert.ok(e, 'an error output');
    assert.match(e.message, /^Line 4, column 7: .*cty/);
    assert.match(e.message, /WHERE cty = 1\n\s+\^/);
    await until('the failing query', () => bad.executionSummary?.success === false);

    // stream(...) reads the stream directly.
    assert.deepEqual(json(direct).rows, [
      ['Lisbon', 145],
      ['Osaka', 155],
      ['Tallinn', 135],
    ]);

    // The SQL result above is the sample of the transform below, and that transform's output is queried.
    assert.deepEqual(json(fedOutput).rows, [['Ok', 3]]);
    assert.equal(fedTransform.executionSummary?.success, true);

    // Copy as Flink SQL: the Kinesis connector's table for the sample's stream, then the query.
    const flink = await vscode.commands.executeCommand<string>('kinesis.copyFlinkSql', perMinute);
    assert.match(flink, new RegExp(`'stream' = '${name}'`));
    assert.match(flink, /`city` STRING,/);
    assert.match(flink, /FROM `[^`]+` GROUP BY ALL/);
    assert.equal(await vscode.env.clipboard.readText(), flink);

    // Infer Table on the sample cell: the Glue columns and DDL.
    const ddl = await vscode.commands.executeCommand<string>('kinesis.inferTable', doc.cellAt(0));
    assert.match(ddl, /"Name": "userid",\n--\s+"Type": "string"/);
    assert.match(ddl, /CREATE EXTERNAL TABLE `[^`]+` \(\n {2}`orderid` string,/);
  });
});
