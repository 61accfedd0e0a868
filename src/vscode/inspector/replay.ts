/**
 * Replay from the inspector: which records and where to (quick picks), with which keys, the run
 * with its report, and saving its undelivered records to a file `npm run produce -- --file` and
 * the producer panel send again.
 */
import * as vscode from 'vscode';
import type { Connection } from '../../core/aws/connection';
import { connectionLabel } from '../../core/aws/connection';
import { UserError } from '../../core/aws/errors';
import { StreamService } from '../../core/kinesis/streamService';
import { DeliveryStreamService } from '../../core/firehose/deliveryStreamService';
import { replay, ReplayOptions, ReplayTarget } from '../../core/producer/replay';
import { ProduceResult } from '../../core/producer/engine';
import type { UndeliveredList } from '../../core/producer/undelivered';
import { saveUndeliveredAs } from '../undeliveredFile';
import { nf } from '../../core/format';
import type { DecodedRecord } from '../../core/records/types';
import type { ExtensionServices } from '../services';
import type { InspectorModel } from './model';

/** Where replayed records go: a data stream or a delivery stream on a connection. */
export interface ReplayDestination {
  connection: Connection;
  kind: 'stream' | 'delivery-stream';
  name: string;
}

/** The records to replay: the selected ones or all the filtered ones (asked when there is a selection); undefined: cancelled. */
export async function pickReplayRecords(model: InspectorModel, selectedIds?: string[]): Promise<DecodedRecord[] | undefined> {
  const filtered = model.matchingCount;
  const selected = (selectedIds ?? []).map((id) => model.get(id)).filter((r): r is DecodedRecord => !!r);
  if (!filtered && !selected.length) throw new UserError('No records to replay: nothing is held or nothing matches the filter.');
  if (!selected.length) return [...model.filtered()];
  const which = await vscode.window.showQuickPick(
    [
      { label: `The selected record${selected.length > 1 ? 's' : ''}`, description: `${selected.length}`, all: false },
      { label: 'The filtered records', description: filtered.toLocaleString('en-US'), all: true },
    ],
    { title: 'Replay which records?' },
  );
  if (!which) return undefined;
  return which.all ? [...model.filtered()] : selected;
}

export async function pickDestination(services: ExtensionServices): Promise<ReplayDestination | undefined> {
  const connections = await services.connections.list();
  const conn =
    connections.length === 1
      ? connections[0]
      : (await vscode.window.showQuickPick(connections.map((c) => ({ label: connectionLabel(c), c })), { title: 'Replay to which connection?' }))?.c;
  if (!conn) return undefined;
  const kind = (
    await vscode.window.showQuickPick(
      [
        { label: '$(database) A data stream', target: 'stream' as const },
        { label: '$(cloud-upload) A delivery stream (Firehose, Direct PUT)', target: 'delivery-stream' as const },
      ],
      { title: `Replay to what on ${connectionLabel(conn)}?` },
    )
  )?.target;
  if (!kind) return undefined;
  const names =
    kind === 'stream'
      ? (await new StreamService(await services.clients.kinesisClient(conn)).listAllStreams()).map((s) => s.name)
      : await deliveryStreamNames(services, conn);
  if (!names.length) throw new UserError(`There is no ${kind === 'stream' ? 'data stream' : 'delivery stream'} on ${connectionLabel(conn)} to replay to: create one first.`);
  const name = await vscode.window.showQuickPick(names, { title: `Replay to which ${kind === 'stream' ? 'data stream' : 'delivery stream'}?` });
  return name ? { connection: conn, kind, name } : undefined;
}

async function deliveryStreamNames(services: ExtensionServices, conn: Connection): Promise<string[]> {
  const svc = new DeliveryStreamService(await services.clients.firehoseClient(conn));
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await svc.listPage(cursor);
    names.push(...page.names);
    cursor = page.next;
  } while (cursor && names.length < 10_000);
  return names;
}

