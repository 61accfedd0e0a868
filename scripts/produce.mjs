// `npm run produce -- --stream S --template T --rate R --count N --endpoint URL`
// Runs the producer's CLI (src/core/producer/cli.ts) compiled to out/; compiles first when needed.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out/src/core/producer/cli.js');
if (!existsSync(cli)) {
  process.stderr.write('Compiling (npm run compile)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
}
const { runCli } = createRequire(import.meta.url)(cli);
process.exitCode = await runCli(process.argv.slice(2));
