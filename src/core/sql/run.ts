/**
 * One SQL cell, end to end: read its directives, load the tables it names (the sample above as
 * `records`, the transform above's output as `output`, streams read directly), run the query,
 * and check its `-- expect:` line. Used by the notebook controller and the headless runner.
 */
import type { RawRecord } from '../records/types';
import type { TransformReport } from '../transform/engine';
import type { SampleRecord } from '../transform/sampleRecord';
import { SqlError, SqlResult, SqlSession } from './engine';
import { checkExpectation, Expectation, prepareQuery, StreamCall } from './query';
import { recordsToRows, transformOutputToRows } from './table';

export interface SqlCellInputs {
  /** The records of the nearest sample (or SQL) cell above: table `records`. */
  records?: readonly RawRecord[];
  /** The nearest transform cell above: table `output`. */
  transform?: { report: TransformReport; input: readonly RawRecord[] };
  /** Reads a stream named in `stream(...)`. */
  readStream?: (call: StreamCall) => Promise<RawRecord[]>;
}

export interface SqlCellResult extends SqlResult {
  expect?: Expectation;
  /** Set when the `-- expect:` check failed: why. */
  checkFailure?: string;
  /** Tables loaded, with their row counts. */
  tables: Record<string, number>;
}

export const RECORDS_TABLE = 'records';
export const OUTPUT_TABLE = 'output';

function mentions(sql: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`, 'i').test(sql);
}

export async function runSqlCell(text: string, inputs: SqlCellInputs, opts: { maxRows?: number } = {}): Promise<SqlCellResult> {
  const q = prepareQuery(text);
  const session = await SqlSession.create();
  try {
    const tables: Record<string, number> = {};
    const load = async (name: string, rows: ReturnType<typeof recordsToRows>) => {
      await session.load(name, rows);
      tables[name] = rows.length;
    };
    // The sample is loaded unless the query reads only streams (then it is not needed and may be large).
    if (inputs.records && (mentions(q.sql, RECORDS_TABLE) || q.streams.length === 0)) await load(RECORDS_TABLE, recordsToRows(inputs.records));
    if (inputs.transform && mentions(q.sql, OUTPUT_TABLE)) await load(OUTPUT_TABLE, transformOutputToRows(inputs.transform.report, inputs.transform.input));
    for (const call of q.streams) {
      if (!inputs.readStream) throw new SqlError(`stream('${call.stream}') needs a connection: run the notebook with --endpoint or --profile.`);
      await load(call.table, recordsToRows(await inputs.readStream(call)));
    }
    let result: SqlResult;
    try {
      result = await session.query(q.sql, opts);
    } catch (e) {
      if (e instanceof SqlError) throw explainMissingTable(e, inputs);
      throw e;
    }
    const checkFailure = checkExpectation(q.expect, result.rowCount);
    return { ...result, ...(q.expect ? { expect: q.expect } : {}), ...(checkFailure ? { checkFailure } : {}), tables };
  } finally {
    session.close();
  }
}

/** "Table with name records does not exist" means the notebook has no such cell above: say so. */
function explainMissingTable(e: SqlError, inputs: SqlCellInputs): SqlError {
  const m = /Table with name (\w+) does not exist/i.exec(e.message);
  if (!m) return e;
  const name = m[1].toLowerCase();
  let hint: string | undefined;
  if (name === RECORDS_TABLE && !inputs.records) hint = 'There is no sample cell above this one: add a JSON cell such as { "sample": { "stream": "orders", "count": 500 } } before it, or query a stream directly: FROM stream(\'orders\', count => 1000).';
  else if (name === OUTPUT_TABLE && !inputs.transform) hint = 'There is no transform cell above this one to query the output of: run one first.';
  else hint = `Tables here: ${RECORDS_TABLE} (the sample above), ${OUTPUT_TABLE} (the transform above), or stream('name', ...).`;
  // DuckDB suggests its own catalog tables ("Did you mean pg_prepared_statements?") and our staging
  // tables: not helpful here.
  const message = e.message.replace(/\s*Did you mean "(pg_|duckdb_|sqlite_|information_schema|kinesis_staging)[^"]*"\??/, '').replace(/!$/, '.');
  return new SqlError(`${message} ${hint}`, e.line, e.column);
}

const META = new Set(['arrival_time', 'shard_id', 'partition_key', 'sequence_number', 'sub_sequence_number', 'size']);

/** UTC "YYYY-MM-DD HH:MM:SS[.fff]" (the engine's timestamps as JSON) to epoch ms. */
export function parseSqlTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v.replace(' ', 'T') : v.replace(' ', 'T') + 'Z');
  return Number.isFinite(t) ? t : undefined;
}

/**
 * A SQL result as the sample of the next transform cell: one record per row, its data the row's
 * columns as JSON (the metadata columns, when selected, become the record's metadata).
 */
export function resultToRecords(result: SqlResult): SampleRecord[] {
  const names = result.columns.map((c) => c.name);
  return result.rows.map((r, i) => {
    const data: Record<string, unknown> = {};
    const meta: Record<string, unknown> = {};
    names.forEach((n, k) => ((META.has(n) ? meta : data)[n] = r[k]));
    return {
      shardId: typeof meta.shard_id === 'string' ? meta.shard_id : 'shardId-000000000000',
      sequenceNumber: typeof meta.sequence_number === 'string' ? meta.sequence_number : '4960' + String(i).padStart(52, '0'),
      partitionKey: meta.partition_key != null ? String(meta.partition_key) : `row-${i + 1}`,
      arrivalTime: parseSqlTimestamp(meta.arrival_time) ?? Date.now(),
      data: Buffer.from(JSON.stringify(data)),
    };
  });
}

/** The columns (and DuckDB types) of the table records make: what "Infer table" and "Copy as Flink SQL" describe. */
export async function describeRecords(records: readonly RawRecord[]): Promise<SqlResult['columns']> {
  const session = await SqlSession.create();
  try {
    await session.load(RECORDS_TABLE, recordsToRows(records));
    const r = await session.query(`SELECT column_name, column_type FROM (DESCRIBE ${RECORDS_TABLE})`);
    return r.rows.map((row) => ({ name: String(row[0]), type: String(row[1]) }));
  } finally {
    session.close();
  }
}
