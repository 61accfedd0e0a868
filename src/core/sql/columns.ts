/**
 * Rows as typed columns, for a load without JSON text: the type of every column is inferred in
 * JavaScript the way DuckDB's JSON reader (`read_json_auto`, every row sampled) infers it, so that
 * a table loaded from columns is the table the reader would have made. Where the reader's rules
 * are subtle (strings that may be dates, times or UUIDs in a format other than ISO 8601, objects
 * it would read as a MAP, integers past BIGINT), the inference gives up and the caller loads the
 * rows through the reader instead: same table, slower.
 */
import type { Row } from './table';

/**
 * How a column is handed to the engine: numbers (and timestamps, as microseconds) as DOUBLE, text
 * as VARCHAR, or as an ENUM when it has few distinct values (written as indexes, without a call
 * into the engine per value), booleans, and anything else as JSON text.
 */
export type Staging = 'double' | 'varchar' | 'enum' | 'boolean' | 'json';

/** Text columns with at most this many distinct values are staged as an ENUM. */
const MAX_ENUM_VALUES = 4096;

export interface TypedColumn {
  name: string;
  /** The type the reader would infer: BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP, JSON, STRUCT(...), T[]. */
  type: string;
  /** What the values are staged as: numbers as DOUBLE, text as VARCHAR, anything nested as JSON text. */
  staging: Staging;
  /** One value per row (null where the row has no such field), as staged. */
  values: (number | string | boolean | null)[];
  /** The distinct values of an ENUM-staged column. */
  dictionary?: string[];
  /** A list staged as JSON text: its type as `json_transform` reads it. */
  structure?: string;
  /** A STRUCT: its fields, each staged as a column; `values` then say whether the object is there. */
  fields?: TypedColumn[];
}

/** A shape the inference cannot vouch for (the reader decides). */
export class NotInferable extends Error {}

/** Objects with more keys than this become a MAP in the reader (its map_inference_threshold). */
const MAX_STRUCT_KEYS = 200;
/** Each key must be in at least this share of a field's objects (the reader turns rare keys into a MAP). */
const MIN_KEY_SHARE = 0.5;
const INT64 = 2 ** 63;

