/**
 * What Firehose checks before it accepts a request, for the local emulator: the API model's
 * constraints (lengths, patterns, ranges: `ValidationException`, worded as AWS words it) and the
 * service's own rules (`InvalidArgumentException`). Requests come from outside, so everything a
 * request may later turn into a path (bucket, prefixes) is checked here, before anything is stored.
 */
import { evaluatePrefix, PrefixError } from '../transform/s3Key';
import { COMPRESSION_FORMATS, CompressionFormat } from './compression';

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

/** What the delivery engine does to records before delivery, from ProcessingConfiguration (when Enabled). */
export interface ProcessingPlan {
  /** RecordDeAggregation: split each record into the JSON objects or delimited parts it holds. */
  deaggregation?: { type: 'JSON' | 'DELIMITED'; delimiter?: Buffer };
  /**
   * Lambda: the function (name or ARN), Firehose's retries, and the processor's buffering hints:
   * records are held until `bufferBytes` or `intervalMs`, then the function is invoked per
   * `bufferBytes` of them.
   */
  lambda?: { arn: string; retries: number; bufferBytes: number; intervalMs: number };
  /** MetadataExtraction: a jq query (JQ-1.6) giving partition keys. */
  jqQuery?: string;
  /** AppendDelimiterToRecord: appended to each record delivered. */
  appendDelimiter?: Buffer;
}

/** An HTTP endpoint destination; its S3 configuration (the backup) is `destination`. */
export interface HttpEndpointDestination {
  Url: string;
  Name?: string;
  AccessKey?: string;
  BufferingHints: { SizeInMBs: number; IntervalInSeconds: number };
  ContentEncoding: 'NONE' | 'GZIP';
  CommonAttributes: { AttributeName: string; AttributeValue: string }[];
  RetryDurationInSeconds: number;
  S3BackupMode: 'FailedDataOnly' | 'AllData';
}

