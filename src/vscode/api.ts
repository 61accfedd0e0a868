import type { ExtensionServices } from './services';
import type { ExplorerProvider } from './tree/explorerProvider';

/**
 * What activate() returns, and only when VS Code runs the extension's own tests
 * (`ExtensionMode.Test`): the services and the features' test hooks. In any other mode activate()
 * returns nothing, so that other installed extensions cannot reach the secret storage, the
 * endpoint keys or the clients through `extensions.getExtension(...).exports`.
 */
export interface KinesisDevtoolsTestApi {
  services: ExtensionServices;
  explorer: ExplorerProvider;
  /** Feature modules hang test hooks here (for example the inspector's open panels). */
  hooks: Record<string, unknown>;
}
