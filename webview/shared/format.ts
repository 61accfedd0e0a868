/**
 * Formatting for the webviews: sizes, counts and durations from the one core formatter, and
 * times as the panels show them (local time). No DOM: tested in plain Node.
 */
export { formatBytes, formatDuration, nf } from '../../src/core/format';

export function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Local time as "MM-DD HH:MM:SS.mmm". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatFullTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${formatTime(ms)} (${d.toISOString()})`;
}

/** Value for an <input type=datetime-local> from epoch ms, and back. */
export function toLocalInput(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fromLocalInput(v: string): number | undefined {
  if (!v) return undefined;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
