import * as vscode from 'vscode';
import { UserError } from '../../core/aws/errors';
import { isInspectorPanelState, sanitizeColumns, sanitizeFilter, sanitizeOptions, sanitizeSort } from '../../protocol/inspector';
import type { ExtensionServices } from '../services';
import { INSPECTOR_PANEL, InspectorPanel } from './panel';
import { PanelHooks, WebviewPanelHost } from '../webviewPanelHost';
import { saveDialog } from '../undeliveredFile';

export { InspectorPanel } from './panel';
export { InspectorModel } from './model';
export { InspectorSession } from './session';

/** Test hooks the integration tests read through the extension API's `hooks.inspector`; `saveDialog` stands in for the native dialog. */
export type InspectorHooks = PanelHooks<InspectorPanel> & { saveDialog: typeof saveDialog };

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

  // The palette shows it while an inspector holds undelivered replay records (context key kinesis.inspector.hasUndeliveredReplay).
  services.registerCommand('kinesis.saveUndeliveredReplayRecords', async () => {
    const holding = [...InspectorPanel.panels.values()].filter((p) => p.undeliveredRecords?.count);
    if (!holding.length) throw new UserError('No inspector holds undelivered replay records: they were saved, or the last replay delivered them all.');
    const panel =
      holding.find((p) => p.active) ??
      (holding.length <= 1
        ? holding[0]
        : (await vscode.window.showQuickPick(holding.map((p) => ({ label: p.streamName, description: `${p.undeliveredRecords!.count.toLocaleString('en-US')} undelivered`, p })), { title: 'Save the undelivered records of which inspector\'s replay?' }))?.p);
    return panel?.saveUndelivered();
  });

  // Nothing to restore it from (the connection was removed): the kit closes it rather than show an empty panel.
  const inspectorHooks: InspectorHooks = { saveDialog, ...WebviewPanelHost.registerKind(services, INSPECTOR_PANEL, InspectorPanel.panels, async (panel, state) => {
    const connection = isInspectorPanelState(state) ? await services.connections.get(state.connectionId) : undefined;
    if (!isInspectorPanelState(state) || !connection) return false;
    let options;
    try {
      options = state.options ? sanitizeOptions(state.options) : undefined;
    } catch {
      options = undefined;
    }
    new InspectorPanel(services, panel, { connection, streamName: state.streamName, options, filter: sanitizeFilter(state.filter), sort: sanitizeSort(state.sort), columns: sanitizeColumns(state.columns), logEventRows: state.logEventRows === true });
    return true;
  }) };

  if (hooks) hooks.inspector = inspectorHooks;
  return inspectorHooks;
}
