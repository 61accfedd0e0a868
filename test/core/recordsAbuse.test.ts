/**
 * Fault and abuse, for records: compression bombs, memory held by the inspector, hostile CSV
 * cells, exports that are cancelled or cannot be written, and reader failures nobody would see.
 * Records go through kinesalite over HTTP with the real SDK client where reading is part of it.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { midpoint } from '../../src/core/kinesis/hashKeys';
import { DECODE_BUDGET_BYTES, decodeRecord, rawBytesOf } from '../../src/core/records/decoders';
import { RecordDecodeQueue } from '../../src/core/records/decodeQueue';
import { csvField, exportToFile, isExportCancelled, toCsvRow } from '../../src/core/records/export';
import { readAll, ReaderError, StreamReader } from '../../src/core/records/reader';
import type { DecodedRecord, RawRecord, ShardProgress } from '../../src/core/records/types';
import { InspectorModel } from '../../src/vscode/inspector/model';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; data: Buffer }[], handler: (e: { partitionKey: string; data: Buffer }, done: () => void) => void, after: () => void, onError: (e: Error) => void): void;
};

const MiB = 1024 * 1024;

function raw(data: Uint8Array, i = 1): RawRecord {
  return { shardId: 'shardId-000000000000', sequenceNumber: String(49600000000000000000000000000000000000000000000000000000n + BigInt(i)), partitionKey: `pk-${i % 7}`, arrivalTime: 1_764_331_200_000 + i, data };
}

let bombBytes: Buffer | undefined;
/** 60 MiB of JSON-looking text, gzip: about 150 KB on the wire (made once). */
function bomb(): Buffer {
  return (bombBytes ??= gzipSync(Buffer.alloc(60 * MiB, '{"level":"INFO","msg":"x"},')));
}

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('fault and abuse: compression bombs', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let svc: StreamService;
  before(async () => {
    ep = await startKinesalite();
    svc = new StreamService(ep.client);
  });
  after(() => ep.close());

  it('a 60 MiB gzip bomb read from a stream decodes to at most the budget, says "truncated", and keeps the raw bytes whole', async () => {
    const name = uniqueName('bomb');
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    const data = bomb();
    assert.ok(data.length < 256 * 1024, `the bomb is small on the wire (${data.length} bytes)`);
    await ep.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'b', Data: data }));
    const [r] = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
    const [d] = decodeRecord(r);
    assert.equal(d.truncatedAt, DECODE_BUDGET_BYTES);
    assert.deepEqual(d.decodings, ['gzip', 'text']);
    assert.ok(d.text.length <= DECODE_BUDGET_BYTES && d.text.length > DECODE_BUDGET_BYTES * 0.9, `decoded ${d.text.length} characters`);
    assert.ok(d.text.startsWith('{"level":"INFO"'));
    assert.ok(Buffer.from(rawBytesOf(d)).equals(data), 'the raw bytes are whole');
    assert.equal(d.rawBase64, data.toString('base64'));
    assert.ok(d.memoryBytes! < 2 * DECODE_BUDGET_BYTES, `held about ${d.memoryBytes} bytes`);
  });

  it('bombs inside bombs, zlib bombs and forced decodings stay within the budget', () => {
    const nested = gzipSync(gzipSync(Buffer.alloc(64 * MiB, 'n')));
    assert.ok(nested.length < 2000);
    const zlibBomb = deflateSync(Buffer.alloc(32 * MiB, 'z'));
    for (const [data, kind] of [[nested, undefined], [zlibBomb, undefined], [zlibBomb, 'zlib'], [bomb(), 'gzip'], [bomb(), 'cloudwatch-logs']] as const) {
      const [d] = decodeRecord(raw(data), kind);
      assert.equal(d.truncatedAt, DECODE_BUDGET_BYTES, `${d.decodings.join('+')}`);
      assert.ok(d.text.length <= DECODE_BUDGET_BYTES + 200_000, `${d.decodings.join('+')}: ${d.text.length}`);
    }
  });

  it('a KPL aggregate of bombs shares one budget: the first user records use it, the rest say so', async () => {
    const users = [0, 1, 2].map((i) => ({ partitionKey: `u${i}`, data: gzipSync(Buffer.alloc(3 * MiB, String(i))) }));
    const data = await new Promise<Buffer>((resolve, reject) => {
      const out: Buffer[] = [];
      agg.aggregate(users, (e, done) => (out.push(e.data), done()), () => resolve(out[0]), reject);
    });
    const parts = decodeRecord(raw(data));
    assert.equal(parts.length, 3);
    const decoded = parts.reduce((n, p) => n + (p.decodings.includes('text') ? p.text.length : 0), 0);
    assert.ok(decoded <= DECODE_BUDGET_BYTES, `decoded ${decoded} characters in all`);
    assert.equal(parts[0].text.length, 3 * MiB, 'the first fits whole');
    assert.ok(parts.every((p) => p.truncatedAt === DECODE_BUDGET_BYTES));
    assert.match(parts[2].error ?? '', /already produced its 4 MiB/);
    assert.ok(Buffer.from(rawBytesOf(parts[2])).equals(users[2].data), 'the last user record keeps its bytes');
  });

  it('a held record keeps its parsed JSON, not its pretty text nor its base64 (made when read)', () => {
    const body = { order: 7, items: Array.from({ length: 50 }, (_, i) => ({ sku: `s-${i}`, qty: i })) };
    const [d] = decodeRecord(raw(Buffer.from(JSON.stringify(body))));
    const pretty = JSON.stringify(body, null, 2);
    const base64 = Buffer.from(JSON.stringify(body)).toString('base64');
    assert.ok(!Object.values(d).some((v) => v === pretty || v === base64), 'neither is held');
    assert.equal(d.text, pretty, 'made when read');
    assert.equal(d.rawBase64, base64);
    assert.deepEqual(d.json, body);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), { ...JSON.parse(JSON.stringify({ ...d })), text: pretty, rawBase64: base64 }, 'JSON sees every field');
    assert.ok(d.memoryBytes! < JSON.stringify(body).length * 6, 'held about its weight');
  });

  it('decodes a page of 10,000 records and ten bombs in slices, letting other work run between them', async () => {
    const raws = Array.from({ length: 10_000 }, (_, i) => raw(i % 1000 === 500 ? bomb() : Buffer.from(JSON.stringify({ i })), i));
    const got: DecodedRecord[] = [];
    let slices = 0;
    let ticksDuringDecode = 0;
    const q = new RecordDecodeQueue((recs) => (slices++, got.push(...recs)));
    q.push(raws);
    // Other work on the event loop (a webview's request, a filter) gets its turn while decoding goes on.
    const tick = setInterval(() => q.pending > 0 && ticksDuringDecode++, 0);
    await q.idle();
    clearInterval(tick);
    assert.equal(got.length, 10_000);
    assert.deepEqual(got.map((d) => d.sequenceNumber), raws.map((r) => r.sequenceNumber), 'in the order read');
    assert.ok(slices >= 10, `each bomb ends a slice (${slices} slices)`);
    assert.ok(ticksDuringDecode >= 5, `other work ran ${ticksDuringDecode} times while decoding`);
    assert.equal(got.filter((d) => d.truncatedAt !== undefined).length, 10);
  });

  it('a decode queue cleared mid-way delivers nothing more, and a listener that throws is reported', async () => {
    const errors: unknown[] = [];
    let delivered = 0;
    const q: RecordDecodeQueue = new RecordDecodeQueue(() => {
      delivered++;
      q.clear();
      throw new Error('listener broke');
    }, (e) => errors.push(e));
    q.push(Array.from({ length: 3 }, (_, i) => raw(bomb(), i)));
    await q.idle();
    assert.equal(q.pending, 0);
    assert.equal(delivered, 1);
    assert.equal((errors[0] as Error).message, 'listener broke');
  });

  it('held records decoded again go through the same slices, after what was read before them, and come back by id', async () => {
    const held = Array.from({ length: 6 }, (_, i) => decodeRecord(raw(bomb(), i))[0]);
    const events: string[] = [];
    const q = new RecordDecodeQueue((recs) => events.push(`read ${recs.length}`));
    q.push([raw(Buffer.from('{"before":1}'), 100)]);
    let replacements: Map<string, DecodedRecord[]> | undefined;
    let ticks = 0;
    q.redecode(held, (m) => (events.push('done'), (replacements = m)));
    const tick = setInterval(() => q.pending > 0 && ticks++, 0);
    await q.idle();
    clearInterval(tick);
    assert.deepEqual(events, ['read 1', 'done'], 'what was read first is delivered first');
    assert.deepEqual([...replacements!.keys()], held.map((r) => r.id));
    for (const r of held) assert.equal(replacements!.get(r.id)![0].truncatedAt, r.truncatedAt);
    assert.ok(ticks >= 2, `other work ran ${ticks} times while held records were decoded again`);
    q.redecode(held, () => events.push('cleared job done'));
    q.clear();
    await q.idle();
    assert.ok(!events.includes('cleared job done'), 'a cleared job gives nothing');
  });
});

