import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { openDemoWorkbench, Workbench } from './harness';

// The demo's transform (with its deliberate bug) and notebook (demo/, which npm run demo copies into its workspace).
const DEMO = join(__dirname, '../../../demo');
const demoFile = (p: string) => readFileSync(join(DEMO, p), 'utf8');

describe('Transform notebook in the browser (end to end)', function () {
  let wb: Workbench;
  before(async () => {
    wb = await openDemoWorkbench({
      theme: 'dark',
      width: 1600,
      height: 1000,
      files: {
        'orders.kinesis-notebook': demoFile('orders.kinesis-notebook'),
        'src/transform.ts': demoFile('src/transform.ts'),
        'src/lib/orders.ts': demoFile('src/lib/orders.ts'),
      },
    });
  });
  after(() => wb?.close());

  it('runs the demo notebook on 500 sampled records and shows the result table with partition keys and the violation', async () => {
    const { page } = wb;
    // Open the notebook through Quick Open, as a user would.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('orders.kinesis-notebook');
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.notebook-editor').first().waitFor({ timeout: 60_000 });

    // Run All from the notebook toolbar (the only kernel for this notebook type is picked for it).
    const runAll = page.locator('.notebook-toolbar-container .action-item a[aria-label^="Run All"], .notebook-toolbar-container [aria-label^="Run All"]').first();
    await runAll.waitFor({ timeout: 60_000 });
    await runAll.click();
    // Should VS Code ask which kernel to use, take ours.
    const kernelPick = page.locator('.quick-input-list .monaco-list-row:has-text("Kinesis Transform")').first();
    if (await kernelPick.waitFor({ timeout: 5000 }).then(() => true, () => false)) await kernelPick.click();

    // The outputs render in the notebook's output webview.
    const frame: Frame = await wb.webviewFrame('.ktn[data-kind="records"]', 120_000);
    await frame.waitForSelector('.ktn[data-kind="violations"]', { timeout: 60_000 });
    const summary = (await frame.locator('.ktn[data-kind="records"] .ktn-summary').first().textContent()) ?? '';
    assert.match(summary, /Firehose transform/);
    assert.match(summary, /contract violation/);
    const keys = await frame.locator('.ktn[data-kind="records"] .ktn-key').allTextContents();
    assert.ok(keys.some((k) => /^city=/.test(k)), 'partition keys are shown');
    const violations = await frame.locator('.ktn[data-kind="violations"] li[data-code="invalid-base64"]').allTextContents();
    assert.ok(violations.length >= 1, 'the deliberate bug is flagged');
    const flaggedRows = await frame.locator('tr.ktn-violating').count();
    assert.equal(flaggedRows, violations.length, 'each violation is on its row in the table');
    const delivery = (await frame.locator('.ktn[data-kind="delivery"]').first().textContent()) ?? '';
    assert.match(delivery, /orders\/city=/);

    // Scroll the notebook (the output webview moves with it) to put the table, then a flagged row, in view.
    const scrollTo = async (selector: string, top: number) => {
      for (let i = 0; i < 80; i++) {
        const box = await frame.locator(selector).first().boundingBox();
        if (!box || Math.abs(box.y - top) < 40) break;
        await page.mouse.move(900, 500);
        await page.mouse.wheel(0, box.y - top);
        await page.waitForTimeout(250);
      }
      await page.waitForTimeout(600);
    };
    await scrollTo('.ktn[data-kind="violations"]', 150);
    await wb.screenshot('notebook');
    await scrollTo('tr.ktn-violating', 450);
    await wb.screenshot('notebook-violation');
  });

  it('shows the SQL cell "orders per city per minute" as a chart and a virtualised table', async () => {
    const { page } = wb;
    // Same notebook, already run: SQL results are drawn by the extension's notebook renderer.
    const frame: Frame = await wb.webviewFrame('.ksql svg.ksql-chart', 120_000);
    const chart = frame.locator('.ksql svg.ksql-chart').first();
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^orders over minute by city$/);
    const lines = await chart.locator('path.ksql-series').count();
    assert.ok(lines >= 3, `one line per city (${lines})`);
    const legend = await chart.locator('text').allTextContents();
    for (const city of ['Tallinn', 'Lisbon', 'Osaka']) assert.ok(legend.includes(city), `${city} in the legend: ${legend.join(', ')}`);
    const result = frame.locator('.ksql:has(svg.ksql-chart)').first();
    const rows = Number(await result.getAttribute('data-rows'));
    assert.ok(rows > 20, `a row per minute and city (${rows})`);
    // Virtualised: only the rows in view (and a margin) are in the DOM.
    const inDom = await result.locator('.ksql-row:visible').count();
    assert.ok(inDom > 0 && inDom < rows, `${inDom} row elements for ${rows} rows`);
    const firstRow = await result.locator('.ksql-row[data-index="0"] span').allTextContents();
    assert.match(firstRow[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:00$/);

    const scrollTo = async (top: number) => {
      for (let i = 0; i < 80; i++) {
        const box = await chart.boundingBox();
        if (!box || Math.abs(box.y - top) < 40) break;
        await page.mouse.move(900, 500);
        await page.mouse.wheel(0, box.y - top);
        await page.waitForTimeout(250);
      }
      await page.waitForTimeout(600);
    };
    await scrollTo(260);
    await wb.screenshot('notebook-sql');
  });
});
