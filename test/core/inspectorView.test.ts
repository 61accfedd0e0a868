import * as assert from 'node:assert/strict';
import {
  decodingFor,
  detailBodyKind,
  detailFacts,
  emptyHint,
  filterForm,
  filterFromForm,
  initialState,
  InspectorViewState,
  matchCountText,
  noticeShown,
  optionsFromForm,
  persisted,
  positionForm,
  shardChips,
  toolbarView,
  withDecoding,
  withPositionType,
} from '../../webview/inspector/state';
import { toLocalInput } from '../../webview/shared/format';
import type { InspectorStatus, RecordDetail } from '../../src/protocol/inspector';

/** The record inspector's view state and what is decided from it, in plain Node (no webview, no host). */
const SHARDS = [{ shardId: 'shardId-000000000000', open: false }, { shardId: 'shardId-000000000001', open: true }];

function status(p: Partial<InspectorStatus> = {}): InspectorStatus {
  return { state: 'stopped', shards: [], held: 0, matching: 0, dropped: 0, maxRecords: 100_000, read: 0, ...p };
}

function view(p: Partial<InspectorViewState> = {}): InspectorViewState {
  return { ...initialState(), ...p };
}

describe('Inspector view: start position', () => {
  it('reads the options Play sends from the form, and says what is missing', () => {
    const f = positionForm({ position: { type: 'LATEST' }, shards: 'all' });
    assert.deepEqual(optionsFromForm(f, SHARDS), { position: { type: 'LATEST' }, shards: 'all' });
    assert.deepEqual(optionsFromForm({ ...f, type: 'TRIM_HORIZON', shards: ['shardId-000000000001'] }, SHARDS), { position: { type: 'TRIM_HORIZON' }, shards: ['shardId-000000000001'] });
    assert.equal(optionsFromForm({ ...f, type: 'AT_TIMESTAMP', time: '' }, SHARDS), 'Choose the date and time to start at.');
    const at = optionsFromForm({ ...f, type: 'AT_TIMESTAMP', time: toLocalInput(1_700_000_000_000) }, SHARDS);
    assert.deepEqual(at, { position: { type: 'AT_TIMESTAMP', timestamp: 1_700_000_000_000 }, shards: 'all' });
    assert.equal(optionsFromForm({ ...f, type: 'AT_SEQUENCE_NUMBER', seq: '12a' }, SHARDS), 'A sequence number is digits only.');
    assert.deepEqual(optionsFromForm({ ...f, type: 'AFTER_SEQUENCE_NUMBER', seq: ' 4955 ' }, SHARDS), {
      position: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '4955', shardId: 'shardId-000000000000' },
      shards: 'all',
    });
    assert.equal(optionsFromForm({ ...f, type: 'AT_SEQUENCE_NUMBER', seq: '1' }, []), 'Choose the shard of the sequence number.');
  });

  it('fills the form back from options (a restored panel) and from a preselected shard', () => {
    const seq = positionForm({ position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '77', shardId: 'shardId-000000000001' }, shards: ['shardId-000000000001'] });
    assert.deepEqual(optionsFromForm(seq, SHARDS), { position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '77', shardId: 'shardId-000000000001' }, shards: ['shardId-000000000001'] });
    assert.deepEqual(positionForm({ position: { type: 'LATEST' }, shards: 'all' }, 'shardId-000000000001').shards, ['shardId-000000000001']);
    const ts = withPositionType(positionForm({ position: { type: 'LATEST' }, shards: 'all' }), 'AT_TIMESTAMP', 1_700_000_300_000);
    assert.equal(ts.time, toLocalInput(1_700_000_000_000), 'a timestamp start defaults to five minutes back');
    assert.equal(withPositionType({ ...ts, time: 'kept' }, 'AT_TIMESTAMP').time, 'kept');
  });
});

describe('Inspector view: filter', () => {
  it('turns the filter bar into a filter and back, widening "to" to the end of its second', () => {
    const form = { key: ' device-1 ', shard: 'shardId-000000000001', from: toLocalInput(1_700_000_000_000), to: toLocalInput(1_700_000_060_000), text: 'err', jmespath: " level == 'ERROR' " };
    const f = filterFromForm(form);
    assert.deepEqual(f, { partitionKey: 'device-1', shards: ['shardId-000000000001'], from: 1_700_000_000_000, to: 1_700_000_060_999, text: 'err', jmespath: "level == 'ERROR'" });
    assert.deepEqual(filterFromForm(filterForm(f)), f, 'a restored filter shows as it was');
    assert.deepEqual(filterFromForm({ key: ' ', shard: '', from: 'not a date', to: '', text: '', jmespath: '  ' }), {});
  });
});

