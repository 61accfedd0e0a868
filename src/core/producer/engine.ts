/**
 * The producer engine: takes records from a source and puts them into a stream with PutRecords,
 * as fast as the stream accepts or at a set rate, and accounts for every record.
 *
 * - Batches within Kinesis's limits: 500 records and 5 MiB per call, 1 MiB per record
 *   (data plus partition key).
 * - Keeps several calls in flight (each call spans the shards its keys hash to).
 * - A token bucket holds the rate; records are taken from the source only when a token is there.
 * - A partial failure (FailedRecordCount > 0) re-queues only the failed entries, each after an
 *   exponential back-off with jitter; a whole call throttled pauses sending for a back-off.
 * - With `ordered`, at most one record per partition key is in flight or waiting: the key's next
 *   record is sent only after the previous one succeeded (or was given up).
 * - With aggregation, an aggregate that lands in another shard than predicted (the stream was
 *   resharded during the run) makes the engine read the shard map again and re-send, re-aggregated,
 *   the user records outside the hash range of the shard it landed in, as the KPL does.
 * - Nothing is dropped silently: every record read from the source ends as sent, undelivered
 *   (with the reason, savable as JSON Lines and re-sendable) or rejected as invalid input.
 *
 * No vscode here: the panel, the CLI and the benchmark share it.
 */
