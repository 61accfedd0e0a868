/**
 * What a recognised record format gives the inspector and the tailer: its name, its columns (a
 * pure function of the decoded value) and a detail shape. The formats themselves live in one file
 * each; formats.ts lists them.
 */
import type { RecordFormatName } from './types';

export interface FormatColumn {
  id: string;
  title: string;
}

export interface AttributeChange {
  name: string;
  change: 'added' | 'removed' | 'changed';
  old?: unknown;
  new?: unknown;
}

/** A part of a record's detail view. Values are data, never markup. */
export type DetailSection =
  | { kind: 'fields'; title: string; fields: { name: string; value: string }[] }
  | { kind: 'json'; title: string; value: unknown }
  | { kind: 'table'; title: string; columns: FormatColumn[]; rows: Record<string, string>[] }
  | { kind: 'diff'; title: string; changes: AttributeChange[] };

export interface FormatDetail {
  format: RecordFormatName;
  title: string;
  sections: DetailSection[];
}

export interface RecordFormat {
  name: RecordFormatName;
  /** Shown in the record's detail: "EventBridge event". */
  title: string;
  columns: readonly FormatColumn[];
  /**
   * Column values for the list, by column id (missing: empty). Pure. `row` says which log event
   * of its payload a row is, when CloudWatch Logs payloads are shown one row per event.
   */
  columnValues(value: unknown, row?: { logEvent?: { index: number; count: number } }): Record<string, string>;
  detail(value: unknown): FormatDetail;
}

/** A value for a cell: text as is, numbers and objects compact. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Epoch ms (or an ISO string) as ISO text; anything else as it is. */
export function isoTime(v: unknown): string {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (Number.isFinite(n)) {
    const d = new Date(n);
    return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
  }
  return cell(v);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
