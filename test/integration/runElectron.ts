/**
 * The same integration suite on desktop VS Code, for developers with internet access:
 * @vscode/test-electron downloads VS Code and runs test/integration/index.ts in it.
 * (It cannot run on machines without access to Microsoft's download servers; CI uses code-server.)
 */
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = join(__dirname, '../../..');
runTests({
  extensionDevelopmentPath: root,
  extensionTestsPath: join(root, 'out/test/integration/index.js'),
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
