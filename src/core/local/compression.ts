/**
 * The five `CompressionFormat`s Firehose applies to what it writes to S3, both ways: `compress` for
 * the delivery engine (the body and the key suffix), `decompress` for opening an object, bounded by
 * a byte budget (past it the output is cut and says so; a decompression bomb never gets further).
 *
 * What Firehose writes for each format, and where it had to be chosen:
 * - GZIP: one gzip member, `.gz` (node:zlib).
 * - ZIP: an archive with one deflated entry, `.zip` (fflate). AWS does not document the entry's
 *   name; objects AWS delivered hold one entry named by a UUID unrelated to the key (reported in
 *   https://github.com/floci-io/floci/issues/2328), so that is what is written here.
 * - Snappy: `.snappy`. AWS does not document the container. Not Google's framing format (`sNaPpY`
 *   chunks with CRC-32C): objects AWS delivered are snappy-java's stream format, the 16-byte header
 *   `0x82 "SNAPPY" 0x00`, version 1, compatible version 1, then blocks of at most 32 KiB, each a
 *   4-byte big-endian compressed length and a raw Snappy block (same report, byte for byte).
 * - HADOOP_SNAPPY: Hadoop's BlockCompressorStream layout, what Hadoop's and Spark's SnappyCodec
 *   read: blocks of at most 32 KiB, each a 4-byte big-endian uncompressed length, then a 4-byte
 *   big-endian compressed length and a raw Snappy block. The suffix is `.hsnappy`, as the object
 *   name page tables it (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html);
 *   the report above says the service writes `.snappy` for it too, so readers accept both.
 * Raw Snappy blocks come from snappyjs (pure JavaScript: nothing native to build or download); the
 * two containers around them are a few lines each, here, since no maintained npm package writes
 * snappy-java's stream format or Hadoop's (the npm framing-format packages write `sNaPpY` chunks).
 */
import { randomUUID } from 'node:crypto';
import * as zlib from 'node:zlib';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Gunzip, Unzip, UnzipInflate, zipSync } from 'fflate';
import * as snappy from 'snappyjs';

export type CompressionFormat = 'UNCOMPRESSED' | 'GZIP' | 'ZIP' | 'Snappy' | 'HADOOP_SNAPPY';
export const COMPRESSION_FORMATS: readonly CompressionFormat[] = ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'];

/** The key suffix Firehose appends for each format. */
export const COMPRESSION_SUFFIX: Record<CompressionFormat, string> = { UNCOMPRESSED: '', GZIP: '.gz', ZIP: '.zip', Snappy: '.snappy', HADOOP_SNAPPY: '.hsnappy' };
/** How messages and documents name each format. */
export const COMPRESSION_NAME: Record<CompressionFormat, string> = { UNCOMPRESSED: 'uncompressed', GZIP: 'GZIP', ZIP: 'ZIP', Snappy: 'Snappy', HADOOP_SNAPPY: 'Hadoop Snappy' };

/** True for a key that ends in one of Firehose's compression suffixes. */
export function isCompressedObjectKey(key: string): boolean {
  return COMPRESSION_FORMATS.some((f) => f !== 'UNCOMPRESSED' && key.endsWith(COMPRESSION_SUFFIX[f]));
}

/** snappy-java's SnappyOutputStream and its Hadoop-compatible variant compress 32 KiB at a time. */
const SNAPPY_BLOCK = 32 * 1024;
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);

export function compress(format: CompressionFormat, body: Buffer): { body: Buffer; suffix: string } {
  const suffix = COMPRESSION_SUFFIX[format];
  switch (format) {
    case 'GZIP':
      return { body: gzipSync(body), suffix };
    case 'ZIP':
      return { body: Buffer.from(zipSync({ [randomUUID()]: [body, { level: 6 }] })), suffix };
    case 'Snappy':
    case 'HADOOP_SNAPPY': {
      const parts: Buffer[] = format === 'Snappy' ? [XERIAL_HEADER] : [];
      for (let at = 0; at < body.length; at += SNAPPY_BLOCK) {
        const block = body.subarray(at, at + SNAPPY_BLOCK);
        const packed = snappy.compress(block);
        const head = Buffer.alloc(format === 'Snappy' ? 4 : 8);
        if (format === 'HADOOP_SNAPPY') head.writeUInt32BE(block.length, 0);
        head.writeUInt32BE(packed.length, head.length - 4);
        parts.push(head, packed);
      }
      return { body: Buffer.concat(parts), suffix };
    }
    default:
      return { body, suffix };
  }
}

