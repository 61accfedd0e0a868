/**
 * When a delivery stream's records move, in Firehose's two stages:
 *   1. incoming records wait for the Lambda processor's buffering hints (BufferSizeInMBs,
 *      BufferIntervalInSeconds), then are transformed and partitioned; without a processor they
 *      are handed on at the next pass;
 *   2. each partition's buffer (and each error output type's) waits for the destination's
 *      BufferingHints on its own, and is delivered as objects of at most SizeInMBs.
 * One pass at a time per stream. A pass that fails keeps everything where it was (journaled), says
 * why in the stream's failure (DescribeDeliveryStream's FailureDescription), and the stream is tried
 * again after a back-off that doubles up to RETRY_MAX_MS; a forced pass (flush, stop) ignores the
 * hints and the back-off.
 *
 * Memory: a stream holds at most `maxBufferedBytes` in both stages together (records arrive in
 * 4 MiB calls, so at most that past it). Past the budget a pass is due at once: stage 1 is handed on
 * and the largest partitions are delivered early (smaller objects, nothing lost), and while that
 * cannot bring it down, the emulator pushes back on producers (see firehoseEmulator's `pressed`).
 * The number of partitions is bounded by dynamic partitioning's active partitions quota
 * (firehoseDelivery's DEFAULT_MAX_ACTIVE_PARTITIONS).
 */
import type { DeliveryBuffer, BufferedRecord, Partition } from './firehoseBuffer';
import { deliverBatch, DeliveryEnv, DeliveryError, DeliveryTarget, planKeys, processRecords, WrittenObject } from './firehoseDelivery';
import type { ValidCreateRequest } from './firehoseValidation';

export interface PipelineStream extends ValidCreateRequest {
  arn: string;
  versionId: string;
  buffer: DeliveryBuffer;
  /** The pass in progress. */
  busy?: Promise<boolean>;
  /** Why records are not flowing (source unreadable, delivery failing), as DescribeDeliveryStream's FailureDescription. */
  failure?: { Type: string; Details: string; from: 'source' | 'delivery' };
  /** After a failed pass, the next one is not before this time; `failures` in a row set the back-off. */
  retryAt: number;
  failures: number;
}

export interface PipelineEnv extends DeliveryEnv {
  region: string;
  accountId: string;
  /** The time hints are measured against (tests move it). */
  clock(): number;
  /** An object was written (for the list of a stream's objects). */
  written(s: PipelineStream, o: WrittenObject): void;
  /** A pass ended, whether it failed or not (back-pressure on the source is decided then too). */
  settled(s: PipelineStream): void;
  /** Bytes a stream may hold in its buffers (default DEFAULT_MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 30_000;

export class DeliveryPipeline {
  constructor(private readonly env: PipelineEnv) {}

  /** The destination's buffering hints. */
  hints(s: PipelineStream): { SizeInMBs: number; IntervalInSeconds: number } {
    return s.http?.BufferingHints ?? s.destination.BufferingHints;
  }

  /** Keeps incoming records (journaled first; throws, keeping nothing, when they cannot be) and starts a pass if one is due. */
  accept(s: PipelineStream, records: BufferedRecord[]): void {
    s.buffer.add(records, this.env.clock());
    if (this.due(s)) void this.run(s);
  }

