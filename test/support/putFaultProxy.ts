/**
 * A fault-injecting HTTP proxy in front of a real Kinesis endpoint (kinesalite), for tests of the
 * producer's retries. This is the one sanctioned mock: no real endpoint throttles on demand.
 *
 * For PutRecords calls it
 * - throttles a share of whole calls: answers 400 ProvisionedThroughputExceededException without
 *   forwarding anything;
 * - fails a share of the entries of the other calls: those entries are removed from the request
 *   before it is forwarded (so they are really not stored), and the reply is merged back in the
 *   original order with ErrorCode ProvisionedThroughputExceededException for them and the right
 *   FailedRecordCount: a real partial failure.
 * Every other call is forwarded untouched.
 */
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutFaultOptions {
  /** Share (0..1) of PutRecords calls answered with a whole-call throttle. */
  throttleCalls?: number;
  /** Share (0..1) of entries failed in each forwarded PutRecords call. */
  failEntries?: number;
  /** A deterministic random source (default Math.random). */
  random?: () => number;
}

export interface PutFaultStats {
  putCalls: number;
  callsThrottled: number;
  entriesSeen: number;
  entriesFailed: number;
  entriesForwarded: number;
}

export interface PutFaultProxy {
  endpoint: string;
  stats: PutFaultStats;
  /** Change the fault rates while running. */
  options: PutFaultOptions;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    const r = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

function reply(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string | string[] | undefined> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const h: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
  h['content-length'] = String(buf.length);
  if (!h['content-type']) h['content-type'] = 'application/x-amz-json-1.1';
  res.writeHead(status, h);
  res.end(buf);
}

export async function startPutFaultProxy(upstreamEndpoint: string, options: PutFaultOptions = {}): Promise<PutFaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const stats: PutFaultStats = { putCalls: 0, callsThrottled: 0, entriesSeen: 0, entriesFailed: 0, entriesForwarded: 0 };
  const opts: PutFaultOptions = { ...options };
  const rnd = () => (opts.random ?? Math.random)();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!target.endsWith('.PutRecords')) {
      const up = await forward(upstream, req, body);
      return reply(res, up.status, up.body, up.headers);
    }
    stats.putCalls++;
    const input = JSON.parse(body.toString('utf8')) as { Records: unknown[]; [k: string]: unknown };
    stats.entriesSeen += input.Records.length;
    if (rnd() < (opts.throttleCalls ?? 0)) {
      stats.callsThrottled++;
      return reply(res, 400, JSON.stringify({ __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for stream (injected by the test proxy).' }));
    }
    const failed = input.Records.map(() => rnd() < (opts.failEntries ?? 0));
    const kept = input.Records.filter((_, i) => !failed[i]);
    stats.entriesFailed += input.Records.length - kept.length;
    stats.entriesForwarded += kept.length;
    let upstreamResults: { ErrorCode?: string }[] = [];
    let upstreamFailed = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    if (kept.length) {
      const up = await forward(upstream, req, Buffer.from(JSON.stringify({ ...input, Records: kept })));
      if (up.status !== 200) return reply(res, up.status, up.body, up.headers);
      const out = JSON.parse(up.body.toString('utf8')) as { Records: { ErrorCode?: string }[]; FailedRecordCount?: number; EncryptionType?: string };
      upstreamResults = out.Records;
      upstreamFailed = out.FailedRecordCount ?? 0;
      headers = up.headers;
    }
    let k = 0;
    const merged = input.Records.map((_, i) =>
      failed[i]
        ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected by the test proxy).' }
        : upstreamResults[k++],
    );
    const failedCount = failed.filter(Boolean).length + upstreamFailed;
    return reply(res, 200, JSON.stringify({ FailedRecordCount: failedCount, Records: merged }), headers);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) reply(res, 500, JSON.stringify({ __type: 'InternalFailure', message: String(e) }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    options: opts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
