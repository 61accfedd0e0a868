import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { ProducerPanel } from './panel';

export { ProducerPanel } from './panel';

/** Test hooks the integration tests read through the extension API's `hooks.producer`. */
export interface ProducerHooks {
  panels: ReadonlyMap<string, ProducerPanel>;
}

/**
 * The producer: command `kinesis.produceRecords` on streams and the palette opens one webview
 * panel per stream (one record, a file, or a templated stream at a set rate).
 */
export function registerProducer(services: ExtensionServices, hooks?: Record<string, unknown>): ProducerHooks {
  services.registerCommand('kinesis.produceRecords', async (arg?: unknown) => {
    const ref = await services.resolveStream(arg);
    if (!ref) return undefined;
    return ProducerPanel.open(services, { connection: ref.connection, streamName: ref.streamName }).key;
  });
  services.context.subscriptions.push({ dispose: () => [...ProducerPanel.panels.values()].forEach((p) => p.dispose()) });

  const producerHooks: ProducerHooks = { panels: ProducerPanel.panels };
  if (hooks) hooks.producer = producerHooks;
  return producerHooks;
}
