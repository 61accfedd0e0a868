/**
 * What Firehose writes to S3 after a transform: the Ok records' data concatenated as returned,
 * one object per partition, under a key `<evaluated prefix><suffix>`. From the AWS documentation:
 * - the default prefix is the UTC time `YYYY/MM/dd/HH/`;
 * - a custom prefix may use `!{timestamp:<Java DateTimeFormatter pattern>}` (the approximate
 *   arrival time of the oldest record in the object), `!{firehose:random-string}` (11 characters),
 *   `!{firehose:error-output-type}` (error prefix only), `!{partitionKeyFromLambda:key}` and
 *   `!{partitionKeyFromQuery:key}`;
 * - the suffix is `<stream name>-<stream version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid>`.
 */
import { randomUUID } from 'node:crypto';

export interface PrefixContext {
  /** epoch ms of the oldest record in the object */
  timestamp: number;
  partitionKeysFromLambda?: Record<string, string>;
  partitionKeysFromQuery?: Record<string, string>;
  errorOutputType?: string;
  random?: () => number;
}

export class PrefixError extends Error {}

const TOKEN = /!\{([A-Za-z]+):([^}]*)\}/g;

/** The partitionKeyFromLambda keys a prefix refers to. */
export function lambdaKeysInPrefix(prefix: string | undefined): string[] {
  if (!prefix) return [];
  return [...prefix.matchAll(TOKEN)].filter((m) => m[1] === 'partitionKeyFromLambda').map((m) => m[2]);
}

/** Evaluates a prefix expression; throws PrefixError for what Firehose would reject. */
export function evaluatePrefix(prefix: string, ctx: PrefixContext): string {
  const leftover = prefix.replace(TOKEN, '');
  if (leftover.includes('!{')) throw new PrefixError(`Malformed expression in prefix "${prefix}": use !{namespace:value}.`);
  return prefix.replace(TOKEN, (_all, ns: string, value: string) => {
    switch (ns) {
      case 'timestamp':
        return formatTimestamp(ctx.timestamp, value);
      case 'firehose':
        if (value === 'random-string') return randomString(11, ctx.random);
        if (value === 'error-output-type') {
          if (!ctx.errorOutputType) throw new PrefixError('!{firehose:error-output-type} can only be used in the error output prefix.');
          return ctx.errorOutputType;
        }
        throw new PrefixError(`Unknown firehose namespace value "${value}" (use random-string or error-output-type).`);
      case 'partitionKeyFromLambda':
      case 'partitionKeyFromQuery': {
        const keys = ns === 'partitionKeyFromLambda' ? ctx.partitionKeysFromLambda : ctx.partitionKeysFromQuery;
        const v = keys?.[value];
        if (v === undefined) throw new PrefixError(`The record has no partition key "${value}" for !{${ns}:${value}}.`);
        return v;
      }
      default:
        throw new PrefixError(`Unknown namespace "${ns}" in prefix (use timestamp, firehose, partitionKeyFromLambda or partitionKeyFromQuery).`);
    }
  });
}

export function defaultPrefix(timestamp: number): string {
  return formatTimestamp(timestamp, 'yyyy/MM/dd/HH') + '/';
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomString(n: number, random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(random() * ALNUM.length)];
  return s;
}

/** A subset of Java's DateTimeFormatter patterns, in UTC: y, M, d, H, h, m, s, S, a and 'quoted' text. */
export function formatTimestamp(epochMs: number, pattern: string): string {
  const d = new Date(epochMs);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out += "'";
        i += 2;
        continue;
      }
      if (end < 0) throw new PrefixError(`Unterminated quote in timestamp pattern "${pattern}".`);
      out += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    switch (c) {
      case 'y':
      case 'u':
      case 'Y':
        out += n === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), n);
        break;
      case 'M':
        out += pad(d.getUTCMonth() + 1, n);
        break;
      case 'd':
        out += pad(d.getUTCDate(), n);
        break;
      case 'H':
        out += pad(d.getUTCHours(), n);
        break;
      case 'h':
        out += pad(d.getUTCHours() % 12 || 12, n);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), n);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), n);
        break;
      case 'S':
        out += pad(d.getUTCMilliseconds(), 3).slice(0, n).padEnd(n, '0');
        break;
      case 'a':
        out += d.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      default:
        throw new PrefixError(`Unsupported pattern letter "${c}" in timestamp pattern "${pattern}".`);
    }
  }
  return out;
}

