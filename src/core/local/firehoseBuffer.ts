/**
 * The records a delivery stream holds until its buffering hints say "deliver". With a journal
 * file (the endpoint's data folder), every record is appended there before it is acknowledged, so
 * what was accepted survives a crash or a restart, and delivery replaces the journal in one rename
 * with the source position reached (for a Kinesis source) instead of the delivered records.
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

export class DeliveryBuffer {
  records: BufferedRecord[] = [];
  bytes = 0;
  checkpoints: SourceCheckpoints = {};

  /** Reads what a journal holds (a line cut short by a crash is skipped). */
  constructor(private readonly journal?: string) {
    if (!journal || !existsSync(journal)) return;
    for (const line of readFileSync(journal, 'utf8').split('\n')) {
      let entry: { d?: unknown; t?: unknown; s?: unknown; q?: unknown; k?: unknown; checkpoints?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (entry.checkpoints && typeof entry.checkpoints === 'object') this.checkpoints = { ...(entry.checkpoints as SourceCheckpoints) };
      if (typeof entry.d !== 'string' || typeof entry.t !== 'number') continue;
      const r: BufferedRecord = { data: Buffer.from(entry.d, 'base64'), arrival: entry.t };
      if (typeof entry.s === 'string' && typeof entry.q === 'string') Object.assign(r, { shardId: entry.s, sequenceNumber: entry.q });
      if (typeof entry.k === 'string') r.partitionKey = entry.k;
      this.push(r);
    }
  }

  get oldest(): number {
    return this.records[0]?.arrival ?? Date.now();
  }

  /** Keeps the records; with a journal, written there first (throws, keeping nothing, when it cannot be). */
  add(records: BufferedRecord[]): void {
    if (!records.length) return;
    if (this.journal) {
      appendFileSync(this.journal, records.map(journalLine).join(''));
    }
    records.forEach((r) => this.push(r));
  }

  /** After a delivery: forgets the records, keeping only the source position they reached. */
  clear(): void {
    this.drop(this.records.length);
  }

  /**
   * After a delivery of the oldest `n` records (more may have arrived while it ran): forgets those,
   * and rewrites the journal in one rename with the source position and the records still held.
   */
  drop(n: number): void {
    const rest = this.records.slice(n);
    if (this.journal) {
      const tmp = `${this.journal}.tmp`;
      writeFileSync(tmp, JSON.stringify({ checkpoints: this.checkpoints }) + '\n' + rest.map(journalLine).join(''));
      renameSync(tmp, this.journal);
    }
    this.records = rest;
    this.bytes = rest.reduce((a, r) => a + r.data.length, 0);
  }

  /** The delivery stream is gone: so is its journal. */
  remove(): void {
    this.records = [];
    this.bytes = 0;
    if (this.journal) rmSync(this.journal, { force: true });
  }

  /** Bytes held of the oldest `n` records. */
  bytesOf(n: number): number {
    let b = 0;
    for (let i = 0; i < n && i < this.records.length; i++) b += this.records[i].data.length;
    return b;
  }

  private push(r: BufferedRecord): void {
    this.records.push(r);
    this.bytes += r.data.length;
    if (r.shardId && r.sequenceNumber) this.checkpoints[r.shardId] = { sequenceNumber: r.sequenceNumber, arrival: r.arrival };
  }
}

function journalLine(r: BufferedRecord): string {
  return JSON.stringify({ d: r.data.toString('base64'), t: r.arrival, s: r.shardId, q: r.sequenceNumber, k: r.partitionKey }) + '\n';
}
