/**
 * One record inspector's reading session: the reader of the moment (older generations are
 * ignored), play state, decoding in slices into the model, and the coalesced `view`, `status`
 * and `stats` events the webview gets. No `vscode` import: the panel adapts it, tests run it in
 * plain Node against kinesalite.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describeError, UserError } from '../../core/aws/errors';
import { ReaderEnd, StreamReader } from '../../core/records/reader';
import { RecordDecodeQueue } from '../../core/records/decodeQueue';
import type { DecodeOptions } from '../../core/records/decoders';
import type { AvroSchemas } from '../../core/records/avroSchemas';
import { isLogPayloadRow, redecodeRecord, sourceRecordId, undecodedSchemaId } from '../../core/records/redecode';
import type { DecodedRecord, ShardProgress } from '../../core/records/types';
import { InspectorEvent, InspectorFilter, InspectorOptions, InspectorStatus, PlayState, sanitizeColumns, sanitizeFilter, sanitizeOptions, SortOrder } from '../../protocol/inspector';
import { InspectorModel } from './model';

export const FLUSH_MS = 200;
export const STATS_MS = 1000;

export interface SessionLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface InspectorSessionInit {
  streamName: string;
  client: () => Promise<KinesisClient>;
  log: SessionLog;
  /** Sends an event to the webview; the session calls it only when `canPost()`. */
  post: (e: InspectorEvent) => void;
  /** The webview is there to listen (it said ready, the panel is open). */
  canPost: () => boolean;
  /** The webview is on screen (charts are drawn only then). */
  isVisible: () => boolean;
  maxRecords: number;
  maxMemoryBytes: number;
  options?: InspectorOptions;
  filter?: InspectorFilter;
  sort?: SortOrder;
  /** Columns from fields the rows carry (JMESPath or `format:column`). */
  columns?: string[];
  /** The fields of the stream's CloudFront real-time log configuration (setting `kinesis.records.cloudFrontFields`). */
  cloudFrontFields?: readonly string[];
  /** Where Glue Schema Registry records find their Avro schemas (the workspace, settings, Glue). */
  schemas?: AvroSchemas;
  /** CloudWatch Logs payloads as one row per log event. */
  logEventRows?: boolean;
}

export class InspectorSession {
  readonly streamName: string;
  readonly model: InspectorModel;
  options: InspectorOptions;
  sort: SortOrder;
  state: PlayState = 'stopped';
  private readonly decoder: RecordDecodeQueue;
  private reader?: StreamReader;
  private generation = 0;
  private progress: ShardProgress[] = [];
  private lastError?: string;
  private ended?: ReaderEnd;
  private readonly hidden = { controlMessages: 0 };
  private schemas?: AvroSchemas;
  private statusDirty = false;
  private disposed = false;
  private readonly timers: ReturnType<typeof setInterval>[];

  constructor(private readonly init: InspectorSessionInit) {
    this.streamName = init.streamName;
    this.model = new InspectorModel(init.maxRecords, init.maxMemoryBytes);
    this.options = init.options ?? { position: { type: 'LATEST' }, shards: 'all' };
    this.sort = init.sort ?? 'asc';
    this.schemas = init.schemas;
    if (init.filter) this.model.setFilter(init.filter);
    // Decodes what the reader gives in slices, between which the host answers other work.
    this.decoder = new RecordDecodeQueue(
      (records) => {
        this.model.add(records);
        this.statusDirty = true;
        this.loadSchemasOf(records);
      },
      (e) => init.log.error(`Inspector ${this.streamName}: holding decoded records failed: ${describeError(e).message}`),
      undefined,
      {
        counts: this.hidden,
        ...(init.cloudFrontFields?.length ? { cloudFrontFields: init.cloudFrontFields } : {}),
        ...(init.schemas ? { avroSchemas: init.schemas } : {}),
        ...(init.logEventRows ? { cloudWatchLogs: { rowPerEvent: true } } : {}),
      },
    );
    if (init.columns?.length) this.model.setFieldColumns(init.columns);
    this.timers = [setInterval(() => this.flush(), FLUSH_MS), setInterval(() => this.postStats(), STATS_MS)];
  }

  get shardProgress(): readonly ShardProgress[] {
    return this.progress;
  }

