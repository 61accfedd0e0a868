/**
 * Filtering decoded records: by partition key, shard, time range, free text and a JMESPath
 * expression over the decoded JSON (the language of the AWS CLI's --query). A bad expression is
 * returned as a message, never thrown.
 */
import * as jmespath from 'jmespath';
import type { DecodedRecord } from './types';

export interface RecordFilterSpec {
  /** Exact partition key, or a pattern with `*` wildcards (case-sensitive). */
  partitionKey?: string;
  /** Keep records of these shards only (empty or absent: all). */
  shardIds?: string[];
  /** Arrival time range, epoch ms, inclusive. */
  from?: number;
  to?: number;
  /** Case-insensitive substring of the decoded text, partition key or sequence number. */
  text?: string;
  /**
   * JMESPath over the record's JSON: a record matches when the result is "truthy" in JMESPath
   * terms (not null, false, empty string, empty array or empty object). Records without JSON never match.
   */
  jmespath?: string;
}

export interface FilterCompileResult {
  filter: RecordFilter;
  /** Set when the JMESPath expression does not compile (the filter then matches nothing). */
  error?: string;
}

function wildcard(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
  return (s) => re.test(s);
}

export function jmespathTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Checks a JMESPath expression: undefined when fine, else the parser's message. */
export function jmespathError(expression: string): string | undefined {
  try {
    // compile() exists in the library but not in @types/jmespath.
    (jmespath as unknown as { compile(e: string): unknown }).compile(expression);
  } catch (e) {
    const err = e as Error;
    return `${err.name && err.name !== 'Error' ? err.name + ': ' : ''}${err.message}`;
  }
  // jmespath.js 0.16 accepts some broken expressions: an unclosed literal or string
  // (`level == 'ERROR`) compiles and then matches nothing, and a trailing dot (`a.b.`) crashes
  // only when evaluated. Catch both here so the user sees an error, not an empty list.
  const open = unclosedQuote(expression);
  if (open) return `SyntaxError: unclosed ${open === '`' ? 'literal' : 'string'} starting with ${open}`;
  try {
    jmespath.search({} as never, expression);
    return undefined;
  } catch (e) {
    if (!(e instanceof TypeError)) return undefined; // a type error on {} is a runtime matter, not syntax
    return 'SyntaxError: the expression is incomplete (does it end with "." or an operator?)';
  }
}

/** The quote character left open at the end of the expression, if any. */
function unclosedQuote(expression: string): string | undefined {
  let open: string | undefined;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (open) {
      if (c === '\\') i++;
      else if (c === open) open = undefined;
    } else if (c === "'" || c === '"' || c === '`') open = c;
  }
  return open;
}

/** Evaluates a JMESPath expression; a runtime error comes back as { error }. */
export function evaluateJmespath(json: unknown, expression: string): { value?: unknown; error?: string } {
  try {
    return { value: jmespath.search(json as never, expression) };
  } catch (e) {
    const err = e as Error;
    return { error: `${err.name && err.name !== 'Error' ? err.name + ': ' : ''}${err.message}` };
  }
}

export class RecordFilter {
  private readonly tests: ((r: DecodedRecord) => boolean)[] = [];
  /** The last runtime error of the JMESPath expression (for example a function given the wrong type), if any. */
  runtimeError?: string;
  readonly empty: boolean;

  private constructor(readonly spec: RecordFilterSpec, compileError?: string) {
    const t = this.tests;
    if (compileError) t.push(() => false);
    if (spec.partitionKey) {
      const m = wildcard(spec.partitionKey);
      t.push((r) => m(r.partitionKey));
    }
    if (spec.shardIds?.length) {
      const ids = new Set(spec.shardIds);
      t.push((r) => ids.has(r.shardId));
    }
    if (spec.from !== undefined) {
      const from = spec.from;
      t.push((r) => r.arrivalTime >= from);
    }
    if (spec.to !== undefined) {
      const to = spec.to;
      t.push((r) => r.arrivalTime <= to);
    }
    if (spec.text) {
      const needle = spec.text.toLowerCase();
      t.push((r) => r.text.toLowerCase().includes(needle) || r.partitionKey.toLowerCase().includes(needle) || r.sequenceNumber.includes(needle));
    }
    const expr = spec.jmespath?.trim();
    if (expr && !compileError) {
      t.push((r) => {
        if (r.json === undefined) return false;
        const res = evaluateJmespath(r.json, expr);
        if (res.error) {
          this.runtimeError = res.error;
          return false;
        }
        return jmespathTruthy(res.value);
      });
    }
    this.empty = t.length === 0;
  }

  /** Builds a filter; a JMESPath syntax error is returned in `error`, not thrown. */
  static compile(spec: RecordFilterSpec): FilterCompileResult {
    const expr = spec.jmespath?.trim();
    const error = expr ? jmespathError(expr) : undefined;
    return { filter: new RecordFilter(spec, error), ...(error ? { error } : {}) };
  }

  matches(r: DecodedRecord): boolean {
    for (const t of this.tests) if (!t(r)) return false;
    return true;
  }

  apply(records: Iterable<DecodedRecord>): DecodedRecord[] {
    const out: DecodedRecord[] = [];
    for (const r of records) if (this.matches(r)) out.push(r);
    return out;
  }
}
