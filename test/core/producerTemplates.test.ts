/** Templates: placeholders, JSON escaping, errors with positions, previews and the shipped starters. */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplates, saveTemplate } from '../../src/core/producer/library';
import { recordProblem, utf8 } from '../../src/core/producer/records';
import { CompiledTemplate, parseTemplateSpec, TemplateError, TemplateGenerator } from '../../src/core/producer/templates';

const templatesDir = join(__dirname, '../../../templates');

describe('Producer templates', () => {
  it('fills counters, times, numbers, picks and faker values', () => {
    const t = new CompiledTemplate('{"n": {{counter(10, 5)}}, "i": {{int(3, 3)}}, "f": {{float(1, 1, 2)}}, "p": {{pick(["only"])}}, "w": "{{pick(["a", "b"], [0, 1])}}", "t": {{now("epochSeconds")}}, "name": "{{faker.person.firstName}}", "u": "{{uuid}}"}');
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const a = JSON.parse(t.render(0, now));
    const b = JSON.parse(t.render(1, now));
    assert.equal(a.n, 10);
    assert.equal(b.n, 15);
    assert.equal(a.i, 3);
    assert.equal(a.f, 1);
    assert.equal(a.p, 'only');
    assert.equal(a.w, 'b');
    assert.equal(a.t, Math.floor(now / 1000));
    assert.ok(typeof a.name === 'string' && a.name.length > 0);
    assert.match(a.u, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.u, b.u);
    assert.equal(new CompiledTemplate('at {{now}}').render(0, now), 'at 2026-01-02T03:04:05.000Z');
  });

  it('escapes values inside JSON strings and writes JSON values outside them', () => {
    const t = new CompiledTemplate('{"s": "say {{pick(["\\"hi\\"\\n"])}}", "v": {{pick(["x"])}}, "o": {{pick([{"a": 1}])}}, "nested": {"deep": {"k": 1}}}');
    const v = JSON.parse(t.render(0));
    assert.equal(v.s, 'say "hi"\n');
    assert.equal(v.v, 'x');
    assert.deepEqual(v.o, { a: 1 });
    assert.deepEqual(v.nested, { deep: { k: 1 } });
    // Plain text templates take values as they are.
    assert.equal(new CompiledTemplate('id={{pick(["a\\"b"])}}').render(0), 'id=a"b');
  });

  it('weighted picks follow their weights', () => {
    const t = new CompiledTemplate('{{pick(["a", "b"], [9, 1])}}', { seed: 42 });
    let a = 0;
    for (let i = 0; i < 2000; i++) if (t.render(i) === 'a') a++;
    assert.ok(a > 1600 && a < 1990, `a was picked ${a} times of 2000`);
  });

  it('reports errors with line and column', () => {
    const cases: [string, RegExp, number, number][] = [
      ['{\n  "a": {{nope}}\n}', /unknown placeholder "nope"/, 2, 10],
      ['{"a": {{faker.person.nothing}}}', /faker.person has no function "nothing"/, 1, 9],
      ['{"a": {{faker.nomodule.x}}}', /faker has no module "nomodule"/, 1, 9],
      ['{"a": {{int(1, 2}}}', /"\(" after int is never closed/, 1, 12],
      ['{"a": {{int(1, x)}}}', /not valid JSON values/, 1, 13],
      ['{"a": {{uuid}', /expected "}}" after uuid/, 1, 13],
      ['{"a": {{', /never closed/, 1, 7],
      ['line1\nline2 {{ counter  x', /expected "}}" after counter/, 2, 19],
      ['{{pick([])}}', /non-empty list/, 1, 3],
      ['{{pick(["a"], [1, 2])}}', /weights must be a list of 1/, 1, 3],
      ['{{faker.person.constructor}}', /has no function "constructor"/, 1, 3],
      ['{{faker.__proto__.x}}', /no module/, 1, 3],
    ];
    for (const [text, message, line, column] of cases) {
      assert.throws(
        () => new CompiledTemplate(text),
        (e: unknown) => {
          assert.ok(e instanceof TemplateError, `${text}: ${String(e)}`);
          assert.match(e.message, message, text);
          assert.equal(`${e.line}:${e.column}`, `${line}:${column}`, `${text}: ${e.message}`);
          assert.match(e.message, new RegExp(`^Template error at line ${line}, column ${column}`));
          return true;
        },
      );
    }
  });

  it('previews the next records and checks they are JSON', () => {
    const g = new TemplateGenerator({ template: '{"id": {{counter}}, "k": "{{pick(["x", "y"])}}"}', partitionKey: { type: 'field', field: 'k' } });
    const p = g.preview(3);
    assert.equal(p.length, 3);
    assert.deepEqual(p.map((r) => JSON.parse(r.data).id), [1, 2, 3]);
    for (const r of p) assert.equal(r.partitionKey, JSON.parse(r.data).k);
    assert.throws(() => new TemplateGenerator({ template: '{"id": {{counter}} "x": 1}' }).preview(1), /does not make valid JSON/);
    assert.equal(new TemplateGenerator({ template: '{"id": {{counter}}}\n{"id": {{counter}}}\n' }).preview(1).length, 1, 'JSON Lines');
    assert.throws(() => new TemplateGenerator({ template: '{"id": {{counter}}}\n{"id": }\n' }).preview(1), /does not make valid JSON/);
    assert.throws(() => new TemplateGenerator({ template: '{"id": 1}', partitionKey: { type: 'field', field: 'nope' } }).preview(1), /no field "nope"/);
    const keyed = new TemplateGenerator({ template: 'x', partitionKey: { type: 'template', template: 'dev-{{counter}}' } });
    assert.deepEqual(keyed.preview(2).map((r) => r.partitionKey), ['dev-1', 'dev-2']);
    assert.throws(() => new TemplateGenerator({ template: '   ' }), /empty/);
  });

  it('ships starter templates that render valid JSON (JSON Lines, text for CloudFront) with valid keys', async () => {
    const names = readdirSync(templatesDir).filter((n) => n.endsWith('.json')).sort();
    assert.deepEqual(names, ['clickstream.json', 'cloudfront-realtime-log.json', 'dynamodb-change.json', 'eventbridge-event.json', 'iot-sensor.json', 'metric-stream-batch.json', 'seed-message.json', 'stock-ticker.json']);
    for (const t of await loadTemplates(templatesDir, 'builtin')) {
      const g = new TemplateGenerator(t.spec);
      for (const r of g.preview(20)) {
        if (t.id === 'metric-stream-batch') r.data.trim().split('\n').forEach((l) => JSON.parse(l));
        else if (t.id !== 'cloudfront-realtime-log') JSON.parse(r.data);
        assert.equal(recordProblem({ data: utf8(r.data), partitionKey: r.partitionKey }), undefined, t.id);
      }
    }
    const seed = parseTemplateSpec(readFileSync(join(templatesDir, 'seed-message.json'), 'utf8'));
    assert.deepEqual(Object.keys(JSON.parse(new TemplateGenerator(seed).preview(1)[0].data)), ['Id', 'Date']);
  });

  it('saves a template in a workspace folder and loads it back', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ws-')), '.kinesis', 'templates');
    const path = await saveTemplate(dir, { name: 'My Orders!', template: '{"order": {{counter}}}', partitionKey: { type: 'random' } });
    assert.match(path, /my-orders\.json$/);
    const loaded = await loadTemplates(dir, 'workspace');
    assert.equal(loaded.length, 1);
    assert.equal(loaded[0].spec.name, 'My Orders!');
    assert.equal(loaded[0].spec.template, '{"order": {{counter}}}');
    assert.throws(() => parseTemplateSpec('{"name": "x"}'), /no "template"/);
    assert.throws(() => parseTemplateSpec('{'), /not valid JSON/);
  });
});