describe('Inspector view: toolbar, strip, counts and notices', () => {
  it('enables what the play state allows', () => {
    assert.deepEqual(toolbarView(undefined), { stateLabel: 'Stopped', stateClass: 'stopped', playLabel: 'Play', canPlay: true, canPause: false, canStop: false, formEnabled: true });
    const playing = toolbarView(status({ state: 'playing' }));
    assert.deepEqual([playing.canPlay, playing.canPause, playing.canStop, playing.formEnabled], [false, true, true, false]);
    const paused = toolbarView(status({ state: 'paused' }));
    assert.deepEqual([paused.playLabel, paused.canPlay, paused.canPause], ['Resume', true, false]);
    assert.equal(toolbarView(status({ state: 'starting' })).canPlay, false);
  });

  it('describes each shard, and counts held and matching records', () => {
    const chips = shardChips(status({ shards: [{ shardId: 'shardId-000000000000', state: 'caught-up', recordsRead: 1234, millisBehindLatest: 4200, lastSequenceNumber: '9' }, { shardId: 'shardId-000000000001', state: 'error', recordsRead: 0, error: 'AccessDenied' }] }));
    assert.deepEqual(chips.map((c) => [c.state, c.label]), [['caught-up', ' at tip · 4.2 s behind · 1,234 read'], ['error', ' error · 0 read']]);
    assert.match(chips[1].title, /AccessDenied/);
    assert.equal(matchCountText(status({ held: 1500, matching: 1500 })), '1,500 records');
    assert.equal(matchCountText(status({ held: 1500, matching: 1 })), '1 of 1,500 records');
  });

  it('says why the list is empty, and shows a reading error before a message before the cap', () => {
    assert.equal(emptyHint(view()), 'No records yet. Choose where to start and press Play.');
    assert.equal(emptyHint(view({ status: status({ state: 'playing' }) })), 'Waiting for records…');
    assert.equal(emptyHint(view({ status: status({ held: 5, matching: 0 }) })), 'No record matches the filter.');
    assert.equal(emptyHint(view({ status: status({ held: 5, matching: 5 }), viewCount: 5 })), undefined);

    const capped = view({ status: status({ dropped: 20, maxRecords: 100 }) });
    assert.deepEqual(noticeShown(capped), { level: 'warning', message: 'Holding the newest 100 records: 20 older ones were dropped (setting kinesis.inspector.maxRecords).' });
    assert.deepEqual(noticeShown({ ...capped, notice: { level: 'info', message: 'Copied the record as JSON.' } }), { level: 'info', message: 'Copied the record as JSON.' });
    assert.deepEqual(noticeShown({ ...capped, status: status({ error: 'Shard failed' }), notice: { level: 'info', message: 'x' } }), { level: 'error', message: 'Shard failed' });
    assert.equal(noticeShown(view()), undefined);
  });
});

describe('Inspector view: detail and persistence', () => {
  const detail: RecordDetail = {
    id: 'r1', shardId: 'shardId-000000000000', sequenceNumber: '42', subSequenceNumber: 3, partitionKey: 'k', explicitHashKey: '7', arrivalTime: 1_700_000_000_000,
    size: 2048, decoding: 'auto', decodings: ['gzip', 'json'], text: '{}', isJson: true, rawHex: '', rawBase64: '', parts: 4,
  };

  it('lists the record\'s facts and picks how its body shows', () => {
    const facts = Object.fromEntries(detailFacts(detail));
    assert.equal(facts['Sequence number'], '42 (user record 3)');
    assert.equal(facts['Decoded as'], 'gzip → json');
    assert.equal(facts['Size'], '2,048 bytes');
    assert.equal(facts['Explicit hash key'], '7');
    assert.equal(facts['Parts'], '4 records; the first is shown');
    assert.equal(detailBodyKind(detail), 'json');
    assert.equal(detailBodyKind({ ...detail, truncatedFrom: 300_000 }), 'text', 'cut JSON is shown as text, not parsed');
    assert.equal(detailBodyKind({ ...detail, isJson: false, decodings: ['binary'] }), 'hex');
    assert.equal(detailBodyKind({ ...detail, cloudWatchLogs: { messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', events: [], totalEvents: 0 } }), 'cloudwatch-logs');
  });

  it('keeps a decoding chosen per record, auto by default', () => {
    let s = view();
    assert.equal(decodingFor(s, 'r1'), 'auto');
    s = { ...s, decodings: withDecoding(s, 'r1', 'binary') };
    assert.equal(decodingFor(s, 'r1'), 'binary');
    assert.equal(decodingFor(s, 'r2'), 'auto');
    s = { ...s, decodings: withDecoding(s, 'r1', 'auto') };
    assert.deepEqual(s.decodings, {});
  });

  it('persists the panel\'s stream, options, filter and sort once the host said which stream it is', () => {
    assert.equal(persisted(view()), undefined);
    const s = view({ connectionId: 'local', streamName: 'orders', options: { position: { type: 'TRIM_HORIZON' }, shards: 'all' }, filter: { text: 'x' }, sort: 'desc' });
    assert.deepEqual(persisted(s), { connectionId: 'local', streamName: 'orders', options: { position: { type: 'TRIM_HORIZON' }, shards: 'all' }, filter: { text: 'x' }, sort: 'desc' });
  });
});
