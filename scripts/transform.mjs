// CLI entry: npm run transform -- --handler F[#export] --sample S.jsonl [--mode firehose|lambda-kinesis]
// Bundles the core transform engine (src/core/transform/cli.ts) on the fly so it never runs stale
// compiled code, then runs it. Exit status 1 on contract violations.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'node_modules/.cache/kinesis-transform/cli.js');
await esbuild.build({
  entryPoints: [join(root, 'src/core/transform/cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const cli = createRequire(import.meta.url)(outfile);
// The handler and sample paths are relative to where the command was run (npm sets INIT_CWD).
const status = await cli.main(process.argv.slice(2), process.env.INIT_CWD || process.cwd());
process.exitCode = status;
