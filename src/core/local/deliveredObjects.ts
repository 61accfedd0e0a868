/**
 * What the tree shows when a delivered object (or an error output object) is opened: its records,
 * one a line, decoded the way the inspector decodes a record: gunzipped when it is GZIP, split on
 * newlines, or, for records written back to back with no delimiter, into the JSON values it holds.
 * Objects are bounded: an uncompressed one past the limit is cut (and says so), a compressed one
 * that would decompress past it is refused with a sentence.
 */
import { gunzipSync } from 'node:zlib';
import { splitJsonObjects } from './firehoseDelivery';

export interface DecodedObject {
  /** One record a line (error output objects: one JSON error record a line). */
  lines: string[];
  compression: 'GZIP' | 'UNCOMPRESSED';
  /** Bytes as stored and after decompression. */
  storedBytes: number;
  bytes: number;
  /** True when the object was larger than the limit and only its start is shown. */
  cut: boolean;
}

const MAX_DECODED_BYTES = 64 * 1024 * 1024;

export function decodeDeliveredObject(body: Buffer, maxBytes = MAX_DECODED_BYTES): DecodedObject {
  const gzip = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  let data = body;
  let cut = false;
  if (gzip) {
    try {
      data = gunzipSync(body, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`The object decompresses to more than ${Math.round(maxBytes / 1048576)} MiB, too much to show: open its file with a tool made for large files.`);
      }
      throw new Error(`The object is not valid GZIP (${(e as Error).message}): it may have been cut short.`);
    }
  }
  if (data.length > maxBytes) {
    data = data.subarray(0, maxBytes);
    cut = true;
  }
  let lines: string[];
  if (data.includes(0x0a)) lines = data.toString('utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  else lines = splitJsonObjects(data)?.map((b) => b.toString('utf8')) ?? [data.toString('utf8')];
  return { lines, compression: gzip ? 'GZIP' : 'UNCOMPRESSED', storedBytes: body.length, bytes: data.length, cut };
}
