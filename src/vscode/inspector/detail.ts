/**
 * The selected record as the detail pane shows it: decoded as asked, with pretty JSON, the hex
 * dump and base64 made here, for the record shown, not for each record read. Pure (no `vscode`).
 */
import { decodeRecord, DecodeOptions, hexDump, rawBytesOf } from '../../core/records/decoders';
import type { AvroSchemas } from '../../core/records/avroSchemas';
import { isGlueSchemaRegistryRecord, schemaVersionIdOf } from '../../core/records/glueSchemaRegistry';
import { toJsonLine } from '../../core/records/export';
import { detailOf, formatOf, FormatDetail } from '../../core/records/formats';
import type { DecodedRecord } from '../../core/records/types';
import type { DecodingChoice, RecordDetail } from '../../protocol/inspector';

export const DETAIL_MAX_CHARS = 200_000;
/** The detail's base64 covers the first 262,500 bytes (350,000 characters). */
export const RAW_BASE64_MAX_BYTES = 262_500;
export const LOG_EVENTS_SHOWN = 2000;
/** Rows of a format's table section shown in the detail (a metric stream batch may hold thousands). */
export const FORMAT_ROWS_SHOWN = 2000;

/**
 * Before decoding a record by hand as a Glue Schema Registry record: loads its schema (from where
 * the session finds them: the workspace, settings, Glue) so that decodedAs finds it.
 */
export async function loadSchemaFor(r: DecodedRecord, decoding: DecodingChoice, schemas: AvroSchemas | undefined): Promise<void> {
  if (decoding !== 'glue-schema-registry' || !schemas) return;
  const bytes = rawBytesOf(r);
  if (isGlueSchemaRegistryRecord(bytes)) await schemas.load([schemaVersionIdOf(bytes)]);
}

/**
 * The record decoded as asked: as read (auto), or re-decoded from its raw bytes with the
 * session's options (its Avro schemas, CloudFront fields) as decoding by hand.
 */
export function decodedAs(r: DecodedRecord, decoding: DecodingChoice, options?: DecodeOptions): DecodedRecord & { parts?: number } {
  if (decoding === 'auto') return r;
  const { cloudWatchLogs: _rows, counts: _counts, ...opts } = options ?? {};
  const parts = decodeRecord({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, arrivalTime: r.arrivalTime, data: rawBytesOf(r) }, decoding, opts);
  // The first part, as the record held (its text and base64 are accessors: not spread).
  const first: DecodedRecord & { parts?: number } = parts[0];
  first.id = r.id;
  first.subSequenceNumber = r.subSequenceNumber;
  first.explicitHashKey = r.explicitHashKey;
  first.parts = parts.length;
  return first;
}

export function recordDetail(raw: DecodedRecord, decoding: DecodingChoice, options?: DecodeOptions): RecordDetail {
  const d = decodedAs(raw, decoding, options);
  const text = d.text;
  const bytes = rawBytesOf(raw);
  const cut = text.length > DETAIL_MAX_CHARS;
  const detail: RecordDetail = {
    id: raw.id,
    shardId: raw.shardId,
    sequenceNumber: raw.sequenceNumber,
    partitionKey: d.partitionKey,
    arrivalTime: raw.arrivalTime,
    size: raw.size,
    decoding,
    decodings: d.decodings,
    text: cut ? text.slice(0, DETAIL_MAX_CHARS) : text,
    isJson: d.json !== undefined,
    rawHex: hexDump(bytes),
    rawBase64: Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, RAW_BASE64_MAX_BYTES)).toString('base64'),
  };
  if (raw.subSequenceNumber !== undefined) detail.subSequenceNumber = raw.subSequenceNumber;
  if (raw.explicitHashKey !== undefined) detail.explicitHashKey = raw.explicitHashKey;
  if (raw.logEvent) detail.logEvent = raw.logEvent;
  if (cut) detail.truncatedFrom = text.length;
  if (d.truncatedAt !== undefined) detail.decodeTruncatedAt = d.truncatedAt;
  if (d.error) detail.error = d.error;
  if (d.parts !== undefined) detail.parts = d.parts;
  // A log event shown as its own row shows that event (its format detail), not the whole payload.
  if (d.cloudWatchLogs && !d.logEvent) {
    const c = d.cloudWatchLogs;
    detail.cloudWatchLogs = { ...c, events: c.events.slice(0, LOG_EVENTS_SHOWN), totalEvents: c.events.length };
  }
  const f = formatOf(d);
  if (f) {
    detail.format = { name: f.name, title: f.title, layers: d.decodings.join('+') };
    // The CloudWatch Logs events are shown from `cloudWatchLogs` above (with their header).
    const fd = f.name === 'cloudwatch-logs' && !d.logEvent ? undefined : detailOf(d);
    if (fd) detail.format.detail = boundedDetail(fd);
  }
  return detail;
}

/** A record as pretty JSON for the clipboard and the editor tab (same fields as JSON Lines export). */
export function recordJson(r: DecodedRecord): string {
  return JSON.stringify(JSON.parse(toJsonLine(r)), null, 2);
}

/** A format's detail with its tables cut at FORMAT_ROWS_SHOWN rows (the title says so). */
function boundedDetail(fd: FormatDetail): FormatDetail {
  return {
    ...fd,
    sections: fd.sections.map((s) =>
      s.kind === 'table' && s.rows.length > FORMAT_ROWS_SHOWN
        ? { ...s, title: `${s.title} (first ${FORMAT_ROWS_SHOWN} of ${s.rows.length}: open the record in an editor to see all)`, rows: s.rows.slice(0, FORMAT_ROWS_SHOWN) }
        : s,
    ),
  };
}
