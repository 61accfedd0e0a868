import * as assert from 'node:assert/strict';
import {
  checkOne,
  fromSaved,
  initialState,
  keyForm,
  keyFormProblem,
  limitsText,
  progressView,
  ProducerViewState,
  resultSummary,
  runSettings,
  runSettingsFor,
  runSource,
  settingsProblem,
  startCheck,
  TAB_FILE,
  TAB_ONE,
  TAB_TEMPLATE,
  templateNote,
  toSaved,
  withAmountType,
  withTemplate,
} from '../../webview/producer/state';
import type { ProgressInfo, TemplateInfo } from '../../src/protocol/producer';

/** The producer panel's view state and validation, in plain Node (no webview, no host). */
function state(patch: Partial<ProducerViewState> = {}): ProducerViewState {
  return { ...initialState(), ...patch };
}

const TEMPLATES: TemplateInfo[] = [
  { id: 'builtin:iot', name: 'IoT', origin: 'builtin', template: '{"id": {{counter}}}', partitionKey: { type: 'field', field: 'id' } },
  { id: 'workspace:mine', name: 'Mine', origin: 'workspace', template: '{}', partitionKey: { type: 'random' } },
];

function progress(p: Partial<ProgressInfo> = {}): ProgressInfo {
  return { elapsedMs: 2000, read: 0, sent: 0, bytesSent: 0, retried: 0, shardMapRefreshes: 0, callsFailed: 0, calls: 0, undelivered: 0, rejected: 0, inFlight: 0, pending: 0, recordsPerSecond: 0, bytesPerSecond: 0, shards: {}, ...p };
}

describe('Producer view: one record', () => {
  it('checks key, hash key and data as typed, and allows Send only when all are right', () => {
    const ok = checkOne({ key: '', hash: '', format: 'json', data: '{"a": 1}' });
    assert.equal(ok.canSend, true);
    assert.match(ok.keyNote.text, /random key/);
    assert.deepEqual(ok.data, { text: '8 bytes, valid JSON', kind: 'muted' });

    const badJson = checkOne({ key: 'k', hash: '', format: 'json', data: '{"a": ' });
    assert.equal(badJson.canSend, false);
    assert.equal(badJson.data.kind, 'error');
    assert.match(badJson.data.text, /^Not valid JSON/);

    assert.match(checkOne({ key: 'x'.repeat(257), hash: '', format: 'text', data: 'a' }).key!, /257 characters: at most 256/);
    assert.match(checkOne({ key: '', hash: '12a', format: 'text', data: 'a' }).hash!, /whole number/);
    assert.match(checkOne({ key: '', hash: '340282366920938463463374607431768211456', format: 'text', data: 'a' }).hash!, /Above 2\^128-1/);
    assert.equal(checkOne({ key: '', hash: '340282366920938463463374607431768211455', format: 'text', data: 'a' }).canSend, true);
  });

  it('sizes base64 by its bytes and refuses a record over 1 MiB with its key', () => {
    assert.equal(checkOne({ key: 'k', hash: '', format: 'base64', data: 'AAEC\nAw==' }).data.text, '4 bytes');
    assert.match(checkOne({ key: 'k', hash: '', format: 'base64', data: 'AAE' }).data.text, /Not valid base64/);
    const big = checkOne({ key: 'key', hash: '', format: 'text', data: 'x'.repeat(1024 * 1024 - 2) });
    assert.equal(big.canSend, false);
    assert.match(big.data.text, /at most 1 MiB per record/);
    assert.equal(checkOne({ key: 'key', hash: '', format: 'text', data: 'x'.repeat(1024 * 1024 - 3) }).canSend, true);
  });
});

