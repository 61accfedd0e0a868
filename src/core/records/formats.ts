/**
 * The recognised formats, by name, and what the list and the detail view get from a decoded
 * record: `columnsOf(rec)` (the format's columns and their values), `detailOf(rec)`, and columns
 * made from a JMESPath over the decoded JSON (`fieldColumn`).
 */
import { cloudFrontFormat } from './cloudFront';
import { cloudWatchLogsFormat } from './cloudwatchLogs';
import { dynamoDbFormat } from './dynamodb';
import { eventBridgeFormat } from './eventBridge';
import { cell, FormatColumn, FormatDetail, RecordFormat } from './formatTypes';
import { evaluateJmespath, jmespathError } from './filters';
import { glueSchemaRegistryFormat } from './glueSchemaRegistry';
import { metricStreamFormat } from './metricStream';
import type { DecodedRecord, RecordFormatName } from './types';

export type { FormatColumn, FormatDetail, RecordFormat, DetailSection, AttributeChange } from './formatTypes';

export const RECORD_FORMATS: Readonly<Record<RecordFormatName, RecordFormat>> = {
  eventbridge: eventBridgeFormat,
  'cloudfront-realtime-log': cloudFrontFormat,
  'cloudwatch-logs': cloudWatchLogsFormat,
  'cloudwatch-metric-stream': metricStreamFormat,
  dynamodb: dynamoDbFormat,
  'glue-schema-registry': glueSchemaRegistryFormat,
};

/** Each recognised format's name, title and columns (what a list needs to lay out its columns). */
export function formatColumnsList(): { name: RecordFormatName; title: string; columns: FormatColumn[] }[] {
  return Object.values(RECORD_FORMATS).map((f) => ({ name: f.name, title: f.title, columns: [...f.columns] }));
}

export function formatOf(r: DecodedRecord): RecordFormat | undefined {
  return r.format ? RECORD_FORMATS[r.format] : undefined;
}

/** The record's format columns and their values (none for records of no recognised format). */
export function columnsOf(r: DecodedRecord): { format?: RecordFormatName; columns: readonly FormatColumn[]; values: Record<string, string> } {
  const f = formatOf(r);
  if (!f || r.json === undefined) return { columns: [], values: {} };
  try {
    return { format: f.name, columns: f.columns, values: f.columnValues(r.json, r) };
  } catch {
    // A value that passed detection but lacks a field: empty cells, never a failure.
    return { format: f.name, columns: f.columns, values: {} };
  }
}

/** The detail shape of a record of a recognised format; undefined for the others. */
export function detailOf(r: DecodedRecord): FormatDetail | undefined {
  const f = formatOf(r);
  if (!f || r.json === undefined) return undefined;
  try {
    return f.detail(r.json);
  } catch (e) {
    return { format: f.name, title: f.title, sections: [{ kind: 'json', title: `Could not lay out the fields (${(e as Error).message}): the decoded value`, value: r.json }] };
  }
}

/**
 * A column from a field: a recognised format's column id (`format:column`, e.g.
 * `dynamodb:tableName`) or a JMESPath over the decoded JSON (`detail.state`). Returns the cell
 * function, or the expression's error.
 */
export function fieldColumn(spec: string): { value: (r: DecodedRecord) => string; error?: undefined } | { error: string; value?: undefined } {
  const m = /^([a-z-]+):([\w-]+)$/.exec(spec);
  if (m && m[1] in RECORD_FORMATS) {
    const [, format, id] = m;
    if (!RECORD_FORMATS[format as RecordFormatName].columns.some((c) => c.id === id)) return { error: `${format} has no column "${id}"` };
    return { value: (r) => (r.format === format ? columnsOf(r).values[id] ?? '' : '') };
  }
  const error = jmespathError(spec);
  if (error) return { error };
  return { value: (r) => (r.json === undefined ? '' : cell(evaluateJmespath(r.json, spec).value)) };
}