  /** Starts a new read: drops what was held, reads from the chosen position. A bad position is a notice, not a throw. */
  async start(options: InspectorOptions): Promise<void> {
    let checked: InspectorOptions;
    try {
      checked = sanitizeOptions(options);
    } catch (e) {
      this.post({ type: 'notice', level: 'error', message: describeError(e).message });
      return;
    }
    await this.stop();
    this.options = checked;
    this.decoder.clear();
    this.model.clear();
    this.lastError = undefined;
    this.ended = undefined;
    this.hidden.controlMessages = 0;
    this.progress = [];
    // A new read tries again the schemas that failed (a file added, credentials renewed).
    this.schemas?.forget();
    this.setState('starting');
    const generation = ++this.generation;
    let client: KinesisClient;
    try {
      client = await this.init.client();
    } catch (e) {
      this.lastError = describeError(e, { operation: 'connect', stream: this.streamName }).message;
      this.setState('stopped');
      return;
    }
    if (generation !== this.generation || this.disposed) return;
    const reader = new StreamReader({
      client,
      streamName: this.streamName,
      start: this.options.position,
      shardIds: this.options.shards === 'all' ? undefined : this.options.shards,
      ...(this.options.end ? { end: this.options.end } : {}),
    });
    this.reader = reader;
    reader.onRecords((batch) => {
      if (this.reader === reader) this.decoder.push(batch);
    });
    reader.onProgress((p) => {
      if (this.reader !== reader) return;
      this.progress = p;
      this.statusDirty = true;
    });
    reader.onError((e) => {
      if (this.reader !== reader) return;
      const where = e.shardId ? ` (${e.shardId})` : '';
      if (e.fatal) {
        this.lastError = `${e.message}${where}`;
        this.init.log.error(`Inspector ${this.streamName}${where}: ${e.message}`);
        if (!e.shardId) void this.stop();
      } else {
        this.init.log.warn(`Inspector ${this.streamName}${where}: ${e.message} (retrying)`);
      }
      this.statusDirty = true;
    });
    reader.onEnd((end) => {
      if (this.reader !== reader) return;
      this.ended = end;
      this.init.log.info(`Inspector ${this.streamName}: the window ended (${end.reason}) after ${end.recordsRead} records`);
      // What the reader gave is decoded before the state says stopped.
      void this.decoder.idle().then(() => {
        if (this.reader === reader) void this.stop();
      });
    });
    reader.start();
    this.setState('playing');
    this.init.log.info(`Inspector: reading ${this.streamName} from ${this.options.position.type}`);
  }

  async stop(): Promise<void> {
    const r = this.reader;
    this.reader = undefined;
    this.generation++;
    if (r) {
      await r.stop().catch(() => undefined);
      this.progress = r.progress();
    }
    if (!this.disposed) this.setState('stopped');
    else this.state = 'stopped';
  }

  pause(): void {
    if (!this.reader || this.state !== 'playing') return;
    this.reader.pause();
    this.setState('paused');
  }

  resume(): void {
    if (!this.reader || this.state !== 'paused') return;
    this.reader.resume();
    this.setState('playing');
  }

  clear(): void {
    this.decoder.clear();
    this.model.clear();
    this.hidden.controlMessages = 0;
    this.statusDirty = true;
    this.flush();
  }

  setSort(order: SortOrder): void {
    this.sort = order;
  }

  /** Applies a filter from the webview; a bad expression is refused (the last good filter stays). */
  setFilter(filter: InspectorFilter): { matching: number; warning?: string } {
    const res = this.model.setFilter(sanitizeFilter(filter));
    if (res.error) throw new UserError(res.error);
    this.statusDirty = true;
    this.flush();
    return { matching: this.model.matchingCount, ...(res.warning ? { warning: res.warning } : {}) };
  }

  /** The columns from fields the rows carry; the refused ones come back with why. */
  setColumns(columns: string[]): { columns: string[]; errors: { spec: string; error: string }[] } {
    const res = this.model.setFieldColumns(sanitizeColumns(columns));
    this.flush();
    return res;
  }

  /** The CloudFront fields changed (setting): records read from now on are decoded with them. */
  setCloudFrontFields(fields: readonly string[]): void {
    const { cloudFrontFields: _old, ...rest } = this.decoder.options;
    this.decoder.options = fields.length ? { ...rest, cloudFrontFields: fields } : rest;
  }

  /** How records are decoded now (the detail's decoding by hand uses the same schemas and fields). */
  get decodeOptions(): DecodeOptions {
    return this.decoder.options;
  }
  get avroSchemas(): AvroSchemas | undefined {
    return this.schemas;
  }

  get logEventRows(): boolean {
    return !!this.decoder.options.cloudWatchLogs?.rowPerEvent;
  }

  /**
   * CloudWatch Logs payloads as one row per log event, or one row per record: records read from
   * now on are decoded so, and the payloads held are decoded again (each payload once).
   */
  setLogEventRows(on: boolean): void {
    if (on === this.logEventRows) return;
    const { cloudWatchLogs: _old, ...rest } = this.decoder.options;
    this.decoder.options = on ? { ...rest, cloudWatchLogs: { rowPerEvent: true } } : rest;
    const seen = new Set<string>();
    this.redecode((r) => {
      if (!isLogPayloadRow(r)) return false;
      const id = sourceRecordId(r);
      if (seen.has(id)) return 'drop';
      seen.add(id);
      return true;
    });
  }

