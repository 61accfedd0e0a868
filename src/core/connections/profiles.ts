import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

/** One profile found in the shared config and credentials files. */
export interface AwsProfile {
  name: string;
  region?: string;
  sso: boolean;
  /** Where the profile was found. */
  source: 'config' | 'credentials' | 'both';
}

/**
 * Lists the profiles of the user's shared AWS files, honouring AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE (the SDK's own loader does that). Never returns secrets.
 */
export async function listProfiles(): Promise<AwsProfile[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  // The loader also returns [sso-session x] and [services x] sections under prefixed keys.
  const isProfile = (k: string) => !/^(sso-session|services)\./.test(k);
  const names = new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)].filter(isProfile));
  const profiles: AwsProfile[] = [];
  for (const name of names) {
    const cfg = configFile[name] ?? {};
    const inConfig = name in configFile;
    const inCreds = name in credentialsFile;
    profiles.push({
      name,
      region: cfg.region ?? credentialsFile[name]?.region,
      sso: Boolean(cfg.sso_session || cfg.sso_start_url || cfg.sso_account_id),
      source: inConfig && inCreds ? 'both' : inConfig ? 'config' : 'credentials',
    });
  }
  profiles.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
  return profiles;
}

/** The profile the user's environment selects (AWS_PROFILE), else `default`. */
export function defaultProfileName(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
}

/** The region for a profile: its own, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export function regionFor(profile: AwsProfile | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return profile?.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}