// The strings DuckDB's reader turns into TIMESTAMP that we also recognise; any other string that
// may be a date, a time or a UUID to the reader is left to the reader (dates too: it reads a
// column of ISO dates as DATE or as VARCHAR, by rules of its own).
// An ISO timestamp is YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z (read by hand: a regular expression's match
// for each of 100,000 values is what the garbage collector then spends its time on).
const MAYBE_TEMPORAL = /\d\s*[-:/.]\s*\d|^\s*[-+]?(infinity|epoch)|^[\s{]*[0-9a-f]{8}-?[0-9a-f]{4}/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m >= 1 && m <= 12 && d >= 1 && d <= DAYS_IN_MONTH[m - 1] + (leap ? 1 : 0);
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** What a field's values were seen to be, over every row. */
class Shape {
  bools = 0;
  ints = 0;
  doubles = 0;
  plain = 0;
  timestamps = 0;
  otherTemporal = 0;
  objects = 0;
  emptyObjects = 0;
  arrays = 0;
  fields?: Map<string, Shape>;
  /** Objects each key was in. */
  keyCount?: Map<string, number>;
  element?: Shape;

  add(v: unknown): void {
    if (v === null || v === undefined) return;
    switch (typeof v) {
      case 'boolean':
        this.bools++;
        return;
      case 'number':
        if (Number.isInteger(v) && v >= -INT64 && v < INT64) this.ints++;
        else if (Number.isInteger(v) && v >= INT64) throw new NotInferable('an integer past BIGINT');
        else this.doubles++;
        return;
      case 'string':
        this.addString(v);
        return;
    }
    if (Array.isArray(v)) {
      this.arrays++;
      const e = (this.element ??= new Shape());
      for (const x of v) e.add(x);
      return;
    }
    const o = v as Record<string, unknown>;
    this.objects++;
    const fields = (this.fields ??= new Map());
    const counts = (this.keyCount ??= new Map());
    let n = 0;
    for (const k of Object.keys(o)) {
      n++;
      let f = fields.get(k);
      if (!f) {
        fields.set(k, (f = new Shape()));
        if (fields.size > MAX_STRUCT_KEYS) throw new NotInferable('an object with many keys');
      }
      counts.set(k, (counts.get(k) ?? 0) + 1);
      f.add(o[k]);
    }
    if (n === 0) this.emptyObjects++;
  }

  private addString(s: string): void {
    // One string that cannot be a date or time makes the column text: the rest need no look.
    if (this.plain) {
      this.plain++;
      return;
    }
    // Past the year 2255 microseconds are not exact in a double: the reader's to read.
    if (Math.abs(isoTimestampMicros(s)) <= Number.MAX_SAFE_INTEGER) this.timestamps++;
    else if (MAYBE_TEMPORAL.test(s)) this.otherTemporal++;
    else this.plain++;
  }

  /** The type the reader gives these values. */
  type(): string {
    const strings = this.plain + this.timestamps + this.otherTemporal;
    const numbers = this.ints + this.doubles;
    const kinds = (this.bools ? 1 : 0) + (numbers ? 1 : 0) + (strings ? 1 : 0) + (this.objects ? 1 : 0) + (this.arrays ? 1 : 0);
    if (kinds === 0) return 'JSON';
    if (kinds > 1) return 'JSON';
    if (this.bools) return 'BOOLEAN';
    if (numbers) return this.doubles ? 'DOUBLE' : 'BIGINT';
    if (strings) {
      // One string that cannot be a date or time makes the column text; a column of nothing but
      // dates or times is the reader's to judge, unless every value is ISO 8601 of one form.
      if (this.plain) return 'VARCHAR';
      if (this.timestamps === strings) return 'TIMESTAMP';
      throw new NotInferable('strings that may be dates or times');
    }
    if (this.arrays) return `${this.element!.type()}[]`;
    if (this.emptyObjects) throw new NotInferable('an empty object');
    const lower = new Set<string>();
    const parts: string[] = [];
    for (const [k, f] of this.fields!) {
      const key = k.toLowerCase();
      if (lower.has(key)) throw new NotInferable('keys that differ only in case');
      lower.add(key);
      if (this.keyCount!.get(k)! < this.objects * MIN_KEY_SHARE) throw new NotInferable('a key in few of the objects');
      parts.push(`"${k.replace(/"/g, '""')}" ${f.type()}`);
    }
    return `STRUCT(${parts.join(', ')})`;
  }

  /**
   * The type as `json_transform` reads it ({"key": "TYPE"}, ["TYPE"]): unlike a cast to the type,
   * it takes an object without some of the keys (the reader's own reading gives them NULL).
   */
  structure(): unknown {
    const type = this.type();
    if (type.endsWith('[]')) return [this.element!.structure()];
    if (type.startsWith('STRUCT(')) return Object.fromEntries([...this.fields!].map(([k, f]) => [k, f.structure()]));
    return type;
  }
}

function stagingOf(type: string): Staging {
  if (type === 'BIGINT' || type === 'DOUBLE' || type === 'TIMESTAMP') return 'double';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'VARCHAR') return 'varchar';
  return 'json';
}

/**
 * The rows as columns, in the order their names first appear, each typed over every row; throws
 * NotInferable when a column's type is the reader's to decide. `fixed` gives the type of columns
 * the caller types itself (metadata), skipping their inference.
 */
