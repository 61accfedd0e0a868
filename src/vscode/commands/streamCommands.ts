import * as vscode from 'vscode';
import { capabilitiesOf, Connection } from '../../core/aws/connection';
import { UserError } from '../../core/aws/errors';
import { midpoint } from '../../core/kinesis/hashKeys';
import { ShardInfo, sortShards } from '../../core/kinesis/model';
import { StreamService } from '../../core/kinesis/streamService';
import {
  retentionProblem,
  shardCountProblem,
  splitKeyProblem,
  streamNameProblem,
  tagProblem,
  targetShardCountProblem,
  mergeProblem,
} from '../../core/kinesis/validation';
import { toAbortSignal } from '../dispose';
import { ExtensionServices, StreamRef } from '../services';
import { ExplorerProvider } from '../tree/explorerProvider';
import { DataStreamsNode, ShardNode } from '../tree/nodes';

/**
 * Stream and shard commands. Each accepts the tree node it was invoked on (or nothing, from the
 * palette) and an optional options object so that tests and other commands can run it without
 * prompts. Each runs under a progress notification and refreshes what it changed.
 */
export function registerStreamCommands(services: ExtensionServices, explorer: ExplorerProvider): void {
  const svc = async (c: Connection) => new StreamService(await services.clients.kinesisClient(c));

  const withProgress = <T>(title: string, task: (signal: AbortSignal | undefined) => Promise<T>) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) =>
      task(toAbortSignal(token)),
    );

  services.registerCommand('kinesis.createStream', async (arg?: unknown, opts?: { name?: string; shardCount?: number; onDemand?: boolean }) => {
    const connection = await connectionOf(services, arg);
    if (!connection) return;
    const caps = capabilitiesOf(connection);
    const name =
      opts?.name ??
      (await vscode.window.showInputBox({
        title: 'Create data stream',
        prompt: `Name of the new stream on ${connection.kind === 'local' ? 'Local' : connection.id}`,
        placeHolder: 'clickstream-events',
        validateInput: (v) => streamNameProblem(v.trim()),
        ignoreFocusOut: true,
      }))?.trim();
    if (!name) return;
    let onDemand = opts?.onDemand ?? false;
    if (!opts && caps.onDemand) {
      const mode = await vscode.window.showQuickPick(
        [
          { label: '$(dashboard) Provisioned', description: 'a fixed number of shards', value: false },
          { label: '$(zap) On-demand', description: 'capacity follows the traffic', value: true },
        ],
        { title: `Capacity mode of ${name}` },
      );
      if (!mode) return;
      onDemand = mode.value;
    }
    let shardCount = opts?.shardCount;
    if (!onDemand && shardCount === undefined) {
      const text = await vscode.window.showInputBox({
        title: `Shards for ${name}`,
        prompt: 'Each shard takes 1 MiB/s or 1,000 records/s in and 2 MiB/s out.',
        value: '1',
        validateInput: (v) => shardCountProblem(v),
      });
      if (!text) return;
      shardCount = Number(text);
    }
    await withProgress(`Creating stream ${name}…`, async (signal) => {
      const s = await svc(connection);
      await s.create(name, onDemand ? { onDemand: true } : { shardCount: shardCount! }, { abortSignal: signal });
      await s.waitFor(name, 'ACTIVE', { abortSignal: signal });
    });
    services.log.info(`Created stream ${name} on ${connection.id}`);
    explorer.refresh(connection.id);
    // Shows the new stream selected in the tree (when the view is open).
    void explorer.revealStream(connection.id, name).catch(() => undefined);
    vscode.window.setStatusBarMessage(`$(check) Stream ${name} created`, 4000);
    return name;
  });

  services.registerCommand('kinesis.deleteStream', async (arg?: unknown, opts?: { confirm?: boolean }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    if (!opts?.confirm) {
      const choice = await vscode.window.showWarningMessage(
        `Delete stream "${ref.streamName}"?`,
        { modal: true, detail: 'All its records and consumers are deleted. This cannot be undone.' },
        `Delete ${ref.streamName}`,
      );
      if (choice !== `Delete ${ref.streamName}`) return;
    }
    await withProgress(`Deleting stream ${ref.streamName}…`, async (signal) => {
      const s = await svc(ref.connection);
      await s.delete(ref.streamName, { abortSignal: signal });
      await s.waitFor(ref.streamName, 'DELETED', { abortSignal: signal });
    });
    services.log.info(`Deleted stream ${ref.streamName} on ${ref.connection.id}`);
    explorer.refresh(ref.connection.id);
    return true;
  });

  services.registerCommand('kinesis.updateShardCount', async (arg?: unknown, opts?: { target?: number }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    if (!capabilitiesOf(ref.connection).updateShardCount) {
      throw new UserError('The built-in local endpoint cannot update the shard count.', 'Split or merge shards instead, or use another endpoint.');
    }
    const s = await svc(ref.connection);
    const current = (await s.describe(ref.streamName)).openShardCount ?? 1;
    const target =
      opts?.target ??
      Number(
        await vscode.window.showInputBox({
          title: `Shard count of ${ref.streamName}`,
          prompt: `Now ${current} open shards. One update can at most double or halve it.`,
          value: String(current * 2),
          validateInput: (v) => targetShardCountProblem(v, current),
        }),
      );
    if (!target) return;
    await withProgress(`Resharding ${ref.streamName} to ${target} shards…`, async (signal) => {
      await s.updateShardCount(ref.streamName, target, { abortSignal: signal });
      await s.waitFor(ref.streamName, 'ACTIVE', { abortSignal: signal });
    });
    explorer.refresh(ref.connection.id);
  });

  services.registerCommand('kinesis.splitShard', async (arg?: unknown, opts?: { shardId?: string; newStartingHashKey?: string }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    const s = await svc(ref.connection);
    const shards = await s.listShards(ref.streamName);
    const shard = await pickShard(shards.filter((x) => !x.closed), opts?.shardId ?? ref.shardId, `Shard of ${ref.streamName} to split`);
    if (!shard) return;
    const key =
      opts?.newStartingHashKey ??
      (await vscode.window.showInputBox({
        title: `Split ${shard.shardId}`,
        prompt: `New starting hash key, above ${shard.startingHashKey} and at most ${shard.endingHashKey}. The default splits the range in half.`,
        value: midpoint(shard.startingHashKey, shard.endingHashKey),
        validateInput: (v) => splitKeyProblem(v, shard),
      }));
    if (!key) return;
    await withProgress(`Splitting ${shard.shardId}…`, async (signal) => {
      await s.splitShard(ref.streamName, shard, key, { abortSignal: signal });
      await s.waitFor(ref.streamName, 'ACTIVE', { abortSignal: signal });
    });
    explorer.refresh(ref.connection.id);
  });

  services.registerCommand('kinesis.mergeShards', async (arg?: unknown, opts?: { shardIds?: [string, string] }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    const s = await svc(ref.connection);
    const open = sortShards((await s.listShards(ref.streamName)).filter((x) => !x.closed));
    let a: ShardInfo | undefined, b: ShardInfo | undefined;
    if (opts?.shardIds) {
      [a, b] = opts.shardIds.map((id) => open.find((x) => x.shardId === id));
      if (!a || !b) throw new UserError(`Both shards must be open shards of ${ref.streamName}.`);
    } else {
      a = await pickShard(open, ref.shardId, `First shard of ${ref.streamName} to merge`);
      if (!a) return;
      const first = a;
      const adjacent = open.filter((x) => !mergeProblem(first, x));
      if (!adjacent.length) throw new UserError(`${a.shardId} has no adjacent open shard to merge with.`);
      b = await pickShard(adjacent, undefined, `Merge ${a.shardId} with`);
      if (!b) return;
    }
    const [x, y] = [a, b];
    await withProgress(`Merging ${x.shardId} and ${y.shardId}…`, async (signal) => {
      await s.mergeShards(ref.streamName, x, y, { abortSignal: signal });
      await s.waitFor(ref.streamName, 'ACTIVE', { abortSignal: signal });
    });
    explorer.refresh(ref.connection.id);
  });

  services.registerCommand('kinesis.changeRetention', async (arg?: unknown, opts?: { hours?: number }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    const s = await svc(ref.connection);
    const current = (await s.describe(ref.streamName)).retentionHours ?? 24;
    const hours =
      opts?.hours ??
      Number(
        await vscode.window.showInputBox({
          title: `Retention of ${ref.streamName}`,
          prompt: `Hours to keep records (24 to 8,760). Now ${current}.`,
          value: String(current),
          validateInput: retentionProblem,
        }),
      );
    if (!hours) return;
    await withProgress(`Setting retention of ${ref.streamName} to ${hours} h…`, async (signal) => {
      await s.setRetention(ref.streamName, current, hours, { abortSignal: signal });
      await s.waitFor(ref.streamName, 'ACTIVE', { abortSignal: signal });
    });
    await explorer.refreshStream(ref.connection.id, ref.streamName);
  });

  services.registerCommand('kinesis.addTag', async (arg?: unknown, opts?: { key?: string; value?: string }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    const key = opts?.key ?? (await vscode.window.showInputBox({ title: `Tag ${ref.streamName}`, prompt: 'Tag key', validateInput: (v) => tagProblem(v) }));
    if (!key) return;
    const value = opts?.value ?? (await vscode.window.showInputBox({ title: `Tag ${ref.streamName}`, prompt: `Value of ${key}`, validateInput: (v) => tagProblem(key, v) }));
    if (value === undefined) return;
    await (await svc(ref.connection)).addTags(ref.streamName, { [key]: value });
    vscode.window.setStatusBarMessage(`$(tag) Tagged ${ref.streamName} with ${key}`, 4000);
  });

  services.registerCommand('kinesis.removeTag', async (arg?: unknown, opts?: { keys?: string[] }) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    const s = await svc(ref.connection);
    let keys = opts?.keys;
    if (!keys) {
      const tags = await s.listTags(ref.streamName);
      if (!Object.keys(tags).length) {
        vscode.window.showInformationMessage(`Stream ${ref.streamName} has no tags.`);
        return;
      }
      const picked = await vscode.window.showQuickPick(
        Object.entries(tags).map(([k, v]) => ({ label: k, description: v })),
        { canPickMany: true, title: `Remove tags from ${ref.streamName}` },
      );
      keys = picked?.map((p) => p.label);
    }
    if (!keys?.length) return;
    await s.removeTags(ref.streamName, keys);
  });

  services.registerCommand('kinesis.copyStreamName', async (arg?: unknown) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    await vscode.env.clipboard.writeText(ref.streamName);
    vscode.window.setStatusBarMessage(`$(copy) Copied ${ref.streamName}`, 3000);
  });

  services.registerCommand('kinesis.copyStreamArn', async (arg?: unknown) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return;
    const arn = (await (await svc(ref.connection)).describe(ref.streamName)).arn;
    if (!arn) throw new UserError(`The endpoint gave no ARN for ${ref.streamName}.`);
    await vscode.env.clipboard.writeText(arn);
    vscode.window.setStatusBarMessage(`$(copy) Copied ${arn}`, 3000);
  });

  services.registerCommand('kinesis.copyShardId', async (arg?: unknown) => {
    if (arg instanceof ShardNode) await vscode.env.clipboard.writeText(arg.shard.shardId);
  });
}

