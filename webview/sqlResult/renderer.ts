/**
 * The notebook renderer of SQL results (`application/vnd.kinesis.sql+json`): a line chart when the
 * result has a time column and a number, and a virtualised table (fixed row height, only the
 * visible rows in the DOM) so that 100,000 rows scroll as smoothly as 10.
 */
import { chartSpec, renderChartSvg } from '../../src/core/sql/chart';

interface SqlResultData {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  summary: string;
}

interface OutputItem {
  json(): unknown;
}

const ROW_HEIGHT = 22;
const OVERSCAN = 20;
const STYLE = `
.ksql { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground); }
.ksql-summary { color: var(--vscode-descriptionForeground); margin: 2px 0 6px; }
.ksql-chart { display: block; margin: 4px 0 8px; max-width: 100%; }
.ksql-table { border: 1px solid var(--vscode-panel-border, #8884); max-width: 100%; overflow-x: auto; }
.ksql-head, .ksql-row { display: grid; white-space: nowrap; }
.ksql-head { font-weight: 600; border-bottom: 1px solid var(--vscode-panel-border, #8884); background: var(--vscode-editorWidget-background, transparent); }
.ksql-head span { padding: 2px 8px; overflow: hidden; text-overflow: ellipsis; }
.ksql-head small { font-weight: normal; color: var(--vscode-descriptionForeground); margin-left: 4px; }
.ksql-viewport { position: relative; overflow-y: auto; }
.ksql-row { position: absolute; left: 0; right: 0; height: ${ROW_HEIGHT}px; line-height: ${ROW_HEIGHT}px; }
.ksql-row:nth-child(even) { background: var(--vscode-list-hoverBackground, #8881); }
.ksql-row span { padding: 0 8px; overflow: hidden; text-overflow: ellipsis; font-family: var(--vscode-editor-font-family, monospace); }
.ksql-row span.num { text-align: right; }
.ksql-row span.null { color: var(--vscode-descriptionForeground); font-style: italic; }
`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

function render(data: SqlResultData, element: HTMLElement): void {
  element.replaceChildren();
  const root = el('div', 'ksql');
  root.dataset.rows = String(data.rowCount);
  const style = el('style');
  style.textContent = STYLE;
  root.append(style, el('div', 'ksql-summary', data.summary));

  const spec = chartSpec(data.columns, data.rows);
  if (spec) {
    // The SVG is built from escaped text only (renderChartSvg escapes every label).
    const holder = el('div');
    holder.innerHTML = renderChartSvg(spec);
    root.append(holder);
  }

  const widths = data.columns.map((c, i) => {
    let w = c.name.length + c.type.length / 2 + 2;
    for (let r = 0; r < Math.min(200, data.rows.length); r++) w = Math.max(w, cellText(data.rows[r][i]).length);
    // About 8.5 px a character of the editor font, plus the cell's padding.
    return Math.min(48, Math.max(6, w)) * 8.5 + 18;
  });
  const template = widths.map((w) => `${Math.round(w)}px`).join(' ');
  const total = widths.reduce((a, b) => a + b, 0);
  const table = el('div', 'ksql-table');
  const head = el('div', 'ksql-head');
  head.style.gridTemplateColumns = template;
  head.style.width = `${total}px`;
  for (const c of data.columns) {
    const s = el('span', undefined, c.name);
    s.title = `${c.name} ${c.type}`;
    s.append(el('small', undefined, c.type.length > 16 ? c.type.slice(0, 15) + '…' : c.type));
    head.append(s);
  }
  const viewport = el('div', 'ksql-viewport');
  viewport.style.height = `${Math.min(data.rows.length, 15) * ROW_HEIGHT + 2}px`;
  viewport.style.width = `${total}px`;
  const spacer = el('div');
  spacer.style.height = `${data.rows.length * ROW_HEIGHT}px`;
  viewport.append(spacer);
  table.append(head, viewport);
  root.append(table);
  element.append(root);

  const numeric = data.columns.map((c) => NUMERIC.test(c.type));
  const pool: HTMLDivElement[] = [];
  let frame = 0;
  const paint = () => {
    frame = 0;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(data.rows.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const needed = last - first;
    while (pool.length < needed) {
      const row = el('div', 'ksql-row');
      row.style.gridTemplateColumns = template;
      for (let i = 0; i < data.columns.length; i++) row.append(el('span'));
      pool.push(row);
      viewport.append(row);
    }
    for (let k = 0; k < pool.length; k++) {
      const row = pool[k];
      const index = first + k;
      if (index >= last) {
        row.style.display = 'none';
        continue;
      }
      row.style.display = '';
      row.style.top = `${index * ROW_HEIGHT}px`;
      row.dataset.index = String(index);
      const values = data.rows[index];
      for (let i = 0; i < values.length; i++) {
        const span = row.children[i] as HTMLSpanElement;
        const v = values[i];
        span.textContent = cellText(v);
        span.className = v === null ? 'null' : numeric[i] ? 'num' : '';
      }
    }
  };
  viewport.addEventListener('scroll', () => {
    if (!frame) frame = requestAnimationFrame(paint);
  });
  paint();
}

export function activate(): { renderOutputItem(item: OutputItem, element: HTMLElement): void; disposeOutputItem(): void } {
  return {
    renderOutputItem(item, element) {
      render(item.json() as SqlResultData, element);
    },
    disposeOutputItem() {
      /* nothing held outside the element */
    },
  };
}
