import * as vscode from 'vscode';
import { ClientFactory } from './core/aws/clientFactory';
import { friendlyMessage, describeError } from './core/aws/errors';
import { LocalEndpointManager } from './core/local/localEndpointManager';
import type { KinesisDevtoolsTestApi } from './vscode/api';
import { registerConnectionCommands } from './vscode/commands/connectionCommands';
import { registerStreamCommands } from './vscode/commands/streamCommands';
import { ConnectionStore } from './vscode/connectionStore';
import { Logger } from './vscode/log';
import { ExtensionServices } from './vscode/services';
import { settings } from './vscode/settings';
import { resolveStream } from './vscode/streamPicker';
import { ExplorerProvider, VIEW_ID } from './vscode/tree/explorerProvider';
import { registerInspector } from './vscode/inspector';
import { registerNotebook } from './vscode/notebook';
import { registerProducer } from './vscode/producer';
import { registerDeliveredObjects } from './vscode/firehose/deliveredObjects';

let local: LocalEndpointManager | undefined;
/** Set by the bundle's first line (scripts/build.mjs); absent when the extension runs unbundled. */
declare const __kinesisLoadStart: number | undefined;
/** This module's body runs after every module it imports: the end of loading extension.js. */
const loadEnd = performance.now();

/** Constructs and registers; no network, nothing slow. */
export function activate(context: vscode.ExtensionContext): KinesisDevtoolsTestApi | undefined {
  const activateStart = performance.now();
  const log = new Logger();
  const connections = new ConnectionStore(context.secrets);
  local = new LocalEndpointManager(
    () => ({
      externalEndpoint: settings.localEndpoint(),
      dataPath: settings.localDataPath(),
      port: settings.localPort(),
      // Handlers are the workspace's code: they run only in a trusted workspace.
      lambdaHandlers: vscode.workspace.isTrusted ? settings.lambdaHandlers() : {},
      handlerRoot: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    }),
    (m) => log.info(m),
  );
  const clients = new ClientFactory({
    localEndpoint: () => local!.endpoint(),
    endpointCredentials: (c) => connections.endpointCredentials(c),
  });
  context.subscriptions.push(log, connections, { dispose: () => clients.dispose() });

  // Declared before the services (closures in them refresh the tree), made once they exist.
  let explorer: ExplorerProvider | undefined;
  const services: ExtensionServices = {
    context,
    clients,
    local,
    connections,
    log,
    registerCommand(id, run) {
      context.subscriptions.push(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          try {
            return await run(...args);
          } catch (e) {
            const f = describeError(e, { operation: commandTitle(id) });
            log.error(`${id} failed: ${f.message}`, e);
            void vscode.window.showErrorMessage(friendlyMessage(e, { operation: commandTitle(id) }), 'Show Log').then((c) => {
              if (c) log.channel.show();
            });
            return undefined;
          }
        }),
      );
    },
    resolveStream: (arg, opts) => resolveStream(services, arg, opts),
  };

  // eslint-disable-next-line prefer-const -- declared above, before the closures that read it
  explorer = new ExplorerProvider(services);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: explorer, showCollapseAll: true });
  explorer.attach(view);
  context.subscriptions.push(explorer, view);

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('kinesis.local')) {
        await local?.stop();
        clients.invalidate('local');
        explorer?.refresh();
      }
      // An endpoint edited in settings keeps its id (its name): drop clients made for the old URL.
      if (e.affectsConfiguration('kinesis.connections')) clients.invalidate();
    }),
  );

  registerConnectionCommands(services, explorer);
  registerStreamCommands(services, explorer);
  // features register here
  const hooks: Record<string, unknown> = {};
  registerInspector(services, hooks);
  registerNotebook(services, hooks);
  registerProducer(services, hooks);
  registerDeliveredObjects(services, hooks);

  const loadStart = typeof __kinesisLoadStart === 'number' ? __kinesisLoadStart : loadEnd;
  const done = performance.now();
  // Ours is loading + activate(); between the two VS Code prepares the extension's context (its own work, counted apart).
  const [load, own] = [loadEnd - loadStart, done - activateStart].map(Math.round);
  log.info(`Activated in ${load + own} ms (loading extension.js ${load} ms, activate() ${own} ms; VS Code between them ${Math.round(activateStart - loadEnd)} ms)`);
  // Other extensions get nothing: the services hold the secret storage and the clients.
  return context.extensionMode === vscode.ExtensionMode.Test ? { services, explorer, hooks } : undefined;
}

export async function deactivate(): Promise<void> {
  await local?.dispose();
}

function commandTitle(id: string): string {
  const words = id.replace(/^kinesis\./, '').replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.trim();
}
