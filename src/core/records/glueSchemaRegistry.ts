/**
 * AWS Glue Schema Registry records (what its serializers write, Kinesis and Kafka alike):
 *   byte 0      header version, 3
 *   byte 1      compression: 0 none, 5 zlib
 *   bytes 2-17  the schema version id (a UUID)
 *   the rest    the Avro binary encoding of the value (zlib-deflated when byte 1 is 5)
 * The value is decoded with avsc, with the writer's schema, which ./avroSchemas loads (from `.avsc`
 * files mapped by schema version id, or from Glue's GetSchemaVersion) and caches. Decoding is
 * synchronous: `load()` fetches the schemas of a batch first (decodeRecordsWithSchemas does it);
 * a record met before its schema is decoded again once it is there (the inspector does that).
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { AvroSchemas } from './avroSchemas';
import { cell, RecordFormat } from './formatTypes';
import { plainJson } from './plainJson';
import type { RawRecord } from './types';

export { AvroSchemas } from './avroSchemas';

export const GSR_HEADER_VERSION = 3;
export const GSR_COMPRESSION_NONE = 0;
export const GSR_COMPRESSION_ZLIB = 5;
const HEADER_BYTES = 18;

export interface GlueSchemaRegistryRecord {
  schemaVersionId: string;
  schemaName?: string;
  compression: 'none' | 'zlib';
  value: unknown;
}

export function isGlueSchemaRegistryRecord(b: Uint8Array): boolean {
  return b.length > HEADER_BYTES && b[0] === GSR_HEADER_VERSION && (b[1] === GSR_COMPRESSION_NONE || b[1] === GSR_COMPRESSION_ZLIB);
}

let lastId: { bytes: Buffer; id: string } | undefined;

export function schemaVersionIdOf(b: Uint8Array): string {
  const bytes = Buffer.from(b.buffer, b.byteOffset + 2, 16);
  // Records of one stream mostly share a schema version: reuse the text of the last one.
  if (lastId?.bytes.equals(bytes)) return lastId.id;
  const h = bytes.toString('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  lastId = { bytes: Buffer.from(bytes), id };
  return id;
}

/** The wire format around Avro bytes (for producers and tests). */
export function encodeGlueSchemaRegistry(schemaVersionId: string, avroBytes: Uint8Array, compression: 'none' | 'zlib' = 'none'): Buffer {
  const id = Buffer.from(schemaVersionId.replace(/-/g, ''), 'hex');
  if (id.length !== 16) throw new Error(`"${schemaVersionId}" is not a schema version id (a UUID)`);
  const body = compression === 'zlib' ? deflateSync(avroBytes) : avroBytes;
  return Buffer.concat([Buffer.from([GSR_HEADER_VERSION, compression === 'zlib' ? GSR_COMPRESSION_ZLIB : GSR_COMPRESSION_NONE]), id, body]);
}

/** The schema version ids of the Glue Schema Registry records in a batch. */
export function schemaVersionIdsIn(raws: readonly RawRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of raws) if (r.data && isGlueSchemaRegistryRecord(r.data)) ids.add(schemaVersionIdOf(r.data));
  return ids;
}

/**
 * Decodes a record's value with its schema; throws with why (no schema yet, bad bytes). `budget`
 * caps the inflated size.
 */
export function decodeGlueSchemaRegistry(b: Uint8Array, schemas: AvroSchemas | undefined, maxBytes: number): GlueSchemaRegistryRecord {
  const id = schemaVersionIdOf(b);
  const compression = b[1] === GSR_COMPRESSION_ZLIB ? 'zlib' : 'none';
  const known = schemas?.get(id);
  if (!schemas) throw new Error(`Glue Schema Registry record, schema version ${id}: no schemas were given to decode it with (a schema folder, or an AWS connection for Glue)`);
  if (!known) throw new Error(`Glue Schema Registry record, schema version ${id}: its schema is being loaded (the record is decoded again when it is)`);
  if (!known.type) throw new Error(`Glue Schema Registry record: ${known.error}`);
  let body: Uint8Array = b.subarray(HEADER_BYTES);
  if (compression === 'zlib') body = inflateSync(body, { maxOutputLength: Math.max(1, maxBytes) });
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const res = known.type.decode(buf, 0);
  if (res.offset < 0) throw new Error(`Glue Schema Registry record, schema version ${id}: the Avro data is shorter than its schema says`);
  return { schemaVersionId: id, schemaName: known.name, compression, value: plainJson(res.value) };
}

export const glueSchemaRegistryFormat: RecordFormat = {
  name: 'glue-schema-registry',
  title: 'Glue Schema Registry (Avro)',
  columns: [
    { id: 'schema', title: 'Schema' },
    { id: 'schemaVersionId', title: 'Schema version' },
    { id: 'value', title: 'Value' },
  ],
  columnValues(v) {
    const r = v as GlueSchemaRegistryRecord;
    return { schema: cell(r.schemaName), schemaVersionId: cell(r.schemaVersionId), value: cell(r.value).slice(0, 200) };
  },
  detail(v) {
    const r = v as GlueSchemaRegistryRecord;
    return {
      format: 'glue-schema-registry',
      title: `Glue Schema Registry: ${r.schemaName ?? r.schemaVersionId}`,
      sections: [
        { kind: 'fields', title: 'Schema', fields: [{ name: 'schema', value: cell(r.schemaName) }, { name: 'schema version id', value: r.schemaVersionId }, { name: 'compression', value: r.compression }] },
        { kind: 'json', title: 'Value', value: r.value },
      ],
    };
  },
};
