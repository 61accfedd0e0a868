/**
 * The .vsix to test: KINESIS_VSIX when set (CI passes the one it built), else packaged here and
 * now from this tree with `npm run package`, so a stale .vsix is never what gets tested.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/tools/codeServer';

export function packagedVsix(): string {
  if (process.env.KINESIS_VSIX) return process.env.KINESIS_VSIX;
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return join(ROOT, `${name}-${version}-${process.platform}-${process.arch}.vsix`);
}
