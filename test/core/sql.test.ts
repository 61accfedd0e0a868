import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { StreamService } from '../../src/core/kinesis/streamService';
import { readAll } from '../../src/core/records/reader';
import type { RawRecord } from '../../src/core/records/types';
import { chartSpec, renderChartSvg } from '../../src/core/sql/chart';
import { LoadPath, SqlError, SqlSession } from '../../src/core/sql/engine';
import { prepareQuery } from '../../src/core/sql/query';
import { describeRecords, resultToRecords, runSqlCell } from '../../src/core/sql/run';
import { flinkSql, glueColumns, glueDdl } from '../../src/core/sql/schema';
import { recordsToRows } from '../../src/core/sql/table';
import { NotInferable } from '../../src/core/sql/columns';
import { runTransform } from '../../src/core/transform/engine';
import { main as notebookMain } from '../../src/core/transform/notebookRunner';
import { serializeNotebook, NotebookCellJson } from '../../src/core/transform/notebookFormat';
import { sampleFromStream } from '../../src/core/transform/sample';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(
    records: { partitionKey: string; data: Buffer }[],
    handler: (encoded: { partitionKey: string; data: Buffer }, done: (err?: Error) => void) => void,
    after: () => void,
    onError: (e: Error) => void,
  ): void;
};

function aggregate(records: { partitionKey: string; data: Buffer }[]): Promise<{ partitionKey: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const out: { partitionKey: string; data: Buffer }[] = [];
    agg.aggregate(records, (encoded, done) => (out.push(encoded), done()), () => resolve(out), reject);
  });
}

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);

/** Orders at one a minute from T0 (event time "at"), cities in turn; one in five has no userId. */
function order(i: number) {
  const city = ['Tallinn', 'Lisbon', 'Osaka'][i % 3];
  return {
    orderId: `o-${i}`,
    ...(i % 5 === 4 ? {} : { userId: `u-${i % 7}` }),
    city,
    total: 10 + i,
    at: new Date(T0 + i * 60_000).toISOString(),
    customer: { id: `c-${i}`, address: { city, zip: String(10000 + i) } },
  };
}

