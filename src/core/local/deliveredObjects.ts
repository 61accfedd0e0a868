/**
 * What the tree shows when a delivered object (or an error output object) is opened: its records,
 * one a line, decoded the way the inspector decodes a record: decompressed (GZIP, ZIP, Snappy or
 * Hadoop Snappy, known by the key's suffix or the bytes' signature), split on newlines, or, for
 * records written back to back with no delimiter, into the JSON values it holds. Objects are
 * bounded: past the limit, decompressed or not, only the start is shown, and the object says so.
 */
import { compressionOf, CompressionFormat, decompress } from './compression';
import { splitJsonObjects } from './firehoseDelivery';

export interface DecodedObject {
  /** One record a line (error output objects: one JSON error record a line). */
  lines: string[];
  compression: CompressionFormat;
  /** Bytes as stored and after decompression. */
  storedBytes: number;
  bytes: number;
  /** True when the object was larger than the limit and only its start is shown. */
  cut: boolean;
}

const MAX_DECODED_BYTES = 64 * 1024 * 1024;

/** `written`: the format the object was written in, when known (the emulator keeps it per object); else its key's suffix or its bytes tell. */
export function decodeDeliveredObject(body: Buffer, maxBytes = MAX_DECODED_BYTES, key?: string, written?: CompressionFormat): DecodedObject {
  const compression = written ?? compressionOf(key, body);
  const { data, cut } = decompress(compression, body, { maxOutputBytes: maxBytes });
  let lines: string[];
  if (data.includes(0x0a)) lines = data.toString('utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  else lines = splitJsonObjects(data)?.map((b) => b.toString('utf8')) ?? [data.toString('utf8')];
  // A cut in the middle of a record leaves its start as the last line: drop it rather than show half a record.
  if (cut && lines.length > 1 && data[data.length - 1] !== 0x0a) lines.pop();
  return { lines, compression, storedBytes: body.length, bytes: data.length, cut };
}
