import { KinesisClient } from '@aws-sdk/client-kinesis';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { GlueClient } from '@aws-sdk/client-glue';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { Connection, EndpointConnection, StaticCredentials } from './connection';

/** Resolves what a connection needs at client-creation time (endpoint URL, stored keys). */
export interface ConnectionResolver {
  /** The endpoint URL of the built-in local endpoint, starting it if needed. */
  localEndpoint(): Promise<string>;
  /** Static keys stored for a custom endpoint's name and URL, if any (never another URL's). */
  endpointCredentials(connection: EndpointConnection): Promise<StaticCredentials | undefined>;
}

/** Local emulators accept any keys; these never leave the machine. */
export const LOCAL_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'local', secretAccessKey: 'local' };

interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  requestHandler?: NodeHttpHandler;
  maxAttempts?: number;
}

/**
 * Creates SDK clients lazily, one per connection and region, and caches them.
 * Local and custom endpoints get the HTTP/1.1 handler: the emulators do not speak HTTP/2.
 */
export class ClientFactory {
  private readonly kinesis = new Map<string, Promise<KinesisClient>>();
  private readonly firehose = new Map<string, Promise<FirehoseClient>>();
  private readonly glue = new Map<string, Promise<GlueClient>>();
  private readonly cloudFront = new Map<string, Promise<CloudFrontClient>>();

  constructor(private readonly resolver: ConnectionResolver) {}

  kinesisClient(connection: Connection, region = connection.region): Promise<KinesisClient> {
    return this.cached(this.kinesis, connection, region, (cfg) => new KinesisClient(cfg));
  }

  firehoseClient(connection: Connection, region = connection.region): Promise<FirehoseClient> {
    return this.cached(this.firehose, connection, region, (cfg) => new FirehoseClient(cfg));
  }

  /** Glue (the Schema Registry's GetSchemaVersion). Its SDK is loaded on first use. */
  glueClient(connection: Connection, region = connection.region): Promise<GlueClient> {
    return this.cached(this.glue, connection, region, (cfg) => new (require('@aws-sdk/client-glue') as typeof import('@aws-sdk/client-glue')).GlueClient(cfg));
  }

  /** CloudFront (real-time log configurations). A global service: its API is in us-east-1. */
  cloudFrontClient(connection: Connection): Promise<CloudFrontClient> {
    return this.cached(this.cloudFront, connection, 'us-east-1', (cfg) => new (require('@aws-sdk/client-cloudfront') as typeof import('@aws-sdk/client-cloudfront')).CloudFrontClient(cfg));
  }

  /** Drops cached clients of one connection (after its endpoint or keys changed), or all. */
  invalidate(connectionId?: string): void {
    for (const map of [this.kinesis, this.firehose, this.glue, this.cloudFront] as Map<string, Promise<{ destroy(): void }>>[]) {
      for (const [key, client] of map) {
        if (connectionId === undefined || key.startsWith(connectionId + '|')) {
          map.delete(key);
          client.then((c) => c.destroy(), () => undefined);
        }
      }
    }
  }

  dispose(): void {
    this.invalidate();
  }

  private cached<T>(map: Map<string, Promise<T>>, connection: Connection, region: string, make: (cfg: ClientConfig) => T): Promise<T> {
    // An endpoint's URL is part of the key: a client signed with one URL's keys never serves another URL.
    const key = `${connection.id}|${region}${connection.kind === 'endpoint' ? `|${connection.endpoint}` : ''}`;
    let client = map.get(key);
    if (!client) {
      client = this.config(connection, region).then(make);
      map.set(key, client);
      // A failed resolution (local endpoint did not start) must not stick in the cache.
      client.catch(() => map.delete(key));
    }
    return client;
  }

  private async config(connection: Connection, region: string): Promise<ClientConfig> {
    switch (connection.kind) {
      case 'profile':
        return { region, credentials: fromIni({ profile: connection.profile }) };
      case 'endpoint': {
        const keys = await this.resolver.endpointCredentials(connection);
        return {
          region,
          endpoint: connection.endpoint,
          credentials: keys ?? LOCAL_CREDENTIALS,
          requestHandler: localHandler(),
        };
      }
      case 'local':
        return {
          region,
          endpoint: await this.resolver.localEndpoint(),
          credentials: LOCAL_CREDENTIALS,
          requestHandler: localHandler(),
          maxAttempts: 2,
        };
    }
  }
}

export function localHandler(): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 30000 });
}

/** A Firehose client for a local endpoint URL: scripts, tests and the demo. */
export function firehoseClientFor(endpoint: string, region = 'us-east-1'): FirehoseClient {
  return new FirehoseClient({ region, endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: localHandler() });
}

/** A client for an endpoint URL directly: scripts, tests and benchmarks. */
export function kinesisClientFor(endpoint: string, region = 'us-east-1'): KinesisClient {
  return new KinesisClient({ region, endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: localHandler() });
}

export interface TerminalClientOptions {
  /** A local or custom endpoint; absent for AWS itself. */
  endpoint?: string;
  region?: string;
  /** An AWS profile (`--profile`); else the SDK's usual order (environment, AWS_PROFILE, default...). */
  profile?: string;
  maxAttempts?: number;
}

/**
 * A Kinesis client for a terminal tool. Credentials come from the SDK's default chain: the
 * environment (with AWS_SESSION_TOKEN, so temporary credentials work), the named profile of the
 * shared files (static keys, SSO, credential_process, assumed roles), then container and instance
 * roles. Against an endpoint, when the chain finds nothing and no profile was named, the local keys
 * sign the requests: emulators accept any key.
 */
export function terminalKinesisClient(o: TerminalClientOptions): KinesisClient {
  return new KinesisClient(terminalClientConfig(o));
}

/** The same for any SDK client a terminal tool needs (Glue, CloudFront). */
export function terminalClient<T>(o: TerminalClientOptions, make: (cfg: ClientConfig) => T): T {
  return make(terminalClientConfig(o));
}

/** The same for Firehose (npm run produce -- --delivery-stream). */
export function terminalFirehoseClient(o: TerminalClientOptions): FirehoseClient {
  return new FirehoseClient(terminalClientConfig(o));
}

function terminalClientConfig(o: TerminalClientOptions) {
  const region = o.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  const chain = fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
  if (!o.endpoint) return { region, credentials: chain, maxAttempts: o.maxAttempts };
  let resolved: Promise<AwsCredentialIdentity> | undefined;
  const orLocal: AwsCredentialIdentityProvider = () => (resolved ??= chain().catch(() => LOCAL_CREDENTIALS));
  return {
    region,
    endpoint: o.endpoint,
    credentials: o.profile
      ? chain
      : async () => {
          const c = await orLocal();
          // Temporary credentials expire: ask the chain again once they have.
          if (c.expiration && c.expiration.getTime() - Date.now() < 60_000) resolved = undefined;
          return c;
        },
    requestHandler: localHandler(),
    maxAttempts: o.maxAttempts,
  };
}
