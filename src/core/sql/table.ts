/**
 * The table a SQL cell queries: one row per record as the inspector decodes it (KPL user records
 * apart, gzip and zlib undone, one row per log event of a CloudWatch Logs payload), with the
 * record's metadata as columns plus the top-level fields of its JSON (nested objects stay
 * reachable: `customer.address.city`).
 */
import { decodeRecord } from '../records/decoders';
import type { DecodedRecord, RawRecord } from '../records/types';
import type { TransformReport } from '../transform/engine';

/** A row as plain JSON, before it is loaded into the engine. `_arrival_ms` becomes `arrival_time`. */
export type Row = Record<string, unknown>;

/** Metadata columns, in the order they come first in every table. */
export const METADATA_COLUMNS = ['arrival_time', 'shard_id', 'partition_key', 'sequence_number', 'sub_sequence_number', 'size'] as const;
/** Columns of a CloudWatch Logs log event row (after the metadata). */
export const LOG_EVENT_COLUMNS = ['log_group', 'log_stream', 'owner', 'log_event_id', 'log_timestamp', 'message'] as const;
/** The decoded text of a record that is not a JSON object. */
export const DATA_COLUMN = 'data';

/** Columns of a transform's output rows (after the metadata). */
export const OUTPUT_COLUMNS = ['record_id', 'result', 'violations', 's3_prefix'] as const;

const RESERVED = new Set<string>([...METADATA_COLUMNS, ...LOG_EVENT_COLUMNS, ...OUTPUT_COLUMNS, DATA_COLUMN, '_arrival_ms', '_log_ms']);

/** A JSON field whose name is taken by a metadata column is kept under `json_<name>`. */
export function fieldColumn(name: string): string {
  return RESERVED.has(name) ? `json_${name}` : name;
}

function spread(row: Row, value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k === '') continue;
      row[fieldColumn(k)] = o[k];
    }
  } else if (value !== undefined) {
    row[DATA_COLUMN] = typeof value === 'string' ? value : JSON.stringify(value);
  }
}

function tryJson(text: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A row's metadata, as one object literal: rows made by copying a shared object (`{ ...meta }`)
 * and then growing are slow to build and to read (about 7x over 100,000 records).
 */
function metadataRow(d: DecodedRecord): Row {
  return {
    _arrival_ms: d.arrivalTime,
    shard_id: d.shardId,
    partition_key: d.partitionKey,
    sequence_number: d.sequenceNumber,
    sub_sequence_number: d.subSequenceNumber ?? null,
    size: d.size,
  };
}

/** The rows of raw records, decoded by the inspector's decoders. */
export function recordsToRows(records: readonly RawRecord[]): Row[] {
  const rows: Row[] = [];
  for (const raw of records) {
    for (const d of decodeRecord(raw)) {
      const logs = d.cloudWatchLogs;
      if (logs) {
        for (const e of logs.events) {
          const row = metadataRow(d);
          row.log_group = logs.logGroup;
          row.log_stream = logs.logStream;
          row.owner = logs.owner ?? null;
          row.log_event_id = e.id;
          row._log_ms = e.timestamp;
          row.message = e.message;
          const inner = tryJson(e.message);
          if (inner !== undefined) spread(row, inner);
          rows.push(row);
        }
        continue;
      }
      const row = metadataRow(d);
      if (d.json !== undefined) spread(row, d.json);
      else spread(row, d.text);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * The rows of a transform's output: one per input record, with its result, how many contract
 * violations concern it, the partition keys
 * the handler returned (`pk_<key>`), the S3 prefix it would go to and the fields of its output.
 */
export function transformOutputToRows(report: TransformReport, input: readonly RawRecord[]): Row[] {
  return report.rows.map((r) => {
    const src = input[r.index];
    const row: Row = {
      _arrival_ms: src?.arrivalTime ?? 0,
      shard_id: src?.shardId ?? null,
      partition_key: r.partitionKey,
      sequence_number: src?.sequenceNumber ?? null,
      sub_sequence_number: null,
      size: r.outputBytes ?? null,
      record_id: r.recordId,
      result: r.result,
      violations: r.violations,
      s3_prefix: r.s3Prefix ?? null,
    };
    for (const [k, v] of Object.entries(r.partitionKeys ?? {})) row[`pk_${k}`] = v;
    if (r.output !== undefined) {
      const json = tryJson(r.output);
      spread(row, json !== undefined ? json : r.output);
    }
    return row;
  });
}
