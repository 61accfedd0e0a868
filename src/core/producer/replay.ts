/**
 * Replay: records read from a stream (the selected or filtered ones of the inspector, the tailer's)
 * sent again to another data stream or a delivery stream (Direct PUT), on any connection, through
 * the producer engine: its batching,
 * retries and its report, where every record ends sent, undelivered (savable, re-sendable) or
 * refused with a reason. Nothing is dropped silently.
 *
 * What is sent is each record's raw bytes (a KPL user record's own bytes), not its decoded form.
 * Partition keys are kept (with their explicit hash keys), or the records are re-keyed.
 */
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { rawBytesOf } from '../records/decoders';
import { sourceRecordId as sourceId } from '../records/redecode';
import type { DecodedRecord } from '../records/types';
import { ProduceProgress, ProduceResult, Producer } from './engine';
import { fieldValue, PartitionKeySpec } from './partitionKey';
import { randomPartitionKey, SourceItem } from './records';

/** A data stream, or a Firehose delivery stream (records keep their bytes; Firehose has no partition keys). */
export type ReplayTarget = { client: KinesisClient; streamName: string } | { firehose: FirehoseClient; deliveryStreamName: string };

export interface ReplayOptions {
  target: ReplayTarget;
  /** 'keep' (default): each record's own partition key and explicit hash key. Else a new key per record. */
  partitionKey?: 'keep' | Exclude<PartitionKeySpec, { type: 'template' }>;
  /** Records per second (default: as fast as the target accepts). */
  rate?: number;
  /** Attempts per record and back-off (default: the producer's). */
  retry?: { maxAttempts?: number; backoffBaseMs?: number; backoffMaxMs?: number };
  /** Keep the order of records per partition key (as they were read). */
  ordered?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ProduceProgress) => void;
}

/** The records as producer input, each stream record once, re-keyed as asked. */
export function* replaySource(records: Iterable<DecodedRecord>, key: ReplayOptions['partitionKey'] = 'keep'): Generator<SourceItem> {
  const seen = new Set<string>();
  for (const r of records) {
    const id = sourceId(r);
    if (seen.has(id)) continue;
    seen.add(id);
    const origin = `record ${id}`;
    const data = rawBytesOf(r);
    if (key === 'keep' || key === undefined) {
      yield { record: { data, partitionKey: r.partitionKey, ...(r.explicitHashKey ? { explicitHashKey: r.explicitHashKey } : {}), origin } };
      continue;
    }
    let partitionKey: string | undefined;
    if (key.type === 'random') partitionKey = randomPartitionKey();
    else if (key.type === 'fixed') partitionKey = key.value;
    else partitionKey = r.json === undefined ? undefined : fieldValue(r.json, key.field);
    if (partitionKey === undefined || partitionKey === '') {
      yield { problem: { origin, message: `it has no field "${(key as { field: string }).field}" to take its partition key from (decoded as ${r.decodings.join('+')})` } };
      continue;
    }
    yield { record: { data, partitionKey, origin } };
  }
}

/** Sends the records to the target stream and reports what became of each. */
export async function replay(records: Iterable<DecodedRecord>, options: ReplayOptions): Promise<ProduceResult> {
  const list = [...records];
  const t = options.target;
  // The engine calls Kinesis only for data streams (and for aggregation, which replay does not use).
  const producer = new Producer('client' in t ? t.client : (undefined as unknown as KinesisClient), {
    streamName: 'client' in t ? t.streamName : t.deliveryStreamName,
    ...('firehose' in t ? { deliveryStream: t.firehose } : {}),
    rate: options.rate,
    ...options.retry,
    ordered: options.ordered,
    // A record that cannot be sent is reported and the others go on.
    onInvalid: 'skip',
    signal: options.signal,
    onProgress: options.onProgress,
    expectedTotal: new Set(list.map(sourceId)).size,
  });
  return producer.run(replaySource(list, options.partitionKey));
}
