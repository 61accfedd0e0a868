/**
 * `npm run demo`: the whole product on the built-in local endpoint, with demo data.
 * Starts the local Kinesis endpoint, creates the demo streams, keeps a trickle of records
 * flowing, and opens VS Code with the extension: desktop `code` when present, otherwise
 * code-server in the browser.
 *   npm run demo -- [--no-open] [--browser] [--port 4567] [--vscode-port 8080] [--lambda NAME=./path#export ...]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLambdaFlags, startLocalServer } from './localServer';
import { ROOT, freePort, startCodeServer, workbenchUrl, CodeServer } from './codeServer';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'no-open': { type: 'boolean' },
      browser: { type: 'boolean' },
      port: { type: 'string', default: '4567' },
      'vscode-port': { type: 'string', default: '8080' },
      lambda: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'npm run demo -- [--no-open (start and print URLs only)] [--browser (code-server even when desktop code exists)] [--port N] [--vscode-port N]\n' +
        '                [--lambda NAME=./path#export (repeatable: the handler Firehose runs for the Lambda processor NAME; enrich-clicks runs demo/src/clicks.ts)]',
    );
    return;
  }
  const lambdaHandlers = parseLambdaFlags(values.lambda);
  const port = await freePort(Number(values.port));
  let server: CodeServer | undefined;
  const { local, created } = await startLocalServer({
    port,
    demo: { records: 500 },
    lambdaHandlers,
    log: (l) => console.error(`[demo] ${l}`),
    onStop: async () => server?.close(),
  });

  // The demo's settings point the Local connection at this endpoint. kinesis.local.* settings are
  // machine-scoped (a workspace must not redirect them), so they go into the demo's own user and
  // machine settings, never into the workspace's .vscode/settings.json nor the user's real ones.
  const demoDir = join(ROOT, '.demo');
  const workspace = join(demoDir, 'workspace');
  const settings = { 'kinesis.local.endpoint': local.endpoint, 'workbench.colorTheme': 'Default Dark Modern' };
  mkdirSync(workspace, { recursive: true });
  rmSync(join(workspace, '.vscode/settings.json'), { force: true }); // written by earlier versions of the demo
  const samples = join(ROOT, 'demo');
  if (existsSync(samples)) {
    for (const f of readdirSync(samples)) cpSync(join(samples, f), join(workspace, f), { recursive: true, force: false, errorOnExist: false });
  }

  console.log(`[demo] Local Kinesis + Firehose endpoint: ${local.endpoint}`);
  console.log(`[demo] Streams: ${created.length ? created.join(', ') + ' (created)' : 'already present'}; a few records a second keep flowing.`);
  console.log(`[demo] Try: aws kinesis list-streams --endpoint-url ${local.endpoint} --region us-east-1`);

  const desktop = !values.browser && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
  if (desktop && !values['no-open']) {
    console.log('[demo] Opening desktop VS Code with the extension under development (a demo profile in .demo/vscode-user)…');
    const userData = join(demoDir, 'vscode-user');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User/settings.json'), JSON.stringify(settings, null, 2) + '\n');
    spawn('code', ['--new-window', `--user-data-dir=${userData}`, `--extensionDevelopmentPath=${ROOT}`, workspace], { stdio: 'ignore', detached: true }).unref();
  } else {
    console.log('[demo] Starting VS Code in the browser (code-server; the first run installs it, a few minutes)…');
    server = await startCodeServer({
      port: Number(values['vscode-port']),
      dir: join(demoDir, 'code-server'),
      workspace,
      settings,
    });
    const url = workbenchUrl(server, { folder: workspace });
    console.log(`[demo] VS Code: ${url}`);
    if (!values['no-open'] && process.env.DISPLAY) spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
  }
  console.log('[demo] Ready. Press Ctrl-C to stop.');
}

main().catch((e) => {
  console.error(`[demo] failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
