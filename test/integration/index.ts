/**
 * The integration test index, run inside VS Code's extension host. The same `run()` serves
 * code-server (test/integration/runCodeServer.ts, used here and in CI) and desktop VS Code
 * through @vscode/test-electron (test/integration/runElectron.ts).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  const grep = process.env.KINESIS_TEST_GREP;
  if (grep) mocha.grep(grep);
  const dir = path.join(__dirname, 'suite');
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, f));
  const resultsFile = process.env.KINESIS_TEST_RESULTS;
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures };
      if (resultsFile) {
        fs.writeFileSync(resultsFile, JSON.stringify({ passed: stats.passes, failed: stats.failures, log }, null, 2));
      }
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => log.push(`  ✔ ${t.fullTitle()}`));
    runner.on('fail', (t, err) => log.push(`  ✘ ${t.fullTitle()}\n      ${String((err as Error)?.stack ?? err).split('\n').slice(0, 6).join('\n      ')}`));
  });
}
