import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/core/transform/cli';
import { hasErrors, runTransform, TransformReport } from '../../src/core/transform/engine';
import { parseJsonLines, toStored } from '../../src/core/transform/sample';
import { serializeNotebook } from '../../src/core/transform/notebookFormat';
import { SampleRecord } from '../../src/core/transform/sampleRecord';
import { HandlerSource } from '../../src/core/transform/compile';

// Compiled to out/test/core; the fixtures stay in the source tree.
const FIX = join(__dirname, '../../../test/fixtures/transform');
const file = (name: string, exportName?: string): HandlerSource => ({ kind: 'file', path: join(FIX, name), ...(exportName ? { exportName } : {}) });
const orders = () => parseJsonLines(readFileSync(join(FIX, 'orders.jsonl'), 'utf8'));

function sized(n: number, bytes: number): SampleRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const head = `{"i":${i},"pad":"`;
    return {
      shardId: 'shardId-000000000000',
      sequenceNumber: '4960' + String(i).padStart(52, '0'),
      partitionKey: `pk-${i % 10}`,
      arrivalTime: Date.UTC(2026, 10, 28, 12) + i,
      data: Buffer.from(head + 'x'.repeat(bytes - head.length - 2) + '"}'),
    };
  });
}

const codes = (r: TransformReport) => r.violations.map((v) => v.code);

