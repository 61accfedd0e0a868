import type * as vscode from 'vscode';
import type { ClientFactory } from '../core/aws/clientFactory';
import type { Connection } from '../core/aws/connection';
import type { LocalEndpointManager } from '../core/local/localEndpointManager';
import type { ConnectionStore } from './connectionStore';
import type { Logger } from './log';

/** A stream (or one shard of it) on a connection: what stream commands act on. */
export interface StreamRef {
  connection: Connection;
  streamName: string;
  shardId?: string;
  /** A Firehose delivery stream rather than a data stream (only where a command asked for one). */
  deliveryStream?: boolean;
}

/**
 * What every feature gets from activation: built once in extension.ts, handed to each
 * feature's register function. Nothing here touches the network until used.
 */
export interface ExtensionServices {
  context: vscode.ExtensionContext;
  clients: ClientFactory;
  local: LocalEndpointManager;
  connections: ConnectionStore;
  log: Logger;
  /** Registers a command through the one wrapper that logs and shows errors for people. */
  registerCommand(id: string, run: (...args: any[]) => unknown): void;
  /**
   * The stream a command acts on: from the tree node it was invoked on, else a quick pick. With
   * `deliveryStreams`, the pick also offers the connection's Direct PUT delivery streams, and a
   * delivery stream node is taken as one.
   */
  resolveStream(arg: unknown, opts?: { deliveryStreams?: boolean }): Promise<StreamRef | undefined>;
}
