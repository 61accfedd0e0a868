import * as vscode from 'vscode';
import { Connection } from '../core/aws/connection';
import { UserError } from '../core/aws/errors';
import { StreamService } from '../core/kinesis/streamService';
import { DeliveryStreamService } from '../core/firehose/deliveryStreamService';
import { loadDeliveryStreams } from '../core/firehose/deliveryStreamLoader';
import { ExtensionServices, StreamRef } from './services';

/**
 * The stream a command acts on: taken from the tree node (stream or shard) or an explicit
 * StreamRef; from the palette, a quick pick of connection then stream.
 */
export async function resolveStream(services: ExtensionServices, arg: unknown, opts: { deliveryStreams?: boolean } = {}): Promise<StreamRef | undefined> {
  const a = arg as { kind?: string; connection?: Connection; streamName?: string; stream?: { name: string }; shard?: { shardId: string }; deliveryStream?: boolean } | undefined;
  const isDelivery = a?.kind === 'deliveryStream' || a?.deliveryStream === true;
  if (isDelivery && !opts.deliveryStreams) throw new UserError('This command works on data streams, not on delivery streams.');
  if (a?.connection && (a.streamName || a.stream?.name)) {
    return { connection: a.connection, streamName: a.streamName ?? a.stream!.name, shardId: a.shard?.shardId, ...(isDelivery ? { deliveryStream: true } : {}) };
  }
  const connections = await services.connections.list();
  const conn =
    connections.length === 1
      ? connections[0]
      : (
          await vscode.window.showQuickPick(
            connections.map((c) => ({
              label: c.kind === 'local' ? '$(vm) Local' : c.kind === 'profile' ? `$(account) ${c.profile}` : `$(plug) ${c.name}`,
              description: c.kind === 'profile' ? c.region : c.kind === 'endpoint' ? c.endpoint : 'built-in endpoint',
              c,
            })),
            { title: 'Choose a connection' },
          )
        )?.c;
  if (!conn) return undefined;
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem>();
  qp.title = opts.deliveryStreams ? 'Choose a data stream or a delivery stream' : 'Choose a data stream';
  qp.busy = true;
  qp.placeholder = 'Loading streams…';
  qp.show();
  try {
    const svc = new StreamService(await services.clients.kinesisClient(conn));
    const [streams, delivery] = await Promise.all([svc.listAllStreams(), opts.deliveryStreams ? directPutDeliveryStreams(services, conn) : []]);
    type Item = vscode.QuickPickItem & { name: string; deliveryStream?: boolean };
    const items: Item[] = streams.map((s) => ({ label: s.name, name: s.name, description: s.mode === 'ON_DEMAND' ? 'on-demand' : undefined }));
    items.push(...delivery.map((name) => ({ label: name, name, description: 'delivery stream (Firehose)', deliveryStream: true })));
    qp.items = items;
    qp.placeholder = items.length ? 'Stream name' : 'No streams on this connection';
    qp.busy = false;
    const picked = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0] as Item | undefined));
      qp.onDidHide(() => resolve(undefined));
    });
    return picked ? { connection: conn, streamName: picked.name, ...(picked.deliveryStream ? { deliveryStream: true } : {}) } : undefined;
  } finally {
    qp.dispose();
  }
}

/** The connection's delivery streams that take records directly (a Kinesis-sourced one refuses PutRecordBatch); none when Firehose does not answer. */
async function directPutDeliveryStreams(services: ExtensionServices, conn: Connection): Promise<string[]> {
  try {
    const all = await loadDeliveryStreams(new DeliveryStreamService(await services.clients.firehoseClient(conn)));
    return all.filter((d) => d.type === undefined || d.type === 'DirectPut').map((d) => d.name);
  } catch (e) {
    services.log.warn(`Delivery streams of ${conn.id} not offered: ${(e as Error).message}`);
    return [];
  }
}
