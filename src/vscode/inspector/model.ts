/**
 * The inspector's host-side model: the records held (capped by count and by memory, oldest
 * dropped first), the filtered
 * view sorted by arrival time, and the statistics the charts show. No `vscode` import: the
 * integration test and the webview benchmark drive it directly.
 */
import type { DecodedRecord } from '../../core/records/types';
import { RecordFilter } from '../../core/records/filters';
import { fieldColumn } from '../../core/records/formats';
import type { InspectorFilter, InspectorStats, RowSummary } from '../../protocol/inspector';
import { FieldColumn, summarize } from './rowSummary';

export { summarize } from './rowSummary';

interface Held {
  rec: DecodedRecord;
  /** Memory this record takes (estimated), for the byte budget. */
  bytes: number;
  /** Receipt order. */
  n: number;
  matched: boolean;
}

export interface ViewChange {
  version: number;
  count: number;
  changedFrom: number;
}

const RATE_WINDOW_S = 60;

export class InspectorModel {
  private held: Held[] = [];
  private head = 0;
  private nextN = 0;
  private readonly byId = new Map<string, Held>();
  private view: Held[] = [];
  private filter: RecordFilter = RecordFilter.compile({}).filter;
  private filterSpec: InspectorFilter = {};
  private version = 0;
  private changedFrom = Number.POSITIVE_INFINITY;
  private dirty = false;
  dropped = 0;
  read = 0;
  private readonly keyCounts = new Map<string, number>();
  private readonly shardCounts = new Map<string, number>();
  private readonly rates = new Map<number, { records: number; bytes: number }>();
  /** Estimated memory of the records held, in bytes. */
  heldBytes = 0;
  /** Matching records per recognised format (`other` for the rest). */
  private readonly formatCounts = new Map<string, number>();
  private fieldColumns: FieldColumn[] = [];

  /** At most `maxRecords` records and about `maxBytes` bytes of them are held. */
  constructor(private _maxRecords: number, private _maxBytes = Number.POSITIVE_INFINITY) {}

  get maxRecords(): number {
    return this._maxRecords;
  }

  get maxBytes(): number {
    return this._maxBytes;
  }

  /** Changes the caps; records beyond a lowered cap are dropped now, not at the next batch. */
  setLimits(maxRecords: number, maxBytes = this._maxBytes): void {
    this._maxRecords = maxRecords;
    this._maxBytes = maxBytes;
    this.enforceCap();
  }

  get heldCount(): number {
    return this.held.length - this.head;
  }

  get matchingCount(): number {
    return this.view.length;
  }

  get currentFilter(): InspectorFilter {
    return this.filterSpec;
  }

  /** Adds decoded records (in the order read); drops the oldest beyond the cap. */
  add(batch: readonly DecodedRecord[], now = Date.now()): void {
    if (!batch.length) return;
    const sec = Math.floor(now / 1000);
    const bucket = this.rates.get(sec) ?? { records: 0, bytes: 0 };
    this.rates.set(sec, bucket);
    const fresh: Held[] = [];
    for (const rec of batch) {
      if (this.byId.has(rec.id)) continue;
      const h: Held = { rec, bytes: memoryOf(rec), n: this.nextN++, matched: this.filter.matches(rec) };
      this.held.push(h);
      this.heldBytes += h.bytes;
      this.byId.set(rec.id, h);
      this.read++;
      bucket.records++;
      // The rows of one CloudWatch Logs payload came in its bytes once.
      if (!rec.logEvent || rec.logEvent.index === 0) bucket.bytes += rec.size;
      inc(this.keyCounts, rec.partitionKey);
      inc(this.shardCounts, rec.shardId);
      if (h.matched) {
        fresh.push(h);
        inc(this.formatCounts, formatKey(rec));
      }
    }
    if (fresh.length) this.insertIntoView(fresh);
    this.enforceCap();
    for (const k of this.rates.keys()) if (k < sec - RATE_WINDOW_S) this.rates.delete(k);
  }

  private insertIntoView(fresh: Held[]): void {
    fresh.sort(byArrival);
    const v = this.view;
    if (!v.length || byArrival(v[v.length - 1], fresh[0]) <= 0) {
      this.markChanged(v.length);
      for (const h of fresh) v.push(h);
      return;
    }
    // Merge: keep the prefix that sorts before the first new record, merge the rest.
    const pos = upperBound(v, fresh[0]);
    const tail = v.splice(pos);
    let i = 0;
    let j = 0;
    while (i < tail.length && j < fresh.length) v.push(byArrival(tail[i], fresh[j]) <= 0 ? tail[i++] : fresh[j++]);
    while (i < tail.length) v.push(tail[i++]);
    while (j < fresh.length) v.push(fresh[j++]);
    this.markChanged(pos);
  }

