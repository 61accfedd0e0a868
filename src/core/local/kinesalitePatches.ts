/**
 * A fix for kinesalite 3.3.3: GetShardIterator with AT_TIMESTAMP never answers when no record of
 * the shard arrived at or after the timestamp (it waits for a first match that never comes), so
 * "read from a time" on a quiet shard hung for ever. Real Kinesis then returns an iterator that
 * yields the records arriving later. This wraps the action to do that: the iterator starts right
 * after the shard's last record older than the timestamp (from the start of an empty shard), so a
 * record put while the shard is being scanned is not skipped, as it was with LATEST.
 *
 * Self-contained (it is also sent as source text to the persistent endpoint's child process) and
 * applied before kinesalite's index loads its actions.
 */
export function patchKinesalite(req: NodeRequire): void {
  const path = req.resolve('kinesalite/actions/getShardIterator');
  const original = req(path);
  if (original.__kinesisDevtoolsPatched) return;
  const db = req(req.resolve('kinesalite/db'));
  const patched = function getShardIterator(store: any, data: any, cb: (err: unknown, res?: unknown) => void) {
    if (data.ShardIteratorType !== 'AT_TIMESTAMP' || data.Timestamp == null || data.Timestamp * 1000 > Date.now()) {
      return original(store, data, cb);
    }
    let shardIx: number;
    let streamDb: any;
    try {
      shardIx = db.resolveShardId(data.ShardId).shardIx;
      streamDb = store.getStreamDb(data.StreamName);
    } catch {
      return original(store, data, cb);
    }
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    const rs = streamDb.createReadStream({ gt: db.shardIxToHex(shardIx), lt: db.shardIxToHex(shardIx + 1) });
    // The last record older than the timestamp: reading continues right after it.
    let lastBefore: string | undefined;
    rs.on('data', (item: any) => {
      if (item.value.ApproximateArrivalTimestamp >= data.Timestamp) {
        settle(() => original(store, data, cb));
        rs.destroy();
      } else lastBefore = String(item.key).split('/')[1];
    });
    rs.on('error', (e: unknown) => settle(() => cb(e)));
    // After the last record older than the timestamp (not LATEST as of now: a record put while
    // the shard was being scanned would be skipped), or from the start of an empty shard.
    rs.on('end', () =>
      settle(() =>
        original(
          store,
          lastBefore
            ? { ...data, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: lastBefore, Timestamp: undefined }
            : { ...data, ShardIteratorType: 'TRIM_HORIZON', Timestamp: undefined },
          cb,
        ),
      ),
    );
  };
  (patched as any).__kinesisDevtoolsPatched = true;
  req.cache[path]!.exports = patched;
}

/**
 * kinesalite throws from its request's 'error' listener, so a client that goes away in the middle
 * of sending a body ends the whole process (the extension host, or `npm run local`). This replaces
 * that listener, after kinesalite has added it, with one that ignores the error: there is no one
 * left to answer. Self-contained, like patchKinesalite, for the child process too.
 */
export function quietAbortedRequests(server: import('node:events').EventEmitter): void {
  server.on('request', (req: import('node:events').EventEmitter) => {
    req.removeAllListeners('error');
    req.on('error', () => undefined);
  });
}
