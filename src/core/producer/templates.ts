/**
 * Record templates: text (usually JSON) with `{{ ... }}` placeholders filled per record.
 *
 *   {{uuid}}                        a random UUID
 *   {{counter}} {{counter(100, 5)}} a running counter (start, step); 1, 2, 3... by default
 *   {{now}} {{now("epoch")}} {{now("epochSeconds")}} {{timestamp}}   the current time
 *   {{int(1, 100)}} {{float(0, 1, 3)}}                               random numbers
 *   {{pick(["GET", "POST"])}} {{pick(["ok", "error"], [95, 5])}}     a pick from a list, optionally weighted
 *   {{faker.person.fullName}} {{faker.location.city}} {{faker.number.int({"min": 1, "max": 9})}}
 *                                   any @faker-js/faker function; arguments are JSON values
 *
 * In a JSON template (text starting with `{` or `[`) a placeholder inside a string is escaped for
 * JSON, and one outside a string is written as a JSON value (strings quoted, numbers as numbers).
 * Errors name the line and column of the placeholder. No vscode here.
 */
import type { Faker } from '@faker-js/faker';
import { UserError } from '../aws/errors';
import { fieldValue, PartitionKeySpec } from './partitionKey';
import { randomPartitionKey, SourceItem, utf8 } from './records';

export interface TemplateSpec {
  name?: string;
  description?: string;
  /** The record body. */
  template: string;
  partitionKey?: PartitionKeySpec;
}

/** A template error with its place in the text. */
export class TemplateError extends UserError {
  constructor(message: string, readonly line: number, readonly column: number, readonly offset: number) {
    super(`Template error at line ${line}, column ${column}: ${message}`);
  }
}

interface RenderContext {
  /** 0-based record index. */
  index: number;
  /** Date.now() for this record. */
  now: number;
}

type Fn = (ctx: RenderContext) => unknown;
type Part = string | { fn: Fn; inString: boolean };

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

function err(text: string, offset: number, message: string): TemplateError {
  const p = position(text, offset);
  return new TemplateError(message, p.line, p.column, offset);
}

/**
 * faker (its English data is half the extension's bundle) is required on first use, not when the
 * extension starts; the extension build ships it as its own file, dist/faker.js.
 */
function newFaker(): Faker {
  const { base, en, Faker } = require('@faker-js/faker') as typeof import('@faker-js/faker');
  return new Faker({ locale: [en, base] });
}

const FAKER_MODULES_EXCLUDED = new Set(['rawDefinitions', 'definitions']);

export class CompiledTemplate {
  readonly json: boolean;
  private readonly parts: Part[];
  private readonly faker: Faker;

