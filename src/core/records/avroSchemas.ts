/**
 * The writer schemas of Glue Schema Registry records, by schema version id: one loader for the
 * tailer (`--schemas DIR`) and the record inspector (the workspace, settings, Glue). A schema is
 * looked for, in order:
 *   1. in a file mapped to its id (`files`: id -> path of an .avsc file);
 *   2. as `<id>.avsc` in a folder (`dirs`), or where `locate` finds it (the inspector's index of
 *      the workspace's .avsc files);
 *   3. in Glue (GetSchemaVersion), on AWS.
 * Each id is looked up once and cached; a failure is kept with why (the records say it) until
 * `forget()` (a schema file was added, a new read). Schema files and Glue's answers are input:
 * at most MAX_SCHEMA_BYTES each, a regular file, parsed apart from decoding, so that a bad one is
 * an error on its records and never a crash. At most `maxSchemas` ids are looked up: bytes that
 * only look like the wire format carry a random id each, and must not ask Glue a thousand times.
 */
import { open, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { GlueClient } from '@aws-sdk/client-glue';
import type * as avro from 'avsc';

/** The largest schema file (or Glue schema definition) read. Glue's own limit is 170,000 characters. */
export const MAX_SCHEMA_BYTES = 1024 * 1024;
/** Schema version ids looked up per loader, at most. */
export const MAX_SCHEMA_VERSIONS = 256;

/** A schema version id as text (a UUID, lower case). */
export const SCHEMA_VERSION_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What is known of one schema version: its Avro type, or why there is none. */
export interface KnownSchema {
  type?: avro.Type;
  name?: string;
  /** Where it came from: a file's path, or `Glue`. */
  source?: string;
  /** Why the schema is not available. */
  error?: string;
  /** The file's modification time when it was read. */
  mtimeMs?: number;
  /** The error is that no file or Glue has it (a file may yet appear), not that what was found is bad. */
  missing?: boolean;
}

/** No schema file and no Glue answer for this id. */
class SchemaNotFound extends Error {}

export interface AvroSchemaOptions {
  /** A folder holding `<schema-version-id>.avsc` files (the tailer's --schemas). */
  dir?: string;
  /** More such folders. */
  dirs?: readonly string[];
  /** Schema version id -> path of an .avsc file. */
  files?: Readonly<Record<string, string>>;
  /** Finds the file of an id elsewhere (the inspector's workspace index); undefined: none. */
  locate?: (id: string) => string | undefined | Promise<string | undefined>;
  /** Glue, for GetSchemaVersion (AWS connections). Created on first use. */
  glue?: () => GlueClient | Promise<GlueClient>;
  /** The places searched, in words, for the error ("the workspace", "--schemas ./avro"). */
  searched?: string;
  /** Why Glue is not asked, in words, when `glue` is not given ("not an AWS connection"). */
  noGlue?: string;
  /** What the user can do, in words, for an id not found ("put it at ... or set ..."). */
  hint?: (id: string) => string;
  maxSchemas?: number;
}

/** avsc is required on first use (the extension bundles it apart, dist/formats.js). */
function avroType(schema: unknown): avro.Type {
  return (require('avsc') as typeof import('avsc')).Type.forSchema(schema as avro.Schema);
}

/** A schema's text parsed and compiled; throws with why (never echoing the text: it may be any file). */
export function parseAvroSchema(text: string, source: string): { type: avro.Type; name?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new Error(`${source} is not JSON${at ? ` (at character ${at})` : ''}`);
  }
  try {
    return { type: avroType(parsed), name: (parsed as { name?: unknown })?.name === undefined ? undefined : String((parsed as { name?: unknown }).name) };
  } catch (e) {
    throw new Error(`${source} is not a valid Avro schema: ${String((e as Error).message).slice(0, 300)}`);
  }
}

