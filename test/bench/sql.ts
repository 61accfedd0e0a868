/**
 * SQL over 100,000 sampled records: the engines against the same computation as a plain
 * JavaScript loop, side by side in one run (median of 3 rounds, after a warm-up).
 *   - decode: the inspector's decoders turning raw records into rows (shared by every way below);
 *   - loop:   a hand-written loop over the decoded rows (Map per city; per-minute buckets);
 *   - duckdb: load the rows (typed columns through the appender) + the query, as a SQL cell runs it;
 *   - duckdb via JSON Lines: the same through DuckDB's JSON reader (the load before the typed
 *     columns, and still the path for shapes only the reader infers);
 *   - alasql: the rows handed to alasql as an array + the query (pure JavaScript engine);
 * two queries: a group-by (orders and revenue per city) and a tumbling-window count (per minute
 * of arrival). Also: raw records to result through runSqlCell (what a cell does, decode included),
 * and which of the notebook's SQL features each engine has.
 * Run: npm run bench -- sql
 */
import { LoadPath, SqlSession } from '../../src/core/sql/engine';
import { runSqlCell } from '../../src/core/sql/run';
import { recordsToRows, Row } from '../../src/core/sql/table';
import type { RawRecord } from '../../src/core/records/types';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const alasql = require('alasql') as (sql: string, params?: unknown[]) => unknown;

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const ROUNDS = 3;
const CITIES = ['Tallinn', 'Lisbon', 'Osaka', 'Recife', 'Denver', 'Nairobi', 'Oslo', 'Pune'];
const T0 = Date.UTC(2026, 10, 28, 10);

