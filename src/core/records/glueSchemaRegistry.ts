/**
 * AWS Glue Schema Registry records (what its serializers write, Kinesis and Kafka alike):
 *   byte 0      header version, 3
 *   byte 1      compression: 0 none, 5 zlib
 *   bytes 2-17  the schema version id (a UUID)
 *   the rest    the Avro binary encoding of the value (zlib-deflated when byte 1 is 5)
 * The value is decoded with avsc, with the writer's schema: from `.avsc` files mapped by schema
 * version id (a folder of `<schema-version-id>.avsc`, or a map of ids to files), or fetched from
 * Glue (GetSchemaVersion) and cached. Decoding is synchronous: `load()` fetches the schemas of a
 * batch first (decodeRecordsWithSchemas does it).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import type { GlueClient } from '@aws-sdk/client-glue';
import type * as avro from 'avsc';
import { cell, RecordFormat } from './formatTypes';
import { plainJson } from './plainJson';
import type { RawRecord } from './types';

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

/** avsc is required on first use (the extension bundles it apart, dist/formats.js). */
function avroType(schema: unknown): avro.Type {
  return (require('avsc') as typeof import('avsc')).Type.forSchema(schema as avro.Schema);
}

interface Known {
  type?: avro.Type;
  name?: string;
  /** Why the schema is not available. */
  error?: string;
}

export interface AvroSchemaOptions {
  /** A folder holding `<schema-version-id>.avsc` files. */
  dir?: string;
  /** Schema version id -> path of an .avsc file. */
  files?: Record<string, string>;
  /** Glue, for GetSchemaVersion (AWS connections). Created on first use. */
  glue?: () => GlueClient | Promise<GlueClient>;
}

/** The writer schemas Glue Schema Registry records need, by schema version id, cached. */
export class AvroSchemas {
  private readonly known = new Map<string, Known>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly options: AvroSchemaOptions = {}) {}

  /** Adds a schema by hand (a test, a schema typed in). */
  add(schemaVersionId: string, schema: string | object, name?: string): void {
    const parsed = typeof schema === 'string' ? JSON.parse(schema) : schema;
    const type = avroType(parsed);
    this.known.set(schemaVersionId.toLowerCase(), { type, name: name ?? (parsed as { name?: string }).name });
  }

  get(schemaVersionId: string): Known | undefined {
    return this.known.get(schemaVersionId) ?? this.known.get(schemaVersionId.toLowerCase());
  }

  /** Loads the schemas of these ids that are not known yet (a failure is kept, with why, and not retried). */
  async load(ids: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const raw of ids) {
      const id = raw.toLowerCase();
      if (this.known.has(id)) continue;
      let p = this.loading.get(id);
      if (!p) {
        p = this.fetch(id).then(
          (k) => void this.known.set(id, k),
          (e) => void this.known.set(id, { error: (e as Error).message }),
        ).finally(() => this.loading.delete(id));
        this.loading.set(id, p);
      }
      waits.push(p);
    }
    await Promise.all(waits);
  }

  private async fetch(id: string): Promise<Known> {
    const file = this.options.files?.[id] ?? Object.entries(this.options.files ?? {}).find(([k]) => k.toLowerCase() === id)?.[1];
    const candidates = [file, this.options.dir ? join(this.options.dir, `${id}.avsc`) : undefined].filter((x): x is string => !!x);
    for (const path of candidates) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        continue;
      }
      try {
        const parsed = JSON.parse(text);
        return { type: avroType(parsed), name: parsed?.name };
      } catch (e) {
        throw new Error(`the schema file ${path} is not a valid Avro schema: ${(e as Error).message}`);
      }
    }
    if (!this.options.glue) {
      throw new Error(`no schema for schema version ${id}: add ${id}.avsc to the schema folder${this.options.dir ? ` (${this.options.dir})` : ''}, or read the stream on an AWS connection so that Glue is asked`);
    }
    const { GetSchemaVersionCommand } = require('@aws-sdk/client-glue') as typeof import('@aws-sdk/client-glue');
    const glue = await this.options.glue();
    let out;
    try {
      out = await glue.send(new GetSchemaVersionCommand({ SchemaVersionId: id }));
    } catch (e) {
      throw new Error(`Glue GetSchemaVersion ${id} failed: ${(e as Error).message} (it needs glue:GetSchemaVersion)`);
    }
    if (out.DataFormat && out.DataFormat !== 'AVRO') throw new Error(`schema version ${id} is ${out.DataFormat}; only Avro schemas are decoded`);
    const parsed = JSON.parse(out.SchemaDefinition ?? 'null');
    return { type: avroType(parsed), name: out.SchemaArn?.split('/').pop() ?? parsed?.name };
  }
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
  if (!known) throw new Error(`Glue Schema Registry record, schema version ${id}: its schema is not loaded (give a schema folder, or read on an AWS connection)`);
  if (!known.type) throw new Error(`Glue Schema Registry record, schema version ${id}: ${known.error}`);
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
