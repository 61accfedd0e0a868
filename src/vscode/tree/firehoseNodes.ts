/** Tree nodes of a delivery stream (Firehose): the stream, its delivered objects and error output. */
import * as vscode from 'vscode';
import type { Connection } from '../../core/aws/connection';
import { DeliveryStreamSummary } from '../../core/firehose/deliveryStreamService';
import { deliveredObjectLine, ObjectsKind } from '../../core/firehose/deliveredObjectsLoader';
import { isCompressedObjectKey } from '../../core/local/compression';
import type { ListedObject } from '../../core/local/firehoseEmulator';
import { escapeMd, TreeNode } from './treeNode';

export class DeliveryStreamNode extends TreeNode {
  readonly kind = 'deliveryStream';
  /** The bucket's folder on disk, once listing its objects told it (Reveal Delivery Folder). */
  folder?: string;
  constructor(readonly connection: Connection, public stream: DeliveryStreamSummary) {
    super();
  }
  get streamName(): string {
    return this.stream.name;
  }
  /** Its objects can be listed: the Local connection's built-in Firehose. */
  get hasObjects(): boolean {
    return this.connection.kind === 'local';
  }
  toTreeItem(): vscode.TreeItem {
    const s = this.stream;
    const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `ds|${this.connection.id}|${s.name}`;
    item.contextValue = ['deliveryStream', s.type === 'DirectPut' ? 'directPut' : 'kinesisSource', this.hasObjects ? 'objects' : '', this.folder ? 'folder' : '', s.failure ? 'failing' : '']
      .filter(Boolean)
      .join(' ');
    const busy = s.status && s.status !== 'ACTIVE';
    item.iconPath = s.failure
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : new vscode.ThemeIcon(busy ? 'sync~spin' : 'inbox');
    const source = s.type === 'DirectPut' ? 'Direct PUT' : s.sourceStreamArn ? `from ${s.sourceStreamArn.split('/').pop()}` : s.type ?? '';
    const dest = s.destinations.map((d) => d.kind).join(', ');
    item.description = [s.failure ? `failing: ${failureSummary(s.failure.details || s.failure.type)}` : '', busy ? s.status!.toLowerCase() : '', source, dest ? `→ ${dest}` : '']
      .filter(Boolean)
      .join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMd(s.name)}** (${s.status ?? '…'})\n\n`);
    if (s.failure) md.appendMarkdown(`**Failing** (${escapeMd(s.failure.type)}): ${escapeMd(s.failure.details)}\n\n`);
    md.appendMarkdown(`Source: ${source}\n\n`);
    if (s.processing?.enabled) md.appendMarkdown(`Processing: ${s.processing.processors.map((p) => p.type).join(', ')}\n\n`);
    for (const d of s.destinations) md.appendMarkdown(`Destination: ${d.kind} \`${d.target}\`\n\n`);
    if (this.folder) md.appendMarkdown(`Folder: \`${this.folder.replace(/`/g, '')}\`\n\n`);
    if (s.arn) md.appendMarkdown(`\`${s.arn}\``);
    item.tooltip = md;
    return item;
  }
}

/** The first sentence of a failure, short enough for a description. */
function failureSummary(details: string): string {
  const first = details.split(/(?<=[.:])\s/)[0] ?? details;
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

const OBJECT_FOLDERS: Record<ObjectsKind, { label: string; icon: string; context: string }> = {
  delivered: { label: 'Delivered objects', icon: 'archive', context: 'deliveredObjects' },
  errors: { label: 'Error output', icon: 'warning', context: 'errorObjects' },
};

/** A local delivery stream's delivered objects or its error output, newest first, paged. */
export class ObjectsFolderNode extends TreeNode {
  readonly kind = 'objects';
  constructor(readonly stream: DeliveryStreamNode, readonly objectsKind: ObjectsKind) {
    super();
  }
  get connection(): Connection {
    return this.stream.connection;
  }
  get streamName(): string {
    return this.stream.streamName;
  }
  get key(): string {
    return `${this.connection.id}|${this.streamName}|${this.objectsKind}`;
  }
  toTreeItem(): vscode.TreeItem {
    const f = OBJECT_FOLDERS[this.objectsKind];
    const item = new vscode.TreeItem(f.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `objects|${this.key}`;
    item.iconPath = new vscode.ThemeIcon(f.icon);
    item.contextValue = f.context;
    return item;
  }
}

/** One object a delivery stream wrote: opening it shows it decoded in a read-only tab. */
export class DeliveredObjectNode extends TreeNode {
  readonly kind = 'object';
  constructor(readonly folder: ObjectsFolderNode, readonly object: ListedObject) {
    super();
  }
  get connection(): Connection {
    return this.folder.connection;
  }
  get streamName(): string {
    return this.folder.streamName;
  }
  toTreeItem(): vscode.TreeItem {
    const line = deliveredObjectLine(this.object);
    const item = new vscode.TreeItem(line.label, vscode.TreeItemCollapsibleState.None);
    item.id = `object|${this.folder.key}|${this.object.key}`;
    item.description = line.description;
    item.tooltip = line.tooltip;
    item.accessibilityInformation = { label: `${line.label}, ${line.description}` };
    item.iconPath = new vscode.ThemeIcon(this.object.kind === 'error' ? 'file-code' : 'file-zip');
    if (!isCompressedObjectKey(this.object.key)) item.iconPath = new vscode.ThemeIcon(this.object.kind === 'error' ? 'file-code' : 'file');
    item.contextValue = `deliveredObject ${this.object.kind}`;
    item.command = { command: 'kinesis.openDeliveredObject', title: 'Open Delivered Object', arguments: [this] };
    return item;
  }
}
