/**
 * StreamReader: reads every shard of a stream concurrently, within Kinesis's limits.
 *
 * Usage (inspector host side; no vscode import here):
 *
 *   const reader = new StreamReader({ client, streamName, start: { type: 'LATEST' } });
 *   reader.onRecords((batch) => post(batch.flatMap((r) => decodeRecord(r))));  // one shard page per call, in shard order
 *   reader.onProgress((shards) => post(shards));   // ShardProgress[] (coalesced, about every 100 ms)
 *   reader.onError((e) => log(e.message));          // e.fatal=false: retrying by itself; true: that shard stopped
 *   reader.start();
 *   reader.pause(); reader.resume();
 *   await reader.stop();                             // resolves when every shard loop has ended
 *
 * Each on*() returns an unsubscribe function. `abortSignal` in the options stops the reader too.
 * With `end` (a time, a record count, or both) it reads a window: each shard stops at its first
 * record that arrived after `end.at` (or, at the tip, once that time has passed), the reader after
 * `end.count` records; then onEnd fires once and the reader stops by itself.
 * A listener that throws does not stop the reader; it is reported through onError (fatal: false).
 * Guarantees: each record is delivered once, in order within its shard; a child shard is read only
 * after all its parents (that this reader reads) are drained; throttling, expired iterators and an
 * endpoint that goes away are retried with backoff and resume after the last sequence number seen.
 * A shard that fails for good is reported (fatal), and so are its children, which cannot be read
 * in order without it: none of them waits for ever.
 */
import {
  GetRecordsCommand,
  GetRecordsCommandOutput,
  GetShardIteratorCommand,
  GetShardIteratorCommandInput,
  KinesisClient,
  Shard,
} from '@aws-sdk/client-kinesis';
import type { RawRecord, ShardProgress, StartPosition } from './types';
import { Emitter, Listener, Semaphore, sleep } from '../async';
import { errorName, isThrottle, isTransient } from '../aws/retry';
import { listAllShards } from '../kinesis/shards';
import { ShardReadBudget } from './shardReadBudget';

export interface StreamReaderOptions {
  client: KinesisClient;
  streamName: string;
  start: StartPosition;
  /**
   * Read only these shards (and the shards that descend from them). Default: every shard the start
   * position applies to. With a sequence-number start, default is the start's shard only.
   */
  shardIds?: string[];
  /** GetRecords Limit (max 10000). Default 10000. */
  limitPerCall?: number;
  /** Wait between polls of a shard that is caught up. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Minimum time between two GetRecords on one shard. Default 200 ms (Kinesis: 5 calls/s/shard). */
  minCallIntervalMs?: number;
  /** Read budget per shard in bytes/s used to pace calls. Default 2 MiB/s. */
  bytesPerSecondPerShard?: number;
  /** How often ListShards looks for new shards (splits while tailing). Default 10000 ms. */
  listShardsIntervalMs?: number;
  /** Backoff after a throttle or network error: base and cap in ms (full jitter). Default 250 / 5000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Requests in flight at once across shards. Default 16. */
  maxConcurrentRequests?: number;
  abortSignal?: AbortSignal;
  /** Where reading ends: records that arrived at most at `at` (epoch ms), and at most `count` records. */
  end?: ReadWindowEnd;
}

export interface ReadWindowEnd {
  /** epoch ms: records that arrived later are not delivered. */
  at?: number;
  /** Records delivered in all (a KPL aggregate counts as one). */
  count?: number;
}

/** Why a windowed read ended. */
export interface ReaderEnd {
  reason: 'time' | 'count';
  recordsRead: number;
}

export interface ReaderError {
  shardId?: string;
  message: string;
  /** SDK error name or system code. */
  code?: string;
  /** true: that shard (or the whole reader when shardId is absent) stopped. false: retrying. */
  fatal: boolean;
  cause?: unknown;
}

export interface ReaderStats {
  getRecordsCalls: number;
  listShardsCalls: number;
  recordsRead: number;
  bytesRead: number;
  throttled: number;
  /** GetRecords calls the SDK retried by itself before answering (throttled, mostly). */
  sdkRetried: number;
  expiredIteratorsRenewed: number;
  networkRetries: number;
  duplicatesDropped: number;
  /** Time shards waited to keep to the read limits (summed over shards), in ms. */
  pacingWaitMs: number;
}

