/**
 * A shard's read budget, kept the way Kinesis counts it: GetRecords calls at least
 * `minCallIntervalMs` apart (Kinesis: 5 per second per shard), and `bytesPerSecond` read on
 * average (Kinesis: 2 MiB/s per shard). The service lets a call through whatever its size once the bytes of the earlier calls are paid, then counts
 * the new page's bytes from when it got the call (a 10 MiB page blocks the shard's next 5 s at
 * 2 MiB/s). A call made before that is answered ProvisionedThroughputExceededException.
 *
 * Pure arithmetic on times the caller passes in (epoch ms), so that it can be tested without a
 * clock. The reader asks `nextCallAt()` before each call, sizes it with `limit()`, and tells
 * `answered()` what came back.
 */

export interface ShardReadLimits {
  /** Least time between two GetRecords on the shard (Kinesis: 200 ms, 5 calls/s). 0: no call pacing. */
  minCallIntervalMs: number;
  /** Bytes read per second per shard (Kinesis: 2 MiB). Infinity: no byte pacing. */
  bytesPerSecond: number;
  /** Largest Limit a call may ask for (Kinesis: 10,000). */
  maxRecordsPerCall: number;
  /**
   * Seconds of the byte budget one page should hold (default 1), or twice the recent round trip if
   * that is longer: the next call's Limit is sized from the records seen so far, so that one page of
   * large records does not take several seconds of the shard's budget (and memory) at once, while
   * a page still takes longer to pay than the next call takes to come back (a shard's calls cannot
   * overlap: each needs the iterator the previous one returned).
   */
  pageSeconds?: number;
  /**
   * The service counts a page from when it got the call: after we sent it, by up to half the round
   * trip. At most this much is added for that (a large page's answer takes long to transfer, its
   * request does not). Default 50 ms; each throttled call adds 50 ms more, up to 500 ms (a busy
   * client or a slow network delays requests more than that).
   */
  maxArrivalDelayMs?: number;
}

export interface AnsweredCall {
  /** When the request was sent (epoch ms). */
  sentAt: number;
  /** When its answer was in (epoch ms). */
  answeredAt: number;
  /** Records the page held (all of them: the service charges for what it returned). */
  records: number;
  /** Their bytes: data plus partition keys. */
  bytes: number;
}

/** How much one page counts in the running averages of record size and round trip (recent pages weigh more). */
const SIZE_WEIGHT = 0.3;
/** What a throttled call adds to the arrival delay allowed for, and the most it grows to. */
const THROTTLE_STEP_MS = 50;
const MAX_ARRIVAL_DELAY_MS = 500;
/** Limit before any record was seen: about 1 s of the budget for records up to 2 KiB, and the first records show soon. */
const FIRST_LIMIT = 1000;

export class ShardReadBudget {
  private lastSentAt = -Infinity;
  /** When the bytes read so far are paid, as the service counts them. */
  private paidUntil = -Infinity;
  /** No call before this (a caught-up shard's poll interval). */
  private heldUntil = -Infinity;
  private avgRecordBytes?: number;
  private avgRoundTripMs?: number;
  private readonly pageSeconds: number;
  private maxArrivalDelayMs: number;

  constructor(private readonly limits: ShardReadLimits) {
    this.pageSeconds = limits.pageSeconds ?? 1;
    this.maxArrivalDelayMs = limits.maxArrivalDelayMs ?? 50;
  }

  /** The earliest time the next call may be sent without being throttled. */
  nextCallAt(): number {
    return Math.max(this.lastSentAt + Math.max(0, this.limits.minCallIntervalMs), this.paidUntil, this.heldUntil);
  }

  /** A call was sent (counts towards the calls per second, answered or not). */
  sent(at: number): void {
    this.lastSentAt = Math.max(this.lastSentAt, at);
  }

  /** A page came back: its bytes are paid from when the service got the call. */
  answered(call: AnsweredCall): void {
    this.sent(call.sentAt);
    if (Number.isFinite(this.limits.bytesPerSecond) && this.limits.bytesPerSecond > 0) {
      const arrivedAt = call.sentAt + Math.max(0, Math.min((call.answeredAt - call.sentAt) / 2, this.maxArrivalDelayMs));
      this.paidUntil = Math.max(this.paidUntil, arrivedAt) + (call.bytes / this.limits.bytesPerSecond) * 1000;
    }
    if (call.records > 0) {
      const size = call.bytes / call.records;
      this.avgRecordBytes = this.avgRecordBytes === undefined ? size : this.avgRecordBytes + SIZE_WEIGHT * (size - this.avgRecordBytes);
      const rtt = Math.max(0, call.answeredAt - call.sentAt);
      this.avgRoundTripMs = this.avgRoundTripMs === undefined ? rtt : this.avgRoundTripMs + SIZE_WEIGHT * (rtt - this.avgRoundTripMs);
    }
  }

  /**
   * A call was throttled (by the service, whether the SDK retried it or we do): the service got our
   * calls later than we counted, so allow for more delay from now on.
   */
  throttled(): void {
    this.maxArrivalDelayMs = Math.max(this.maxArrivalDelayMs, Math.min(MAX_ARRIVAL_DELAY_MS, this.maxArrivalDelayMs + THROTTLE_STEP_MS));
  }

  /** The arrival delay allowed for now (ms). */
  get arrivalDelayAllowanceMs(): number {
    return this.maxArrivalDelayMs;
  }

  /** No call before `at` (a shard at its tip polls at its own pace). */
  holdUntil(at: number): void {
    this.heldUntil = Math.max(this.heldUntil, at);
  }

  /**
   * Limit for the next call: as many records as `pageSeconds` of the byte budget hold (or twice the
   * recent round trip), at most the maximum. Before any record was seen, at most 1,000: a first page of unknown records could
   * otherwise be 10 MiB, and block the shard for 5 s.
   */
  limit(): number {
    const max = Math.max(1, Math.floor(this.limits.maxRecordsPerCall));
    if (!Number.isFinite(this.limits.bytesPerSecond)) return max;
    if (!this.avgRecordBytes) return Math.min(max, FIRST_LIMIT);
    const seconds = Math.max(this.pageSeconds, (2 * (this.avgRoundTripMs ?? 0)) / 1000);
    const fits = Math.floor((this.limits.bytesPerSecond * seconds) / this.avgRecordBytes);
    return Math.max(1, Math.min(max, fits));
  }

  /** Average bytes of a record read so far (undefined before the first non-empty page). */
  get averageRecordBytes(): number | undefined {
    return this.avgRecordBytes;
  }
}
