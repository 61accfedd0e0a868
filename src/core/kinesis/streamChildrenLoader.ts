/** The explorer's loaders for what is under a data stream: its shards (ordered) and its enhanced fan-out consumers. */
import { ConsumerInfo, ShardInfo, sortShards } from './model';
import type { StreamService } from './streamService';

export async function loadShards(svc: StreamService, streamName: string): Promise<ShardInfo[]> {
  return sortShards(await svc.listShards(streamName));
}

export async function loadConsumers(svc: StreamService, streamName: string): Promise<ConsumerInfo[]> {
  const arn = (await svc.describe(streamName)).arn;
  return arn ? svc.listConsumers(arn) : [];
}
