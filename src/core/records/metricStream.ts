/**
 * CloudWatch metric streams (through Firehose, or any producer writing the same bytes):
 *   json               several JSON objects per record, one per line, each one data point
 *   opentelemetry0.7   length-delimited protobuf ExportMetricsServiceRequest (OTLP v0.7.0: DoubleSummary, StringKeyValue labels)
 *   opentelemetry1.0   the same framing, OTLP v1.0.0 (Summary, KeyValue attributes)
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-metric-streams-formats.html
 * The three are decoded to one shape, the JSON format's data point.
 *
 * The protobuf model is declared here (protobufjs): only the messages metric streams use. The two
 * OTLP versions share field numbers except the data point's labels (1, StringKeyValue, 0.7.0) and
 * attributes (7, KeyValue, 1.0.0), so one model with both fields reads both and tells them apart.
 */
import * as protobuf from 'protobufjs/light';
import { cell, isObject, isoTime, RecordFormat } from './formatTypes';

export type MetricStreamOutputFormat = 'json' | 'opentelemetry0.7' | 'opentelemetry1.0';

/** A data point, in the shape of the JSON output format. */
export interface MetricDatum {
  metric_stream_name?: string;
  account_id?: string;
  region?: string;
  namespace: string;
  metric_name: string;
  dimensions: Record<string, string>;
  /** epoch ms */
  timestamp: number;
  value: Record<string, number>;
  unit?: string;
}

export interface MetricStreamRecord {
  outputFormat: MetricStreamOutputFormat;
  metrics: MetricDatum[];
}

export function isMetricDatum(v: unknown): v is MetricDatum {
  return isObject(v) && typeof v.metric_name === 'string' && typeof v.namespace === 'string' && isObject(v.value) && 'timestamp' in v;
}

const METRIC_START = /^\{\s*"(metric_stream_name|account_id|region|namespace|metric_name)"\s*:/;

/** JSON format: one or more data points, one per line. Undefined when the text is not that. */
export function parseMetricStreamJson(text: string, first?: unknown): MetricStreamRecord | undefined {
  if (first !== undefined) return isMetricDatum(first) ? { outputFormat: 'json', metrics: [first] } : undefined;
  // Several objects: only worth trying when the text starts like a data point (as the service writes it).
  if (!METRIC_START.test(text.length > 64 ? text.slice(0, 64) : text)) return undefined;
  const metrics: MetricDatum[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (!isMetricDatum(v)) return undefined;
    metrics.push(v);
  }
  return metrics.length ? { outputFormat: 'json', metrics } : undefined;
}

const KV = { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } };
const MODEL = {
  nested: {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: KV,
    StringKeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ExportMetricsServiceRequest: { fields: { resourceMetrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } } },
    // field 2: instrumentation_library_metrics (0.7.0) or scope_metrics (1.0.0), the same shape for what we read
    ResourceMetrics: { fields: { resource: { type: 'Resource', id: 1 }, scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 } } },
    ScopeMetrics: { fields: { metrics: { rule: 'repeated', type: 'Metric', id: 2 } } },
    // field 11: double_summary (0.7.0) or summary (1.0.0)
    Metric: { fields: { name: { type: 'string', id: 1 }, description: { type: 'string', id: 2 }, unit: { type: 'string', id: 3 }, summary: { type: 'Summary', id: 11 } } },
    Summary: { fields: { dataPoints: { rule: 'repeated', type: 'SummaryDataPoint', id: 1 } } },
    SummaryDataPoint: {
      fields: {
        labels: { rule: 'repeated', type: 'StringKeyValue', id: 1 },
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: { type: 'double', id: 5 },
        quantileValues: { rule: 'repeated', type: 'ValueAtQuantile', id: 6 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 7 },
      },
    },
    ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
  },
};

let requestType: protobuf.Type | undefined;
/** The ExportMetricsServiceRequest model (both OTLP versions). Exported for producers and tests. */
export function exportMetricsServiceRequest(): protobuf.Type {
  requestType ??= protobuf.Root.fromJSON(MODEL).lookupType('ExportMetricsServiceRequest');
  return requestType;
}

type Num = number | { toNumber(): number } | null | undefined;
const num = (v: Num): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

interface AnyValueMsg { stringValue?: string; boolValue?: boolean; intValue?: Num; doubleValue?: number }
interface KeyValueMsg { key: string; value?: AnyValueMsg }
interface DataPointMsg {
  labels: { key: string; value: string }[];
  attributes: KeyValueMsg[];
  timeUnixNano: Num;
  count: Num;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}
interface RequestMsg {
  resourceMetrics: { resource?: { attributes: KeyValueMsg[] }; scopeMetrics: { metrics: { name: string; unit: string; summary?: { dataPoints: DataPointMsg[] } }[] }[] }[];
}

function anyText(v: AnyValueMsg | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined && v.stringValue !== '') return v.stringValue;
  if (v.doubleValue !== undefined && v.doubleValue !== 0) return String(v.doubleValue);
  if (v.intValue !== undefined && v.intValue !== null) return String(num(v.intValue));
  if (v.boolValue !== undefined) return String(v.boolValue);
  return v.stringValue ?? '';
}

function varint(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0, shift = 0; i < 5 && at + i < b.length; i++, shift += 7) {
    const x = b[at + i];
    value += (x & 0x7f) * 2 ** shift;
    if (!(x & 0x80)) return { value, next: at + i + 1 };
  }
  return undefined;
}

/** Does b look like length-delimited ExportMetricsServiceRequests (a varint length, then field 1 bytes)? */
export function looksLikeOtlpMetrics(b: Uint8Array): boolean {
  const h = varint(b, 0);
  return !!h && h.value > 0 && h.next + h.value <= b.length && b[h.next] === 0x0a;
}

