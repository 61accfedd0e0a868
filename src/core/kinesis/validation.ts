import { UserError } from '../aws/errors';
import { MAX_HASH_KEY, parseHashKey } from './hashKeys';
import type { ShardInfo } from './model';

/** Kinesis stream names: 1-128 characters of a-z, A-Z, 0-9, '_', '-' and '.'. */
export function streamNameProblem(name: string): string | undefined {
  if (!name) return 'A stream name is required.';
  if (name.length > 128) return `A stream name has at most 128 characters (this one has ${name.length}).`;
  const bad = name.match(/[^a-zA-Z0-9_.-]/);
  if (bad) return `A stream name may hold only letters, digits, '_', '-' and '.'; "${bad[0]}" is not allowed.`;
  return undefined;
}

/** The default per-account shard quota is 500 (200 in some regions); kinesalite defaults to 10. */
export const DEFAULT_SHARD_LIMIT = 500;

export function shardCountProblem(text: string, limit = DEFAULT_SHARD_LIMIT): string | undefined {
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number of shards.';
  const n = Number(text);
  if (n < 1) return 'A stream needs at least 1 shard.';
  if (n > limit) return `At most ${limit} shards are allowed here.`;
  return undefined;
}

/**
 * UpdateShardCount may at most double or halve the open shard count in one call
 * (and scale in uniform steps); say so before calling.
 */
export function targetShardCountProblem(text: string, current: number, limit = DEFAULT_SHARD_LIMIT): string | undefined {
  const p = shardCountProblem(text, limit);
  if (p) return p;
  const n = Number(text);
  if (n === current) return `The stream already has ${current} open shards.`;
  if (n > current * 2) return `One update can at most double the shards (to ${current * 2}).`;
  if (n < Math.ceil(current / 2)) return `One update can at most halve the shards (to ${Math.ceil(current / 2)}).`;
  return undefined;
}

export function retentionProblem(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) return 'Enter the retention in whole hours.';
  const n = Number(text);
  if (n < 24 || n > 8760) return 'Retention is between 24 hours and 8,760 hours (365 days).';
  return undefined;
}

/** A new starting hash key must fall strictly inside the shard's range. */
export function splitKeyProblem(text: string, shard: Pick<ShardInfo, 'shardId' | 'startingHashKey' | 'endingHashKey'>): string | undefined {
  const key = parseHashKey(text);
  if (key === undefined) return `A hash key is a whole number from 0 to ${MAX_HASH_KEY}.`;
  const start = BigInt(shard.startingHashKey);
  const end = BigInt(shard.endingHashKey);
  if (key <= start || key > end) {
    return `The new starting hash key must be above ${start} and at most ${end}, the range of ${shard.shardId}.`;
  }
  return undefined;
}

/** Two open shards merge only when their hash key ranges touch. */
export function mergeProblem(a: ShardInfo, b: ShardInfo): string | undefined {
  if (a.shardId === b.shardId) return 'Choose two different shards.';
  if (a.closed || b.closed) return 'Only open shards can be merged.';
  const [lo, hi] = BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? [a, b] : [b, a];
  if (BigInt(lo.endingHashKey) + 1n !== BigInt(hi.startingHashKey)) {
    return `${a.shardId} and ${b.shardId} are not adjacent: their hash key ranges do not touch.`;
  }
  return undefined;
}

export function tagProblem(key: string, value = ''): string | undefined {
  if (!key) return 'A tag key is required.';
  if (key.length > 128) return 'A tag key has at most 128 characters.';
  if (value.length > 256) return 'A tag value has at most 256 characters.';
  if (/^aws:/i.test(key)) return 'Tag keys starting with "aws:" are reserved.';
  return undefined;
}

/** Throws a UserError for the first problem, for core callers that skip input boxes. */
export function check(problem: string | undefined): void {
  if (problem) throw new UserError(problem);
}