  /** Bytes a stream may hold in its buffers. */
  get budget(): number {
    return this.env.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  /** Whether a stream holds more than its budget. */
  overBudget(s: PipelineStream): boolean {
    return s.buffer.heldBytes > this.budget;
  }

  /** Whether a pass would do something now (hints reached or buffers past the budget, back-off over, none running). */
  due(s: PipelineStream): boolean {
    const now = this.env.clock();
    if (s.busy || now < s.retryAt) return false;
    if (this.overBudget(s)) return true;
    if (this.stage1Due(s, now)) return true;
    for (const p of s.buffer.partitions.values()) if (this.stage2Due(s, p, now)) return true;
    return false;
  }

  /** Starts a pass on each stream that is due; resolves when they (and the passes already running) are done. */
  tick(streams: Iterable<PipelineStream>): Promise<unknown> {
    const started: Promise<boolean>[] = [];
    for (const s of streams) {
      try {
        if (s.busy) started.push(s.busy);
        else if (this.due(s)) started.push(this.run(s));
      } catch (e) {
        // Never let one stream's trouble end the endpoint (this runs in a timer).
        this.env.log(`Firehose ${s.name}: ${(e as Error).message}`);
      }
    }
    return Promise.all(started);
  }

  /** One pass, after the one running (if any); `force` ignores the hints and delivers every buffer. False when something failed (it stays buffered). */
  run(s: PipelineStream, opts: { force?: boolean; final?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    const run = (s.busy ?? Promise.resolve(true)).then(() => this.pass(s, opts));
    const tracked = run.finally(() => {
      if (s.busy === tracked) s.busy = undefined;
    });
    s.busy = tracked;
    return tracked;
  }

  private stage1Due(s: PipelineStream, now: number): boolean {
    const b = s.buffer;
    if (!b.records.length) return false;
    const lambda = s.processing.lambda;
    return !lambda || b.bytes >= lambda.bufferBytes || now - b.since >= lambda.intervalMs;
  }

  private stage2Due(s: PipelineStream, p: Partition, now: number): boolean {
    const h = this.hints(s);
    return !!p.plan || p.bytes >= h.SizeInMBs * 1024 * 1024 || now - p.since >= h.IntervalInSeconds * 1000;
  }

  /** The oldest records of a partition that fit in one object of SizeInMBs (at least one). */
  private batchSize(s: PipelineStream, p: Partition): number {
    const max = this.hints(s).SizeInMBs * 1024 * 1024;
    let n = 0;
    for (let bytes = 0; n < p.records.length && (n === 0 || bytes + p.records[n].data.length <= max); n++) bytes += p.records[n].data.length;
    return n;
  }

  /** Past the budget: the partitions to deliver now, the largest first, until the stream holds half its budget. */
  private earlyPartitions(s: PipelineStream): Set<string> {
    const out = new Set<string>();
    if (!this.overBudget(s)) return out;
    let held = s.buffer.heldBytes;
    for (const p of [...s.buffer.partitions.values()].sort((a, b) => b.bytes - a.bytes)) {
      if (held <= this.budget / 2) break;
      out.add(p.id);
      held -= p.bytes;
    }
    return out;
  }

  private async pass(s: PipelineStream, opts: { force?: boolean; final?: boolean; signal?: AbortSignal }): Promise<boolean> {
    const env = this.env;
    const target: DeliveryTarget = { name: s.name, arn: s.arn, versionId: s.versionId, config: s, region: env.region, accountId: env.accountId };
    let ok = true;
    let did = false;
    const failed = (e: unknown, what: string) => {
      ok = false;
      const details = e instanceof DeliveryError ? e.message : `${what} failed: ${(e as Error).message}. They stay buffered and are retried.`;
      if (s.failure?.Details !== details) env.log(`Firehose ${s.name}: ${details}`);
      s.failure = { Type: e instanceof DeliveryError ? e.type : 'UNKNOWN_ERROR', Details: details, from: 'delivery' };
      s.failures++;
      s.retryAt = env.clock() + Math.min(RETRY_BASE_MS * 2 ** (s.failures - 1), RETRY_MAX_MS);
    };

    // Stage 1: transform and partition what the processor buffer holds.
    if (s.buffer.records.length && (opts.force || this.overBudget(s) || this.stage1Due(s, env.clock()))) {
      did = true;
      const n = s.buffer.records.length;
      try {
        const active = new Set([...s.buffer.partitions.values()].filter((p) => p.kind === 'delivered').map((p) => p.id));
        const out = await processRecords(target, env, s.buffer.records.slice(0, n), active);
        s.buffer.handOver(n, out.parts, env.clock());
      } catch (e) {
        failed(e, `Processing ${n} records`);
      }
    }

    // Stage 2: each partition's buffer on its own hints, a batch (object) at a time; past the
    // budget, the largest first until half of it is held (early, smaller objects).
    const early = this.earlyPartitions(s);
    for (const p of [...s.buffer.partitions.values()]) {
      while (s.buffer.partitions.get(p.id) === p && (opts.force || early.has(p.id) || this.stage2Due(s, p, env.clock()))) {
        did = true;
        try {
          let plan = p.plan;
          if (!plan) {
            const n = this.batchSize(s, p);
            plan = s.buffer.plan(p, n, planKeys(target, p, p.records.slice(0, n)));
          }
          await deliverBatch(target, env, p, p.records.slice(0, plan.n), plan, { final: opts.final, signal: opts.signal, onWritten: (o) => env.written(s, o) });
          s.buffer.flushed(p, env.clock());
        } catch (e) {
          failed(e, `Delivery of ${p.plan?.n ?? p.records.length} records`);
          break;
        }
      }
    }

    if (did && ok) {
      s.failures = 0;
      s.retryAt = 0;
      if (s.failure?.from === 'delivery') s.failure = undefined;
    }
    env.settled(s);
    return ok;
  }
}