interface ShardState {
  shardId: string;
  parents: string[];
  closedAtList: boolean;
  /** How this shard's iterator starts when nothing was read from it yet. */
  initial: StartSpec;
  /** Iterators obtained so far (tells a first LATEST from a renewal). */
  iterators: number;
  progress: ShardProgress;
  lastSeq?: string;
  lastSeqBig?: bigint;
  drained: boolean;
  /** Transient failures in a row (the backoff grows with them across iterator renewals). */
  failures: number;
  drainedWaiters: (() => void)[];
  running: boolean;
  /** Set when the shard stopped for good: why (its children are not read). */
  failed?: string;
  /** Reading reached the window's end time on this shard. */
  ended?: boolean;
  /** Its read limits, as the service counts them. */
  budget: ShardReadBudget;
}

type StartSpec =
  | { type: 'LATEST'; at?: number }
  | { type: 'TRIM_HORIZON' }
  | { type: 'AT_TIMESTAMP'; timestamp: number }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'SKIP' };

export { isThrottle, isTransient } from '../aws/retry';
const errName = errorName;

function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || errName(e) === 'AbortError';
}

class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'AbortError';
  }
}
const stopped = () => new StoppedError();


export class StreamReader {
  private readonly opts: Required<Omit<StreamReaderOptions, 'shardIds' | 'abortSignal'>> & Pick<StreamReaderOptions, 'shardIds' | 'abortSignal'>;
  private readonly shards = new Map<string, ShardState>();
  private readonly errorEmitter: Emitter<ReaderError> = new Emitter<ReaderError>((e) => console.error('StreamReader: an onError listener failed:', e));
  private readonly recordsEmitter = new Emitter<RawRecord[]>((e) => this.listenerFailed('onRecords', e));
  private readonly progressEmitter = new Emitter<ShardProgress[]>((e) => this.listenerFailed('onProgress', e));
  private readonly endEmitter = new Emitter<ReaderEnd>((e) => this.listenerFailed('onEnd', e));
  /** Records the window still allows (count). */
  private remaining = Infinity;
  private endedWith?: ReaderEnd;
  private readonly controller = new AbortController();
  private readonly semaphore: Semaphore;
  private readonly tasks = new Set<Promise<void>>();
  private started = false;
  private stopping?: Promise<void>;
  private pauseGate?: { promise: Promise<void>; release: () => void };
  private progressTimer?: NodeJS.Timeout;
  private discoverTimer?: NodeJS.Timeout;
  private discovering?: Promise<void>;
  private readonly rootIds?: Set<string>;
  readonly stats: ReaderStats = {
    getRecordsCalls: 0,
    listShardsCalls: 0,
    recordsRead: 0,
    bytesRead: 0,
    throttled: 0,
    sdkRetried: 0,
    expiredIteratorsRenewed: 0,
    networkRetries: 0,
    duplicatesDropped: 0,
    pacingWaitMs: 0,
  };