export interface ValidCreateRequest {
  name: string;
  type: 'DirectPut' | 'KinesisStreamAsSource';
  source?: { KinesisStreamARN: string; RoleARN: string };
  /** The S3 destination (for an HTTP endpoint: its S3 backup). */
  destination: S3Destination;
  destinationKind: 'ExtendedS3' | 'S3' | 'HttpEndpoint';
  http?: HttpEndpointDestination;
  processing: ProcessingPlan;
  dynamicPartitioning: boolean;
  compression: CompressionFormat;
  /** ExtendedS3 FileExtension: replaces the compression's suffix on delivered objects. */
  fileExtension?: string;
  bucket: string;
  tags: { Key: string; Value?: string }[];
  /** The request as checked, to keep in the data folder and to apply UpdateDestination to. */
  request: Record<string, unknown>;
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
  const kinds = Object.keys(b).filter((k) => /DestinationConfiguration$/.test(k) && b[k] !== undefined && b[k] !== null);
  const others = kinds.filter((k) => !/^(ExtendedS3|S3|HttpEndpoint)DestinationConfiguration$/.test(k));
  if (others.length) throw invalid(`The local emulator delivers to S3 and HTTP endpoints only; ${others.join(', ')} is not supported.`);
  if (kinds.length > 1) throw invalid(`Give one destination configuration, not ${kinds.join(' and ')}.`);
  if (!kinds.length) throw invalid('Give a destination: ExtendedS3DestinationConfiguration or HttpEndpointDestinationConfiguration.');
  const destinationKind = kinds[0].replace('DestinationConfiguration', '') as ValidCreateRequest['destinationKind'];
  const top = b[kinds[0]];
  if (typeof top !== 'object' || Array.isArray(top)) throw invalid(`${kinds[0]} must be an object.`);
  const http = destinationKind === 'HttpEndpoint' ? checkHttpEndpoint(top) : undefined;
  const ext = destinationKind === 'HttpEndpoint' ? top.S3Configuration : top;
  if (!ext || typeof ext !== 'object') throw invalid('An HTTP endpoint destination needs S3Configuration: the bucket where failed data is backed up.');
  const field = destinationKind === 'HttpEndpoint' ? 'httpEndpointDestinationConfiguration.s3Configuration' : 'extendedS3DestinationConfiguration';
  const bucketArn = checkString(`${field}.bucketARN`, ext.BucketARN, 1, 2048, BUCKET_ARN);
  const bucket = bucketArn.slice(bucketArn.indexOf(':::') + 3);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw invalid(`BucketARN "${shorten(bucketArn)}" does not name a valid bucket: ${bucketProblem}.`);
  const roleArn = checkString(`${field}.roleARN`, ext.RoleARN, 1, 512, ROLE_ARN);
  const dynamicPartitioning = destinationKind === 'ExtendedS3' && Boolean(ext.DynamicPartitioningConfiguration?.Enabled);
  const prefix = checkPrefix('Prefix', ext.Prefix, { dynamicPartitioning });
  const errorPrefix = checkPrefix('ErrorOutputPrefix', ext.ErrorOutputPrefix, { dynamicPartitioning });
  if (prefix?.includes('!{') && !errorPrefix) throw invalid('A Prefix with expressions needs an ErrorOutputPrefix too.');
  if (dynamicPartitioning && !errorPrefix) throw invalid('Dynamic partitioning needs an ErrorOutputPrefix: records whose partition keys cannot be found go there.');
  const processing = checkProcessing(destinationKind === 'S3' ? undefined : top.ProcessingConfiguration);
  if (processing.jqQuery && !dynamicPartitioning) throw invalid('MetadataExtraction (inline JQ parsing) needs DynamicPartitioningConfiguration with Enabled: true.');
  const queryKeys = [...(prefix ?? '').matchAll(TOKEN)].filter((m) => m[1] === 'partitionKeyFromQuery');
  if (queryKeys.length && !processing.jqQuery) throw invalid(`Prefix uses !{partitionKeyFromQuery:${queryKeys[0][2]}}: add a MetadataExtraction processor whose query gives that key.`);
  const lambdaKeys = [...(prefix ?? '').matchAll(TOKEN)].filter((m) => m[1] === 'partitionKeyFromLambda');
  if (lambdaKeys.length && !processing.lambda) throw invalid(`Prefix uses !{partitionKeyFromLambda:${lambdaKeys[0][2]}}: add a Lambda processor that returns metadata.partitionKeys.`);
  const compression = ext.CompressionFormat ?? 'UNCOMPRESSED';
  if (!COMPRESSION_FORMATS.includes(compression)) {
    throw constraint(`${field}.compressionFormat`, compression, `Member must satisfy enum value set: [${COMPRESSION_FORMATS.join(', ')}]`);
  }
  // With record format conversion the Parquet or ORC serializer compresses, and S3 compression is
  // off (https://docs.aws.amazon.com/firehose/latest/dev/enable-record-format-conversion.html).
  // (The other rule on this field, no Snappy or ZIP for Redshift, has no destination here to apply to.)
  const conversion = destinationKind === 'ExtendedS3' ? ext.DataFormatConversionConfiguration : undefined;
  if (conversion && typeof conversion === 'object' && conversion.Enabled !== false && compression !== 'UNCOMPRESSED') {
    throw invalid(`CompressionFormat must be UNCOMPRESSED when DataFormatConversionConfiguration is enabled (the Parquet or ORC serializer compresses instead), not ${compression}.`);
  }
  // FileExtension, as the API model constrains it (botocore's firehose service-2.json: 0 to 128
  // characters, pattern ^$|\.[0-9a-z!\-_.*'()]+; the API reference:
  // https://docs.aws.amazon.com/firehose/latest/APIReference/API_ExtendedS3DestinationConfiguration.html ).
  const fileExtension =
    destinationKind === 'ExtendedS3' && ext.FileExtension !== undefined && ext.FileExtension !== null
      ? checkString(`${field}.fileExtension`, ext.FileExtension, 0, 128, /^(?:|\.[0-9a-z!\-_.*'()]+)$/) || undefined
      : undefined;
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
      CompressionFormat: compression,
      EncryptionConfiguration: ext.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
    },
    destinationKind,
    http,
    processing,
    dynamicPartitioning,
    compression,
    fileExtension,
    bucket,
    tags: checkTags(b.Tags),
    request: { ...b, Tags: undefined },
  };
}

const LAMBDA_ARN = /^arn:[^:]+:lambda:[a-zA-Z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9$_-]+)?$/;
const PROCESSOR_TYPES = ['RecordDeAggregation', 'Decompression', 'CloudWatchLogProcessing', 'Lambda', 'MetadataExtraction', 'AppendDelimiterToRecord'];

