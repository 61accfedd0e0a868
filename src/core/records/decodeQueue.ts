/**
 * Decodes records as they are read without holding the event loop: records are decoded in slices
 * of about SLICE_MS (or SLICE_RECORDS records), and the queue yields to the event loop between
 * slices, so that the host keeps answering (a filter, a scroll) while a page of 10,000 records or
 * a compression bomb is decoded. One record is the smallest slice: decodeRecord bounds its cost
 * with the decode budget.
 */
import { decodeRecord, DecodeOptions } from './decoders';
import type { DecodedRecord, RawRecord } from './types';

/** Work per slice before yielding. */
export const SLICE_MS = 8;
export const SLICE_RECORDS = 2000;

export class RecordDecodeQueue {
  private queue: RawRecord[][] = [];
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

  /** Records waiting to be decoded. */
  get pending(): number {
    let n = 0 - this.index;
    for (const b of this.queue) n += b.length;
    return n;
  }

  push(batch: readonly RawRecord[]): void {
    if (!batch.length) return;
    this.queue.push(batch.slice());
    this.running ??= this.drain().finally(() => (this.running = undefined));
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

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const start = performance.now();
      const out: DecodedRecord[] = [];
      let n = 0;
      while (this.queue.length && n < SLICE_RECORDS && (n === 0 || performance.now() - start < this.sliceMs)) {
        const batch = this.queue[0];
        for (const d of decodeRecord(batch[this.index++], undefined, this.options)) {
          if (d.controlMessage && !this.options.showControlMessages) {
            if (this.options.counts) this.options.counts.controlMessages++;
            continue;
          }
          out.push(d);
        }
        n++;
        if (this.index >= batch.length) {
          this.queue.shift();
          this.index = 0;
        }
      }
      try {
        if (out.length) this.onDecoded(out);
      } catch (e) {
        this.onError(e);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