describe('Producer view: partition keys, template and run settings', () => {
  it('round-trips key specs through the form and says what a key lacks', () => {
    for (const k of [{ type: 'random' }, { type: 'fixed', value: 'a' }, { type: 'field', field: 'user.id' }, { type: 'template', template: 'd-{{int(1,2)}}' }] as const) {
      const f = keyForm(k);
      assert.equal(f.mode, k.type);
    }
    assert.equal(keyFormProblem({ mode: 'random', value: '' }), undefined);
    assert.equal(keyFormProblem({ mode: 'field', value: ' ' }), 'Name the field.');
    assert.equal(keyFormProblem({ mode: 'fixed', value: '' }), 'Enter the key.');
    assert.match(keyFormProblem({ mode: 'fixed', value: 'k'.repeat(300) })!, /at most 256/);
  });

  it('loads a template from the library, and Start follows the template, its key and the settings', () => {
    let s = state({ templates: TEMPLATES });
    s = { ...s, ...withTemplate(s, 'builtin:iot') };
    assert.equal(s.tpl.text, '{"id": {{counter}}}');
    assert.deepEqual(s.tpl.key, { mode: 'field', value: 'id' });
    assert.equal(startCheck(s).enabled, false, 'not before the preview says the template works');
    s = { ...s, preview: { pending: false, records: [{ partitionKey: '1', data: '{"id": 1}' }] } };
    assert.deepEqual(templateNote(s), { ok: true, note: { text: 'The template is valid.', kind: 'ok' } });
    assert.deepEqual(startCheck(s), { enabled: true, message: '' });
    assert.deepEqual(runSource(s), { type: 'template', template: '{"id": {{counter}}}', partitionKey: { type: 'field', field: 'id' } });

    const broken = { ...s, preview: { pending: false, records: s.preview.records, error: 'line 1, column 9: unknown placeholder "countr"' } };
    assert.deepEqual(templateNote(broken).note, { text: 'line 1, column 9: unknown placeholder "countr"', kind: 'error' });
    assert.equal(startCheck(broken).enabled, false);
    assert.equal(startCheck({ ...s, run: { ...s.run, amountValue: '0' } }).message, 'The count is a whole number above 0.');
    assert.equal(startCheck({ ...s, runState: 'running' }).enabled, false);
    assert.equal(startCheck({ ...s, tab: TAB_ONE }).enabled, false, 'the One record tab has its own Send');
  });

  it('needs a picked file and a usable key on the File tab', () => {
    const s = state({ tab: TAB_FILE });
    assert.deepEqual(startCheck(s), { enabled: false, message: 'Choose a file first.' });
    assert.equal(runSource(s), undefined);
    const picked = { ...s, file: { ...s.file, picked: { path: '/tmp/a.csv', name: 'a.csv', size: 10, format: 'csv' as const }, format: 'csv' as const, key: { mode: 'field' as const, value: '' } } };
    assert.deepEqual(startCheck(picked), { enabled: false, message: 'Name the field.' });
    const ready = { ...picked, file: { ...picked.file, key: { mode: 'field' as const, value: 'userId' } } };
    assert.equal(startCheck(ready).enabled, true);
    assert.deepEqual(runSource(ready), { type: 'file', path: '/tmp/a.csv', format: 'csv', partitionKey: { type: 'field', field: 'userId' } });
  });

  it('turns the run form into settings, and checks it', () => {
    const run = initialState().run;
    assert.deepEqual(runSettings({ ...run, amountValue: '250', rate: '100', ordered: true, skip: true }), { amount: { type: 'count', count: 250 }, rate: 100, ordered: true, aggregate: false, onInvalid: 'skip' });
    assert.deepEqual(runSettings({ ...run, amountType: 'duration', amountValue: '1.5' }).amount, { type: 'duration', seconds: 1.5 });
    assert.deepEqual(runSettings({ ...run, amountType: 'untilStopped', rate: 'abc' }), { amount: { type: 'untilStopped' }, rate: 0, ordered: false, aggregate: false, onInvalid: 'stop' });
    assert.equal(settingsProblem({ ...run, amountValue: '2.5' }), 'The count is a whole number above 0.');
    assert.equal(settingsProblem({ ...run, amountType: 'duration', amountValue: '' }), 'The duration is a number of seconds above 0.');
    assert.match(settingsProblem({ ...run, rate: '-1' })!, /rate/);
    assert.equal(settingsProblem({ ...run, amountType: 'untilStopped', amountValue: 'x' }), undefined);
    assert.equal(withAmountType({ ...run, amountValue: '6000' }, 'duration').amountValue, '60');
    assert.equal(withAmountType({ ...run, amountValue: '30' }, 'duration').amountValue, '30');
  });
});

describe('Producer view: progress, result and what survives a reload', () => {
  it('shows progress against the expected total, per-shard shares, and the result in words', () => {
    const v = progressView(progress({ sent: 600, undelivered: 0, expectedTotal: 6000, shards: { 'shardId-1': { records: 200, bytes: 2048 }, 'shardId-0': { records: 400, bytes: 4096 } } }), false);
    assert.deepEqual(v.bar, { indeterminate: false, max: 6000, value: 600 });
    assert.equal(v.stats.find((x) => x.id === 'stSent')!.value, '600 / 6,000');
    assert.deepEqual(v.shards.map((x) => [x.shardId, x.records, x.bytes, x.share.toFixed(3)]), [['shardId-0', '400', '4.0 KiB', '0.667'], ['shardId-1', '200', '2.0 KiB', '0.333']]);
    assert.equal(progressView(progress(), false).bar.indeterminate, true, 'until stopped: no end to show');
    assert.deepEqual(progressView(progress({ durationMs: 10_000, elapsedMs: 4000 }), false).bar, { indeterminate: false, max: 10_000, value: 4000 });
    assert.equal(progressView(progress({ undelivered: 3 }), false).stats.find((x) => x.id === 'stUndelivered')!.bad, true);

    const done = resultSummary({ ...progress({ sent: 6000, elapsedMs: 4000, shards: { a: { records: 1, bytes: 1 } } }), status: 'completed', problems: [], undeliveredSample: [] });
    assert.deepEqual(done, { icon: 'pass', text: 'Completed: 6,000 records sent in 4.0 s (1,500 rec/s) to 1 shard(s), 0 retried, 0 undelivered.' });
    assert.equal(resultSummary({ ...progress({ undelivered: 2 }), status: 'stopped', problems: [], undeliveredSample: [] }).icon, 'error');
    assert.match(resultSummary({ ...progress({ rejected: 4 }), status: 'failed', problems: [], undeliveredSample: [] }).text, /^Failed: .*, 4 invalid input\.$/);
  });

  it('saves the forms and the target, and restores them; a damaged saved state falls back to defaults', () => {
    const s = state({ target: { connectionId: 'local', streamName: 'orders' }, tab: TAB_ONE, one: { key: 'greeting', hash: '', format: 'text', data: 'hi' } });
    const saved = JSON.parse(JSON.stringify(toSaved(s)));
    assert.deepEqual(saved.target, { connectionId: 'local', streamName: 'orders' });
    const back = { ...initialState(), ...fromSaved(saved, initialState()) };
    assert.deepEqual(back.one, s.one);
    assert.equal(back.tab, TAB_ONE);
    assert.deepEqual(back.run, s.run);

    const damaged = fromSaved({ tab: 9, one: { format: 'exe' }, run: { amountType: 'forever', amountValue: 5 } } as never, initialState());
    assert.equal(damaged.tab, TAB_TEMPLATE);
    assert.equal(damaged.one!.format, 'json');
    assert.equal(damaged.run!.amountType, 'count');
    assert.equal(damaged.run!.amountValue, '1000');
    assert.deepEqual(fromSaved(undefined, initialState()), {});
  });
});

