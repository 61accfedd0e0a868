/**
 * A small HTTP proxy in front of a real endpoint (kinesalite) that injects the faults Kinesis
 * produces and emulators never do: throttling and expired iterators. Every other request and
 * response passes through untouched. This is the only mock in the reader tests: kinesalite does
 * not throttle reads and its iterators do not expire within a test's time.
 */
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'ProvisionedThroughputExceededException' | 'ExpiredIteratorException' | 'LimitExceededException';

export interface FaultRule {
  /** The Kinesis operation, e.g. 'GetRecords'. */
  operation: string;
  /** Which call of that operation (1-based count across the proxy's life) gets the fault. */
  when: (callNumber: number) => boolean;
  fault: FaultKind;
}

/**
 * Kinesis's per-shard read limits, enforced like the service does: more than `callsPerSecond`
 * GetRecords on a shard within a second, or a call before the bytes of the previous ones are "paid"
 * at `bytesPerSecond`, is answered 400 ProvisionedThroughputExceededException. The proxy learns which
 * shard an iterator belongs to from GetShardIterator requests and GetRecords' NextShardIterator.
 */
export interface ReadLimits {
  callsPerSecond: number;
  bytesPerSecond: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Faults answered so far, by kind. */
  injected: Record<string, number>;
  /** Calls seen so far, by operation. */
  calls: Record<string, number>;
  rules: FaultRule[];
  /** With read limits: when (epoch ms) the bytes read so far are paid on every shard, so that any shard may be read again. */
  readsPaidAt(): number;
  close(): Promise<void>;
}

const MESSAGES: Record<FaultKind, string> = {
  ProvisionedThroughputExceededException: 'Rate exceeded for shard in stream under account 000000000000.',
  ExpiredIteratorException: 'Iterator expired. The iterator was created at time ... while right now it is ... which is further in the future than the tolerated delay of 300000 milliseconds.',
  LimitExceededException: 'Rate exceeded for stream under account 000000000000.',
};

export async function startFaultProxy(target: string, rules: FaultRule[] = [], limits?: ReadLimits): Promise<FaultProxy> {
  const t = new URL(target);
  const shardOfIterator = new Map<string, string>();
  const shardState = new Map<string, { calls: number[]; blockedUntil: number }>();
  const iteratorIn = (body: Buffer): string | undefined => {
    try {
      return (JSON.parse(body.toString()) as { ShardIterator?: string }).ShardIterator;
    } catch {
      return undefined;
    }
  };
  const overLimit = (shard: string | undefined): boolean => {
    if (!limits || !shard) return false;
    const st = shardState.get(shard) ?? { calls: [], blockedUntil: 0 };
    shardState.set(shard, st);
    const now = Date.now();
    st.calls = st.calls.filter((c) => c > now - 1000);
    if (st.calls.length >= limits.callsPerSecond || now < st.blockedUntil) return true;
    st.calls.push(now);
    return false;
  };
  /** Charges a GetRecords response to its shard, from the time the call was made, as Kinesis does. */
  const account = (shard: string | undefined, body: Buffer, calledAt: number) => {
    if (!limits || !shard) return;
    let bytes = 0;
    try {
      const out = JSON.parse(body.toString()) as { NextShardIterator?: string; Records?: { Data: string; PartitionKey: string }[] };
      if (out.NextShardIterator) shardOfIterator.set(out.NextShardIterator, shard);
      for (const r of out.Records ?? []) bytes += Math.floor((r.Data.length * 3) / 4) + r.PartitionKey.length;
    } catch {
      return;
    }
    const st = shardState.get(shard)!;
    st.blockedUntil = Math.max(st.blockedUntil, calledAt) + (bytes / limits.bytesPerSecond) * 1000;
  };
  const injected: Record<string, number> = {};
  const calls: Record<string, number> = {};
  const state = { rules };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const n = (calls[op] = (calls[op] ?? 0) + 1);
      let rule = state.rules.find((r) => r.operation === op && r.when(n));
      const calledAt = Date.now();
      let shard: string | undefined;
      if (limits && op === 'GetShardIterator') shard = (JSON.parse(body.toString()) as { ShardId: string }).ShardId;
      if (limits && op === 'GetRecords') {
        const it = iteratorIn(body);
        shard = it ? shardOfIterator.get(it) : undefined;
        if (!rule && overLimit(shard)) rule = { operation: op, when: () => true, fault: 'ProvisionedThroughputExceededException' };
      }
      if (rule) {
        injected[rule.fault] = (injected[rule.fault] ?? 0) + 1;
        const payload = JSON.stringify({ __type: rule.fault, message: MESSAGES[rule.fault] });
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(payload), 'x-amzn-RequestId': `fault-${n}` });
        res.end(payload);
        return;
      }
      const up = request(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } },
        (upRes) => {
          if (!limits || (op !== 'GetRecords' && op !== 'GetShardIterator')) {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', () => {
            const out = Buffer.concat(parts);
            if (op === 'GetShardIterator' && shard) {
              const it = iteratorIn(out);
              if (it) shardOfIterator.set(it, shard);
            } else account(shard, out, calledAt);
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(out);
          });
        },
      );
      up.on('error', () => {
        res.destroy();
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    calls,
    get rules() {
      return state.rules;
    },
    readsPaidAt: () => Math.max(0, ...[...shardState.values()].map((st) => st.blockedUntil)),
    set rules(r: FaultRule[]) {
      state.rules = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
