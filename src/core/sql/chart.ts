/**
 * The line chart of a SQL result, when it has a time column and a number: x is the first
 * TIMESTAMP/DATE column, y the first numeric column; a text column, when there is one, splits the
 * lines (`orders per city per minute`: one line per city, the 8 largest). Pure code: the notebook
 * renderer (browser) and the host both use it.
 */
export interface ChartColumn {
  name: string;
  type: string;
}

export interface ChartSeries {
  name: string;
  points: [number, number][];
}

export interface ChartSpec {
  x: string;
  y: string;
  by?: string;
  series: ChartSeries[];
  /** Series left out (beyond the largest MAX_SERIES). */
  omitted: number;
}

export const MAX_SERIES = 8;

const isTime = (t: string) => /^(TIMESTAMP|DATE)/.test(t);
const isNumber = (t: string) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(t);

export function timeValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const iso = v.includes('T') ? v : v.replace(' ', 'T');
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) || !iso.includes('T') ? iso : iso + 'Z');
  return Number.isFinite(t) ? t : undefined;
}

export function chartSpec(columns: readonly ChartColumn[], rows: readonly unknown[][]): ChartSpec | undefined {
  const xi = columns.findIndex((c) => isTime(c.type));
  const yi = columns.findIndex((c, i) => i !== xi && isNumber(c.type));
  if (xi < 0 || yi < 0 || rows.length < 2) return undefined;
  const bi = columns.findIndex((c, i) => i !== xi && i !== yi && /^VARCHAR/.test(c.type));
  const groups = new Map<string, { points: [number, number][]; total: number }>();
  for (const r of rows) {
    const x = timeValue(r[xi]);
    const y = typeof r[yi] === 'number' ? (r[yi] as number) : Number(r[yi]);
    if (x === undefined || !Number.isFinite(y)) continue;
    const key = bi >= 0 ? String(r[bi] ?? '(null)') : columns[yi].name;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { points: [], total: 0 }));
    g.points.push([x, y]);
    g.total += Math.abs(y);
  }
  const all = [...groups.entries()].sort((a, b) => b[1].total - a[1].total);
  const series = all.slice(0, MAX_SERIES).map(([name, g]) => ({ name, points: g.points.sort((a, b) => a[0] - b[0]) }));
  if (!series.length) return undefined;
  return { x: columns[xi].name, y: columns[yi].name, ...(bi >= 0 ? { by: columns[bi].name } : {}), series, omitted: Math.max(0, all.length - MAX_SERIES) };
}

const COLORS = ['blue', 'orange', 'green', 'purple', 'red', 'yellow', 'foreground', 'lines'];

const escXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function niceTicks(min: number, max: number, n: number): number[] {
  if (min === max) return [min];
  const raw = (max - min) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function timeLabel(t: number, span: number): string {
  const iso = new Date(t).toISOString();
  return span < 36 * 3600_000 ? iso.slice(11, span < 600_000 ? 19 : 16) : iso.slice(0, 10);
}

/** An SVG line chart, coloured with VS Code's chart theme variables. */
export function renderChartSvg(spec: ChartSpec, width = 720, height = 260): string {
  const m = { l: 56, r: 150, t: 12, b: 32 };
  const pts = spec.series.flatMap((s) => s.points);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(...ys), 5);
  const y0 = Math.min(0, ...ys, yTicks[0]), y1 = Math.max(...ys, yTicks[yTicks.length - 1]);
  const w = width - m.l - m.r, h = height - m.t - m.b;
  const sx = (x: number) => m.l + (x1 === x0 ? w / 2 : ((x - x0) / (x1 - x0)) * w);
  const sy = (y: number) => m.t + h - (y1 === y0 ? h / 2 : ((y - y0) / (y1 - y0)) * h);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="ksql-chart" role="img" aria-label="${escXml(`${spec.y} over ${spec.x}${spec.by ? ` by ${spec.by}` : ''}`)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" font-family="var(--vscode-font-family, sans-serif)">`);
  for (const t of yTicks) {
    parts.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="var(--vscode-charts-lines, #8884)" stroke-opacity="0.35"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" fill="var(--vscode-foreground, #888)">${escXml(t.toLocaleString('en-US'))}</text>`);
  }
  for (const t of niceTicks(x0, x1, 6).filter((t) => t >= x0 && t <= x1)) {
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${height - 10}" text-anchor="middle" fill="var(--vscode-foreground, #888)">${escXml(timeLabel(t, x1 - x0))}</text>`);
  }
  spec.series.forEach((s, i) => {
    const color = `var(--vscode-charts-${COLORS[i % COLORS.length]}, currentColor)`;
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    parts.push(`<path class="ksql-series" d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    if (s.points.length < 60) for (const p of s.points) parts.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2.2" fill="${color}"/>`);
    const ly = m.t + 10 + i * 16;
    parts.push(`<rect x="${width - m.r + 12}" y="${ly - 8}" width="10" height="10" fill="${color}"/><text x="${width - m.r + 27}" y="${ly + 1}" fill="var(--vscode-foreground, #888)">${escXml(s.name.length > 18 ? s.name.slice(0, 17) + '…' : s.name)}</text>`);
  });
  if (spec.omitted) parts.push(`<text x="${width - m.r + 12}" y="${m.t + 10 + spec.series.length * 16 + 1}" fill="var(--vscode-descriptionForeground, #888)">+${spec.omitted} more</text>`);
  parts.push('</svg>');
  return parts.join('');
}
