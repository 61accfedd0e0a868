import * as vscode from 'vscode';
import { Connection, capabilitiesOf } from '../../core/aws/connection';
import { describeError } from '../../core/aws/errors';
import { StreamService } from '../../core/kinesis/streamService';
import { StreamListLoader } from '../../core/kinesis/streamListLoader';
import { StreamSummary } from '../../core/kinesis/model';
import { loadConsumers, loadShards } from '../../core/kinesis/streamChildrenLoader';
import { DeliveryStreamService, DeliveryStreamSummary } from '../../core/firehose/deliveryStreamService';
import { deliveryStreamDetails, loadDeliveryStreams } from '../../core/firehose/deliveryStreamLoader';
import { DeliveredObjectsLoader } from '../../core/firehose/deliveredObjectsLoader';
import { ExtensionServices } from '../services';
import { settings } from '../settings';
import { ConnectionNode, ConsumerNode, DataStreamsNode, DetailNode, ExplorerNode, FolderNode, LoadMoreNode, MessageNode, ShardNode, StreamNode } from './nodes';
import { DeliveryStreamNode, DeliveredObjectNode, ObjectsFolderNode } from './firehoseNodes';

export const VIEW_ID = 'kinesis.explorer';

/**
 * The Kinesis explorer: connections -> data streams -> shards and consumers.
 * Every load runs under the view's progress indicator; an error becomes a node of the
 * connection it belongs to and never blocks the rest of the tree.
 */
/** Context key: true once the tree has listed a data stream on some connection. */
export const STREAMS_SHOWN_CONTEXT = 'kinesis.streamsShown';

