import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DeleteStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { TransformNotebookHooks } from '../../../src/vscode/notebook';
import type { TransformOutputMetadata } from '../../../src/vscode/notebook/kernel';
import { EXTENSION_ID, api, createStream, hook, localClient, until } from '../helpers';

const CONTROLLER_ID = 'kinesis-transform-kernel';


const meta = (cell: vscode.NotebookCell, kind: TransformOutputMetadata['kind']) => cell.outputs.find((o) => (o.metadata as TransformOutputMetadata | undefined)?.kind === kind)?.metadata as TransformOutputMetadata | undefined;
const html = (cell: vscode.NotebookCell) =>
  cell.outputs
    .flatMap((o) => o.items)
    .filter((i) => i.mime === 'text/html')
    .map((i) => new TextDecoder().decode(i.data))
    .join('');

const HANDLER = `import { keysOf } from './lib/keys';
export const handler = async (event: { records: { recordId: string; data: string }[] }) => ({
  records: event.records.map((r) => {
    const order = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
    console.log('order', order.orderId);
    return {
      recordId: r.recordId,
      result: order.status === 'refunded' ? 'OK' : 'Ok',
      data: Buffer.from(JSON.stringify(order) + '\\n').toString('base64'),
      metadata: { partitionKeys: keysOf(order) },
    };
  }),
});
`;

