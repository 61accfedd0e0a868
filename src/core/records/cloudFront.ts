/**
 * CloudFront real-time log records: one log line per Kinesis record, fields separated by tabs,
 * `-` for an empty field, in CloudFront's canonical order restricted to the fields the real-time
 * log configuration chose (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/real-time-logs.html).
 * The line does not name its fields: they come from the configuration (GetRealtimeLogConfig, or a
 * list given by hand); a line with every field is named by the canonical order alone.
 */
import { cell, FormatColumn, isoTime, RecordFormat } from './formatTypes';

/** Every field, in the order CloudFront writes them. */
export const CLOUDFRONT_FIELDS: readonly string[] = [
  'timestamp', 'c-ip', 'time-to-first-byte', 'sc-status', 'sc-bytes', 'cs-method', 'cs-protocol', 'cs-host', 'cs-uri-stem', 'cs-bytes',
  'x-edge-location', 'x-edge-request-id', 'x-host-header', 'time-taken', 'cs-protocol-version', 'c-ip-version', 'cs-user-agent', 'cs-referer',
  'cs-cookie', 'cs-uri-query', 'x-edge-response-result-type', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-result-type',
  'fle-encrypted-fields', 'fle-status', 'sc-content-type', 'sc-content-len', 'sc-range-start', 'sc-range-end', 'c-port',
  'x-edge-detailed-result-type', 'c-country', 'cs-accept-encoding', 'cs-accept', 'cache-behavior-path-pattern', 'cs-headers',
  'cs-header-names', 'cs-headers-count',
];

const CANONICAL_INDEX = new Map(CLOUDFRONT_FIELDS.map((f, i) => [f, i]));

/** A configuration's fields put in the order the lines carry them (the canonical order; unknown names last, as given). */
export function cloudFrontFieldOrder(fields: readonly string[]): string[] {
  return fields
    .map((f, i) => ({ f, k: CANONICAL_INDEX.get(f) ?? CLOUDFRONT_FIELDS.length + i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.f);
}

const EPOCH_SECONDS = /^\d{10}(\.\d{1,6})?$/;

/** A real-time log line as a field map (`-` is null), or undefined when it is not one. */
export function parseCloudFrontLine(text: string, fields?: readonly string[]): Record<string, string | null> | undefined {
  if (text.indexOf('\t') < 0) return undefined;
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  const line = end < text.length ? text.slice(0, end) : text;
  if (line.indexOf('\n') >= 0) return undefined;
  const parts = line.split('\t');
  let names: readonly string[];
  if (fields?.length) {
    if (parts.length !== fields.length) return undefined;
    names = fields;
  } else {
    // Without the configuration: a line that starts with CloudFront's timestamp (epoch seconds with milliseconds).
    if (parts.length < 3 || !EPOCH_SECONDS.test(parts[0])) return undefined;
    names = parts.length === CLOUDFRONT_FIELDS.length ? CLOUDFRONT_FIELDS : parts.map((_, i) => (i === 0 ? 'timestamp' : `field-${i + 1}`));
  }
  if (names[0] === 'timestamp' && !EPOCH_SECONDS.test(parts[0])) return undefined;
  const out: Record<string, string | null> = {};
  for (let i = 0; i < parts.length; i++) out[names[i]] = parts[i] === '-' ? null : parts[i];
  return out;
}

const COLUMNS: FormatColumn[] = [
  { id: 'timestamp', title: 'Timestamp' },
  { id: 'c-ip', title: 'Client IP' },
  { id: 'cs-method', title: 'Method' },
  { id: 'cs-host', title: 'Host' },
  { id: 'cs-uri-stem', title: 'URI' },
  { id: 'sc-status', title: 'Status' },
  { id: 'time-taken', title: 'Time taken (s)' },
  { id: 'x-edge-result-type', title: 'Result' },
];

export const cloudFrontFormat: RecordFormat = {
  name: 'cloudfront-realtime-log',
  title: 'CloudFront real-time log line',
  columns: COLUMNS,
  columnValues(v) {
    const f = v as Record<string, string | null>;
    const out: Record<string, string> = {};
    for (const c of COLUMNS) out[c.id] = cell(f[c.id]);
    if (f.timestamp) out.timestamp = isoTime(Number(f.timestamp) * 1000);
    return out;
  },
  detail(v) {
    const f = v as Record<string, string | null>;
    return {
      format: 'cloudfront-realtime-log',
      title: `CloudFront: ${cell(f['cs-method'])} ${cell(f['cs-uri-stem'])} ${cell(f['sc-status'])}`.trim(),
      sections: [{ kind: 'fields', title: 'Fields', fields: Object.keys(f).map((name) => ({ name, value: name === 'timestamp' && f[name] ? `${f[name]} (${isoTime(Number(f[name]) * 1000)})` : f[name] ?? '-' })) }],
    };
  },
};

/**
 * The fields of a real-time log configuration (GetRealtimeLogConfig by name or ARN), or of the one
 * that writes to a stream (ListRealtimeLogConfigs, matched by the stream's ARN). In an API answer the
 * fields are in the order the lines carry them. Undefined when no configuration writes there.
 */
export async function realtimeLogConfigFields(
  cloudFront: import('@aws-sdk/client-cloudfront').CloudFrontClient,
  by: { name?: string; arn?: string; streamArn?: string },
  abortSignal?: AbortSignal,
): Promise<{ name: string; fields: string[] } | undefined> {
  const sdk = require('@aws-sdk/client-cloudfront') as typeof import('@aws-sdk/client-cloudfront');
  if (by.name || by.arn) {
    const out = await cloudFront.send(new sdk.GetRealtimeLogConfigCommand(by.arn ? { ARN: by.arn } : { Name: by.name }), { abortSignal });
    const c = out.RealtimeLogConfig;
    return c ? { name: c.Name ?? '', fields: c.Fields ?? [] } : undefined;
  }
  let marker: string | undefined;
  do {
    const out = await cloudFront.send(new sdk.ListRealtimeLogConfigsCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) }), { abortSignal });
    for (const c of out.RealtimeLogConfigs?.Items ?? []) {
      if (c.EndPoints?.some((e) => e.KinesisStreamConfig?.StreamARN === by.streamArn)) return { name: c.Name ?? '', fields: c.Fields ?? [] };
    }
    marker = out.RealtimeLogConfigs?.IsTruncated ? out.RealtimeLogConfigs.NextMarker : undefined;
  } while (marker);
  return undefined;
}