function records(): RawRecord[] {
  return Array.from({ length: N }, (_, i) => ({
    shardId: `shardId-00000000000${i % 4}`,
    sequenceNumber: '4960' + String(i).padStart(52, '0'),
    partitionKey: `c-${i % 250}`,
    arrivalTime: T0 + i * 36, // 100,000 records over an hour
    data: Buffer.from(
      JSON.stringify({ orderId: `o-${i}`, customer: { id: `c-${i % 250}`, tier: i % 3 ? 'basic' : 'gold' }, city: CITIES[i % CITIES.length], items: 1 + (i % 4), amount: Math.round(((i * 1.37) % 300) * 100) / 100, currency: 'EUR', at: new Date(T0 + i * 36).toISOString() }),
    ),
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time<T>(f: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

function loopGroupBy(rows: Row[]) {
  const m = new Map<string, { n: number; revenue: number }>();
  for (const r of rows) {
    const k = r.city as string;
    let g = m.get(k);
    if (!g) m.set(k, (g = { n: 0, revenue: 0 }));
    g.n++;
    g.revenue += r.amount as number;
  }
  return m.size;
}

function loopWindow(rows: Row[]) {
  const m = new Map<number, number>();
  for (const r of rows) {
    const w = Math.floor((r._arrival_ms as number) / 60_000) * 60_000;
    m.set(w, (m.get(w) ?? 0) + 1);
  }
  return m.size;
}

const GROUP_BY = 'SELECT city, count(*) AS n, sum(amount) AS revenue FROM records GROUP BY city';
const WINDOW = 'SELECT tumble(arrival_time, INTERVAL 1 MINUTE) AS w, count(*) AS n FROM records GROUP BY w';
const ALA_GROUP_BY = 'SELECT city, COUNT(*) AS n, SUM(amount) AS revenue FROM ? GROUP BY city';
const ALA_WINDOW = 'SELECT FLOOR(_arrival_ms / 60000) AS w, COUNT(*) AS n FROM ? GROUP BY FLOOR(_arrival_ms / 60000)';

async function duck(rows: Row[], query: string, via?: LoadPath) {
  const s = await SqlSession.create();
  try {
    const t0 = performance.now();
    await s.load('records', rows, { via });
    if (via === undefined && s.loadedVia.records !== 'columns') throw new Error(`the benchmark's records were loaded ${s.loadedVia.records}, not as typed columns`);
    const load = performance.now() - t0;
    const r = await s.query(query);
    return { load, total: performance.now() - t0, rows: r.rowCount };
  } finally {
    s.close();
  }
}

function ala(rows: Row[], query: string) {
  return (alasql(query, [rows]) as unknown[]).length;
}

async function main() {
  const raws = records();
  console.log(`${N.toLocaleString('en-US')} records (JSON orders, ${Math.round(raws.reduce((n, r) => n + r.data.byteLength, 0) / N)} bytes each), median of ${ROUNDS} rounds, Node ${process.version}`);
  // Warm-up of every path on a slice.
  const warm = recordsToRows(raws.slice(0, 2000));
  loopGroupBy(warm);
  await duck(warm, GROUP_BY);
  ala(warm, ALA_GROUP_BY);

  const t: Record<string, number[]> = {};
  const add = (k: string, ms: number) => (t[k] ??= []).push(ms);
  let rows: Row[] = [];
  const check: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const d = await time(() => recordsToRows(raws));
    rows = d.value;
    add('decode', d.ms);
    const lg = await time(() => loopGroupBy(rows));
    add('loop group-by', lg.ms);
    const lw = await time(() => loopWindow(rows));
    add('loop window', lw.ms);
    const dg = await time(() => duck(rows, GROUP_BY));
    add('duckdb group-by', dg.ms);
    add('duckdb load', dg.value.load);
    const dw = await time(() => duck(rows, WINDOW));
    add('duckdb window', dw.ms);
    const jg = await time(() => duck(rows, GROUP_BY, 'json-lines'));
    add('duckdb-json group-by', jg.ms);
    add('duckdb-json load', jg.value.load);
    const jw = await time(() => duck(rows, WINDOW, 'json-lines'));
    add('duckdb-json window', jw.ms);
    const ag = await time(() => ala(rows, ALA_GROUP_BY));
    add('alasql group-by', ag.ms);
    const aw = await time(() => ala(rows, ALA_WINDOW));
    add('alasql window', aw.ms);
    Object.assign(check, { loopG: lg.value, loopW: lw.value, duckG: dg.value.rows, duckW: dw.value.rows, jsonG: jg.value.rows, jsonW: jw.value.rows, alaG: ag.value, alaW: aw.value });
    const cell = await time(() => runSqlCell(GROUP_BY, { records: raws }));
    add('cell group-by', cell.ms);
  }
  if (check.loopG !== check.duckG || check.loopG !== check.jsonG || check.loopG !== check.alaG || check.loopW !== check.duckW || check.loopW !== check.jsonW || check.loopW !== check.alaW) throw new Error(`the ways disagree: ${JSON.stringify(check)}`);
  const m = (k: string) => median(t[k]);
  const f = (x: number) => x.toFixed(1).padStart(9);
  const r = (x: number) => `${x.toFixed(2)}x`.padStart(8);
  console.log(`\n${''.padEnd(44)}${'group-by'.padStart(9)}${'window'.padStart(9)}   vs loop (group-by, window)`);
  console.log(`${'loop over decoded rows (ms)'.padEnd(44)}${f(m('loop group-by'))}${f(m('loop window'))}`);
  console.log(`${'duckdb: load + query (ms)'.padEnd(44)}${f(m('duckdb group-by'))}${f(m('duckdb window'))}   ${r(m('duckdb group-by') / m('loop group-by'))}${r(m('duckdb window') / m('loop window'))}`);
  console.log(`${'  of which load (ms)'.padEnd(44)}${f(m('duckdb load'))}`);
  console.log(`${'duckdb via JSON Lines: load + query (ms)'.padEnd(44)}${f(m('duckdb-json group-by'))}${f(m('duckdb-json window'))}   ${r(m('duckdb-json group-by') / m('loop group-by'))}${r(m('duckdb-json window') / m('loop window'))}`);
  console.log(`${'  of which load (ms)'.padEnd(44)}${f(m('duckdb-json load'))}`);
  console.log(`${'alasql: query over the rows array (ms)'.padEnd(44)}${f(m('alasql group-by'))}${f(m('alasql window'))}   ${r(m('alasql group-by') / m('loop group-by'))}${r(m('alasql window') / m('loop window'))}`);
  console.log(`\nwith decoding counted (raw records to result), decode = ${m('decode').toFixed(1)} ms:`);
  const dl = m('decode') + m('loop group-by');
  console.log(`${'decode + loop (ms)'.padEnd(44)}${f(dl)}`);
  console.log(`${'decode + duckdb load + query (ms)'.padEnd(44)}${f(m('decode') + m('duckdb group-by'))}   ${r((m('decode') + m('duckdb group-by')) / dl)}`);
  console.log(`${'decode + alasql (ms)'.padEnd(44)}${f(m('decode') + m('alasql group-by'))}   ${r((m('decode') + m('alasql group-by')) / dl)}`);
  console.log(`${'runSqlCell, raw records to result (ms)'.padEnd(44)}${f(m('cell group-by'))}   ${r(m('cell group-by') / dl)}   (the SQL cell's own path: first result)`);

  // What each engine offers of what the notebook's SQL needs.
  // Each probe: does the engine answer it, and correctly?
  const probes: { name: string; duck: string; ala?: string; ok: (rows: Record<string, unknown>[]) => boolean }[] = [
    { name: 'nested JSON field', duck: 'SELECT customer.tier AS t FROM records LIMIT 1', ala: 'SELECT customer->tier AS t FROM ? LIMIT 1', ok: (r) => r[0]?.t === 'gold' },
    { name: 'tumbling window', duck: 'SELECT tumble(arrival_time, INTERVAL 1 MINUTE) AS w FROM records LIMIT 1', ala: 'SELECT FLOOR(_arrival_ms / 60000) AS w FROM ? LIMIT 1', ok: (r) => r[0]?.w != null },
    { name: 'hopping window (a row in several)', duck: 'SELECT count(*) AS n FROM records, UNNEST(hop(arrival_time, INTERVAL 1 MINUTE, INTERVAL 5 MINUTE)) t(w)', ok: (r) => Number(r[0]?.n) === 5000 },
    { name: 'window function (OVER)', duck: 'SELECT max(r) AS m FROM (SELECT row_number() OVER (PARTITION BY city ORDER BY amount) AS r FROM records)', ala: 'SELECT ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount) AS r FROM ?', ok: (r) => r.length > 0 },
    { name: 'unknown column is an error', duck: 'SELECT nope FROM records', ala: 'SELECT nope FROM ?', ok: () => false },
    { name: 'a keyword as a field name (total)', duck: 'SELECT sum(total) AS s FROM (SELECT 1 AS total)', ala: 'SELECT SUM(total) AS s FROM ?', ok: (r) => r.length > 0 },
  ];
  const sample = rows.slice(0, 1000);
  const s = await SqlSession.create();
  await s.load('records', sample);
  console.log(`\n${'feature (1,000 rows)'.padEnd(36)}${'duckdb'.padEnd(22)}alasql`);
  const verdict = (run: () => Promise<Record<string, unknown>[]>, ok: (r: Record<string, unknown>[]) => boolean, errorWanted: boolean) =>
    run().then(
      (r) => (errorWanted ? 'no: silently empty' : ok(r) ? 'yes' : 'wrong result'),
      () => (errorWanted ? 'yes' : 'no: not supported'),
    );
  for (const p of probes) {
    const errorWanted = p.name.includes('error');
    const d = await verdict(async () => {
      const r = await s.query(p.duck);
      return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
    }, p.ok, errorWanted);
    const a = p.ala ? await verdict(async () => alasql(p.ala!, [sample.map((x) => ({ ...x, total: 1 }))]) as Record<string, unknown>[], p.ok, errorWanted) : 'no: not expressible';
    console.log(`${p.name.padEnd(36)}${d.padEnd(22)}${a}`);
  }
  s.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
