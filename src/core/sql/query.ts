/**
 * What a SQL cell says besides its SQL: a first line `-- expect: empty` or `-- expect: rows`
 * (the query is a check), and `stream('orders', from => 'TRIM_HORIZON', count => 10000)` in a
 * FROM clause (read the stream directly). The calls are replaced by table names padded to the
 * same length, so that the engine's error positions still point into the text as written.
 */
import { SqlError } from './engine';
import type { SampleFrom } from '../transform/sample';

export type Expectation = 'empty' | 'rows';

export interface StreamCall {
  /** Table name the call was replaced by. */
  table: string;
  stream: string;
  connection?: string;
  from: SampleFrom;
  count: number;
}

export interface PreparedQuery {
  sql: string;
  expect?: Expectation;
  streams: StreamCall[];
}

export const DEFAULT_STREAM_COUNT = 1000;
export const MAX_STREAM_COUNT = 100_000;

const EXPECT = /^\s*--\s*expect\s*:\s*(\S+)\s*$/i;

export function prepareQuery(text: string): PreparedQuery {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  let expect: Expectation | undefined;
  const m = EXPECT.exec(firstLine);
  if (m) {
    const v = m[1].toLowerCase();
    if (v !== 'empty' && v !== 'rows') throw new SqlError(`"-- expect:" takes "empty" (the check passes when the query returns no rows) or "rows" (when it returns at least one), not "${m[1]}".`, 1, firstLine.indexOf(m[1]) + 1);
    expect = v;
  }
  if (!/\S/.test(text.split(/\r?\n/).filter((l) => !/^\s*--/.test(l)).join('\n'))) throw new SqlError('This SQL cell has no query. Write one such as: SELECT city, count(*) FROM records GROUP BY city');
  const { sql, streams } = replaceStreamCalls(text);
  return { sql, expect, streams };
}

const IDENT_CHAR = /[A-Za-z0-9_$]/;

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function fail(text: string, offset: number, message: string): never {
  const p = position(text, offset);
  throw new SqlError(message, p.line, p.column);
}

const USAGE = "write it as stream('orders', from => 'TRIM_HORIZON', count => 10000) (from: TRIM_HORIZON, LATEST or an ISO date; connection => 'local' optional)";

function replaceStreamCalls(text: string): { sql: string; streams: StreamCall[] } {
  const streams: StreamCall[] = [];
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = skipQuoted(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += text.slice(i, stop);
      i = stop;
    } else if (/[A-Za-z_]/.test(c) && (i === 0 || !IDENT_CHAR.test(text[i - 1]))) {
      let j = i;
      while (j < n && IDENT_CHAR.test(text[j])) j++;
      const word = text.slice(i, j);
      let k = j;
      while (k < n && /\s/.test(text[k])) k++;
      if (word.toLowerCase() === 'stream' && text[k] === '(') {
        const { call, end } = parseStreamCall(text, k + 1, streams.length + 1);
        streams.push(call);
        const replacement = `"${call.table}"`;
        const length = end - i;
        // Same length (keeping line breaks), so positions after the call stay true.
        const kept = text.slice(i, end).replace(/[^\n]/g, ' ');
        out += replacement + kept.slice(Math.min(replacement.length, length));
        i = end;
      } else {
        out += word;
        i = j;
      }
    } else {
      out += c;
      i++;
    }
  }
  return { sql: out, streams };
}

function skipQuoted(text: string, start: number): number {
  const q = text[start];
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === q) {
      if (text[i + 1] === q) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

function parseStreamCall(text: string, argsStart: number, index: number): { call: StreamCall; end: number } {
  let i = argsStart;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): string | number => {
    ws();
    if (text[i] === "'") {
      const end = skipQuoted(text, i);
      if (text[end - 1] !== "'" || end - 1 === i) fail(text, i, `An unterminated string in stream(...): ${USAGE}.`);
      const v = text.slice(i + 1, end - 1).replace(/''/g, "'");
      i = end;
      return v;
    }
    const m = /^-?\d+/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail(text, i, `stream(...) takes a quoted name and named values: ${USAGE}.`);
  };
  const args: Record<string, { v: string | number; at: number }> = {};
  ws();
  const nameAt = i;
  const name = value();
  if (typeof name !== 'string' || !name) fail(text, nameAt, `The first argument of stream(...) is the stream's name in quotes: ${USAGE}.`);
  ws();
  while (text[i] === ',') {
    i++;
    ws();
    const keyAt = i;
    const m = /^([A-Za-z_]+)\s*=>/.exec(text.slice(i));
    if (!m) fail(text, keyAt, `stream(...) takes named values after the name: ${USAGE}.`);
    i += m[0].length;
    const key = m[1].toLowerCase();
    if (!['from', 'count', 'connection'].includes(key)) fail(text, keyAt, `stream(...) has no "${m[1]}": ${USAGE}.`);
    ws();
    const at = i;
    args[key] = { v: value(), at };
    ws();
  }
  if (text[i] !== ')') fail(text, i, `stream(...) is not closed where expected: ${USAGE}.`);
  const end = i + 1;

  let count = DEFAULT_STREAM_COUNT;
  if (args.count) {
    const v = Number(args.count.v);
    if (!Number.isInteger(v) || v < 1 || v > MAX_STREAM_COUNT) fail(text, args.count.at, `count is a whole number from 1 to ${MAX_STREAM_COUNT.toLocaleString('en-US')}.`);
    count = v;
  }
  let from: SampleFrom = 'TRIM_HORIZON';
  if (args.from) {
    const v = String(args.from.v).trim();
    if (v.toUpperCase() === 'TRIM_HORIZON') from = 'TRIM_HORIZON';
    else if (v.toUpperCase() === 'LATEST') from = 'LATEST';
    else if (!isNaN(Date.parse(v))) from = { atTimestamp: v };
    else fail(text, args.from.at, `from is 'TRIM_HORIZON', 'LATEST' or an ISO date such as '2026-11-28T10:00:00Z'.`);
  }
  const connection = args.connection ? String(args.connection.v) : undefined;
  return { call: { table: `s${index}`, stream: name, ...(connection ? { connection } : {}), from, count }, end };
}

/** The check a `-- expect:` line asks for: undefined when it passes, else why not. */
export function checkExpectation(expect: Expectation | undefined, rowCount: number): string | undefined {
  if (expect === 'empty' && rowCount > 0) return `Check failed: expected no rows, the query returned ${rowCount.toLocaleString('en-US')}.`;
  if (expect === 'rows' && rowCount === 0) return 'Check failed: expected rows, the query returned none.';
  return undefined;
}