describe('fault and abuse: inspector memory', () => {
  function recs(n: number, bytes: number, from = 0): DecodedRecord[] {
    return Array.from({ length: n }, (_, i) => decodeRecord(raw(Buffer.from(JSON.stringify({ i: from + i, pad: 'p'.repeat(bytes) })), from + i))[0]);
  }

  it('holds records by a byte budget as well as a count, dropping the oldest', () => {
    const m = new InspectorModel(100_000, 1 * MiB);
    m.add(recs(400, 10_000));
    assert.ok(m.heldBytes <= 1 * MiB, `held ${m.heldBytes} bytes`);
    assert.ok(m.heldCount < 400 && m.heldCount > 10, `held ${m.heldCount} records`);
    assert.equal(m.dropped, 400 - m.heldCount);
    assert.equal(m.rows(m.matchingCount - 1, 1)[0].sequenceNumber, raw(Buffer.alloc(0), 399).sequenceNumber, 'the newest stay');
    // Ten bombs fit a 64 MB budget only as far as it goes.
    const b = new InspectorModel(100_000, 16 * MiB);
    b.add(Array.from({ length: 10 }, (_, i) => decodeRecord(raw(bomb(), 1000 + i))[0]));
    assert.ok(b.heldBytes <= 16 * MiB && b.heldCount <= 4, `${b.heldCount} bombs held, ${b.heldBytes} bytes`);
  });

  it('lowering maxRecords or the byte budget takes effect at once, not at the next batch', () => {
    const m = new InspectorModel(1000, 64 * MiB);
    m.add(recs(500, 1000));
    m.takeChange();
    m.setLimits(100);
    assert.equal(m.heldCount, 100);
    assert.equal(m.matchingCount, 100);
    assert.equal(m.dropped, 400);
    assert.ok(m.takeChange(), 'the view changed (the panel is told)');
    m.setLimits(100, 50_000);
    assert.ok(m.heldBytes <= 50_000 && m.heldCount < 100, `${m.heldCount} records, ${m.heldBytes} bytes`);
  });
});

