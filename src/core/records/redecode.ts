/**
 * Held records decoded again from their own bytes, keeping what they are (id, shard, keys, place
 * in a KPL aggregate): when a Glue Schema Registry schema arrives after its records, or when the
 * inspector switches CloudWatch Logs payloads to one row per log event and back.
 */
import { decodeRecord, DecodeOptions, rawBytesOf } from './decoders';
import type { DecodedRecord } from './types';

/** The id of the stream record (or KPL user record) a row came from: rows of one CloudWatch Logs payload share it. */
export function sourceRecordId(r: DecodedRecord): string {
  return r.logEvent ? r.id.slice(0, r.id.lastIndexOf('/')) : r.id;
}

/** A row of a CloudWatch Logs payload (one per log event, or the whole payload) that the row-per-event switch changes. */
export function isLogPayloadRow(r: DecodedRecord): boolean {
  return r.format === 'cloudwatch-logs' && !r.controlMessage;
}

/** A Glue Schema Registry record its schema did not decode (not there yet, or failed): the schema version id. */
export function undecodedSchemaId(r: DecodedRecord): string | undefined {
  return r.schemaVersionId && r.error && r.format !== 'glue-schema-registry' ? r.schemaVersionId : undefined;
}

/**
 * Decodes a held record again with these options. Rows of one CloudWatch Logs payload come back
 * as the payload's rows (give the payload once: the first of its rows).
 */
export function redecodeRecord(r: DecodedRecord, options: DecodeOptions): DecodedRecord[] {
  const base = sourceRecordId(r);
  const parts = decodeRecord({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, arrivalTime: r.arrivalTime, data: rawBytesOf(r) }, undefined, options);
  for (const p of parts) {
    p.id = p.logEvent ? `${base}/e${p.logEvent.index}` : base;
    if (r.subSequenceNumber !== undefined) p.subSequenceNumber = r.subSequenceNumber;
    if (r.explicitHashKey !== undefined) p.explicitHashKey = r.explicitHashKey;
  }
  return parts;
}
