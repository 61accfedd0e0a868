/** Hash keys are unsigned 128-bit integers written in decimal. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

export function parseHashKey(text: string): bigint | undefined {
  if (!/^\d{1,39}$/.test(text.trim())) return undefined;
  const v = BigInt(text.trim());
  return v <= MAX_HASH_KEY ? v : undefined;
}

/** The midpoint of a range: the usual place to split a shard evenly. */
export function midpoint(start: string, end: string): string {
  return ((BigInt(start) + BigInt(end) + 1n) / 2n).toString();
}

/** Share of the whole key space a range covers, 0..1. */
export function keySpaceShare(start: string, end: string): number {
  const width = BigInt(end) - BigInt(start) + 1n;
  return Number((width * 1_000_000n) / (MAX_HASH_KEY + 1n)) / 1_000_000;
}
