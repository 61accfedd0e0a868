/**
 * Start-up of the extension as users get it: `npm run package`, the .vsix installed into a fresh
 * code-server, beside the same extension loaded from the source folder (the development build:
 * unminified, with source maps).
 *
 *   npm run bench -- startup
 *
 * Figures per run: VS Code's own activation time for the extension (loading extension.js plus
 * the activate() call, read from Developer: Show Running Extensions), the time from clicking the
 * Kinesis view to the tree's first level showing, and the sizes of extension.js and the .vsix.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT, startCodeServer, workbenchUrl } from '../../src/tools/codeServer';
import { launchChromium, waitForWorkbench } from '../support/browser';
import { packagedVsix } from '../support/vsix';

interface Figures {
  /** VS Code's figure (Running Extensions): code loading + the activate() call. */
  vscodeMs: number | undefined;
  /** The extension's own log line. */
  own: string;
  treeMs: number;
  extensionJs: number;
}

async function measure(installed: boolean, vsix: string): Promise<Figures> {
  const server = await startCodeServer({ install: installed ? [vsix] : [], settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  const browser = await launchChromium({ width: 1400, height: 900 });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(workbenchUrl(server, { installed }));
    await waitForWorkbench(page);
    await page.waitForTimeout(3000); // let the workbench settle: nothing of ours is active yet
    const item = page.locator('.activitybar [aria-label^="Kinesis"]').first();
    await item.waitFor({ timeout: 60_000 });
    const started = Date.now();
    await item.click();
    await page.locator('.monaco-list-row[aria-label^="Local"]').first().waitFor({ timeout: 60_000 });
    const treeMs = Date.now() - started;
    const vscodeMs = await runningExtensionsFigure(page);
    const dir = installed ? join(server.dir, 'extensions', readdirSync(join(server.dir, 'extensions')).find((d) => d.startsWith('kinesis-devtools.'))!) : ROOT;
    return { vscodeMs, own: ownActivationLine(server.dir), treeMs, extensionJs: statSync(join(dir, 'dist/extension.js')).size };
  } finally {
    await browser.close().catch(() => undefined);
    await server.close();
  }
}

/** Developer: Show Running Extensions lists each active extension with its activation time. */
async function runningExtensionsFigure(page: Page): Promise<number | undefined> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30_000 });
  await input.fill('>Developer: Show Running Extensions');
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  const row = page.locator('.monaco-list-row[aria-label="kinesis-devtools"], .monaco-list-row:has-text("kinesis-devtools.kinesis-devtools")').first();
  await row.waitFor({ timeout: 30_000 });
  const text = (await row.locator('.activation-time').first().textContent()) ?? '';
  const m = /(\d+)\s*ms/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The extension's own figure: its log's "Activated in N ms" line (load of extension.js + activate()). */
function ownActivationLine(dir: string): string {
  const logs = join(dir, 'user/logs');
  for (const session of readdirSync(logs)) {
    const folder = join(logs, session, 'exthost1/kinesis-devtools.kinesis-devtools');
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder)) {
      const line = readFileSync(join(folder, f), 'utf8').split('\n').find((l) => l.includes('Activated in'));
      if (line) return line.replace(/^.*\] /, '');
    }
  }
  return 'n/a';
}

async function main() {
  const vsix = packagedVsix();
  const installed = await measure(true, vsix);
  const source = await measure(false, vsix);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
  const ms = (n: number | undefined) => (n === undefined ? 'n/a' : String(n));
  const row = (label: string, a: string, b: string, goal: string) => console.log(`${label.padEnd(42)}${a.padStart(14)}${b.padStart(16)}${goal.padStart(12)}`);
  console.log(`\nStart-up, code-server ${process.platform}-${process.arch}, one run each:\n`);
  row('', 'installed', 'source folder', 'goal');
  const own = (f: Figures) => /Activated in (\d+) ms/.exec(f.own)?.[1] ?? 'n/a';
  row('activation, own log: load + activate() (ms)', own(installed), own(source), '< 50');
  const part = (f: Figures, re: RegExp) => re.exec(f.own)?.[1] ?? 'n/a';
  row('  of which loading extension.js (ms)', part(installed, /loading extension\.js (\d+) ms/), part(source, /loading extension\.js (\d+) ms/), '');
  row('VS Code between load and activate() (ms)', part(installed, /VS Code between them (\d+) ms/), part(source, /VS Code between them (\d+) ms/), '');
  row('activation, VS Code Running Extensions (ms)', ms(installed.vscodeMs), ms(source.vscodeMs), '');
  row('click on the view -> tree first level (ms)', String(installed.treeMs), String(source.treeMs), '');
  row('dist/extension.js (MB)', mb(installed.extensionJs), mb(source.extensionJs), '< 1');
  row('.vsix (MB)', mb(statSync(vsix).size), '', '');
  console.log(`\ninstalled:     ${installed.own}\nsource folder: ${source.own}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
