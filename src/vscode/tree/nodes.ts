import * as vscode from 'vscode';
import { Connection, capabilitiesOf, connectionLabel } from '../../core/aws/connection';
import { ConsumerInfo, ShardInfo, StreamSummary } from '../../core/kinesis/model';
import { keySpaceShare } from '../../core/kinesis/hashKeys';
import type { DeliveryStreamDetail } from '../../core/firehose/deliveryStreamLoader';
import { DeliveredObjectNode, DeliveryStreamNode, ObjectsFolderNode } from './firehoseNodes';
import { escapeMd, TreeNode } from './treeNode';

/**
 * Tree nodes: plain objects that hold a model and render a TreeItem. `contextValue` strings
 * drive the menus: the first word is the kind, the rest are capability flags.
 */
export type ExplorerNode =
  | ConnectionNode
  | DataStreamsNode
  | FolderNode<'deliveryStreams'>
  | DeliveryStreamNode
  | DetailNode
  | ObjectsFolderNode
  | DeliveredObjectNode
  | StreamNode
  | FolderNode<'shards'>
  | ShardNode
  | FolderNode<'consumers'>
  | ConsumerNode
  | LoadMoreNode
  | MessageNode;


export class ConnectionNode extends TreeNode {
  readonly kind = 'connection';
  constructor(readonly connection: Connection, readonly endpointUrl?: string) {
    super();
  }
  get id(): string {
    return this.connection.id;
  }
  toTreeItem(): vscode.TreeItem {
    const c = this.connection;
    const item = new vscode.TreeItem(connectionLabel(c), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `conn|${c.id}`;
    item.contextValue = `connection ${c.kind}`;
    switch (c.kind) {
      case 'local':
        item.iconPath = new vscode.ThemeIcon('vm');
        item.description = this.endpointUrl ?? 'built-in, starts on expand';
        item.tooltip = new vscode.MarkdownString(
          `**Local** — the built-in Kinesis endpoint (kinesalite, in memory, 127.0.0.1 only).\n\n` +
            (this.endpointUrl ? `Running at \`${this.endpointUrl}\`` : 'Starts when you expand it.'),
        );
        break;
      case 'endpoint':
        item.iconPath = new vscode.ThemeIcon('plug');
        item.description = c.endpoint;
        item.tooltip = new vscode.MarkdownString(`**${c.name}**\n\nEndpoint \`${c.endpoint}\`, region \`${c.region}\``);
        break;
      case 'profile':
        item.iconPath = new vscode.ThemeIcon(c.sso ? 'organization' : 'account');
        item.label = c.profile;
        item.description = c.region + (c.sso ? ' · SSO' : '');
        item.tooltip = new vscode.MarkdownString(`AWS profile **${c.profile}** in \`${c.region}\`${c.sso ? ' (IAM Identity Center)' : ''}`);
        break;
    }
    return item;
  }
}

export class DataStreamsNode extends TreeNode {
  readonly kind = 'dataStreams';
  constructor(readonly connection: Connection, readonly filter?: string) {
    super();
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Data streams', vscode.TreeItemCollapsibleState.Expanded);
    item.id = `streams|${this.connection.id}`;
    item.iconPath = new vscode.ThemeIcon('list-flat');
    item.contextValue = `dataStreams${this.filter ? ' filtered' : ''}`;
    item.description = this.filter ? `filter: ${this.filter}` : undefined;
    return item;
  }
}

export class StreamNode extends TreeNode {
  readonly kind = 'stream';
  constructor(readonly connection: Connection, public stream: StreamSummary) {
    super();
  }
  get streamName(): string {
    return this.stream.name;
  }
  toTreeItem(): vscode.TreeItem {
    const s = this.stream;
    const caps = capabilitiesOf(this.connection);
    const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `stream|${this.connection.id}|${s.name}`;
    const flags = ['stream', caps.updateShardCount ? 'usc' : '', caps.consumers ? 'consumers' : ''].filter(Boolean);
    item.contextValue = flags.join(' ');
    const busy = s.status && s.status !== 'ACTIVE';
    item.iconPath = new vscode.ThemeIcon(busy ? 'sync~spin' : 'pulse', busy ? new vscode.ThemeColor('charts.yellow') : undefined);
    const parts: string[] = [];
    if (busy) parts.push(s.status!.toLowerCase());
    if (s.mode === 'ON_DEMAND') parts.push('on-demand');
    if (s.openShardCount !== undefined) parts.push(`${s.openShardCount} shard${s.openShardCount === 1 ? '' : 's'}`);
    if (s.retentionHours !== undefined) parts.push(formatRetention(s.retentionHours));
    item.description = parts.join(' · ');
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`$(pulse) **${escapeMd(s.name)}**\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n`);
    md.appendMarkdown(`| Status | ${s.status ?? '…'} |\n`);
    md.appendMarkdown(`| Capacity mode | ${s.mode === 'ON_DEMAND' ? 'On-demand' : s.mode ? 'Provisioned' : '…'} |\n`);
    md.appendMarkdown(`| Open shards | ${s.openShardCount ?? '…'} |\n`);
    md.appendMarkdown(`| Retention | ${s.retentionHours !== undefined ? `${s.retentionHours} hours` : '…'} |\n`);
    if (s.consumerCount !== undefined) md.appendMarkdown(`| EFO consumers | ${s.consumerCount} |\n`);
    if (s.encryption) md.appendMarkdown(`| Encryption | ${s.encryption} |\n`);
    if (s.createdAt) md.appendMarkdown(`| Created | ${s.createdAt.toISOString()} |\n`);
    if (s.arn) md.appendMarkdown(`\n\`${s.arn.replace(/`/g, '')}\``);
    item.tooltip = md;
    return item;
  }
}

