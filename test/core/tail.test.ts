import * as assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { midpoint } from '../../src/core/kinesis/hashKeys';
import { StreamService } from '../../src/core/kinesis/streamService';
import { runTail, TailLine } from '../../src/core/records/tailCli';
import { AVRO_SCHEMA_VERSION_ID, everyFormat, EVENTBRIDGE_EVENT } from '../support/awsSamples';
import { startKinesalite, TestEndpoint, uniqueName } from '../support/endpoints';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AVRO_SCHEMA } from '../support/awsSamples';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; data: Buffer }[], handler: (e: { partitionKey: string; data: Buffer }, done: () => void) => void, after: () => void, onError: (e: Error) => void): void;
};

function aggregate(users: { partitionKey: string; data: Buffer }[]): Promise<{ partitionKey: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const out: { partitionKey: string; data: Buffer }[] = [];
    agg.aggregate(users, (e, done) => (out.push(e), done()), () => resolve(out[0]), reject);
  });
}

/**
 * kinesalite dates a new shard's records from its creation time, which it sets a second ahead:
 * records put into split children at once carry an arrival time up to 1 s in the future.
 */
const afterChildren = () => new Date(Date.now() + 1100).toISOString();

async function tail(...argv: string[]): Promise<{ code: number; out: string; err: string; lines: TailLine[] }> {
  let out = '';
  let err = '';
  const code = await runTail(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TailLine);
  return { code, out, err, lines };
}

