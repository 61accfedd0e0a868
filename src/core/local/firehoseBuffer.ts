/**
 * What a delivery stream holds between PutRecordBatch (or its Kinesis source) and delivery, in the
 * two stages Firehose has:
 *   1. incoming records, held until the Lambda processor's buffering hints say "invoke" (without a
 *      processor, until the next pass hands them on);
 *   2. processed records, one buffer per partition (and one per error output type), each held until
 *      the destination's buffering hints say "deliver"; a partition's batch being delivered has a
 *      plan: its size and the keys of the objects it becomes, fixed once, so that a retry (or a
 *      restart) writes the same objects again instead of new ones.
 * With a journal file (the endpoint's data folder), every change is appended there as one JSON line
 * before it counts: records accepted, a hand-over from stage 1 to stage 2 (one line, so a crash
 * leaves the records in one stage or the other, never both), a plan, a batch delivered. A line cut
 * short by a crash is ignored, and the journal is rewritten whole at load and when it has grown well
 * past what it holds.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export interface BufferedRecord {
  data: Buffer;
  /** epoch ms */
  arrival: number;
  /** Where a Kinesis-sourced record came from. */
  shardId?: string;
  sequenceNumber?: string;
  partitionKey?: string;
}

/** The last Kinesis record taken, per shard: reading resumes after it. */
export type SourceCheckpoints = Record<string, { sequenceNumber: string; arrival: number }>;

/** A processed record in a stage-2 buffer: the bytes it is delivered as (an error output line for an error partition). */
export interface StagedRecord {
  data: Buffer;
  arrival: number;
}

/** Where a stage-2 buffer's records go. */
export interface PartitionTarget {
  kind: 'delivered' | 'error';
  /** Delivered: the prefix with its partition keys evaluated (no time part); error: the output type. */
  group: string;
  /** Delivered with dynamic partitioning: the keys the prefix takes. */
  fromLambda?: Record<string, string>;
  fromQuery?: Record<string, string>;
}

/** The batch of a partition being delivered: its oldest `n` records, written as `keys`. */
export interface FlushPlan {
  n: number;
  keys: string[];
  /** Keys already written by an earlier attempt (this run): a retry skips them. */
  written: Set<string>;
  /** What an HTTP endpoint answered an earlier attempt (this run): it is not sent the batch again. */
  sent?: { ok: true } | { ok: false; attempts: number; errorCode: string; errorMessage: string };
}

export interface Partition extends PartitionTarget {
  id: string;
  records: StagedRecord[];
  bytes: number;
  /** When this buffer began to fill (the destination interval counts from then). */
  since: number;
  plan?: FlushPlan;
}

export const partitionId = (t: PartitionTarget) => `${t.kind === 'error' ? 'e' : 'd'}:${t.group}`;

const COMPACT_AFTER_BYTES = 8 * 1024 * 1024;

export class DeliveryBuffer {
  /** Stage 1. */
  records: BufferedRecord[] = [];
  bytes = 0;
  /** When stage 1 began to fill. */
  since = 0;
  checkpoints: SourceCheckpoints = {};
  /** Stage 2, by partition id. */
  readonly partitions = new Map<string, Partition>();
  private journalBytes = 0;

  /** Reads what a journal holds, then rewrites it whole (a line cut short by a crash is dropped). */
  constructor(private readonly journal?: string) {
    if (!journal || !existsSync(journal)) return;
    for (const line of readFileSync(journal, 'utf8').split('\n')) {
      let e: Record<string, any>;
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      if (!e || typeof e !== 'object') continue;
      if (e.checkpoints && typeof e.checkpoints === 'object') this.checkpoints = { ...(e.checkpoints as SourceCheckpoints) };
      if (typeof e.d === 'string' && typeof e.t === 'number') {
        const r: BufferedRecord = { data: Buffer.from(e.d, 'base64'), arrival: e.t };
        if (typeof e.s === 'string' && typeof e.q === 'string') Object.assign(r, { shardId: e.s, sequenceNumber: e.q });
        if (typeof e.k === 'string') r.partitionKey = e.k;
        this.push(r);
      } else if (Number.isInteger(e.take) && Array.isArray(e.parts)) {
        this.applyTake(e.take, e.parts.map(readPart), typeof e.at === 'number' ? e.at : Date.now());
      } else if (typeof e.plan === 'string' && Number.isInteger(e.n) && Array.isArray(e.keys)) {
        const p = this.partitions.get(e.plan);
        if (p) p.plan = { n: Math.min(e.n, p.records.length), keys: e.keys.map(String), written: new Set() };
      } else if (typeof e.flushed === 'string' && Number.isInteger(e.n)) {
        this.applyFlushed(e.flushed, e.n, typeof e.at === 'number' ? e.at : Date.now());
      }
    }
    this.since = this.records[0]?.arrival ?? 0;
    this.compact();
  }

  /** Bytes held in both stages (for back-pressure). */
  get heldBytes(): number {
    let b = this.bytes;
    for (const p of this.partitions.values()) b += p.bytes;
    return b;
  }

  get empty(): boolean {
    return !this.records.length && !this.partitions.size;
  }