/** Keep the records' partition keys or spread them at random (asked for data streams only); undefined: cancelled. */
export async function pickPartitionKey(dest: ReplayDestination): Promise<ReplayOptions['partitionKey'] | undefined> {
  if (dest.kind !== 'stream') return 'keep';
  const key = await vscode.window.showQuickPick(
    [
      { label: 'Keep their partition keys', description: 'and explicit hash keys', key: 'keep' as const },
      { label: 'Random partition keys', description: 'spread over the shards', key: 'random' as const },
    ],
    { title: `Partition keys of the records sent to ${dest.name}` },
  );
  if (!key) return undefined;
  return key.key === 'keep' ? 'keep' : { type: 'random' };
}

/**
 * Sends the records through the core replay with a progress notification (Cancel stops it).
 * Resolves to the engine's result and its report: sent, undelivered and refused add up to what
 * was asked. The caller owns `result.undeliveredRecords` (to save, then dispose).
 */
export async function replayWithProgress(
  services: ExtensionServices,
  records: DecodedRecord[],
  dest: ReplayDestination,
  partitionKey: ReplayOptions['partitionKey'] = 'keep',
  retry?: ReplayOptions['retry'],
): Promise<{ result: ProduceResult; report: string; clean: boolean }> {
  const target: ReplayTarget =
    dest.kind === 'stream'
      ? { client: await services.clients.kinesisClient(dest.connection), streamName: dest.name }
      : { firehose: await services.clients.firehoseClient(dest.connection), deliveryStreamName: dest.name };
  const where = `${dest.name} (${connectionLabel(dest.connection)})`;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Replaying to ${where}`, cancellable: true },
    async (progress, token) => {
      const ctrl = new AbortController();
      const sub = token.onCancellationRequested(() => ctrl.abort());
      let last = 0;
      try {
        return await replay(records, {
          target,
          partitionKey,
          retry,
          signal: ctrl.signal,
          onProgress: (p) => {
            const total = p.expectedTotal || records.length;
            const done = p.sent + p.undelivered + p.rejected;
            progress.report({ increment: ((done - last) / total) * 100, message: `${p.sent.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} sent` });
            last = done;
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  const report = replayReport(result, where);
  const clean = result.status === 'completed' && !result.undelivered && !result.rejected;
  return { result, report, clean };
}

/** The report as a notification; with undelivered records it offers to save them. */
export function showReplayReport(report: string, clean: boolean, undelivered: number, save: () => Promise<unknown>): void {
  if (clean) {
    void vscode.window.showInformationMessage(report);
    return;
  }
  if (!undelivered) {
    void vscode.window.showWarningMessage(report);
    return;
  }
  void vscode.window.showWarningMessage(report, 'Save…').then((choice) => {
    if (choice) void save().catch((e: Error) => void vscode.window.showErrorMessage(`Could not save the undelivered records: ${e.message}`));
  });
}

/** Asks where, then writes a replay's undelivered records there (JSON Lines, the producer's format); undefined: cancelled. */
export async function saveReplayUndelivered(list: UndeliveredList, targetName: string): Promise<{ path: string; written: number } | undefined> {
  const saved = await saveUndeliveredAs(list, `undelivered-replay-${targetName}`);
  if (saved) void vscode.window.showInformationMessage(`Saved ${nf.format(saved.written)} undelivered records to ${saved.path}. Send them again with the producer (File, format "Undelivered records") or npm run produce -- --file.`);
  return saved;
}

/** The nothing-lost report of a replay: every record sent, undelivered or refused, with what to do. */
export function replayReport(r: ProduceResult, where: string): string {
  const total = r.expectedTotal ?? r.sent + r.undelivered + r.rejected;
  const n = (x: number) => x.toLocaleString('en-US');
  const head = r.status === 'stopped' ? `Replay to ${where} stopped` : r.status === 'failed' ? `Replay to ${where} failed${r.error ? ` (${r.error})` : ''}` : `Replayed to ${where}`;
  const parts = [`${n(r.sent)} of ${n(total)} records sent`];
  if (r.undelivered) parts.push(`${n(r.undelivered)} undelivered (throttled or refused by the target: save them to send them again)`);
  if (r.rejected) parts.push(`${n(r.rejected)} refused (${r.problems[0]?.message ?? 'invalid'})`);
  const unaccounted = total - r.sent - r.undelivered - r.rejected;
  if (unaccounted > 0) parts.push(`${n(unaccounted)} not sent (stopped before them)`);
  return `${head}: ${parts.join(', ')}.`;
}
