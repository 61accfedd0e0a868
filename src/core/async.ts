/**
 * Small async building blocks every core module uses: an abortable sleep, a semaphore that
 * bounds calls in flight, and an emitter whose failing listener is reported, not fatal.
 */

/**
 * Resolves after `ms`, or rejects as soon as `signal` aborts: with `abortError()` when given
 * (the caller's own "stopped" error), else with the signal's reason.
 */
export function sleep(ms: number, signal?: AbortSignal, abortError?: () => Error): Promise<void> {
  const reason = () => (abortError ? abortError() : signal?.reason ?? new Error('aborted'));
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(reason());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(reason());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** At most `max` runs at a time; the others wait in order. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly max: number) {}

  get running(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export type Listener<T> = (value: T) => void;

/** Listeners of one kind of event. */
export class Emitter<T> {
  private listeners: Listener<T>[] = [];
  /** `report` gets what a listener throws (the others still run). */
  constructor(private readonly report: (e: unknown) => void) {}

  on(fn: Listener<T>): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (e) {
        // A listener's failure must not break the emitter's owner, nor go unseen.
        this.report(e);
      }
    }
  }

  get size(): number {
    return this.listeners.length;
  }
}

/** Maps with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
