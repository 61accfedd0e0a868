import { StreamService, STREAM_PAGE_SIZE } from './streamService';
import { StreamSummary } from './model';

export interface StreamListState {
  streams: StreamSummary[];
  /** More pages exist on the server. */
  hasMore: boolean;
}

/**
 * The tree's view of one connection's streams: loads page by page on demand (the tree shows
 * "Load more" past the first page), and fills in each stream's details (shard count,
 * retention, mode) in the background with bounded concurrency, so the first page appears as
 * soon as ListStreams answers.
 */
export class StreamListLoader {
  private streams: StreamSummary[] = [];
  private cursor?: string;
  private started = false;
  private loading?: Promise<void>;
  private readonly details = new Map<string, StreamSummary>();

  constructor(
    private readonly service: StreamService,
    private readonly options: { pageSize?: number; detailConcurrency?: number; onDetails?: (s: StreamSummary) => void } = {},
  ) {}

  get state(): StreamListState {
    return { streams: this.streams.map((s) => this.details.get(s.name) ?? s), hasMore: !this.started || this.cursor !== undefined };
  }

  /** Loads the first page if nothing is loaded yet. */
  async ensureFirstPage(signal?: AbortSignal): Promise<StreamListState> {
    if (!this.started) await this.loadNextPage(signal);
    return this.state;
  }

  /** Loads one more page (no-op on the last page). Concurrent calls share one request. */
  async loadNextPage(signal?: AbortSignal): Promise<StreamListState> {
    if (this.started && this.cursor === undefined) return this.state;
    this.loading ??= (async () => {
      try {
        const page = await this.service.listStreamsPage(this.cursor, this.options.pageSize ?? STREAM_PAGE_SIZE, { abortSignal: signal });
        this.started = true;
        this.cursor = page.next;
        this.streams.push(...page.streams);
        this.fetchDetails(page.streams.map((s) => s.name));
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
    return this.state;
  }

  /** Loads every remaining page (filtering needs them all: ListStreams has no server filter). */
  async loadAll(signal?: AbortSignal): Promise<StreamListState> {
    do await this.loadNextPage(signal);
    while (this.cursor !== undefined && !signal?.aborted);
    return this.state;
  }

  /** Re-reads one stream's details (after a command changed it). */
  async refreshOne(name: string): Promise<StreamSummary | undefined> {
    try {
      const d = await this.service.describe(name);
      this.details.set(name, d);
      return d;
    } catch {
      return undefined;
    }
  }

  private queue: string[] = [];
  private active = 0;

  private fetchDetails(names: string[]): void {
    if (!this.options.onDetails) return;
    this.queue.push(...names);
    const limit = this.options.detailConcurrency ?? 4;
    while (this.active < limit && this.queue.length) {
      this.active++;
      void this.detailWorker().finally(() => this.active--);
    }
  }

  private async detailWorker(): Promise<void> {
    for (let name = this.queue.shift(); name !== undefined; name = this.queue.shift()) {
      const d = await this.refreshOne(name);
      if (d) this.options.onDetails?.(d);
    }
  }
}
