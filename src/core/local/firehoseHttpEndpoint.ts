/**
 * Delivery to an HTTP endpoint destination, following AWS's "HTTP endpoint delivery request and
 * response specifications": a POST of `{requestId, timestamp, records: [{data: base64}]}` with
 * `X-Amz-Firehose-Protocol-Version: 1.0`, `X-Amz-Firehose-Request-Id` (the same on every attempt of
 * one request), `X-Amz-Firehose-Source-Arn`, `X-Amz-Firehose-Access-Key` when configured,
 * `X-Amz-Firehose-Common-Attributes` when configured, `Content-Encoding: gzip` when configured.
 * Only a 200 whose JSON body carries the same `requestId` is a success; a 413 is final; anything
 * else (another status, a wrong or missing requestId, a refused connection, no answer within the
 * timeout) is retried with back-off until the retry duration is spent.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { backoffMs } from '../producer/engine';
import { sleep } from '../kinesis/streamService';
import type { HttpEndpointDestination } from './firehoseValidation';

export interface HttpDeliveryOptions {
  sourceArn: string;
  /** Per request; Firehose gives an endpoint 3 minutes. */
  timeoutMs?: number;
  /** First back-off step (grows to 30 s). */
  backoffBaseMs?: number;
  /** One attempt only (the endpoint is stopping): what fails goes to the S3 backup. */
  once?: boolean;
  signal?: AbortSignal;
}

export type HttpDeliveryResult =
  | { ok: true; attempts: number; requestId: string }
  | { ok: false; attempts: number; requestId: string; errorCode: string; errorMessage: string };

const MAX_RESPONSE_BYTES = 64 * 1024;

/** One POST; resolves with what the endpoint answered (never rejects). */
function post(url: URL, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<{ status?: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ error: e.message, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (e) => resolve({ error: e.message, body: '' }));
    req.end(body);
  });
}

/** Whether an answer is the success the contract defines, and if not, why. */
export function judgeResponse(status: number | undefined, body: string, requestId: string): { ok: true } | { ok: false; permanent: boolean; errorCode: string; errorMessage: string } {
  if (status === 200) {
    let parsed: { requestId?: unknown } | undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (parsed?.requestId === requestId) return { ok: true };
    return {
      ok: false,
      permanent: false,
      errorCode: 'HttpEndpoint.InvalidResponseFromDestination',
      errorMessage: `The endpoint answered 200 but ${parsed ? `with requestId ${JSON.stringify(parsed.requestId ?? null)} instead of ${requestId}` : 'with a body that is not JSON'}: a success must echo the request's requestId.`,
    };
  }
  const snippet = body.slice(0, 300);
  return {
    ok: false,
    permanent: status === 413,
    errorCode: 'HttpEndpoint.DestinationException',
    errorMessage: `The following response was received from the endpoint destination. ${status}: ${snippet}`,
  };
}

/** Delivers records to the endpoint in one request (retried as the contract says). */
export async function deliverToHttpEndpoint(cfg: HttpEndpointDestination, records: readonly Buffer[], opts: HttpDeliveryOptions): Promise<HttpDeliveryResult> {
  const requestId = randomUUID();
  const timestamp = Date.now();
  const json = Buffer.from(JSON.stringify({ requestId, timestamp, records: records.map((r) => ({ data: r.toString('base64') })) }));
  const body = cfg.ContentEncoding === 'GZIP' ? gzipSync(json) : json;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Amz-Firehose-Protocol-Version': '1.0',
    'X-Amz-Firehose-Request-Id': requestId,
    'X-Amz-Firehose-Source-Arn': opts.sourceArn,
    'User-Agent': 'Amazon Kinesis Data Firehose Agent/1.0 (kinesis-devtools local emulator)',
  };
  if (cfg.ContentEncoding === 'GZIP') headers['Content-Encoding'] = 'gzip';
  if (cfg.AccessKey) headers['X-Amz-Firehose-Access-Key'] = cfg.AccessKey;
  if (cfg.CommonAttributes.length) {
    headers['X-Amz-Firehose-Common-Attributes'] = JSON.stringify({ commonAttributes: Object.fromEntries(cfg.CommonAttributes.map((a) => [a.AttributeName, a.AttributeValue])) });
  }
  const url = new URL(cfg.Url);
  const deadline = Date.now() + cfg.RetryDurationInSeconds * 1000;
  let attempts = 0;
  for (;;) {
    attempts++;
    const r = await post(url, body, headers, opts.timeoutMs ?? 180_000);
    const verdict = r.error
      ? { ok: false as const, permanent: false, errorCode: 'HttpEndpoint.RequestFailed', errorMessage: `The request to ${url.origin} failed: ${r.error}.` }
      : judgeResponse(r.status, r.body, requestId);
    if (verdict.ok) return { ok: true, attempts, requestId };
    const wait = backoffMs(attempts, opts.backoffBaseMs ?? 1000, 30_000);
    if (verdict.permanent || opts.once || opts.signal?.aborted || Date.now() + wait > deadline) {
      return { ok: false, attempts, requestId, errorCode: verdict.errorCode, errorMessage: verdict.errorMessage };
    }
    try {
      await sleep(wait, opts.signal);
    } catch {
      return { ok: false, attempts, requestId, errorCode: verdict.errorCode, errorMessage: `${verdict.errorMessage} (stopped retrying: the endpoint is stopping)` };
    }
  }
}