describe('transform runner (isolated child process)', function () {
  this.timeout(60_000);

  it('runs an identity transform: every record Ok, the delivered output is the input concatenated', async () => {
    const recs = orders();
    const r = await runTransform({ handler: file('identity.js'), records: recs, streamName: 'orders' });
    assert.deepEqual(r.violations, []);
    assert.equal(r.counts.Ok, recs.length);
    assert.equal(r.delivery!.objects.length, 1);
    assert.equal(r.delivery!.objects[0].text, recs.map((x) => Buffer.from(x.data).toString()).join(''));
    assert.match(r.delivery!.objects[0].key, /^2026\/01\/01\/00\/local-transform-1-2026-01-01-00-00-00-/);
    assert.ok(!hasErrors(r));
  });

  it('compiles a TypeScript handler importing a local module; shows results and partition keys', async () => {
    const r = await runTransform({
      handler: file('transform.ts'),
      records: orders(),
      prefix: 'orders/customer=!{partitionKeyFromLambda:customerId}/!{timestamp:yyyy/MM/dd}/',
    });
    assert.deepEqual(r.violations, []);
    assert.equal(r.rows[3].result, 'Dropped', 'the cancelled order is dropped');
    assert.equal(r.counts.Ok, 11);
    assert.deepEqual(r.rows[0].partitionKeys, { customerId: 'c-1', status: 'new' });
    assert.match(r.rows[0].output!, /"amountCents":1000/);
    assert.deepEqual(r.delivery!.objects.map((o) => [o.prefix, o.records]), [
      ['orders/customer=c-1/2026/01/01/', 3],
      ['orders/customer=c-2/2026/01/01/', 4],
      ['orders/customer=c-3/2026/01/01/', 4],
    ]);
    assert.equal(r.rows[1].s3Prefix, 'orders/customer=c-2/2026/01/01/');
  });

  it('flags the deliberate contract violation on the right record', async () => {
    const r = await runTransform({ handler: file('contractViolation.ts'), records: orders() });
    assert.deepEqual(codes(r), ['invalid-result']);
    assert.equal(r.violations[0].recordIndex, 6);
    assert.equal(r.rows[6].result, 'OK');
    assert.equal(r.rows[6].violations, 1);
    assert.equal(r.delivery!.objects[0].records, 11, 'the invalid record is not delivered');
    assert.ok(hasErrors(r));
  });

  it('requires the handler’s own dependencies from the workspace node_modules', async () => {
    const r = await runTransform({ handler: file('withDependency.js'), records: orders().slice(0, 2) });
    assert.deepEqual(r.violations, []);
    assert.equal(r.rows[1].output, '{"id":"o-1001","customer":"c-2"}');
  });

  it('reports a thrown error with the stack mapped to the source line', async () => {
    const r = await runTransform({ handler: file('throwing.js'), records: orders() });
    assert.deepEqual(codes(r), ['handler-error']);
    assert.match(r.violations[0].message, /cannot parse record/);
    assert.match(r.violations[0].stack!, /throwing\.js:4:\d+/);
    assert.doesNotMatch(r.violations[0].stack!, /transformHost/, 'the host program’s own frames are not shown');
    assert.ok(r.rows.every((row) => row.result === 'InvocationFailed'));
  });

  it('maps a TypeScript stack to the .ts lines, through the imported module', async () => {
    const r = await runTransform({ handler: file('transform.ts', 'throwing'), records: orders() });
    assert.deepEqual(codes(r), ['handler-error']);
    assert.match(r.violations[0].stack!, /lib[\\/]enrich\.ts:13:\d+/);
    assert.match(r.violations[0].stack!, /transform\.ts:30:\d+/);
  });

  it('stops a handler that loops forever at its timeout, and the next run works', async () => {
    const r = await runTransform({ handler: file('infiniteLoop.js'), records: orders(), timeoutMs: 1500 });
    assert.deepEqual(codes(r), ['handler-timeout']);
    assert.match(r.violations[0].message, /did not finish within 1500 ms/);
    assert.match(r.logs.map((l) => l.text).join(''), /starting the loop/, 'console output before the loop is kept');
    const again = await runTransform({ handler: file('identity.js'), records: orders() });
    assert.deepEqual(again.violations, []);
  });

  it('stops a handler that allocates without end (heap limit)', async () => {
    const r = await runTransform({ handler: file('hugeAllocation.js'), records: orders(), memoryMb: 96 });
    assert.deepEqual(codes(r), ['handler-memory']);
    assert.match(r.violations[0].message, /out of memory/);
    assert.ok(!r.logs.some((l) => /v8::internal/.test(l.text)), 'V8’s crash dump is not shown as handler output');
  });

  it('stops a handler that allocates Buffers without end (memory watchdog)', async function () {
    if (process.platform !== 'linux') this.skip();
    const r = await runTransform({ handler: file('hugeBuffers.js'), records: orders(), memoryMb: 96 });
    assert.deepEqual(codes(r), ['handler-memory']);
    assert.match(r.violations[0].message, /over the 96 MB limit/);
  });

  it('ends the run with a clear message when the handler calls process.exit', async () => {
    const r = await runTransform({ handler: file('processExit.js'), records: orders() });
    assert.deepEqual(codes(r), ['handler-exit']);
    assert.match(r.violations[0].message, /called process\.exit\(3\)/);
    assert.match(r.violations[0].stack!, /processExit\.js:5:\d+/);
    assert.match(r.logs.map((l) => l.text).join(''), /got 12 records/);
  });

  it('cancels a run through its AbortSignal', async () => {
    const ctrl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctrl.abort(), 300);
    const r = await runTransform({ handler: file('infiniteLoop.js'), records: orders(), timeoutMs: 30_000, signal: ctrl.signal });
    assert.deepEqual(codes(r), ['cancelled']);
    assert.ok(Date.now() - started < 20_000, 'cancel does not wait for the timeout');
  });

  it('runs a CloudWatch Logs processor that gunzips and splits log events', async () => {
    const payload = (messageType: string, events: string[]) =>
      gzipSync(
        JSON.stringify({
          messageType,
          owner: '123456789012',
          logGroup: '/aws/lambda/orders',
          logStream: '2026/11/28/[$LATEST]abc',
          subscriptionFilters: ['all'],
          logEvents: events.map((m, i) => ({ id: String(1000 + i), timestamp: Date.UTC(2026, 10, 28) + i, message: m })),
        }),
      );
    const recs = [payload('DATA_MESSAGE', ['start', 'order o-1 paid', 'end']), payload('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE']), Buffer.from('not gzip'), payload('DATA_MESSAGE', ['one more'])].map(
      (data, i) => ({ shardId: 'shardId-000000000000', sequenceNumber: String(100 + i), partitionKey: 'p', arrivalTime: Date.UTC(2026, 10, 28, 9) + i, data }),
    );
    const r = await runTransform({ handler: file('cloudwatchLogs.js'), records: recs, prefix: 'logs/!{partitionKeyFromLambda:logGroup}/' });
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.rows.map((x) => x.result), ['Ok', 'Dropped', 'ProcessingFailed', 'Ok']);
    assert.deepEqual(r.rows[0].partitionKeys, { logGroup: 'aws-lambda-orders' });
    const lines = r.delivery!.objects[0].text.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.message), ['start', 'order o-1 paid', 'end', 'one more']);
    assert.equal(r.delivery!.objects[0].prefix, 'logs/aws-lambda-orders/');
    assert.equal(r.delivery!.errorRecords, 1);
    assert.match(r.logs.map((l) => l.text).join(''), /not a gzipped CloudWatch Logs payload/);
    assert.ok(r.logs.every((l) => l.stream === 'stderr'));
  });

  it('runs a Lambda Kinesis consumer and reads its batchItemFailures', async () => {
    const recs = parseJsonLines(['{"text":"ok 1"}', '{"text":"please fail"}', '{"text":"ok 3"}', '{"text":"ok 4"}'].join('\n'));
    const r = await runTransform({ handler: file('kinesisConsumer.js'), records: recs, mode: 'lambda-kinesis', batchSize: 2 });
    assert.deepEqual(r.violations, []);
    assert.equal(r.invocations, 2);
    assert.deepEqual(r.rows.map((x) => x.result), ['Success', 'Failed', 'Success', 'Success']);
  });

  it('runs TypeScript code written in a cell, naming the cell in stacks', async () => {
    const code = [
      "import { parseOrder } from './lib/enrich';",
      'export const handler = async (event: { records: { recordId: string; data: string }[] }) => {',
      "  const o = parseOrder(Buffer.from(event.records[0].data, 'base64').toString());",
      "  if (o.customerId === 'c-1') throw new TypeError('no c-1 please');",
      '  return { records: [] };',
      '};',
    ].join('\n');
    const r = await runTransform({ handler: { kind: 'code', code, language: 'typescript', resolveDir: FIX, label: 'cell-2.ts' }, records: orders() });
    assert.deepEqual(codes(r), ['handler-error']);
    assert.match(r.violations[0].message, /TypeError: no c-1 please/);
    assert.match(r.violations[0].stack!, /cell-2\.ts:4:\d+/);
    assert.ok(!r.violations[0].stack!.includes('kinesis-transform-'), 'no temp paths');
  });

  it('reports a compile error with its location', async () => {
    const r = await runTransform({ handler: { kind: 'code', code: 'export const handler = async (e => {', language: 'javascript', resolveDir: FIX, label: 'cell-1.js' }, records: orders() });
    assert.deepEqual(codes(r), ['handler-load']);
    assert.match(r.violations[0].message, /does not compile[\s\S]*cell-1\.js:1:/);
  });

  it('handles a 1,000-record sample', async () => {
    const recs = sized(1000, 200);
    const r = await runTransform({ handler: file('identity.js'), records: recs });
    assert.deepEqual(r.violations, []);
    assert.equal(r.counts.Ok, 1000);
    assert.equal(r.delivery!.bytes, 200 * 1000);
  });

  it('handles a 10,000-record sample of 1 KiB records, split into 1 MB invocations', async () => {
    const recs = sized(10_000, 1024);
    const r = await runTransform({ handler: file('identity.js'), records: recs });
    assert.deepEqual(r.violations, []);
    assert.equal(r.invocations, 10);
    assert.equal(r.counts.Ok, 10_000);
    assert.equal(r.delivery!.bytes, 1024 * 10_000);
    assert.equal(r.rows[9999].recordId.length > 0, true);
  });

  it('invokes one at a time in order (the next event is sent while the last response is checked), and none after one that killed the child', async () => {
    // Four invocations of 5 records; the third never returns. Module state sees every start and end.
    const code = [
      'let running = 0; let n = 0;',
      'export const handler = async (event: { records: { recordId: string; data: string }[] }) => {',
      '  const i = ++n; running++;',
      '  console.log(`start ${i} running=${running}`);',
      '  if (i === 3) for (;;) {}',
      '  await new Promise((r) => setTimeout(r, 20));',
      '  running--; console.log(`end ${i}`);',
      "  return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) };",
      '};',
    ].join('\n');
    const r = await runTransform({
      handler: { kind: 'code', code, language: 'typescript', resolveDir: FIX, label: 'cell-order.ts' },
      records: sized(20, 200),
      bufferBytes: 1000,
      timeoutMs: 1500,
    });
    assert.equal(r.invocations, 4);
    assert.deepEqual(codes(r), ['handler-timeout']);
    assert.deepEqual(
      r.logs.map((l) => l.text).join('').trim().split('\n'),
      ['start 1 running=1', 'end 1', 'start 2 running=1', 'end 2', 'start 3 running=1'],
    );
    assert.deepEqual(r.rows.map((x) => x.result), [...Array(10).fill('Ok'), ...Array(5).fill('InvocationFailed'), ...Array(5).fill('NotRun')]);
  });
});

