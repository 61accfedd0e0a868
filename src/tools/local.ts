/**
 * `npm run local`: the built-in Kinesis endpoint from a terminal, so the AWS CLI, your own app
 * and the extension (setting kinesis.local.endpoint) all see the same streams.
 *   npm run local -- [--port 4567] [--data DIR] [--demo]
 */
import { startLocalEndpoint } from '../core/local/localEndpoint';
import { firehoseClientFor, kinesisClientFor } from '../core/aws/clientFactory';
import { seedDemo, startTrickle } from '../core/local/demoData';
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '4567' }, data: { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log('npm run local -- [--port N (default 4567, 0 = any free port)] [--data DIR (persist)] [--demo (seed demo streams and trickle records)]');
    return;
  }
  const port = Number(values.port);
  const dataPath = values.data;
  const local = await startLocalEndpoint({ port, path: dataPath });
  const client = kinesisClientFor(local.endpoint);
  let trickle: { stop(): void } | undefined;
  if (values.demo) {
    const created = await seedDemo(client, { firehose: firehoseClientFor(local.endpoint) });
    trickle = startTrickle(client, { onError: (e) => console.error(`trickle: ${(e as Error).message}`) });
    console.log(`Demo streams: ${created.length ? created.join(', ') : 'already there'} (a few records a second keep flowing)`);
  }
  console.log(`Local Kinesis + Firehose endpoint: ${local.endpoint}${dataPath ? ` (data in ${dataPath})` : ' (in memory)'}`);
  console.log(`  AWS CLI:   aws kinesis list-streams --endpoint-url ${local.endpoint} --region us-east-1`);
  console.log(`  VS Code:   set "kinesis.local.endpoint": "${local.endpoint}"`);
  console.log('Press Ctrl-C to stop.');
  const stop = async () => {
    trickle?.stop();
    client.destroy();
    await local.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`Could not start the local endpoint: ${(e as Error).message}`);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error('The port is in use: pass --port 0 for any free port, or another number.');
  process.exit(1);
});
