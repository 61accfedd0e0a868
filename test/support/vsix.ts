/** The .vsix that `npm run package` builds for this machine (built here when there is none yet). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/tools/codeServer';

export function packagedVsix(): string {
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = join(ROOT, `${name}-${version}-${process.platform}-${process.arch}.vsix`);
  if (!existsSync(file)) execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}
