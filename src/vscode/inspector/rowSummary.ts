/** One row of the inspector's list, as the webview gets it: the record's facts, preview and cells. */
import { previewOf } from '../../core/records/decoders';
import { columnsOf } from '../../core/records/formats';
import type { DecodedRecord } from '../../core/records/types';
import type { RowSummary } from '../../protocol/inspector';

/** A column from a field, compiled: its spec (the key of its cells) and its cell function. */
export interface FieldColumn {
  spec: string;
  value: (r: DecodedRecord) => string;
}

export function summarize(r: DecodedRecord, fieldColumns: readonly FieldColumn[] = []): RowSummary {
  const row: RowSummary = {
    id: r.id,
    arrivalTime: r.arrivalTime,
    shardId: r.shardId,
    partitionKey: r.partitionKey,
    sequenceNumber: r.sequenceNumber,
    size: r.size,
    preview: previewOf(r, 160),
    decodings: r.decodings,
    failed: !!r.error,
  };
  if (r.subSequenceNumber !== undefined) row.subSequenceNumber = r.subSequenceNumber;
  if (r.logEvent) row.logEvent = r.logEvent;
  if (r.format || fieldColumns.length) {
    const cells: Record<string, string> = {};
    if (r.format) {
      row.format = r.format;
      const { values } = columnsOf(r);
      for (const k in values) cells[`${r.format}:${k}`] = values[k];
    }
    for (const c of fieldColumns) {
      try {
        cells[c.spec] = c.value(r);
      } catch {
        cells[c.spec] = '';
      }
    }
    row.cells = cells;
  }
  return row;
}