async function connectionOf(services: ExtensionServices, arg: unknown): Promise<Connection | undefined> {
  const c = (arg as { connection?: Connection } | undefined)?.connection;
  if (c) return c;
  if (arg instanceof DataStreamsNode) return arg.connection;
  const all = await services.connections.list();
  const pick = await vscode.window.showQuickPick(
    all.map((x) => ({ label: x.kind === 'local' ? 'Local' : x.kind === 'profile' ? x.profile : x.name, description: x.kind === 'profile' ? x.region : x.kind === 'endpoint' ? x.endpoint : 'built-in', connection: x })),
    { title: 'Connection' },
  );
  return pick?.connection;
}

async function pickShard(shards: ShardInfo[], preselected: string | undefined, title: string): Promise<ShardInfo | undefined> {
  if (preselected) {
    const s = shards.find((x) => x.shardId === preselected);
    if (!s) throw new UserError(`${preselected} is not an open shard.`, 'Refresh the view: it may have been split or merged already.');
    return s;
  }
  if (shards.length === 1) return shards[0];
  const pick = await vscode.window.showQuickPick(
    sortShards(shards).map((s) => ({ label: s.shardId, description: `${s.startingHashKey} … ${s.endingHashKey}`, shard: s })),
    { title },
  );
  return pick?.shard;
}

export type { StreamRef };
