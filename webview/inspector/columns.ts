/**
 * The inspector list's extra columns, decided from the view state: a recognised format's own
 * columns when the records shown are all of one format (or the format chosen), then the columns
 * from fields the user added. Pure, like state.ts.
 */
import { MAX_FIELD_COLUMNS, type FormatInfo, type InspectorStatus, type RecordFormatName } from '../../src/protocol/inspector';
import type { InspectorViewState } from './state';

export interface ListColumn {
  /** The key of the row's cell: `format:column`, or the spec of a column from a field. */
  key: string;
  title: string;
  /** A column from a field (removable). */
  field: boolean;
}

/** The format all matching records are of, if they are all of one recognised format. */
export function soleFormat(status: InspectorStatus | undefined): RecordFormatName | undefined {
  const entries = Object.entries(status?.formats ?? {}).filter(([, n]) => n > 0);
  return entries.length === 1 && entries[0][0] !== 'other' ? (entries[0][0] as RecordFormatName) : undefined;
}

/**
 * The list's extra columns, between the record's facts and its preview: the format's own when
 * the records shown are all of one format (or the format chosen), then the columns from fields.
 */
export function listColumns(s: InspectorViewState): ListColumn[] {
  const name = s.columnChoice === 'none' ? undefined : s.columnChoice === 'auto' ? soleFormat(s.status) : s.columnChoice;
  const f = name ? s.formats.find((x) => x.name === name) : undefined;
  const own = f ? f.columns.map((c) => ({ key: `${f.name}:${c.id}`, title: c.title, field: false })) : [];
  const fields = s.columns.filter((spec) => !own.some((c) => c.key === spec)).map((spec) => ({ key: spec, title: columnTitle(s, spec), field: true }));
  return [...own, ...fields];
}

/** A column's header: a format column's title (`DynamoDB change: Table`), else its expression. */
export function columnTitle(s: InspectorViewState, spec: string): string {
  const m = /^([a-z-]+):([\w-]+)$/.exec(spec);
  const f = m ? s.formats.find((x) => x.name === m[1]) : undefined;
  const c = f?.columns.find((x) => x.id === m![2]);
  return f && c ? `${c.title} (${f.name})` : spec;
}

/** The columns with one more from a field, or why not, in words (the host checks the expression). */
export function withFieldColumn(columns: readonly string[], spec: string): string[] | string {
  const t = spec.trim();
  if (!t) return 'Type a JMESPath (for example detail.status) or a format\'s column (for example dynamodb:tableName).';
  if (t.length > 500) return 'That expression is too long for a column (500 characters at most).';
  if (columns.includes(t)) return `The list already has the column "${t}".`;
  if (columns.length >= MAX_FIELD_COLUMNS) return `The list has ${MAX_FIELD_COLUMNS} columns from fields already: remove one first.`;
  return [...columns, t];
}

/** Choices for the "add a column" list: every recognised format's columns, as `format:column`. */
export function formatColumnChoices(formats: readonly FormatInfo[]): { spec: string; label: string }[] {
  return formats.flatMap((f) => f.columns.map((c) => ({ spec: `${f.name}:${c.id}`, label: `${f.title}: ${c.title}` })));
}