/** A leaf under a stream (a shard, a consumer): its id is the stream's and its own name. */
abstract class StreamLeafNode extends TreeNode {
  constructor(readonly connection: Connection, readonly streamName: string) {
    super();
  }
  protected leaf(kind: string, name: string, contextValue: string, icon: vscode.ThemeIcon): vscode.TreeItem {
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = `${kind}|${this.connection.id}|${this.streamName}|${name}`;
    item.contextValue = contextValue;
    item.iconPath = icon;
    return item;
  }
}

export class ShardNode extends StreamLeafNode {
  readonly kind = 'shard';
  constructor(connection: Connection, streamName: string, readonly shard: ShardInfo) {
    super(connection, streamName);
  }
  toTreeItem(): vscode.TreeItem {
    const s = this.shard;
    const icon = new vscode.ThemeIcon(s.closed ? 'circle-slash' : 'circle-filled', new vscode.ThemeColor(s.closed ? 'disabledForeground' : 'charts.green'));
    const item = this.leaf('shard', s.shardId, `shard ${s.closed ? 'closed' : 'open'}`, icon);
    const share = `${(keySpaceShare(s.startingHashKey, s.endingHashKey) * 100).toFixed(1)}% of keys`;
    const lineage = s.adjacentParentShardId
      ? `merged from ${short(s.parentShardId)} + ${short(s.adjacentParentShardId)}`
      : s.parentShardId
        ? `split from ${short(s.parentShardId)}`
        : '';
    item.description = [s.closed ? 'closed' : 'open', share, lineage].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${s.shardId}** (${s.closed ? 'closed' : 'open'})\n\n`);
    md.appendMarkdown(`Hash keys: \`${s.startingHashKey}\` … \`${s.endingHashKey}\` (${share})\n\n`);
    md.appendMarkdown(`Starting sequence number: \`${s.startingSequenceNumber}\`\n\n`);
    if (s.endingSequenceNumber) md.appendMarkdown(`Ending sequence number: \`${s.endingSequenceNumber}\`\n\n`);
    if (s.parentShardId) md.appendMarkdown(`Parent: \`${s.parentShardId}\`\n\n`);
    if (s.adjacentParentShardId) md.appendMarkdown(`Adjacent parent: \`${s.adjacentParentShardId}\`\n\n`);
    item.tooltip = md;
    return item;
  }
}

export class ConsumerNode extends StreamLeafNode {
  readonly kind = 'consumer';
  constructor(connection: Connection, streamName: string, readonly consumer: ConsumerInfo) {
    super(connection, streamName);
  }
  toTreeItem(): vscode.TreeItem {
    const c = this.consumer;
    const item = this.leaf('consumer', c.name, 'consumer', new vscode.ThemeIcon('radio-tower'));
    item.description = c.status.toLowerCase();
    item.tooltip = new vscode.MarkdownString(`**${c.name}** (${c.status})\n\n\`${c.arn}\``);
    return item;
  }
}

