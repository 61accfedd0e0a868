import * as vscode from 'vscode';
import { Connection } from '../core/aws/connection';
import { StreamService } from '../core/kinesis/streamService';
import { ExtensionServices, StreamRef } from './services';

/**
 * The stream a command acts on: taken from the tree node (stream or shard) or an explicit
 * StreamRef; from the palette, a quick pick of connection then stream.
 */
export async function resolveStream(services: ExtensionServices, arg: unknown): Promise<StreamRef | undefined> {
  const a = arg as { connection?: Connection; streamName?: string; stream?: { name: string }; shard?: { shardId: string } } | undefined;
  if (a?.connection && (a.streamName || a.stream?.name)) {
    return { connection: a.connection, streamName: a.streamName ?? a.stream!.name, shardId: a.shard?.shardId };
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
  qp.title = 'Choose a data stream';
  qp.busy = true;
  qp.placeholder = 'Loading streams…';
  qp.show();
  try {
    const svc = new StreamService(await services.clients.kinesisClient(conn));
    const streams = await svc.listAllStreams();
    qp.items = streams.map((s) => ({ label: s.name, description: s.mode === 'ON_DEMAND' ? 'on-demand' : undefined }));
    qp.placeholder = streams.length ? 'Stream name' : 'No streams on this connection';
    qp.busy = false;
    const picked = await new Promise<string | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]?.label));
      qp.onDidHide(() => resolve(undefined));
    });
    return picked ? { connection: conn, streamName: picked } : undefined;
  } finally {
    qp.dispose();
  }
}
