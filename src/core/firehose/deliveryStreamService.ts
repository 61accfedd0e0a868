import {
  DescribeDeliveryStreamCommand,
  DestinationDescription,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  ProcessingConfiguration,
} from '@aws-sdk/client-firehose';
import type { CallOptions } from '../kinesis/streamService';

/** What the tree shows of a delivery stream: where records come from, what runs, where they go. */
export interface DeliveryStreamSummary {
  name: string;
  arn?: string;
  status?: string;
  /** DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource. */
  type?: string;
  sourceStreamArn?: string;
  processing?: { enabled: boolean; processors: { type: string; detail?: string }[] };
  destinations: DeliveryDestination[];
  createdAt?: Date;
  /**
   * Why records are not flowing (FailureDescription): a source that cannot be read, a delivery
   * that keeps failing, or, on the built-in endpoint, a Lambda with no handler mapped.
   */
  failure?: { type: string; details: string };
}

export interface DeliveryDestination {
  id: string;
  /** S3, Redshift, OpenSearch, Splunk, HTTP endpoint, Snowflake, Iceberg… */
  kind: string;
  /** Where: bucket and prefix, cluster, URL… */
  target: string;
  buffering?: string;
  compression?: string;
  dynamicPartitioning?: boolean;
}

export interface DeliveryStreamPage {
  names: string[];
  next?: string;
}

export class DeliveryStreamService {
  constructor(readonly client: FirehoseClient) {}

  async listPage(cursor?: string, limit = 100, opts: CallOptions = {}): Promise<DeliveryStreamPage> {
    const out = await this.client.send(new ListDeliveryStreamsCommand({ Limit: limit, ExclusiveStartDeliveryStreamName: cursor }), opts);
    const names = out.DeliveryStreamNames ?? [];
    return { names, next: out.HasMoreDeliveryStreams && names.length ? names[names.length - 1] : undefined };
  }

  async describe(name: string, opts: CallOptions = {}): Promise<DeliveryStreamSummary> {
    const out = await this.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }), opts);
    const d = out.DeliveryStreamDescription!;
    const destinations = (d.Destinations ?? []).map(describeDestination);
    const processing = (d.Destinations ?? []).map(processingOf).find((p) => p !== undefined);
    return {
      name: d.DeliveryStreamName!,
      arn: d.DeliveryStreamARN,
      status: d.DeliveryStreamStatus,
      type: d.DeliveryStreamType,
      sourceStreamArn: d.Source?.KinesisStreamSourceDescription?.KinesisStreamARN,
      processing,
      destinations,
      createdAt: d.CreateTimestamp,
      ...(d.FailureDescription ? { failure: { type: d.FailureDescription.Type ?? 'UNKNOWN_ERROR', details: d.FailureDescription.Details ?? '' } } : {}),
    };
  }

  /** Puts records in batches of up to 500; returns how many Firehose refused. */
  async putRecords(name: string, records: Uint8Array[], opts: CallOptions = {}): Promise<number> {
    let failed = 0;
    for (let i = 0; i < records.length; i += 500) {
      const out = await this.client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records.slice(i, i + 500).map((Data) => ({ Data })) }), opts);
      failed += out.FailedPutCount ?? 0;
    }
    return failed;
  }
}

function processingOf(d: DestinationDescription): DeliveryStreamSummary['processing'] {
  const cfg: ProcessingConfiguration | undefined = d.ExtendedS3DestinationDescription?.ProcessingConfiguration
    ?? d.RedshiftDestinationDescription?.ProcessingConfiguration
    ?? d.AmazonopensearchserviceDestinationDescription?.ProcessingConfiguration
    ?? d.ElasticsearchDestinationDescription?.ProcessingConfiguration
    ?? d.SplunkDestinationDescription?.ProcessingConfiguration
    ?? d.HttpEndpointDestinationDescription?.ProcessingConfiguration;
  if (!cfg) return undefined;
  return {
    enabled: Boolean(cfg.Enabled),
    processors: (cfg.Processors ?? []).map((p) => ({
      type: p.Type ?? 'Unknown',
      detail: p.Parameters?.find((x) => x.ParameterName === 'LambdaArn' || x.ParameterName === 'MetadataExtractionQuery')?.ParameterValue,
    })),
  };
}

function describeDestination(d: DestinationDescription): DeliveryDestination {
  const id = d.DestinationId ?? '';
  const s3 = d.ExtendedS3DestinationDescription ?? d.S3DestinationDescription;
  if (s3) {
    const bucket = (s3.BucketARN ?? '').replace(/^arn:aws:s3:::/, '');
    return {
      id,
      kind: 'S3',
      target: `s3://${bucket}/${s3.Prefix ?? ''}`,
      buffering: s3.BufferingHints ? `${s3.BufferingHints.SizeInMBs ?? 5} MiB or ${s3.BufferingHints.IntervalInSeconds ?? 300} s` : undefined,
      compression: s3.CompressionFormat,
      dynamicPartitioning: Boolean(d.ExtendedS3DestinationDescription?.DynamicPartitioningConfiguration?.Enabled),
    };
  }
  if (d.RedshiftDestinationDescription) return { id, kind: 'Redshift', target: d.RedshiftDestinationDescription.ClusterJDBCURL ?? '' };
  if (d.AmazonopensearchserviceDestinationDescription) {
    const o = d.AmazonopensearchserviceDestinationDescription;
    return { id, kind: 'OpenSearch', target: `${o.DomainARN ?? o.ClusterEndpoint ?? ''} / ${o.IndexName ?? ''}` };
  }
  if (d.ElasticsearchDestinationDescription) return { id, kind: 'Elasticsearch', target: d.ElasticsearchDestinationDescription.IndexName ?? '' };
  if (d.SplunkDestinationDescription) return { id, kind: 'Splunk', target: d.SplunkDestinationDescription.HECEndpoint ?? '' };
  if (d.HttpEndpointDestinationDescription) {
    const h = d.HttpEndpointDestinationDescription.EndpointConfiguration;
    return { id, kind: 'HTTP endpoint', target: h?.Name ?? h?.Url ?? '' };
  }
  if (d.SnowflakeDestinationDescription) return { id, kind: 'Snowflake', target: `${d.SnowflakeDestinationDescription.Database ?? ''}.${d.SnowflakeDestinationDescription.Table ?? ''}` };
  if (d.IcebergDestinationDescription) return { id, kind: 'Iceberg', target: d.IcebergDestinationDescription.CatalogConfiguration?.CatalogARN ?? '' };
  return { id, kind: 'Other', target: '' };
}
