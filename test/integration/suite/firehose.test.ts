import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CreateDeliveryStreamCommand, DeleteDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { KinesisDevtoolsTestApi } from '../../../src/vscode/api';
import type { ExplorerNode } from '../../../src/vscode/tree/nodes';
import type { DeliveredObjectNode, DeliveryStreamNode, ObjectsFolderNode } from '../../../src/vscode/tree/firehoseNodes';
import type { ProducerHooks } from '../../../src/vscode/producer';
import { api, hook, localClient, until } from '../helpers';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';

/** The Local connection's delivery stream node, as the tree lists it. */
async function deliveryStreamNode(a: KinesisDevtoolsTestApi, name: string): Promise<DeliveryStreamNode | undefined> {
  const [local] = await a.explorer.getChildren();
  const folder = (await a.explorer.getChildren(local)).find((n) => n.kind === 'deliveryStreams');
  assert.ok(folder, 'the Local connection has a delivery streams folder');
  return (await a.explorer.getChildren(folder)).find((n): n is DeliveryStreamNode => n.kind === 'deliveryStream' && n.streamName === name);
}

async function objectsUnder(a: KinesisDevtoolsTestApi, ds: DeliveryStreamNode, kind: 'delivered' | 'errors'): Promise<{ folder: ObjectsFolderNode; items: ExplorerNode[] }> {
  const folder = (await a.explorer.getChildren(ds)).find((n): n is ObjectsFolderNode => n.kind === 'objects' && n.objectsKind === kind);
  assert.ok(folder, `the delivery stream shows its ${kind} folder`);
  return { folder, items: await a.explorer.getChildren(folder) };
}

describe('Firehose inside VS Code: produce into a local delivery stream, see what it delivered', () => {
  const name = `fh-${Date.now().toString(36)}`;
  const unmapped = `${name}-unmapped`;
  let firehose: FirehoseClient | undefined;

  after(async () => {
    for (const n of [name, unmapped]) await firehose?.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: n })).catch(() => undefined);
  });

  it('produces through the panel into a Direct PUT delivery stream, lists the objects in the tree and opens one decoded', async () => {
    const a = await api();
    const { connection } = await localClient(a);
    firehose = await a.services.clients.firehoseClient(connection);
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: 'DirectPut',
        // Interval 0: each buffer is delivered as soon as the emulator looks at it.
        ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::it-bucket', RoleARN: ROLE, Prefix: 'events/', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 }, CompressionFormat: 'GZIP' },
      }),
    );
    a.explorer.refresh();
    const ds = await until('the delivery stream in the tree', () => deliveryStreamNode(a, name));
    const item = ds.toTreeItem();
    assert.match(String(item.contextValue), /^deliveryStream directPut objects\b/, 'Produce Records and the object folders are offered on it');

    // Produce Records on the tree item opens the panel on the delivery stream.
    const key = await vscode.commands.executeCommand<string>('kinesis.produceRecords', ds);
    const panel = hook<ProducerHooks>(a, 'producer').panels.get(key);
    assert.ok(panel, 'a producer panel is open for the delivery stream');
    assert.equal(panel.targetKind, 'deliveryStream');
    await Promise.race([panel.whenReady(), new Promise((_, rej) => setTimeout(() => rej(new Error('the webview never posted ready')), 60_000))]);
    const result = await panel.start(
      // The key spec is ignored for a delivery stream; aggregation is turned off rather than refused.
      { type: 'template', template: '{"id": {{counter}}, "page": "{{pick(["/", "/cart"])}}"}', partitionKey: { type: 'field', field: 'nope' } },
      { amount: { type: 'count', count: 300 }, rate: 0, ordered: true, aggregate: true, onInvalid: 'stop' },
    );
    assert.equal(result.status, 'completed', result.error);
    assert.equal(result.sent, 300);
    assert.equal(result.undelivered, 0);
    assert.deepEqual(Object.keys(result.shards), ['delivery stream']);
    panel.dispose();

    // The tree lists what was delivered (refresh until every record is in an object).
    const delivered = await until('all 300 records delivered', async () => {
      await vscode.commands.executeCommand('kinesis.refresh', ds);
      const { items } = await objectsUnder(a, ds, 'delivered');
      const objects = items.filter((n): n is DeliveredObjectNode => n.kind === 'object');
      return objects.reduce((n, o) => n + o.object.records, 0) === 300 && objects;
    });
    const newest = delivered[0];
    assert.ok(delivered.every((o, i) => i === 0 || o.object.at <= delivered[i - 1].object.at), 'newest first');
    const objItem = newest.toTreeItem();
    assert.match(String(objItem.label), /\.gz$/);
    assert.match(String(objItem.description), /record.* UTC$/);
    assert.equal(objItem.command?.command, 'kinesis.openDeliveredObject');
    const errors = await objectsUnder(a, ds, 'errors');
    assert.deepEqual(errors.items.map((n) => n.kind), ['message'], 'no error output: one line says so');

    // Opening it shows the records decoded, as JSON.
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('kinesis.openDeliveredObject', newest);
    assert.ok(doc);
    assert.equal(doc.uri.scheme, 'kinesis-object');
    assert.equal(doc.languageId, 'jsonc');
    const records = JSON.parse(doc.getText().replace(/^\/\/.*\n/gm, '')) as { id: number; page: string }[];
    assert.equal(records.length, newest.object.records);
    assert.ok(records.every((r) => Number.isInteger(r.id) && (r.page === '/' || r.page === '/cart')));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('shows an unmapped Lambda on the delivery stream item as a failure', async () => {
    const a = await api();
    await firehose!.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: unmapped,
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::it-unmapped',
          RoleARN: ROLE,
          ErrorOutputPrefix: 'errors/',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: 'arn:aws:lambda:us-east-1:000000000000:function:nobody-mapped-this' }] }] },
        },
      }),
    );
    await firehose!.send(new PutRecordBatchCommand({ DeliveryStreamName: unmapped, Records: [{ Data: Buffer.from('{"a":1}') }] }));
    const node = await until('the failure on the item', async () => {
      a.explorer.refresh();
      const n = await deliveryStreamNode(a, unmapped);
      return n?.stream.failure && n;
    });
    const item = node.toTreeItem();
    assert.match(String(item.description), /^failing: /);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match((item.tooltip as vscode.MarkdownString).value.replace(/\\/g, ''), /The Lambda processor nobody-mapped-this has no handler/);
    assert.match(String(item.contextValue), /\bfailing\b/);
  });
});
