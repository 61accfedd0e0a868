/**
 * Numbers, sizes and durations for people: one formatter for the terminal tools, the log and
 * every webview (bundled into them: no imports).
 */

let numberFormat: Intl.NumberFormat | undefined;
/** 12,345 (made on first use: the first Intl formatter loads locale data, ~10 ms at activation) */
export const nf = { format: (n: number | bigint): string => (numberFormat ??= new Intl.NumberFormat('en-US')).format(n) };

/** 512 B, 3.4 KiB, 12 KiB, 1.5 MiB, 2.3 GiB */
export function formatBytes(n: number): string {
  const v = Math.max(0, Math.round(Number.isFinite(n) ? n : 0));
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(v < 10240 ? 1 : 0)} KiB`;
  if (v < 1024 * 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MiB`;
  return `${(v / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

/** 850 ms, 4.2 s, 3.5 min, 1.2 h */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Number.isFinite(ms) ? ms : 0);
  if (v < 1000) return `${Math.round(v)} ms`;
  const s = v / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = s / 60;
  if (m < 60) return `${m.toFixed(1)} min`;
  return `${(m / 60).toFixed(1)} h`;
}
