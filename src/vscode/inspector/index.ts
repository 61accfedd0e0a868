import { isInspectorPanelState, sanitizeColumns, sanitizeFilter, sanitizeOptions, sanitizeSort } from '../../protocol/inspector';
import type { ExtensionServices } from '../services';
import { INSPECTOR_PANEL, InspectorPanel } from './panel';
import { PanelHooks, WebviewPanelHost } from '../webviewPanelHost';

export { InspectorPanel } from './panel';
export { InspectorModel } from './model';
export { InspectorSession } from './session';

/** Test hooks the integration tests read through the extension API's `hooks.inspector`. */
export type InspectorHooks = PanelHooks<InspectorPanel>;

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

  // Nothing to restore it from (the connection was removed): the kit closes it rather than show an empty panel.
  const inspectorHooks: InspectorHooks = WebviewPanelHost.registerKind(services, INSPECTOR_PANEL, InspectorPanel.panels, async (panel, state) => {
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
  });

  if (hooks) hooks.inspector = inspectorHooks;
  return inspectorHooks;
}
