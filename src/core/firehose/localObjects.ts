/**
 * What the tree shows under a delivery stream of the Local connection: its delivered objects and
 * its error objects (newest first, a page at a time) and one object opened, decoded (decompressed,
 * one record a line). It asks the built-in endpoint, in this process or in another one
 * (`npm run local`, the demo), through the emulator's own operations (LOCAL_TARGET_PREFIX): the
 * objects may be in memory there. No vscode here.
 */
import { request } from 'node:http';
import { UserError } from '../aws/errors';
import { LOCAL_TARGET_PREFIX, ListedObject } from '../local/firehoseEmulator';
import type { DecodedObject } from '../local/deliveredObjects';

export interface DeliveredObjectPage {
  objects: ListedObject[];
  /** Pass back as `next` for the following page; absent on the last one. */
  next?: string;
  /** The bucket's folder on disk, when the endpoint has a data folder ("Reveal delivery folder"). */
  folder?: string;
}

const MAX_REPLY_BYTES = 32 * 1024 * 1024;

function call<T>(endpoint: string, op: string, body: object, signal?: AbortSignal): Promise<T> {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:') return Promise.reject(new UserError(`Delivered objects are listed by the built-in endpoint only (http://127.0.0.1:PORT), not ${endpoint}.`));
  const text = JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        signal,
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': LOCAL_TARGET_PREFIX + op, 'Content-Length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REPLY_BYTES) return void req.destroy(new Error('the reply is too large'));
          chunks.push(c);
        });
        res.on('end', () => {
          let reply: { __type?: string; message?: string } & Record<string, unknown>;
          try {
            reply = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(new UserError(`The endpoint at ${endpoint} is not the built-in one: it does not list delivered objects.`, 'Use the built-in endpoint (npm run local, npm run demo, or the Local connection) to see what a delivery stream delivered.'));
          }
          if (res.statusCode === 200) return resolve(reply as T);
          if (reply.__type === 'UnknownOperationException' || /UnknownOperation|not supported/i.test(String(reply.message ?? reply.__type))) {
            return reject(new UserError(`The endpoint at ${endpoint} does not list delivered objects (it is not the built-in one, or an older version of it).`));
          }
          reject(new UserError(String(reply.message ?? `The endpoint answered ${res.statusCode}.`)));
        });
        res.on('error', reject);
      },
    );
    req.on('error', (e) => reject(new UserError(`The local endpoint at ${endpoint} did not answer: ${e.message}.`, 'Start it again (npm run local), or check kinesis.local.endpoint.')));
    req.end(text);
  });
}

export async function listDeliveredObjects(
  endpoint: string,
  deliveryStreamName: string,
  opts: { kind?: 'delivered' | 'errors'; limit?: number; next?: string; signal?: AbortSignal } = {},
): Promise<DeliveredObjectPage> {
  const r = await call<{ Objects: ListedObject[]; NextToken?: string; Folder?: string }>(
    endpoint,
    'ListDeliveredObjects',
    { DeliveryStreamName: deliveryStreamName, Kind: opts.kind, Limit: opts.limit, NextToken: opts.next },
    opts.signal,
  );
  return { objects: r.Objects, ...(r.NextToken ? { next: r.NextToken } : {}), ...(r.Folder ? { folder: r.Folder } : {}) };
}

export async function readDeliveredObject(endpoint: string, deliveryStreamName: string, key: string, signal?: AbortSignal): Promise<DecodedObject & { key: string }> {
  const r = await call<{ Key: string; Compression: DecodedObject['compression']; StoredBytes: number; Bytes: number; Cut: boolean; Lines: string[] }>(
    endpoint,
    'GetDeliveredObject',
    { DeliveryStreamName: deliveryStreamName, Key: key },
    signal,
  );
  return { key: r.Key, lines: r.Lines, compression: r.Compression, storedBytes: r.StoredBytes, bytes: r.Bytes, cut: r.Cut };
}
