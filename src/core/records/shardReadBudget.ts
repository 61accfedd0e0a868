/**
 * A shard's read budget, kept the way Kinesis counts it: GetRecords calls at least
 * `minCallIntervalMs` apart (Kinesis: 5 per second per shard), and `bytesPerSecond` read on
 * average (Kinesis: 2 MiB/s per shard). The service lets a call through whatever its size once the bytes of the earlier calls are paid, then counts
 * the new page's bytes from when it got the call (a 10 MiB page blocks the shard's next 5 s at
 * 2 MiB/s). A call made before that is answered ProvisionedThroughputExceededException.
 *
 * Pure arithmetic on times the caller passes in (epoch ms), so that it can be tested without a
 * clock. The reader asks `nextCallAt()` before each call and tells `answered()` what came back.
 *
 * Pages are not made smaller to fit a second of budget: the service charges the same bytes either
 * way, and each page costs a round trip and the margin for its arrival (measured: pages of about
 * 1 s of budget read 4-6% slower than pages of 10,000 records, `npm run bench -- readRecords`).
 */

export interface ShardReadLimits {
  /** Least time between two GetRecords on the shard (Kinesis: 200 ms, 5 calls/s). 0: no call pacing. */
  minCallIntervalMs: number;
  /** Bytes read per second per shard (Kinesis: 2 MiB). Infinity: no byte pacing. */
  bytesPerSecond: number;
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
  /** Bytes of every record the page held (data plus partition keys): the service charges for what it returned. */
  bytes: number;
}

/** What a throttled call adds to the arrival delay allowed for, and the most it grows to. */
const THROTTLE_STEP_MS = 50;
const MAX_ARRIVAL_DELAY_MS = 500;

export class ShardReadBudget {
  private lastSentAt = -Infinity;
  /** When the bytes read so far are paid, as the service counts them. */
  private paidUntil = -Infinity;
  /** No call before this (a caught-up shard's poll interval). */
  private heldUntil = -Infinity;
  private maxArrivalDelayMs: number;

  constructor(private readonly limits: ShardReadLimits) {
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
}