import { KinesisClient, PutRecordCommand, PutRecordsCommand, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { StreamService } from '../kinesis/streamService';
import { Aggregator, DEFAULT_AGGREGATE_BYTES, Flushed, hashKeyOf, ShardRange } from './aggregation';
import { describeError, UserError } from '../aws/errors';
import { isPermanent, isRetryable, isThrottle } from '../aws/retry';
import {
  InputProblem,
  MAX_BYTES_PER_CALL,
  MAX_RECORDS_PER_CALL,
  ProduceRecord,
  recordProblem,
  recordSize,
  SourceItem,
  toUndelivered,
} from './records';
import { UndeliveredLimits, UndeliveredList } from './undelivered';
import type { ProduceProgress, ShardTotals } from './progress';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { deliveryRecordProblem, putRecordBatch } from './deliveryStreamSink';
import { FIREHOSE_MAX_BYTES_PER_CALL, FIREHOSE_MAX_RECORDS_PER_CALL } from './limits';

export interface ProducerOptions {
  streamName: string;
  /**
   * Produce into the Firehose delivery stream `streamName` (Direct PUT) with this client, instead
   * of a data stream: PutRecordBatch within Firehose's limits; no partition keys, no aggregation.
   */
  deliveryStream?: FirehoseClient;
  /** Records per second; 0 or undefined sends as fast as the stream accepts. */
  rate?: number;
  /** PutRecords calls in flight at once. Default 8. */
  maxInFlight?: number;
  /** Attempts per record before it is given up as undelivered (first try included). Default 10. */
  maxAttempts?: number;
  /** Back-off after the first failure; doubles per attempt up to backoffMaxMs. Default 100 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long a partly filled batch may wait for more records. Default 20 ms. */
  lingerMs?: number;
  /** Keep the order of records per partition key. */
  ordered?: boolean;
  /**
   * Pack small records into KPL aggregated records, grouped by shard (consumers must deaggregate:
   * the KCL, Lambda's deaggregation, our inspector do). Counts stay in user records.
   */
  aggregate?: boolean;
  /** Target size of one aggregated record. Default 51,200 bytes (KPL's). */
  aggregateMaxBytes?: number;
  /** Stop reading the source after this many records. */
  maxRecords?: number;
  /** Stop reading the source after this long (what was read is still delivered). */
  durationMs?: number;
  /** On invalid input (a malformed line, a record over 1 MiB...): skip it and go on, or stop. Default 'stop'. */
  onInvalid?: 'skip' | 'stop';
  /** Stops the run: no new records are read or sent; calls in flight finish. */
  signal?: AbortSignal;
  onProgress?: (p: ProduceProgress) => void;
  progressIntervalMs?: number;
  /** The expected number of records, for progress bars. */
  expectedTotal?: number;
  /** How many undelivered records are held in memory; the rest go to a temporary file. */
  undeliveredInMemory?: UndeliveredLimits;
}

export type { ProduceProgress, ShardTotals } from './progress';

export interface ProduceResult extends ProduceProgress {
  status: 'completed' | 'stopped' | 'failed';
  /** Why the run stopped early (failed) or what input stopped it. */
  error?: string;
  /** Every undelivered record (the first in memory, the rest in a temporary file): dispose() it when done. */
  undeliveredRecords: UndeliveredList;
  /** The first 1,000 input problems (rejected counts them all). */
  problems: InputProblem[];
}

interface Pending {
  rec: ProduceRecord;
  /** The user records inside an aggregate (absent for a plain record). */
  users?: ProduceRecord[];
  /** User records it stands for, and their data bytes. */
  weight: number;
  userBytes: number;
  /** The shard an aggregate was packed for (its explicit hash key points there). */
  predictedShard?: string;
  /** What ordering locks on: the partition key, or the shard for an aggregate. */
  orderKey: string;
  size: number;
  attempts: number;
  enqueuedAt: number;
  notBefore: number;
  lastError?: string;
}

const MAX_PROBLEMS_KEPT = 1000;

/** Tokens refill continuously at `rate` per second, up to a small burst. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();
  readonly capacity: number;
  constructor(private readonly rate: number) {
    // A burst of a tenth of a second (at least one record) lets batches form without overshooting.
    this.capacity = Math.max(1, Math.min(MAX_RECORDS_PER_CALL, rate / 10));
    this.tokens = 1;
  }
  /** 0 when a token was taken, else the milliseconds until one is there. */
  tryTake(): number {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/** Back-off for the n-th failed attempt (1-based): exponential, capped, with "equal jitter". */
export function backoffMs(attempt: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return d / 2 + Math.random() * (d / 2);
}

/** Runs one production from a source. Create one per run. */
export class Producer {
  private readonly o: Required<Pick<ProducerOptions, 'maxInFlight' | 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs' | 'lingerMs' | 'onInvalid' | 'progressIntervalMs'>> & ProducerOptions;
  private readonly maxBuffer: number;
  /** Per call: Kinesis's PutRecords, or Firehose's PutRecordBatch. */
  private readonly limits: { records: number; bytes: number };
  private readonly recordProblem: (r: ProduceRecord) => string | undefined;
  private readonly bucket?: TokenBucket;
  private aggregator?: Aggregator;
  /** Every shard of the stream (closed ones too), by id: where an aggregate actually landed. */
  private shardRanges = new Map<string, ShardRange>();
  private refreshing?: Promise<void>;
  /** How often a user record was re-sent after its aggregate landed in another shard. */
  private readonly resends = new WeakMap<ProduceRecord, number>();

  // Queues. `ready` is a deque (array + head index) of records that may be sent now.
  private ready: Pending[] = [];
  private readyHead = 0;
  private readyBytes = 0;
  private retryWait: Pending[] = [];
  private blocked = new Map<string, Pending[]>();
  private busyKeys = new Set<string>();
  private buffered = 0;
  private inFlight = 0;

  private started = 0;
  private sourceDone = false;
  private stopping = false;
  private status: ProduceResult['status'] = 'completed';
  private error?: string;
  private pausedUntil = 0;
  private consecutiveCallFailures = 0;

  private readonly stats = {
    read: 0,
    sent: 0,
    bytesSent: 0,
    retried: 0,
    callsFailed: 0,
    calls: 0,
    rejected: 0,
    shardMapRefreshes: 0,
  };
  private readonly shards: Record<string, ShardTotals> = {};
  private readonly undelivered: UndeliveredList;
  private readonly problems: InputProblem[] = [];
  private samples: { t: number; sent: number; bytes: number }[] = [];

  private wakePump?: () => void;
  private dispatchTimer?: NodeJS.Timeout;
  private dispatchTimerAt = Infinity;
  private kickScheduled = false;
  private finish?: () => void;

  constructor(private readonly client: KinesisClient, options: ProducerOptions) {
    this.o = {
      maxInFlight: 8,
      maxAttempts: 10,
      backoffBaseMs: 100,
      backoffMaxMs: 5000,
      lingerMs: 20,
      onInvalid: 'stop',
      progressIntervalMs: 250,
      // An option given as undefined keeps its default.
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ProducerOptions),
    };
    if (!options.streamName) throw new UserError('Choose a stream to produce to.');
    if (options.rate !== undefined && (!Number.isFinite(options.rate) || options.rate < 0)) {
      throw new UserError('The rate is a number of records per second (0 for as fast as possible).');
    }
    if (options.deliveryStream && options.aggregate) throw new UserError('KPL aggregation is for data streams: Firehose does not deaggregate records put into a delivery stream. Produce without --aggregate.');
    this.limits = options.deliveryStream ? { records: FIREHOSE_MAX_RECORDS_PER_CALL, bytes: FIREHOSE_MAX_BYTES_PER_CALL } : { records: MAX_RECORDS_PER_CALL, bytes: MAX_BYTES_PER_CALL };
    this.recordProblem = options.deliveryStream ? deliveryRecordProblem : recordProblem;
    this.maxBuffer = options.aggregate ? 50_000 : MAX_RECORDS_PER_CALL * (this.o.maxInFlight + 2);
    if (options.rate) this.bucket = new TokenBucket(options.rate);
    this.undelivered = new UndeliveredList(options.undeliveredInMemory);
  }

  async run(source: AsyncIterable<SourceItem> | Iterable<SourceItem>): Promise<ProduceResult> {
    this.started = performance.now();
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const onAbort = () => this.stop('stopped');
    if (this.o.signal?.aborted) this.stop('stopped');
    this.o.signal?.addEventListener('abort', onAbort);
    const ticker = setInterval(() => this.emitProgress(), this.o.progressIntervalMs);
    let durationTimer: NodeJS.Timeout | undefined;
    if (this.o.durationMs) durationTimer = setTimeout(() => this.endSource(), this.o.durationMs);
    try {
      if (this.o.aggregate && !this.stopping) {
        try {
          this.aggregator = new Aggregator(await this.loadShardMap(), this.o.aggregateMaxBytes ?? DEFAULT_AGGREGATE_BYTES);
        } catch (e) {
          this.stop('failed', `Aggregation needs the stream's shards: ${describeError(e, { operation: 'list shards', stream: this.o.streamName }).message}`);
        }
      }
      void this.pump(this.stopping ? [] : source);
      await done;
    } finally {
      clearInterval(ticker);
      if (durationTimer) clearTimeout(durationTimer);
      if (this.dispatchTimer) clearTimeout(this.dispatchTimer);
      this.o.signal?.removeEventListener('abort', onAbort);
    }
    this.undelivered.flush();
    const result: ProduceResult = {
      ...this.progress(true),
      status: this.status,
      error: this.error,
      undeliveredRecords: this.undelivered,
      problems: this.problems,
    };
    this.o.onProgress?.(result);
    return result;
  }

  /** Stops reading and sending; calls in flight finish; what is left is reported undelivered. */
  stop(reason: 'stopped' | 'failed' = 'stopped', error?: string): void {
    if (!this.stopping) {
      this.stopping = true;
      if (this.status === 'completed') this.status = reason;
      if (error && !this.error) this.error = error;
    }
    this.endSource();
  }

  private sourceEnding = false;
  /** No more records are read (count or duration reached, or stopping). */
  private endSource(): void {
    this.sourceEnding = true;
    this.wakePump?.();
    this.kick();
  }

  /** Reads the shard map; returns the open shards (what new aggregates are packed for). */
  private async loadShardMap(): Promise<ShardRange[]> {
    const shards = await new StreamService(this.client).listShards(this.o.streamName);
    const ranges = shards.map((s) => ({ shardId: s.shardId, start: BigInt(s.startingHashKey), end: BigInt(s.endingHashKey), startingHashKey: s.startingHashKey, closed: s.closed }));
    this.shardRanges = new Map(ranges.map((r) => [r.shardId, r]));
    return ranges.filter((r) => !r.closed);
  }

  /**
   * An aggregate landed in `actualShard`, not in the shard it was packed for: the stream was
   * resharded. Once the shard map is fresh, its user records whose hash key lies in the actual
   * shard's range count as delivered (a KCL consumer of that shard keeps them); the others are
   * re-sent, re-aggregated on the fresh map, as the KPL does (a consumer drops user records
   * outside its shard's range).
   */
  private wrongShard(p: Pending, actualShard: string): void {
    const stale = !this.shardRanges.has(actualShard) || !this.shardRanges.get(p.predictedShard!)?.closed;
    if (!stale) return this.settleWrongShard(p, actualShard);
    this.refreshShardMap().then(
      () => this.settleWrongShard(p, actualShard),
      (e) => {
        this.giveUp(p, `The aggregate landed in shard ${actualShard}, not ${p.predictedShard}, and the shard map could not be read again: ${describeError(e, { operation: 'list shards', stream: this.o.streamName }).message}`);
        this.kick();
      },
    );
  }

  private settleWrongShard(p: Pending, actualShard: string): void {
    const range = this.shardRanges.get(actualShard);
    const delivered: ProduceRecord[] = [];
    const again: ProduceRecord[] = [];
    for (const u of p.users ?? [p.rec]) {
      const h = u.explicitHashKey ? BigInt(u.explicitHashKey.trim()) : hashKeyOf(u.partitionKey);
      if (range && h >= range.start && h <= range.end) {
        delivered.push(u);
        continue;
      }
      const n = (this.resends.get(u) ?? 0) + 1;
      this.resends.set(u, n);
      if (n >= this.o.maxAttempts) this.undelivered.push(toUndelivered(u, `Landed in shard ${actualShard}, outside its hash key's range, ${n} times: the stream keeps being resharded.`, n));
      else again.push(u);
    }
    this.countSent(delivered.length, delivered.reduce((a, u) => a + u.data.byteLength, 0), actualShard);
    this.stats.retried += again.length;
    // Re-added before the aggregate is finalized, so that the run never looks finished in between.
    const now = performance.now();
    for (const u of again) {
      this.buffered++;
      for (const f of this.aggregator!.add(u, now)) this.admit(this.fromFlushed(f, now));
    }
    this.finalize(p);
    this.kick();
  }

  /** Reads the shard map again (once for many wrong-shard results) and repacks what is waiting in bins. */
  private refreshShardMap(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.stats.shardMapRefreshes++;
        const open = await this.loadShardMap();
        const old = this.aggregator!;
        this.aggregator = new Aggregator(open, this.o.aggregateMaxBytes ?? DEFAULT_AGGREGATE_BYTES);
        const now = performance.now();
        for (const f of old.flushDue(now, 0, true).flushed) {
          for (const u of f.users) for (const g of this.aggregator.add(u, now)) this.admit(this.fromFlushed(g, now));
        }
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  // ---- reading the source ----

  private async pump(source: AsyncIterable<SourceItem> | Iterable<SourceItem>): Promise<void> {
    const it: AsyncIterator<SourceItem> | Iterator<SourceItem> =
      Symbol.asyncIterator in source ? (source as AsyncIterable<SourceItem>)[Symbol.asyncIterator]() : (source as Iterable<SourceItem>)[Symbol.iterator]();
    try {
      for (;;) {
        if (this.sourceEnding) break;
        if (this.o.maxRecords !== undefined && this.stats.read >= this.o.maxRecords) break;
        if (this.buffered >= this.maxBuffer) {
          this.kick();
          await new Promise<void>((r) => (this.wakePump = r));
          this.wakePump = undefined;
          continue;
        }
        if (this.bucket) {
          const wait = this.bucket.tryTake();
          if (wait > 0) {
            this.kick();
            await new Promise<void>((r) => {
              const t = setTimeout(r, wait);
              this.wakePump = () => {
                clearTimeout(t);
                r();
              };
            });
            this.wakePump = undefined;
            continue;
          }
        }
        const next = await it.next();
        if (next.done) break;
        const item = next.value;
        if ('problem' in item) {
          this.reject(item.problem);
          continue;
        }
        const problem = this.recordProblem(item.record);
        if (problem) {
          this.reject({ origin: item.record.origin ?? `record ${this.stats.read + this.stats.rejected + 1}`, message: problem });
          continue;
        }
        this.enqueue(item.record);
      }
    } catch (err) {
      this.stop('failed', `Reading the input failed: ${describeError(err).message}`);
    } finally {
      this.sourceDone = true;
      if (this.sourceEnding || this.stopping) {
        try {
          await it.return?.();
        } catch {
          /* closing a source is best effort */
        }
      }
      this.kick();
    }
  }

  private reject(problem: InputProblem): void {
    this.stats.rejected++;
    if (this.problems.length < MAX_PROBLEMS_KEPT) this.problems.push(problem);
    if (this.o.onInvalid === 'stop') {
      this.stop('failed', `Stopped at invalid input, ${problem.origin}: ${problem.message}`);
    }
  }

  private enqueue(rec: ProduceRecord): void {
    this.stats.read++;
    this.buffered++;
    const now = performance.now();
    if (this.aggregator) {
      const hadBins = this.aggregator.pendingBins;
      for (const f of this.aggregator.add(rec, now)) this.admit(this.fromFlushed(f, now));
      if (!hadBins && this.aggregator.pendingBins) this.kick();
      return;
    }
    this.admit({ rec, weight: 1, userBytes: rec.data.byteLength, orderKey: rec.partitionKey, size: recordSize(rec), attempts: 0, enqueuedAt: now, notBefore: 0 });
  }

  private fromFlushed(f: Flushed, now: number): Pending {
    const aggregated = f.users.length > 1;
    return {
      rec: f.record,
      users: aggregated ? f.users : undefined,
      weight: f.users.length,
      userBytes: f.users.reduce((a, u) => a + u.data.byteLength, 0),
      predictedShard: aggregated ? f.shardId : undefined,
      // With aggregation, order is kept per shard (every record of a key goes to its shard).
      orderKey: f.shardId ? `shard:${f.shardId}` : f.record.partitionKey,
      size: recordSize(f.record),
      attempts: 0,
      enqueuedAt: now,
      notBefore: 0,
    };
  }

  private admit(p: Pending): void {
    if (this.o.ordered) {
      const key = p.orderKey;
      if (this.busyKeys.has(key)) {
        let q = this.blocked.get(key);
        if (!q) this.blocked.set(key, (q = []));
        q.push(p);
        return;
      }
      this.busyKeys.add(key);
    }
    this.pushReady(p);
  }

  private pushReady(p: Pending): void {
    this.ready.push(p);
    this.readyBytes += p.size;
    const count = this.ready.length - this.readyHead;
    if (count >= this.limits.records || this.readyBytes >= this.limits.bytes || count === 1) this.kick();
  }

  // ---- sending ----

  private kick(): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.dispatch();
    });
  }

  private schedule(atMs: number): void {
    if (this.dispatchTimer && this.dispatchTimerAt <= atMs) return;
    if (this.dispatchTimer) clearTimeout(this.dispatchTimer);
    this.dispatchTimerAt = atMs;
    this.dispatchTimer = setTimeout(() => {
      this.dispatchTimer = undefined;
      this.dispatchTimerAt = Infinity;
      this.dispatch();
    }, Math.max(0, atMs - performance.now()));
  }

  private dispatch(): void {
    const now = performance.now();
    if (this.stopping) {
      this.checkDone();
      return;
    }
    // Retries whose back-off is over go before new records.
    if (this.retryWait.length) {
      const due = this.retryWait.filter((p) => p.notBefore <= now);
      if (due.length) {
        this.retryWait = this.retryWait.filter((p) => p.notBefore > now);
        this.ready.splice(this.readyHead, 0, ...due);
        for (const p of due) this.readyBytes += p.size;
      }
      if (this.retryWait.length) this.schedule(Math.min(...this.retryWait.map((p) => p.notBefore)));
    }
    if (this.aggregator?.pendingBins) {
      const force = this.sourceDone || this.buffered >= this.maxBuffer;
      const { flushed, nextDue } = this.aggregator.flushDue(now, this.o.lingerMs, force);
      // Bins waited their linger already: their aggregates go out without waiting again.
      for (const f of flushed) this.admit(this.fromFlushed(f, now - this.o.lingerMs));
      if (nextDue !== undefined) this.schedule(nextDue);
    }
    if (now < this.pausedUntil) {
      this.schedule(this.pausedUntil);
      return;
    }
    while (this.inFlight < this.o.maxInFlight) {
      const count = this.ready.length - this.readyHead;
      if (count === 0) break;
      const full = count >= this.limits.records || this.readyBytes >= this.limits.bytes;
      const waited = now - this.ready[this.readyHead].enqueuedAt;
      const sourceIdle = this.sourceDone || this.buffered >= this.maxBuffer;
      if (!full && !sourceIdle && waited < this.o.lingerMs) {
        this.schedule(this.ready[this.readyHead].enqueuedAt + this.o.lingerMs);
        break;
      }
      void this.send(this.takeBatch());
    }
    this.checkDone();
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.readyHead < this.ready.length && batch.length < this.limits.records) {
      const p = this.ready[this.readyHead];
      if (bytes + p.size > this.limits.bytes) break;
      batch.push(p);
      bytes += p.size;
      this.readyHead++;
    }
    this.readyBytes -= bytes;
    if (this.readyHead > 4096 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    this.inFlight++;
    this.stats.calls++;
    for (const p of batch) p.attempts++;
    try {
      let results: { ShardId?: string; SequenceNumber?: string; ErrorCode?: string; ErrorMessage?: string }[];
      if (this.o.deliveryStream) results = await putRecordBatch(this.o.deliveryStream, this.o.streamName, batch.map((p) => p.rec));
      else {
        const entries: PutRecordsRequestEntry[] = batch.map((p) => ({
          Data: p.rec.data,
          PartitionKey: p.rec.partitionKey,
          ...(p.rec.explicitHashKey ? { ExplicitHashKey: p.rec.explicitHashKey.trim() } : {}),
        }));
        results = (await this.client.send(new PutRecordsCommand({ StreamName: this.o.streamName, Records: entries }))).Records ?? [];
      }
      this.consecutiveCallFailures = 0;
      let throttled = 0;
      for (let i = 0; i < batch.length; i++) {
        const r = results[i];
        const p = batch[i];
        if (r && !r.ErrorCode && r.SequenceNumber) {
          if (p.predictedShard && r.ShardId && r.ShardId !== p.predictedShard) this.wrongShard(p, r.ShardId);
          else this.succeeded(p, r.ShardId ?? 'unknown');
        } else if (r?.ErrorCode) {
          if (isThrottle(r.ErrorCode)) throttled++;
          this.failed(p, `${r.ErrorCode}${r.ErrorMessage ? ': ' + r.ErrorMessage : ''}`, isRetryable(r.ErrorCode));
        } else {
          this.failed(p, 'The reply had no result for this record.', true);
        }
      }
      if (throttled && throttled === batch.length) this.pause(1);
    } catch (err) {
      this.stats.callsFailed++;
      this.consecutiveCallFailures++;
      const f = describeError(err, { operation: this.o.deliveryStream ? 'put records into the delivery stream' : 'put records', stream: this.o.streamName });
      const name = f.code ?? 'Error';
      if (isPermanent(name)) {
        for (const p of batch) this.giveUp(p, f.message);
        this.stop('failed', f.action ? `${f.message} ${f.action}` : f.message);
      } else {
        this.pause(this.consecutiveCallFailures);
        for (const p of batch) this.failed(p, f.message, true);
      }
    } finally {
      this.inFlight--;
      this.kick();
    }
  }

  /** Holds all sending for a back-off after a whole call was throttled or failed. */
  private pause(attempt: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + backoffMs(attempt, this.o.backoffBaseMs, this.o.backoffMaxMs));
  }

  private succeeded(p: Pending, shardId: string): void {
    this.countSent(p.weight, p.userBytes, shardId);
    this.finalize(p);
  }

  private countSent(records: number, bytes: number, shardId: string): void {
    this.stats.sent += records;
    this.stats.bytesSent += bytes;
    const s = (this.shards[shardId] ??= { records: 0, bytes: 0 });
    s.records += records;
    s.bytes += bytes;
  }

  private failed(p: Pending, error: string, retryable: boolean): void {
    p.lastError = error;
    if (retryable && p.attempts < this.o.maxAttempts && !this.stopping) {
      this.stats.retried++;
      p.notBefore = performance.now() + backoffMs(p.attempts, this.o.backoffBaseMs, this.o.backoffMaxMs);
      this.retryWait.push(p);
      this.schedule(p.notBefore);
    } else {
      this.giveUp(p, this.stopping && retryable ? `Stopped before a retry succeeded (last error: ${error})` : `${error} (after ${p.attempts} attempt${p.attempts === 1 ? '' : 's'})`);
    }
  }

  private giveUp(p: Pending, error: string): void {
    // An aggregate is reported as its user records, so that they can be saved and re-sent.
    for (const u of p.users ?? [p.rec]) this.undelivered.push(toUndelivered(u, error, p.attempts));
    this.finalize(p);
  }

  private finalize(p: Pending): void {
    this.buffered -= p.weight;
    if (this.o.ordered) {
      const key = p.orderKey;
      const q = this.blocked.get(key);
      if (q?.length) {
        const next = q.shift()!;
        if (!q.length) this.blocked.delete(key);
        next.enqueuedAt = performance.now() - this.o.lingerMs; // it has waited its turn already
        this.pushReady(next);
      } else {
        this.busyKeys.delete(key);
      }
    }
    if (this.wakePump && this.buffered < this.maxBuffer) this.wakePump();
  }

  private checkDone(): void {
    // Aggregates that landed in another shard wait for the shard map: not done yet.
    if (this.inFlight > 0 || this.refreshing) return;
    if (this.stopping) {
      // What was read but not sent is reported, never dropped.
      const reason = this.status === 'failed' && this.error ? `Not sent: the run stopped (${this.error})` : 'Not sent: the run was stopped.';
      const now = performance.now();
      const binned = this.aggregator ? this.aggregator.flushDue(now, 0, true).flushed.map((f) => this.fromFlushed(f, now)) : [];
      const left = [...this.ready.slice(this.readyHead), ...this.retryWait, ...[...this.blocked.values()].flat(), ...binned];
      this.ready = [];
      this.readyHead = 0;
      this.readyBytes = 0;
      this.retryWait = [];
      this.blocked.clear();
      for (const p of left) this.giveUp(p, p.lastError ? `${reason} Last error: ${p.lastError}` : reason);
      if (this.sourceDone) this.finish?.();
      return;
    }
    if (this.sourceDone && this.buffered === 0) this.finish?.();
  }

  // ---- progress ----

  private emitProgress(): void {
    this.o.onProgress?.(this.progress(false));
  }

  private progress(final: boolean): ProduceProgress {
    const now = performance.now();
    const elapsedMs = now - this.started;
    let recordsPerSecond: number;
    let bytesPerSecond: number;
    if (final) {
      recordsPerSecond = elapsedMs > 0 ? (this.stats.sent / elapsedMs) * 1000 : 0;
      bytesPerSecond = elapsedMs > 0 ? (this.stats.bytesSent / elapsedMs) * 1000 : 0;
    } else {
      // Over the last ~2 seconds.
      this.samples.push({ t: now, sent: this.stats.sent, bytes: this.stats.bytesSent });
      while (this.samples.length > 2 && now - this.samples[0].t > 2000) this.samples.shift();
      const first = this.samples[0].t < now ? this.samples[0] : { t: this.started, sent: 0, bytes: 0 };
      const dt = (now - first.t) / 1000;
      recordsPerSecond = dt > 0 ? (this.stats.sent - first.sent) / dt : 0;
      bytesPerSecond = dt > 0 ? (this.stats.bytesSent - first.bytes) / dt : 0;
    }
    return {
      elapsedMs,
      ...this.stats,
      undelivered: this.undelivered.count,
      inFlight: this.inFlight,
      pending: this.buffered,
      recordsPerSecond,
      bytesPerSecond,
      shards: Object.fromEntries(Object.entries(this.shards).map(([k, v]) => [k, { ...v }])),
      expectedTotal: this.o.expectedTotal ?? this.o.maxRecords,
      durationMs: this.o.durationMs,
    };
  }
}

