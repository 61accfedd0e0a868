/**
 * Patches to kinesalite 3.3.3, applied before its index loads its actions. Self-contained (it is
 * also sent as source text to the persistent endpoint's child process).
 *
 * Speed: kinesalite turns every record's sequence number to and from its parts with bignumber.js
 * (db.parseSequence for each record GetRecords reads, db.stringifySequence for each record put),
 * which was over half of its CPU when serving GetRecords. The actions reach these functions through
 * the db module object, so they are replaced there by BigInt equivalents with the same answers:
 * the fast path takes only the inputs kinesalite makes (a decimal string; parts that make a
 * lowercase hex string) and hands anything else, and any throw, to the original, so that odd input
 * gets the original's answer or error. The originals stay on db.__kinesisDevtoolsOriginal, for the
 * test that runs both side by side.
 *
 * A fix: GetShardIterator with AT_TIMESTAMP never answers when no record of
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
  const db = req(req.resolve('kinesalite/db'));
  if (!db.__kinesisDevtoolsOriginal) {
    const orig = {
      parseSequence: db.parseSequence as (seq: unknown) => any,
      stringifySequence: db.stringifySequence as (obj: any) => string,
      incrementSequence: db.incrementSequence as (seqObj: any, seqTime?: number) => string,
    };
    const shardIxToHex = db.shardIxToHex as (shardIx: number) => string;
    const pow2 = (n: number) => BigInt(1) << BigInt(n);
    const POW_2_124 = pow2(124);
    const POW_2_129 = pow2(129); // kinesalite's 2^125 * 16
    const POW_2_185 = pow2(185);
    const POW_2_185_NEXT = pow2(185) + pow2(184); // 2^185 * 1.5
    const DECIMAL = /^\d+$/;
    const HEX = /^[0-9a-f]+$/;
    const fast = <A extends unknown[], R>(fn: (...a: A) => R | undefined, slow: (...a: A) => R) =>
      function (...a: A): R {
        let r: R | undefined;
        try {
          r = fn(...a);
        } catch {
          r = undefined;
        }
        return r === undefined ? slow(...a) : r;
      };
    // The parts of a sequence number, as kinesalite's parseSequence reads them from its hex digits.
    const parseSequence = fast((seq: unknown) => {
      if (typeof seq !== 'string' || !DECIMAL.test(seq)) return undefined;
      let n = BigInt(seq);
      if (n < POW_2_124) n += POW_2_124;
      const hex = n.toString(16);
      const version = n < POW_2_129 ? 0 : n > POW_2_185 && n < POW_2_185_NEXT ? parseInt(hex.slice(hex.length - 1), 16) : null;
      if (version === 2) {
        const seqIxHex = hex.slice(11, 27);
        let shardIxHex = hex.slice(38, 46);
        if (parseInt(seqIxHex[0], 16) > 7) return undefined; // the original throws
        if (parseInt(shardIxHex[0], 16) > 7) shardIxHex = '-' + shardIxHex;
        const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
        if (shardCreateSecs >= 16025175000) return undefined;
        return {
          shardCreateTime: shardCreateSecs * 1000,
          seqIx: BigInt('0x' + seqIxHex).toString(),
          byte1: hex.slice(27, 29),
          seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
          shardIx: parseInt(shardIxHex, 16),
          version,
        };
      } else if (version === 1) {
        return {
          shardCreateTime: parseInt(hex.slice(1, 10), 16) * 1000,
          byte1: hex.slice(11, 13),
          seqTime: parseInt(hex.slice(13, 22), 16) * 1000,
          seqRand: hex.slice(22, 36),
          seqIx: parseInt(hex.slice(36, 38), 16),
          shardIx: parseInt(hex.slice(38, 46), 16),
          version,
        };
      } else if (version === 0) {
        const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
        if (shardCreateSecs >= 16025175000) return undefined;
        return {
          shardCreateTime: shardCreateSecs * 1000,
          byte1: hex.slice(10, 12),
          seqRand: hex.slice(12, 28),
          shardIx: parseInt(hex.slice(28, 32), 16),
          version,
        };
      }
      return undefined; // the original throws 'Unknown version'
    }, orig.parseSequence);
    const pad9 = (ms: number) => ('00000000' + Math.floor(ms / 1000).toString(16)).slice(-9);
    // The hex digits kinesalite's stringifySequence makes, read as one number.
    const stringifySequence = fast((obj: any) => {
      let hex: string;
      if (obj.version == null || obj.version == 2) {
        const seqIx = obj.seqIx || 0;
        const safe = typeof seqIx === 'number' ? Number.isSafeInteger(seqIx) && seqIx >= 0 : typeof seqIx === 'string' && DECIMAL.test(seqIx);
        if (!safe) return undefined;
        hex = [
          '2',
          pad9(obj.shardCreateTime),
          (obj.shardIx || 0).toString(16).slice(-1),
          ('0000000000000000' + BigInt(seqIx).toString(16)).slice(-16),
          obj.byte1 || '00',
          pad9(obj.seqTime || obj.shardCreateTime),
          shardIxToHex(obj.shardIx),
          '2',
        ].join('');
      } else if (obj.version == 1) {
        hex = [
          '2',
          pad9(obj.shardCreateTime),
          (obj.shardIx || 0).toString(16).slice(-1),
          obj.byte1 || '00',
          pad9(obj.seqTime || obj.shardCreateTime),
          obj.seqRand || '00000000000000',
          ('0' + (obj.seqIx || 0).toString(16)).slice(-2),
          shardIxToHex(obj.shardIx),
          '1',
        ].join('');
      } else if (obj.version === 0) {
        hex = ['1', pad9(obj.shardCreateTime), obj.byte1 || '00', obj.seqRand || '0000000000000000', shardIxToHex(obj.shardIx).slice(-4)].join('');
      } else return undefined;
      return typeof hex === 'string' && HEX.test(hex) ? BigInt('0x' + hex).toString() : undefined;
    }, orig.stringifySequence);
    const incrementSequence = function (seqObj: any, seqTime?: number): string {
      if (typeof seqObj == 'string') seqObj = parseSequence(seqObj);
      return stringifySequence({
        shardCreateTime: seqObj.shardCreateTime,
        seqIx: seqObj.seqIx,
        seqTime: seqTime || seqObj.seqTime + 1000,
        shardIx: seqObj.shardIx,
      });
    };
    db.parseSequence = parseSequence;
    db.stringifySequence = stringifySequence;
    db.incrementSequence = incrementSequence;
    db.__kinesisDevtoolsOriginal = orig;
  }
  const path = req.resolve('kinesalite/actions/getShardIterator');
  const original = req(path);
  if (original.__kinesisDevtoolsPatched) return;
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
