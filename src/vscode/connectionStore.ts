import * as vscode from 'vscode';
import { Connection, EndpointConnection, StaticCredentials, profileConnectionId } from '../core/aws/connection';
import { listProfiles, regionFor, AwsProfile } from '../core/connections/profiles';
import { settings, EndpointSetting } from './settings';

const SECRET_PREFIX = 'kinesis.endpoint.keys.';

/**
 * The connections the tree shows: profiles (one per chosen region), custom endpoints, Local.
 * Endpoint keys live only in SecretStorage.
 */
export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private profilesError?: string;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // kinesis.local is the extension's concern (it restarts the endpoint and refreshes the tree).
        if (e.affectsConfiguration('kinesis.connections')) this.changed.fire();
      }),
    );
  }

  get lastProfilesError(): string | undefined {
    return this.profilesError;
  }

  async profiles(): Promise<AwsProfile[]> {
    try {
      this.profilesError = undefined;
      return await listProfiles();
    } catch (e) {
      this.profilesError = (e as Error).message;
      return [];
    }
  }

  /** Every connection, Local first. Reading profiles is file I/O only, never network. */
  async list(): Promise<Connection[]> {
    const out: Connection[] = [{ kind: 'local', id: 'local', region: 'us-east-1' }];
    for (const e of settings.endpoints()) out.push(this.endpointConnection(e));
    if (settings.showProfiles()) {
      const hidden = new Set(settings.hiddenProfiles());
      const extra = settings.profileRegions();
      for (const p of await this.profiles()) {
        if (hidden.has(p.name)) continue;
        const regions = [...new Set([...(extra[p.name]?.length ? extra[p.name] : [regionFor(p)])])];
        for (const region of regions) {
          out.push({ kind: 'profile', id: profileConnectionId(p.name, region), profile: p.name, region, sso: p.sso });
        }
      }
    }
    return out;
  }

  async get(id: string): Promise<Connection | undefined> {
    return (await this.list()).find((c) => c.id === id);
  }

  private endpointConnection(e: EndpointSetting): EndpointConnection {
    return { kind: 'endpoint', id: `endpoint:${e.name}`, name: e.name, endpoint: e.endpoint, region: e.region || 'us-east-1' };
  }

  async addEndpoint(e: EndpointSetting, keys?: StaticCredentials): Promise<EndpointConnection> {
    const list = settings.endpoints().filter((x) => x.name !== e.name);
    list.push(e);
    const conn = this.endpointConnection(e);
    if (keys) await this.secrets.store(SECRET_PREFIX + conn.id, JSON.stringify(keys));
    else await this.secrets.delete(SECRET_PREFIX + conn.id);
    await settings.update('connections.endpoints', list);
    return conn;
  }

  async removeEndpoint(id: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + id);
    await settings.update('connections.endpoints', settings.endpoints().filter((x) => `endpoint:${x.name}` !== id));
  }

  async endpointCredentials(id: string): Promise<StaticCredentials | undefined> {
    const raw = await this.secrets.get(SECRET_PREFIX + id);
    return raw ? (JSON.parse(raw) as StaticCredentials) : undefined;
  }

  /** Sets the regions shown for a profile (several regions show as several connections). */
  async setProfileRegions(profile: string, regions: string[]): Promise<void> {
    const all = { ...settings.profileRegions(), [profile]: regions };
    await settings.update('connections.profileRegions', all);
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
