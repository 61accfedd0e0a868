/**
 * Decodes records as they are read without holding the event loop: records are decoded in slices
 * of about SLICE_MS (or SLICE_RECORDS records), and the queue yields to the event loop between
 * slices, so that the host keeps answering (a filter, a scroll) while a page of 10,000 records or
 * a compression bomb is decoded. One record is the smallest slice: decodeRecord bounds its cost
 * with the decode budget. Held records decoded again (a schema file changed) go through the same
 * slices, in turn with what is read.
 */
import { decodeRecord, DecodeOptions } from './decoders';
import { redecodeRecord } from './redecode';
import type { DecodedRecord, RawRecord } from './types';

/** Work per slice before yielding. */
export const SLICE_MS = 8;
export const SLICE_RECORDS = 2000;

/** Held records to decode again, with the options of when they were picked; `done` gets their new records by old id. */
interface RedecodeJob {
  records: DecodedRecord[];
  options: DecodeOptions;
  out: Map<string, DecodedRecord[]>;
  done: (replacements: Map<string, DecodedRecord[]>) => void;
}

type Job = { read: RawRecord[] } | { redecode: RedecodeJob };

const jobLength = (j: Job): number => ('read' in j ? j.read.length : j.redecode.records.length);

export class RecordDecodeQueue {
  private queue: Job[] = [];
  /** Next record of queue[0]. */
  private index = 0;
  private running?: Promise<void>;

  /**
   * `onDecoded` gets each slice's records, in the order they were pushed; what it throws goes to
   * `onError` (decoding goes on).
   */
  constructor(
    private readonly onDecoded: (records: DecodedRecord[]) => void,
    private readonly onError: (e: unknown) => void = (e) => console.error('Record decoding: a listener failed:', e),
    private readonly sliceMs = SLICE_MS,
    /**
     * How records are decoded (CloudFront fields, ...). CloudWatch Logs control messages are
     * hidden unless `showControlMessages`, and counted in `counts` when it is given.
     */
    public options: DecodeOptions = {},
  ) {}

  /** Records waiting to be decoded (read or held). */
  get pending(): number {
    let n = 0 - this.index;
    for (const j of this.queue) n += jobLength(j);
    return n;
  }

  push(batch: readonly RawRecord[]): void {
    if (!batch.length) return;
    this.enqueue({ read: batch.slice() });
  }

  /**
   * Decodes held records again (from their own bytes, keeping their ids and places) in slices, in
   * turn with what is read; `done` gets the new records of each by its id, once all are decoded.
   * Nothing comes of it after a clear().
   */
  redecode(records: readonly DecodedRecord[], done: (replacements: Map<string, DecodedRecord[]>) => void, options: DecodeOptions = this.options): void {
    if (!records.length) return;
    this.enqueue({ redecode: { records: records.slice(), options: { ...options, counts: undefined }, out: new Map(), done } });
  }

  /** Drops what is waiting (a new read, a stop); nothing more is delivered from it. */
  clear(): void {
    this.queue = [];
    this.index = 0;
  }

  /** Resolves when everything pushed so far is decoded (or cleared). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.onError(e);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const start = performance.now();
      let out: DecodedRecord[] = [];
      let n = 0;
      while (this.queue.length && n < SLICE_RECORDS && (n === 0 || performance.now() - start < this.sliceMs)) {
        const job = this.queue[0];
        if ('read' in job) {
          for (const d of decodeRecord(job.read[this.index++], undefined, this.options)) {
            if (d.controlMessage && !this.options.showControlMessages) {
              if (this.options.counts) this.options.counts.controlMessages++;
              continue;
            }
            out.push(d);
          }
        } else {
          const r = job.redecode.records[this.index++];
          job.redecode.out.set(r.id, redecodeRecord(r, job.redecode.options));
        }
        n++;
        if (this.index >= jobLength(job)) {
          this.queue.shift();
          this.index = 0;
          if ('redecode' in job) {
            // What was read before the job is held before its records are replaced.
            const read = out;
            out = [];
            if (read.length) this.deliver(() => this.onDecoded(read));
            this.deliver(() => job.redecode.done(job.redecode.out));
          }
        }
      }
      if (out.length) {
        const read = out;
        this.deliver(() => this.onDecoded(read));
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