describe('fault and abuse: export', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'kinesis-export-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const records = Array.from({ length: 20_000 }, (_, i) => decodeRecord(raw(Buffer.from(JSON.stringify({ i, note: 'x'.repeat(200) })), i))[0]);

  it('neutralises CSV cells a spreadsheet would run as formulas (OWASP: a quote before =, +, -, @, tab, CR)', () => {
    for (const cell of ['=HYPERLINK("http://evil","x")', '+1+cmd|/c calc', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      const out = csvField(cell);
      assert.equal(out, `"'${cell.replace(/"/g, '""')}"`, JSON.stringify(cell));
    }
    assert.equal(csvField('safe = text'), 'safe = text');
    assert.equal(csvField(42), '42');
    const [d] = decodeRecord({ ...raw(Buffer.from('=cmd|/c calc!A1')), partitionKey: '@evil' });
    const row = toCsvRow(d);
    assert.ok(row.includes(`"'@evil"`) && row.includes(`"'=cmd|/c calc!A1"`), row);
  });

  it('a cancelled export leaves no file, no open descriptor, and the target as it was', async () => {
    const target = join(dir, 'cancelled.jsonl');
    writeFileSync(target, 'what was there before\n');
    const before = openDescriptors();
    const ctrl = new AbortController();
    const err = await exportToFile('jsonl', records, target, { abortSignal: ctrl.signal, progressEvery: 1000, onProgress: (n) => n >= 2000 && ctrl.abort() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isExportCancelled(err), String(err));
    assert.equal(readFileSync(target, 'utf8'), 'what was there before\n');
    assert.deepEqual(readdirSync(dir), ['cancelled.jsonl'], 'no partial file');
    assert.equal(openDescriptors(), before, 'no descriptor left open');
  });

  it('an unwritable target rejects with what failed and what to do (nothing thrown uncaught)', async () => {
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o500 });
    // (root writes into a read-only folder: /proc refuses it too)
    const cases = [join(dir, 'missing-folder', 'x.csv'), process.getuid?.() === 0 ? '/proc/x.csv' : join(readOnly, 'x.csv'), dir];
    const before = openDescriptors();
    for (const target of cases) {
      const err = (await exportToFile('csv', records.slice(0, 10), target).then(() => undefined, (e: unknown) => e)) as Error;
      assert.ok(err instanceof Error, `${target}: rejected`);
      assert.equal(err.name, 'UserError');
      assert.match(err.message, /^Could not export to .+: .+\. Nothing was written; choose another file or folder\.$/);
    }
    assert.equal(existsSync(join(readOnly, 'x.csv')), false);
    assert.equal(openDescriptors(), before);
  });

  it('a complete export replaces the target with every record', async () => {
    const target = join(dir, 'done.csv');
    writeFileSync(target, 'old');
    const n = await exportToFile('csv', records, target);
    assert.equal(n, records.length);
    assert.equal(readFileSync(target, 'utf8').trimEnd().split('\r\n').length, records.length + 1);
  });
});

