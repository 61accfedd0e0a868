import { startLocalEndpoint, LocalEndpoint } from '../core/local/localEndpoint';
import { firehoseClientFor, kinesisClientFor } from '../core/aws/clientFactory';
import { DEMO_LAMBDA, seedDemo, startTrickle } from '../core/local/demoData';
import { join } from 'node:path';
import { ROOT } from './codeServer';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

export interface LocalServer {
  local: LocalEndpoint;
  client: KinesisClient;
  /** Demo streams made by this start (empty without demo data, or when they existed). */
  created: string[];
  stop(): Promise<void>;
}

/**
 * The local endpoint for the terminal tools (npm run local, npm run demo): started, optionally
 * seeded with the demo streams and a trickle of records, stopped on Ctrl-C.
 */
export async function startLocalServer(opts: {
  port: number;
  path?: string;
  demo?: { records?: number };
  /** Lambda name or ARN → ./path#export, from --lambda (relative to the current folder). */
  lambdaHandlers?: Record<string, string>;
  log: (line: string) => void;
  onStop?: () => Promise<void>;
}): Promise<LocalServer> {
  // With the demo data, the clickstream archive's Lambda runs the demo's transform (unless --lambda says otherwise).
  const lambdaHandlers = { ...(opts.demo ? { [DEMO_LAMBDA.name]: join(ROOT, DEMO_LAMBDA.handler) } : {}), ...opts.lambdaHandlers };
  const local = await startLocalEndpoint({ port: opts.port, path: opts.path, log: opts.log, firehose: { lambdaHandlers, handlerRoot: process.cwd() } });
  const client = kinesisClientFor(local.endpoint);
  let created: string[] = [];
  let trickle: { stop(): void } | undefined;
  if (opts.demo) {
    created = await seedDemo(client, { records: opts.demo.records, firehose: firehoseClientFor(local.endpoint) });
    trickle = startTrickle(client, { onError: (e) => opts.log(`trickle: ${(e as Error).message}`) });
  }
  const stop = async () => {
    trickle?.stop();
    await opts.onStop?.();
    client.destroy();
    await local.close();
  };
  // Ctrl-C delivers what Firehose still buffers (local.close does) before the process ends.
  const onSignal = () =>
    void stop()
      .catch((e) => opts.log(`Stopping the local endpoint: ${(e as Error).message}`))
      .finally(() => process.exit(0));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { local, client, created, stop };
}

/**
 * `--lambda NAME=./src/transform.ts#handler` (repeatable) as a map; throws a sentence for a value
 * that is not NAME=PATH.
 */
export function parseLambdaFlags(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new Error(`--lambda ${v}: write --lambda NAME=./path/to/handler.ts#export (NAME is the function name or ARN in the delivery stream's Lambda processor).`);
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}
