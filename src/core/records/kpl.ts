/**
 * KPL aggregated records (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md):
 * magic F3 89 9A C2, a protobuf AggregatedRecord, then the MD5 of the protobuf bytes.
 * The protobuf model comes from the npm `aws-kinesis-agg` library; the checksum is verified here.
 */
import { createHash } from 'node:crypto';

export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);

export interface KplUserRecord {
  subSequenceNumber: number;
  partitionKey: string;
  explicitHashKey?: string;
  data: Uint8Array;
}

interface AggregatedRecordMessage {
  partition_key_table: string[];
  explicit_hash_key_table: string[];
  records: { partition_key_index: number | { toNumber(): number }; explicit_hash_key_index?: number | { toNumber(): number } | null; data: Uint8Array }[];
}

interface ProtoType {
  decode(buf: Uint8Array): unknown;
}

let aggregatedRecord: ProtoType | undefined;
function model(): ProtoType {
  // The library's own protobuf model (lib/common.js is part of its published files).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  aggregatedRecord ??= (require('aws-kinesis-agg/lib/common') as { AggregatedRecord: ProtoType }).AggregatedRecord;
  return aggregatedRecord;
}

export function isKplAggregate(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

function toNum(v: number | { toNumber(): number } | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? v : typeof v === 'object' && 'toNumber' in v ? v.toNumber() : Number(v);
}

/** Deaggregates a KPL record into its user records. Throws an Error saying why when it is not valid. */
export function deaggregate(data: Uint8Array): KplUserRecord[] {
  if (!isKplAggregate(data)) throw new Error('not a KPL aggregated record (no F3 89 9A C2 magic number)');
  if (data.length < 4 + 16) throw new Error(`KPL record too short (${data.length} bytes)`);
  const body = data.subarray(4, data.length - 16);
  const checksum = data.subarray(data.length - 16);
  const md5 = createHash('md5').update(body).digest();
  if (!md5.equals(checksum)) throw new Error('KPL record checksum (MD5) does not match its content');
  let msg: AggregatedRecordMessage;
  try {
    const m = model();
    msg = m.decode(body) as AggregatedRecordMessage;
  } catch (e) {
    throw new Error(`KPL protobuf is invalid: ${(e as Error).message}`);
  }
  const pks = msg.partition_key_table ?? [];
  const ehks = msg.explicit_hash_key_table ?? [];
  return (msg.records ?? []).map((r, i) => {
    const pki = toNum(r.partition_key_index) ?? 0;
    // protobufjs puts defaults on the prototype: only an own property means the field was present.
    const ehki = Object.prototype.hasOwnProperty.call(r, 'explicit_hash_key_index') ? toNum(r.explicit_hash_key_index) : undefined;
    if (pki >= pks.length) throw new Error(`KPL user record ${i} points at partition key ${pki} of ${pks.length}`);
    return {
      subSequenceNumber: i,
      partitionKey: pks[pki],
      ...(ehki !== undefined && ehks[ehki] !== undefined ? { explicitHashKey: ehks[ehki] } : {}),
      data: r.data ?? new Uint8Array(0),
    };
  });
}
