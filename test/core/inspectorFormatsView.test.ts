import * as assert from 'node:assert/strict';
import { detailBodyKind, detailFacts, hiddenText, initialState, InspectorViewState, noticeShown, optionsFromForm, persisted, positionForm, windowEndFromForm, windowText, withEndType } from '../../webview/inspector/state';
import { columnTitle, formatColumnChoices, listColumns, soleFormat, withFieldColumn } from '../../webview/inspector/columns';
import { toLocalInput } from '../../webview/shared/format';
import { formatColumnsList } from '../../src/core/records/formats';
import { MAX_FIELD_COLUMNS, sanitizeColumns, sanitizeOptions } from '../../src/protocol/inspector';
import type { InspectorStatus, RecordDetail } from '../../src/protocol/inspector';

/** The inspector's view state for recognised formats, columns from fields and read windows, in plain Node. */
const SHARDS = [{ shardId: 'shardId-000000000000', open: true }];

function status(p: Partial<InspectorStatus> = {}): InspectorStatus {
  return { state: 'stopped', shards: [], held: 0, matching: 0, dropped: 0, maxRecords: 100_000, read: 0, ...p };
}

function view(p: Partial<InspectorViewState> = {}): InspectorViewState {
  return { ...initialState(), formats: FORMAT_INFO_FOR_TESTS, ...p };
}

const FORMAT_INFO_FOR_TESTS = formatColumnsList();

describe('Inspector view: read a window', () => {
  const base = positionForm({ position: { type: 'TRIM_HORIZON' }, shards: 'all' });

  it('sends an end time or a record count with the start, and says what is wrong with one', () => {
    assert.deepEqual(optionsFromForm(base, SHARDS), { position: { type: 'TRIM_HORIZON' }, shards: 'all' }, 'no end: none sent');
    const at = optionsFromForm({ ...base, end: 'time', endTime: toLocalInput(1_700_000_060_000) }, SHARDS);
    assert.deepEqual(at, { position: { type: 'TRIM_HORIZON' }, shards: 'all', end: { at: 1_700_000_060_999 } }, 'the end time is the end of its second');
    assert.deepEqual(optionsFromForm({ ...base, end: 'count', endCount: ' 250 ' }, SHARDS), { position: { type: 'TRIM_HORIZON' }, shards: 'all', end: { count: 250 } });
    assert.equal(optionsFromForm({ ...base, end: 'count', endCount: '0' }, SHARDS), 'The number of records to read is a whole number of 1 or more.');
    assert.equal(optionsFromForm({ ...base, end: 'count', endCount: '2.5' }, SHARDS), 'The number of records to read is a whole number of 1 or more.');
    assert.equal(optionsFromForm({ ...base, end: 'time', endTime: '' }, SHARDS), 'Choose the date and time to stop at.');
    const startAt = { ...base, type: 'AT_TIMESTAMP' as const, time: toLocalInput(1_700_000_600_000) };
    assert.equal(windowEndFromForm({ ...startAt, end: 'time', endTime: toLocalInput(1_700_000_000_000) }), 'The end is before the start: choose an end time after the start time.');
  });

  it('fills the end back from options (a restored panel), with defaults when the end type changes', () => {
    const restored = positionForm({ position: { type: 'TRIM_HORIZON' }, shards: 'all', end: { count: 40 } });
    assert.deepEqual([restored.end, restored.endCount], ['count', '40']);
    assert.deepEqual(optionsFromForm(restored, SHARDS), { position: { type: 'TRIM_HORIZON' }, shards: 'all', end: { count: 40 } });
    const startAt = { ...base, type: 'AT_TIMESTAMP' as const, time: toLocalInput(1_700_000_000_000) };
    assert.equal(withEndType(startAt, 'time').endTime, toLocalInput(1_700_000_300_000), 'an end time defaults to five minutes after the start');
    assert.equal(withEndType(base, 'count').endCount, '1000');
    assert.equal(withEndType({ ...base, endCount: '7' }, 'count').endCount, '7', 'a count typed is kept');
  });

  it('the host checks the end too: a bad count is refused in words, an empty end is none', () => {
    assert.deepEqual(sanitizeOptions({ position: { type: 'LATEST' }, shards: 'all', end: { count: 5 } }), { position: { type: 'LATEST' }, shards: 'all', end: { count: 5 } });
    assert.deepEqual(sanitizeOptions({ position: { type: 'LATEST' }, shards: 'all', end: {} }), { position: { type: 'LATEST' }, shards: 'all' });
    assert.throws(() => sanitizeOptions({ position: { type: 'LATEST' }, shards: 'all', end: { count: -1 } }), /whole number of 1 or more/);
  });

  it('says where the read ends while it reads, and why it stopped once it did', () => {
    assert.equal(windowText(status({ state: 'playing' })), undefined, 'no window, nothing to say');
    assert.equal(windowText(status({ state: 'playing', end: { count: 500 } })), 'Reading for 500 records.');
    assert.match(windowText(status({ state: 'playing', end: { at: 1_700_000_000_999 } }))!, /^Reading until .*2023/);
    const ended = status({ state: 'stopped', end: { count: 500 }, ended: { reason: 'count', recordsRead: 500 } });
    assert.equal(windowText(ended), 'Stopped after 500 records (the count asked): 500 records read.');
    assert.deepEqual(noticeShown(view({ status: ended })), { level: 'info', message: 'Stopped after 500 records (the count asked): 500 records read.' });
    assert.match(windowText(status({ end: { at: 1_700_000_000_999 }, ended: { reason: 'time', recordsRead: 12 } }))!, /^Stopped at the end time .*: 12 records read\.$/);
  });
});

