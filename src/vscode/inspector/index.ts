import * as vscode from 'vscode';
import { INSPECTOR_VIEW_TYPE, isInspectorPanelState } from '../../protocol/inspector';
import type { ExtensionServices } from '../services';
import { InspectorPanel, sanitizeFilter, sanitizeOptions } from './panel';
import { webviewRoots } from '../webviewHtml';

export { InspectorPanel } from './panel';
export { InspectorModel } from './model';

/** Test hooks the integration tests read through the extension API's `hooks.inspector`. */
export interface InspectorHooks {
  panels: ReadonlyMap<string, InspectorPanel>;
}

/**
 * The record inspector: command `kinesis.inspectRecords` on streams, shards and the palette,
 * one webview panel per stream, restored after a window reload.
 */
export function registerInspector(services: ExtensionServices, hooks?: Record<string, unknown>): InspectorHooks {
  services.registerCommand('kinesis.inspectRecords', async (arg?: unknown) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return undefined;
    const panel = await InspectorPanel.open(services, { connection: ref.connection, streamName: ref.streamName, preselectShard: ref.shardId });
    return panel.key;
  });

  services.context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const connection = isInspectorPanelState(state) ? await services.connections.get(state.connectionId) : undefined;
        if (!isInspectorPanelState(state) || !connection) {
          // Nothing to restore it from (the connection was removed): close it rather than show an empty panel.
          panel.dispose();
          return;
        }
        panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(services.context.extensionUri) };
        let options;
        try {
          options = state.options ? sanitizeOptions(state.options) : undefined;
        } catch {
          options = undefined;
        }
        new InspectorPanel(services, panel, {
          connection,
          streamName: state.streamName,
          options,
          filter: sanitizeFilter(state.filter),
          sort: state.sort === 'desc' ? 'desc' : 'asc',
        });
      },
    }),
    { dispose: () => [...InspectorPanel.panels.values()].forEach((p) => p.dispose()) },
  );

  const inspectorHooks: InspectorHooks = { panels: InspectorPanel.panels };
  if (hooks) hooks.inspector = inspectorHooks;
  return inspectorHooks;
}