describe('SQL cells (DuckDB) over records read from kinesalite', function () {
  this.timeout(120_000);
  let ep: TestEndpoint;
  let stream: string;
  let orders: RawRecord[];

  before(async () => {
    ep = await startKinesalite();
    stream = uniqueName('sql');
    const svc = new StreamService(ep.client);
    await svc.create(stream, { shardCount: 2 });
    await svc.waitFor(stream, 'ACTIVE', { intervalMs: 20 });
    await ep.client.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 30 }, (_, i) => ({ PartitionKey: `c-${i}`, Data: Buffer.from(JSON.stringify(order(i))) })) }));
    orders = await readAll(ep.client, stream, { type: 'TRIM_HORIZON' });
    assert.equal(orders.length, 30);
  });
  after(() => ep.close());

  describe('the table', () => {
    it('has the metadata columns, then the JSON fields, nested objects reachable', async () => {
      const r = await runSqlCell('SELECT * FROM records', { records: orders });
      const names = r.columns.map((c) => c.name);
      assert.deepEqual(names.slice(0, 6), ['arrival_time', 'shard_id', 'partition_key', 'sequence_number', 'sub_sequence_number', 'size']);
      for (const f of ['orderId', 'userId', 'city', 'total', 'at', 'customer']) assert.ok(names.includes(f), `column ${f} in ${names}`);
      const type = (n: string) => r.columns.find((c) => c.name === n)!.type;
      assert.equal(type('arrival_time'), 'TIMESTAMP');
      assert.equal(type('size'), 'BIGINT');
      assert.equal(type('total'), 'BIGINT');
      assert.equal(type('at'), 'TIMESTAMP');
      assert.equal(type('customer'), 'STRUCT("id" VARCHAR, "address" STRUCT("city" VARCHAR, "zip" VARCHAR))');
      assert.equal(r.rowCount, 30);

      const nested = await runSqlCell("SELECT customer.address.zip AS zip, partition_key, shard_id, size FROM records WHERE orderId = 'o-7'", { records: orders });
      const raw = orders.find((o) => JSON.parse(Buffer.from(o.data).toString()).orderId === 'o-7')!;
      assert.deepEqual(nested.rows, [['10007', 'c-7', raw.shardId, raw.data.byteLength]]);
    });

    it('has a column for a field that first appears after the rows types are inferred from, and takes a later value of another type', async () => {
      const many: RawRecord[] = Array.from({ length: 25_000 }, (_, i) => ({
        shardId: 'shardId-000000000000',
        sequenceNumber: String(i),
        partitionKey: 'k',
        arrivalTime: T0 + i,
        data: Buffer.from(JSON.stringify(i === 24_999 ? { v: 'text', late: true } : { v: i })),
      }));
      const r = await runSqlCell('SELECT count(*) FILTER (WHERE late) AS late, count(DISTINCT v) AS v FROM records', { records: many });
      assert.deepEqual(r.rows, [[1, 25_000]]);
    });

    it('is loaded as typed columns, the table DuckDB\'s JSON reader makes from the same rows (types and values)', async () => {
      // Every shape the typed load infers itself, beside the reader's own inference of it.
      const shapes = (i: number) => ({
        n: i,
        ratio: i % 2 ? i / 4 : i,
        ok: i % 3 === 0,
        at: new Date(T0 + i * 1234.5).toISOString(),
        micros: `2026-11-28T10:00:00.${String(i).padStart(6, '0')}Z`,
        zip: String(10000 + i),
        note: i % 4 ? `a "quoted" note, ${i}` : '2026-11-28T10:00:00Z',
        word: ["it's", '', 'naïve ☕', 'x'][i % 4],
        empty: null,
        mixed: [1, 'one', true, { one: 1 }, [1]][i % 5],
        tags: i % 3 ? ['a', `t${i}`] : [],
        lines: [{ sku: `s${i}`, qty: i }, { sku: 'x', price: 1.5 }],
        customer: i % 7 === 3 ? null : { id: `c-${i}`, 'odd "key"': i, address: { city: ['Tallinn', 'Osaka'][i % 2], at: new Date(T0 + i).toISOString(), ...(i % 3 ? { zip: null } : {}) } },
        ...(i === 59 ? { late: 'field' } : {}),
      });
      const records: RawRecord[] = Array.from({ length: 60 }, (_, i) => ({ shardId: `shardId-00000000000${i % 2}`, sequenceNumber: String(1000 + i), partitionKey: `k${i % 3}`, arrivalTime: T0 + i, data: Buffer.from(JSON.stringify(shapes(i))) }));
      const table = async (via: LoadPath) => {
        const s = await SqlSession.create();
        try {
          await s.load('records', recordsToRows(records), { via });
          assert.equal(s.loadedVia.records, via);
          const types = await s.query('SELECT column_name, column_type FROM (DESCRIBE records)');
          const rows = await s.query('SELECT * FROM records ORDER BY sequence_number');
          return { types: types.rows, rows: rows.rows };
        } finally {
          s.close();
        }
      };
      const typed = await table('columns');
      const reader = await table('json-lines');
      assert.deepEqual(typed.types, reader.types);
      assert.deepEqual(typed.rows, reader.rows);
      const type = (n: string) => String(typed.types.find((t) => t[0] === n)?.[1]);
      // The shapes are what they claim to be (so the comparison covers them).
      assert.equal(type('micros'), 'TIMESTAMP');
      assert.equal(type('note'), 'VARCHAR');
      assert.equal(type('mixed'), 'JSON');
      assert.equal(type('lines'), 'STRUCT(sku VARCHAR, qty BIGINT, price DOUBLE)[]');
      assert.equal(type('customer'), 'STRUCT(id VARCHAR, "odd ""key""" BIGINT, address STRUCT(city VARCHAR, "at" TIMESTAMP, zip JSON))');
      assert.equal(type('late'), 'VARCHAR');

      // A plain sample takes the typed path too.
      const s = await SqlSession.create();
      try {
        await s.load('records', recordsToRows(orders));
        assert.equal(s.loadedVia.records, 'columns');
      } finally {
        s.close();
      }
    });

    it('leaves to DuckDB\'s JSON reader the shapes only it infers (times, maps, far dates), with the same result', async () => {
      const records: RawRecord[] = Array.from({ length: 10 }, (_, i) => ({
        shardId: 'shardId-000000000000',
        sequenceNumber: String(i),
        partitionKey: 'k',
        arrivalTime: T0 + i,
        data: Buffer.from(JSON.stringify({ opens: `0${i}:30`, day: `2026-11-${String(10 + i)}`, attributes: {}, n: i, nul: 'a\u0000b', far: '2999-01-01T00:00:00.123457Z' })),
      }));
      const s = await SqlSession.create();
      try {
        await assert.rejects(s.load('typed', recordsToRows(records), { via: 'columns' }), /dates or times/);
        await s.load('records', recordsToRows(records));
        assert.equal(s.loadedVia.records, 'json-lines');
        const r = await s.query("SELECT column_name, column_type FROM (DESCRIBE records) WHERE column_name IN ('opens', 'attributes', 'day') ORDER BY 1");
        assert.deepEqual(r.rows, [['attributes', 'MAP(VARCHAR, JSON)'], ['day', 'DATE'], ['opens', 'TIME']]);
        const nul = await s.query('SELECT DISTINCT length(nul) FROM records');
        assert.deepEqual(nul.rows, [[3]]);
        // Each of those shapes alone is left to the reader.
        const far = await s.query('SELECT DISTINCT microsecond(far) FROM records');
        assert.deepEqual(far.rows, [[123457]]);
        for (const field of ['opens', 'day', 'attributes', 'nul', 'far']) {
          const only = records.map((x) => ({ ...x, data: Buffer.from(JSON.stringify({ [field]: JSON.parse(Buffer.from(x.data).toString())[field] })) }));
          await assert.rejects(s.load('typed', recordsToRows(only), { via: 'columns' }), NotInferable, field);
        }
      } finally {
        s.close();
      }
    });

    it('answers "which records have no userId"', async () => {
      const r = await runSqlCell('SELECT orderId FROM records WHERE userId IS NULL ORDER BY total', { records: orders });
      assert.deepEqual(r.rows.map((x) => x[0]), ['o-4', 'o-9', 'o-14', 'o-19', 'o-24', 'o-29']);
    });

    it('has one row per KPL user record, with its sub-sequence number and partition key', async () => {
      const name = uniqueName('sqlkpl');
      const svc = new StreamService(ep.client);
      await svc.create(name, { shardCount: 1 });
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      const users = Array.from({ length: 12 }, (_, i) => ({ partitionKey: `dev-${i % 3}`, data: Buffer.from(JSON.stringify({ device: `dev-${i % 3}`, reading: i })) }));
      const encoded = await aggregate(users);
      await ep.client.send(new PutRecordsCommand({ StreamName: name, Records: encoded.map((e) => ({ PartitionKey: e.partitionKey, Data: e.data })) }));
      const raws = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
      assert.ok(raws.length < users.length, 'the records are aggregates');
      const r = await runSqlCell('SELECT partition_key, sub_sequence_number, reading FROM records ORDER BY reading', { records: raws });
      assert.equal(r.rowCount, 12);
      assert.deepEqual(r.rows.map((x) => x[2]), users.map((_, i) => i));
      assert.deepEqual(r.rows.map((x) => x[0]), users.map((u) => u.partitionKey));
      assert.equal(r.columns.find((c) => c.name === 'sub_sequence_number')!.type, 'BIGINT');
      assert.ok(r.rows.every((x) => typeof x[1] === 'number'));
    });

    it('has one row per CloudWatch Logs event (gzip undone), with the fields of JSON messages', async () => {
      const name = uniqueName('sqlcwl');
      const svc = new StreamService(ep.client);
      await svc.create(name, { shardCount: 1 });
      await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
      const payload = {
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup: '/aws/lambda/orders',
        logStream: '2026/11/28/[$LATEST]abc',
        subscriptionFilters: ['to-kinesis'],
        logEvents: [
          { id: '1', timestamp: T0, message: JSON.stringify({ level: 'ERROR', service: 'billing' }) },
          { id: '2', timestamp: T0 + 1000, message: JSON.stringify({ level: 'INFO', service: 'billing' }) },
          { id: '3', timestamp: T0 + 2000, message: 'START RequestId: 42' },
        ],
      };
      await ep.client.send(new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: 'logs', Data: gzipSync(JSON.stringify(payload)) }] }));
      const raws = await readAll(ep.client, name, { type: 'TRIM_HORIZON' });
      const r = await runSqlCell('SELECT log_group, log_event_id, log_timestamp, message, level FROM records ORDER BY log_event_id', { records: raws });
      assert.deepEqual(
        r.rows.map((x) => [x[0], x[1], x[2], x[4]]),
        [
          ['/aws/lambda/orders', '1', '2026-11-28 10:00:00', 'ERROR'],
          ['/aws/lambda/orders', '2', '2026-11-28 10:00:01', 'INFO'],
          ['/aws/lambda/orders', '3', '2026-11-28 10:00:02', null],
        ],
      );
      assert.equal(r.rows[2][3], 'START RequestId: 42');
    });
  });

  describe('windows', () => {
    it('tumble() groups by the event-time field into fixed windows', async () => {
      const r = await runSqlCell(`SELECT tumble("at", INTERVAL 10 MINUTE) AS w, count(*) AS n, sum(total) AS s FROM records GROUP BY w ORDER BY w`, { records: orders });
      assert.deepEqual(r.rows, [
        ['2026-11-28 10:00:00', 10, 145],
        ['2026-11-28 10:10:00', 10, 245],
        ['2026-11-28 10:20:00', 10, 345],
      ]);
      const end = await runSqlCell(`SELECT DISTINCT tumble_end("at", INTERVAL 10 MINUTE) AS e FROM records ORDER BY e LIMIT 1`, { records: orders });
      assert.deepEqual(end.rows, [['2026-11-28 10:10:00']]);
    });

    it('hop() puts each record in every hopping window that holds it', async () => {
      const r = await runSqlCell(
        `SELECT w, count(*) AS n FROM records, UNNEST(hop("at", INTERVAL 5 MINUTE, INTERVAL 10 MINUTE)) AS t(w) GROUP BY w ORDER BY w`,
        { records: orders },
      );
      // Windows of 10 minutes every 5: the first starts 5 minutes before the data, each full one holds 10.
      assert.deepEqual(r.rows[0], ['2026-11-28 09:55:00', 5]);
      assert.deepEqual(r.rows[1], ['2026-11-28 10:00:00', 10]);
      assert.equal(r.rows.reduce((n, x) => n + (x[1] as number), 0), 60, 'each record counted in two windows');
    });

    it('tumble() over the arrival time', async () => {
      const r = await runSqlCell(`SELECT count(*) FROM records GROUP BY tumble(arrival_time, INTERVAL 1 DAY)`, { records: orders });
      assert.deepEqual(r.rows, [[30]]);
    });
  });

  describe('errors say where', () => {
    it('an unknown column: line and column of the name, with the candidates', async () => {
      const q = 'SELECT city,\n       count(*)\nFROM records\nWHERE cty = 1';
      const e = await runSqlCell(q, { records: orders }).then(() => undefined, (x) => x);
      assert.ok(e instanceof SqlError, String(e));
      assert.equal(e.line, 4);
      assert.equal(e.column, 7);
      assert.match(e.message, /cty/);
      assert.match(e.message, /city/);
      assert.match(e.describe(q), /WHERE cty = 1\n\s+\^/);
    });

    it('a syntax error: where the parser stopped', async () => {
      const e = await runSqlCell('SELECT city, count(* FROM records', { records: orders }).then(() => undefined, (x) => x);
      assert.ok(e instanceof SqlError);
      assert.equal(e.line, 1);
      assert.equal(e.column, 22);
    });

    it('an unknown table says which tables there are; no sample above says how to add one', async () => {
      const typo = await runSqlCell('SELECT * FROM recods', { records: orders }).then(() => undefined, (x) => x);
      assert.ok(typo instanceof SqlError);
      assert.match(typo.message, /recods/);
      assert.doesNotMatch(typo.message, /pg_/);
      const staged = await runSqlCell('SELECT * FROM records_columns', { records: orders }).then(() => undefined, (x) => x);
      assert.ok(staged instanceof SqlError);
      assert.doesNotMatch(staged.message, /kinesis_staging/, 'the staged columns stay out of sight');
      const none = await runSqlCell('SELECT * FROM records', {}).then(() => undefined, (x) => x);
      assert.match(String(none.message), /no sample cell above/);
      assert.equal(none.column, 15);
    });

    it('a bad stream(...) argument and a bad expect line, at their place', () => {
      const q = "SELECT *\nFROM stream('orders', count => 0)";
      assert.throws(() => prepareQuery(q), (e: SqlError) => e.line === 2 && e.column === 32 && /count is a whole number/.test(e.message));
      assert.throws(() => prepareQuery('-- expect: nothing\nSELECT 1'), (e: SqlError) => e.line === 1 && /"empty".*"rows"/.test(e.message));
      assert.throws(() => prepareQuery("SELECT * FROM stream(orders)"), (e: SqlError) => e.column === 22);
    });

    it('positions after a stream(...) call stay true', async () => {
      const q = "SELECT nope FROM stream('" + stream + "', count => 5) WHERE 1 = 1";
      const e = await runSqlCell(q, { readStream: (c) => sampleFromStream(ep.client, c.stream, { from: c.from, count: c.count }) }).then(() => undefined, (x) => x);
      assert.ok(e instanceof SqlError);
      assert.equal(e.column, 8);
      const q2 = "SELECT count(*) FROM stream('" + stream + "', count => 5) WHERE nope = 1";
      const e2 = await runSqlCell(q2, { readStream: (c) => sampleFromStream(ep.client, c.stream, { from: c.from, count: c.count }) }).then(() => undefined, (x) => x);
      assert.equal(e2.column, q2.indexOf('nope') + 1);
    });
  });

  it('reads a stream directly with stream(name, from, count)', async () => {
    const calls: unknown[] = [];
    const r = await runSqlCell(`SELECT city, count(*) AS n FROM stream('${stream}', from => 'TRIM_HORIZON', count => 12) GROUP BY city ORDER BY city`, {
      readStream: (c) => (calls.push(c), sampleFromStream(ep.client, c.stream, { from: c.from, count: c.count })),
    });
    assert.deepEqual(calls, [{ table: 's1', stream, from: 'TRIM_HORIZON', count: 12 }]);
    assert.equal(r.rows.reduce((n, x) => n + (x[1] as number), 0), 12);
    assert.equal(r.tables.s1, 12);
  });

  it('-- expect: empty / rows turns the query into a check', async () => {
    const pass = await runSqlCell('-- expect: empty\nSELECT * FROM records WHERE total < 0', { records: orders });
    assert.equal(pass.checkFailure, undefined);
    const fail = await runSqlCell('-- expect: empty\nSELECT * FROM records WHERE userId IS NULL', { records: orders });
    assert.match(fail.checkFailure!, /expected no rows, the query returned 6/);
    const rows = await runSqlCell("-- expect: rows\nSELECT * FROM records WHERE city = 'Nowhere'", { records: orders });
    assert.match(rows.checkFailure!, /expected rows/);
  });

  it('a SQL result feeds a transform, and the transform output is a table', async () => {
    const r = await runSqlCell("SELECT partition_key, city, total FROM records WHERE city = 'Osaka' ORDER BY total", { records: orders });
    const records = resultToRecords(r);
    assert.equal(records.length, 10);
    assert.equal(records[0].partitionKey, 'c-2');
    assert.deepEqual(JSON.parse(Buffer.from(records[0].data).toString()), { city: 'Osaka', total: 12 });
    const report = await runTransform({
      handler: {
        kind: 'code',
        language: 'javascript',
        label: 'cell.js',
        resolveDir: tmpdir(),
        code: `exports.handler = async (e) => ({ records: e.records.map((r) => { const o = JSON.parse(Buffer.from(r.data, 'base64')); return o.total > 20
          ? { recordId: r.recordId, result: 'Ok', data: Buffer.from(JSON.stringify({ ...o, big: true })).toString('base64'), metadata: { partitionKeys: { city: o.city.toLowerCase() } } }
          : { recordId: r.recordId, result: 'Dropped', data: r.data }; }) })`,
      },
      records,
      prefix: 'city=!{partitionKeyFromLambda:city}/',
    });
    const out = await runSqlCell('SELECT result, pk_city, count(*) AS n, bool_and(big) AS big FROM output GROUP BY ALL ORDER BY result', { records: orders, transform: { report, input: records } });
    assert.deepEqual(out.rows, [
      ['Dropped', null, 3, null],
      ['Ok', 'osaka', 7, true],
    ]);
  });

  it('infers the Glue table (columns and DDL) and the Flink SQL', async () => {
    const columns = await describeRecords(orders);
    const glue = glueColumns(columns);
    assert.deepEqual(glue, [
      { Name: 'orderid', Type: 'string' },
      { Name: 'userid', Type: 'string' },
      { Name: 'city', Type: 'string' },
      { Name: 'total', Type: 'bigint' },
      { Name: 'at', Type: 'timestamp' },
      { Name: 'customer', Type: 'struct<id:string,address:struct<city:string,zip:string>>' },
    ]);
    assert.match(glueDdl('orders', columns), /CREATE EXTERNAL TABLE `orders` \(\n  `orderid` string,[\s\S]*`customer` struct<id:string,address:struct<city:string,zip:string>>\n\)\nROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'/);
    const flink = flinkSql({ stream: 'orders', region: 'eu-west-1', columns, query: 'SELECT city, count(*) FROM records GROUP BY city' });
    assert.match(flink, /`customer` ROW<`id` STRING, `address` ROW<`city` STRING, `zip` STRING>>,/);
    assert.match(flink, /'connector' = 'kinesis',\n  'stream' = 'orders',\n  'aws.region' = 'eu-west-1'/);
    assert.match(flink, /SELECT city, count\(\*\) FROM `orders` GROUP BY city;$/);
  });

  it('charts a time column and a number, a line per text value', async () => {
    const r = await runSqlCell(`SELECT tumble("at", INTERVAL 10 MINUTE) AS w, city, count(*) AS n FROM records GROUP BY ALL ORDER BY w`, { records: orders });
    const spec = chartSpec(r.columns, r.rows)!;
    assert.equal(spec.x, 'w');
    assert.equal(spec.y, 'n');
    assert.equal(spec.by, 'city');
    assert.deepEqual(spec.series.map((s) => s.name).sort(), ['Lisbon', 'Osaka', 'Tallinn']);
    assert.equal(spec.series[0].points.length, 3);
    const svg = renderChartSvg(spec);
    assert.equal((svg.match(/class="ksql-series"/g) ?? []).length, 3);
    assert.equal(chartSpec([{ name: 'city', type: 'VARCHAR' }, { name: 'n', type: 'BIGINT' }], [['a', 1], ['b', 2]]), undefined);
    // Labels are escaped: a city named like markup stays text.
    assert.doesNotMatch(renderChartSvg({ x: 'w', y: 'n', series: [{ name: '<img src=x>', points: [[0, 1], [1, 2]] }], omitted: 0 }), /<img/);
  });

  describe('npm run notebook -- run: exit statuses', () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'kinesis-nb-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function run(cells: NotebookCellJson[], args: string[] = []): Promise<{ code: number; out: string }> {
      const file = join(dir, `${uniqueName('nb')}.kinesis-notebook`);
      writeFileSync(file, serializeNotebook({ cells }));
      let out = '';
      const code = await notebookMain(['run', file, '--endpoint', ep.endpoint, ...args], dir, (s) => (out += s));
      return { code, out };
    }
    const sample = (): NotebookCellJson => ({ kind: 'code', language: 'json', source: JSON.stringify({ sample: { stream, count: 30 } }) });
    const sql = (source: string): NotebookCellJson => ({ kind: 'code', language: 'sql', source });
    const transform = (body: string): NotebookCellJson => ({ kind: 'code', language: 'javascript', source: `exports.handler = async (e) => ({ records: e.records.map((r) => (${body})) });` });

    it('0 when every cell passes, printing each output', async () => {
      const { code, out } = await run([sample(), transform("{ recordId: r.recordId, result: 'Ok', data: r.data }"), sql('-- expect: empty\nSELECT * FROM output WHERE violations > 0'), sql('SELECT city, count(*) AS n FROM records GROUP BY city ORDER BY city')]);
      assert.equal(code, 0, out);
      assert.match(out, /30 records from stream/);
      assert.match(out, /Check passed \(expect: empty\)/);
      assert.match(out, /Lisbon\s+10/);
      assert.match(out, /4 cell\(s\) run, 0 failed/);
    });

    it('1 when a check fails', async () => {
      const { code, out } = await run([sample(), sql('-- expect: empty\nSELECT orderId FROM records WHERE userId IS NULL')]);
      assert.equal(code, 1);
      assert.match(out, /cell 2 · sql · FAILED/);
      assert.match(out, /expected no rows, the query returned 6/);
    });

    it('1 when a SQL cell fails, saying where', async () => {
      const { code, out } = await run([sample(), sql('SELECT nope FROM records')]);
      assert.equal(code, 1);
      assert.match(out, /Line 1, column 8: .*nope/);
    });

    it('1 when a transform violates its contract', async () => {
      const { code, out } = await run([sample(), transform("{ recordId: r.recordId, result: 'Ok', data: 'not base64!' }")]);
      assert.equal(code, 1);
      assert.match(out, /invalid-base64/);
    });

    it('--json gives each cell\'s outcome', async () => {
      const { code, out } = await run([sample(), sql("SELECT count(*) AS n FROM records")], ['--json']);
      assert.equal(code, 0);
      const j = JSON.parse(out);
      assert.equal(j.ok, true);
      assert.deepEqual(j.cells[1].sql.rows, [[30]]);
    });

    it('2 for bad arguments or a notebook that cannot be read; 1 when a stream is read without a connection', async () => {
      let out = '';
      assert.equal(await notebookMain(['run'], dir, (s) => (out += s)), 2);
      assert.equal(await notebookMain(['run', join(dir, 'missing.kinesis-notebook')], dir, (s) => (out += s)), 2);
      assert.equal(await notebookMain(['run', 'x.kinesis-notebook', '--endpoint', 'a', '--profile', 'b'], dir, (s) => (out += s)), 2);
      const file = join(dir, 'nocon.kinesis-notebook');
      writeFileSync(file, serializeNotebook({ cells: [sql(`SELECT count(*) FROM stream('${stream}')`)] }));
      out = '';
      assert.equal(await notebookMain(['run', file], dir, (s) => (out += s)), 1);
      assert.match(out, /--endpoint/);
    });
  });
});
