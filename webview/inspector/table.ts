import type { RowSummary, SortOrder } from '../../src/protocol/inspector';
import { h, text } from '../shared/dom';
import { formatTime, nf } from '../shared/format';

export const ROW_HEIGHT = 22;
const OVERSCAN = 120;

interface RowEl {
  el: HTMLDivElement;
  cells: HTMLSpanElement[];
  index: number;
}

/**
 * A virtualized table: fixed row height, one absolutely positioned element per visible row
 * (a reused pool), rows fetched from the host by range and cached per view version.
 */
export class VirtualTable {
  readonly root: HTMLDivElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: RowEl[] = [];
  private readonly cache = new Map<number, RowSummary>();
  private count = 0;
  private version = 0;
  private order: SortOrder = 'asc';
  private selectedId?: string;
  private selectedIndex = -1;
  private frame = 0;
  private fetching?: { version: number; start: number; end: number };
  private follow = true;
  private readonly sortButton: HTMLButtonElement;
  private readonly header: HTMLDivElement;
  private readonly previewHeader: HTMLSpanElement;
  /** Extra columns (a format's, columns from fields) between the size and the preview. */
  private extra: { key: string; title: string }[] = [];
  private extraHeaders: HTMLSpanElement[] = [];

  constructor(
    private readonly fetchRows: (version: number, start: number, count: number) => Promise<{ version: number; start: number; rows: RowSummary[] }>,
    private readonly onSelect: (row: RowSummary) => void,
    private readonly onSort: (order: SortOrder) => void,
  ) {
    this.sortButton = h('button', { class: 'sort', type: 'button', title: 'Sort by arrival time' });
    this.previewHeader = h('span', { class: 'c-preview', role: 'columnheader' }, 'Preview');
    const header = h(
      'div',
      { class: 'vt-header', role: 'row' },
      h('span', { class: 'c-time', role: 'columnheader' }, this.sortButton),
      h('span', { class: 'c-shard', role: 'columnheader' }, 'Shard'),
      h('span', { class: 'c-key', role: 'columnheader' }, 'Partition key'),
      h('span', { class: 'c-seq', role: 'columnheader', title: 'Sequence number' }, 'Sequence'),
      h('span', { class: 'c-size', role: 'columnheader' }, 'Size'),
      this.previewHeader,
    );
    this.header = header as HTMLDivElement;
    this.sortButton.addEventListener('click', () => {
      this.setOrder(this.order === 'asc' ? 'desc' : 'asc');
      this.onSort(this.order);
    });
    this.spacer = h('div', { class: 'vt-spacer' });
    this.viewport = h('div', { class: 'vt-viewport', tabindex: 0, role: 'grid', 'aria-label': 'Records' }, this.spacer);
    this.root = h('div', { class: 'vt' }, header, this.viewport);
    this.viewport.addEventListener('scroll', () => {
      const atEnd = this.order === 'asc'
        ? this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW_HEIGHT
        : this.viewport.scrollTop <= ROW_HEIGHT;
      this.follow = atEnd;
      this.schedule();
    }, { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
    this.viewport.addEventListener('click', (ev) => {
      const rowEl = (ev.target as HTMLElement).closest('.vt-row') as HTMLElement | null;
      if (!rowEl) return;
      this.selectIndex(Number(rowEl.dataset.index));
    });
    this.viewport.addEventListener('keydown', (ev) => {
      const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
      const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
      if (ev.key in moves) {
        ev.preventDefault();
        this.selectIndex(Math.max(0, Math.min(this.count - 1, (this.selectedIndex < 0 ? 0 : this.selectedIndex + moves[ev.key]))), true);
      } else if (ev.key === 'Home' || ev.key === 'End') {
        ev.preventDefault();
        this.selectIndex(ev.key === 'Home' ? 0 : this.count - 1, true);
      }
    });
    this.setOrder('asc');
  }

  /** Shows these extra columns (by cell key); the rows are drawn again with them. */
  setColumns(cols: readonly { key: string; title: string }[]): void {
    if (cols.length === this.extra.length && cols.every((c, i) => c.key === this.extra[i].key && c.title === this.extra[i].title)) return;
    this.extra = cols.map((c) => ({ key: c.key, title: c.title }));
    for (const el of this.extraHeaders) el.remove();
    this.extraHeaders = this.extra.map((c) => h('span', { class: 'c-extra', role: 'columnheader', title: c.key, 'data-key': c.key }, c.title) as HTMLSpanElement);
    for (const el of this.extraHeaders) this.header.insertBefore(el, this.previewHeader);
    this.root.classList.toggle('has-extra', this.extra.length > 0);
    this.root.style.setProperty('--extra-cols', String(this.extra.length));
    for (const r of this.pool) r.el.remove();
    this.pool.length = 0;
    this.schedule();
  }

  get columns(): readonly { key: string; title: string }[] {
    return this.extra;
  }

  get rowCount(): number {
    return this.count;
  }

  setOrder(order: SortOrder): void {
    if (order !== this.order) {
      this.order = order;
      this.follow = true;
      this.selectedIndex = -1;
    }
    text(this.sortButton, order === 'asc' ? 'Arrival time ▲' : 'Arrival time ▼');
    this.sortButton.setAttribute('aria-label', order === 'asc' ? 'Arrival time, oldest first' : 'Arrival time, newest first');
    this.schedule();
  }

  /** The host's view changed: new count; rows at or after changedFrom (view index) are stale. */
  update(version: number, count: number, changedFrom: number): void {
    if (changedFrom <= 0) this.cache.clear();
    else for (const k of this.cache.keys()) if (k >= changedFrom || k >= count) this.cache.delete(k);
    this.version = version;
    this.count = count;
    this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    if (this.follow) {
      if (this.order === 'asc') this.viewport.scrollTop = Math.max(0, count * ROW_HEIGHT - this.viewport.clientHeight);
      else this.viewport.scrollTop = 0;
    }
    if (this.selectedId !== undefined) this.selectedIndex = -1;
    this.schedule();
  }

  private viewIndex(displayIndex: number): number {
    return this.order === 'asc' ? displayIndex : this.count - 1 - displayIndex;
  }

  private selectIndex(displayIndex: number, reveal = false): void {
    if (displayIndex < 0 || displayIndex >= this.count) return;
    this.selectedIndex = displayIndex;
    if (reveal) {
      const top = displayIndex * ROW_HEIGHT;
      if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
      else if (top + ROW_HEIGHT > this.viewport.scrollTop + this.viewport.clientHeight) this.viewport.scrollTop = top + ROW_HEIGHT - this.viewport.clientHeight;
    }
    const row = this.cache.get(this.viewIndex(displayIndex));
    if (row) {
      this.selectedId = row.id;
      this.onSelect(row);
    }
    this.schedule();
  }

  scrollToTop(): void {
    this.viewport.scrollTop = 0;
  }

  scrollBy(px: number): void {
    this.viewport.scrollTop += px;
  }

  get element(): HTMLElement {
    return this.viewport;
  }

  schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const vh = this.viewport.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT));
    const visible = Math.ceil(vh / ROW_HEIGHT) + 1;
    const last = Math.min(this.count, first + visible);
    while (this.pool.length < visible) this.pool.push(this.makeRow());
    let missing = false;
    let painted = 0;
    for (let i = 0; i < this.pool.length; i++) {
      const r = this.pool[i];
      const d = first + i;
      if (d >= last) {
        if (r.index !== -1) {
          r.el.hidden = true;
          r.index = -1;
        }
        continue;
      }
      r.el.hidden = false;
      r.index = d;
      r.el.dataset.index = String(d);
      r.el.style.transform = `translateY(${d * ROW_HEIGHT}px)`;
      const row = this.cache.get(this.viewIndex(d));
      if (!row) {
        missing = true;
        r.el.className = 'vt-row loading';
        for (const c of r.cells) text(c, '');
        text(r.cells[r.cells.length - 1], '…');
        continue;
      }
      painted++;
      r.el.className = 'vt-row' + (row.failed ? ' failed' : '') + (row.id === this.selectedId ? ' selected' : '');
      if (row.id === this.selectedId) this.selectedIndex = d;
      r.el.setAttribute('aria-selected', String(row.id === this.selectedId));
      text(r.cells[0], formatTime(row.arrivalTime));
      text(r.cells[1], shortShard(row.shardId));
      r.cells[1].title = row.shardId;
      text(r.cells[2], row.partitionKey);
      r.cells[2].title = row.partitionKey;
      const seq = row.subSequenceNumber === undefined ? row.sequenceNumber : `${row.sequenceNumber}/${row.subSequenceNumber}`;
      text(r.cells[3], seq);
      r.cells[3].title = seq;
      text(r.cells[4], nf.format(row.size));
      for (let k = 0; k < this.extra.length; k++) {
        const v = row.cells?.[this.extra[k].key] ?? '';
        text(r.cells[5 + k], v);
        r.cells[5 + k].title = v;
      }
      text(r.cells[r.cells.length - 1], row.preview);
    }
    if (missing) this.fetchAround(first, last);
    if (painted > 0 || this.count === 0) {
      document.dispatchEvent(new CustomEvent('inspector-painted', { detail: { version: this.version, first, last, painted, count: this.count } }));
    }
  }

  private fetchAround(first: number, last: number): void {
    // in view indexes
    const a = this.viewIndex(first);
    const b = this.viewIndex(Math.max(first, last - 1));
    const lo = Math.max(0, Math.min(a, b) - OVERSCAN);
    const hi = Math.min(this.count, Math.max(a, b) + 1 + OVERSCAN);
    const f = this.fetching;
    if (f && f.version === this.version && f.start <= Math.min(a, b) && f.end > Math.max(a, b)) return;
    const req = { version: this.version, start: lo, end: hi };
    this.fetching = req;
    this.fetchRows(req.version, lo, hi - lo).then(
      (res) => {
        if (this.fetching === req) this.fetching = undefined;
        if (res.version !== this.version) {
          this.schedule();
          return;
        }
        res.rows.forEach((row, i) => this.cache.set(res.start + i, row));
        // keep the cache bounded: drop what is far from the window
        if (this.cache.size > 4000) {
          for (const k of this.cache.keys()) if (k < lo - 1000 || k > hi + 1000) this.cache.delete(k);
        }
        this.schedule();
      },
      () => {
        if (this.fetching === req) this.fetching = undefined;
      },
    );
  }

  private makeRow(): RowEl {
    const classes = ['c-time', 'c-shard', 'c-key', 'c-seq', 'c-size', ...this.extra.map(() => 'c-extra'), 'c-preview'];
    const cells = classes.map((c) => h('span', { class: c, role: 'gridcell' }));
    const el = h('div', { class: 'vt-row', role: 'row' }, ...cells) as HTMLDivElement;
    el.hidden = true;
    this.viewport.append(el);
    return { el, cells, index: -1 };
  }
}

/** "shardId-000000000007" -> "7" style short form for the narrow column (full id in the tooltip). */
export function shortShard(id: string): string {
  const m = /^shardId-0*(\d+)$/.exec(id);
  return m ? `shard ${m[1]}` : id;
}
