/**
 * SQL over records, on DuckDB (`@duckdb/node-api`, in memory). Each run gets its own database:
 * the tables it needs are loaded from rows (as typed columns through the appender, their types
 * inferred as `read_json_auto` infers them: see columns.ts; or, for shapes only the reader can
 * type, written as JSON Lines to a private temporary file and read with `read_json_auto`), the
 * windowing macros are defined, the query runs, and the database is closed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { rowsToColumns, TypedColumn } from './columns';
import type { Row } from './table';

export type LoadPath = 'columns' | 'json-lines';

export interface SqlColumn {
  name: string;
  /** DuckDB's type name: BIGINT, DOUBLE, VARCHAR, TIMESTAMP, STRUCT(...), ... */
  type: string;
}

export interface SqlResult {
  columns: SqlColumn[];
  /** Row values as JSON: numbers as numbers (when they fit), timestamps as `YYYY-MM-DD HH:MM:SS[.fff]` (UTC). */
  rows: unknown[][];
  /** All rows the query returned (`rows` holds at most `maxRows` of them). */
  rowCount: number;
  truncated: boolean;
  timings: { loadMs: number; queryMs: number };
}

/** A query that failed, with where (1-based line and column) when the engine says so. */
export class SqlError extends Error {
  constructor(message: string, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'SqlError';
  }
  /** "line 2, column 7: …" with the query line and a caret under the place. */
  describe(query: string): string {
    if (this.line === undefined) return this.message;
    const text = query.split(/\r?\n/)[this.line - 1] ?? '';
    const col = this.column ?? 1;
    return `Line ${this.line}, column ${col}: ${this.message}\n  ${text}\n  ${' '.repeat(Math.max(0, col - 1))}^`;
  }
}

/**
 * Windowing, the way Flink SQL reads, as macros (DuckDB has no TUMBLE / HOP table functions):
 * - `tumble(ts, INTERVAL '1' MINUTE)`: the start of the tumbling window holding ts (`time_bucket`);
 * - `tumble_end(ts, INTERVAL '1' MINUTE)`: its end;
 * - `hop(ts, slide, size)`: the starts of every hopping window holding ts, a list to `UNNEST`
 *   (size a multiple of slide).
 */
const MACROS = [
  `CREATE MACRO tumble(ts, size) AS time_bucket(size, ts)`,
  `CREATE MACRO tumble_end(ts, size) AS time_bucket(size, ts) + size`,
  `CREATE MACRO hop(ts, slide, size) AS generate_series(time_bucket(slide, ts) - size + slide, time_bucket(slide, ts), slide)`,
];

/** Metadata columns, typed by us: how they are staged. */
const METADATA_STAGING = {
  _arrival_ms: 'double',
  _log_ms: 'double',
  shard_id: 'varchar',
  partition_key: 'varchar',
  sequence_number: 'varchar',
  sub_sequence_number: 'double',
  size: 'double',
} as const;

/** Where the typed columns are staged, apart from the tables a query names. */
const STAGING_SCHEMA = 'kinesis_staging';

/** Rows appended at a time (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** Rows the column types are first inferred from (DuckDB's default sample size). */
const INFER_SAMPLE = 20_480;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type);
}

export function isTimeType(type: string): boolean {
  return /^(TIMESTAMP|DATE)/.test(type);
}

let duckdb: typeof import('@duckdb/node-api') | undefined;
function engine(): typeof import('@duckdb/node-api') {
  // Loaded on first use: the native binding is 60+ MB and most sessions never run SQL.
  return (duckdb ??= require('@duckdb/node-api') as typeof import('@duckdb/node-api'));
}

/** One in-memory database: load tables, run queries, close. */
export class SqlSession {
  private loadMs = 0;
  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  static async create(): Promise<SqlSession> {
    const { DuckDBInstance } = engine();
    // Only what the query needs: no extension downloads, no files but the ones we write.
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const conn = await instance.connect();
    for (const m of MACROS) await conn.run(m);
    return new SqlSession(instance, conn);
  }

  /** How each table was loaded: as typed columns, or through DuckDB's JSON reader. */
  readonly loadedVia: Record<string, LoadPath> = {};

