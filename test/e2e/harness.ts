/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * End-to-end harness: a real workbench (code-server) with this extension, on a local Kinesis
 * endpoint seeded with the demo streams, driven by Debian's Chromium. Screenshots go to
 * test-results/screenshots/.
 *
 *   const wb = await openDemoWorkbench({ theme: 'dark' });
 *   await wb.openKinesisView();
 *   await wb.expandTreeItem('Local');
 *   await wb.screenshot('explorer');
 *   await wb.close();
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { CodeServer, ROOT, startCodeServer, workbenchUrl } from '../../src/tools/codeServer';
import { DEMO_LAMBDA, seedDemo } from '../../src/core/local/demoData';
import { launchChromium, waitForWorkbench } from '../support/browser';
import { startLocalEndpoint } from '../../src/core/local/localEndpoint';
import { firehoseClientFor, kinesisClientFor } from '../../src/core/aws/clientFactory';

export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

export interface Workbench {
  page: Page;
  server: CodeServer;
  browser: BrowserContext;
  /** The demo's Kinesis endpoint (the extension's Local connection points at it). */
  endpoint: string;
  client: KinesisClient;
  /** Delivers what a delivery stream of the demo's endpoint has buffered now (instead of waiting for its interval). */
  flushDeliveryStream(name: string): Promise<void>;
  /** Saves a PNG of the whole window; returns its path. */
  screenshot(name: string): Promise<string>;
  /** Clicks the Kinesis item in the activity bar and waits for the explorer tree. */
  openKinesisView(): Promise<void>;
  /** The tree row whose label is `label` (exact) in the Kinesis explorer. */
  treeItem(label: string): Locator;
  /** Expands a collapsed tree row and waits for it to show as expanded. */
  expandTreeItem(label: string): Promise<void>;
  /** Drags the side bar's edge so that it is `width` pixels wide (room for descriptions). */
  widenSideBar(width?: number): Promise<void>;
  /** Runs a command from the palette by its title, for example "Kinesis: Inspect Records". */
  runCommand(title: string): Promise<void>;
  /** Finds the webview frame whose document has an element matching `selector`. */
  webviewFrame(selector: string, timeoutMs?: number): Promise<Frame>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  theme?: 'dark' | 'light' | 'high-contrast';
  /** Create the demo streams (default true). */
  seed?: boolean;
  settings?: Record<string, unknown>;
  /** Files to put in the workspace folder. */
  files?: Record<string, string>;
  /** Map the demo's Lambda (demo/src/clicks.ts) for clickstream-archive, as npm run demo does (default false: its records stay buffered). */
  demoLambda?: boolean;
  width?: number;
  height?: number;
}

const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern', 'high-contrast': 'Default High Contrast' };

export async function openDemoWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  const theme = opts.theme ?? 'dark';
  mkdirSync(SCREENSHOTS, { recursive: true });
  const local = await startLocalEndpoint(opts.demoLambda ? { firehose: { lambdaHandlers: { [DEMO_LAMBDA.name]: join(ROOT, DEMO_LAMBDA.handler) } } } : {});
  const ep = {
    endpoint: local.endpoint,
    client: kinesisClientFor(local.endpoint),
    close: async () => {
      ep.client.destroy();
      await local.close();
    },
  };
  if (opts.seed !== false) await seedDemo(ep.client, { records: 200, firehose: firehoseClientFor(local.endpoint) });
  const server = await startCodeServer({
    settings: {
      'kinesis.local.endpoint': ep.endpoint,
      'workbench.colorTheme': THEMES[theme],
      'workbench.activityBar.location': 'default',
      ...opts.settings,
    },
    files: opts.files,
  });
  const browser = await launchChromium({ colorScheme: theme === 'light' ? 'light' : 'dark', width: opts.width, height: opts.height });
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(workbenchUrl(server));
  await waitForWorkbench(page);
  // Let the extension host start and the workbench settle (notifications, layout).
  await page.waitForTimeout(1500);

  const wb: Workbench = {
    page,
    server,
    browser,
    endpoint: ep.endpoint,
    client: ep.client,
    flushDeliveryStream: async (name) => void (await local.firehose.flush(name)),
    ...pageHelpers(page),
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      await ep.close();
    },
  };
  return wb;
}

/**
 * Opens the record inspector on a stream of the Local connection from its tree row's inline
 * action and starts reading from the trim horizon; returns the inspector's frame.
 */
export async function inspectFromTrimHorizon(wb: PageHelpers, stream: string): Promise<Frame> {
  await wb.openKinesisView();
  await wb.expandTreeItem('Local');
  const item = wb.treeItem(stream);
  await item.waitFor({ timeout: 30_000 });
  await item.hover();
  await item.locator('.action-label[aria-label^="Inspect Records"]').click();
  const f = await wb.webviewFrame('#position');
  await f.locator('#position').click();
  await f.getByRole('option', { name: 'Trim horizon (oldest)' }).click();
  await f.locator('#play').click();
  return f;
}

export type PageHelpers = Pick<Workbench, 'screenshot' | 'openKinesisView' | 'treeItem' | 'expandTreeItem' | 'widenSideBar' | 'runCommand' | 'webviewFrame'>;

/** What a test does on any workbench page: also one that the test did not start (npm run demo's). */
export function pageHelpers(page: Page): PageHelpers {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const wb: PageHelpers = {
    async screenshot(name) {
      const file = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async openKinesisView() {
      const item = page.locator('.activitybar [aria-label^="Kinesis"]').first();
      await item.waitFor({ timeout: 60_000 });
      await item.click();
      await page.locator('.pane-header[aria-label^="Explorer"], .pane-header:has-text("Explorer")').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
      await wb.treeItem('Local').waitFor({ timeout: 60_000 });
    },
    treeItem(label) {
      return page.locator(`.monaco-list-row[aria-label^="${label}"]`).first();
    },
    async expandTreeItem(label) {
      const row = wb.treeItem(label);
      await row.waitFor({ timeout: 60_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      await page.waitForFunction(
        (l) => [...document.querySelectorAll('.monaco-list-row')].some((r) => r.getAttribute('aria-label')?.startsWith(l) && r.getAttribute('aria-expanded') === 'true'),
        label,
        { timeout: 60_000 },
      );
    },
    async widenSideBar(width = 520) {
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (!sidebar) return;
      const edge = sidebar.x + sidebar.width;
      // The sash is the thin vertical handle on the side bar's edge.
      const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height })),
      );
      const sash = sashes.filter((r) => Math.abs(r.x - edge) < 6 && r.h > 100)[0];
      const x = sash?.x ?? edge;
      const y = sash?.y ?? sidebar.y + sidebar.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(sidebar.x + width, y, { steps: 8 });
      await page.mouse.up();
    },
    async runCommand(title) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 30_000 });
      await input.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
    },
    async webviewFrame(selector, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const f of page.frames()) {
          if (await f.$(selector).catch(() => null)) return f;
        }
        if (Date.now() > deadline) throw new Error(`no webview frame has ${selector}`);
        await page.waitForTimeout(250);
      }
    },
  };
  return wb;
}