/** Convenience: one run. */
export function produce(client: KinesisClient, source: AsyncIterable<SourceItem> | Iterable<SourceItem>, options: ProducerOptions): Promise<ProduceResult> {
  return new Producer(client, options).run(source);
}

export interface PutOneResult {
  shardId: string;
  sequenceNumber: string;
}

/** Puts a single record with PutRecord (the "One record" tab) after the same checks. */
export async function putOne(client: KinesisClient, streamName: string, rec: ProduceRecord, signal?: AbortSignal): Promise<PutOneResult> {
  const problem = recordProblem(rec);
  if (problem) throw new UserError(problem.charAt(0).toUpperCase() + problem.slice(1));
  const out = await client.send(
    new PutRecordCommand({
      StreamName: streamName,
      PartitionKey: rec.partitionKey,
      Data: rec.data,
      ...(rec.explicitHashKey ? { ExplicitHashKey: rec.explicitHashKey.trim() } : {}),
    }),
    { abortSignal: signal },
  );
  return { shardId: out.ShardId!, sequenceNumber: out.SequenceNumber! };
}

/** A short summary line for logs and the CLI. */
export function summarize(r: ProduceResult): string {
  const secs = (r.elapsedMs / 1000).toFixed(1);
  const parts = [`${r.sent} sent in ${secs} s (${Math.round(r.recordsPerSecond)} rec/s)`, `${r.retried} retried`, `${r.undelivered} undelivered`];
  if (r.rejected) parts.push(`${r.rejected} invalid input`);
  return `${r.status}: ${parts.join(', ')}${r.error ? ` — ${r.error}` : ''}`;
}