/** The format an object's bytes begin with (GZIP, ZIP, Snappy have a signature; Hadoop's has none). */
export function sniffCompression(body: Buffer): CompressionFormat {
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) return 'GZIP';
  if (body.length >= 4 && body.readUInt32LE(0) === 0x04034b50) return 'ZIP';
  if (body.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return 'Snappy';
  return 'UNCOMPRESSED';
}

/** The format of a delivered object: its key's suffix where it has one of Firehose's, else its signature. */
export function compressionOf(key: string | undefined, body: Buffer): CompressionFormat {
  const sniffed = sniffCompression(body);
  if (key?.endsWith('.hsnappy')) return 'HADOOP_SNAPPY';
  // Firehose writes `.snappy` for both Snappy variants (see above): the signature tells them apart.
  if (key?.endsWith('.snappy')) return sniffed === 'Snappy' ? 'Snappy' : 'HADOOP_SNAPPY';
  return sniffed;
}

export class CompressionError extends Error {}

export interface Decompressed {
  data: Buffer;
  /** True when the output reached the budget and only its start is in `data`. */
  cut: boolean;
}

/** Bytes fed to a deflate stream at a time: at most ~1,032x that (4 MiB) comes out of one push. */
const INFLATE_SLICE = 4096;
/** What a decoder may hold past the budget for a moment: one push of deflate, one Snappy block. */
const SLACK = 4 * 1024 * 1024;

/**
 * The object's bytes decompressed, at most `maxOutputBytes` of them (cut says there were more).
 * Memory stays within about twice the budget (plus 4 MiB) whatever the object declares or expands to.
 */
export function decompress(format: CompressionFormat, body: Buffer, opts: { maxOutputBytes: number }): Decompressed {
  const max = Math.max(0, Math.floor(opts.maxOutputBytes));
  const out = new Output(max);
  try {
    if (format === 'GZIP') gunzip(body, out);
    else if (format === 'ZIP') unzip(body, out);
    else if (format === 'Snappy') snappyJava(body, out);
    else if (format === 'HADOOP_SNAPPY') hadoopSnappy(body, out);
    else out.add(body);
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    if (e !== FULL) {
      throw new CompressionError(`The object is not valid ${COMPRESSION_NAME[format]} (${(e as Error).message}): it may have been cut short, or written in another format.`);
    }
  }
  return { data: out.result(), cut: out.full };
}

/** Thrown inside a decoder when the budget is reached, to stop it at once. */
const FULL = Symbol('full');

class Output {
  private readonly parts: Buffer[] = [];
  size = 0;
  full = false;
  constructor(readonly max: number) {}
  get room(): number {
    return this.max - this.size;
  }
  add(chunk: Uint8Array): void {
    const take = Math.min(chunk.length, this.room);
    if (take > 0) this.parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, take));
    this.size += take;
    if (take < chunk.length) {
      this.full = true;
      throw FULL;
    }
  }
  result(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
  }
}

