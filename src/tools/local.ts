/**
 * `npm run local`: the built-in Kinesis endpoint from a terminal, so the AWS CLI, your own app
 * and the extension (setting kinesis.local.endpoint) all see the same streams.
 *   npm run local -- [--port 4567] [--data DIR] [--demo] [--lambda NAME=./src/transform.ts#handler ...]
 */
import { parseLambdaFlags, startLocalServer } from './localServer';
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4567' },
      data: { type: 'string' },
      demo: { type: 'boolean' },
      lambda: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'npm run local -- [--port N (default 4567, 0 = any free port)] [--data DIR (persist)] [--demo (seed demo streams and trickle records)]\n' +
        '                 [--lambda NAME=./path#export (repeatable: the handler Firehose runs for the Lambda processor NAME)]',
    );
    return;
  }
  const lambdaHandlers = parseLambdaFlags(values.lambda);
  const port = Number(values.port);
  const dataPath = values.data;
  const { local, created } = await startLocalServer({ port, path: dataPath, demo: values.demo ? {} : undefined, lambdaHandlers, log: (l) => console.error(l) });
  if (values.demo) console.log(`Demo streams: ${created.length ? created.join(', ') : 'already there'} (a few records a second keep flowing)`);
  console.log(`Local Kinesis + Firehose endpoint: ${local.endpoint}${dataPath ? ` (data in ${dataPath})` : ' (in memory)'}`);
  console.log(`  AWS CLI:   aws kinesis list-streams --endpoint-url ${local.endpoint} --region us-east-1`);
  console.log(`  VS Code:   set "kinesis.local.endpoint": "${local.endpoint}"`);
  console.log('Press Ctrl-C to stop.');
}

main().catch((e) => {
  console.error(`Could not start the local endpoint: ${(e as Error).message}`);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error('The port is in use: pass --port 0 for any free port, or another number.');
  process.exit(1);
});
