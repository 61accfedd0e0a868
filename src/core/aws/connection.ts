/**
 * What the extension knows about one place it can talk to Kinesis: an AWS profile in a region,
 * a custom endpoint (LocalStack and the like), or the built-in local endpoint.
 * Plain data: no clients, no secrets.
 */
export type ConnectionKind = 'profile' | 'endpoint' | 'local';

export interface ProfileConnection {
  kind: 'profile';
  id: string;
  profile: string;
  region: string;
  /** True when the profile uses IAM Identity Center (SSO). */
  sso?: boolean;
}

export interface EndpointConnection {
  kind: 'endpoint';
  id: string;
  name: string;
  endpoint: string;
  region: string;
  /** True when static keys are stored for it in secret storage. */
  hasStaticKeys?: boolean;
}

export interface LocalConnection {
  kind: 'local';
  id: 'local';
  region: string;
}

export type Connection = ProfileConnection | EndpointConnection | LocalConnection;

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function connectionLabel(c: Connection): string {
  switch (c.kind) {
    case 'profile':
      return `${c.profile} (${c.region})`;
    case 'endpoint':
      return c.name;
    case 'local':
      return 'Local';
  }
}

export function profileConnectionId(profile: string, region: string): string {
  return `profile:${profile}:${region}`;
}

/**
 * Operations an endpoint may lack. The built-in local endpoint (kinesalite) has no enhanced
 * fan-out, UpdateShardCount, UpdateStreamMode or StreamARN addressing, so the UI hides them
 * there instead of letting them fail.
 */
export interface Capabilities {
  updateShardCount: boolean;
  consumers: boolean;
  streamMode: boolean;
  onDemand: boolean;
}

export const FULL_CAPABILITIES: Capabilities = { updateShardCount: true, consumers: true, streamMode: true, onDemand: true };
export const KINESALITE_CAPABILITIES: Capabilities = { updateShardCount: false, consumers: false, streamMode: false, onDemand: false };

export function capabilitiesOf(c: Connection): Capabilities {
  return c.kind === 'local' ? KINESALITE_CAPABILITIES : FULL_CAPABILITIES;
}

/**
 * The `aws sso login` command line for a profile, or undefined when the name holds a character a
 * shell would interpret. The same line must be safe in bash, zsh, fish, PowerShell and cmd, and
 * no quoting is safe in all of them, so only names made of plain characters are put on it.
 */
export function ssoLoginCommandLine(profile?: string): string | undefined {
  if (profile === undefined || profile === '') return 'aws sso login';
  return /^[A-Za-z0-9][A-Za-z0-9_.@+\-/]{0,127}$/.test(profile) ? `aws sso login --profile ${profile}` : undefined;
}