  /** Keeps incoming records; with a journal, written there first (throws, keeping nothing, when it cannot be). */
  add(records: BufferedRecord[], now = Date.now()): void {
    if (!records.length) return;
    this.append(records.map((r) => JSON.stringify({ d: r.data.toString('base64'), t: r.arrival, s: r.shardId, q: r.sequenceNumber, k: r.partitionKey }) + '\n').join(''));
    if (!this.records.length) this.since = now;
    records.forEach((r) => this.push(r));
  }

  /**
   * Stage 1 to stage 2, in one journal line: the oldest `n` incoming records are gone, and what they
   * became (possibly nothing: dropped) is added to its partitions' buffers.
   */
  handOver(n: number, parts: { target: PartitionTarget; records: StagedRecord[] }[], now = Date.now()): void {
    this.append(JSON.stringify({ take: n, at: now, parts: parts.map(writePart) }) + '\n');
    this.applyTake(n, parts, now);
  }

  /** Fixes the batch a partition delivers next (kept in the journal so that a restart writes the same objects). */
  plan(p: Partition, n: number, keys: string[]): FlushPlan {
    this.append(JSON.stringify({ plan: p.id, n, keys }) + '\n');
    p.plan = { n, keys, written: new Set() };
    return p.plan;
  }

  /** The planned batch of a partition is delivered: its records are forgotten. */
  flushed(p: Partition, now = Date.now()): void {
    const n = p.plan?.n ?? 0;
    this.applyFlushed(p.id, n, now);
    // Compacting writes the state after the flush in one rename: the flush line is then not needed.
    if (this.journal && (this.empty || this.journalBytes > Math.max(COMPACT_AFTER_BYTES, 2 * this.heldBytes))) this.compact();
    else this.append(JSON.stringify({ flushed: p.id, n, at: now }) + '\n');
  }

  /** The delivery stream is gone: so is its journal. */
  remove(): void {
    this.records = [];
    this.bytes = 0;
    this.partitions.clear();
    if (this.journal) rmSync(this.journal, { force: true });
  }

  /** Rewrites the journal as what it holds now, in one rename. */
  compact(): void {
    if (!this.journal) return;
    const lines = [JSON.stringify({ checkpoints: this.checkpoints }) + '\n'];
    for (const r of this.records) lines.push(JSON.stringify({ d: r.data.toString('base64'), t: r.arrival, s: r.shardId, q: r.sequenceNumber, k: r.partitionKey }) + '\n');
    for (const p of this.partitions.values()) {
      lines.push(JSON.stringify({ take: 0, at: p.since, parts: [writePart(p)] }) + '\n');
      if (p.plan) lines.push(JSON.stringify({ plan: p.id, n: p.plan.n, keys: p.plan.keys }) + '\n');
    }
    const text = lines.join('');
    const tmp = `${this.journal}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.journal);
    this.journalBytes = text.length;
  }

  private append(text: string): void {
    if (!this.journal) return;
    appendFileSync(this.journal, text);
    this.journalBytes += text.length;
  }

  private push(r: BufferedRecord): void {
    this.records.push(r);
    this.bytes += r.data.length;
    if (r.shardId && r.sequenceNumber) this.checkpoints[r.shardId] = { sequenceNumber: r.sequenceNumber, arrival: r.arrival };
  }

  private applyTake(n: number, parts: { target: PartitionTarget; records: StagedRecord[] }[], now: number): void {
    const taken = this.records.splice(0, n);
    this.bytes -= taken.reduce((a, r) => a + r.data.length, 0);
    if (this.records.length) this.since = now;
    for (const { target, records } of parts) {
      if (!records.length) continue;
      const id = partitionId(target);
      let p = this.partitions.get(id);
      if (!p) this.partitions.set(id, (p = { ...target, id, records: [], bytes: 0, since: now }));
      for (const r of records) {
        p.records.push(r);
        p.bytes += r.data.length;
      }
    }
  }

  private applyFlushed(id: string, n: number, now: number): void {
    const p = this.partitions.get(id);
    if (!p) return;
    const gone = p.records.splice(0, n);
    p.bytes -= gone.reduce((a, r) => a + r.data.length, 0);
    p.plan = undefined;
    if (!p.records.length) this.partitions.delete(id);
    else p.since = now;
  }
}

function writePart(p: { target?: PartitionTarget; records: StagedRecord[] } & Partial<PartitionTarget>): Record<string, unknown> {
  const t = p.target ?? (p as PartitionTarget);
  return { kind: t.kind, g: t.group, lk: t.fromLambda, qk: t.fromQuery, r: p.records.map((r) => [r.data.toString('base64'), r.arrival]) };
}

function readPart(x: any): { target: PartitionTarget; records: StagedRecord[] } {
  const target: PartitionTarget = { kind: x?.kind === 'error' ? 'error' : 'delivered', group: String(x?.g ?? '') };
  if (x?.lk && typeof x.lk === 'object') target.fromLambda = x.lk;
  if (x?.qk && typeof x.qk === 'object') target.fromQuery = x.qk;
  const records = (Array.isArray(x?.r) ? x.r : []).filter((r: unknown) => Array.isArray(r) && typeof r[0] === 'string').map((r: [string, number]) => ({ data: Buffer.from(r[0], 'base64'), arrival: Number(r[1]) || 0 }));
  return { target, records };
}