  constructor(readonly text: string, options: { seed?: number; json?: boolean } = {}) {
    this.faker = newFaker();
    if (options.seed !== undefined) this.faker.seed(options.seed);
    this.json = options.json ?? /^\s*(\[|\{(?!\{))/.test(text);
    this.parts = this.parse(text);
  }

  /** The record text for the record with this 0-based index. */
  render(index: number, now = Date.now()): string {
    const ctx: RenderContext = { index, now };
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const v = part.fn(ctx);
      out += this.format(v, part.inString);
    }
    return out;
  }

  private format(v: unknown, inString: boolean): string {
    if (!this.json) {
      if (v instanceof Date) return v.toISOString();
      return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    }
    if (inString) {
      const s = v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
      return JSON.stringify(s).slice(1, -1);
    }
    if (v === undefined) return 'null';
    if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
    if (typeof v === 'bigint') return v.toString();
    return JSON.stringify(v);
  }

  private parse(text: string): Part[] {
    const parts: Part[] = [];
    let i = 0;
    let literal = '';
    let inString = false;
    while (i < text.length) {
      if (text.startsWith('\\{{', i)) {
        literal += '{{';
        i += 3;
        continue;
      }
      if (text.startsWith('{{', i)) {
        const { fn, end } = this.parsePlaceholder(text, i);
        if (literal) parts.push(literal);
        literal = '';
        parts.push({ fn, inString });
        i = end;
        continue;
      }
      const c = text[i];
      if (this.json) {
        if (c === '\\' && inString) {
          literal += c + (text[i + 1] ?? '');
          i += 2;
          continue;
        }
        if (c === '"') inString = !inString;
      }
      literal += c;
      i++;
    }
    if (literal) parts.push(literal);
    return parts;
  }

  /** Parses `{{ name }}` or `{{ name(args) }}` at `start`; returns the function and the offset after `}}`. */
  private parsePlaceholder(text: string, start: number): { fn: Fn; end: number } {
    let i = start + 2;
    const skip = () => {
      while (i < text.length && /\s/.test(text[i])) i++;
    };
    skip();
    const m = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/.exec(text.slice(i, i + 200));
    if (!m) {
      if (i >= text.length) throw err(text, start, 'this "{{" is never closed with "}}".');
      throw err(text, i, 'expected a name such as uuid, counter, now, int(1, 10) or faker.person.fullName.');
    }
    const name = m[0];
    const nameAt = i;
    i += name.length;
    skip();
    let args: unknown[] = [];
    if (text[i] === '(') {
      const open = i;
      let depth = 0;
      let str = false;
      for (; i < text.length; i++) {
        const c = text[i];
        if (str) {
          if (c === '\\') i++;
          else if (c === '"') str = false;
          continue;
        }
        if (c === '"') str = true;
        else if (c === '(' || c === '[' || c === '{') depth++;
        else if (c === ')' || c === ']' || c === '}') {
          depth--;
          if (depth === 0) break;
        }
      }
      if (i >= text.length || text[i] !== ')') throw err(text, open, `the "(" after ${name} is never closed.`);
      const inner = text.slice(open + 1, i);
      try {
        args = JSON.parse(`[${inner}]`);
      } catch {
        throw err(text, open + 1, `the arguments of ${name} are not valid JSON values (strings in double quotes, numbers, [lists], {objects}).`);
      }
      i++;
      skip();
    }
    if (!text.startsWith('}}', i)) {
      if (i >= text.length) throw err(text, start, 'this "{{" is never closed with "}}".');
      throw err(text, i, `expected "}}" after ${name}.`);
    }
    const fn = this.resolve(text, nameAt, name, args);
    return { fn, end: i + 2 };
  }

  private resolve(text: string, at: number, name: string, args: unknown[]): Fn {
    const f = this.faker;
    const num = (k: number, dflt: number) => (typeof args[k] === 'number' ? (args[k] as number) : dflt);
    switch (name) {
      case 'uuid':
        return () => f.string.uuid();
      case 'counter': {
        const start = num(0, 1);
        const step = num(1, 1);
        return (c) => start + c.index * step;
      }
      case 'index':
        return (c) => c.index;
      case 'now': {
        const fmt = args[0] ?? 'iso';
        if (fmt === 'iso') return (c) => new Date(c.now).toISOString();
        if (fmt === 'epoch' || fmt === 'epochMillis') return (c) => c.now;
        if (fmt === 'epochSeconds') return (c) => Math.floor(c.now / 1000);
        throw err(text, at, 'now takes "iso", "epoch" or "epochSeconds".');
      }
      case 'timestamp':
        return (c) => c.now;
      case 'int': {
        const min = num(0, 0);
        const max = num(1, 100);
        if (min > max) throw err(text, at, `int(${min}, ${max}): the minimum is above the maximum.`);
        return () => f.number.int({ min, max });
      }
      case 'float': {
        const min = num(0, 0);
        const max = num(1, 1);
        const decimals = num(2, 2);
        if (min > max) throw err(text, at, `float(${min}, ${max}): the minimum is above the maximum.`);
        const m = 10 ** decimals;
        return () => Math.round(f.number.float({ min, max }) * m) / m;
      }
      case 'bool':
      case 'boolean': {
        const p = num(0, 0.5);
        return () => f.datatype.boolean(p);
      }
      case 'pick': {
        const list = args[0];
        if (!Array.isArray(list) || list.length === 0) throw err(text, at, 'pick needs a non-empty list, e.g. pick(["a", "b"]).');
        const weights = args[1];
        if (weights === undefined) return () => f.helpers.arrayElement(list);
        if (!Array.isArray(weights) || weights.length !== list.length || weights.some((w) => typeof w !== 'number' || w < 0)) {
          throw err(text, at, `pick's weights must be a list of ${list.length} non-negative numbers, one per item.`);
        }
        if (!weights.some((w) => w > 0)) throw err(text, at, "pick's weights are all zero.");
        const items = list.map((value, k) => ({ value, weight: weights[k] as number })).filter((x) => x.weight > 0);
        return () => f.helpers.weightedArrayElement(items);
      }
    }
    const path = name.split('.');
    if (path[0] === 'faker') {
      const [, mod, method, ...rest] = path;
      const bad = (why: string) => err(text, at, why);
      if (!mod || !method || rest.length) throw bad(`write faker functions as faker.<module>.<function>, e.g. faker.person.fullName (got ${name}).`);
      const target = (f as unknown as Record<string, unknown>)[mod];
      if (mod.startsWith('_') || FAKER_MODULES_EXCLUDED.has(mod) || !target || typeof target !== 'object' || !Object.prototype.hasOwnProperty.call(f, mod)) {
        throw bad(`faker has no module "${mod}".`);
      }
      const fnv = (target as Record<string, unknown>)[method];
      if (method.startsWith('_') || method === 'constructor' || typeof fnv !== 'function') {
        throw bad(`faker.${mod} has no function "${method}".`);
      }
      const call = fnv as (...a: unknown[]) => unknown;
      // Fail now, with the place, when the arguments do not suit the function.
      try {
        call.apply(target, args);
      } catch (e) {
        throw bad(`${name}(${args.map((a) => JSON.stringify(a)).join(', ')}) failed: ${(e as Error).message}`);
      }
      return () => call.apply(target, args);
    }
    throw err(text, at, `unknown placeholder "${name}". Use uuid, counter, now, timestamp, int, float, bool, pick or faker.<module>.<function>.`);
  }
}

/** A record produced from a template. */
export interface RenderedRecord {
  partitionKey: string;
  data: string;
}

/** A template plus its partition key rule, ready to generate records. */
export class TemplateGenerator {
  readonly body: CompiledTemplate;
  private readonly keyTemplate?: CompiledTemplate;
  private readonly key: PartitionKeySpec;

  constructor(spec: TemplateSpec, options: { seed?: number } = {}) {
    if (typeof spec.template !== 'string' || !spec.template.trim()) throw new UserError('The template is empty: write the record body first.');
    this.body = new CompiledTemplate(spec.template, { seed: options.seed });
    this.key = spec.partitionKey ?? { type: 'random' };
    if (this.key.type === 'template') {
      try {
        this.keyTemplate = new CompiledTemplate(this.key.template, { seed: options.seed === undefined ? undefined : options.seed + 1, json: false });
      } catch (e) {
        throw new UserError(`Partition key: ${(e as Error).message}`);
      }
    }
    if (this.key.type === 'fixed' && !this.key.value) throw new UserError('The fixed partition key is empty.');
    if (this.key.type === 'field' && !this.key.field) throw new UserError('Name the field that holds the partition key.');
  }

  /** Renders record number `index` (0-based). Throws a UserError when the key field is missing. */
  render(index: number, now = Date.now()): RenderedRecord {
    const data = this.body.render(index, now);
    let partitionKey: string;
    switch (this.key.type) {
      case 'random':
        partitionKey = randomPartitionKey();
        break;
      case 'fixed':
        partitionKey = this.key.value;
        break;
      case 'template':
        partitionKey = this.keyTemplate!.render(index, now);
        break;
      case 'field': {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          throw new UserError(`Record ${index + 1} is not JSON, so it has no field "${this.key.field}" for the partition key.`);
        }
        const v = fieldValue(parsed, this.key.field);
        if (v === undefined) throw new UserError(`Record ${index + 1} has no field "${this.key.field}" for the partition key.`);
        partitionKey = v;
        break;
      }
    }
    return { partitionKey, data };
  }

  /**
   * The next `n` records, for a live preview. JSON templates are checked to render valid JSON, or
   * JSON Lines (several documents, one a line, as a metric stream's records hold them).
   */
  preview(n: number, startIndex = 0): RenderedRecord[] {
    const out: RenderedRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.render(startIndex + i);
      if (this.body.json) {
        try {
          JSON.parse(r.data);
        } catch (e) {
          const lines = r.data.split('\n').filter((l) => l.trim());
          let jsonLines = lines.length > 1;
          for (const l of jsonLines ? lines : []) {
            try {
              JSON.parse(l);
            } catch {
              jsonLines = false;
              break;
            }
          }
          if (!jsonLines) throw new UserError(`The template does not make valid JSON (record ${startIndex + i + 1}): ${(e as Error).message}`);
        }
      }
      out.push(r);
    }
    return out;
  }