describe('transform CLI', function () {
  this.timeout(60_000);
  it('exits 0 for a clean transform and 1 on a contract violation, naming the record', async () => {
    let out = '';
    const ok = await main(['--handler', './transform.ts#handler', '--sample', 'orders.jsonl'], FIX, (s) => (out += s));
    assert.equal(ok, 0, out);
    assert.match(out, /No contract violations/);
    out = '';
    const bad = await main(['--handler', './contractViolation.ts', '--sample', 'orders.jsonl'], FIX, (s) => (out += s));
    assert.equal(bad, 1);
    assert.match(out, /ERROR \[invalid-result\] record 7: Record 7 has result "OK"/);
    out = '';
    assert.equal(await main(['--handler', 'x.js'], FIX, (s) => (out += s)), 2);
    assert.match(out, /--sample are required/);
  });

  it('fails CI on the demo handler’s deliberate bug, on the right record, from a JSON Lines file or a notebook’s stored sample', async () => {
    let out = '';
    const demo = join(FIX, '../../../demo');
    assert.equal(await main(['--handler', './src/transform.ts', '--sample', 'orders-sample.jsonl', '--prefix', 'orders/city=!{partitionKeyFromLambda:city}/'], demo, (s) => (out += s)), 1);
    assert.match(out, /ERROR \[invalid-base64\] record 14: /);
    assert.equal((out.match(/ERROR/g) ?? []).length, 1, out);
    assert.match(out, /orders\/city=/);

    const dir = mkdtempSync(join(tmpdir(), 'kinesis-cli-'));
    const records = parseJsonLines(readFileSync(join(demo, 'orders-sample.jsonl'), 'utf8')).map(toStored);
    writeFileSync(join(dir, 'orders.kinesis-notebook'), serializeNotebook({ cells: [{ kind: 'code', language: 'json', source: '{"sample":{"stream":"orders","store":true}}', storedSample: { spec: '{"stream":"orders"}', takenAt: '', records } }] }));
    out = '';
    assert.equal(await main(['--handler', join(demo, 'src/transform.ts'), '--sample', 'orders.kinesis-notebook'], dir, (s) => (out += s)), 1);
    assert.match(out, /ERROR \[invalid-base64\] record 14: /);
    writeFileSync(join(dir, 'empty.kinesis-notebook'), serializeNotebook({ cells: [] }));
    assert.equal(await main(['--handler', join(demo, 'src/transform.ts'), '--sample', 'empty.kinesis-notebook'], dir, () => undefined), 2);
  });
});