describe('Transform notebook inside VS Code', () => {
  const name = `tnb-${Date.now().toString(36)}`;
  let client: KinesisClient | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-notebook-it-'));

  after(async () => {
    await client?.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
  });

  it('opens a notebook, runs its cells through the controller and shows records, delivery, violations and console output', async () => {
    const a = await api();
    const local = await localClient(a);
    client = local.client;
    await createStream(client, name, 2);
    const statuses = ['paid', 'paid', 'cancelled', 'refunded', 'paid', 'new'];
    await client.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: Array.from({ length: 30 }, (_, i) => ({ PartitionKey: `c-${i % 3}`, Data: Buffer.from(JSON.stringify({ orderId: `o-${i}`, customer: `c-${i % 3}`, status: statuses[i % statuses.length] })) })),
      }),
    );

    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    writeFileSync(join(dir, 'src/lib/keys.ts'), 'export function keysOf(o: { customer: string }): Record<string, string> {\n  return { customer: o.customer };\n}\n');
    writeFileSync(join(dir, 'src/transform.ts'), HANDLER);
    const file = join(dir, 'orders.kinesis-notebook');
    writeFileSync(
      file,
      JSON.stringify({
        cells: [
          { kind: 'markdown', language: 'markdown', source: ['# Orders'] },
          { kind: 'code', language: 'json', source: JSON.stringify({ sample: { connection: 'local', stream: name, from: 'TRIM_HORIZON', count: 500, store: true } }, null, 2).split('\n') },
          {
            kind: 'code',
            language: 'typescript',
            source: ['export const handler = async (event: { records: { recordId: string; data: string }[] }) => ({', "  records: event.records.map((r) => ({ recordId: r.recordId, result: 'Dropped', data: r.data })),", '});'],
          },
          { kind: 'code', language: 'json', source: [JSON.stringify({ handler: './src/transform.ts#handler', prefix: 'orders/!{partitionKeyFromLambda:customer}/' })] },
        ],
      }),
    );

    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    assert.equal(doc.notebookType, 'kinesis-transform-notebook');
    assert.equal(doc.cellCount, 4);
    const editor = await vscode.window.showNotebookDocument(doc);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: CONTROLLER_ID, extension: EXTENSION_ID });
    const kernel = hook<TransformNotebookHooks>(a, 'transformNotebook').kernel;
    await kernel.execute(doc.getCells(), doc);

    const [, sampleCell, inlineCell, fileCell] = doc.getCells();
    assert.equal(meta(sampleCell, 'sample')?.records, 30);
    await until('the sample cell to succeed', () => sampleCell.executionSummary?.success === true);
    assert.match(html(sampleCell), /30 records from stream/);

    assert.deepEqual(meta(inlineCell, 'records')?.counts, { Dropped: 30 });
    await until('the inline cell to succeed', () => inlineCell.executionSummary?.success === true);

    const records = meta(fileCell, 'records');
    assert.ok(records, html(fileCell));
    assert.equal(records.records, 30);
    assert.equal(records.counts?.Ok, 25);
    assert.equal(records.counts?.OK, 5);
    // The violation points at the refunded orders' records, in sample order.
    const flagged = records.violations!.filter((v) => v.code === 'invalid-result').map((v) => v.recordIndex!);
    assert.equal(flagged.length, 5);
    const sampleText = (i: number) => JSON.parse(Buffer.from((sampleCell.metadata.storedSample as { records: { data: string }[] }).records[i].data, 'base64').toString());
    assert.ok(flagged.every((i) => sampleText(i).status === 'refunded'));
    // The execution summary reaches the extension host a moment after the run.
    await until('the cell execution summary', () => fileCell.executionSummary?.success !== undefined);
    assert.equal(fileCell.executionSummary?.success, false, 'a contract violation fails the cell');
    assert.deepEqual(meta(fileCell, 'delivery')?.objects?.map((k) => k.split('/').slice(0, 2).join('/')).sort(), ['orders/c-0', 'orders/c-1', 'orders/c-2']);
    assert.ok(meta(fileCell, 'violations'));
    const consoleOut = fileCell.outputs.find((o) => o.items.some((i) => i.mime === 'application/vnd.code.notebook.stdout'));
    assert.ok(consoleOut, 'console output is its own output');
    assert.match(new TextDecoder().decode(consoleOut.items[0].data), /order o-0/);
    assert.match(html(fileCell), /customer=c-1/);

    // The sample is stored in the file on save: repeatable offline.
    assert.equal((sampleCell.metadata.storedSample as { records: unknown[] }).records.length, 30);
    // The metadata edit reaches the document's saved model a moment after the extension host sees
    // it (VS Code syncs them apart): save until the file holds it, as a user's next Ctrl+S would.
    const saved = await until('the saved file to hold the sample', async () => {
      await doc.save();
      const text = readFileSync(file, 'utf8');
      return /"storedSample": \{/.test(text) ? text : undefined;
    }, 30_000);
    assert.match(saved, /^\{\n {2}"kind": "kinesis-transform-notebook",/);
    assert.ok(!saved.includes('"outputs"'), 'outputs are not saved');

    // Re-running a transform cell reuses the sample; a handler that loops is stopped and VS Code carries on.
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, [
      vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(2, 3), [
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '// timeout: 1000\nexport const handler = async () => { for (;;) {} };', 'typescript'),
      ]),
    ]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await kernel.execute([doc.cellAt(2)], doc);
    const loop = meta(doc.cellAt(2), 'records');
    assert.deepEqual(loop?.violations?.map((v) => v.code), ['handler-timeout']);
    await until('the loop cell to fail', () => doc.cellAt(2).executionSummary?.success === false);

    // Stop Execution cancels a run: the handler's process is killed long before its timeout.
    const edit2 = new vscode.WorkspaceEdit();
    edit2.set(doc.uri, [
      vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(2, 3), [
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '// timeout: 120000\nexport const handler = async () => { for (;;) {} };', 'typescript'),
      ]),
    ]);
    assert.ok(await vscode.workspace.applyEdit(edit2));
    const started = Date.now();
    const run = kernel.execute([doc.cellAt(2)], doc);
    await new Promise((r) => setTimeout(r, 1500));
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await run;
    assert.ok(Date.now() - started < 60_000, 'cancelled well before the 120 s timeout');
    assert.deepEqual(meta(doc.cellAt(2), 'records')?.violations?.map((v) => v.code), ['cancelled']);
  });

  it('runs the shipped host program with Lambda’s environment: the extension host’s keys stay out, the connection’s come in on request', async () => {
    const a = await api();
    const before = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'extension-host-secret';
    try {
      const logKeys = (extra: string) =>
        [extra, "export const handler = async (event: { records: unknown[] }) => {", "  console.log(`key=${process.env.AWS_ACCESS_KEY_ID ?? 'none'} secret=${process.env.AWS_SECRET_ACCESS_KEY ?? 'none'}`);", '  return { records: [] };', '};'].join('\n');
      const data = new vscode.NotebookData([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, JSON.stringify({ sample: { connection: 'local', stream: name, count: 5 } }), 'json'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, logKeys('// mode: lambda-kinesis'), 'typescript'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, logKeys('// mode: lambda-kinesis\n// credentials: true'), 'typescript'),
      ]);
      const doc = await vscode.workspace.openNotebookDocument('kinesis-transform-notebook', data);
      const editor = await vscode.window.showNotebookDocument(doc);
      await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: CONTROLLER_ID, extension: EXTENSION_ID });
      const kernel = hook<TransformNotebookHooks>(a, 'transformNotebook').kernel;
      await kernel.execute(doc.getCells(), doc);
      const consoleText = (cell: vscode.NotebookCell) =>
        cell.outputs.flatMap((o) => o.items).filter((i) => i.mime === 'application/vnd.code.notebook.stdout').map((i) => new TextDecoder().decode(i.data)).join('') || html(cell);
      assert.match(consoleText(doc.cellAt(1)), /key=none secret=none/);
      assert.match(consoleText(doc.cellAt(2)), /key=local secret=local/, 'the local connection’s keys, asked for with // credentials: true');
    } finally {
      if (before === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = before;
    }
  });

  it('creates a notebook with a starter layout from the command', async () => {
    const a = await api();
    const connection = (await a.services.connections.list()).find((c) => c.kind === 'local')!;
    const doc = await vscode.commands.executeCommand<vscode.NotebookDocument>('kinesis.newTransformNotebook', { connection, streamName: name });
    assert.ok(doc, 'the command returns the notebook');
    assert.equal(doc.notebookType, 'kinesis-transform-notebook');
    const cells = doc.getCells();
    assert.equal(cells[0].kind, vscode.NotebookCellKind.Markup);
    assert.match(cells[1].document.getText(), new RegExp(`"stream": "${name}"`));
    assert.equal(cells[2].document.languageId, 'typescript');
    const editor = vscode.window.activeNotebookEditor;
    assert.ok(editor);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: CONTROLLER_ID, extension: EXTENSION_ID });
    await hook<TransformNotebookHooks>(a, 'transformNotebook').kernel.execute(cells, doc);
    const records = meta(cells[2], 'records');
    assert.equal(records?.counts?.Ok, 30, html(cells[2]));
    assert.deepEqual(records?.violations, []);
  });
});
