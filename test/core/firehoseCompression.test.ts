import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  UpdateDestinationCommand,
  type CompressionFormat as SdkCompressionFormat,
} from '@aws-sdk/client-firehose';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { firehoseClientFor } from '../../src/core/aws/clientFactory';
import { compress, CompressionFormat, crc32, decompress } from '../../src/core/local/compression';
import { zipSync } from 'fflate';
import { decodeDeliveredObject } from '../../src/core/local/deliveredObjects';
import { readDeliveredObject } from '../../src/core/firehose/localObjects';
import { deliveredObjectLine, loadObjectDocument } from '../../src/core/firehose/deliveredObjectsLoader';

// An independent raw Snappy decoder (Google's C++ Snappy compiled to WebAssembly), apart from the
// snappyjs the emulator uses; the containers around the blocks are read below from their layouts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { snappyUncompress } = require('hysnappy') as { snappyUncompress: (input: Uint8Array, outputLength: number) => Uint8Array };

const ROLE = 'arn:aws:iam::000000000000:role/firehose';

/** The varint a raw Snappy block begins with (its uncompressed length), read here, not by the code under test. */
function varint(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < 5; i++) {
    n += (b[i] & 0x7f) * 2 ** (7 * i);
    if (b[i] < 0x80) return n;
  }
  throw new Error('bad varint');
}
const rawSnappy = (block: Buffer) => Buffer.from(snappyUncompress(block, varint(block)));

/** snappy-java's stream: `0x82 SNAPPY 0x00`, version 1, compatible 1 (big-endian), then [BE length, block]*. */
function readSnappyJava(body: Buffer): Buffer {
  assert.deepEqual([...body.subarray(0, 16)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1], 'snappy-java header');
  const parts: Buffer[] = [];
  for (let at = 16; at < body.length; ) {
    const n = body.readUInt32BE(at);
    const block = rawSnappy(body.subarray(at + 4, at + 4 + n));
    assert.ok(block.length <= 32 * 1024, 'blocks of at most 32 KiB, as snappy-java writes them');
    parts.push(block);
    at += 4 + n;
  }
  return Buffer.concat(parts);
}

/** Hadoop's BlockCompressorStream: [BE uncompressed length, [BE compressed length, block]+]*. */
function readHadoopSnappy(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const want = body.readUInt32BE(at);
    at += 4;
    let got = 0;
    while (got < want) {
      const n = body.readUInt32BE(at);
      const block = rawSnappy(body.subarray(at + 4, at + 4 + n));
      parts.push(block);
      got += block.length;
      at += 4 + n;
    }
    assert.equal(got, want);
  }
  return Buffer.concat(parts);
}

/** GZIP and ZIP read by Python's standard library (python3 is on every machine of this project's kind). */
function readWithPython(format: 'GZIP' | 'ZIP', file: string): { data: Buffer; names?: string[] } {
  const script =
    format === 'GZIP'
      ? 'import gzip,sys,base64,json; print(json.dumps({"data": base64.b64encode(gzip.open(sys.argv[1]).read()).decode()}))'
      : 'import zipfile,sys,base64,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; n=z.namelist(); print(json.dumps({"names": n, "data": base64.b64encode(b"".join(z.read(x) for x in n)).decode()}))';
  const r = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  return { data: Buffer.from(r.data, 'base64'), names: r.names };
}

const independently: Record<Exclude<CompressionFormat, 'UNCOMPRESSED'>, (file: string) => Buffer> = {
  GZIP: (f) => readWithPython('GZIP', f).data,
  ZIP: (f) => {
    const z = readWithPython('ZIP', f);
    assert.equal(z.names!.length, 1, 'one entry, as Firehose writes');
    assert.match(z.names![0], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'named by a UUID');
    return z.data;
  },
  Snappy: (f) => readSnappyJava(readFileSync(f)),
  HADOOP_SNAPPY: (f) => readHadoopSnappy(readFileSync(f)),
};
const SUFFIX = { GZIP: '.gz', ZIP: '.zip', Snappy: '.snappy', HADOOP_SNAPPY: '.hsnappy' };
const NAME = { GZIP: 'GZIP', ZIP: 'ZIP', Snappy: 'Snappy', HADOOP_SNAPPY: 'Hadoop Snappy' };