  private enforceCap(): void {
    let excess = Math.max(0, this.heldCount - this._maxRecords);
    let bytes = this.heldBytes;
    for (let i = 0; i < excess; i++) bytes -= this.held[this.head + i].bytes;
    while (bytes > this._maxBytes && excess < this.heldCount) bytes -= this.held[this.head + excess++].bytes;
    if (excess <= 0) return;
    this.heldBytes = bytes;
    let droppedMatching = 0;
    for (let i = 0; i < excess; i++) {
      const h = this.held[this.head + i];
      this.held[this.head + i] = undefined as unknown as Held; // let it go now
      this.byId.delete(h.rec.id);
      dec(this.keyCounts, h.rec.partitionKey);
      dec(this.shardCounts, h.rec.shardId);
      if (h.matched) {
        droppedMatching++;
        dec(this.formatCounts, formatKey(h.rec));
      }
    }
    this.head += excess;
    this.dropped += excess;
    const cutoff = this.held[this.head]?.n ?? this.nextN;
    if (this.head > 65536 && this.head > this.held.length / 2) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
    if (droppedMatching) {
      this.view = this.view.filter((h) => h.n >= cutoff);
      this.markChanged(0);
    }
  }

  private markChanged(from: number): void {
    this.dirty = true;
    this.changedFrom = Math.min(this.changedFrom, from);
  }

  /** Replaces the filter; a JMESPath syntax error comes back (and the view is left as it was). */
  setFilter(spec: InspectorFilter): { error?: string; warning?: string } {
    const compiled = RecordFilter.compile({
      partitionKey: spec.partitionKey || undefined,
      shardIds: spec.shards?.length ? spec.shards : undefined,
      from: spec.from,
      to: spec.to,
      text: spec.text || undefined,
      jmespath: spec.jmespath?.trim() || undefined,
    });
    if (compiled.error) return { error: compiled.error };
    this.filter = compiled.filter;
    this.filterSpec = spec;
    this.refilter();
    return compiled.filter.runtimeError ? { warning: compiled.filter.runtimeError } : {};
  }

  /**
   * Records decoded again take the place of those they came from, in the order held (a schema
   * arrived, rows per log event switched on or off). `map` gives the new records of a held one,
   * or undefined to keep it. The view is rebuilt; returns how many records were replaced.
   */
  replace(map: (r: DecodedRecord) => readonly DecodedRecord[] | undefined): number {
    const next: Held[] = [];
    let replaced = 0;
    for (let i = this.head; i < this.held.length; i++) {
      const h = this.held[i];
      const out = map(h.rec);
      if (!out) {
        next.push(h);
        continue;
      }
      replaced++;
      this.byId.delete(h.rec.id);
      this.heldBytes -= h.bytes;
      this.read--;
      dec(this.keyCounts, h.rec.partitionKey);
      dec(this.shardCounts, h.rec.shardId);
      for (const rec of out) {
        if (this.byId.has(rec.id)) continue;
        const nh: Held = { rec, bytes: memoryOf(rec), n: 0, matched: false };
        next.push(nh);
        this.byId.set(rec.id, nh);
        this.heldBytes += nh.bytes;
        this.read++;
        inc(this.keyCounts, rec.partitionKey);
        inc(this.shardCounts, rec.shardId);
      }
    }
    if (!replaced) return 0;
    next.forEach((h, i) => (h.n = i));
    this.nextN = next.length;
    this.held = next;
    this.head = 0;
    this.refilter();
    this.enforceCap();
    return replaced;
  }

  /** Matches every held record against the filter again and rebuilds the view. */
  private refilter(): void {
    const v: Held[] = [];
    this.formatCounts.clear();
    for (let i = this.head; i < this.held.length; i++) {
      const h = this.held[i];
      h.matched = this.filter.matches(h.rec);
      if (h.matched) {
        v.push(h);
        inc(this.formatCounts, formatKey(h.rec));
      }
    }
    v.sort(byArrival);
    this.view = v;
    this.markChanged(0);
  }