/** node:zlib checks the CRC; past the budget it only says so, and fflate's stream gives the start. */
function gunzip(body: Buffer, out: Output): void {
  let whole: Buffer;
  try {
    whole = gunzipSync(body, { maxOutputLength: Math.max(1, out.max) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw e;
    return inflate(new Gunzip(), body, out);
  }
  out.add(whole);
}

function inflate(stream: Gunzip, body: Buffer, out: Output): void {
  let ended = false;
  stream.ondata = (data, final) => {
    out.add(data);
    ended ||= final;
  };
  for (let at = 0; ; at += INFLATE_SLICE) {
    const last = at + INFLATE_SLICE >= body.length;
    stream.push(body.subarray(at, at + INFLATE_SLICE), last);
    if (last) break;
  }
  if (!ended) throw new Error('unexpected end of data');
}

/**
 * fflate's streaming Unzip checks no CRC-32: each entry's is read from the central directory (where
 * every ZIP writer puts it, data descriptor or not) and compared with the entry's bytes, unless the
 * output was cut at the budget (then the end of the entry is never seen).
 */
function unzip(body: Buffer, out: Output): void {
  const expected = centralDirectoryCrcs(body);
  const pending: Error[] = [];
  let files = 0;
  let ended = 0;
  const archive = new Unzip((file) => {
    const index = files++;
    let crc = 0;
    file.ondata = (err, data, final) => {
      if (err) return void pending.push(err);
      crc = crc32(data, crc);
      out.add(data);
      if (!final) return;
      ended++;
      if (expected[index] !== undefined && crc !== expected[index]) {
        pending.push(new CompressionError(`The object is damaged: ZIP checksum mismatch in entry ${index + 1} (${file.name.slice(0, 100)}): its CRC-32 is ${hex(crc)}, the archive says ${hex(expected[index])}. Deliver it again, or read it with another tool to see what is left.`));
      }
    };
    file.start();
  });
  archive.register(UnzipInflate);
  for (let at = 0; at < body.length; at += INFLATE_SLICE) {
    archive.push(body.subarray(at, at + INFLATE_SLICE), at + INFLATE_SLICE >= body.length);
    if (pending.length) throw pending[0];
  }
  if (!files) throw new Error('no entry in the archive');
  if (ended < files) throw new Error('an entry ends early');
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** The CRC-32 of each entry, in the order of their local headers, from the archive's central directory. */
function centralDirectoryCrcs(body: Buffer): number[] {
  // The end of central directory record: 22 bytes, then a comment of at most 65,535.
  let eocd = -1;
  for (let at = body.length - 22; at >= Math.max(0, body.length - 22 - 0xffff); at--) {
    if (body.readUInt32LE(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new Error('no central directory at its end');
  const count = body.readUInt16LE(eocd + 10);
  let at = body.readUInt32LE(eocd + 16);
  const entries: { offset: number; crc: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > body.length || body.readUInt32LE(at) !== 0x02014b50) throw new Error(`central directory entry ${i + 1} is not where the archive says`);
    entries.push({ crc: body.readUInt32LE(at + 16), offset: body.readUInt32LE(at + 42) });
    at += 46 + body.readUInt16LE(at + 28) + body.readUInt16LE(at + 30) + body.readUInt16LE(at + 32);
  }
  return entries.sort((a, b) => a.offset - b.offset).map((e) => e.crc);
}

/** zlib.crc32 where Node has it (20.15, 22.2 and later); else the classic table-driven CRC-32 (same polynomial, same results). */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
let table: Uint32Array | undefined;
export function crc32(data: Uint8Array, value = 0): number {
  if (nativeCrc32) return nativeCrc32(data, value);
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function snappyJava(body: Buffer, out: Output): void {
  if (body.length < XERIAL_HEADER.length || !body.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) throw new Error('no snappy-java header');
  let at = XERIAL_HEADER.length;
  while (at < body.length) at = snappyBlock(body, at, out);
}

function hadoopSnappy(body: Buffer, out: Output): void {
  let at = 0;
  while (at < body.length) {
    const expected = readLength(body, at, 'block length');
    at += 4;
    const before = out.size;
    while (out.size - before < expected) at = snappyBlock(body, at, out);
    if (out.size - before !== expected) throw new Error(`a block says ${expected} bytes but holds ${out.size - before}`);
  }
}

/** One length-prefixed raw Snappy block at `at`; returns where the next one starts. */
function snappyBlock(body: Buffer, at: number, out: Output): number {
  const length = readLength(body, at, 'compressed length');
  const start = at + 4;
  if (start + length > body.length) throw new Error(`a block of ${length} bytes runs past the end`);
  const block = body.subarray(start, start + length);
  const declared = uncompressedLength(block);
  // A block may declare up to 4 GiB: one past the budget (and a slack as deflate has) is not even allocated.
  if (declared > out.room + SLACK) {
    out.full = true;
    throw FULL;
  }
  out.add(snappy.uncompress(block, declared));
  return start + length;
}

function readLength(body: Buffer, at: number, what: string): number {
  if (at + 4 > body.length) throw new Error(`the ${what} at byte ${at} is cut short`);
  return body.readUInt32BE(at);
}

/** The varint a raw Snappy block begins with: its uncompressed length. */
function uncompressedLength(block: Buffer): number {
  let n = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    n += (block[i] & 0x7f) * 2 ** (7 * i);
    if (block[i] < 0x80) return n;
  }
  throw new Error('a Snappy block has no valid length');
}