  /** An endless source of records (the engine's count or duration ends it). */
  *records(startIndex = 0, count = Infinity): Generator<SourceItem> {
    for (let i = startIndex; i < startIndex + count; i++) {
      let r: RenderedRecord;
      try {
        r = this.render(i);
      } catch (e) {
        yield { problem: { origin: `record ${i + 1}`, message: (e as Error).message } };
        continue;
      }
      yield { record: { data: utf8(r.data), partitionKey: r.partitionKey, origin: `record ${i + 1}` } };
    }
  }
}

/** Checks a template spec (from a file or the panel) and says what is wrong. */
export function parseTemplateSpec(json: string, origin = 'the template file'): TemplateSpec {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new UserError(`${origin} is not valid JSON: ${(e as Error).message}`);
  }
  const o = v as Partial<TemplateSpec> & { template?: unknown };
  if (!o || typeof o !== 'object') throw new UserError(`${origin} must hold an object with a "template".`);
  let template = o.template;
  // A template may be given as a JSON value for readability; it is then the record body as JSON text.
  if (template !== undefined && typeof template !== 'string') template = JSON.stringify(template, null, 2);
  if (typeof template !== 'string') throw new UserError(`${origin} has no "template".`);
  const pk = o.partitionKey as PartitionKeySpec | undefined;
  if (pk !== undefined && (typeof pk !== 'object' || !['random', 'fixed', 'field', 'template'].includes((pk as { type?: string }).type ?? ''))) {
    throw new UserError(`${origin}: "partitionKey" must be {"type": "random" | "fixed" | "field" | "template", ...}.`);
  }
  return { name: typeof o.name === 'string' ? o.name : undefined, description: typeof o.description === 'string' ? o.description : undefined, template, partitionKey: pk };
}
