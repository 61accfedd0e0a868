/** ListShards, every page: the one shard pager of the tree, the reader, the producer and the inspector. */
import { KinesisClient, ListShardsCommand, Shard } from '@aws-sdk/client-kinesis';

export interface ListShardsOptions {
  abortSignal?: AbortSignal;
  /** Called before each ListShards call (the reader counts them). */
  onCall?: () => void;
}

export async function listAllShards(client: KinesisClient, streamName: string, opts: ListShardsOptions = {}): Promise<Shard[]> {
  const out: Shard[] = [];
  let token: string | undefined;
  do {
    opts.onCall?.();
    const res = await client.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }), { abortSignal: opts.abortSignal });
    out.push(...(res.Shards ?? []));
    token = res.NextToken;
  } while (token);
  return out;
}
