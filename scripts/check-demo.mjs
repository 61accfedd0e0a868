// Proves the README's `npm run demo -- --no-open` the way a new user meets it: starts it (on a
// fresh machine this installs Node 24 and code-server into KINESIS_VSCODE_CACHE first), waits for
// "Ready", checks that the local endpoint holds the demo streams and that VS Code answers, then
// stops it with Ctrl-C (SIGINT) and checks that nothing it started is left running.
// Prints one line per check and `demo: N passed, N failed`; exits 1 on any failure.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
// Node 20 is the project's floor (README); the SDK's notice about its 2027 releases is not news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const READY_TIMEOUT_MS = 20 * 60_000; // a first run installs code-server: a few minutes
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  console.log(`[check-demo] ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
};

const demo = spawn('npm', ['run', 'demo', '--', '--no-open'], {
  cwd: root,
  detached: true, // its own process group, so that the check can see whether all of it ended
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
demo.stdout.on('data', (b) => {
  out += b;
  process.stdout.write(b);
});
demo.stderr.on('data', (b) => process.stderr.write(b));
const exited = new Promise((r) => demo.once('exit', (code, signal) => r({ code, signal })));

const started = Date.now();
while (!/\[demo\] Ready\./.test(out) && demo.exitCode === null && Date.now() - started < READY_TIMEOUT_MS) {
  await new Promise((r) => setTimeout(r, 500));
}
const ready = /\[demo\] Ready\./.test(out);
check('npm run demo -- --no-open starts', ready, ready ? `${((Date.now() - started) / 1000).toFixed(0)} s` : demo.exitCode !== null ? `exited ${demo.exitCode}` : 'no "Ready" in time');

if (ready) {
  const endpoint = out.match(/Local Kinesis \+ Firehose endpoint: (\S+)/)?.[1];
  const vscodeUrl = out.match(/\[demo\] VS Code: (\S+)/)?.[1];
  try {
    const { KinesisClient, ListStreamsCommand } = require('@aws-sdk/client-kinesis');
    const { NodeHttpHandler } = require('@smithy/node-http-handler');
    const client = new KinesisClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
      requestHandler: new NodeHttpHandler(),
    });
    const { StreamNames = [] } = await client.send(new ListStreamsCommand({}));
    client.destroy();
    const want = ['clickstream', 'orders', 'iot-sensors', 'app-logs', 'metrics-kpl'];
    const missing = want.filter((s) => !StreamNames.includes(s));
    check('the local endpoint holds the demo streams', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : StreamNames.join(', '));
  } catch (e) {
    check('the local endpoint holds the demo streams', false, `${endpoint}: ${e.message}`);
  }
  try {
    const res = await fetch(vscodeUrl);
    const html = await res.text();
    check('VS Code (code-server) answers', res.ok && html.includes('workbench'), `${res.status} ${vscodeUrl?.split('?')[0]}`);
  } catch (e) {
    check('VS Code (code-server) answers', false, `${vscodeUrl}: ${e.message}`);
  }
}

// Ctrl-C reaches the whole foreground group in a terminal: do the same.
try {
  process.kill(-demo.pid, 'SIGINT');
} catch {
  /* already gone */
}
const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 30_000))]);
// npm returns at once; the demo itself first delivers what its delivery streams hold (through
// their transform), as a stop must: give its whole process group up to 30 s to end.
const groupAlive = () => {
  try {
    process.kill(-demo.pid, 0);
    return true;
  } catch {
    return false;
  }
};
const drainStart = Date.now();
while (groupAlive() && Date.now() - drainStart < 30_000) await new Promise((r) => setTimeout(r, 250));
const leftovers = groupAlive();
if (!leftovers) console.log(`[check-demo] its processes ended ${((Date.now() - drainStart) / 1000).toFixed(1)} s after npm returned`);
// code-server runs in a process group of its own: it is gone when its port no longer answers.
const answers = async (url) => {
  if (!url) return false;
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
};
const still = [];
if (leftovers) still.push('processes of its group');
if (await answers(out.match(/\[demo\] VS Code: (\S+)/)?.[1])) still.push('code-server');
if (await answers(out.match(/Local Kinesis \+ Firehose endpoint: (\S+)/)?.[1])) still.push('the local endpoint');
check('Ctrl-C stops it and leaves nothing running', stopped !== undefined && still.length === 0, stopped === undefined ? 'still running after 30 s' : still.length ? `still running: ${still.join(', ')}` : '');
if (leftovers) {
  try {
    process.kill(-demo.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`demo: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
