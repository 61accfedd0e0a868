/**
 * Records in the formats AWS producers put into streams, made from the samples of AWS's own
 * documentation (values as printed there), for tests, benchmarks and the demo checks:
 *   EventBridge      "EC2 Instance State-change Notification" (EventBridge User Guide, event structure)
 *   CloudFront       a real-time log line, every field in the documented order, values from the field descriptions
 *   CloudWatch Logs  the subscription filter sample (CloudWatch Logs User Guide), gzip; and its CONTROL_MESSAGE
 *   metric streams   the JSON format sample, and the OpenTelemetry 0.7.0 / 1.0.0 samples (DynamoDB
 *                    ConsumedReadCapacityUnits), encoded with models written from the proto
 *                    definitions quoted in those pages (not the decoder's own model)
 *   DynamoDB         a MODIFY change record as Kinesis Data Streams for DynamoDB writes it
 *   Glue             the Glue Schema Registry wire format around an Avro record (avsc)
 */
import { gzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs/light';
import * as avro from 'avsc';
import { encodeGlueSchemaRegistry } from '../../src/core/records/glueSchemaRegistry';
import { CLOUDFRONT_FIELDS } from '../../src/core/records/cloudFront';

export const EVENTBRIDGE_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

/** Every field, in order; `-` where the viewer sent nothing. */
export const CLOUDFRONT_VALUES: Record<string, string> = {
  timestamp: '1591722780.123',
  'c-ip': '192.0.2.183',
  'time-to-first-byte': '0.002',
  'sc-status': '200',
  'sc-bytes': '3178',
  'cs-method': 'GET',
  'cs-protocol': 'https',
  'cs-host': 'd111111abcdef8.cloudfront.net',
  'cs-uri-stem': '/images/cat.jpg?mobile=true',
  'cs-bytes': '85',
  'x-edge-location': 'DFW3',
  'x-edge-request-id': 'Ykv8JSivGrpwGPRYqsfAvnNMJaCYQr9GuXW_vQmT0VSOkgtIFGuDzg==',
  'x-host-header': 'd111111abcdef8.cloudfront.net',
  'time-taken': '0.082',
  'cs-protocol-version': 'HTTP/2.0',
  'c-ip-version': 'IPv4',
  'cs-user-agent': 'Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_4)',
  'cs-referer': '-',
  'cs-cookie': '-',
  'cs-uri-query': 'mobile=true',
  'x-edge-response-result-type': 'Hit',
  'x-forwarded-for': '-',
  'ssl-protocol': 'TLSv1.3',
  'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
  'x-edge-result-type': 'Hit',
  'fle-encrypted-fields': '-',
  'fle-status': '-',
  'sc-content-type': 'image/jpeg',
  'sc-content-len': '2960',
  'sc-range-start': '-',
  'sc-range-end': '-',
  'c-port': '50535',
  'x-edge-detailed-result-type': 'Hit',
  'c-country': 'US',
  'cs-accept-encoding': 'gzip,deflate,br',
  'cs-accept': 'image/webp,*/*',
  'cache-behavior-path-pattern': '/images/*',
  'cs-headers': 'Host:d111111abcdef8.cloudfront.net%0AUser-Agent:Mozilla/5.0%0A',
  'cs-header-names': 'Host%0AUser-Agent%0A',
  'cs-headers-count': '2',
};

/** A line as CloudFront writes it for a configuration with these fields (all by default). */
export function cloudFrontLine(fields: readonly string[] = CLOUDFRONT_FIELDS): string {
  return fields.map((f) => CLOUDFRONT_VALUES[f] ?? '-').join('\t') + '\n';
}

export const CLOUDWATCH_LOGS_PAYLOAD = {
  owner: '111111111111',
  logGroup: 'CloudTrail/logs',
  logStream: '111111111111_CloudTrail/logs_us-east-1',
  subscriptionFilters: ['Destination'],
  messageType: 'DATA_MESSAGE',
  logEvents: [
    { id: '31953106606966983378809025079804211143289615424298221568', timestamp: 1432826855000, message: '{"eventVersion":"1.03","userIdentity":{"type":"Root"}}' },
    { id: '31953106606966983378809025079804211143289615424298221569', timestamp: 1432826855000, message: '{"eventVersion":"1.03","userIdentity":{"type":"Root"}}' },
    { id: '31953106606966983378809025079804211143289615424298221570', timestamp: 1432826855000, message: '{"eventVersion":"1.03","userIdentity":{"type":"Root"}}' },
  ],
};

export const CLOUDWATCH_LOGS_CONTROL = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [{ id: '', timestamp: 1432826855000, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
};

export const METRIC_STREAM_JSON_DATUM = {
  metric_stream_name: 'MyMetricStream',
  account_id: '1234567890',
  region: 'us-east-1',
  namespace: 'AWS/EC2',
  metric_name: 'DiskWriteOps',
  dimensions: { InstanceId: 'i-123456789012' },
  timestamp: 1611929698000,
  value: { count: 3.0, sum: 20.0, max: 18.0, min: 0.0, p99: 17.56, 'p99.9': 17.8764, 'TM(25%:75%)': 16.43 },
  unit: 'Seconds',
};

/** Several data points, one JSON object a line, as a metric stream's Firehose record holds them. */
export function metricStreamJson(): string {
  const second = { ...METRIC_STREAM_JSON_DATUM, metric_name: 'DiskReadOps', timestamp: 1611929758000, value: { count: 1, sum: 4, max: 4, min: 4 } };
  return JSON.stringify(METRIC_STREAM_JSON_DATUM) + '\n' + JSON.stringify(second) + '\n';
}

// The OTLP messages as the AWS pages quote them (field names and numbers of each version).
const common = {
  AnyValue: { oneofs: { value: { oneof: ['string_value', 'bool_value', 'int_value', 'double_value'] } }, fields: { string_value: { type: 'string', id: 1 }, bool_value: { type: 'bool', id: 2 }, int_value: { type: 'int64', id: 3 }, double_value: { type: 'double', id: 4 } } },
  KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
  Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 }, dropped_attributes_count: { type: 'uint32', id: 2 } } },
  ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
  ExportMetricsServiceRequest: { fields: { resource_metrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } } },
};
const OTLP_070 = {
  nested: {
    ...common,
    StringKeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    ResourceMetrics: { fields: { resource: { type: 'Resource', id: 1 }, instrumentation_library_metrics: { rule: 'repeated', type: 'InstrumentationLibraryMetrics', id: 2 } } },
    InstrumentationLibraryMetrics: { fields: { metrics: { rule: 'repeated', type: 'Metric', id: 2 } } },
    Metric: { fields: { name: { type: 'string', id: 1 }, description: { type: 'string', id: 2 }, unit: { type: 'string', id: 3 }, double_summary: { type: 'DoubleSummary', id: 11 } } },
    DoubleSummary: { fields: { data_points: { rule: 'repeated', type: 'DoubleSummaryDataPoint', id: 1 } } },
    DoubleSummaryDataPoint: { fields: { labels: { rule: 'repeated', type: 'StringKeyValue', id: 1 }, start_time_unix_nano: { type: 'fixed64', id: 2 }, time_unix_nano: { type: 'fixed64', id: 3 }, count: { type: 'fixed64', id: 4 }, sum: { type: 'double', id: 5 }, quantile_values: { rule: 'repeated', type: 'ValueAtQuantile', id: 6 } } },
  },
};
const OTLP_100 = {
  nested: {
    ...common,
    ResourceMetrics: { fields: { resource: { type: 'Resource', id: 1 }, scope_metrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 }, schema_url: { type: 'string', id: 3 } } },
    ScopeMetrics: { fields: { metrics: { rule: 'repeated', type: 'Metric', id: 2 } } },
    Metric: { fields: { name: { type: 'string', id: 1 }, description: { type: 'string', id: 2 }, unit: { type: 'string', id: 3 }, summary: { type: 'Summary', id: 11 } } },
    Summary: { fields: { data_points: { rule: 'repeated', type: 'SummaryDataPoint', id: 1 } } },
    SummaryDataPoint: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 7 }, start_time_unix_nano: { type: 'fixed64', id: 2 }, time_unix_nano: { type: 'fixed64', id: 3 }, count: { type: 'fixed64', id: 4 }, sum: { type: 'double', id: 5 }, quantile_values: { rule: 'repeated', type: 'ValueAtQuantile', id: 6 }, flags: { type: 'uint32', id: 8 } } },
  },
};

