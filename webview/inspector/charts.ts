import type { InspectorStats } from '../../src/protocol/inspector';
import { formatBytes, nf } from '../shared/format';
import { shortShard } from './table';

/** Small hand-drawn canvas charts coloured from the VS Code theme variables. */
function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

function setup(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } | undefined {
  const w = canvas.clientWidth;
  const hh = canvas.clientHeight;
  if (!w || !hh) return undefined;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hh * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(hh * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hh);
  ctx.font = `11px ${themeColor('--vscode-font-family', 'sans-serif')}`;
  return { ctx, w, h: hh };
}

export function drawRates(canvas: HTMLCanvasElement, stats: InspectorStats): void {
  const s = setup(canvas);
  if (!s) return;
  const { ctx, w, h } = s;
  const fg = themeColor('--vscode-descriptionForeground', '#888');
  const grid = themeColor('--vscode-charts-lines', 'rgba(128,128,128,0.3)');
  const cRec = themeColor('--vscode-charts-blue', '#3794ff');
  const cBytes = themeColor('--vscode-charts-orange', '#d18616');
  const pts = stats.rates;
  const top = 16;
  const bottom = h - 4;
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, bottom + 0.5);
  ctx.lineTo(w, bottom + 0.5);
  ctx.stroke();
  const last = pts.length ? pts[pts.length - 1] : { records: 0, bytes: 0 };
  const peakRec = Math.max(0, ...pts.map((p) => p.records));
  const peakBytes = Math.max(0, ...pts.map((p) => p.bytes));
  // legend: a colour swatch, then the figure in the text colour (legible in every theme)
  const text = themeColor('--vscode-foreground', '#ccc');
  const legend = (x: number, color: string, label: string): number => {
    ctx.fillStyle = color;
    ctx.fillRect(x, 3, 10, 9);
    ctx.fillStyle = text;
    ctx.fillText(label, x + 14, 11);
    return x + 14 + ctx.measureText(label).width + 16;
  };
  const next = legend(4, cRec, `${nf.format(last.records)} records/s (peak ${nf.format(peakRec)})`);
  legend(next, cBytes, `${formatBytes(last.bytes)}/s (peak ${formatBytes(peakBytes)}/s)`);
  ctx.fillStyle = fg;
  ctx.fillText('last 60 s', 4, bottom - 3);
  if (pts.length < 2) return;
  const xy = (i: number, v: number, max: number) => [(i / (pts.length - 1)) * (w - 2) + 1, bottom - (v / Math.max(1, max)) * (bottom - top)] as const;
  // bytes/s: a translucent area; records/s: a line over it
  ctx.beginPath();
  ctx.moveTo(1, bottom);
  pts.forEach((p, i) => ctx.lineTo(...xy(i, p.bytes, peakBytes)));
  ctx.lineTo(w - 1, bottom);
  ctx.closePath();
  ctx.globalAlpha = 0.35;
  ctx.fillStyle = cBytes;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = cBytes;
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.strokeStyle = cRec;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  pts.forEach((p, i) => (i === 0 ? ctx.moveTo(...xy(i, p.records, peakRec)) : ctx.lineTo(...xy(i, p.records, peakRec))));
  ctx.stroke();
}

export function drawBars(canvas: HTMLCanvasElement, title: string, items: { label: string; full: string; count: number }[], colorVar: string): void {
  const s = setup(canvas);
  if (!s) return;
  const { ctx, w, h } = s;
  const fg = themeColor('--vscode-foreground', '#ccc');
  const desc = themeColor('--vscode-descriptionForeground', '#888');
  const color = themeColor(colorVar, '#3794ff');
  ctx.fillStyle = desc;
  ctx.fillText(title, 4, 11);
  const top = 16;
  const rowH = Math.max(12, Math.min(18, (h - top) / Math.max(1, items.length)));
  const shown = items.slice(0, Math.floor((h - top) / rowH));
  if (!shown.length) {
    ctx.fillText('no records yet', 4, top + 14);
    return;
  }
  const labelW = Math.min(w * 0.4, Math.max(...shown.map((i) => ctx.measureText(i.label).width)) + 8);
  const max = Math.max(1, ...shown.map((i) => i.count));
  shown.forEach((it, i) => {
    const y = top + i * rowH;
    ctx.fillStyle = fg;
    ctx.fillText(it.label, 4, y + rowH - 4, labelW - 6);
    const countLabel = nf.format(it.count);
    const cw = ctx.measureText(countLabel).width + 6;
    const bw = Math.max(1, ((w - labelW - cw - 4) * it.count) / max);
    ctx.fillStyle = color;
    ctx.fillRect(labelW, y + 2, bw, rowH - 5);
    ctx.fillStyle = desc;
    ctx.fillText(countLabel, labelW + bw + 4, y + rowH - 4);
  });
}

export function drawStats(canvases: { rates: HTMLCanvasElement; shards: HTMLCanvasElement; keys: HTMLCanvasElement }, stats: InspectorStats): void {
  drawRates(canvases.rates, stats);
  drawBars(canvases.shards, 'Records per shard', stats.perShard.map((s) => ({ label: shortShard(s.shardId), full: s.shardId, count: s.count })), '--vscode-charts-green');
  drawBars(canvases.keys, 'Top partition keys', stats.topKeys.map((k) => ({ label: k.key.length > 24 ? k.key.slice(0, 23) + '…' : k.key, full: k.key, count: k.count })), '--vscode-charts-purple');
}
