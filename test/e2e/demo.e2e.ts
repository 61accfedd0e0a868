import * as assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ROOT } from '../../src/tools/codeServer';
import { launchChromium, waitForWorkbench } from '../support/browser';
import { pageHelpers } from './harness';

/**
 * The README's `npm run demo -- --no-open`, as a user runs it: the tool itself (not the test
 * harness) starts the endpoint and code-server; the page it prints must show the demo streams
 * under Local, and Ctrl-C must stop everything.
 */
describe('npm run demo (end to end)', function () {
  let demo: ChildProcess | undefined;
  let browser: BrowserContext | undefined;
  let out = '';

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (demo && demo.exitCode === null) {
      // Ctrl-C first: the demo stops code-server, which runs in a process group of its own.
      const gone = new Promise((r) => demo!.once('exit', r));
      const signal = (s: NodeJS.Signals) => {
        try {
          process.kill(-demo!.pid!, s);
        } catch {
          /* gone */
        }
      };
      signal('SIGINT');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
      signal('SIGKILL');
    }
  });

  it("opens the printed VS Code URL on the demo's endpoint, shows its streams under Local, and stops on Ctrl-C", async () => {
    demo = spawn(process.execPath, [join(ROOT, 'dist/tools/demo.js'), '--no-open', '--port', '0', '--vscode-port', '0'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (b) => (out += b));
    demo.stderr!.on('data', (b) => (out += b));
    const deadline = Date.now() + 180_000;
    while (!/\[demo\] Ready\./.test(out)) {
      assert.equal(demo.exitCode, null, `the demo exited early:\n${out}`);
      assert.ok(Date.now() < deadline, `no "Ready" from the demo:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const url = out.match(/\[demo\] VS Code: (\S+)/)?.[1];
    assert.ok(url, out);

    browser = await launchChromium({ colorScheme: 'dark' });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await waitForWorkbench(page);
    const wb = pageHelpers(page);
    await wb.openKinesisView();
    await wb.expandTreeItem('Local');
    // Demo streams exist only on the demo's endpoint: seeing them proves the Local connection
    // follows the demo's (machine-scoped) setting rather than starting an empty endpoint.
    for (const name of ['clickstream', 'orders', 'metrics-kpl']) await wb.treeItem(name).waitFor({ timeout: 60_000 });
    await wb.screenshot('demo');

    const exited = new Promise<number | null>((r) => demo!.once('exit', (code) => r(code)));
    process.kill(-demo.pid!, 'SIGINT');
    assert.equal(await exited, 0, out);
    const vscode = new URL(url).origin;
    await assert.rejects(fetch(vscode, { signal: AbortSignal.timeout(3000) }), 'code-server is still answering after Ctrl-C');
  });
});