const RESOURCE = {
  attributes: [
    { key: 'cloud.provider', value: { string_value: 'aws' } },
    { key: 'cloud.account.id', value: { string_value: '2345678901' } },
    { key: 'cloud.region', value: { string_value: 'us-east-1' } },
    { key: 'aws.exporter.arn', value: { string_value: 'arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/MyMetricStream' } },
  ],
};
const POINTS = [
  { start: '1604948400000000000', time: '1604948460000000000', count: 1, sum: 1.0, min: 1.0, max: 1.0 },
  { start: '1604948460000000000', time: '1604948520000000000', count: 2, sum: 5.0, min: 2.0, max: 3.0 },
];
const DIMS = [['Namespace', 'AWS/DynamoDB'], ['MetricName', 'ConsumedReadCapacityUnits'], ['TableName', 'MyTable']];

function delimited(type: protobuf.Type, msg: object): Buffer {
  const body = type.encode(type.fromObject(msg)).finish();
  const w = protobuf.Writer.create();
  w.uint32(body.length);
  return Buffer.concat([w.finish(), body]);
}

/** ExportMetricsServiceRequest as that OTLP version defines it (for naive decoders in benchmarks, and encoding). */
export function otlpRequestType(version: '0.7.0' | '1.0.0'): protobuf.Type {
  return protobuf.Root.fromJSON(version === '0.7.0' ? OTLP_070 : OTLP_100).lookupType('ExportMetricsServiceRequest');
}

