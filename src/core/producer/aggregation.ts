/**
 * KPL aggregation for the producer (opt-in): many small user records packed into one Kinesis
 * record in the KPL aggregated format (magic F3 89 9A C2, a protobuf AggregatedRecord, the MD5 of
 * the protobuf), as the Kinesis Producer Library writes them. KCL consumers, Lambda with
 * deaggregation, and our inspector (decoding "KPL aggregate") read the user records back.
 *
 * User records are grouped by the shard their partition key (or explicit hash key) maps to, so
 * each user record still lands in the shard its key belongs to: each aggregate carries the
 * shard's starting hash key as its explicit hash key. The protobuf model is the one the npm
 * `aws-kinesis-agg` library ships. No vscode here.
 */
import { createHash } from 'node:crypto';
import { KPL_MAGIC } from '../records/kpl';
import { ProduceRecord } from './records';

/** KPL's default AggregationMaxSize. */
export const DEFAULT_AGGREGATE_BYTES = 51_200;

export interface ShardRange {
  shardId: string;
  start: bigint;
  end: bigint;
  startingHashKey: string;
  /** A closed shard takes no writes; the map keeps it to check where an aggregate landed. */
  closed?: boolean;
}

interface ProtoType {
  encode(msg: unknown): { finish(): Uint8Array };
}
let model: ProtoType | undefined;
function aggregatedRecordModel(): ProtoType {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  model ??= (require('aws-kinesis-agg/lib/common') as { AggregatedRecord: ProtoType }).AggregatedRecord;
  return model;
}

/** The 128-bit hash key of a partition key: MD5, big-endian, as Kinesis computes it. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
}

/** Encodes user records as one KPL aggregated record. */
export function encodeAggregate(users: ProduceRecord[]): Uint8Array {
  const keys = new Map<string, number>();
  const ehks = new Map<string, number>();
  const records = users.map((u) => {
    let pki = keys.get(u.partitionKey);
    if (pki === undefined) keys.set(u.partitionKey, (pki = keys.size));
    const r: { partition_key_index: number; explicit_hash_key_index?: number; data: Uint8Array } = { partition_key_index: pki, data: u.data };
    if (u.explicitHashKey) {
      let e = ehks.get(u.explicitHashKey);
      if (e === undefined) ehks.set(u.explicitHashKey, (e = ehks.size));
      r.explicit_hash_key_index = e;
    }
    return r;
  });
  const body = aggregatedRecordModel()
    .encode({ partition_key_table: [...keys.keys()], explicit_hash_key_table: [...ehks.keys()], records })
    .finish();
  const md5 = createHash('md5').update(body).digest();
  const out = new Uint8Array(KPL_MAGIC.length + body.length + md5.length);
  out.set(KPL_MAGIC, 0);
  out.set(body, KPL_MAGIC.length);
  out.set(md5, KPL_MAGIC.length + body.length);
  return out;
}

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

interface Bin {
  shard: ShardRange;
  users: ProduceRecord[];
  keys: Set<string>;
  bytes: number;
  since: number;
}

/** What the aggregator hands back: an aggregate for one shard, or a record to send as it is. */
export interface Flushed {
  users: ProduceRecord[];
  /** The record to put. */
  record: ProduceRecord;
  shardId?: string;
}

/** Collects user records into one bin per shard and flushes bins when full or old. */
export class Aggregator {
  private readonly shards: ShardRange[];
  private readonly bins = new Map<string, Bin>();

  constructor(shards: ShardRange[], private readonly maxBytes = DEFAULT_AGGREGATE_BYTES) {
    this.shards = [...shards].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    if (!this.shards.length) throw new Error('the stream has no open shards');
  }

  get pendingBins(): number {
    return this.bins.size;
  }

  shardFor(rec: ProduceRecord): ShardRange {
    const h = rec.explicitHashKey ? BigInt(rec.explicitHashKey.trim()) : hashKeyOf(rec.partitionKey);
    let lo = 0;
    let hi = this.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.shards[mid].start <= h) lo = mid;
      else hi = mid - 1;
    }
    return this.shards[lo];
  }

  /** Adds a user record; returns what must be sent now (a full bin, or the record itself when too big to pack). */
  add(rec: ProduceRecord, now: number): Flushed[] {
    const shard = this.shardFor(rec);
    const keyCost = Buffer.byteLength(rec.partitionKey, 'utf8') + 4;
    const cost = rec.data.byteLength + varintSize(rec.data.byteLength) + 12 + (rec.explicitHashKey ? 45 : 0);
    const out: Flushed[] = [];
    // 4 bytes of magic, 16 of checksum, and the aggregate's own partition key.
    if (cost + keyCost + 20 + 256 > this.maxBytes) {
      out.push({ users: [rec], record: rec, shardId: shard.shardId });
      return out;
    }
    let bin = this.bins.get(shard.shardId);
    const extra = cost + (bin?.keys.has(rec.partitionKey) ? 0 : keyCost);
    if (bin && bin.bytes + extra > this.maxBytes) {
      out.push(this.flushBin(bin));
      bin = undefined;
    }
    if (!bin) {
      bin = { shard, users: [], keys: new Set(), bytes: 20 + 256, since: now };
      this.bins.set(shard.shardId, bin);
    }
    bin.users.push(rec);
    bin.bytes += cost + (bin.keys.has(rec.partitionKey) ? 0 : keyCost);
    bin.keys.add(rec.partitionKey);
    return out;
  }

  /** Flushes bins older than `lingerMs` (all of them with `force`); returns them and when the next is due. */
  flushDue(now: number, lingerMs: number, force: boolean): { flushed: Flushed[]; nextDue?: number } {
    const flushed: Flushed[] = [];
    let nextDue: number | undefined;
    for (const bin of [...this.bins.values()]) {
      if (force || now - bin.since >= lingerMs) flushed.push(this.flushBin(bin));
      else nextDue = Math.min(nextDue ?? Infinity, bin.since + lingerMs);
    }
    return { flushed, nextDue };
  }

  private flushBin(bin: Bin): Flushed {
    this.bins.delete(bin.shard.shardId);
    if (bin.users.length === 1) return { users: bin.users, record: bin.users[0], shardId: bin.shard.shardId };
    return {
      users: bin.users,
      record: { data: encodeAggregate(bin.users), partitionKey: bin.users[0].partitionKey, explicitHashKey: bin.shard.startingHashKey, origin: bin.users[0].origin },
      shardId: bin.shard.shardId,
    };
  }
}
