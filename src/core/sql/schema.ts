/**
 * Table definitions from what the engine inferred over a sample: the Glue Data Catalog's
 * `StorageDescriptor.Columns` (Hive types, what Firehose format conversion and Athena read) with
 * its `CREATE EXTERNAL TABLE` DDL, and Flink SQL's `CREATE TABLE` for the Kinesis connector
 * (what Managed Service for Apache Flink Studio runs).
 */
import { LOG_EVENT_COLUMNS, METADATA_COLUMNS } from './table';
import type { SqlColumn } from './engine';

export interface GlueColumn {
  Name: string;
  Type: string;
}

/** Splits "a INT, b STRUCT(c INT, d VARCHAR)" at the top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** "name TYPE" or "\"odd name\" TYPE" -> [name, TYPE]. */
function field(s: string): [string, string] {
  const m = /^"((?:[^"]|"")*)"\s+(.*)$/s.exec(s) ?? /^(\S+)\s+(.*)$/s.exec(s);
  return m ? [m[1].replace(/""/g, '"'), m[2]] : [s, 'VARCHAR'];
}

type Dialect = 'hive' | 'flink';

/** A DuckDB type in Hive (Glue) or Flink SQL terms. */
export function convertType(duck: string, dialect: Dialect): string {
  const t = duck.trim();
  if (t.endsWith('[]')) {
    const inner = convertType(t.slice(0, -2), dialect);
    return dialect === 'hive' ? `array<${inner}>` : `ARRAY<${inner}>`;
  }
  const struct = /^STRUCT\((.*)\)$/s.exec(t);
  if (struct) {
    const fields = splitTop(struct[1]).map(field);
    return dialect === 'hive'
      ? `struct<${fields.map(([n, ty]) => `${n}:${convertType(ty, dialect)}`).join(',')}>`
      : `ROW<${fields.map(([n, ty]) => `\`${n}\` ${convertType(ty, dialect)}`).join(', ')}>`;
  }
  const map = /^MAP\((.*)\)$/s.exec(t);
  if (map) {
    const [k, v] = splitTop(map[1]);
    return dialect === 'hive' ? `map<${convertType(k, dialect)},${convertType(v, dialect)}>` : `MAP<${convertType(k, dialect)}, ${convertType(v, dialect)}>`;
  }
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return dialect === 'hive' ? `decimal(${dec[1]},${dec[2]})` : `DECIMAL(${dec[1]}, ${dec[2]})`;
  const base = t.replace(/\(.*$/, '').toUpperCase();
  const hive: Record<string, string> = {
    BOOLEAN: 'boolean', TINYINT: 'tinyint', SMALLINT: 'smallint', INTEGER: 'int', BIGINT: 'bigint', HUGEINT: 'decimal(38,0)',
    UTINYINT: 'smallint', USMALLINT: 'int', UINTEGER: 'bigint', UBIGINT: 'decimal(20,0)', FLOAT: 'float', DOUBLE: 'double',
    DATE: 'date', TIMESTAMP: 'timestamp', 'TIMESTAMP WITH TIME ZONE': 'timestamp', TIMESTAMP_MS: 'timestamp', VARCHAR: 'string', JSON: 'string', UUID: 'string',
  };
  const flink: Record<string, string> = {
    BOOLEAN: 'BOOLEAN', TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INTEGER: 'INT', BIGINT: 'BIGINT', HUGEINT: 'DECIMAL(38, 0)',
    UTINYINT: 'SMALLINT', USMALLINT: 'INT', UINTEGER: 'BIGINT', UBIGINT: 'DECIMAL(20, 0)', FLOAT: 'FLOAT', DOUBLE: 'DOUBLE',
    DATE: 'DATE', TIMESTAMP: 'TIMESTAMP(3)', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP_LTZ(3)', TIMESTAMP_MS: 'TIMESTAMP(3)', VARCHAR: 'STRING', JSON: 'STRING', UUID: 'STRING',
  };
  return (dialect === 'hive' ? hive : flink)[base] ?? (dialect === 'hive' ? 'string' : 'STRING');
}

const NOT_DATA = new Set<string>([...METADATA_COLUMNS, ...LOG_EVENT_COLUMNS, 'log_timestamp']);

/** The record's own fields (not the Kinesis metadata the table adds). */
export function dataColumns(columns: readonly SqlColumn[]): SqlColumn[] {
  return columns.filter((c) => !NOT_DATA.has(c.name));
}

export function glueColumns(columns: readonly SqlColumn[]): GlueColumn[] {
  return dataColumns(columns).map((c) => ({ Name: c.name.toLowerCase(), Type: convertType(c.type, 'hive') }));
}

const hiveIdent = (s: string) => '`' + s.replace(/`/g, '``') + '`';

/** Athena / Glue DDL for JSON records in S3 (the OpenX JSON SerDe, as Firehose writes them). */
export function glueDdl(table: string, columns: readonly SqlColumn[], location = 's3://your-bucket/prefix/'): string {
  const cols = glueColumns(columns);
  return [
    `CREATE EXTERNAL TABLE ${hiveIdent(table)} (`,
    cols.map((c) => `  ${hiveIdent(c.Name)} ${c.Type}`).join(',\n'),
    `)`,
    `ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'`,
    `LOCATION '${location.replace(/'/g, "''")}';`,
  ].join('\n');
}

