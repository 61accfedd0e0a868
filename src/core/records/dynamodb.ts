/**
 * DynamoDB change records sent to Kinesis ("Kinesis Data Streams for DynamoDB"): JSON with
 * eventName, tableName and a `dynamodb` part whose Keys / NewImage / OldImage are in DynamoDB's
 * attribute-value form. Decoded with the images unmarshalled to plain JSON (@aws-sdk/util-dynamodb).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html
 */
import { AttributeChange, cell, isObject, isoTime, RecordFormat } from './formatTypes';
import { plainJson } from './plainJson';

export interface DynamoDbChange {
  eventName: string;
  tableName: string;
  dynamodb: {
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SizeBytes?: number;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export function isDynamoDbChange(v: unknown): v is DynamoDbChange {
  return isObject(v) && typeof v.eventName === 'string' && isObject(v.dynamodb) && (v.eventSource === 'aws:dynamodb' || typeof v.tableName === 'string');
}

let unmarshallFn: typeof import('@aws-sdk/util-dynamodb').unmarshall | undefined;

function image(img: unknown): Record<string, unknown> | undefined {
  if (!isObject(img)) return undefined;
  // Required on first use: the extension bundles it apart (dist/formats.js), loaded when a change record is seen.
  const unmarshall = (unmarshallFn ??= (require('@aws-sdk/util-dynamodb') as typeof import('@aws-sdk/util-dynamodb')).unmarshall);
  let out: unknown;
  try {
    out = unmarshall(img as never);
  } catch {
    // Numbers beyond what a double holds exactly: keep their text.
    out = unmarshall(img as never, { wrapNumbers: true });
  }
  return plainJson(out) as Record<string, unknown>;
}

/** The change with Keys, NewImage and OldImage unmarshalled (throws, with why, on a bad attribute value). */
export function unmarshallChange(v: DynamoDbChange): DynamoDbChange {
  const d = v.dynamodb;
  const out = { ...d };
  for (const k of ['Keys', 'NewImage', 'OldImage'] as const) if (d[k] !== undefined) out[k] = image(d[k]);
  return { ...v, dynamodb: out };
}

/** ApproximateCreationDateTime in epoch ms: Kinesis records carry milliseconds (or microseconds); DynamoDB Streams seconds. */
export function changeTime(v: DynamoDbChange): number | undefined {
  const t = Number(v.dynamodb?.ApproximateCreationDateTime);
  if (!Number.isFinite(t) || t <= 0) return undefined;
  return t < 1e11 ? t * 1000 : t < 1e14 ? t : Math.floor(t / 1000);
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Top-level attributes that differ between the old and the new image. */
export function imageDiff(oldImage: Record<string, unknown> | undefined, newImage: Record<string, unknown> | undefined): AttributeChange[] {
  const o = oldImage ?? {};
  const n = newImage ?? {};
  const out: AttributeChange[] = [];
  for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
    const inO = Object.prototype.hasOwnProperty.call(o, k);
    const inN = Object.prototype.hasOwnProperty.call(n, k);
    if (inO && !inN) out.push({ name: k, change: 'removed', old: o[k] });
    else if (!inO && inN) out.push({ name: k, change: 'added', new: n[k] });
    else if (!same(o[k], n[k])) out.push({ name: k, change: 'changed', old: o[k], new: n[k] });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const keysText = (k: Record<string, unknown> | undefined): string => (k ? Object.entries(k).map(([n, v]) => `${n}=${cell(v)}`).join(', ') : '');

export const dynamoDbFormat: RecordFormat = {
  name: 'dynamodb',
  title: 'DynamoDB change',
  columns: [
    { id: 'time', title: 'Time' },
    { id: 'eventName', title: 'Event' },
    { id: 'tableName', title: 'Table' },
    { id: 'keys', title: 'Keys' },
    { id: 'changed', title: 'Changed attributes' },
  ],
  columnValues(v) {
    const c = v as DynamoDbChange;
    const t = changeTime(c);
    const changes = c.eventName === 'MODIFY' ? imageDiff(c.dynamodb.OldImage, c.dynamodb.NewImage) : [];
    return { time: t === undefined ? '' : isoTime(t), eventName: cell(c.eventName), tableName: cell(c.tableName), keys: keysText(c.dynamodb.Keys), changed: changes.map((x) => x.name).join(', ') };
  },
  detail(v) {
    const c = v as DynamoDbChange;
    const t = changeTime(c);
    const sections: ReturnType<RecordFormat['detail']>['sections'] = [
      {
        kind: 'fields',
        title: 'Change',
        fields: [
          { name: 'eventName', value: cell(c.eventName) },
          { name: 'tableName', value: cell(c.tableName) },
          { name: 'time', value: t === undefined ? '' : isoTime(t) },
          { name: 'keys', value: keysText(c.dynamodb.Keys) },
          { name: 'eventID', value: cell(c.eventID) },
          { name: 'awsRegion', value: cell(c.awsRegion) },
        ],
      },
    ];
    if (c.dynamodb.OldImage || c.dynamodb.NewImage) sections.push({ kind: 'diff', title: 'Changed attributes', changes: imageDiff(c.dynamodb.OldImage, c.dynamodb.NewImage) });
    if (c.dynamodb.NewImage) sections.push({ kind: 'json', title: 'NewImage', value: c.dynamodb.NewImage });
    if (c.dynamodb.OldImage) sections.push({ kind: 'json', title: 'OldImage', value: c.dynamodb.OldImage });
    return { format: 'dynamodb', title: `DynamoDB ${cell(c.eventName)} on ${cell(c.tableName)}`, sections };
  },
};
