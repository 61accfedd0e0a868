/**
 * Where the Firehose emulator puts delivered objects: a folder laid out like S3
 * (`<root>/<bucket>/<key>`), or memory. The folder writer never writes outside its root, whatever
 * the bucket and key say, and writes each object whole or not at all (a temporary file renamed
 * into place), so that a failed write can be retried without leaving a partial object behind.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  /** In memory only; with a folder the body is on disk, at `file`. */
  body?: Buffer;
  file?: string;
}

export interface ObjectStore {
  /** Stores one object whole, or throws (and stores nothing). */
  put(bucket: string, key: string, body: Buffer): StoredObject;
}

export class ObjectPathError extends Error {}

/**
 * The file for bucket/key under root, or ObjectPathError when the key would leave the root, has a
 * `.` or `..` segment, or a segment longer than a file name can be.
 */
export function objectPath(root: string, bucket: string, key: string): string {
  const segments = [bucket, ...key.split('/').filter((s) => s !== '')];
  for (const s of segments) {
    if (s === '.' || s === '..') throw new ObjectPathError(`The object key "${key}" has a "${s}" segment; it would not stay inside the data folder.`);
    if (Buffer.byteLength(s) > 255) throw new ObjectPathError(`The object key "${key.slice(0, 60)}..." has a segment of ${Buffer.byteLength(s)} bytes; a file name is at most 255.`);
    if (s.includes('\0') || (sep === '\\' && /[\\:]/.test(s))) throw new ObjectPathError(`The object key "${key}" has a character that cannot be in a file name.`);
  }
  const base = resolve(root);
  const file = resolve(base, ...segments);
  const rel = relative(base, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) throw new ObjectPathError(`The object "${bucket}/${key}" would be written outside the data folder.`);
  return file;
}

export function memoryStore(): ObjectStore {
  return { put: (bucket, key, body) => ({ bucket, key, size: body.length, body }) };
}

export function folderStore(root: string): ObjectStore {
  return {
    put(bucket, key, body) {
      const file = objectPath(root, bucket, key);
      mkdirSync(dirname(file), { recursive: true });
      // A folder inside the root may be a link to elsewhere: check where the parent really is.
      const realRoot = realpathSync(root);
      const realParent = realpathSync(dirname(file));
      if (realParent !== realRoot && !realParent.startsWith(realRoot + sep)) {
        throw new ObjectPathError(`The object "${bucket}/${key}" would be written outside the data folder (through a link).`);
      }
      // Bucket names never begin with a dot, so this folder cannot clash with a bucket.
      const incoming = join(root, '.incoming');
      mkdirSync(incoming, { recursive: true });
      const tmp = join(incoming, randomUUID());
      try {
        writeFileSync(tmp, body);
        renameSync(tmp, file);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
      return { bucket, key, size: body.length, file };
    },
  };
}