  /**
   * The schema sources changed (an .avsc file in the workspace, a setting): forget what failed and
   * look again for the schemas of the records not decoded. With the file that changed (or went),
   * the schemas read from it are read again too, and every held record of theirs is decoded
   * again, those decoded with the old schema as well. Records are decoded again in slices.
   */
  schemasChanged(schemas = this.schemas, changedFile?: string): void {
    if (schemas !== this.schemas) {
      this.schemas = schemas;
      this.decoder.options = { ...this.decoder.options, avroSchemas: schemas };
    }
    const stale = new Set(changedFile ? schemas?.forgetFile(changedFile) : []);
    schemas?.forget();
    const ids = new Set(stale);
    for (const r of this.model.all()) {
      const id = undecodedSchemaId(r);
      if (id) ids.add(id);
    }
    if (ids.size) void this.loadSchemas(ids, stale);
  }

  /** Loads the schemas that the Glue Schema Registry records just held need; they are decoded again once loaded. */
  private loadSchemasOf(records: readonly DecodedRecord[]): void {
    const schemas = this.schemas;
    if (!schemas) return;
    let ids: Set<string> | undefined;
    for (const r of records) {
      const id = undecodedSchemaId(r);
      if (id && !schemas.has(id)) (ids ??= new Set()).add(id);
    }
    if (ids) void this.loadSchemas(ids);
  }

  /** Loads these schemas, then decodes again the held records not decoded with them (and all records of the `stale` ones). */
  private async loadSchemas(ids: Set<string>, stale: ReadonlySet<string> = new Set()): Promise<void> {
    const schemas = this.schemas!;
    try {
      await schemas.load(ids);
    } catch (e) {
      this.init.log.error(`Inspector ${this.streamName}: loading Avro schemas failed: ${describeError(e).message}`);
    }
    if (this.disposed) return;
    const id = (r: DecodedRecord) => r.schemaVersionId?.toLowerCase() ?? '';
    const picked = [...this.model.all()].filter((r) => stale.has(id(r)) || (ids.has(id(r)) && undecodedSchemaId(r) !== undefined));
    this.decoder.redecode(picked, (replacements) => {
      const n = this.disposed ? 0 : this.model.replace((r) => replacements.get(r.id));
      if (!n) return;
      this.statusDirty = true;
      this.flush();
      this.init.log.info(`Inspector ${this.streamName}: ${n} Glue Schema Registry records decoded again with schemas ${[...ids].map((i) => `${i} (${schemas.get(i)?.source ?? schemas.get(i)?.error})`).join(', ')}`);
    });
  }

  /** Decodes again the held records `which` picks ('drop': the record goes, another row of its payload brings it back). */
  private redecode(which: (r: DecodedRecord) => boolean | 'drop'): number {
    const options = { ...this.decoder.options, counts: undefined };
    const n = this.model.replace((r) => {
      const w = which(r);
      return w === 'drop' ? [] : w ? redecodeRecord(r, options) : undefined;
    });
    if (n) {
      this.statusDirty = true;
      this.flush();
    }
    return n;
  }

  /** The caps changed (settings): lower ones apply at once. */
  setLimits(maxRecords: number, maxMemoryBytes: number): void {
    this.model.setLimits(maxRecords, maxMemoryBytes);
    this.statusDirty = true;
    this.flush();
  }

  /** A (new) webview: the whole current view, status and charts. */
  sendAll(): void {
    const change = this.model.takeChange();
    this.post({ type: 'view', version: change?.version ?? this.model.viewVersion, count: this.model.matchingCount, changedFrom: 0 });
    this.post({ type: 'status', status: this.status() });
    this.postStats();
  }

  status(): InspectorStatus {
    const s: InspectorStatus = {
      state: this.state,
      shards: this.progress,
      held: this.model.heldCount,
      matching: this.model.matchingCount,
      dropped: this.model.dropped,
      maxRecords: this.model.maxRecords,
      read: this.model.read,
    };
    if (this.lastError) s.error = this.lastError;
    s.formats = this.model.formats();
    if (this.hidden.controlMessages) s.controlMessagesHidden = this.hidden.controlMessages;
    if (this.ended) s.ended = this.ended;
    if (this.options.end) s.end = this.options.end;
    return s;
  }

  /** Posts what changed since the last flush (coalesced: at most every FLUSH_MS). */
  flush(): void {
    if (this.disposed || !this.init.canPost()) return;
    const change = this.model.takeChange();
    if (change) {
      this.post({ type: 'view', ...change });
      this.statusDirty = true;
    }
    if (this.statusDirty) {
      this.statusDirty = false;
      this.post({ type: 'status', status: this.status() });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timers.forEach(clearInterval);
    this.decoder.clear();
    void this.stop();
  }

  private setState(s: PlayState): void {
    this.state = s;
    this.statusDirty = true;
    this.flush();
  }

  private postStats(): void {
    if (this.disposed || !this.init.canPost() || !this.init.isVisible()) return;
    if (this.state === 'stopped' && this.model.heldCount === 0) return;
    this.post({ type: 'stats', stats: this.model.stats() });
  }

  private post(e: InspectorEvent): void {
    if (!this.disposed && this.init.canPost()) this.init.post(e);
  }
}
