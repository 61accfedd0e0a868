/**
 * Static keys of custom endpoints, bound to the endpoint's URL as well as its name.
 *
 * A workspace's `.vscode/settings.json` can define an endpoint with the name of one of the user's
 * own, pointing at another host. Keys are therefore stored under the name and the URL together,
 * and the URL is kept next to them and checked again when they are read: keys stored for
 * name + URL are never handed to a client for another URL. No vscode here: the store takes
 * anything shaped like VS Code's SecretStorage.
 */
import type { EndpointConnection, StaticCredentials } from './connection';
import { UserError } from './errors';

/** The part of VS Code's SecretStorage this uses. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

const SECRET_PREFIX = 'kinesis.endpoint.keys.';

/** The URL as compared for binding: scheme, lower-case host, port, path without a trailing slash. */
export function canonicalEndpoint(url: string): string | undefined {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    // User-info, query and fragment do not choose the host; a URL that carries them gets no keys.
    if (u.username || u.password || u.search || u.hash) return undefined;
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

export function endpointSecretKey(name: string, url: string): string | undefined {
  const canonical = canonicalEndpoint(url);
  return canonical ? `${SECRET_PREFIX}${JSON.stringify([name, canonical])}` : undefined;
}

interface StoredKeys extends StaticCredentials {
  endpoint: string;
}

type Endpoint = Pick<EndpointConnection, 'name' | 'endpoint'>;

export class EndpointKeyStore {
  constructor(private readonly secrets: SecretStore) {}

  async store(e: Endpoint, keys: StaticCredentials): Promise<void> {
    const key = endpointSecretKey(e.name, e.endpoint);
    if (!key) {
      throw new UserError(`Keys were not stored: "${e.endpoint}" is not a plain http:// or https:// URL.`, 'Give the endpoint URL without a user name, password, query or fragment.');
    }
    const stored: StoredKeys = { endpoint: canonicalEndpoint(e.endpoint)!, ...keys };
    await this.secrets.store(key, JSON.stringify(stored));
  }

  async delete(e: Endpoint): Promise<void> {
    const key = endpointSecretKey(e.name, e.endpoint);
    if (key) await this.secrets.delete(key);
  }

  /**
   * Keys stored by earlier versions under the name alone move to the name and URL of the user's
   * own endpoint of that name. Call it only with an endpoint read from the user's settings: a
   * workspace's endpoint of the same name must never inherit them.
   */
  async adoptLegacy(usersOwn: Endpoint): Promise<void> {
    const legacy = `${SECRET_PREFIX}endpoint:${usersOwn.name}`;
    const raw = await this.secrets.get(legacy);
    if (!raw) return;
    try {
      const k = JSON.parse(raw) as Partial<StaticCredentials>;
      if (typeof k.accessKeyId === 'string' && typeof k.secretAccessKey === 'string' && !(await this.get(usersOwn))) {
        await this.store(usersOwn, { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, ...(k.sessionToken ? { sessionToken: k.sessionToken } : {}) });
      }
    } catch {
      /* unreadable or a URL keys cannot be bound to: dropped below */
    }
    await this.secrets.delete(legacy);
  }

  /** The keys stored for exactly this name and URL; none for another URL, whatever its name. */
  async get(e: Endpoint): Promise<StaticCredentials | undefined> {
    const key = endpointSecretKey(e.name, e.endpoint);
    if (!key) return undefined;
    const raw = await this.secrets.get(key);
    if (!raw) return undefined;
    let stored: Partial<StoredKeys>;
    try {
      stored = JSON.parse(raw) as Partial<StoredKeys>;
    } catch {
      return undefined;
    }
    if (stored.endpoint !== canonicalEndpoint(e.endpoint)) return undefined;
    if (typeof stored.accessKeyId !== 'string' || typeof stored.secretAccessKey !== 'string') return undefined;
    return {
      accessKeyId: stored.accessKeyId,
      secretAccessKey: stored.secretAccessKey,
      ...(typeof stored.sessionToken === 'string' ? { sessionToken: stored.sessionToken } : {}),
    };
  }
}
