/** The demo's starter notebooks for AWS producers' formats: each handler, run by the real transform runner on its sample. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTransform, TransformReport } from '../../src/core/transform/engine';
import { parseJsonLines } from '../../src/core/transform/sample';
import { CLOUDFRONT_VALUES, CLOUDWATCH_LOGS_PAYLOAD } from '../support/awsSamples';

const DEMO = join(__dirname, '../../../demo');

/** Runs a starter notebook as written: its sample file and its handler cell. */
async function runStarter(notebook: string): Promise<TransformReport> {
  const nb = JSON.parse(readFileSync(join(DEMO, notebook), 'utf8')) as { cells: { kind: string; language: string; source: string[] }[] };
  const json = nb.cells.filter((c) => c.kind === 'code' && c.language === 'json').map((c) => JSON.parse(c.source.join('\n')));
  const sample = json.find((c) => c.sample).sample as { file: string };
  const cell = json.find((c) => c.handler) as { handler: string; mode: 'firehose'; prefix: string };
  const [file, exportName] = cell.handler.split('#');
  const records = parseJsonLines(readFileSync(join(DEMO, sample.file), 'utf8'));
  return runTransform({ handler: { kind: 'file', path: join(DEMO, file), exportName }, records, mode: cell.mode, prefix: cell.prefix, streamName: 'starter', cwd: dirname(join(DEMO, file)) });
}

const delivered = (r: TransformReport) => r.delivery!.objects.flatMap((o) => o.text.trim().split('\n')).map((l) => JSON.parse(l));

describe('starter notebooks for the AWS producers\' formats (demo/)', function () {
  this.timeout(60_000);

  it('CloudWatch Logs: one JSON line per log event, the control message dropped', async () => {
    const r = await runStarter('cloudwatch-logs.kinesis-notebook');
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.rows.map((x) => x.result), ['Dropped', 'Ok']);
    const lines = delivered(r);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => l.id), CLOUDWATCH_LOGS_PAYLOAD.logEvents.map((e) => e.id));
    assert.match(r.delivery!.objects[0].key, /^logs\/CloudTrail-logs\/2026\/11\/28\//);
  });

  it('CloudFront: a log line to a JSON object with its fields named', async () => {
    const r = await runStarter('cloudfront-to-json.kinesis-notebook');
    assert.deepEqual(r.violations, []);
    const [first] = delivered(r);
    assert.equal(first['cs-uri-stem'], CLOUDFRONT_VALUES['cs-uri-stem']);
    assert.equal(first['cs-referer'], null);
    assert.equal(first['x-edge-result-type'], 'Hit');
    assert.match(r.delivery!.objects[0].key, /^cloudfront\/status=200\//);
  });

  it('DynamoDB: each change to flat JSON (the new image, the old one for a REMOVE)', async () => {
    const r = await runStarter('dynamodb-to-json.kinesis-notebook');
    assert.deepEqual(r.violations, []);
    const lines = delivered(r);
    assert.deepEqual(lines.map((l) => l._event), ['INSERT', 'MODIFY', 'REMOVE']);
    assert.deepEqual(lines[1], { _event: 'MODIFY', _table: 'Music', _time: 1646714720773, Artist: 'No One You Know', SongTitle: 'Call Me Today', AlbumTitle: 'Somewhat Famous', Awards: 10, Tags: ['pop', 'live'] });
    assert.equal(lines[2].Genre, 'Country', 'a REMOVE keeps the old image');
  });
});