  /**
   * Loads rows (see table.ts) as table `name`; columns are inferred from every row. `via` forces
   * a path (to compare them); by default typed columns, or JSON Lines for what only the reader infers.
   */
  async load(name: string, rows: readonly Row[], opts: { via?: LoadPath } = {}): Promise<void> {
    const t0 = performance.now();
    const table = quoteIdent(name);
    if (rows.length === 0) {
      await this.conn.run(`CREATE OR REPLACE TABLE ${table} (arrival_time TIMESTAMP, shard_id VARCHAR, partition_key VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, size BIGINT)`);
      this.loadMs += performance.now() - t0;
      return;
    }
    let columns: TypedColumn[] | undefined;
    if (opts.via !== 'json-lines') {
      try {
        columns = rowsToColumns(rows, METADATA_STAGING);
      } catch (e) {
        // NotInferable: a shape the reader decides. Anything else is a bug here, and the reader
        // still makes the table.
        if (opts.via === 'columns') throw e;
      }
    }
    if (columns) {
      try {
        await this.loadColumns(table, columns);
        this.loadedVia[name] = 'columns';
        this.loadMs += performance.now() - t0;
        return;
      } catch (e) {
        if (opts.via === 'columns') throw e;
        // The reader below makes the same table, or says what is wrong with the rows.
      }
    }
    await this.loadJsonLines(table, rows);
    this.loadedVia[name] = 'json-lines';
    this.loadMs += performance.now() - t0;
  }

