/** What the producer reports while it runs (the panel shows it as it is: no imports). */
export interface ShardTotals {
  records: number;
  bytes: number;
}

export interface ProduceProgress {
  elapsedMs: number;
  /** Records taken from the source (valid ones). */
  read: number;
  /** Records acknowledged by Kinesis. */
  sent: number;
  /** Data bytes acknowledged. */
  bytesSent: number;
  /** Times a record was queued again after a failed attempt. */
  retried: number;
  /** Times the shard map was read again because an aggregate landed in another shard. */
  shardMapRefreshes: number;
  /** Whole calls that were throttled or failed and retried. */
  callsFailed: number;
  calls: number;
  /** Records given up after retries (or stopped before sending). */
  undelivered: number;
  /** Invalid input skipped or stopped at. */
  rejected: number;
  inFlight: number;
  /** Read, not yet sent nor given up. */
  pending: number;
  recordsPerSecond: number;
  bytesPerSecond: number;
  shards: Record<string, ShardTotals>;
  expectedTotal?: number;
  durationMs?: number;
}
