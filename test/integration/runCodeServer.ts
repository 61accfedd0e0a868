/**
 * Runs the integration suite inside code-server's extension host: starts code-server, opens the
 * workbench in Chromium with the extension under development and the test index, and waits for
 * the workbench to report the exit code. Prints the suite's results and `N passed, N failed`.
 */
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, workbenchUrl, ROOT } from '../../src/tools/codeServer';
import { launchChromium } from '../support/browser';

async function main(): Promise<number> {
  const resultsDir = join(ROOT, 'test-results');
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, 'integration.json');
  const server = await startCodeServer({ env: { KINESIS_TEST_RESULTS: resultsFile, KINESIS_TEST_GREP: process.env.KINESIS_TEST_GREP ?? '' } });
  const browser = await launchChromium();
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const line = (args ?? []).map(String).join(' ');
      if (process.env.KINESIS_TEST_VERBOSE) process.stdout.write(line + '\n');
    });
    await page.goto(workbenchUrl(server, { testsPath: join(ROOT, 'out/test/integration/index.js') }));
    const timeout = Number(process.env.KINESIS_INTEGRATION_TIMEOUT_MS ?? 15 * 60_000);
    const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), timeout))]);
    if (code === -1) console.error(`integration tests did not finish within ${timeout / 1000} s`);
    if (existsSync(resultsFile)) {
      const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number; log: string[] };
      console.log(r.log.join('\n'));
      console.log(`integration: ${r.passed} passed, ${r.failed} failed`);
    } else {
      console.log('integration: 0 passed, 1 failed (no results were written: the extension host did not run the suite)');
    }
    return code;
  } finally {
    await browser.close().catch(() => undefined);
    await server.close();
  }
}

main().then(
  (code) => process.exit(code === 0 ? 0 : 1),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