describe('Inspector view: recognised formats and columns', () => {
  it('shows a format\'s columns when every record shown is of it, none when they are mixed', () => {
    const dynamo = view({ status: status({ formats: { dynamodb: 12 } }) });
    assert.equal(soleFormat(dynamo.status), 'dynamodb');
    assert.deepEqual(listColumns(dynamo).map((c) => c.key), FORMAT_INFO_FOR_TESTS.find((f) => f.name === 'dynamodb')!.columns.map((c) => `dynamodb:${c.id}`));
    assert.deepEqual(listColumns(view({ status: status({ formats: { dynamodb: 3, eventbridge: 2 } }) })), [], 'mixed formats: no format columns');
    assert.deepEqual(listColumns(view({ status: status({ formats: { other: 3 } }) })), [], 'plain JSON: none');
    assert.equal(soleFormat(status({ formats: { eventbridge: 0, other: 0, dynamodb: 1 } })), 'dynamodb', 'formats no record shown is of do not count');
  });

  it('the column chooser picks a format\'s columns or none, whatever is shown', () => {
    const mixed = view({ status: status({ formats: { dynamodb: 3, eventbridge: 2 } }) });
    assert.deepEqual(listColumns({ ...mixed, columnChoice: 'eventbridge' }).map((c) => c.key).slice(0, 2), ['eventbridge:time', 'eventbridge:source']);
    assert.deepEqual(listColumns({ ...view({ status: status({ formats: { dynamodb: 3 } }) }), columnChoice: 'none' }), []);
  });

  it('adds columns from fields after the format\'s, titled, checked, and kept with the panel', () => {
    let cols = withFieldColumn([], ' detail.status ');
    assert.deepEqual(cols, ['detail.status']);
    cols = withFieldColumn(cols as string[], 'dynamodb:tableName');
    assert.deepEqual(cols, ['detail.status', 'dynamodb:tableName']);
    assert.equal(withFieldColumn(cols as string[], 'detail.status'), 'The list already has the column "detail.status".');
    assert.match(withFieldColumn([], '  ') as string, /^Type a JMESPath/);
    assert.match(withFieldColumn(Array.from({ length: MAX_FIELD_COLUMNS }, (_, i) => `f${i}`), 'x') as string, /remove one first/);

    const s = view({ connectionId: 'local', streamName: 'aws-formats', columns: cols as string[], status: status({ formats: { eventbridge: 4 } }) });
    const list = listColumns(s);
    assert.deepEqual(list.filter((c) => c.field).map((c) => [c.key, c.title]), [['detail.status', 'detail.status'], ['dynamodb:tableName', 'Table (dynamodb)']]);
    assert.equal(list[0].key, 'eventbridge:time', 'the format\'s columns come first');
    assert.equal(columnTitle(s, 'nosuch:col'), 'nosuch:col');
    assert.deepEqual(persisted(s)?.columns, ['detail.status', 'dynamodb:tableName']);
    assert.equal(persisted(view({ connectionId: 'local', streamName: 'x' }))?.columns, undefined);
    assert.ok(formatColumnChoices(FORMAT_INFO_FOR_TESTS).some((c) => c.spec === 'cloudfront-realtime-log:c-ip'));
    assert.deepEqual(sanitizeColumns([' a ', 'a', 7, '', 'b']), ['a', 'b'], 'the host keeps well-formed, distinct specs');
  });

  it('names the format and its layers in the detail, and shows its own detail', () => {
    const d: RecordDetail = {
      id: 'r', shardId: 's', sequenceNumber: '1', partitionKey: 'k', arrivalTime: 0, size: 10, decoding: 'auto', decodings: ['gzip', 'dynamodb'], text: '{}', isJson: true, rawHex: '', rawBase64: '',
      format: { name: 'dynamodb', title: 'DynamoDB change', layers: 'gzip+dynamodb', detail: { format: 'dynamodb', title: 'MODIFY Music', sections: [{ kind: 'diff', title: 'Changed', changes: [{ name: 'a', change: 'changed', old: 1, new: 2 }] }] } },
    };
    assert.equal(Object.fromEntries(detailFacts(d))['Format'], 'DynamoDB change (gzip+dynamodb)');
    assert.equal(detailBodyKind(d), 'format');
    assert.equal(detailBodyKind({ ...d, format: { ...d.format!, detail: undefined } }), 'json', 'a format with no sections shows its JSON');
    assert.equal(hiddenText(status({ controlMessagesHidden: 3 })), '3 CloudWatch Logs control messages hidden');
    assert.equal(hiddenText(status()), undefined);
  });
});
