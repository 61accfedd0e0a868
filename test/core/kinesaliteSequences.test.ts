import * as assert from 'node:assert/strict';
import { patchKinesalite } from '../../src/core/local/kinesalitePatches';

// kinesalite's sequence-number functions and our BigInt replacements, side by side on the same
// inputs: every answer (or error message) must be the same. Plain functions, no endpoint: this is
// the proof that the speed patch changes nothing; the endpoint tests run the patched kinesalite.
patchKinesalite(require);
// eslint-disable-next-line @typescript-eslint/no-var-requires
const db = require('kinesalite/db');
type Fns = { parseSequence(s: unknown): unknown; stringifySequence(o: unknown): string; incrementSequence(o: unknown, t?: number): string };
const original: Fns = db.__kinesisDevtoolsOriginal;
const patched: Fns = db;

/** A seeded generator (mulberry32), so that a failure can be run again. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20251128);
const int = (n: number) => Math.floor(random() * n);
const hexOf = (len: number) => Array.from({ length: len }, () => int(16).toString(16)).join('');
const decimalOf = (len: number) => String(1 + int(9)) + Array.from({ length: len - 1 }, () => int(10)).join('');

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
function same(name: keyof Fns, ...args: unknown[]): unknown {
  const want = outcome(() => (original[name] as (...a: unknown[]) => unknown)(...args));
  const got = outcome(() => (patched[name] as (...a: unknown[]) => unknown)(...args));
  assert.deepStrictEqual(got, want, `${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
  return want;
}

const SHARD_IXS = [0, 1, 4, 5, 9, 15, 16, 17, 255, 4095, 65535, 65536, 1_000_000, 2147483647, 4294967295, -1];
const SECONDS = [0, 1, 999, 1_600_000_000, Math.floor(Date.now() / 1000), 16025174999, 16025175000, 68719476735, 68719476736];
const SEQ_IXS: unknown[] = [
  undefined, 0, 1, 2, 255, 256, 65535, 2 ** 32, Number.MAX_SAFE_INTEGER, 2 ** 60, -1, 1.5, NaN,
  '0', '1', '007', '9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '', 'x', '-3',
];

function objects(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const version of [undefined, 2, 1, 0]) {
    for (const shardIx of SHARD_IXS) {
      for (const secs of SECONDS) {
        const seqIx = version === 1 ? int(300) : SEQ_IXS[int(SEQ_IXS.length)];
        out.push({ version, shardIx, seqIx, shardCreateTime: secs * 1000, seqTime: SECONDS[int(SECONDS.length)] * 1000 + int(1000) });
        out.push({ version, shardIx, seqIx, shardCreateTime: secs * 1000 + 999 });
      }
    }
  }
  for (let i = 0; i < 3000; i++) {
    const version = [undefined, 2, 1, 0][int(4)];
    out.push({
      version,
      shardIx: int(3) === 0 ? int(2 ** 31) : int(64),
      seqIx: int(2) ? int(2 ** 20) : version === 1 ? int(256) : BigInt('0x' + hexOf(15)).toString(),
      shardCreateTime: int(16025175) * 1_000_000 + int(1_000_000),
      seqTime: int(4) ? Date.now() + int(10_000_000) : undefined,
      byte1: int(3) ? undefined : hexOf(2),
      seqRand: int(3) ? undefined : hexOf(version === 0 ? 16 : 14),
    });
  }
  // Not what kinesalite makes: the patched functions hand these to the original.
  out.push({ version: '2', shardIx: 3, shardCreateTime: 1e12 }, { version: '1', shardIx: 3, shardCreateTime: 1e12 }, { version: 3, shardCreateTime: 0 });
  out.push({ shardCreateTime: 1e12, byte1: 'AB' }, { shardCreateTime: 1e12, byte1: 'zz' }, { shardCreateTime: NaN }, { shardCreateTime: -5000 }, {});
  out.push({ version: 0, shardCreateTime: 1e12, seqRand: 'ABCDEF0123456789' }, { version: 1, shardCreateTime: 1e12, seqIx: 1.5 });
  return out;
}

describe('kinesalite sequence numbers: the BigInt patch answers as bignumber.js did', () => {
  it('stringifySequence, parseSequence of what it made, and incrementSequence of both', () => {
    let numbers = 0;
    for (const obj of objects()) {
      const made = same('stringifySequence', obj) as { ok?: string };
      if (typeof made.ok !== 'string' || !/^\d+$/.test(made.ok)) continue;
      numbers++;
      const parsed = same('parseSequence', made.ok) as { ok?: unknown };
      same('incrementSequence', made.ok);
      same('incrementSequence', made.ok, Date.now());
      if (parsed.ok) {
        same('stringifySequence', parsed.ok);
        same('incrementSequence', parsed.ok);
      }
    }
    // Most of the objects make a sequence number (the rest are errors or NaN, compared above).
    assert.ok(numbers > 3000, `${numbers} sequence numbers`);
  });

  it('parseSequence of any decimal string, around the version boundaries, and of what is not one', () => {
    const inputs: unknown[] = ['0', '1', '00', '0001', '9'.repeat(129), '1'.repeat(300)];
    for (const bits of [60, 64, 123, 124, 125, 128, 129, 130, 184, 185, 186, 190]) {
      const p = BigInt(1) << BigInt(bits);
      for (const n of [p - BigInt(1), p, p + BigInt(1), p + (p >> BigInt(1)) - BigInt(1), p + (p >> BigInt(1)), p + (p >> BigInt(1)) + BigInt(1)]) inputs.push(n.toString());
    }
    for (let i = 0; i < 4000; i++) inputs.push(decimalOf(1 + int(60)));
    for (let i = 0; i < 2000; i++) {
      // Version 2 and 1 shapes with random hex digits (seqIx and shardIx high bits included).
      inputs.push(BigInt('0x2' + hexOf(45) + ['2', '1', '0', '3'][int(4)]).toString());
      inputs.push(BigInt('0x1' + hexOf(31)).toString());
    }
    inputs.push('', ' 1', '1 ', '1e5', '1.5', '-1', '+1', '0x10', 'abc', 'NaN', 'Infinity', 5, 1e40, null, undefined, {}, ['1']);
    for (const s of inputs) same('parseSequence', s);
  });

  it('is what the endpoint uses', () => {
    assert.notEqual(db.parseSequence, original.parseSequence);
    assert.notEqual(db.stringifySequence, original.stringifySequence);
    assert.notEqual(db.incrementSequence, original.incrementSequence);
    // Applying it again changes nothing.
    const before = db.parseSequence;
    patchKinesalite(require);
    assert.equal(db.parseSequence, before);
  });
});
