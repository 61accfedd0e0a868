/**
 * What Firehose checks before it accepts a request, for the local emulator: the API model's
 * constraints (lengths, patterns, ranges: `ValidationException`, worded as AWS words it) and the
 * service's own rules (`InvalidArgumentException`). Requests come from outside, so everything a
 * request may later turn into a path (bucket, prefixes) is checked here, before anything is stored.
 */
import { evaluatePrefix, PrefixError } from '../transform/s3Key';

export class FirehoseApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** A record is at most 1,000 KiB before base64; a PutRecordBatch call at most 500 records and 4 MiB. */
export const MAX_RECORD_BYTES = 1000 * 1024;
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * The largest request body a valid call can need: a 4 MiB batch is 5.34 MiB in base64, plus the
 * JSON around 500 records. Anything longer is answered 413 without being read.
 */
export const MAX_FIREHOSE_BODY_BYTES = 6 * 1024 * 1024;
/**
 * Objects are files on disk with a data folder, and file systems allow 255 bytes per name. Firehose
 * itself has no such limit; the emulator refuses such a prefix at creation rather than fail later.
 */
const MAX_SEGMENT_BYTES = 255;

export interface S3Destination {
  BucketARN: string;
  RoleARN: string;
  Prefix?: string;
  ErrorOutputPrefix?: string;
  BufferingHints: { SizeInMBs: number; IntervalInSeconds: number };
  [field: string]: unknown;
}

export interface ValidCreateRequest {
  name: string;
  type: 'DirectPut' | 'KinesisStreamAsSource';
  source?: { KinesisStreamARN: string; RoleARN: string };
  destination: S3Destination;
  destinationKind: 'ExtendedS3' | 'S3';
  bucket: string;
  tags: { Key: string; Value?: string }[];
}

const invalid = (message: string) => new FirehoseApiError('InvalidArgumentException', message);
/** The API model's wording for a constraint, then what to do. */
const constraint = (field: string, value: unknown, rule: string) =>
  new FirehoseApiError('ValidationException', `1 validation error detected: Value ${JSON.stringify(shorten(value))} at '${field}' failed to satisfy constraint: ${rule}`);

function shorten(v: unknown): unknown {
  return typeof v === 'string' && v.length > 80 ? `${v.slice(0, 77)}...` : v;
}

function checkString(field: string, v: unknown, min: number, max: number, pattern?: RegExp): string {
  if (typeof v !== 'string') throw constraint(field, v ?? null, 'Member must not be null and must be a string');
  if (v.length < min || v.length > max) throw constraint(field, v, `Member must have length between ${min} and ${max}`);
  if (pattern && !pattern.test(v)) throw constraint(field, v, `Member must satisfy regular expression pattern: ${pattern.source.replace(/^\^|\$$/g, '')}`);
  return v;
}

export function checkDeliveryStreamName(v: unknown, field = 'deliveryStreamName'): string {
  return checkString(field, v, 1, 64, /^[a-zA-Z0-9_.-]+$/);
}

