// Runs the three test tiers in order and prints one closing line for the whole run:
//   core (plain Node, mocha) -> integration (VS Code extension host) -> end to end (Chromium).
// `npm test -- --only core|integration|e2e` runs one tier.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const mocha = join(root, 'node_modules/mocha/bin/mocha.js');

const tiers = [
  { name: 'core', cmd: [mocha, '--config', '.mocharc.core.json', 'out/test/core/**/*.test.js'] },
  { name: 'integration', cmd: [join(root, 'out/test/integration/runCodeServer.js')] },
  { name: 'e2e', cmd: [mocha, '--config', '.mocharc.e2e.json', 'out/test/e2e/**/*.e2e.js'] },
].filter((t) => !only || t.name === only);

function run(tier) {
  return new Promise((resolve) => {
    console.log(`\n=== ${tier.name} tests ===`);
    const child = spawn(process.execPath, tier.cmd, {
      cwd: root,
      // Node 20 is the project's floor (README): the SDK's notice about its 2027 releases is not news here.
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-deprecation`.trim(),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      process.stdout.write(b);
    });
    child.on('exit', (code) => {
      let passed = 0;
      let failed = 0;
      const mp = out.match(/^\s*(\d+) passing/m);
      const mf = out.match(/^\s*(\d+) failing/m);
      const own = [...out.matchAll(/^\w+: (\d+) passed, (\d+) failed$/gm)].pop();
      if (own) [passed, failed] = [Number(own[1]), Number(own[2])];
      else {
        passed = mp ? Number(mp[1]) : 0;
        failed = mf ? Number(mf[1]) : 0;
      }
      // A tier that crashed before counting anything still counts as a failure.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ name: tier.name, passed, failed, code });
    });
  });
}

// A fresh machine: the Debian packages the tests use (as root), then Node 24 + code-server.
// A set-up step that fails stops the run here, saying which, instead of failing every test after it.
if (!process.env.KINESIS_SKIP_SETUP) {
  const steps = [['setup-system.sh', true], ['setup-code-server.sh', !only || only !== 'core']];
  for (const [script, wanted] of steps) {
    if (!wanted) continue;
    const r = spawnSync('bash', [join(root, 'scripts', script)], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) {
      console.error(`\n[test] set-up failed: scripts/${script} exited ${r.status ?? r.signal}. Its messages are above; fix that and run npm test again.`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  }
}

const results = [];
for (const t of tiers) results.push(await run(t));
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
