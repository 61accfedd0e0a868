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
  /** The stream a command acts on: from the tree node it was invoked on, else a quick pick. */
  resolveStream(arg: unknown): Promise<StreamRef | undefined>;
}