/** The OpenTelemetry sample of the AWS page for that version, length-delimited, twice in one record. */
export function metricStreamOtlp(version: '0.7.0' | '1.0.0'): Buffer {
  const type = otlpRequestType(version);
  const points = POINTS.map((p) => ({
    ...(version === '0.7.0' ? { labels: DIMS.map(([key, value]) => ({ key, value })) } : { attributes: DIMS.map(([key, value]) => ({ key, value: { string_value: value } })) }),
    start_time_unix_nano: p.start,
    time_unix_nano: p.time,
    count: p.count,
    sum: p.sum,
    quantile_values: [{ quantile: 0.0, value: p.min }, { quantile: 1.0, value: p.max }],
  }));
  const metric = { name: 'amazonaws.com/AWS/DynamoDB/ConsumedReadCapacityUnits', unit: version === '0.7.0' ? '1' : 'NoneTranslated', ...(version === '0.7.0' ? { double_summary: { data_points: points } } : { summary: { data_points: points } }) };
  const msg = { resource_metrics: [{ resource: RESOURCE, ...(version === '0.7.0' ? { instrumentation_library_metrics: [{ metrics: [metric] }] } : { scope_metrics: [{ metrics: [metric] }] }) }] };
  return Buffer.concat([delimited(type, msg), delimited(type, msg)]);
}

export const DYNAMODB_CHANGE = {
  awsRegion: 'us-west-2',
  dynamodb: {
    ApproximateCreationDateTime: 1646714720773,
    Keys: { Artist: { S: 'No One You Know' }, SongTitle: { S: 'Call Me Today' } },
    NewImage: { Artist: { S: 'No One You Know' }, SongTitle: { S: 'Call Me Today' }, AlbumTitle: { S: 'Somewhat Famous' }, Awards: { N: '10' }, Tags: { SS: ['pop', 'live'] } },
    OldImage: { Artist: { S: 'No One You Know' }, SongTitle: { S: 'Call Me Today' }, AlbumTitle: { S: 'Somewhat Famous' }, Awards: { N: '1' }, Genre: { S: 'Country' } },
    SizeBytes: 150,
  },
  eventID: '4b25bd0da9a181a155114127e4837252',
  eventName: 'MODIFY',
  userIdentity: null,
  recordFormat: 'application/json',
  tableName: 'Music',
  eventSource: 'aws:dynamodb',
};

export const AVRO_SCHEMA = {
  type: 'record',
  name: 'Customer',
  namespace: 'com.example',
  fields: [
    { name: 'customerId', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'visits', type: 'long' },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
};
export const AVRO_SCHEMA_VERSION_ID = 'b7b4a7f0-9c96-4e4e-9a0d-4f6a2b1c3d5e';
export const AVRO_VALUE = { customerId: 'c-42', name: 'Ana', visits: 7, email: 'ana@example.com' };

export function glueSchemaRegistryRecord(compression: 'none' | 'zlib' = 'none'): Buffer {
  return encodeGlueSchemaRegistry(AVRO_SCHEMA_VERSION_ID, avro.Type.forSchema(AVRO_SCHEMA as avro.Schema).toBuffer(AVRO_VALUE), compression);
}

/** One record of each format, with the format name the decoder should give. */
export function everyFormat(): { name: string; format: string; data: Buffer; partitionKey: string }[] {
  return [
    { name: 'eventbridge', format: 'eventbridge', data: Buffer.from(JSON.stringify(EVENTBRIDGE_EVENT)), partitionKey: EVENTBRIDGE_EVENT.id },
    { name: 'cloudfront', format: 'cloudfront-realtime-log', data: Buffer.from(cloudFrontLine()), partitionKey: '192.0.2.183' },
    { name: 'cloudwatch-logs', format: 'gzip+cloudwatch-logs', data: gzipSync(JSON.stringify(CLOUDWATCH_LOGS_PAYLOAD)), partitionKey: CLOUDWATCH_LOGS_PAYLOAD.logStream },
    { name: 'metric-json', format: 'cloudwatch-metric-stream', data: Buffer.from(metricStreamJson()), partitionKey: 'metrics' },
    { name: 'metric-otel-0.7', format: 'cloudwatch-metric-stream', data: metricStreamOtlp('0.7.0'), partitionKey: 'metrics' },
    { name: 'metric-otel-1.0', format: 'cloudwatch-metric-stream', data: metricStreamOtlp('1.0.0'), partitionKey: 'metrics' },
    { name: 'dynamodb', format: 'dynamodb', data: Buffer.from(JSON.stringify(DYNAMODB_CHANGE)), partitionKey: 'Music' },
    { name: 'glue', format: 'glue-schema-registry', data: glueSchemaRegistryRecord('zlib'), partitionKey: 'c-42' },
  ];
}
