/** How a record gets its partition key, shared by templates, files and the panel. */
export type PartitionKeySpec =
  | { type: 'random' }
  | { type: 'fixed'; value: string }
  /** A top-level field, or a dotted path (`user.id`), of the record's JSON (or CSV column). */
  | { type: 'field'; field: string }
  /** A template of its own, e.g. `sensor-{{int(1, 20)}}` (templates only). */
  | { type: 'template'; template: string };

/** The value at a dotted path of a parsed JSON value, as a partition key string, or undefined. */
export function fieldValue(value: unknown, path: string): string | undefined {
  let v: unknown = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function describePartitionKey(spec: PartitionKeySpec): string {
  switch (spec.type) {
    case 'random':
      return 'a random key per record';
    case 'fixed':
      return `the fixed key "${spec.value}"`;
    case 'field':
      return `the field "${spec.field}"`;
    case 'template':
      return `the template "${spec.template}"`;
  }
}
