import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CellSpecError, parseCell } from '../../src/core/transform/cellSpec';
import { runTransform } from '../../src/core/transform/engine';
import { parseNotebook, serializeNotebook, NotebookFormatError } from '../../src/core/transform/notebookFormat';
import { renderDelivery, renderRecordTable, renderSample, renderViolations } from '../../src/core/transform/renderHtml';
import { parseJsonLines } from '../../src/core/transform/sample';

const FIX = join(__dirname, '../../../test/fixtures/transform');

describe('transform notebook file format', () => {
  const nb = {
    cells: [
      { kind: 'markdown' as const, language: 'markdown', source: '# Title\n\ntext' },
      {
        kind: 'code' as const,
        language: 'json',
        source: '{\n  "sample": { "stream": "orders", "store": true }\n}',
        storedSample: { spec: '{"stream":"orders"}', takenAt: '2026-11-28T22:00:00.000Z', records: [{ data: 'eyJhIjoxfQ==', partitionKey: 'p', sequenceNumber: '1', shardId: 'shardId-000000000000', arrivalTime: 1 }] },
      },
      { kind: 'code' as const, language: 'typescript', source: 'export const handler = async () => ({ records: [] });' },
    ],
  };

  it('writes stable, pretty JSON: sources as lines, one stored record per line, a final newline', () => {
    const text = serializeNotebook(nb);
    assert.equal(serializeNotebook(parseNotebook(text)), text, 'round trip is byte-identical');
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /^\{\n {2}"kind": "kinesis-transform-notebook",\n {2}"version": 1,\n {2}"cells": \[/);
    assert.match(text, /"source": \[\n {8}"# Title",\n {8}"",\n {8}"text"\n {6}\]/);
    assert.match(text, /\n {10}\{"shardId":"shardId-000000000000","sequenceNumber":"1","partitionKey":"p","arrivalTime":1,"data":"eyJhIjoxfQ=="\}\n/);
    assert.deepEqual(parseNotebook(text), nb);
  });

  it('reads an empty file as an empty notebook and rejects what is not a notebook', () => {
    assert.deepEqual(parseNotebook(''), { cells: [] });
    assert.equal(serializeNotebook({ cells: [] }), '{\n  "kind": "kinesis-transform-notebook",\n  "version": 1,\n  "cells": []\n}\n');
    assert.throws(() => parseNotebook('{'), NotebookFormatError);
    assert.throws(() => parseNotebook('{"cells": 3}'), NotebookFormatError);
  });
});

describe('transform notebook cells', () => {
  it('reads sample cells', () => {
    const s = parseCell('json', '{ "sample": { "stream": "orders", "connection": "local", "from": "TRIM_HORIZON", "count": 500 } }');
    assert.deepEqual(s.kind === 'sample' && s.source, { type: 'stream', stream: 'orders', connection: 'local', from: 'TRIM_HORIZON', count: 500 });
    const f = parseCell('json', '{ "sample": { "file": "./x.jsonl", "store": true } }');
    assert.ok(f.kind === 'sample' && f.store && f.source.type === 'file');
    const t = parseCell('json', '{ "sample": { "stream": "s", "from": { "atTimestamp": "2026-11-28T10:00:00Z" } } }');
    assert.deepEqual(t.kind === 'sample' && t.source.type === 'stream' && t.source.from, { atTimestamp: '2026-11-28T10:00:00Z' });
    assert.throws(() => parseCell('json', '{ "sample": { "stream": "s", "count": 0 } }'), CellSpecError);
    assert.throws(() => parseCell('json', '{ "sample": {} }'), /needs "stream"/);
    assert.throws(() => parseCell('json', '{ nope'), /not valid JSON/);
  });

  it('reads transform cells: handler files and code with comment options', () => {
    const f = parseCell('json', '{ "handler": "./src/transform.ts#handler", "mode": "lambda-kinesis", "timeoutMs": 5000, "bufferMB": 3 }');
    assert.deepEqual(f, { kind: 'transform', handler: { type: 'file', spec: './src/transform.ts#handler' }, options: { mode: 'lambda-kinesis', timeoutMs: 5000, bufferBytes: 3 * 1024 * 1024 } });
    const c = parseCell('typescript', '// prefix: a/!{partitionKeyFromLambda:k}/\n// timeout: 2000\n// export: go\nexport const go = 1;');
    assert.ok(c.kind === 'transform' && c.handler.type === 'code');
    assert.deepEqual(c.kind === 'transform' && c.options, { mode: 'firehose', prefix: 'a/!{partitionKeyFromLambda:k}/', timeoutMs: 2000 });
    assert.equal(c.kind === 'transform' && c.handler.type === 'code' && c.handler.exportName, 'go');
    assert.throws(() => parseCell('json', '{ "handler": "x.js", "mode": "kafka" }'), /"mode"/);
    assert.deepEqual(parseCell('markdown', '# hi'), { kind: 'none' });
  });

  it('passes AWS credentials to the handler only when the cell asks, from the sample’s connection or a named one', () => {
    const opts = (lang: string, src: string) => (parseCell(lang, src) as Extract<ReturnType<typeof parseCell>, { kind: 'transform' }>).options;
    assert.equal(opts('json', '{ "handler": "x.js" }').credentials, undefined);
    assert.equal(opts('json', '{ "handler": "x.js", "credentials": false }').credentials, undefined);
    assert.equal(opts('json', '{ "handler": "x.js", "credentials": true }').credentials, true);
    assert.equal(opts('json', '{ "handler": "x.js", "credentials": "profile:prod:us-east-1" }').credentials, 'profile:prod:us-east-1');
    assert.equal(opts('javascript', '// credentials: true\nexports.handler = async () => {};').credentials, true);
    assert.equal(opts('javascript', '// credentials: false\nexports.handler = async () => {};').credentials, undefined);
    assert.throws(() => parseCell('json', '{ "handler": "x.js", "credentials": 1 }'), /"credentials" is true/);
  });
});

describe('transform notebook outputs (HTML)', function () {
  this.timeout(30_000);
  const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'`&';

  it('escapes record content, keys, messages and stacks; no script, no handlers', async () => {
    const recs = parseJsonLines([JSON.stringify({ text: evil }), JSON.stringify({ text: 'ok' })].join('\n'));
    const code = [
      'export const handler = async (event) => {',
      `  console.log(${JSON.stringify(evil)});`,
      '  return { records: event.records.map((r, i) => ({ recordId: r.recordId, result: i ? "<b>bad</b>" : "Ok", data: r.data,',
      `    metadata: { partitionKeys: { ${JSON.stringify(evil)}: ${JSON.stringify(evil)} } } })) };`,
      '};',
    ].join('\n');
    const report = await runTransform({ handler: { kind: 'code', code, language: 'javascript', resolveDir: FIX, label: 'cell.js' }, records: recs });
    assert.ok(report.violations.some((v) => v.code === 'invalid-result'));
    const html = [renderRecordTable(report), renderDelivery(report), renderViolations(report), renderSample({ description: evil, total: 1, records: [{ shardId: evil, partitionKey: evil, sequenceNumber: '1', arrivalTime: 0, text: evil }] })].join('');
    assert.ok(!/<script|<img|<b>bad|<[^>]*\son[a-z]+=|javascript:/i.test(html), 'nothing from records becomes markup');
    assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/);
    assert.match(renderRecordTable(report), /class="ktn-violating"/);
    assert.match(renderViolations(report), /record 2/);
  });
});