/** 1,500 records of ~150 bytes: more than 32 KiB, so the Snappy formats write several blocks. */
const records = Array.from({ length: 1500 }, (_, i) => ({ Data: Buffer.from(JSON.stringify({ id: i, city: ['Lisbon', 'Osaka', 'Denver'][i % 3], note: `record ${i} `.repeat(8) }) + '\n') }));

describe('Firehose emulator: every CompressionFormat (real @aws-sdk/client-firehose over HTTP, objects read by independent decoders)', function () {
  this.timeout(120_000);
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firehose-compression-'));
    local = await startLocalEndpoint({ deliveryDir: dir, log: () => undefined });
    firehose = firehoseClientFor(local.endpoint);
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });
  const create = (name: string, format: string, extra: Record<string, unknown> = {}) =>
    firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: `arn:aws:s3:::${name}-bucket`,
          RoleARN: ROLE,
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 },
          CompressionFormat: format as SdkCompressionFormat,
          ...extra,
        },
      }),
    );
  const putAll = async (name: string) => {
    for (let i = 0; i < records.length; i += 500) {
      const r = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records.slice(i, i + 500) }));
      assert.equal(r.FailedPutCount, 0);
    }
  };
  const expected = Buffer.concat(records.map((r) => r.Data));

  for (const format of ['GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'] as const) {
    it(`${format}: the object in the data folder ends in ${SUFFIX[format]} and holds every record, as an independent decoder reads it; Describe and the tree name the format`, async () => {
      const name = `c-${format.toLowerCase().replace('_', '-')}`;
      await create(name, format);
      const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
      assert.equal(d.DeliveryStreamDescription!.Destinations![0].ExtendedS3DestinationDescription!.CompressionFormat, format);
      await putAll(name);
      assert.equal(await local.firehose.flush(name), true);
      const [o] = local.firehose.delivered(name);
      assert.match(o.key, new RegExp(`^\\d{4}/\\d{2}/\\d{2}/\\d{2}/${name}-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f-]{36}\\${SUFFIX[format]}$`));
      assert.ok(o.file!.startsWith(dir), 'written to the data folder');
      const stored = readFileSync(o.file!);
      assert.ok(stored.length < expected.length / 2, `compressed (${stored.length} of ${expected.length} bytes)`);
      assert.ok(independently[format](o.file!).equals(expected), 'the independent decoder gets the records back byte for byte');

      // Opened as the tree opens it: over HTTP from the emulator, then as a document.
      const opened = await readDeliveredObject(local.endpoint, name, o.key);
      assert.equal(opened.compression, format);
      assert.equal(opened.cut, false);
      assert.equal(opened.bytes, expected.length);
      assert.deepEqual(opened.lines.map((l) => JSON.parse(l).id), records.map((_, i) => i));
      const doc = await loadObjectDocument(local.endpoint, name, o.key);
      assert.equal(doc.language, 'jsonc');
      assert.match(doc.text.split('\n')[1], new RegExp(`^// 1500 records, [\\d.]+ KiB stored, ${NAME[format]}, [\\d.]+ KiB decompressed$`));
      assert.equal(deliveredObjectLine(local.firehose.listObjects(name).objects[0]).label, `${o.key.split('-').slice(-5)[0]}${SUFFIX[format]}`, 'the tree shows the short name with its suffix');
    });
  }

  it('FileExtension replaces the suffix of delivered objects; the tree still opens them in their format; Describe shows it; a bad one is refused', async () => {
    for (const [format, extension] of [['HADOOP_SNAPPY', '.json.sz'], ['GZIP', '.jsonl'], ['ZIP', ".a-b_c!*'()"]] as const) {
      const name = `c-ext-${format.toLowerCase().replace('_', '-')}`;
      await create(name, format, { FileExtension: extension, ErrorOutputPrefix: 'err/' });
      const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
      assert.equal(d.DeliveryStreamDescription!.Destinations![0].ExtendedS3DestinationDescription!.FileExtension, extension);
      await putAll(name);
      assert.equal(await local.firehose.flush(name), true);
      const [o] = local.firehose.delivered(name);
      assert.ok(o.key.endsWith(extension) && /-[0-9a-f]{12}$/.test(o.key.slice(0, -extension.length)), `${o.key}: the UUID, then the custom extension, not ${SUFFIX[format]}`);
      if (format !== 'HADOOP_SNAPPY') assert.ok(independently[format](o.file!).equals(expected), 'still compressed as configured');
      // Hadoop Snappy has no signature: only the format kept with the object tells the opener.
      const opened = await readDeliveredObject(local.endpoint, name, o.key);
      assert.equal(opened.compression, format);
      assert.deepEqual(opened.lines.map((l) => JSON.parse(l).id), records.map((_, i) => i));
    }
    // The extension survives an update of something else, and can be changed, or removed with "".
    const version = async (n: string) => (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: n }))).DeliveryStreamDescription!.VersionId!;
    await firehose.send(new UpdateDestinationCommand({ DeliveryStreamName: 'c-ext-gzip', CurrentDeliveryStreamVersionId: await version('c-ext-gzip'), DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { FileExtension: '' } }));
    await putAll('c-ext-gzip');
    await local.firehose.flush('c-ext-gzip');
    assert.match(local.firehose.delivered('c-ext-gzip')[1].key, /-2-\d{4}-.*[0-9a-f]\.gz$/, 'back to the default suffix');

    for (const bad of ['json', '.JSON', '.a/b', `.${'x'.repeat(128)}`]) {
      await assert.rejects(create(`c-ext-bad-${bad.length}`, 'GZIP', { FileExtension: bad }), (e: Error) => e.name === 'ValidationException' && /fileExtension' failed to satisfy constraint/.test(e.message), bad);
    }
  });

  it('a decompression bomb in each format is cut at the cap and says so, whatever its size or what it declares', async () => {
    // 100 MiB of short lines of zeros: a hundred KiB compressed (about 5 MiB with Snappy, whose ratio is lower).
    const huge = Buffer.alloc(100 * 1024 * 1024, '0');
    for (let i = 99; i < huge.length; i += 100) huge[i] = 0x0a;
    const cap = 8 * 1024 * 1024;
    for (const format of ['GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'] as const) {
      const bomb = compress(format, huge).body;
      const d = decodeDeliveredObject(bomb, cap, `x/bomb${SUFFIX[format]}`);
      assert.equal(d.compression, format);
      assert.equal(d.cut, true, `${format}: cut`);
      assert.ok(d.bytes <= cap && d.bytes > cap / 2, `${format}: ${d.bytes} bytes kept, at most the cap`);
      assert.ok(d.lines.every((l) => l.length === 99), `${format}: whole records only, the one cut in half left out`);
    }
    // A Snappy block that declares 4 GiB (the varint's maximum) is not even allocated.
    const liar = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61])]);
    const d = decompress('HADOOP_SNAPPY', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), liar]), { maxOutputBytes: cap });
    assert.deepEqual([d.data.length, d.cut], [0, true]);

    // The same through the endpoint, with its own 64 MiB cap: a delivered file replaced by a bomb.
    await create('c-bomb', 'GZIP');
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'c-bomb', Records: records.slice(0, 3) }));
    await local.firehose.flush('c-bomb');
    const [o] = local.firehose.delivered('c-bomb');
    writeFileSync(o.file!, gzipSync(huge));
    const opened = await readDeliveredObject(local.endpoint, 'c-bomb', o.key);
    assert.equal(opened.cut, true);
    assert.equal(opened.bytes, 64 * 1024 * 1024);
    const doc = await loadObjectDocument(local.endpoint, 'c-bomb', o.key);
    assert.match(doc.text, /GZIP, 64\.0 MiB decompressed\n# Too large to show whole/);
  });

  it('a damaged object is refused with a sentence, in each format', async () => {
    for (const format of ['GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'] as const) {
      const body = compress(format, expected).body;
      assert.throws(() => decodeDeliveredObject(body.subarray(0, body.length >> 1), undefined, `k${SUFFIX[format]}`), new RegExp(`^Error: The object is not valid ${NAME[format]} \\(.+\\): it may have been cut short`));
    }
    // A ZIP whose entry's bytes changed (stored, so that it still inflates): its CRC-32 says so.
    const stored = Buffer.from(zipSync({ 'records.json': [expected, { level: 0 }] }));
    assert.equal(decodeDeliveredObject(stored, undefined, 'k.zip').lines.join('\n'), decodeDeliveredObject(expected).lines.join('\n'), 'intact, it opens');
    const at = stored.indexOf(expected.subarray(0, 16));
    const damaged = Buffer.from(stored);
    damaged[at + 5] ^= 0x20;
    assert.throws(() => decodeDeliveredObject(damaged, undefined, 'k.zip'), /^Error: The object is damaged: ZIP checksum mismatch in entry 1 \(records\.json\): its CRC-32 is 0x[0-9a-f]{8}, the archive says 0x[0-9a-f]{8}\./);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'the CRC-32 check value');
  });

  it('decodes the formats from vectors built by hand from their layouts (not by the code under test)', () => {
    // "hello" as one raw Snappy literal: varint 5, tag (5-1)<<2, the bytes.
    const block = Buffer.from([0x05, 0x10, ...Buffer.from('hello')]);
    const java = Buffer.concat([Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7]), block, Buffer.from([0, 0, 0, 7]), block]);
    assert.equal(decompress('Snappy', java, { maxOutputBytes: 100 }).data.toString(), 'hellohello');
    const hadoop = Buffer.concat([Buffer.from([0, 0, 0, 10, 0, 0, 0, 7]), block, Buffer.from([0, 0, 0, 7]), block]);
    assert.equal(decompress('HADOOP_SNAPPY', hadoop, { maxOutputBytes: 100 }).data.toString(), 'hellohello');
    assert.equal(decodeDeliveredObject(hadoop, undefined, 'k.snappy').compression, 'HADOOP_SNAPPY', 'a .snappy object without the snappy-java header is Hadoop Snappy');
    assert.equal(decodeDeliveredObject(java, undefined, 'k.snappy').compression, 'Snappy');
    assert.equal(decodeDeliveredObject(java).compression, 'Snappy', 'known by its header without a key');
  });

  it('refuses what AWS refuses: an unknown format (the enum is case-sensitive), and compression with record format conversion', async () => {
    await assert.rejects(create('c-bad-case', 'SNAPPY'), (e: Error) => e.name === 'ValidationException' && /Member must satisfy enum value set: \[UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY\]/.test(e.message));
    const conversion = {
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
      SchemaConfiguration: { DatabaseName: 'db', TableName: 't', RoleARN: ROLE },
    };
    await assert.rejects(create('c-conversion', 'ZIP', { DataFormatConversionConfiguration: conversion }), (e: Error) => e.name === 'InvalidArgumentException' && /must be UNCOMPRESSED when DataFormatConversionConfiguration is enabled/.test(e.message));
    await create('c-conversion-off', 'ZIP', { DataFormatConversionConfiguration: { ...conversion, Enabled: false } });
  });

  it('UpdateDestination switches the format: records buffered before keep the old one, the next object has the new', async () => {
    await create('c-switch', 'Snappy');
    const d1 = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'c-switch' }))).DeliveryStreamDescription!;
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'c-switch', Records: records.slice(0, 2) }));
    await firehose.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: 'c-switch',
        CurrentDeliveryStreamVersionId: d1.VersionId,
        DestinationId: d1.Destinations![0].DestinationId,
        ExtendedS3DestinationUpdate: { CompressionFormat: 'HADOOP_SNAPPY' },
      }),
    );
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'c-switch', Records: records.slice(2, 4) }));
    await local.firehose.flush('c-switch');
    const objects = local.firehose.delivered('c-switch');
    assert.deepEqual(objects.map((o) => o.key.slice(o.key.lastIndexOf('.'))), ['.snappy', '.hsnappy']);
    const ids = objects.flatMap((o) => decodeDeliveredObject(readFileSync(o.file!), undefined, o.key).lines.map((l) => JSON.parse(l).id));
    assert.deepEqual(ids, [0, 1, 2, 3]);
  });
});