  constructor(options: StreamReaderOptions) {
    this.opts = {
      limitPerCall: 10000,
      pollIntervalMs: 1000,
      minCallIntervalMs: 200,
      bytesPerSecondPerShard: 2 * 1024 * 1024,
      listShardsIntervalMs: 10_000,
      backoffBaseMs: 250,
      backoffMaxMs: 5000,
      maxConcurrentRequests: 16,
      // An option given as undefined keeps its default.
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as StreamReader['opts'];
    this.opts.limitPerCall = Math.max(1, Math.min(10000, this.opts.limitPerCall));
    if (options.end?.count !== undefined) this.remaining = Math.max(0, options.end.count);
    this.semaphore = new Semaphore(Math.max(1, this.opts.maxConcurrentRequests));
    const start = options.start;
    if (options.shardIds?.length) this.rootIds = new Set(options.shardIds);
    else if (start.type === 'AT_SEQUENCE_NUMBER' || start.type === 'AFTER_SEQUENCE_NUMBER') this.rootIds = new Set([start.shardId]);
    if (options.abortSignal) {
      if (options.abortSignal.aborted) this.controller.abort();
      else options.abortSignal.addEventListener('abort', () => void this.stop(), { once: true });
    }
  }

  private listenerFailed(which: string, e: unknown): void {
    this.errorEmitter.fire({ message: `An ${which} listener failed: ${messageOf(e)}`, code: 'ListenerError', fatal: false, cause: e });
  }

  onRecords(fn: Listener<RawRecord[]>): () => void {
    return this.recordsEmitter.on(fn);
  }
  onProgress(fn: Listener<ShardProgress[]>): () => void {
    return this.progressEmitter.on(fn);
  }
  onError(fn: Listener<ReaderError>): () => void {
    return this.errorEmitter.on(fn);
  }
  /** A windowed read (`end`) reached its end; fires once, then the reader stops. */
  onEnd(fn: Listener<ReaderEnd>): () => void {
    return this.endEmitter.on(fn);
  }

  /** Fires onEnd once and stops. */
  private finishWindow(reason: ReaderEnd['reason']): void {
    if (this.endedWith) return;
    this.endedWith = { reason, recordsRead: this.stats.recordsRead };
    this.endEmitter.fire(this.endedWith);
    void this.stop();
  }

  /** With an end time: ends the read once every shard is past it (or closed, or failed). */
  private checkWindowEnd(): void {
    if (this.opts.end?.at === undefined || this.endedWith || this.shards.size === 0) return;
    for (const s of this.shards.values()) if (!s.drained && !s.failed) return;
    this.finishWindow('time');
  }

  get isRunning(): boolean {
    return this.started && !this.stopping;
  }
  get isPaused(): boolean {
    return !!this.pauseGate;
  }

  /** Per-shard state now (a copy). */
  progress(): ShardProgress[] {
    return [...this.shards.values()].map((s) => ({ ...s.progress }));
  }

  /** Lists the shards and starts reading. Errors listing the stream are reported via onError (fatal) and stop the reader. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.track(this.boot());
  }

  pause(): void {
    if (this.pauseGate) return;
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.pauseGate = { promise, release };
  }

  resume(): void {
    const gate = this.pauseGate;
    this.pauseGate = undefined;
    gate?.release();
  }

  /** Stops every shard loop and in-flight call; resolves when all have ended. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.controller.abort();
    this.resume();
    if (this.discoverTimer) clearInterval(this.discoverTimer);
    this.stopping = (async () => {
      while (this.tasks.size) await Promise.allSettled([...this.tasks]);
      if (this.progressTimer) clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.progressEmitter.fire(this.progress());
    })();
    return this.stopping;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private track(p: Promise<void>): void {
    const t = p.catch((e) => {
      if (!isAbort(e, this.signal)) this.errorEmitter.fire({ message: messageOf(e), code: errName(e), fatal: true, cause: e });
    });
    this.tasks.add(t);
    void t.finally(() => this.tasks.delete(t));
  }

  private async boot(): Promise<void> {
    let listed: Shard[];
    try {
      listed = await this.call(undefined, () => this.listShards());
    } catch (e) {
      if (isAbort(e, this.signal)) return;
      this.errorEmitter.fire({ message: `Could not list the shards of "${this.opts.streamName}": ${messageOf(e)}`, code: errName(e), fatal: true, cause: e });
      void this.stop();
      return;
    }
    const start = this.opts.start;
    const initialAt = Date.now();
    for (const s of listed) {
      if (!this.included(s, listed)) continue;
      const closed = !!s.SequenceNumberRange?.EndingSequenceNumber;
      let spec: StartSpec;
      switch (start.type) {
        case 'LATEST':
          spec = closed ? { type: 'SKIP' } : { type: 'LATEST', at: initialAt };
          break;
        case 'TRIM_HORIZON':
          spec = { type: 'TRIM_HORIZON' };
          break;
        case 'AT_TIMESTAMP':
          spec = { type: 'AT_TIMESTAMP', timestamp: start.timestamp };
          break;
        default:
          spec = s.ShardId === start.shardId ? { type: start.type, sequenceNumber: start.sequenceNumber } : this.rootIds?.has(s.ShardId!) ? { type: 'TRIM_HORIZON' } : { type: 'SKIP' };
          // descendants of the start shard begin at their start
          if (spec.type === 'SKIP' && this.descendsFromRoot(s, listed)) spec = { type: 'TRIM_HORIZON' };
      }
      this.addShard(s, spec, closed);
    }
    if (this.shards.size === 0) {
      this.errorEmitter.fire({ message: `No shard to read in "${this.opts.streamName}"${this.rootIds ? ` (asked for ${[...this.rootIds].join(', ')})` : ''}.`, fatal: true });
    }
    this.scheduleProgress();
    if (this.opts.listShardsIntervalMs > 0) {
      this.discoverTimer = setInterval(() => void this.discover().catch(() => undefined), this.opts.listShardsIntervalMs);
      this.discoverTimer.unref?.();
    }
  }

  private descendsFromRoot(s: Shard, all: Shard[]): boolean {
    if (!this.rootIds) return true;
    const byId = new Map(all.map((x) => [x.ShardId!, x]));
    const seen = new Set<string>();
    const walk = (x: Shard | undefined): boolean => {
      if (!x || seen.has(x.ShardId!)) return false;
      seen.add(x.ShardId!);
      if (this.rootIds!.has(x.ShardId!)) return true;
      for (const p of [x.ParentShardId, x.AdjacentParentShardId]) {
        if (p && (this.rootIds!.has(p) || this.shards.has(p) || walk(byId.get(p)))) return true;
      }
      return false;
    };
    return walk(s);
  }

  private included(s: Shard, all: Shard[]): boolean {
    return !this.rootIds || this.rootIds.has(s.ShardId!) || this.descendsFromRoot(s, all);
  }

  private addShard(s: Shard, spec: StartSpec, closed: boolean): ShardState {
    const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p);
    const state: ShardState = {
      shardId: s.ShardId!,
      parents,
      closedAtList: closed,
      initial: spec,
      iterators: 0,
      progress: { shardId: s.ShardId!, state: 'waiting-for-parent', recordsRead: 0 },
      drained: false,
      failures: 0,
      drainedWaiters: [],
      running: false,
      budget: new ShardReadBudget({ minCallIntervalMs: this.opts.minCallIntervalMs, bytesPerSecond: this.opts.bytesPerSecondPerShard }),
    };
    this.shards.set(state.shardId, state);
    if (spec.type === 'SKIP') {
      state.progress.state = 'closed';
      this.markDrained(state);
    } else {
      state.running = true;
      this.track(this.runShard(state));
    }
    return state;
  }

  private markDrained(s: ShardState): void {
    s.drained = true;
    for (const w of s.drainedWaiters.splice(0)) w();
  }

  /** Resolves when every parent this reader knows about has been drained; throws when one failed for good. */
  private async waitForParents(s: ShardState): Promise<void> {
    for (const pid of s.parents) {
      const p = this.shards.get(pid);
      if (p?.failed) throw new ParentFailed(p);
      if (!p || p.drained) continue;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new StoppedError());
        if (this.signal.aborted) return onAbort();
        this.signal.addEventListener('abort', onAbort, { once: true });
        p.drainedWaiters.push(() => {
          this.signal.removeEventListener('abort', onAbort);
          if (p.failed) reject(new ParentFailed(p));
          else resolve();
        });
      });
    }
  }

  /** Looks for shards not seen yet (children of splits and merges) and starts reading them. */
  private discover(): Promise<void> {
    if (this.signal.aborted) return Promise.resolve();
    this.discovering ??= (async () => {
      try {
        const listed = await this.call(undefined, () => this.listShards());
        this.addNewShards(listed);
      } finally {
        this.discovering = undefined;
      }
    })();
    return this.discovering;
  }

  private addNewShards(listed: Shard[]): void {
    if (this.signal.aborted) return;
    let added = false;
    for (const s of listed) {
      if (this.shards.has(s.ShardId!)) continue;
      if (!this.included(s, listed)) continue;
      // A shard born after we started: it holds only records newer than our start, so read it whole.
      this.addShard(s, { type: 'TRIM_HORIZON' }, !!s.SequenceNumberRange?.EndingSequenceNumber);
      added = true;
    }
    if (added) this.scheduleProgress();
  }

  private listShards(): Promise<Shard[]> {
    return listAllShards(this.opts.client, this.opts.streamName, { abortSignal: this.signal, onCall: () => this.stats.listShardsCalls++ });
  }


  /**
   * Runs fn, retrying throttles and transient (network, 5xx) errors with full-jitter backoff, for as
   * long as the reader runs. Other errors are thrown.
   */
  private async call<T>(shard: ShardState | undefined, fn: () => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      if (this.signal.aborted) throw new StoppedError();
      try {
        const v = await this.semaphore.run(fn);
        if (shard) shard.failures = 0;
        if (shard && shard.progress.state === 'error') {
          shard.progress.state = 'reading';
          shard.progress.error = undefined;
          this.scheduleProgress();
        }
        return v;
      } catch (e) {
        if (isAbort(e, this.signal)) throw new StoppedError();
        const throttled = isThrottle(e);
        if (!throttled && !isTransient(e)) throw e;
        if (throttled) {
          this.stats.throttled++;
          shard?.budget.throttled();
        } else {
          this.stats.networkRetries++;
          if (shard) {
            shard.progress.state = 'error';
            shard.progress.error = `${messageOf(e)} (retrying)`;
            this.scheduleProgress();
          }
          this.errorEmitter.fire({ shardId: shard?.shardId, message: `${messageOf(e)} (retrying)`, code: errName(e), fatal: false, cause: e });
        }
        if (shard && !throttled) shard.failures++;
        const n = attempt + (shard && !throttled ? shard.failures - 1 : 0);
        const cap = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** Math.min(n, 10));
        attempt++;
        await sleep(Math.random() * cap + (throttled ? this.opts.minCallIntervalMs : 0), this.signal, stopped);
        if (!throttled && shard) throw new NeedNewIterator(e);
      }
    }
  }

  private async getIterator(s: ShardState): Promise<string | undefined> {
    const base = { StreamName: this.opts.streamName, ShardId: s.shardId };
    let input: GetShardIteratorCommandInput;
    if (s.lastSeq) input = { ...base, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: s.lastSeq };
    else {
      const spec = s.initial;
      switch (spec.type) {
        case 'LATEST':
          // Renewing a LATEST iterator must not skip what arrived meanwhile: after the first one, use the time we started.
          input = spec.at !== undefined && s.iterators > 0
            ? { ...base, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(spec.at) }
            : { ...base, ShardIteratorType: 'LATEST' };
          break;
        case 'TRIM_HORIZON':
          input = { ...base, ShardIteratorType: 'TRIM_HORIZON' };
          break;
        case 'AT_TIMESTAMP':
          input = { ...base, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(spec.timestamp) };
          break;
        case 'AT_SEQUENCE_NUMBER':
        case 'AFTER_SEQUENCE_NUMBER':
          input = { ...base, ShardIteratorType: spec.type, StartingSequenceNumber: spec.sequenceNumber };
          break;
        default:
          return undefined;
      }
    }
    const out = await this.opts.client.send(new GetShardIteratorCommand(input), { abortSignal: this.signal });
    s.iterators++;
    return out.ShardIterator;
  }

  private async runShard(s: ShardState): Promise<void> {
    try {
      await this.waitForParents(s);
      await this.gate();
      s.progress.state = 'reading';
      this.scheduleProgress();
      let iterator = await this.withIteratorRetry(s, () => this.getIterator(s));
      const budget = s.budget;
      let sentAt = 0;
      let answeredAt = 0;
      while (iterator) {
        await this.gate();
        const wait = budget.nextCallAt() - Date.now();
        if (wait > 0) {
          this.stats.pacingWaitMs += wait;
          await sleep(wait, this.signal, stopped);
        }
        let out: GetRecordsCommandOutput;
        try {
          const it = iterator;
          // A windowed read by count asks for no more than it still needs.
          const limit = Math.max(1, Math.min(this.opts.limitPerCall, this.remaining));
          this.stats.getRecordsCalls++;
          out = await this.call(s, () => {
            sentAt = Date.now();
            budget.sent(sentAt);
            return this.opts.client.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit }), { abortSignal: this.signal });
          });
          answeredAt = Date.now();
        } catch (e) {
          if (e instanceof NeedNewIterator || errName(e) === 'ExpiredIteratorException') {
            if (errName(e) === 'ExpiredIteratorException') this.stats.expiredIteratorsRenewed++;
            iterator = await this.withIteratorRetry(s, () => this.getIterator(s));
            continue;
          }
          throw e;
        }
        // The SDK retried the call itself: most likely throttled.
        if ((out.$metadata?.attempts ?? 1) > 1) {
          this.stats.sdkRetried++;
          budget.throttled();
        }
        const records = out.Records ?? [];
        let pageBytes = 0;
        for (const r of records) pageBytes += (r.Data?.length ?? 0) + (r.PartitionKey?.length ?? 0);
        budget.answered({ sentAt, answeredAt, bytes: pageBytes });
        let bytes = 0;
        const batch: RawRecord[] = [];
        const endAt = this.opts.end?.at;
        for (const r of records) {
          if (endAt !== undefined && r.ApproximateArrivalTimestamp && r.ApproximateArrivalTimestamp.getTime() > endAt) {
            s.ended = true;
            break;
          }
          if (batch.length >= this.remaining) break;
          const seq = r.SequenceNumber!;
          const big = BigInt(seq);
          if (s.lastSeqBig !== undefined && big <= s.lastSeqBig) {
            this.stats.duplicatesDropped++;
            continue;
          }
          s.lastSeqBig = big;
          s.lastSeq = seq;
          const data = r.Data ?? new Uint8Array(0);
          bytes += data.length + (r.PartitionKey?.length ?? 0);
          batch.push({
            shardId: s.shardId,
            sequenceNumber: seq,
            partitionKey: r.PartitionKey ?? '',
            arrivalTime: r.ApproximateArrivalTimestamp ? r.ApproximateArrivalTimestamp.getTime() : Date.now(),
            data,
            ...(r.EncryptionType && r.EncryptionType !== 'NONE' ? { encryptionType: r.EncryptionType } : {}),
          });
        }
        // Another shard may have taken the last records of the count while this call was in flight.
        if (batch.length > this.remaining) batch.length = Math.max(0, this.remaining);
        this.remaining -= batch.length;
        s.progress.recordsRead += batch.length;
        s.progress.lastSequenceNumber = s.lastSeq;
        s.progress.millisBehindLatest = out.MillisBehindLatest;
        this.stats.recordsRead += batch.length;
        this.stats.bytesRead += bytes;
        if (batch.length) this.recordsEmitter.fire(batch);
        if (this.remaining <= 0) {
          this.finishWindow('count');
          return;
        }
        if (out.ChildShards?.length) this.addNewShards(out.ChildShards.map((c) => ({ ShardId: c.ShardId, ParentShardId: c.ParentShards?.[0], AdjacentParentShardId: c.ParentShards?.[1], HashKeyRange: c.HashKeyRange }) as Shard));
        iterator = out.NextShardIterator;
        if (!iterator) break;
        const caughtUp = records.length === 0 && (out.MillisBehindLatest ?? 0) === 0;
        // At the tip after the end time: whatever arrives now arrives later than it. A closed
        // shard's empty page is not its tip: its children may still hold records of the window.
        if (endAt !== undefined && caughtUp && Date.now() > endAt && !(await this.hasChildren(s))) s.ended = true;
        if (s.ended) break;
        s.progress.state = caughtUp ? 'caught-up' : 'reading';
        if (caughtUp) budget.holdUntil(sentAt + this.opts.pollIntervalMs);
        this.scheduleProgress();
      }
      if (s.ended) {
        // Past the window's end: its children (later still) need not be read.
        s.progress.state = 'caught-up';
        this.markDrained(s);
        this.scheduleProgress();
        this.checkWindowEnd();
        return;
      }
      // The shard is closed and fully read: find its children before saying so, so that nobody
      // sees "all shards done" while a child is still unknown.
      if (![...this.shards.values()].some((o) => o.parents.includes(s.shardId))) {
        try {
          await this.discover();
        } catch (e) {
          if (isAbort(e, this.signal)) throw e;
          // periodic discovery will retry
        }
      }
      s.progress.state = 'closed';
      s.progress.millisBehindLatest = 0;
      this.markDrained(s);
      this.scheduleProgress();
      this.checkWindowEnd();
    } catch (e) {
      if (isAbort(e, this.signal)) return;
      s.progress.state = 'error';
      s.progress.error = messageOf(e);
      s.failed = messageOf(e);
      // Its children wait for it: tell them (each reports that it is not read, and why).
      for (const w of s.drainedWaiters.splice(0)) w();
      this.scheduleProgress();
      this.errorEmitter.fire({ shardId: s.shardId, message: `Shard ${s.shardId}: ${messageOf(e)}`, code: errName(e), fatal: true, cause: e });
      this.checkWindowEnd();
    }
  }

  /** Whether the shard has children (it was split or merged), looking the shards up again when none is known. */
  private async hasChildren(s: ShardState): Promise<boolean> {
    const known = () => [...this.shards.values()].some((o) => o.parents.includes(s.shardId));
    if (s.closedAtList || known()) return true;
    try {
      await this.discover();
    } catch (e) {
      if (isAbort(e, this.signal)) throw e;
    }
    return known();
  }

  /** Getting an iterator retries like any call; a network failure there just retries again. */
  private async withIteratorRetry(s: ShardState, fn: () => Promise<string | undefined>): Promise<string | undefined> {
    for (;;) {
      try {
        return await this.call(s, fn);
      } catch (e) {
        if (e instanceof NeedNewIterator) continue;
        throw e;
      }
    }
  }

  private async gate(): Promise<void> {
    while (this.pauseGate) {
      await this.pauseGate.promise;
    }
    if (this.signal.aborted) throw new StoppedError();
  }

  private scheduleProgress(): void {
    if (this.progressTimer || this.progressEmitter.size === 0) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.progressEmitter.fire(this.progress());
    }, 100);
  }
}

