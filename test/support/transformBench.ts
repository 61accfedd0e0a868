/**
 * What the transform and Firehose benchmarks share: the sample (10,000 records of 1 KiB) and the
 * baseline, the identity handler required and called in this process on the same events with the
 * same contract checks.
 */
import { join } from 'node:path';
import { buildFirehoseInvocations, validateFirehoseResponse } from '../../src/core/transform/firehoseContract';
import { SampleRecord } from '../../src/core/transform/sampleRecord';

export const N = 10_000;
export const SIZE = 1024;
export const handlerPath = join(__dirname, '../../../test/fixtures/transform/identity.js');

export function sample(): SampleRecord[] {
  return Array.from({ length: N }, (_, i) => {
    const head = `{"i":${i},"pad":"`;
    return {
      shardId: `shardId-00000000000${i % 4}`,
      sequenceNumber: '4960' + String(i).padStart(52, '0'),
      partitionKey: `pk-${i % 100}`,
      arrivalTime: Date.UTC(2026, 10, 28, 12) + i,
      data: Buffer.from(head + 'x'.repeat(SIZE - head.length - 2) + '"}'),
    };
  });
}

export async function inProcess(records: SampleRecord[]) {
  const t0 = performance.now();
  const mod = require(handlerPath) as { handler: (e: unknown, ctx: unknown) => Promise<unknown> };
  const invs = buildFirehoseInvocations(records, { sourceStreamName: 'bench' });
  let first = 0;
  let ok = 0;
  for (let i = 0; i < invs.length; i++) {
    // Lambda serializes the response as JSON; do the same so the work compared is alike.
    const response = JSON.parse(JSON.stringify(await mod.handler(invs[i].event, {})));
    const v = validateFirehoseResponse(invs[i], response, { invocation: i });
    ok += v.delivered.length;
    if (i === 0) first = performance.now() - t0;
  }
  const total = performance.now() - t0;
  if (ok !== N) throw new Error('in-process run went wrong');
  return { total, first };
}
