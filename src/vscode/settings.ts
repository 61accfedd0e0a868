import * as vscode from 'vscode';

/** A custom endpoint as stored in settings; its keys live in SecretStorage, never here. */
export interface EndpointSetting {
  name: string;
  endpoint: string;
  region?: string;
}

/** Typed access to the kinesis.* settings. */
export const settings = {
  get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('kinesis');
  },
  localEndpoint(): string {
    return this.section.get<string>('local.endpoint', '') ?? '';
  },
  localDataPath(): string {
    return this.section.get<string>('local.dataPath', '') ?? '';
  },
  localPort(): number {
    return this.section.get<number>('local.port', 0) ?? 0;
  },
  /** Lambda function name or ARN → handler in the workspace, for the local Firehose's Lambda processors. */
  lambdaHandlers(): Record<string, string> {
    const v = this.section.get<Record<string, unknown>>('local.lambdaHandlers', {}) ?? {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  },
  showProfiles(): boolean {
    return this.section.get<boolean>('connections.showProfiles', true) ?? true;
  },
  endpoints(): EndpointSetting[] {
    return this.section.get<EndpointSetting[]>('connections.endpoints', []) ?? [];
  },
  /** Extra regions per profile, beyond the profile's own. */
  profileRegions(): Record<string, string[]> {
    return this.section.get<Record<string, string[]>>('connections.profileRegions', {}) ?? {};
  },
  hiddenProfiles(): string[] {
    return this.section.get<string[]>('connections.hiddenProfiles', []) ?? [];
  },
  pageSize(): number {
    return Math.max(10, Math.min(10000, this.section.get<number>('streams.pageSize', 100) ?? 100));
  },
  /**
   * The user's own value of a setting (user settings only). What the extension writes back to
   * user settings starts from this, never from the merged value: otherwise a workspace's values
   * would be copied into the user's settings.
   */
  userValue<T>(key: string): T | undefined {
    return this.section.inspect<T>(key)?.globalValue;
  },
  /** Custom endpoints in the user's settings only. */
  userEndpoints(): EndpointSetting[] {
    const v = this.userValue<EndpointSetting[]>('connections.endpoints');
    return Array.isArray(v) ? v : [];
  },
  /** Writes a setting to user settings. */
  async update(key: string, value: unknown): Promise<void> {
    await this.section.update(key, value, vscode.ConfigurationTarget.Global);
  },
};