export function rowsToColumns(rows: readonly Row[], fixed: Readonly<Record<string, 'double' | 'varchar'>> = {}): TypedColumn[] {
  const index = new Map<string, number>();
  const shapes: (Shape | undefined)[] = [];
  const raw: unknown[][] = [];
  const lower = new Set<string>();
  const names: string[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let p = 0;
    for (const k in row) {
      // Rows mostly have their fields in the order the columns were made in.
      let c = names[p] === k ? p : index.get(k);
      p++;
      if (c === undefined) {
        const key = k.toLowerCase();
        if (lower.has(key)) throw new NotInferable('fields that differ only in case');
        lower.add(key);
        c = raw.length;
        index.set(k, c);
        names.push(k);
        raw.push(new Array(rows.length).fill(null));
        shapes.push(fixed[k] ? undefined : new Shape());
      }
      const v = row[k];
      raw[c][r] = v === undefined ? null : v;
      shapes[c]?.add(v);
    }
  }
  const columns: TypedColumn[] = [];
  for (const [name, c] of index) {
    const shape = shapes[c];
    if (shape) columns.push(typedColumn(name, shape, shape.type(), raw[c]));
    else columns.push(fixedColumn(name, fixed[name]!, raw[c]));
  }
  return columns;
}

function fixedColumn(name: string, staging: 'double' | 'varchar', values: unknown[]): TypedColumn {
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v !== null && typeof v !== (staging === 'double' ? 'number' : 'string')) values[r] = staging === 'double' ? Number(v) : String(v);
  }
  return withDictionary({ name, type: staging === 'double' ? 'BIGINT' : 'VARCHAR', staging, values: values as TypedColumn['values'] });
}

/** A column of the type inferred; an object column is staged as one column per field (and whether the object is there). */
function typedColumn(name: string, shape: Shape, type: string, values: unknown[]): TypedColumn {
  if (type.startsWith('STRUCT(') && type.endsWith(')')) {
    const fields: TypedColumn[] = [];
    for (const [k, f] of shape.fields!) {
      const child = values.map((v) => (v === null ? null : ((v as Record<string, unknown>)[k] ?? null)));
      fields.push(typedColumn(k, f, f.type(), child));
    }
    return { name, type, staging: 'boolean', values: values.map((v) => v !== null), fields };
  }
  const staging = stagingOf(type);
  if (type === 'TIMESTAMP') {
    for (let r = 0; r < values.length; r++) if (values[r] !== null) values[r] = isoTimestampMicros(values[r] as string);
  } else if (staging === 'json') {
    for (let r = 0; r < values.length; r++) if (values[r] !== null) values[r] = JSON.stringify(values[r]);
    if (type !== 'JSON') return { name, type, staging, values: values as TypedColumn['values'], structure: JSON.stringify(shape.structure()) };
  }
  return withDictionary({ name, type, staging, values: values as TypedColumn['values'] });
}

function withDictionary(column: TypedColumn): TypedColumn {
  if (column.staging !== 'varchar') return column;
  // The engine takes text to its first NUL character; the reader reads the whole string.
  for (const v of column.values) if (v !== null && (v as string).includes('\0')) throw new NotInferable('text with a NUL character');
  const dictionary = distinct(column.values as (string | null)[]);
  return dictionary ? { ...column, staging: 'enum', dictionary } : column;
}

/** The distinct values, when there are few. */
function distinct(values: readonly (string | null)[]): string[] | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (v === null || seen.has(v)) continue;
    seen.add(v);
    if (seen.size > MAX_ENUM_VALUES) return undefined;
  }
  return [...seen];
}

/** The digits of s from i to i + n as a number, or NaN. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Microseconds since the epoch of YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z, or NaN for any other string or
 * an invalid date.
 */
export function isoTimestampMicros(s: string): number {
  const n = s.length;
  if (n < 20 || n > 27 || s.charCodeAt(n - 1) !== 90 /* Z */) return NaN;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (!(h < 24 && mi < 60 && sec < 60) || !validDate(y, mo, d)) return NaN;
  let micros = 0;
  if (n > 20) {
    // ".f" to ".ffffff" before the Z.
    const f = n - 21;
    if (s[19] !== '.' || f < 1 || f > 6) return NaN;
    micros = digits(s, 20, f) * 10 ** (6 - f);
    if (Number.isNaN(micros)) return NaN;
  }
  return (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1e6 + micros;
}
