/**
 * Values that libraries hand back (DynamoDB's unmarshall, Avro decoding) made plain JSON: sets as
 * arrays, bytes as base64, big numbers as text. Cycles cannot occur in decoded data; depth is
 * bounded anyway.
 */
export function plainJson(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return v ?? null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    case 'object':
      break;
    default:
      return String(v);
  }
  if (depth > 64) return '…';
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof Set) return [...v].map((x) => plainJson(x, depth + 1));
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plainJson(x, depth + 1)]));
  if (Array.isArray(v)) return v.map((x) => plainJson(x, depth + 1));
  // Wrapped numbers (DynamoDB NumberValue, Long) carry their exact text.
  const o = v as Record<string, unknown>;
  if (typeof o.toNumber === 'function' && typeof o.low === 'number') return plainJson((o as unknown as { toNumber(): number }).toNumber());
  if (typeof o.value === 'string' && Object.keys(o).length === 1 && o.constructor?.name === 'NumberValue') return o.value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = plainJson(o[k], depth + 1);
  return out;
}
