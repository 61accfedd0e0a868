/**
 * The packaged extension, installed from its .vsix into a code-server with a fresh extensions
 * folder and no source folder: the workbench is opened without extensionDevelopmentPath, so what
 * runs is only the installed copy (its bundles and its node_modules: kinesalite, esbuild).
 * The built-in local endpoint is started by the installed extension itself; the test only talks to
 * it over HTTP to create a stream and put records.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CodeServer, freePort, startCodeServer, workbenchUrl } from '../../src/tools/codeServer';
import { kinesisClientFor } from '../../src/core/aws/clientFactory';
import { sleep } from '../../src/core/kinesis/streamService';
import { launchChromium, waitForWorkbench } from '../support/browser';
import { SCREENSHOTS } from './harness';
import { packagedVsix } from '../support/vsix';

const STREAM = 'installed-check';
const NOTEBOOK = {
  kind: 'kinesis-transform-notebook',
  version: 1,
  cells: [
    { kind: 'code', language: 'json', source: [`{ "sample": { "connection": "local", "stream": "${STREAM}", "from": "TRIM_HORIZON", "count": 20 } }`] },
    {
      kind: 'code',
      language: 'typescript',
      source: [
        'interface R { recordId: string; data: string }',
        'export const handler = async (event: { records: R[] }) => ({',
        "  records: event.records.map((r: R) => ({ recordId: r.recordId, result: 'Ok' as const, data: r.data })),",
        '});',
      ],
    },
  ],
};

describe('The installed .vsix in code-server (end to end)', function () {
  let server: CodeServer;
  let browser: BrowserContext;
  let page: Page;
  let client: KinesisClient;
  let port: number;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const vsix = packagedVsix();
    port = await freePort();
    server = await startCodeServer({
      install: [vsix],
      settings: { 'kinesis.local.port': port, 'workbench.colorTheme': 'Default Dark Modern' },
      files: { 'check.kinesis-notebook': JSON.stringify(NOTEBOOK, null, 2) },
    });
    browser = await launchChromium({ width: 1400, height: 900 });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(workbenchUrl(server, { installed: true }));
    await waitForWorkbench(page);
  });
  after(async () => {
    client?.destroy();
    await browser?.close().catch(() => undefined);
    await server?.close();
  });

  it('is installed as a copy of its own, with its run-time packages inside', () => {
    const ext = readdirSync(join(server.dir, 'extensions')).find((d) => d.startsWith('kinesis-devtools.kinesis-devtools-'));
    assert.ok(ext, 'the extension is in the fresh extensions folder');
    const dir = join(server.dir, 'extensions', ext);
    // aws.js and libs.js: the SDK and libraries extension.js loads on first use (scripts/build.mjs).
    for (const f of ['dist/extension.js', 'dist/aws.js', 'dist/libs.js', 'node_modules/kinesalite/package.json', 'node_modules/esbuild/package.json']) assert.ok(existsSync(join(dir, f)), `${f} is installed`);
    assert.ok(!existsSync(join(dir, 'src')) && !existsSync(join(dir, 'test')), 'no sources or tests ship');
  });

  it('shows the built-in local endpoint\'s streams in the Kinesis view', async () => {
    await page.locator('.activitybar [aria-label^="Kinesis"]').first().click({ timeout: 60_000 });
    const row = (label: string) => page.locator(`.monaco-list-row[aria-label^="${label}"]`).first();
    await row('Local').click({ timeout: 60_000 });
    // Expanding Local starts the installed copy's kinesalite on the port of the settings.
    client = kinesisClientFor(`http://127.0.0.1:${port}`);
    await poll('the installed endpoint to create a stream', () => client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 })));
    await poll('records to be put', () =>
      client.send(new PutRecordsCommand({ StreamName: STREAM, Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(JSON.stringify({ i })) })) })),
    );
    await page.locator('.pane-header [aria-label^="Refresh"], .title-actions [aria-label^="Refresh"]').first().click({ timeout: 30_000 });
    const streams = row('Data streams');
    await streams.waitFor({ timeout: 60_000 });
    if ((await streams.getAttribute('aria-expanded')) !== 'true') await streams.click();
    await row(STREAM).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'installed-explorer.png') });
  });

  it('runs a TypeScript handler in a notebook with the installed esbuild', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('check.kinesis-notebook');
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const runAll = page.locator('.notebook-toolbar-container [aria-label^="Run All"]').first();
    await runAll.click({ timeout: 60_000 });
    const kernelPick = page.locator('.quick-input-list .monaco-list-row:has-text("Kinesis Transform")').first();
    if (await kernelPick.waitFor({ timeout: 5000 }).then(() => true, () => false)) await kernelPick.click();
    const frame = await webviewFrame(page, '.ktn[data-kind="records"]');
    const summary = (await frame.locator('.ktn[data-kind="records"] .ktn-summary').first().textContent()) ?? '';
    assert.match(summary, /20 records?/);
    assert.doesNotMatch(summary, /contract violation/);
    await page.screenshot({ path: join(SCREENSHOTS, 'installed-notebook.png') });
  });

  it('opens the Getting Started walkthrough from the palette', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill('>Kinesis: Get Started');
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const title = page.locator('.gettingStartedContainer .getting-started-category .category-title, .gettingStartedContainer h2').filter({ hasText: 'Get started with Kinesis DevTools' }).first();
    await title.waitFor({ timeout: 60_000 });
    for (const step of ['Connect: the built-in local endpoint, or AWS', 'Inspect records', 'Test a transform in a notebook']) {
      assert.ok(await page.locator('.gettingStartedContainer').getByText(step).first().isVisible().catch(() => false), `step "${step}" shows`);
    }
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(SCREENSHOTS, 'walkthrough.png') });
  });
});

/** Retries an HTTP call until it succeeds (the endpoint starts when Local is expanded). */
async function poll(what: string, call: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await call();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${(e as Error).message}`);
      await sleep(250);
    }
  }
}

async function webviewFrame(page: Page, selector: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) if (await f.$(selector).catch(() => null)) return f;
    if (Date.now() > deadline) throw new Error(`no webview frame has ${selector}`);
    await page.waitForTimeout(250);
  }
}


