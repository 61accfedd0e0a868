import type { ExtensionServices } from './services';
import type { ExplorerProvider } from './tree/explorerProvider';

/**
 * What activate() returns: the services, for integration tests and for other extensions that
 * want to reuse a connection. Holds no credentials.
 */
export interface KinesisDevtoolsApi {
  services: ExtensionServices;
  explorer: ExplorerProvider;
  /** Feature modules may hang test hooks here (for example the inspector's open panels). */
  hooks: Record<string, unknown>;
}