  /**
   * Typed columns, a chunk of rows at a time, through DuckDB's appender into a staging table of
   * DOUBLE, VARCHAR and BOOLEAN columns (values that need no conversion in JavaScript), then the
   * table, each column cast to its type in one statement.
   */
  private async loadColumns(table: string, columns: TypedColumn[]): Promise<void> {
    const { DuckDBDataChunk, DOUBLE, VARCHAR, BOOLEAN, ENUM } = engine();
    const stagingName = `${table.replace(/\W/g, '')}_columns`;
    const staging = `${STAGING_SCHEMA}.${quoteIdent(stagingName)}`;
    // Struct fields are columns of their own: the staged columns are the leaves of the tree.
    const staged: TypedColumn[] = [];
    const stage = (c: TypedColumn): string => {
      const col = `c${staged.length}`;
      staged.push(c);
      if (!c.fields) return castTo(col, c);
      const fields = c.fields.map((f) => `${quoteIdent(f.name)} := ${stage(f)}`);
      return `CASE WHEN ${col} THEN struct_pack(${fields.join(', ')}) END`;
    };
    const select: string[] = [];
    let logTimestamp: string | undefined;
    for (const c of columns) {
      if (c.name === '_arrival_ms') select.unshift(`epoch_ms(CAST(${stage(c)} AS BIGINT)) AS arrival_time`);
      else if (c.name === '_log_ms') logTimestamp = `epoch_ms(CAST(${stage(c)} AS BIGINT)) AS log_timestamp`;
      else select.push(`${stage(c)} AS ${quoteIdent(c.name)}`);
    }
    if (logTimestamp) select.push(logTimestamp);
    const types = staged.map((c) => (c.staging === 'double' ? DOUBLE : c.staging === 'boolean' ? BOOLEAN : c.staging === 'enum' ? ENUM(c.dictionary!) : VARCHAR));
    await this.conn.run(`CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA}`);
    await this.conn.run(`CREATE OR REPLACE TABLE ${staging} (${types.map((t, i) => `c${i} ${t.toString()}`).join(', ')})`);
    const appender = await this.conn.createAppender(stagingName, STAGING_SCHEMA);
    try {
      const n = staged[0].values.length;
      for (let start = 0; start < n; start += CHUNK_ROWS) {
        const end = Math.min(n, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, end - start);
        for (let i = 0; i < staged.length; i++) chunk.setColumnValues(i, staged[i].values.slice(start, end));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    // A view: each column is cast when a query reads it, so a query pays only for its columns.
    await this.conn.run(`CREATE OR REPLACE VIEW ${table} AS SELECT ${select.join(', ')} FROM ${staging}`);
  }

  /** Rows as JSON Lines in a private temporary file, read by DuckDB's reader (which infers every type). */
  private async loadJsonLines(table: string, rows: readonly Row[]): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'kinesis-sql-'));
    try {
      const file = join(dir, 'rows.jsonl');
      const lines: string[] = new Array(rows.length);
      const keys = new Set<string>();
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        lines[i] = JSON.stringify(row);
        for (const k in row) keys.add(k);
      }
      writeFileSync(file, lines.join('\n'));
      const logs = keys.has('_log_ms');
      const exclude = logs ? '_arrival_ms, _log_ms' : '_arrival_ms';
      // Typed even when every value is null (a sample without KPL records has no sub-sequence numbers).
      const replace = `REPLACE (CAST(shard_id AS VARCHAR) AS shard_id, CAST(partition_key AS VARCHAR) AS partition_key, CAST(sequence_number AS VARCHAR) AS sequence_number, CAST(sub_sequence_number AS BIGINT) AS sub_sequence_number, CAST(size AS BIGINT) AS size)`;
      const create = (sampleSize: number) =>
        this.conn.run(
          `CREATE OR REPLACE TABLE ${table} AS SELECT epoch_ms(CAST(_arrival_ms AS BIGINT)) AS arrival_time, * EXCLUDE (${exclude}) ${replace}${logs ? ', epoch_ms(CAST(_log_ms AS BIGINT)) AS log_timestamp' : ''} ` +
            `FROM read_json_auto('${file.replace(/'/g, "''")}', format = 'newline_delimited', sample_size = ${sampleSize}, maximum_object_size = 67108864)`,
        );
      // Types are inferred from the first rows (DuckDB's default sample), which halves the load of
      // large samples; when a field first appears later, or a later value does not fit the type
      // inferred, the rows are read again with every row inferred.
      let complete = false;
      if (rows.length > INFER_SAMPLE) {
        try {
          await create(INFER_SAMPLE);
          const cols = new Set((await this.conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${table})`)).getRows().map((r) => String(r[0])));
          complete = [...keys].every((k) => k.startsWith('_') || cols.has(k));
        } catch {
          complete = false;
        }
      }
      if (!complete) await create(-1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async query(sql: string, opts: { maxRows?: number } = {}): Promise<SqlResult> {
    const maxRows = opts.maxRows ?? 100_000;
    const t0 = performance.now();
    let reader;
    try {
      reader = await this.conn.runAndReadUntil(sql, maxRows + 1);
    } catch (e) {
      throw toSqlError(e, sql);
    }
    const types = reader.columnTypes().map(String);
    const columns = reader.columnNames().map((name, i) => ({ name, type: types[i] }));
    let all = reader.getRowsJson() as unknown[][];
    let rowCount = all.length;
    if (!reader.done) {
      // Count the rest without holding it.
      while (!reader.done) {
        await reader.readUntil(reader.currentRowCount + 100_000);
      }
      rowCount = reader.currentRowCount;
    }
    const truncated = rowCount > maxRows;
    if (all.length > maxRows) all = all.slice(0, maxRows);
    const numeric = columns.map((c) => isNumericType(c.type));
    const rows = all.map((r) => r.map((v, i) => (numeric[i] && typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : v)));
    return { columns, rows, rowCount, truncated, timings: { loadMs: Math.round(this.loadMs), queryMs: Math.round(performance.now() - t0) } };
  }

  close(): void {
    try {
      this.conn.closeSync();
    } catch {
      /* already closed */
    }
    try {
      this.instance.closeSync();
    } catch {
      /* already closed */
    }
  }
}

/** A staged column as its type (see columns.ts: what each type is staged as). */
function castTo(col: string, c: TypedColumn): string {
  if (c.staging === 'json') return c.structure ? `json_transform(CAST(${col} AS JSON), '${c.structure.replace(/'/g, "''")}')` : `CAST(${col} AS JSON)`;
  if (c.staging === 'enum') return `CAST(${col} AS VARCHAR)`;
  if (c.type === 'TIMESTAMP') return `make_timestamp(CAST(${col} AS BIGINT))`;
  if (c.type === 'BIGINT') return `CAST(${col} AS BIGINT)`;
  return col;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * DuckDB's errors say where: "LINE 2: where cty = 1" with a caret line under it. The line is
 * shown cut to a window ("...") around the place; find that window in the query to get the column.
 */
export function toSqlError(e: unknown, sql: string): SqlError {
  const raw = e instanceof Error ? e.message : String(e);
  const [first, ...rest] = raw.split('\n');
  const lineIdx = rest.findIndex((l) => /^LINE \d+: /.test(l));
  let message = first.trim();
  // The binder lists candidate columns on the next lines: keep them, they say what to do.
  const hints = rest.slice(0, lineIdx < 0 ? rest.length : lineIdx).map((l) => l.trim()).filter(Boolean);
  if (hints.length) message += ' ' + hints.join(' ');
  if (lineIdx < 0) return new SqlError(message);
  const m = /^LINE (\d+): (.*)$/.exec(rest[lineIdx])!;
  const line = Number(m[1]);
  const shown = m[2];
  const caret = (rest[lineIdx + 1] ?? '').indexOf('^');
  const prefix = `LINE ${m[1]}: `.length;
  let column: number | undefined;
  if (caret >= prefix) {
    let offset = caret - prefix;
    let snippet = shown;
    if (snippet.startsWith('...')) {
      snippet = snippet.slice(3);
      offset -= 3;
    }
    if (snippet.endsWith('...')) snippet = snippet.slice(0, -3);
    const text = sql.split(/\r?\n/)[line - 1] ?? '';
    const at = text.indexOf(snippet);
    column = (at >= 0 ? at : 0) + offset + 1;
  }
  return new SqlError(message, line, column);
}