/** The object name suffix Firehose appends to the prefix. */
export function objectSuffix(deliveryStreamName: string, timestamp: number, version = 1, uuid: string = randomUUID()): string {
  return `${deliveryStreamName}-${version}-${formatTimestamp(timestamp, 'yyyy-MM-dd-HH-mm-ss')}-${uuid}`;
}

export interface DeliveryInput {
  recordIndex: number;
  arrivalTime: number;
  output: Buffer;
  partitionKeys?: Record<string, string>;
  /** Keys from inline parsing (MetadataExtraction), for !{partitionKeyFromQuery:...}. */
  partitionKeysFromQuery?: Record<string, string>;
}

export interface DeliveredObject {
  /** The full S3 key: evaluated prefix + suffix. */
  key: string;
  prefix: string;
  recordIndexes: number[];
  data: Buffer;
}

export interface Delivery {
  objects: DeliveredObject[];
  /** Records that Firehose would send to the error prefix because the prefix could not be evaluated. */
  failed: { recordIndex: number; reason: string }[];
}

/** A prefix with its time and other expressions left out: what tells partitions apart (made once per batch). */
export function partitionTemplate(prefix: string | undefined): string {
  const p = prefix?.trim();
  return p ? p.replace(TOKEN, (all, ns: string) => (ns.startsWith('partitionKey') ? all : '')) : '';
}

/**
 * The partition a record belongs to: the partition template (above) with its keys evaluated (the
 * time part is evaluated per object, from its oldest record). Throws PrefixError when the record
 * lacks a key the prefix needs.
 */
export function partitionOf(template: string, keys: { fromLambda?: Record<string, string>; fromQuery?: Record<string, string> }): string {
  return template ? evaluatePrefix(template, { timestamp: 0, partitionKeysFromLambda: keys.fromLambda, partitionKeysFromQuery: keys.fromQuery }) : '';
}

/** The full prefix of an object: the prefix evaluated at its oldest record's arrival (Firehose's time prefix when there is none). */
export function objectPrefix(
  prefix: string | undefined,
  ctx: { oldest: number; fromLambda?: Record<string, string>; fromQuery?: Record<string, string>; random?: () => number; timePrefixWhenPlain?: boolean },
): string {
  const p = prefix?.trim();
  if (!p) return defaultPrefix(ctx.oldest);
  let evaluated = evaluatePrefix(p, { timestamp: ctx.oldest, partitionKeysFromLambda: ctx.fromLambda, partitionKeysFromQuery: ctx.fromQuery, random: ctx.random });
  if (ctx.timePrefixWhenPlain && !p.includes('!{')) evaluated += defaultPrefix(ctx.oldest);
  return evaluated;
}

/**
 * Groups delivered records into S3 objects as Firehose would: by the evaluated partition part of
 * the prefix, in the order returned, each object's timestamp being its oldest record's arrival.
 */
export function planDelivery(
  records: readonly DeliveryInput[],
  opts: {
    prefix?: string;
    deliveryStreamName: string;
    random?: () => number;
    /** The delivery stream's version, in the object name (default 1). */
    version?: number;
    /** Appended to each key, e.g. ".gz" for GZIP. */
    extension?: string;
    /** Firehose appends the default time prefix to a prefix that has no expression (the emulator does; the notebook shows the prefix as written). */
    timePrefixWhenPlain?: boolean;
  },
): Delivery {
  const groups = new Map<string, DeliveryInput[]>();
  const failed: Delivery['failed'] = [];
  const template = partitionTemplate(opts.prefix);
  for (const r of records) {
    let group: string;
    try {
      // Partition keys decide the object; the time part is evaluated later, per object.
      group = partitionOf(template, { fromLambda: r.partitionKeys, fromQuery: r.partitionKeysFromQuery });
    } catch (e) {
      failed.push({ recordIndex: r.recordIndex, reason: (e as Error).message });
      continue;
    }
    let g = groups.get(group);
    if (!g) groups.set(group, (g = []));
    g.push(r);
  }
  const objects: DeliveredObject[] = [];
  for (const g of groups.values()) {
    const oldest = g.reduce((a, r) => Math.min(a, r.arrivalTime), Infinity);
    const evaluated = objectPrefix(opts.prefix, { oldest, fromLambda: g[0].partitionKeys, fromQuery: g[0].partitionKeysFromQuery, random: opts.random, timePrefixWhenPlain: opts.timePrefixWhenPlain });
    objects.push({
      prefix: evaluated,
      key: evaluated + objectSuffix(opts.deliveryStreamName, oldest, opts.version) + (opts.extension ?? ''),
      recordIndexes: g.map((r) => r.recordIndex),
      data: Buffer.concat(g.map((r) => r.output)),
    });
  }
  return { objects, failed };
}
