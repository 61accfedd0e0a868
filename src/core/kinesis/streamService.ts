import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  RemoveTagsFromStreamCommand,
  Shard,
  SplitShardCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { ConsumerInfo, ShardInfo, StreamPage, StreamSummary } from './model';
import { check, mergeProblem, retentionProblem, shardCountProblem, splitKeyProblem, streamNameProblem, tagProblem } from './validation';
import { UserError } from '../aws/errors';
import { sleep } from '../async';
/** Also here for older callers (the end-to-end tests import it from this module). */
export { sleep } from '../async';
import { listAllShards } from './shards';

export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** Page size for ListStreams: the tree shows this many before "Load more". */
export const STREAM_PAGE_SIZE = 100;

/**
 * The control-plane operations on data streams, over one SDK client.
 * Validates input first so that people see our sentence, not a raw SDK error.
 */
export class StreamService {
  constructor(readonly client: KinesisClient) {}

  /**
   * One page of streams. Real Kinesis pages with NextToken; older endpoints (kinesalite) page
   * with ExclusiveStartStreamName and HasMoreStreams. The cursor hides which.
   */
  async listStreamsPage(cursor?: string, limit = STREAM_PAGE_SIZE, opts: CallOptions = {}): Promise<StreamPage> {
    const input = cursor?.startsWith('token:')
      ? { NextToken: cursor.slice(6), Limit: limit }
      : { ExclusiveStartStreamName: cursor?.startsWith('after:') ? cursor.slice(6) : undefined, Limit: limit };
    const out = await this.client.send(new ListStreamsCommand(input), opts);
    const streams: StreamSummary[] = out.StreamSummaries?.length
      ? out.StreamSummaries.map((s) => ({
          name: s.StreamName!,
          arn: s.StreamARN,
          status: s.StreamStatus,
          mode: s.StreamModeDetails?.StreamMode,
          createdAt: s.StreamCreationTimestamp,
        }))
      : (out.StreamNames ?? []).map((name) => ({ name }));
    let next: string | undefined;
    if (out.NextToken) next = 'token:' + out.NextToken;
    else if (out.HasMoreStreams && streams.length) next = 'after:' + streams[streams.length - 1].name;
    return { streams, next };
  }