/** Decodes an OpenTelemetry metric stream record. Throws with why when it is not one. */
export function decodeOtlpMetrics(b: Uint8Array): MetricStreamRecord {
  const type = exportMetricsServiceRequest();
  const metrics: MetricDatum[] = [];
  let version: MetricStreamOutputFormat | undefined;
  let at = 0;
  while (at < b.length) {
    const h = varint(b, at);
    if (!h || h.next + h.value > b.length) throw new Error(`a length prefix at byte ${at} runs past the end of the record`);
    const msg = type.decode(b.subarray(h.next, h.next + h.value)) as unknown as RequestMsg;
    at = h.next + h.value;
    for (const rm of msg.resourceMetrics) {
      // The resource's fields, shared by its data points.
      const head: Partial<MetricDatum> = {};
      for (const a of rm.resource?.attributes ?? []) {
        if (a.key === 'aws.exporter.arn') head.metric_stream_name = anyText(a.value).split('/').pop();
        else if (a.key === 'cloud.account.id') head.account_id = anyText(a.value);
        else if (a.key === 'cloud.region') head.region = anyText(a.value);
      }
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          for (const dp of m.summary?.dataPoints ?? []) {
            let namespace: string | undefined;
            let metricName: string | undefined;
            const dimensions: Record<string, string> = {};
            const v07 = dp.labels.length > 0;
            const pairs: { key: string; value?: unknown }[] = v07 ? dp.labels : dp.attributes;
            if (pairs.length) version ??= v07 ? 'opentelemetry0.7' : 'opentelemetry1.0';
            for (let i = 0; i < pairs.length; i++) {
              const key = pairs[i].key;
              const value = v07 ? (pairs[i].value as string) : anyText(pairs[i].value as AnyValueMsg);
              if (key === 'Namespace') namespace = value;
              else if (key === 'MetricName') metricName = value;
              else dimensions[key] = value;
            }
            const value: Record<string, number> = { count: num(dp.count), sum: dp.sum };
            for (const q of dp.quantileValues) {
              if (q.quantile === 0) value.min = q.value;
              else if (q.quantile === 1) value.max = q.value;
              else value[`p${+(q.quantile * 100).toFixed(4)}`] = q.value;
            }
            // One literal of a fixed shape (adding fields one by one to a copy was most of the cost).
            metrics.push({
              metric_stream_name: head.metric_stream_name,
              account_id: head.account_id,
              region: head.region,
              namespace: namespace ?? m.name.replace(/^amazonaws\.com\//, '').split('/').slice(0, -1).join('/'),
              metric_name: metricName ?? m.name.split('/').pop() ?? m.name,
              dimensions,
              timestamp: Math.floor(num(dp.timeUnixNano) / 1e6),
              value,
              unit: m.unit || undefined,
            });
          }
        }
      }
    }
  }
  if (!metrics.length && !version) {
    // A request with no summary data point: nothing tells the versions apart.
    version = 'opentelemetry1.0';
  }
  return { outputFormat: version ?? 'opentelemetry1.0', metrics };
}

const dims = (d: Record<string, string> | undefined): string => (d ? Object.entries(d).map(([k, v]) => `${k}=${v}`).join(', ') : '');
const stat = (v: number | undefined): string => (v === undefined ? '' : String(+v.toFixed(6)));

export const metricStreamFormat: RecordFormat = {
  name: 'cloudwatch-metric-stream',
  title: 'CloudWatch metric stream',
  columns: [
    { id: 'timestamp', title: 'Timestamp' },
    { id: 'namespace', title: 'Namespace' },
    { id: 'metric', title: 'Metric' },
    { id: 'dimensions', title: 'Dimensions' },
    { id: 'unit', title: 'Unit' },
    { id: 'stats', title: 'Count / sum / min / max' },
  ],
  columnValues(v): Record<string, string> {
    const r = v as MetricStreamRecord;
    const m = r.metrics?.[0];
    if (!m) return { metric: '(no data points)' };
    const more = r.metrics.length > 1 ? ` (+${r.metrics.length - 1} more)` : '';
    return {
      timestamp: isoTime(m.timestamp),
      namespace: cell(m.namespace),
      metric: cell(m.metric_name) + more,
      dimensions: dims(m.dimensions),
      unit: cell(m.unit),
      stats: [m.value?.count, m.value?.sum, m.value?.min, m.value?.max].map(stat).join(' / '),
    };
  },
  detail(v) {
    const r = v as MetricStreamRecord;
    const m0 = r.metrics?.[0];
    const columns = this.columns.filter((c) => c.id !== 'stats').concat([{ id: 'count', title: 'Count' }, { id: 'sum', title: 'Sum' }, { id: 'min', title: 'Min' }, { id: 'max', title: 'Max' }]);
    return {
      format: 'cloudwatch-metric-stream',
      title: `CloudWatch metric stream (${r.outputFormat}): ${r.metrics.length} data point${r.metrics.length === 1 ? '' : 's'}`,
      sections: [
        { kind: 'fields', title: 'Stream', fields: [{ name: 'output format', value: r.outputFormat }, { name: 'metric stream', value: cell(m0?.metric_stream_name) }, { name: 'account', value: cell(m0?.account_id) }, { name: 'region', value: cell(m0?.region) }] },
        {
          kind: 'table',
          title: 'Data points',
          columns,
          rows: r.metrics.map((m) => ({ timestamp: isoTime(m.timestamp), namespace: cell(m.namespace), metric: cell(m.metric_name), dimensions: dims(m.dimensions), unit: cell(m.unit), count: stat(m.value?.count), sum: stat(m.value?.sum), min: stat(m.value?.min), max: stat(m.value?.max) })),
        },
      ],
    };
  },
};
