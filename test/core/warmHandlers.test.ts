import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTransform } from '../../src/core/transform/engine';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../../src/core/transform/runner';
import { MAX_WARM, WarmHandlers } from '../../src/core/transform/warmHandlers';
import { SampleRecord } from '../../src/core/transform/sampleRecord';

const records = (n: number): SampleRecord[] =>
  Array.from({ length: n }, (_, i) => ({ shardId: 'shardId-000000000000', sequenceNumber: String(1000 + i), partitionKey: 'k', arrivalTime: Date.now(), data: Buffer.from(`{"i":${i}}`) }));

/** A handler that counts its invocations in module state and says so in each record, and logs once per call. */
const COUNTING = `let calls = 0;
const loadedAt = Date.now() + Math.random();
exports.handler = async (event) => {
  calls++;
  console.log('call ' + calls);
  return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: Buffer.from(JSON.stringify({ calls, loadedAt, v: VERSION })).toString('base64') })) };
};`;

describe('warm handlers: a module loaded once, reused until its file changes', function () {
  this.timeout(60_000);
  let dir: string;
  let warm: WarmHandlers;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-'));
    warm = new WarmHandlers();
  });
  afterEach(async () => {
    await warm.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (version: number) => writeFileSync(join(dir, 'h.js'), `const VERSION = ${version};\n${COUNTING}`);
  const out = (r: Awaited<ReturnType<typeof runTransform>>) => JSON.parse(r.delivery!.objects[0].text);

  it('keeps module state across notebook runs of an unchanged handler (one child), and reloads when the file changes', async () => {
    write(1);
    const run = () => runTransform({ handler: { kind: 'file', path: join(dir, 'h.js') }, records: records(1), warm });
    const first = await run();
    const second = await run();
    assert.equal(out(first).calls, 1);
    assert.equal(out(second).calls, 2, 'module state persisted: the same loaded module served the second run');
    assert.equal(out(second).loadedAt, out(first).loadedAt);
    assert.ok(first.timings.compileMs > 0 || first.timings.startMs > 0, 'the first run was a cold start');
    assert.equal(second.timings.startMs, 0, 'the second run started nothing');
    assert.deepEqual(second.logs.map((l) => l.text.trim()), ['call 2'], 'each run gets only its own console output');
    assert.equal(warm.size, 1);

    write(2);
    // Make sure the modification time moves even on a coarse clock.
    utimesSync(join(dir, 'h.js'), new Date(), new Date(Date.now() + 5000));
    const third = await run();
    assert.equal(out(third).v, 2, 'the changed file is what runs now');
    assert.equal(out(third).calls, 1, 'a fresh module');
    assert.equal(warm.size, 1, 'the old child was replaced, not kept beside the new one');
  });

  it('serves a caller that leaves the options out and one that passes their defaults from the same child (the runner and the notebook)', async () => {
    write(1);
    const source = { kind: 'file' as const, path: join(dir, 'h.js') };
    const first = await warm.acquire(source);
    const second = await warm.acquire(source, { timeoutMs: DEFAULT_TIMEOUT_MS, memoryMb: DEFAULT_MEMORY_MB, region: 'us-east-1', functionName: 'local-transform' });
    assert.equal(first.cold, true);
    assert.equal(second.cold, false, 'no new child for the same options spelled out');
    assert.equal(second.proc, first.proc);
    const other = await warm.acquire(source, { timeoutMs: 5000 });
    assert.equal(other.cold, true, 'another timeout is another child');
    assert.equal(warm.size, 1);
  });

  it('keeps one child per notebook cell: an edited cell replaces its child; at most MAX_WARM handlers live', async () => {
    const cell = (code: string, label = 'cell-1.js') => ({ kind: 'code' as const, code, language: 'javascript' as const, resolveDir: dir, label });
    const identity = `exports.handler = async (e) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) });`;
    const first = await warm.acquire(cell(identity));
    const edited = await warm.acquire(cell(identity + '\n// edited'));
    assert.notEqual(edited.proc.pid, first.proc.pid);
    assert.equal(first.proc.alive, false, 'the old child of the edited cell ended');
    assert.equal(warm.size, 1);
    const procs = [];
    for (let i = 0; i < MAX_WARM + 2; i++) procs.push((await warm.acquire(cell(identity, `cell-${i + 2}.js`))).proc);
    assert.equal(warm.size, MAX_WARM);
    assert.equal(procs[0].alive, false, 'the least recently used ended first');
    assert.equal(procs[procs.length - 1].alive, true);
  });

  it('lets two runs of the same handler at once take turns on its child', async () => {
    write(1);
    const run = () => runTransform({ handler: { kind: 'file', path: join(dir, 'h.js') }, records: records(1), warm });
    const [a, b] = await Promise.all([run(), run()]);
    assert.deepEqual([out(a).calls, out(b).calls].sort(), [1, 2], 'both ran, one after the other, on one module');
    assert.equal(a.failure ?? b.failure, undefined);
  });

  it('replaces a child that an invocation killed (timeout), and the next run works', async () => {
    writeFileSync(join(dir, 'slow.js'), `exports.handler = async (e) => { if (Buffer.from(e.records[0].data, 'base64').toString().includes('slow')) await new Promise((r) => setTimeout(r, 5000)); return { records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) }; };`);
    const run = (data: string) =>
      runTransform({ handler: { kind: 'file', path: join(dir, 'slow.js') }, records: [{ ...records(1)[0], data: Buffer.from(data) }], warm, timeoutMs: 300 });
    const killed = await run('slow');
    assert.equal(killed.failure?.kind, 'timeout');
    const next = await run('fast');
    assert.equal(next.failure, undefined);
    assert.equal(next.counts.Ok, 1);
  });
});