const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\/[a-zA-Z_0-9+=,.@\-_/]+$/;
const KINESIS_STREAM_ARN = /^arn:[^:]+:kinesis:[a-zA-Z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+$/;
const BUCKET_ARN = /^arn:[^:]+:s3:::[\w.-]{1,255}$/;

/** S3's bucket naming rules (general purpose buckets): the name becomes a folder, so this matters. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name has 3 to 63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'a bucket name holds lowercase letters, digits, dots and hyphens, and begins and ends with a letter or digit';
  if (name.includes('..')) return 'a bucket name has no two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'a bucket name is not an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3|\.mrap)$/.test(name)) return 'a bucket name does not use a prefix or suffix S3 reserves';
  return undefined;
}

const TOKEN = /!\{([A-Za-z]+):([^}]*)\}/g;

/**
 * Firehose's rules for custom prefixes (the "Custom prefixes for Amazon S3 objects" page): at most
 * 1,024 characters; only `!{namespace:value}` expressions of the four namespaces;
 * `error-output-type` only in the error prefix; partition keys only with dynamic partitioning; a
 * prefix with expressions needs an error prefix. The emulator adds: no `.` or `..` segment and no
 * segment longer than a file name may be, since the key becomes a path on disk.
 */
export function checkPrefix(field: 'Prefix' | 'ErrorOutputPrefix', prefix: unknown, opts: { dynamicPartitioning: boolean }): string | undefined {
  if (prefix === undefined || prefix === null) return undefined;
  const p = checkString(`extendedS3DestinationConfiguration.${field.charAt(0).toLowerCase()}${field.slice(1)}`, prefix, 0, 1024);
  if (p.replace(TOKEN, '').includes('!{')) throw invalid(`${field} "${shorten(p)}" has a malformed expression: write !{namespace:value}.`);
  for (const [, ns, value] of p.matchAll(TOKEN)) {
    if (ns === 'firehose') {
      if (value === 'error-output-type' && field === 'Prefix') throw invalid('!{firehose:error-output-type} can be used only in ErrorOutputPrefix.');
      if (value !== 'error-output-type' && value !== 'random-string') throw invalid(`${field}: the firehose namespace takes random-string or error-output-type, not "${shorten(value)}".`);
    } else if (ns === 'partitionKeyFromLambda' || ns === 'partitionKeyFromQuery') {
      if (!opts.dynamicPartitioning) throw invalid(`${field} uses !{${ns}:${shorten(value)}}, which needs dynamic partitioning enabled.`);
      if (field === 'ErrorOutputPrefix') throw invalid(`ErrorOutputPrefix cannot use partition keys (!{${ns}:...}).`);
    } else if (ns !== 'timestamp') {
      throw invalid(`${field} uses the unknown namespace "${ns}": use timestamp, firehose, partitionKeyFromQuery or partitionKeyFromLambda.`);
    }
  }
  let evaluated: string;
  try {
    evaluated = evaluatePrefix(p.replace(TOKEN, (all, ns: string) => (ns.startsWith('partitionKey') ? 'key' : all)), { timestamp: Date.now(), errorOutputType: 'processing-failed' });
  } catch (e) {
    if (e instanceof PrefixError) throw invalid(`${field}: ${e.message}`);
    throw e;
  }
  // Checked after evaluation too: !{timestamp:'..'} evaluates to "..".
  for (const segment of [...p.split('/'), ...evaluated.split('/')]) {
    if (segment === '..' || segment === '.') throw invalid(`${field} "${shorten(p)}" has a "${segment}" segment: the local emulator refuses it, since objects are files under its data folder.`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw invalid(`${field} has a segment of ${Buffer.byteLength(segment)} bytes: the local emulator stores objects as files, whose names are at most ${MAX_SEGMENT_BYTES} bytes.`);
  }
  return p;
}

function checkBufferingHints(v: unknown): { SizeInMBs: number; IntervalInSeconds: number } {
  if (v === undefined || v === null) return { SizeInMBs: 5, IntervalInSeconds: 300 };
  const h = v as { SizeInMBs?: unknown; IntervalInSeconds?: unknown };
  const field = 'extendedS3DestinationConfiguration.bufferingHints';
  if ((h.SizeInMBs === undefined) !== (h.IntervalInSeconds === undefined)) {
    throw invalid('BufferingHints: give both SizeInMBs and IntervalInSeconds, or neither (5 MiB and 300 s then).');
  }
  if (h.SizeInMBs === undefined) return { SizeInMBs: 5, IntervalInSeconds: 300 };
  if (!Number.isInteger(h.SizeInMBs) || (h.SizeInMBs as number) < 1 || (h.SizeInMBs as number) > 128) {
    throw constraint(`${field}.sizeInMBs`, h.SizeInMBs, 'Member must be a whole number between 1 and 128');
  }
  if (!Number.isInteger(h.IntervalInSeconds) || (h.IntervalInSeconds as number) < 0 || (h.IntervalInSeconds as number) > 900) {
    throw constraint(`${field}.intervalInSeconds`, h.IntervalInSeconds, 'Member must be a whole number between 0 and 900');
  }
  return { SizeInMBs: h.SizeInMBs as number, IntervalInSeconds: h.IntervalInSeconds as number };
}

export function checkTags(v: unknown): { Key: string; Value?: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 50) throw constraint('tags', Array.isArray(v) ? `${v.length} tags` : v, 'Member must be a list of at most 50 tags');
  return v.map((t, i) => {
    const tag = (t ?? {}) as { Key?: unknown; Value?: unknown };
    const Key = checkString(`tags.${i + 1}.member.key`, tag.Key, 1, 128, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    if (tag.Value === undefined || tag.Value === null) return { Key };
    return { Key, Value: checkString(`tags.${i + 1}.member.value`, tag.Value, 0, 256, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u) };
  });
}

/** Checks a CreateDeliveryStream request as Firehose does; throws FirehoseApiError. */
export function checkCreateRequest(b: Record<string, any>): ValidCreateRequest {
  const name = checkDeliveryStreamName(b.DeliveryStreamName);
  const type = b.DeliveryStreamType ?? 'DirectPut';
  if (type !== 'DirectPut' && type !== 'KinesisStreamAsSource') {
    if (typeof type === 'string' && ['MSKAsSource', 'DatabaseAsSource'].includes(type)) throw invalid(`The local emulator does not support ${type}: use DirectPut or KinesisStreamAsSource.`);
    throw constraint('deliveryStreamType', type, 'Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]');
  }
  let source: ValidCreateRequest['source'];
  if (type === 'KinesisStreamAsSource') {
    const s = b.KinesisStreamSourceConfiguration;
    if (!s) throw invalid('KinesisStreamSourceConfiguration is required for KinesisStreamAsSource.');
    source = {
      KinesisStreamARN: checkString('kinesisStreamSourceConfiguration.kinesisStreamARN', s.KinesisStreamARN, 1, 512, KINESIS_STREAM_ARN),
      RoleARN: checkString('kinesisStreamSourceConfiguration.roleARN', s.RoleARN, 1, 512, ROLE_ARN),
    };
  } else if (b.KinesisStreamSourceConfiguration) {
    throw invalid('KinesisStreamSourceConfiguration is only for DeliveryStreamType KinesisStreamAsSource.');
  }
  const others = Object.keys(b).filter((k) => /DestinationConfiguration$/.test(k) && !/^(Extended)?S3DestinationConfiguration$/.test(k));
  if (others.length) throw invalid(`The local emulator delivers to S3 only; ${others.join(', ')} is not supported.`);
  const ext = b.ExtendedS3DestinationConfiguration ?? b.S3DestinationConfiguration;
  if (!ext || typeof ext !== 'object') throw invalid('Give ExtendedS3DestinationConfiguration (the local emulator delivers to S3 only).');
  if (b.ExtendedS3DestinationConfiguration && b.S3DestinationConfiguration) throw invalid('Give either ExtendedS3DestinationConfiguration or S3DestinationConfiguration, not both.');
  const bucketArn = checkString('extendedS3DestinationConfiguration.bucketARN', ext.BucketARN, 1, 2048, BUCKET_ARN);
  const bucket = bucketArn.slice(bucketArn.indexOf(':::') + 3);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw invalid(`BucketARN "${shorten(bucketArn)}" does not name a valid bucket: ${bucketProblem}.`);
  const roleArn = checkString('extendedS3DestinationConfiguration.roleARN', ext.RoleARN, 1, 512, ROLE_ARN);
  const dynamicPartitioning = Boolean(ext.DynamicPartitioningConfiguration?.Enabled);
  const prefix = checkPrefix('Prefix', ext.Prefix, { dynamicPartitioning });
  const errorPrefix = checkPrefix('ErrorOutputPrefix', ext.ErrorOutputPrefix, { dynamicPartitioning });
  if (prefix?.includes('!{') && !errorPrefix) throw invalid('A Prefix with expressions needs an ErrorOutputPrefix too.');
  return {
    name,
    type,
    source,
    destination: {
      ...ext,
      BucketARN: bucketArn,
      RoleARN: roleArn,
      Prefix: prefix,
      ErrorOutputPrefix: errorPrefix,
      BufferingHints: checkBufferingHints(ext.BufferingHints),
      CompressionFormat: ext.CompressionFormat ?? 'UNCOMPRESSED',
      EncryptionConfiguration: ext.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
    },
    destinationKind: b.ExtendedS3DestinationConfiguration ? 'ExtendedS3' : 'S3',
    bucket,
    tags: checkTags(b.Tags),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A record's Data: strict base64 (the SDKs send it so), at most 1,000 KiB decoded. */
export function recordData(r: unknown, field = 'record.data'): Buffer {
  const d = (r as { Data?: unknown } | null)?.Data;
  if (typeof d !== 'string') throw constraint(field, d ?? null, 'Member must not be null and must be a base64 string');
  if (!BASE64.test(d)) throw new FirehoseApiError('SerializationException', `${field} is not valid base64.`);
  const b = Buffer.from(d, 'base64');
  if (b.length > MAX_RECORD_BYTES) throw constraint(field, `${b.length} bytes`, `Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
  return b;
}

/** PutRecordBatch's records: 1 to 500, at most 4 MiB together. */
export function batchData(records: unknown): Buffer[] {
  if (!Array.isArray(records) || records.length < 1 || records.length > MAX_BATCH_RECORDS) {
    throw constraint('records', Array.isArray(records) ? `${records.length} records` : records ?? null, `Member must have length between 1 and ${MAX_BATCH_RECORDS}`);
  }
  const data = records.map((r, i) => recordData(r, `records.${i + 1}.member.data`));
  const total = data.reduce((a, x) => a + x.length, 0);
  if (total > MAX_BATCH_BYTES) throw invalid(`A PutRecordBatch call carries at most 4 MiB of data; this one has ${(total / 1024 / 1024).toFixed(2)} MiB. Send fewer records per call.`);
  return data;
}

export function checkListLimit(v: unknown): number {
  if (v === undefined || v === null) return 10;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 10000) throw constraint('limit', v, 'Member must be a whole number between 1 and 10000');
  return v as number;
}
