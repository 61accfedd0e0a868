/**
 * Fault and abuse suite for the transform runner: handlers that loop at load, exit at load,
 * flood the console or return huge responses, a parent killed with SIGKILL, the environment the
 * handler sees, and the workspace-trust declaration. Everything runs real child processes; nothing
 * is mocked.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { main } from '../../src/core/transform/cli';
import { compileHandler, HandlerSource } from '../../src/core/transform/compile';
import { runTransform } from '../../src/core/transform/engine';
import { HandlerProcess, hostProgramFile, runHandler } from '../../src/core/transform/runner';
import { parseJsonLines } from '../../src/core/transform/sample';

const ROOT = join(__dirname, '../../..');
const FIX = join(ROOT, 'test/fixtures/transform');
const file = (name: string): HandlerSource => ({ kind: 'file', path: join(FIX, name) });
const orders = () => parseJsonLines(readFileSync(join(FIX, 'orders.jsonl'), 'utf8'));
const logText = (logs: { text: string }[]) => logs.map((l) => l.text).join('');

/** True while the process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function until(what: string, ok: () => boolean, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`Gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function started(name: string, opts: Parameters<typeof HandlerProcess.start>[1] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-abuse-'));
  const proc = await HandlerProcess.start(await compileHandler(file(name), dir), opts);
  return { proc, done: async () => (await proc.dispose(), rmSync(dir, { recursive: true, force: true })) };
}

describe('transform runner: faults and abuse', function () {
  this.timeout(60_000);

  it('ends a run whose handler module loops at load by the init deadline', async () => {
    const r = await runTransform({ handler: file('loopAtLoad.js'), records: orders(), initTimeoutMs: 1500, timeoutMs: 60_000 });
    assert.deepEqual(r.violations.map((v) => v.code), ['handler-timeout']);
    assert.match(r.violations[0].message, /Loading the handler's module did not finish within 1500 ms/);
    assert.match(logText(r.logs), /loading the module/, 'output written before the loop is kept');
    assert.ok(r.rows.every((row) => row.result === 'NotRun'));
  });

  it('reports a handler module that calls process.exit while it loads', async () => {
    const r = await runTransform({ handler: file('exitAtLoad.js'), records: orders() });
    assert.deepEqual(r.violations.map((v) => v.code), ['handler-exit']);
    assert.match(r.violations[0].message, /process\.exit\(2\) while loading the handler/);
  });

  it('cuts console output in the child: a 50 MB flood sends little more than the limit, and the response still arrives', async () => {
    const { proc, done } = await started('floodStdout.js', { maxLogBytes: 64 * 1024 });
    try {
      const outcome = await proc.invoke({ n: 7 });
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.deepEqual(outcome.response, { flooded: true, n: 7 });
      assert.match(logText(proc.logs), /\[output cut after 65536 bytes\]/);
      assert.ok(proc.outputBytesReceived < 64 * 1024 + 4096, `the parent received ${proc.outputBytesReceived} bytes of output`);
    } finally {
      await done();
    }
  });

  it('does not send a response over Lambda’s 6 MB: the invocation fails with its size, and the next one runs', async () => {
    const r = await runHandler(file('hugeResponse.js'), [{ big: true }, { big: false }]);
    assert.equal(r.outcomes.length, 2);
    const [big, small] = r.outcomes;
    assert.ok(!big.ok && big.failure.kind === 'too-large', JSON.stringify(big).slice(0, 300));
    assert.match(big.failure.message, /returned 20\.00 MB of JSON; Lambda returns at most 6 MB/);
    assert.ok(small.ok);
    assert.deepEqual(small.response, { small: true });
  });

  it('reports a huge Firehose response as response-too-large on every record of the invocation', async () => {
    const r = await runTransform({ handler: { kind: 'code', code: "exports.handler = async () => ({ records: [], pad: 'x'.repeat(7 * 1024 * 1024) });", language: 'javascript', resolveDir: FIX, label: 'cell-1.js' }, records: orders() });
    assert.deepEqual(r.violations.map((v) => v.code), ['response-too-large']);
    assert.ok(r.rows.every((row) => row.result === 'InvocationFailed'));
  });

  it('kills the child with its parent: a busy-looping handler dies when the parent gets SIGKILL', async function () {
    if (process.platform === 'win32') this.skip();
    const script = `
      const { mkdtempSync } = require('node:fs');
      const { join } = require('node:path');
      const { tmpdir } = require('node:os');
      const { compileHandler } = require(${JSON.stringify(join(ROOT, 'out/src/core/transform/compile.js'))});
      const { HandlerProcess } = require(${JSON.stringify(join(ROOT, 'out/src/core/transform/runner.js'))});
      (async () => {
        const compiled = await compileHandler({ kind: 'file', path: ${JSON.stringify(join(FIX, 'infiniteLoop.js'))} }, mkdtempSync(join(tmpdir(), 'kinesis-abuse-')));
        const proc = await HandlerProcess.start(compiled, { timeoutMs: 600000 });
        void proc.invoke({ records: [] });
        const t = setInterval(() => {
          if (proc.logs.some((l) => l.text.includes('starting the loop'))) { clearInterval(t); console.log('child ' + proc.pid); }
        }, 20);
      })();`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let childPid = 0;
    try {
      let out = '';
      parent.stdout.on('data', (b) => (out += b));
      await until('the handler to enter its loop', () => /child (\d+)/.test(out));
      childPid = Number(/child (\d+)/.exec(out)![1]);
      assert.ok(alive(childPid), 'the child runs while its parent does');
      parent.kill('SIGKILL');
      await until('the child to end after its parent was killed', () => !alive(childPid));
    } finally {
      parent.kill('SIGKILL');
      if (childPid && alive(childPid)) process.kill(childPid, 'SIGKILL');
    }
  });
});

describe('transform runner: what the handler sees', function () {
  this.timeout(60_000);
  const secrets = { AWS_ACCESS_KEY_ID: 'AKIAPARENTKEY', AWS_SECRET_ACCESS_KEY: 'parent-secret', AWS_SESSION_TOKEN: 'parent-session', GITHUB_TOKEN: 'ghp_parent', NODE_OPTIONS: '--require /nonexistent.js' };
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const [k, v] of Object.entries(secrets)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const seen = async (opts: Parameters<typeof runHandler>[2] = {}) => {
    const r = await runHandler(file('environment.js'), [{}], opts);
    const o = r.outcomes[0];
    assert.ok(o?.ok, JSON.stringify(r.failure ?? o));
    return o.response as { env: Record<string, string>; argv: string[] };
  };

  it('gives the handler Lambda’s environment and none of the caller’s keys or tokens', async () => {
    const { env } = await seen({ region: 'eu-west-1', memoryMb: 256, functionName: 'orders-transform', cwd: FIX });
    for (const k of Object.keys(secrets)) assert.equal(env[k], undefined, `${k} leaked into the handler`);
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'orders-transform');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.match(env.AWS_EXECUTION_ENV, /^AWS_Lambda_nodejs\d+\.x$/);
    assert.equal(env.LAMBDA_TASK_ROOT, FIX);
    assert.equal(env.TZ, ':UTC');
    assert.ok(env.NODE_PATH.split(/[:;]/).includes(join(FIX, 'node_modules')));
    const allowed = /^(AWS_|LAMBDA_TASK_ROOT$|TZ$|LANG$|NODE_PATH$|PATH$|Path$|TMPDIR$|TEMP$|TMP$|SystemRoot$|ELECTRON_RUN_AS_NODE$)/;
    assert.deepEqual(Object.keys(env).filter((k) => !allowed.test(k)), [], 'nothing else of the caller’s environment');
  });

  it('passes the connection’s credentials only when asked', async () => {
    const { env } = await seen({ credentials: { accessKeyId: 'AKIACHOSEN', secretAccessKey: 'chosen-secret', sessionToken: 'chosen-session' } });
    assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIACHOSEN');
    assert.equal(env.AWS_SECRET_ACCESS_KEY, 'chosen-secret');
    assert.equal(env.AWS_SESSION_TOKEN, 'chosen-session');
    assert.equal(env.GITHUB_TOKEN, undefined);
  });

  it('the CLI passes this shell’s AWS credentials only with --credentials', async () => {
    let out = '';
    assert.equal(await main(['--handler', './logsCredentials.js', '--sample', 'orders.jsonl'], FIX, (s) => (out += s)), 0, out);
    assert.match(out, /access key: none/);
    out = '';
    assert.equal(await main(['--handler', './logsCredentials.js', '--sample', 'orders.jsonl', '--credentials'], FIX, (s) => (out += s)), 0, out);
    assert.match(out, /access key: AKIAPARENTKEY/);
  });

  it('runs the host program shipped with the extension, not a file in the shared temp folder', async () => {
    const { argv } = await seen();
    assert.equal(argv[1], hostProgramFile());
    // Inside the extension's own folder (wherever it is checked out or installed, /tmp included),
    // never the old shared kinesis-transform-host folder.
    assert.ok(argv[1].startsWith(ROOT + sep), `${argv[1]} is not inside ${ROOT}`);
    assert.ok(!argv[1].includes('kinesis-transform-host'), argv[1]);
    assert.equal(argv[2], String(process.pid), 'the child knows which parent to watch');
  });
});

describe('workspace trust', () => {
  it('declares limited support for untrusted workspaces, restricting every local-endpoint and connection setting', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const trust = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    assert.match(trust.description, /does not run handlers/);
    const sensitive = Object.keys(pkg.contributes.configuration.properties).filter((k) => /^kinesis\.(local|connections)\./.test(k) || /^kinesis\.records\.avroSchema(Files|Folders)$/.test(k));
    assert.ok(sensitive.length >= 5);
    assert.deepEqual([...trust.restrictedConfigurations].sort(), sensitive.sort());
  });
});