class ParentFailed extends Error {
  constructor(parent: ShardState) {
    super(`not read: its parent shard ${parent.shardId} stopped with an error (${parent.failed}), and a child is read only after its parent`);
    this.name = 'ParentShardFailed';
  }
}

class NeedNewIterator extends Error {
  constructor(readonly cause: unknown) {
    super(messageOf(cause));
    this.name = 'NeedNewIterator';
  }
}

function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
    const m = e.message || e.name;
    return code && !m.includes(code) ? `${m} (${code})` : m;
  }
  return String(e);
}

export interface ReadAllOptions {
  /** 'caught-up' (default): stop when every shard is caught up or closed. A number: stop after that many records (or caught up). */
  until?: 'caught-up' | number;
  shardIds?: string[];
  limitPerCall?: number;
  /** Give up after this long (default 120 s); what was read so far is returned. */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
  /** Extra reader options (tests and benchmarks tune pacing). */
  reader?: Partial<StreamReaderOptions>;
}

/**
 * Reads a stream from `start` until every shard is caught up (MillisBehindLatest 0 and an empty
 * page) and closed shards are drained, or until `until` records. For tests and notebook sampling.
 */
export async function readAll(client: KinesisClient, streamName: string, start: StartPosition, options: ReadAllOptions = {}): Promise<RawRecord[]> {
  const until = options.until ?? 'caught-up';
  const limit = typeof until === 'number' ? until : Infinity;
  const reader = new StreamReader({
    client,
    streamName,
    start,
    shardIds: options.shardIds,
    limitPerCall: options.limitPerCall,
    pollIntervalMs: 0,
    listShardsIntervalMs: 0,
    abortSignal: options.abortSignal,
    ...options.reader,
  } as StreamReaderOptions);
  const out: RawRecord[] = [];
  let fatal: ReaderError | undefined;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.timeoutMs ?? 120_000);
    const finish = () => {
      clearTimeout(timer);
      resolve();
    };
    reader.onRecords((batch) => {
      for (const r of batch) {
        if (out.length >= limit) break;
        out.push(r);
      }
      if (out.length >= limit) finish();
    });
    reader.onError((e) => {
      if (e.fatal && !e.shardId) {
        fatal = e;
        finish();
      }
    });
    reader.onProgress((shards) => {
      if (shards.length && shards.every((s) => s.state === 'caught-up' || s.state === 'closed' || (s.state === 'error' && !s.error?.endsWith('(retrying)')))) finish();
    });
    options.abortSignal?.addEventListener('abort', finish, { once: true });
    reader.start();
  });
  await reader.stop();
  if (fatal && out.length === 0) throw fatal.cause instanceof Error ? fatal.cause : new Error(fatal.message);
  return out;
}