/** The processors of a ProcessingConfiguration, as the delivery engine will run them. */
export function checkProcessing(cfg: unknown): ProcessingPlan {
  const plan: ProcessingPlan = {};
  if (cfg === undefined || cfg === null) return plan;
  const c = cfg as { Enabled?: unknown; Processors?: unknown };
  if (!Array.isArray(c.Processors ?? [])) throw constraint('processingConfiguration.processors', c.Processors, 'Member must be a list');
  if (!c.Enabled) return plan;
  for (const [i, raw] of ((c.Processors ?? []) as unknown[]).entries()) {
    const p = (raw ?? {}) as { Type?: unknown; Parameters?: unknown };
    if (!PROCESSOR_TYPES.includes(p.Type as string)) throw constraint(`processingConfiguration.processors.${i + 1}.member.type`, p.Type ?? null, `Member must satisfy enum value set: [${PROCESSOR_TYPES.join(', ')}]`);
    if (!Array.isArray(p.Parameters ?? [])) throw constraint(`processingConfiguration.processors.${i + 1}.member.parameters`, p.Parameters, 'Member must be a list');
    const params = new Map<string, string>();
    for (const x of (p.Parameters ?? []) as { ParameterName?: unknown; ParameterValue?: unknown }[]) {
      if (typeof x?.ParameterName !== 'string' || typeof x?.ParameterValue !== 'string') throw invalid(`Processor ${p.Type}: each parameter needs a ParameterName and a string ParameterValue.`);
      params.set(x.ParameterName, x.ParameterValue);
    }
    const num = (name: string, min: number, max: number, dflt: number) => {
      const v = params.get(name);
      if (v === undefined) return dflt;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) throw invalid(`Processor ${p.Type}: ${name} "${shorten(v)}" must be a number from ${min} to ${max}.`);
      return n;
    };
    switch (p.Type) {
      case 'Lambda': {
        const arn = params.get('LambdaArn');
        if (!arn || !LAMBDA_ARN.test(arn)) throw invalid(`The Lambda processor needs a LambdaArn like arn:aws:lambda:us-east-1:123456789012:function:NAME (got ${JSON.stringify(shorten(arn ?? null))}).`);
        // Processor buffering hints: 0.2-3 MB (default 1) and 0-900 s (default 60), per
        // https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
        plan.lambda = {
          arn,
          retries: Math.floor(num('NumberOfRetries', 0, 300, 3)),
          bufferBytes: Math.round(num('BufferSizeInMBs', 0.2, 3, 1) * 1024 * 1024),
          intervalMs: Math.round(num('BufferIntervalInSeconds', 0, 900, 60)) * 1000,
        };
        break;
      }
      case 'MetadataExtraction': {
        const q = params.get('MetadataExtractionQuery');
        if (!q || q.length > 4096) throw invalid('MetadataExtraction needs a MetadataExtractionQuery (a jq query of at most 4,096 characters), for example {customer: .customer_id}.');
        const engine = params.get('JsonParsingEngine') ?? 'JQ-1.6';
        if (engine !== 'JQ-1.6') throw invalid(`JsonParsingEngine must be JQ-1.6, not "${shorten(engine)}".`);
        plan.jqQuery = q;
        break;
      }
      case 'RecordDeAggregation': {
        const type = params.get('SubRecordType') ?? 'JSON';
        if (type !== 'JSON' && type !== 'DELIMITED') throw invalid(`RecordDeAggregation: SubRecordType is JSON or DELIMITED, not "${shorten(type)}".`);
        const d = params.get('Delimiter');
        if (type === 'DELIMITED' && !d) throw invalid('RecordDeAggregation with SubRecordType DELIMITED needs a Delimiter (base64).');
        plan.deaggregation = { type, ...(d ? { delimiter: Buffer.from(d, 'base64') } : {}) };
        break;
      }
      case 'AppendDelimiterToRecord': {
        const d = params.get('Delimiter');
        plan.appendDelimiter = d === undefined ? Buffer.from('\n') : Buffer.from(d.replace(/\\n/g, '\n').replace(/\\t/g, '\t'));
        break;
      }
      default:
        throw invalid(`The local emulator does not run the ${p.Type} processor (it runs Lambda, MetadataExtraction, RecordDeAggregation and AppendDelimiterToRecord).`);
    }
  }
  return plan;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** An HTTP endpoint destination: https anywhere, plain http to this machine only (tests, local receivers). */
