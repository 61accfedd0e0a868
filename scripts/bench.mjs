// Runs the benchmark programs in test/bench (compiled to out/test/bench): all, or those named.
//   npm run bench                 # every benchmark
//   npm run bench -- listStreams  # one
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'out/test/bench');
const wanted = process.argv.slice(2);
const all = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '')) : [];
const names = wanted.length ? wanted : all;
let failed = 0;
for (const name of names) {
  console.log(`\n### bench: ${name}`);
  const r = spawnSync(process.execPath, ['--no-warnings', '--expose-gc', join(dir, `${name}.js`)], { stdio: 'inherit', cwd: root, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
