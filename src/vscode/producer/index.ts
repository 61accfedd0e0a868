import type { ExtensionServices } from '../services';
import { PRODUCER_PANEL, ProducerPanel } from './panel';
import { isProducerPanelTarget } from '../../protocol/producer';
import { PanelHooks, WebviewPanelHost } from '../webviewPanelHost';

export { ProducerPanel } from './panel';

/** Test hooks the integration tests read through the extension API's `hooks.producer`. */
export type ProducerHooks = PanelHooks<ProducerPanel>;

/**
 * The producer: command `kinesis.produceRecords` on data streams, Direct PUT delivery streams and
 * the palette opens one webview panel per stream (one record, a file, or a templated stream at a
 * set rate).
 */
export function registerProducer(services: ExtensionServices, hooks?: Record<string, unknown>): ProducerHooks {
  services.registerCommand('kinesis.produceRecords', async (arg?: unknown) => {
    const ref = await services.resolveStream(arg, { deliveryStreams: true });
    if (!ref) return undefined;
    return ProducerPanel.open(services, { connection: ref.connection, streamName: ref.streamName, deliveryStream: ref.deliveryStream }).key;
  });
  // After a window reload the panel comes back on the same stream (its forms are in the webview's state).
  const producerHooks: ProducerHooks = WebviewPanelHost.registerKind(services, PRODUCER_PANEL, ProducerPanel.panels, async (panel, state) => {
    const target = (state as { target?: unknown } | undefined)?.target;
    const connection = isProducerPanelTarget(target) ? await services.connections.get(target.connectionId) : undefined;
    if (!isProducerPanelTarget(target) || !connection) return false;
    new ProducerPanel(services, panel, { connection, streamName: target.streamName, deliveryStream: target.kind === 'deliveryStream' });
    return true;
  });

  if (hooks) hooks.producer = producerHooks;
  return producerHooks;
}