/** Reads a schema file of at most MAX_SCHEMA_BYTES; undefined when there is no such file. */
async function readSchemaFile(path: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  // Checked before it is opened: opening a FIFO named <id>.avsc would wait for a writer.
  const st = await stat(path).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  if (st.size > MAX_SCHEMA_BYTES) throw new Error(`${path} is larger than ${MAX_SCHEMA_BYTES / 1024 / 1024} MiB: not read as a schema`);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    // One byte more than it said, so that a file that grew since is seen to be too large.
    const buf = Buffer.alloc(Math.min(st.size, MAX_SCHEMA_BYTES) + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      if (!bytesRead) break;
      n += bytesRead;
    }
    if (n > MAX_SCHEMA_BYTES) throw new Error(`${path} is larger than ${MAX_SCHEMA_BYTES / 1024 / 1024} MiB: not read as a schema`);
    if (n === buf.length) throw new Error(`${path} changed while it was read: it is read again when it changes`);
    return { text: buf.toString('utf8', 0, n), mtimeMs: st.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** The writer schemas Glue Schema Registry records need, by schema version id, cached. */
export class AvroSchemas {
  private readonly known = new Map<string, KnownSchema>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly max: number;

  constructor(private readonly options: AvroSchemaOptions = {}) {
    this.max = options.maxSchemas ?? MAX_SCHEMA_VERSIONS;
  }

  /** Adds a schema by hand (a test, a schema typed in). */
  add(schemaVersionId: string, schema: string | object, name?: string): void {
    const parsed = parseAvroSchema(typeof schema === 'string' ? schema : JSON.stringify(schema), `schema ${schemaVersionId}`);
    this.known.set(schemaVersionId.toLowerCase(), { type: parsed.type, name: name ?? parsed.name, source: 'added' });
  }

  get(schemaVersionId: string): KnownSchema | undefined {
    const k = this.known.get(schemaVersionId) ?? this.known.get(schemaVersionId.toLowerCase());
    if (k || this.known.size + this.loading.size < this.max) return k;
    return { error: `more than ${this.max} schema versions were met in these records: the others are not looked up (are these really Glue Schema Registry records?)` };
  }

  /** Is this id's schema decoded, or its failure known (no need to load it)? */
  has(schemaVersionId: string): boolean {
    return this.get(schemaVersionId) !== undefined || this.loading.has(schemaVersionId.toLowerCase());
  }

  /** The ids whose schema was not found anywhere (not those whose file is bad: looking again finds the same). */
  missingIds(): string[] {
    return [...this.known].filter(([, k]) => k.missing).map(([id]) => id);
  }

  /** The files the known schemas were read from, with their modification time then. */
  filesRead(): Map<string, number> {
    const out = new Map<string, number>();
    for (const k of this.known.values()) if (k.source && k.mtimeMs !== undefined) out.set(k.source, k.mtimeMs);
    return out;
  }

  /**
   * Forgets what failed (a schema file may now be there, the credentials renewed), or, with
   * `all`, every schema but those added by hand. Returns the ids forgotten.
   */
  forget(all = false): string[] {
    const out: string[] = [];
    for (const [id, k] of this.known) {
      if (k.error || (all && k.source !== 'added')) {
        this.known.delete(id);
        out.push(id);
      }
    }
    return out;
  }

  /**
   * A schema file changed or went: forgets the schemas read from it, and the one its name gives
   * (`<id>.avsc`), so that they are read again. Returns the ids forgotten (their records are to
   * be decoded again, those decoded with the old schema too).
   */
  forgetFile(path: string): string[] {
    const changed = resolve(path);
    const named = basename(changed).toLowerCase().replace(/\.avsc$/, '');
    const out: string[] = [];
    for (const [id, k] of this.known) {
      if (k.source === 'added') continue;
      if ((k.source && k.source !== 'Glue' && resolve(k.source) === changed) || id === named) {
        this.known.delete(id);
        out.push(id);
      }
    }
    return out;
  }

  /** Loads the schemas of these ids that are not known yet (a failure is kept, with why, and not retried). */
  async load(ids: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const raw of ids) {
      const id = raw.toLowerCase();
      if (this.known.has(id)) continue;
      let p = this.loading.get(id);
      if (!p) {
        if (this.known.size + this.loading.size >= this.max) continue;
        p = this.fetch(id).then(
          (k) => void this.known.set(id, k),
          (e) => void this.known.set(id, { error: (e as Error).message, missing: e instanceof SchemaNotFound }),
        ).finally(() => this.loading.delete(id));
        this.loading.set(id, p);
      }
      waits.push(p);
    }
    await Promise.all(waits);
  }

  private async fromFile(path: string): Promise<KnownSchema | undefined> {
    const read = await readSchemaFile(path);
    if (read === undefined) return undefined;
    return { ...parseAvroSchema(read.text, `the schema file ${path}`), source: path, mtimeMs: read.mtimeMs };
  }

  private async fetch(id: string): Promise<KnownSchema> {
    const o = this.options;
    const mapped = o.files?.[id] ?? Object.entries(o.files ?? {}).find(([k]) => k.toLowerCase() === id)?.[1];
    if (mapped) {
      const k = await this.fromFile(mapped);
      if (!k) throw new Error(`schema ${id}: the file it is mapped to, ${mapped}, cannot be read`);
      return k;
    }
    for (const dir of [o.dir, ...(o.dirs ?? [])]) {
      const k = dir ? await this.fromFile(join(dir, `${id}.avsc`)) : undefined;
      if (k) return k;
    }
    const located = await o.locate?.(id);
    if (located) {
      const k = await this.fromFile(located);
      if (k) return k;
    }
    const where = o.searched ?? ([o.dir, ...(o.dirs ?? [])].filter(Boolean).join(', ') || 'no schema folder');
    const notFound = (why: string) => new SchemaNotFound(`schema ${id} not found in ${where} or Glue: ${why}${o.hint ? `; ${o.hint(id)}` : ''}`);
    if (!o.glue) throw notFound(o.noGlue ?? 'Glue is not asked here');
    const { GetSchemaVersionCommand } = require('@aws-sdk/client-glue') as typeof import('@aws-sdk/client-glue');
    let out;
    try {
      const glue = await o.glue();
      out = await glue.send(new GetSchemaVersionCommand({ SchemaVersionId: id }));
    } catch (e) {
      const name = (e as Error).name;
      const why = name === 'AccessDeniedException' ? `${(e as Error).message} (reading it needs glue:GetSchemaVersion)` : (e as Error).message;
      throw notFound(`GetSchemaVersion failed: ${why}`);
    }
    if (out.DataFormat && out.DataFormat !== 'AVRO') throw new Error(`schema ${id} is ${out.DataFormat} in Glue; only Avro schemas are decoded`);
    const def = out.SchemaDefinition ?? '';
    if (def.length > MAX_SCHEMA_BYTES) throw new Error(`schema ${id}: Glue's definition is larger than ${MAX_SCHEMA_BYTES / 1024 / 1024} MiB`);
    const parsed = parseAvroSchema(def, `Glue's definition of schema ${id}`);
    return { ...parsed, name: out.SchemaArn?.split('/').pop() ?? parsed.name, source: 'Glue' };
  }
}
