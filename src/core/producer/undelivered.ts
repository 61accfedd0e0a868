/**
 * The undelivered records of a run. A long run against a stream that refuses everything could
 * give up millions of records: only the first ones are held in memory (10,000 records or 16 MiB
 * by default); the rest are spilled, as JSON Lines, to a file in a private temporary folder
 * (mode 0700, removed by dispose()). Saving and re-sending read both, in order. No vscode here.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { UndeliveredRecord } from './records';

export const UNDELIVERED_IN_MEMORY = 10_000;
export const UNDELIVERED_IN_MEMORY_BYTES = 16 * 1024 * 1024;
/** Spilled lines are written in chunks of this many. */
const SPILL_CHUNK = 500;

export interface UndeliveredLimits {
  records?: number;
  bytes?: number;
}

export class UndeliveredList implements AsyncIterable<UndeliveredRecord> {
  /** The records held in memory: the first ones given up. */
  readonly held: UndeliveredRecord[] = [];
  private heldBytes = 0;
  private spilled = 0;
  private pendingLines: string[] = [];
  private dir?: string;
  private disposed = false;
  private readonly maxRecords: number;
  private readonly maxBytes: number;

  constructor(limits: UndeliveredLimits = {}) {
    this.maxRecords = limits.records ?? UNDELIVERED_IN_MEMORY;
    this.maxBytes = limits.bytes ?? UNDELIVERED_IN_MEMORY_BYTES;
  }

  /** Every undelivered record, in memory and on disk. */
  get count(): number {
    return this.held.length + this.spilled;
  }

  /** How many are on disk rather than in memory. */
  get spilledCount(): number {
    return this.spilled;
  }

  /** The spill file, once there is one. */
  get spillPath(): string | undefined {
    return this.dir && join(this.dir, 'undelivered.jsonl');
  }

  push(u: UndeliveredRecord): void {
    if (this.disposed) throw new Error('This list of undelivered records was discarded.');
    const size = u.data.length + u.partitionKey.length + u.error.length;
    if (!this.spilled && this.held.length < this.maxRecords && this.heldBytes + size <= this.maxBytes) {
      this.held.push(u);
      this.heldBytes += size;
      return;
    }
    this.spilled++;
    this.pendingLines.push(JSON.stringify(u));
    if (this.pendingLines.length >= SPILL_CHUNK) this.flush();
  }

  /** Writes spilled lines still in memory to the spill file. */
  flush(): void {
    if (!this.pendingLines.length) return;
    this.dir ??= mkdtempSync(join(tmpdir(), 'kinesis-undelivered-')); // mkdtemp makes it 0700
    appendFileSync(this.spillPath!, this.pendingLines.join('\n') + '\n', { encoding: 'utf8', mode: 0o600 });
    this.pendingLines = [];
  }

  async *[Symbol.asyncIterator](): AsyncIterator<UndeliveredRecord> {
    yield* this.held;
    this.flush();
    const path = this.spillPath;
    if (!path || !this.spilled) return;
    const input = createReadStream(path, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line) yield JSON.parse(line) as UndeliveredRecord;
    } finally {
      lines.close();
      input.destroy();
    }
  }

  /** Removes the spill file and its folder. */
  dispose(): void {
    this.disposed = true;
    this.pendingLines = [];
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
