/** Plain models of what the tree and commands show, built from SDK responses. */

export interface StreamSummary {
  name: string;
  arn?: string;
  status?: string;
  /** PROVISIONED or ON_DEMAND. */
  mode?: string;
  openShardCount?: number;
  retentionHours?: number;
  consumerCount?: number;
  encryption?: string;
  createdAt?: Date;
}

export interface ShardInfo {
  shardId: string;
  startingHashKey: string;
  endingHashKey: string;
  startingSequenceNumber: string;
  endingSequenceNumber?: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  /** A shard with an ending sequence number takes no more writes. */
  closed: boolean;
}

export interface ConsumerInfo {
  name: string;
  arn: string;
  status: string;
  createdAt?: Date;
}

export interface StreamPage {
  streams: StreamSummary[];
  /** Opaque cursor for the next page; undefined on the last page. */
  next?: string;
}

/** Orders shards parents first, then by starting hash key: lineage reads top-down. */
export function sortShards(shards: ShardInfo[]): ShardInfo[] {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const depth = (s: ShardInfo, seen = new Set<string>()): number => {
    if (!s.parentShardId || seen.has(s.shardId)) return 0;
    seen.add(s.shardId);
    const p = byId.get(s.parentShardId);
    return p ? depth(p, seen) + 1 : 1;
  };
  return [...shards].sort((a, b) => {
    if (a.closed !== b.closed) return a.closed ? -1 : 1;
    const d = depth(a) - depth(b);
    if (d) return d;
    const ka = BigInt(a.startingHashKey), kb = BigInt(b.startingHashKey);
    return ka < kb ? -1 : ka > kb ? 1 : a.shardId.localeCompare(b.shardId);
  });
}