  /** Every stream, page after page. */
  async listAllStreams(opts: CallOptions = {}): Promise<StreamSummary[]> {
    const all: StreamSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listStreamsPage(cursor, STREAM_PAGE_SIZE, opts);
      all.push(...page.streams);
      cursor = page.next;
    } while (cursor);
    return all;
  }

  async describe(name: string, opts: CallOptions = {}): Promise<StreamSummary> {
    const out = await this.client.send(new DescribeStreamSummaryCommand({ StreamName: name }), opts);
    const d = out.StreamDescriptionSummary!;
    return {
      name: d.StreamName!,
      arn: d.StreamARN,
      status: d.StreamStatus,
      mode: d.StreamModeDetails?.StreamMode ?? 'PROVISIONED',
      openShardCount: d.OpenShardCount,
      retentionHours: d.RetentionPeriodHours,
      consumerCount: d.ConsumerCount,
      encryption: d.EncryptionType,
      createdAt: d.StreamCreationTimestamp,
    };
  }

  async listShards(name: string, opts: CallOptions = {}): Promise<ShardInfo[]> {
    return (await listAllShards(this.client, name, opts)).map(toShardInfo);
  }


  async listConsumers(streamArn: string, opts: CallOptions = {}): Promise<ConsumerInfo[]> {
    const consumers: ConsumerInfo[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: token }), opts);
      for (const c of out.Consumers ?? []) {
        consumers.push({ name: c.ConsumerName!, arn: c.ConsumerARN!, status: c.ConsumerStatus!, createdAt: c.ConsumerCreationTimestamp });
      }
      token = out.NextToken;
    } while (token);
    return consumers;
  }

  async create(name: string, mode: { onDemand: true } | { shardCount: number }, opts: CallOptions = {}): Promise<void> {
    check(streamNameProblem(name));
    if ('shardCount' in mode) {
      check(shardCountProblem(String(mode.shardCount)));
      await this.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: mode.shardCount }), opts);
    } else {
      await this.client.send(new CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }), opts);
    }
  }

  async delete(name: string, opts: CallOptions = {}): Promise<void> {
    await this.client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }), opts);
  }

  async updateShardCount(name: string, target: number, opts: CallOptions = {}): Promise<void> {
    check(shardCountProblem(String(target)));
    await this.client.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' }), opts);
  }

  async splitShard(name: string, shard: ShardInfo, newStartingHashKey: string, opts: CallOptions = {}): Promise<void> {
    if (shard.closed) throw new UserError(`${shard.shardId} is closed: only open shards can be split.`);
    check(splitKeyProblem(newStartingHashKey, shard));
    await this.client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: shard.shardId, NewStartingHashKey: newStartingHashKey.trim() }), opts);
  }

  async mergeShards(name: string, a: ShardInfo, b: ShardInfo, opts: CallOptions = {}): Promise<void> {
    check(mergeProblem(a, b));
    const [lo, hi] = BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? [a, b] : [b, a];
    await this.client.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: lo.shardId, AdjacentShardToMerge: hi.shardId }), opts);
  }

  async setRetention(name: string, currentHours: number, hours: number, opts: CallOptions = {}): Promise<void> {
    check(retentionProblem(String(hours)));
    if (hours === currentHours) return;
    const cmd = hours > currentHours
      ? new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: hours })
      : new DecreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: hours });
    await this.client.send(cmd as IncreaseStreamRetentionPeriodCommand, opts);
  }

  async listTags(name: string, opts: CallOptions = {}): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let start: string | undefined;
    for (;;) {
      const out = await this.client.send(new ListTagsForStreamCommand({ StreamName: name, ExclusiveStartTagKey: start }), opts);
      for (const t of out.Tags ?? []) tags[t.Key!] = t.Value ?? '';
      if (!out.HasMoreTags || !out.Tags?.length) return tags;
      start = out.Tags[out.Tags.length - 1].Key;
    }
  }

  async addTags(name: string, tags: Record<string, string>, opts: CallOptions = {}): Promise<void> {
    for (const [k, v] of Object.entries(tags)) check(tagProblem(k, v));
    await this.client.send(new AddTagsToStreamCommand({ StreamName: name, Tags: tags }), opts);
  }

  async removeTags(name: string, keys: string[], opts: CallOptions = {}): Promise<void> {
    await this.client.send(new RemoveTagsFromStreamCommand({ StreamName: name, TagKeys: keys }), opts);
  }

  /** Polls until the stream is ACTIVE (after create, split, merge, update) or gone (after delete). */
  async waitFor(name: string, state: 'ACTIVE' | 'DELETED', opts: CallOptions & { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      try {
        const s = await this.describe(name, opts);
        if (state === 'ACTIVE' && s.status === 'ACTIVE') return;
      } catch (e) {
        if ((e as Error).name === 'ResourceNotFoundException' && state === 'DELETED') return;
        if ((e as Error).name !== 'ResourceNotFoundException') throw e;
      }
      if (Date.now() > deadline) throw new UserError(`Stream "${name}" did not become ${state} in time.`, 'Refresh later to see its state.');
      await sleep(opts.intervalMs ?? 250, opts.abortSignal);
    }
  }
}

export function toShardInfo(s: Shard): ShardInfo {
  return {
    shardId: s.ShardId!,
    startingHashKey: s.HashKeyRange!.StartingHashKey!,
    endingHashKey: s.HashKeyRange!.EndingHashKey!,
    startingSequenceNumber: s.SequenceNumberRange!.StartingSequenceNumber!,
    endingSequenceNumber: s.SequenceNumberRange?.EndingSequenceNumber,
    parentShardId: s.ParentShardId,
    adjacentParentShardId: s.AdjacentParentShardId,
    closed: Boolean(s.SequenceNumberRange?.EndingSequenceNumber),
  };
}