describe('Producer view: a delivery stream as the target', () => {
  const delivery = (patch: Partial<ProducerViewState> = {}) => state({ targetKind: 'deliveryStream', ...patch });

  it('checks no partition key or hash key, and holds a record to Firehose\'s 1,000 KiB', () => {
    const typed = { key: 'x'.repeat(300), hash: 'not a number', format: 'text' as const, data: 'a' };
    assert.equal(checkOne(typed).canSend, false, 'a data stream refuses that key and hash key');
    const c = checkOne(typed, 'deliveryStream');
    assert.equal(c.canSend, true);
    assert.equal(c.key, undefined);
    assert.equal(c.keyNote.text, '');
    const over = checkOne({ key: '', hash: '', format: 'text', data: 'x'.repeat(1000 * 1024 + 1) }, 'deliveryStream');
    assert.equal(over.canSend, false);
    assert.match(over.data.text, /Firehose takes at most 1,000 KiB per record/);
    assert.equal(checkOne({ key: '', hash: '', format: 'text', data: 'x'.repeat(1000 * 1024) }, 'deliveryStream').canSend, true);
    // 1,000 KiB + 1 byte fits a data stream's 1 MiB with its key.
    assert.equal(checkOne({ key: 'k', hash: '', format: 'text', data: 'x'.repeat(1000 * 1024 + 1) }).canSend, true);
  });

  it('starts without a key, sends no key, aggregation or order, and shows Firehose\'s limits', () => {
    const s = delivery({ tab: TAB_TEMPLATE, tpl: { text: '{"a": 1}', key: { mode: 'fixed', value: '' }, selected: '', name: '' }, run: { ...initialState().run, ordered: true, aggregate: true } });
    assert.equal(templateNote(state({ ...s, targetKind: 'dataStream' })).ok, false, 'a data stream wants the fixed key');
    assert.equal(templateNote(s).ok, true);
    assert.equal(startCheck(s).enabled, true);
    assert.deepEqual(runSource(s), { type: 'template', template: '{"a": 1}', partitionKey: { type: 'random' } });
    const settings = runSettingsFor(s);
    assert.equal(settings.aggregate, false);
    assert.equal(settings.ordered, false);
    assert.equal(runSettingsFor({ ...s, targetKind: 'dataStream' }).aggregate, true);
    assert.equal(limitsText('deliveryStream'), 'Firehose limits: 1000 KiB per record (no partition key), 500 records and 4.0 MiB per PutRecordBatch call.');
    assert.equal(limitsText('dataStream'), 'Kinesis limits: 1.0 MiB per record with its partition key, 500 records and 5.0 MiB per PutRecords call.');
    const file = delivery({ tab: TAB_FILE, file: { picked: { path: '/x.jsonl', name: 'x.jsonl', size: 1, format: 'jsonl' }, format: 'jsonl', key: { mode: 'field', value: '' } } });
    assert.equal(startCheck(file).enabled, true);
    assert.equal(startCheck({ ...file, targetKind: 'dataStream' }).enabled, false);
  });

  it('says where the records went, and keeps the target kind across a reload', () => {
    const r = { ...progress({ sent: 10, shards: { 'delivery stream': { records: 10, bytes: 100 } } }), status: 'completed' as const, problems: [], undeliveredSample: [] };
    assert.match(resultSummary(r, 'deliveryStream').text, /to the delivery stream, 0 retried/);
    assert.match(resultSummary(r).text, /to 1 shard\(s\)/);
    const saved = toSaved(delivery({ target: { connectionId: 'local', streamName: 'app-events', kind: 'deliveryStream' } }));
    assert.deepEqual(saved.target, { connectionId: 'local', streamName: 'app-events', kind: 'deliveryStream' });
  });
});