function checkHttpEndpoint(h: Record<string, any>): HttpEndpointDestination {
  const e = h.EndpointConfiguration ?? {};
  const url = checkString('httpEndpointDestinationConfiguration.endpointConfiguration.url', e.Url, 1, 1000, /^https?:\/\//);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`The endpoint URL "${shorten(url)}" is not a URL.`);
  }
  if (parsed.protocol === 'http:' && !LOOPBACK_HOSTS.has(parsed.hostname)) throw invalid(`The endpoint URL must be https (plain http is allowed only for 127.0.0.1 and localhost): ${shorten(url)}`);
  if (parsed.username || parsed.password) throw invalid('Put credentials in EndpointConfiguration.AccessKey, not in the URL.');
  const accessKey = e.AccessKey === undefined || e.AccessKey === null ? undefined : checkString('httpEndpointDestinationConfiguration.endpointConfiguration.accessKey', e.AccessKey, 0, 4096);
  const name = e.Name === undefined || e.Name === null ? undefined : checkString('httpEndpointDestinationConfiguration.endpointConfiguration.name', e.Name, 1, 256);
  const rc = h.RequestConfiguration ?? {};
  const enc = rc.ContentEncoding ?? 'NONE';
  if (enc !== 'NONE' && enc !== 'GZIP') throw constraint('httpEndpointDestinationConfiguration.requestConfiguration.contentEncoding', enc, 'Member must satisfy enum value set: [NONE, GZIP]');
  const attrs = rc.CommonAttributes ?? [];
  if (!Array.isArray(attrs) || attrs.length > 50) throw invalid('CommonAttributes is a list of at most 50 { AttributeName, AttributeValue }.');
  const CommonAttributes = attrs.map((a: any, i: number) => ({
    AttributeName: checkString(`httpEndpointDestinationConfiguration.requestConfiguration.commonAttributes.${i + 1}.member.attributeName`, a?.AttributeName, 1, 256),
    AttributeValue: checkString(`httpEndpointDestinationConfiguration.requestConfiguration.commonAttributes.${i + 1}.member.attributeValue`, a?.AttributeValue, 0, 1024),
  }));
  const hints = h.BufferingHints ?? {};
  const size = hints.SizeInMBs ?? 5;
  const interval = hints.IntervalInSeconds ?? 300;
  if (!Number.isInteger(size) || size < 1 || size > 64) throw constraint('httpEndpointDestinationConfiguration.bufferingHints.sizeInMBs', size, 'Member must be a whole number between 1 and 64');
  if (!Number.isInteger(interval) || interval < 0 || interval > 900) throw constraint('httpEndpointDestinationConfiguration.bufferingHints.intervalInSeconds', interval, 'Member must be a whole number between 0 and 900');
  const retry = h.RetryOptions?.DurationInSeconds ?? 300;
  if (!Number.isInteger(retry) || retry < 0 || retry > 7200) throw constraint('httpEndpointDestinationConfiguration.retryOptions.durationInSeconds', retry, 'Member must be a whole number between 0 and 7200');
  const mode = h.S3BackupMode ?? 'FailedDataOnly';
  if (mode !== 'FailedDataOnly' && mode !== 'AllData') throw constraint('httpEndpointDestinationConfiguration.s3BackupMode', mode, 'Member must satisfy enum value set: [FailedDataOnly, AllData]');
  return { Url: url, Name: name, AccessKey: accessKey, BufferingHints: { SizeInMBs: size, IntervalInSeconds: interval }, ContentEncoding: enc, CommonAttributes, RetryDurationInSeconds: retry, S3BackupMode: mode };
}

/**
 * UpdateDestination's change applied to a stored CreateDeliveryStream request: fields given
 * replace those kept (objects merged, lists replaced); a different destination kind replaces the
 * destination. The result is checked again, as a new request.
 */
export function applyDestinationUpdate(request: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const kinds = Object.keys(update).filter((k) => /DestinationUpdate$/.test(k) && update[k] !== undefined && update[k] !== null);
  if (kinds.length !== 1) throw invalid(`Give exactly one destination update (ExtendedS3DestinationUpdate, S3DestinationUpdate or HttpEndpointDestinationUpdate); got ${kinds.length ? kinds.join(', ') : 'none'}.`);
  const configKey = kinds[0].replace('DestinationUpdate', 'DestinationConfiguration');
  const out: Record<string, unknown> = { ...request };
  const current = Object.keys(out).find((k) => /DestinationConfiguration$/.test(k) && out[k]);
  let base: Record<string, unknown> = {};
  if (current === configKey) base = out[current] as Record<string, unknown>;
  else if (current === 'S3DestinationConfiguration' && configKey === 'ExtendedS3DestinationConfiguration') base = out[current] as Record<string, unknown>;
  if (current) delete out[current];
  out[configKey] = merge(base, update[kinds[0]] as Record<string, unknown>);
  return out;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    if (k === 'S3Update') out.S3Configuration = merge((a.S3Configuration ?? {}) as Record<string, unknown>, v as Record<string, unknown>);
    else if (v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' && !Array.isArray(a[k])) out[k] = merge(a[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
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