export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaders = new Map<string, StreamListLoader>();
  private readonly filters = new Map<string, string>();
  private readonly streamNodes = new Map<string, StreamNode>();
  private readonly dataStreamNodes = new Map<string, DataStreamsNode>();
  private readonly deliveryStreamNodes = new Map<string, DeliveryStreamNode>();
  private readonly objectLoaders = new Map<string, Promise<DeliveredObjectsLoader>>();
  private connectionNodes: ConnectionNode[] | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private view?: vscode.TreeView<ExplorerNode>;

  constructor(private readonly services: ExtensionServices) {
    this.subs.push(services.connections.onDidChange(() => this.refresh()));
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  /** The node a node was listed under (undefined for a connection): what `reveal()` walks up. */
  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return node.parent;
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    const children = await this.loadChildren(node);
    if (node) for (const c of children) c.parent = node;
    return children;
  }

  /** The view this provider feeds (for reveal). */
  attach(view: vscode.TreeView<ExplorerNode>): void {
    this.view = view;
  }

  /**
   * Finds a data stream's node (loading the path to it) and, when the view is on screen, selects
   * it: commands show what they made. Resolves with the node, or undefined when it is not listed
   * (a filter hides it, the connection is gone).
   */
  async revealStream(connectionId: string, streamName: string): Promise<StreamNode | undefined> {
    const conn = (await this.getChildren()).find((n) => n.kind === 'connection' && n.connection.id === connectionId);
    const folder = conn && (await this.getChildren(conn)).find((n) => n.kind === 'dataStreams');
    const node = folder && (await this.getChildren(folder)).find((n): n is StreamNode => n.kind === 'stream' && n.streamName === streamName);
    if (node && this.view?.visible) await Promise.resolve(this.view.reveal(node, { select: true, focus: false, expand: false })).catch(() => undefined);
    return node;
  }

  private async loadChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) return this.connectionsChildren();
    switch (node.kind) {
      case 'connection':
        return this.guard(node.connection, 'connect', async () => {
          const endpointUrl = node.connection.kind === 'local' ? await this.services.local.endpoint() : undefined;
          if (endpointUrl && node.endpointUrl !== endpointUrl) {
            // The local endpoint just started: show its URL on the connection.
            setTimeout(() => this.refreshConnections(), 0);
          }
          return [this.dataStreamsNode(node.connection), new FolderNode('deliveryStreams', node.connection)];
        });
      case 'deliveryStreams':
        return this.guard(node.connection, 'list delivery streams', async () => {
          const streams = await loadDeliveryStreams(new DeliveryStreamService(await this.services.clients.firehoseClient(node.connection)));
          if (!streams.length) return [new MessageNode(`nodelivery|${node.connection.id}`, 'No delivery streams', 'info')];
          return streams.map((d) => this.deliveryStreamNode(node.connection, d));
        });
      case 'deliveryStream': {
        const key = `${node.connection.id}|${node.stream.name}`;
        const lines: ExplorerNode[] = deliveryStreamDetails(node.stream).map((d) => DetailNode.of(key, d));
        if (!node.hasObjects) return lines;
        // Learn the bucket's folder (Reveal Delivery Folder) from the first page the folder will show anyway.
        void this.objectsLoader(new ObjectsFolderNode(node, 'delivered'))
          .then((l) => l.ensureFirstPage())
          .then((st) => {
            if (st.folder !== node.folder) {
              node.folder = st.folder;
              this.changed.fire(node);
            }
          })
          .catch(() => undefined);
        return [...lines, new ObjectsFolderNode(node, 'delivered'), new ObjectsFolderNode(node, 'errors')];
      }
      case 'objects':
        return this.guard(node.connection, node.objectsKind === 'errors' ? 'list error output' : 'list delivered objects', async () => {
          const loader = await this.objectsLoader(node);
          const state = await this.withViewProgress(() => loader.ensureFirstPage());
          const out: ExplorerNode[] = state.objects.map((o) => new DeliveredObjectNode(node, o));
          if (!out.length) {
            out.push(new MessageNode(`noobjects|${node.key}`, node.objectsKind === 'errors' ? 'No error output' : 'Nothing delivered yet', 'info', 'Objects appear when the buffer fills or its interval passes. Refresh to look again.'));
          }
          if (state.hasMore) out.push(new LoadMoreNode(node, state.objects.length));
          return out;
        }, node.streamName);
      case 'dataStreams':
        return this.streamsChildren(node);
      case 'stream': {
        const children: ExplorerNode[] = [new FolderNode('shards', node.connection, node.streamName)];
        if (capabilitiesOf(node.connection).consumers) children.push(new FolderNode('consumers', node.connection, node.streamName));
        return children;
      }
      case 'shards':
        return this.guard(node.connection, 'list shards', async () => {
          const shards = await loadShards(await this.service(node.connection), node.streamName);
          return shards.map((s) => new ShardNode(node.connection, node.streamName, s));
        }, node.streamName);
      case 'consumers':
        return this.guard(node.connection, 'list consumers', async () => {
          const consumers = await loadConsumers(await this.service(node.connection), node.streamName);
          if (!consumers.length) return [new MessageNode(`noconsumers|${node.streamName}`, 'No enhanced fan-out consumers', 'info')];
          return consumers.map((c) => new ConsumerNode(node.connection, node.streamName, c));
        }, node.streamName);
      default:
        return [];
    }
  }

  /** Loads the next page of streams under a "Load more" node. */
  async loadMore(node: LoadMoreNode): Promise<void> {
    if (node.folder instanceof ObjectsFolderNode) {
      const folder = node.folder;
      const objects = await this.objectLoaders.get(folder.key)?.catch(() => undefined);
      if (!objects) return;
      await this.withViewProgress(() => objects.loadNextPage());
      this.changed.fire(folder);
      return;
    }
    const loader = this.loaders.get(node.folder.connection.id);
    if (!loader) return;
    await this.withViewProgress(() => loader.loadNextPage());
    this.changed.fire(this.dataStreamNodes.get(node.folder.connection.id));
  }

  setFilter(connectionId: string, filter: string | undefined): void {
    if (filter) this.filters.set(connectionId, filter);
    else this.filters.delete(connectionId);
    this.dataStreamNodes.delete(connectionId);
    this.refreshConnection(connectionId);
  }

  filterOf(connectionId: string): string | undefined {
    return this.filters.get(connectionId);
  }

  /** Forgets a delivery stream's object lists and lists them again (both folders: an error object comes with delivered ones). */
  async refreshDeliveryStream(node: ObjectsFolderNode | DeliveryStreamNode): Promise<void> {
    const stream = node instanceof ObjectsFolderNode ? node.stream : node;
    for (const kind of ['delivered', 'errors']) this.objectLoaders.delete(`${stream.connection.id}|${stream.streamName}|${kind}`);
    // Described again: its FailureDescription may have come or gone.
    const svc = new DeliveryStreamService(await this.services.clients.firehoseClient(stream.connection));
    stream.stream = await svc.describe(stream.streamName).catch(() => stream.stream);
    this.changed.fire(stream);
  }

  /** Forgets cached lists and redraws (all, or one connection). */
  refresh(connectionId?: string): void {
    for (const key of [...this.objectLoaders.keys()]) if (!connectionId || key.startsWith(`${connectionId}|`)) this.objectLoaders.delete(key);
    if (connectionId) {
      this.loaders.delete(connectionId);
      this.refreshConnection(connectionId);
    } else {
      this.loaders.clear();
      this.dataStreamNodes.clear();
      this.connectionNodes = undefined;
      this.changed.fire();
    }
  }

  /** Re-reads one stream's details and redraws its node. */
  async refreshStream(connectionId: string, streamName: string): Promise<void> {
    const node = this.streamNodes.get(`${connectionId}|${streamName}`);
    const loader = this.loaders.get(connectionId);
    const d = await loader?.refreshOne(streamName);
    if (node && d) {
      node.stream = d;
      this.changed.fire(node);
    } else {
      this.refresh(connectionId);
    }
  }

  private refreshConnection(connectionId: string): void {
    const node = this.dataStreamNodes.get(connectionId);
    if (node) this.changed.fire(node);
    else this.refreshConnections();
  }

  private refreshConnections(): void {
    this.connectionNodes = undefined;
    this.changed.fire();
  }

  private async connectionsChildren(): Promise<ExplorerNode[]> {
    const connections = await this.services.connections.list();
    const localUrl = await this.services.local.currentEndpoint();
    this.connectionNodes = connections.map((c) => new ConnectionNode(c, c.kind === 'local' ? localUrl : undefined));
    const out: ExplorerNode[] = [...this.connectionNodes];
    const err = this.services.connections.lastProfilesError;
    if (err) out.push(new MessageNode('profiles-error', 'Could not read AWS profiles', 'warning', err));
    return out;
  }

  private dataStreamsNode(connection: Connection): DataStreamsNode {
    let node = this.dataStreamNodes.get(connection.id);
    if (!node) {
      node = new DataStreamsNode(connection, this.filters.get(connection.id));
      this.dataStreamNodes.set(connection.id, node);
    }
    return node;
  }

  private async streamsChildren(node: DataStreamsNode): Promise<ExplorerNode[]> {
    const c = node.connection;
    return this.guard(c, 'list streams', async () => {
      const loader = await this.loader(c);
      const filter = this.filters.get(c.id)?.toLowerCase();
      const state = await this.withViewProgress(() => (filter ? loader.loadAll() : loader.ensureFirstPage()));
      // The palette offers stream commands once there is a stream to act on (package.json's `when`).
      if (state.streams.length) void vscode.commands.executeCommand('setContext', STREAMS_SHOWN_CONTEXT, true);
      let streams = state.streams;
      if (filter) streams = streams.filter((s) => s.name.toLowerCase().includes(filter));
      const nodes: ExplorerNode[] = streams.map((s) => this.streamNode(c, s));
      if (!streams.length) {
        nodes.push(
          filter
            ? new MessageNode(`nomatch|${c.id}`, `No stream matches "${this.filters.get(c.id)}"`, 'info', undefined, {
                command: 'kinesis.clearFilter',
                title: 'Clear Filter',
                arguments: [node],
              })
            : new MessageNode(`nostreams|${c.id}`, 'No data streams yet: create one…', 'info', undefined, {
                command: 'kinesis.createStream',
                title: 'Create Stream',
                arguments: [node],
              }),
        );
      }
      if (state.hasMore && !filter) nodes.push(new LoadMoreNode(node, state.streams.length));
      return nodes;
    });
  }

  private deliveryStreamNode(c: Connection, s: DeliveryStreamSummary): DeliveryStreamNode {
    const key = `${c.id}|${s.name}`;
    let n = this.deliveryStreamNodes.get(key);
    if (n) n.stream = s;
    else {
      n = new DeliveryStreamNode(c, s);
      this.deliveryStreamNodes.set(key, n);
    }
    return n;
  }

  /** The loader of one objects folder, kept until a refresh: "Load more" continues it. */
  private objectsLoader(node: ObjectsFolderNode): Promise<DeliveredObjectsLoader> {
    let l = this.objectLoaders.get(node.key);
    if (!l) {
      const made = this.services.local.endpoint().then((endpoint) => DeliveredObjectsLoader.forEndpoint(endpoint, node.streamName, node.objectsKind, settings.pageSize()));
      made.catch(() => this.objectLoaders.delete(node.key));
      this.objectLoaders.set(node.key, (l = made));
    }
    return l;
  }

  private streamNode(c: Connection, s: StreamSummary): StreamNode {
    const key = `${c.id}|${s.name}`;
    let n = this.streamNodes.get(key);
    if (n) n.stream = { ...n.stream, ...s };
    else {
      n = new StreamNode(c, s);
      this.streamNodes.set(key, n);
    }
    return n;
  }

  private async loader(c: Connection): Promise<StreamListLoader> {
    let l = this.loaders.get(c.id);
    if (!l) {
      l = new StreamListLoader(await this.service(c), {
        pageSize: settings.pageSize(),
        onDetails: (d) => {
          const n = this.streamNodes.get(`${c.id}|${d.name}`);
          if (n) {
            n.stream = d;
            this.changed.fire(n);
          }
        },
      });
      this.loaders.set(c.id, l);
    }
    return l;
  }

  async service(c: Connection): Promise<StreamService> {
    return new StreamService(await this.services.clients.kinesisClient(c));
  }

  /** Runs a load; on failure returns one error node with a plain message and a way out. */
  private async guard(c: Connection, operation: string, load: () => Promise<ExplorerNode[]>, stream?: string): Promise<ExplorerNode[]> {
    try {
      return await load();
    } catch (e) {
      const profile = c.kind === 'profile' ? c.profile : undefined;
      const endpoint = c.kind === 'endpoint' ? c.endpoint : undefined;
      const f = describeError(e, { operation, profile, endpoint, stream });
      this.services.log.error(`${c.id}: ${f.message}`, e);
      const sso = profile && /sso login/.test(f.action ?? '');
      const command: vscode.Command = sso
        ? { command: 'kinesis.ssoLogin', title: 'Sign in', arguments: [profile] }
        : { command: 'kinesis.refresh', title: 'Retry', arguments: [] };
      return [new MessageNode(`err|${c.id}|${operation}|${stream ?? ''}`, f.message, 'error', f.action ? `${f.action}\n\nClick to ${sso ? 'sign in' : 'retry'}.` : 'Click to retry.', command)];
    }
  }

  private withViewProgress<T>(task: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: { viewId: VIEW_ID } }, task));
  }

  dispose(): void {
    this.changed.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