describe('npm run tail (the terminal tailer)', function () {
  this.timeout(60_000);
  let ep: TestEndpoint;
  let name: string;
  let schemaDir: string;
  let sequenceOfEvent: string;
  let betweenPuts: string;
  const total = everyFormat().length + 4 /* KPL users */ + 6 /* after the split */;

  before(async () => {
    ep = await startKinesalite();
    name = uniqueName('tail');
    schemaDir = mkdtempSync(join(tmpdir(), 'tail-avsc-'));
    writeFileSync(join(schemaDir, `${AVRO_SCHEMA_VERSION_ID}.avsc`), JSON.stringify(AVRO_SCHEMA));
    const svc = new StreamService(ep.client);
    await svc.create(name, { shardCount: 1 });
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    const every = everyFormat();
    const kpl = await aggregate([0, 1, 2, 3].map((i) => ({ partitionKey: `user-${i}`, data: Buffer.from(JSON.stringify({ n: i })) })));
    const put = await ep.client.send(new PutRecordsCommand({ StreamName: name, Records: [...every, kpl].map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })) }));
    sequenceOfEvent = put.Records![0].SequenceNumber!;
    await new Promise((r) => setTimeout(r, 20));
    betweenPuts = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    // Split the shard: the records after it are in the children.
    const [parent] = await svc.listShards(name);
    await svc.splitShard(name, parent, midpoint(parent.startingHashKey, parent.endingHashKey));
    await svc.waitFor(name, 'ACTIVE', { intervalMs: 20 });
    await ep.client.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 6 }, (_, i) => ({ PartitionKey: `after-${i}`, Data: Buffer.from(JSON.stringify({ after: i, level: i % 2 ? 'ERROR' : 'INFO' })) })) }));
  });
  after(async () => {
    rmSync(schemaDir, { recursive: true, force: true });
    await ep.close();
  });

  it('prints every record as a JSON line, through the split, and exits 0 at --to', async () => {
    const r = await tail('--stream', name, '--endpoint', ep.endpoint, '--from', 'trim-horizon', '--to', afterChildren(), '--schemas', schemaDir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.lines.length, total);
    assert.match(r.err, new RegExp(`${total} records printed .*end: --to`));
    const formats = r.lines.map((l) => l.format);
    for (const f of everyFormat()) assert.ok(formats.includes(f.format), `${f.name} printed as ${f.format}`);
    const event = r.lines.find((l) => l.format === 'eventbridge')!;
    assert.deepEqual(event.data, EVENTBRIDGE_EVENT);
    assert.equal(event.partitionKey, EVENTBRIDGE_EVENT.id);
    assert.equal(event.sequenceNumber, sequenceOfEvent);
    assert.ok(!Number.isNaN(Date.parse(event.arrivalTime)));
    assert.deepEqual(Object.keys(event), ['shardId', 'sequenceNumber', 'partitionKey', 'arrivalTime', 'format', 'data']);
    const users = r.lines.filter((l) => l.format === 'kpl+json');
    assert.deepEqual(users.map((u) => [u.subSequenceNumber, u.partitionKey, u.data]), [0, 1, 2, 3].map((i) => [i, `user-${i}`, { n: i }]));
    assert.equal(new Set(users.map((u) => u.sequenceNumber)).size, 1, 'one aggregate, four lines');
    const cloudFront = r.lines.find((l) => l.format === 'cloudfront-realtime-log')!;
    assert.equal((cloudFront.data as Record<string, string>)['cs-uri-stem'], '/images/cat.jpg?mobile=true');
    const glue = r.lines.find((l) => l.format === 'glue-schema-registry')!;
    assert.equal((glue.data as { value: { name: string } }).value.name, 'Ana');
    const children = r.lines.filter((l) => l.partitionKey.startsWith('after-'));
    assert.equal(children.length, 6);
    assert.ok(children.every((l) => l.shardId !== event.shardId), 'the records after the split come from the children');
  });

  it('--count stops after N records; --filter keeps matching ones; --format text', async () => {
    const c = await tail('--stream', name, '--endpoint', ep.endpoint, '--from', 'trim-horizon', '--count', '3');
    assert.equal(c.code, 0, c.err);
    assert.equal(c.lines.length, 3);
    assert.match(c.err, /end: --count 3/);
    const f = await tail('--stream', name, '--endpoint', ep.endpoint, '--from', 'trim-horizon', '--to', afterChildren(), '--filter', "level == 'ERROR'");
    assert.equal(f.code, 0, f.err);
    // Two child shards: their records interleave in any order.
    assert.deepEqual(f.lines.map((l) => (l.data as { after: number }).after).sort(), [1, 3, 5]);
    let out = '';
    const code = await runTail(['--stream', name, '--endpoint', ep.endpoint, '--from', 'trim-horizon', '--count', '1', '--format', 'text'], { out: (s) => (out += s), err: () => undefined });
    assert.equal(code, 0);
    assert.match(out, /^\d{4}-\d\d-\d\dT.*shardId-000000000000 {2}\d+ {2}.+ {2}eventbridge {2}\{"version":"0"/);
  });

  it('--from a time or a sequence number', async () => {
    const t = await tail('--stream', name, '--endpoint', ep.endpoint, '--from', betweenPuts, '--to', afterChildren());
    assert.equal(t.code, 0, t.err);
    assert.deepEqual(t.lines.map((l) => l.partitionKey).sort(), Array.from({ length: 6 }, (_, i) => `after-${i}`));
    const s = await tail('--stream', name, '--endpoint', ep.endpoint, '--from', sequenceOfEvent, '--count', '1');
    assert.equal(s.code, 0, s.err);
    assert.equal(s.lines[0].sequenceNumber, sequenceOfEvent);
  });

  it('says what is wrong with a flag, and exits 2', async () => {
    for (const [argv, message] of [
      [['--endpoint', ep.endpoint], /--stream/],
      [['--stream', name, '--endpoint', ep.endpoint, '--format', 'yaml'], /--format is json or text/],
      [['--stream', name, '--endpoint', ep.endpoint, '--count', '0'], /--count must be a whole number above 0/],
      [['--stream', name, '--endpoint', ep.endpoint, '--to', 'yesterday'], /--to "yesterday" is not an ISO time/],
      [['--stream', name, '--endpoint', ep.endpoint, '--from', 'soon'], /--from "soon" is not latest, trim-horizon/],
      [['--stream', name, '--endpoint', ep.endpoint, '--filter', "level == 'ERROR"], /--filter: SyntaxError/],
      [['--stream', name, '--endpoint', ep.endpoint, '--bogus'], /Unknown option '--bogus'/],
      [['--stream', 'no-such-stream', '--endpoint', ep.endpoint, '--count', '1'], /no-such-stream/],
    ] as [string[], RegExp][]) {
      const r = await tail(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, message);
      assert.equal(r.out, '');
    }
    const help = await tail('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /--from P/);
  });
});