const flinkIdent = (s: string) => '`' + s.replace(/`/g, '``') + '`';

/**
 * Flink SQL for Managed Service for Apache Flink: the stream as a table through the Kinesis
 * connector (metadata columns from the connector, a watermark on the arrival time), then the query.
 */
export function flinkSql(opts: { stream: string; region?: string; from?: string; columns: readonly SqlColumn[]; query: string; table?: string }): string {
  const table = opts.table ?? opts.stream.replace(/[^A-Za-z0-9_]/g, '_');
  const cols = dataColumns(opts.columns).map((c) => `  ${flinkIdent(c.name)} ${convertType(c.type, 'flink')},`);
  const query = opts.query
    .replace(/\brecords\b/g, flinkIdent(table))
    .replace(/\btumble\s*\(\s*([^,]+?)\s*,\s*(INTERVAL[^)]*)\)/gi, 'TUMBLE_START($1, $2)');
  return [
    `-- The stream as a table, through the Kinesis connector (Managed Service for Apache Flink, Studio notebooks: %flink.ssql).`,
    `CREATE TABLE ${flinkIdent(table)} (`,
    ...cols,
    `  \`arrival_time\` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,`,
    `  \`shard_id\` VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL,`,
    `  \`sequence_number\` VARCHAR(128) NOT NULL METADATA FROM 'sequence-number' VIRTUAL,`,
    `  WATERMARK FOR \`arrival_time\` AS \`arrival_time\` - INTERVAL '5' SECOND`,
    `) WITH (`,
    `  'connector' = 'kinesis',`,
    `  'stream' = '${opts.stream.replace(/'/g, "''")}',`,
    `  'aws.region' = '${(opts.region ?? 'us-east-1').replace(/'/g, "''")}',`,
    `  'scan.stream.initpos' = '${opts.from ?? 'TRIM_HORIZON'}',`,
    `  'format' = 'json',`,
    `  'json.ignore-parse-errors' = 'true'`,
    `);`,
    ``,
    `-- The query. In Flink a tumbling window is a group window: GROUP BY TUMBLE(arrival_time, INTERVAL '1' MINUTE)`,
    `-- with TUMBLE_START(...) in the select list, or the TUMBLE(TABLE t, DESCRIPTOR(arrival_time), INTERVAL '1' MINUTE) table function.`,
    query.trim().replace(/;?\s*$/, ';'),
  ].join('\n');
}
