import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { startLocalEndpoint, LocalEndpoint } from '../../src/core/local/localEndpoint';
import { firehoseClientFor } from '../../src/core/aws/clientFactory';
import { runCli } from '../../src/core/producer/cli';
import { decodeDeliveredObject } from '../../src/core/local/deliveredObjects';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';

/**
 * A mock, because no emulator fails part of a PutRecordBatch on demand: a proxy in front of the
 * local endpoint that takes every third record out of each PutRecordBatch call the first time it
 * is sent, forwards the rest, and answers with ServiceUnavailableException entries in the failed
 * places and FailedPutCount set, as Firehose does under load.
 */
async function partialFailureProxy(upstream: string): Promise<{ server: Server; url: string; failedEntries: number }> {
  const state = { failedEntries: 0 };
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      let failedAt: number[] = [];
      let total = 0;
      if (target.endsWith('.PutRecordBatch')) {
        const b = JSON.parse(body.toString('utf8')) as { DeliveryStreamName: string; Records: { Data: string }[] };
        total = b.Records.length;
        const keep: { Data: string }[] = [];
        b.Records.forEach((r, i) => {
          if (i % 3 === 0 && !seen.has(r.Data)) {
            seen.add(r.Data);
            failedAt.push(i);
          } else keep.push(r);
        });
        if (!keep.length) failedAt = [];
        else body = Buffer.from(JSON.stringify({ ...b, Records: keep }));
      }
      const headers = { ...req.headers, 'content-length': String(body.length), host: new URL(upstream).host };
      const up = request(upstream, { method: req.method, path: req.url, headers }, (r) => {
        const out: Buffer[] = [];
        r.on('data', (c: Buffer) => out.push(c));
        r.on('end', () => {
          let text = Buffer.concat(out).toString('utf8');
          if (failedAt.length && r.statusCode === 200) {
            const answer = JSON.parse(text) as { FailedPutCount: number; RequestResponses: object[] };
            const responses: object[] = [];
            let k = 0;
            for (let i = 0; i < total; i++) {
              responses.push(failedAt.includes(i) ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : answer.RequestResponses[k++]);
            }
            state.failedEntries += failedAt.length;
            text = JSON.stringify({ ...answer, FailedPutCount: failedAt.length, RequestResponses: responses });
          }
          res.writeHead(r.statusCode ?? 500, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(text)) });
          res.end(text);
        });
      });
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get failedEntries() {
      return state.failedEntries;
    },
  };
}

describe('npm run produce -- --delivery-stream: the producer engine into Firehose', function () {
  this.timeout(60_000);
  let local: LocalEndpoint;
  let firehose: FirehoseClient;
  before(async () => {
    local = await startLocalEndpoint();
    firehose = firehoseClientFor(local.endpoint);
  });
  after(async () => {
    firehose.destroy();
    await local.close();
  });
  const create = (name: string) =>
    firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::produced', RoleARN: ROLE, BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 } } }));
  const deliveredLines = (name: string) => local.firehose.delivered(name).flatMap((o) => decodeDeliveredObject(o.body!).lines);

  it('puts a template\'s records with PutRecordBatch, every one delivered', async () => {
    await create('produced');
    const lines: string[] = [];
    const code = await runCli(['--delivery-stream', 'produced', '--template', 'seed-message', '--count', '1200', '--endpoint', local.endpoint, '--quiet'], { out: (s) => lines.push(s), err: (s) => lines.push(s), isTty: false });
    assert.equal(code, 0, lines.join(''));
    assert.match(lines.join(''), /delivery stream: 1200 records/);
    await local.firehose.flush('produced');
    const ids = deliveredLines('produced').map((l) => JSON.parse(l).Id);
    assert.equal(ids.length, 1200);
    assert.equal(new Set(ids).size, 1200);
  });

  it('re-sends only the entries PutRecordBatch failed (FailedPutCount), so each record is delivered once', async () => {
    await create('retried');
    const proxy = await partialFailureProxy(local.endpoint);
    try {
      const out: string[] = [];
      const code = await runCli(['--delivery-stream', 'retried', '--template', 'seed-message', '--count', '900', '--endpoint', proxy.url, '--quiet'], { out: (s) => out.push(s), err: (s) => out.push(s), isTty: false });
      assert.equal(code, 0, out.join(''));
      assert.ok(proxy.failedEntries >= 300, `the proxy failed ${proxy.failedEntries} entries`);
      await local.firehose.flush('retried');
      const ids = deliveredLines('retried').map((l) => JSON.parse(l).Id);
      assert.equal(ids.length, 900, 'the failed entries were re-sent, the others not');
      assert.equal(new Set(ids).size, 900, 'each record once');
      assert.match(out.join(''), /retried/);
    } finally {
      proxy.server.close();
    }
  });

  it('refuses a record over 1,000 KiB and --aggregate, with a sentence', async () => {
    await create('limits');
    const out: string[] = [];
    const code = await runCli(['--delivery-stream', 'limits', '--template', 'seed-message', '--aggregate', '--count', '1', '--endpoint', local.endpoint], { out: (s) => out.push(s), err: (s) => out.push(s), isTty: false });
    assert.equal(code, 2);
    assert.match(out.join(''), /KPL aggregation is for data streams/);
    const big = join(mkdtempSync(join(tmpdir(), 'produce-')), 'big.jsonl');
    writeFileSync(big, JSON.stringify({ pad: 'x'.repeat(1000 * 1024) }) + '\n');
    const tooBig: string[] = [];
    assert.equal(await runCli(['--delivery-stream', 'limits', '--file', big, '--endpoint', local.endpoint], { out: (s) => tooBig.push(s), err: (s) => tooBig.push(s), isTty: false }), 1);
    assert.match(tooBig.join(''), /Firehose takes at most 1,000 KiB/);
    const both: string[] = [];
    assert.equal(await runCli(['--stream', 'a', '--delivery-stream', 'b', '--template', 'seed-message'], { out: (s) => both.push(s), err: (s) => both.push(s), isTty: false }), 2);
    assert.match(both.join(''), /Name one target/);
  });
});