  clear(): void {
    this.held = [];
    this.head = 0;
    this.heldBytes = 0;
    this.byId.clear();
    this.view = [];
    this.keyCounts.clear();
    this.shardCounts.clear();
    this.formatCounts.clear();
    this.rates.clear();
    this.dropped = 0;
    this.read = 0;
    this.markChanged(0);
  }

  /** The view change since the last call (coalesced), if any. */
  takeChange(): ViewChange | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    this.version++;
    const change = { version: this.version, count: this.view.length, changedFrom: Math.min(this.changedFrom, this.view.length) };
    this.changedFrom = Number.POSITIVE_INFINITY;
    return change;
  }

  get viewVersion(): number {
    return this.version;
  }

  /** Rows of the filtered view, oldest first, with their format's cells and the columns from fields. */
  rows(start: number, count: number): RowSummary[] {
    const out: RowSummary[] = [];
    const end = Math.min(this.view.length, start + Math.max(0, Math.min(count, 2000)));
    for (let i = Math.max(0, start); i < end; i++) out.push(summarize(this.view[i].rec, this.fieldColumns));
    return out;
  }

  /** The specs of the columns from fields the rows carry. */
  get fieldColumnSpecs(): string[] {
    return this.fieldColumns.map((c) => c.spec);
  }

  /** Matching records per recognised format (`other` for records of none). */
  formats(): Record<string, number> {
    return Object.fromEntries(this.formatCounts);
  }

  /**
   * The columns from fields the rows carry: each spec compiled (a JMESPath or `format:column`);
   * the ones refused come back with why, the others are kept. The view's rows are stale after.
   */
  setFieldColumns(specs: readonly string[]): { columns: string[]; errors: { spec: string; error: string }[] } {
    const kept: FieldColumn[] = [];
    const errors: { spec: string; error: string }[] = [];
    for (const spec of specs) {
      const c = fieldColumn(spec);
      if (c.error !== undefined) errors.push({ spec, error: `Column "${spec}": ${c.error}` });
      else kept.push({ spec, value: c.value });
    }
    this.fieldColumns = kept;
    this.markChanged(0);
    return { columns: kept.map((c) => c.spec), errors };
  }

  get(id: string): DecodedRecord | undefined {
    return this.byId.get(id)?.rec;
  }

  /** The filtered records, oldest first (export). */
  *filtered(): IterableIterator<DecodedRecord> {
    for (const h of this.view.slice()) yield h.rec;
  }

  /** All records held, in the order read. */
  *all(): IterableIterator<DecodedRecord> {
    for (let i = this.head; i < this.held.length; i++) yield this.held[i].rec;
  }

  stats(now = Date.now()): InspectorStats {
    const sec = Math.floor(now / 1000);
    const rates = [];
    // complete seconds only: the current one is still filling
    for (let t = sec - RATE_WINDOW_S; t < sec; t++) {
      const b = this.rates.get(t);
      rates.push({ t, records: b?.records ?? 0, bytes: b?.bytes ?? 0 });
    }
    const perShard = [...this.shardCounts].map(([shardId, count]) => ({ shardId, count })).sort((a, b) => a.shardId.localeCompare(b.shardId));
    return { rates, perShard, topKeys: topN(this.keyCounts, 8) };
  }
}

/** Memory a record takes: what the decoder estimated, else its bytes, base64 and text. */
function memoryOf(r: DecodedRecord): number {
  return r.memoryBytes ?? 200 + r.size * 2.5 + r.text.length;
}

function byArrival(a: Held, b: Held): number {
  return a.rec.arrivalTime - b.rec.arrivalTime || a.n - b.n;
}

/** First index whose element sorts after x. */
function upperBound(v: Held[], x: Held): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byArrival(v[mid], x) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function formatKey(r: DecodedRecord): string {
  return r.format ?? 'other';
}

function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function dec(m: Map<string, number>, k: string): void {
  const c = (m.get(k) ?? 0) - 1;
  if (c <= 0) m.delete(k);
  else m.set(k, c);
}

function topN(m: Map<string, number>, n: number): { key: string; count: number }[] {
  const top: { key: string; count: number }[] = [];
  for (const [key, count] of m) {
    if (top.length === n && count <= top[n - 1].count) continue;
    let i = top.length;
    while (i > 0 && top[i - 1].count < count) i--;
    top.splice(i, 0, { key, count });
    if (top.length > n) top.pop();
  }
  return top;
}
