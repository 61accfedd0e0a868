import * as vscode from 'vscode';
import { Connection, EndpointConnection, StaticCredentials, profileConnectionId } from '../core/aws/connection';
import { EndpointKeyStore } from '../core/aws/endpointKeys';
import { UserError } from '../core/aws/errors';
import { listProfiles, regionFor, AwsProfile } from '../core/connections/profiles';
import { settings, EndpointSetting } from './settings';

/**
 * The connections the tree shows: profiles (one per chosen region), custom endpoints, Local.
 * Endpoint keys live only in SecretStorage, bound to the endpoint's name and URL.
 */
export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private profilesError?: string;
  private readonly keys: EndpointKeyStore;

  constructor(secrets: vscode.SecretStorage) {
    this.keys = new EndpointKeyStore(secrets);
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
    const mine = settings.userEndpoints();
    const replaced = mine.find((x) => x.name === e.name);
    const conn = this.endpointConnection(e);
    if (replaced) await this.keys.delete(replaced);
    if (keys) await this.keys.store(e, keys);
    else await this.keys.delete(e);
    await settings.update('connections.endpoints', [...mine.filter((x) => x.name !== e.name), e]);
    return conn;
  }

  /** Removes an endpoint of the user's settings, with its keys. */
  async removeEndpoint(c: EndpointConnection): Promise<void> {
    const mine = settings.userEndpoints();
    const own = mine.find((x) => x.name === c.name && x.endpoint === c.endpoint);
    if (!own) {
      throw new UserError(
        `The endpoint "${c.name}" (${c.endpoint}) is not in your user settings: it comes from the workspace's settings.`,
        'Remove it from the workspace\'s .vscode/settings.json (kinesis.connections.endpoints).',
      );
    }
    await this.keys.delete(own);
    await settings.update('connections.endpoints', mine.filter((x) => x !== own));
  }

  /** The keys stored for this endpoint's name and URL; a same-named endpoint at another URL gets none. */
  async endpointCredentials(c: EndpointConnection): Promise<StaticCredentials | undefined> {
    const own = settings.userEndpoints().find((x) => x.name === c.name && x.endpoint === c.endpoint);
    if (own) await this.keys.adoptLegacy(own);
    return this.keys.get(c);
  }

  /** Sets the regions shown for a profile (several regions show as several connections). */
  async setProfileRegions(profile: string, regions: string[]): Promise<void> {
    const all = { ...(settings.userValue<Record<string, string[]>>('connections.profileRegions') ?? {}), [profile]: regions };
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