const FOLDERS = {
  shards: { label: 'Shards', icon: 'split-horizontal', id: (c: Connection, stream: string) => `shards|${c.id}|${stream}` },
  consumers: { label: 'Consumers (enhanced fan-out)', icon: 'broadcast', id: (c: Connection, stream: string) => `consumers|${c.id}|${stream}` },
  deliveryStreams: { label: 'Delivery streams (Firehose)', icon: 'inbox', id: (c: Connection) => `delivery|${c.id}` },
};
export type FolderKind = keyof typeof FOLDERS;

/** A folder that groups children it loads: a stream's shards or consumers, a connection's delivery streams. */
export class FolderNode<K extends FolderKind = FolderKind> extends TreeNode {
  constructor(readonly kind: K, readonly connection: Connection, readonly streamName = '') {
    super();
  }
  toTreeItem(): vscode.TreeItem {
    const f = FOLDERS[this.kind];
    const item = new vscode.TreeItem(f.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = f.id(this.connection, this.streamName);
    item.iconPath = new vscode.ThemeIcon(f.icon);
    item.contextValue = this.kind;
    return item;
  }
}

const DETAIL_ICONS: Record<DeliveryStreamDetail['kind'], string> = {
  'source-direct': 'arrow-right',
  'source-kinesis': 'pulse',
  processing: 'symbol-function',
  'destination-s3': 'archive',
  destination: 'cloud-upload',
};

/** One line of detail under a node (a delivery stream's source, processing, destination). */
export class DetailNode extends TreeNode {
  readonly kind = 'detail';
  constructor(
    readonly key: string,
    readonly label: string,
    readonly description: string,
    readonly icon: string,
    readonly tooltip?: string,
    readonly contextValue = 'detail',
  ) {
    super();
  }
  /** The line for one of a delivery stream's details (the model from the core loader). */
  static of(parentKey: string, d: DeliveryStreamDetail): DetailNode {
    return new DetailNode(`${parentKey}|${d.key}`, d.label, d.description, DETAIL_ICONS[d.kind], d.tooltip);
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = `detail|${this.key}`;
    item.description = this.description;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.tooltip = this.tooltip ?? `${this.label}: ${this.description}`;
    item.contextValue = this.contextValue;
    return item;
  }
}

export class LoadMoreNode extends TreeNode {
  readonly kind = 'loadMore';
  constructor(readonly folder: DataStreamsNode | ObjectsFolderNode, readonly loaded: number) {
    super();
    this.parent = folder;
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = `more|${this.folder instanceof ObjectsFolderNode ? this.folder.key : this.folder.connection.id}|${this.loaded}`;
    item.iconPath = new vscode.ThemeIcon('more');
    item.description = `${this.loaded} loaded`;
    item.contextValue = 'loadMore';
    item.command = { command: 'kinesis.loadMore', title: 'Load More', arguments: [this] };
    return item;
  }
}

/** An informational or error line in the tree, optionally with an action. */
export class MessageNode extends TreeNode {
  readonly kind = 'message';
  constructor(
    readonly key: string,
    readonly text: string,
    readonly severity: 'info' | 'error' | 'warning',
    readonly detail?: string,
    readonly command?: vscode.Command,
  ) {
    super();
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = `msg|${this.key}`;
    item.contextValue = `message ${this.severity}`;
    item.iconPath =
      this.severity === 'error'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
        : this.severity === 'warning'
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
          : new vscode.ThemeIcon('info');
    item.tooltip = this.detail ? `${this.text}\n\n${this.detail}` : this.text;
    if (this.command) item.command = this.command;
    return item;
  }
}

export function formatRetention(hours: number): string {
  return hours % 24 === 0 ? `${hours / 24} d retention` : `${hours} h retention`;
}

function short(shardId?: string): string {
  if (!shardId) return '';
  const m = /^shardId-(\d+)$/.exec(shardId);
  return m ? `#${Number(m[1])}` : shardId;
}
