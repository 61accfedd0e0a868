/**
 * Producing into a Firehose delivery stream (Direct PUT) instead of a data stream: PutRecordBatch
 * within Firehose's limits (500 records, 4 MiB per call, 1,000 KiB per record before base64), its
 * answers turned into the shape the producer engine reads from PutRecords (a failed entry has an
 * ErrorCode, such as ServiceUnavailableException, classified by aws/retry like any other;
 * `FailedPutCount` says how many), so that retries of the failed entries, back-off, progress and
 * the undelivered list work the same. No vscode here.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { formatBytes, ProduceRecord } from './records';
import { FIREHOSE_MAX_RECORD_BYTES } from './limits';

/** What the totals call the one "shard" a delivery stream has. */
export const DELIVERY_STREAM_SHARD = 'delivery stream';

/** The first problem with a record for a delivery stream, or undefined (the partition key is not sent). */
export function deliveryRecordProblem(r: ProduceRecord): string | undefined {
  const where = r.origin ? `${r.origin}: ` : '';
  if (r.data.byteLength > FIREHOSE_MAX_RECORD_BYTES) {
    return `${where}the record is ${formatBytes(r.data.byteLength)}; Firehose takes at most 1,000 KiB (${FIREHOSE_MAX_RECORD_BYTES} bytes) per record.`;
  }
  return undefined;
}

/** One PutRecordBatch call, its answer per record in the engine's terms. */
export async function putRecordBatch(
  client: FirehoseClient,
  deliveryStreamName: string,
  records: readonly ProduceRecord[],
): Promise<{ ShardId?: string; SequenceNumber?: string; ErrorCode?: string; ErrorMessage?: string }[]> {
  const out = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: records.map((r) => ({ Data: r.data })) }));
  return (out.RequestResponses ?? []).map((r) => (r.ErrorCode ? { ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage } : { ShardId: DELIVERY_STREAM_SHARD, SequenceNumber: r.RecordId ?? '' }));
}