describe('fault and abuse: reader failures are reported', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let svc: StreamService;
  before(async () => {
    ep = await startKinesalite();
    svc = new StreamService(ep.client);
  });
  after(() => ep.close());

  it('a parent shard that fails for good: its children say why instead of waiting for ever', async () => {
    const name = uniqueName('orphans');
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    const [parent] = await svc.listShards(name);
    await svc.splitShard(name, parent, midpoint(parent.startingHashKey, parent.endingHashKey));
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    const put = await ep.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: Buffer.from('{}') }));
    // A sequence number of a child, used on the parent: the service refuses it (InvalidArgumentException), for good.
    const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'AT_SEQUENCE_NUMBER', shardId: parent.shardId, sequenceNumber: put.SequenceNumber! }, pollIntervalMs: 50 });
    const errors: ReaderError[] = [];
    let progress: ShardProgress[] = [];
    reader.onError((e) => errors.push(e));
    reader.onProgress((p) => (progress = p));
    reader.start();
    try {
      const deadline = Date.now() + 30_000;
      while (!(progress.length === 3 && progress.every((s) => s.state === 'error')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(progress.map((s) => s.state), ['error', 'error', 'error'], JSON.stringify(progress));
      const children = progress.filter((s) => s.shardId !== parent.shardId);
      for (const c of children) assert.match(c.error ?? '', new RegExp(`not read: its parent shard ${parent.shardId} stopped with an error`));
      assert.equal(errors.filter((e) => e.fatal && e.shardId).length, 3, 'each shard reported once');
    } finally {
      await reader.stop();
    }
  });

  it('a listener that throws is reported through onError, and reading goes on', async () => {
    const name = uniqueName('listener');
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    for (let i = 0; i < 3; i++) await ep.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: Buffer.from(String(i)) }));
    const reader = new StreamReader({ client: ep.client, streamName: name, start: { type: 'TRIM_HORIZON' }, limitPerCall: 1, minCallIntervalMs: 0, pollIntervalMs: 50 });
    const errors: ReaderError[] = [];
    const seen: string[] = [];
    reader.onRecords((b) => {
      seen.push(...b.map((r) => Buffer.from(r.data).toString()));
      if (seen.length === 1) throw new TypeError('cannot read properties of undefined');
    });
    reader.onError((e) => errors.push(e));
    reader.start();
    try {
      const deadline = Date.now() + 20_000;
      while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, ['0', '1', '2'], 'reading went on');
      const e = errors.find((x) => x.code === 'ListenerError');
      assert.ok(e, JSON.stringify(errors));
      assert.equal(e!.fatal, false);
      assert.match(e!.message, /An onRecords listener failed: cannot read properties of undefined/);
    } finally {
      await reader.stop();
    }
  });
});
