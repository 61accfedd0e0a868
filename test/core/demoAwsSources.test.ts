import * as assert from 'node:assert/strict';
import { decodeRecord } from '../../src/core/records/decoders';
import { readAll } from '../../src/core/records/reader';
import { DEMO_STREAMS, seedDemo } from '../../src/core/local/demoData';
import { startKinesalite, TestEndpoint } from '../support/endpoints';

describe('demo data: the aws-sources stream', function () {
  this.timeout(120_000);
  let ep: TestEndpoint;
  before(async () => {
    ep = await startKinesalite();
  });
  after(() => ep?.close());

  it('holds records of every AWS producer format the templates make, each recognised by the decoders', async () => {
    const created = await seedDemo(ep.client, { records: 24 });
    assert.ok(created.includes(DEMO_STREAMS.aws), created.join(', '));
    const raw = await readAll(ep.client, DEMO_STREAMS.aws, { type: 'TRIM_HORIZON' });
    const formats = new Map<string, number>();
    for (const r of raw) for (const d of decodeRecord(r)) formats.set(d.format ?? 'none', (formats.get(d.format ?? 'none') ?? 0) + 1);
    assert.deepEqual([...formats.keys()].sort(), ['cloudfront-realtime-log', 'cloudwatch-metric-stream', 'dynamodb', 'eventbridge'], JSON.stringify([...formats]));
    for (const [format, n] of formats) assert.ok(n >= 2, `${format}: ${n}`);
  });
});
