import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Frame } from 'playwright-core';
import { inspectFromTrimHorizon, openDemoWorkbench, Workbench } from './harness';

/** A CloudWatch Logs subscription payload, gzip-compressed as CloudWatch sends it to Kinesis. */
function cloudWatchPayload(): Buffer {
  const now = Date.now();
  return gzipSync(
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/aws/lambda/checkout',
      logStream: '2026/11/28/[$LATEST]abc',
      subscriptionFilters: ['to-kinesis'],
      logEvents: [
        { id: '1', timestamp: now, message: 'START RequestId: 1' },
        { id: '2', timestamp: now + 1, message: 'payment declined for order o-17' },
      ],
    }),
  );
}

async function matchText(f: Frame): Promise<string> {
  return (await f.locator('#matchCount').textContent()) ?? '';
}

for (const theme of ['dark', 'light', 'high-contrast'] as const) {
  describe(`Record inspector in the browser, ${theme} theme (end to end)`, function () {
    let wb: Workbench;
    const cspViolations: string[] = [];
    before(async () => {
      wb = await openDemoWorkbench({ theme, width: 1600, height: 1000 });
      wb.page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      // Beside the demo's JSON orders: a gzip CloudWatch Logs payload and a record that looks like HTML.
      await wb.client.send(
        new PutRecordsCommand({
          StreamName: 'orders',
          Records: [
            { PartitionKey: 'logs', Data: cloudWatchPayload() },
            { PartitionKey: 'xss', Data: Buffer.from('<img src=x onerror=alert(1)>') },
          ],
        }),
      );
    });
    afterEach(async function () {
      if (this.currentTest?.state === 'failed') await wb?.screenshot(`inspector-${theme}-failed`).catch(() => undefined);
    });
    after(() => wb?.close());

    it('opens from the tree, reads decoded records, filters with JMESPath and shows HTML-looking data as text', async () => {
      const { page } = wb;
      // From the tree row's inline action, at the trim horizon (all history), all shards.
      const f = await inspectFromTrimHorizon(wb, 'orders');
      // Read to the tip of every shard (the split parent shows as closed, the others at the tip).
      await f.waitForFunction(() => {
        const chips = [...document.querySelectorAll('.shard-strip .chip')];
        return chips.length >= 5 && chips.every((c) => c.classList.contains('caught-up') || c.classList.contains('closed')) &&
          /^\s*[\d,]{3,} records/.test(document.getElementById('matchCount')?.textContent ?? '');
      }, undefined, { timeout: 90_000 });
      await f.locator('.vt-row:not([hidden]):not(.loading)').first().waitFor({ timeout: 30_000 });
      const total = Number((await matchText(f)).replace(/[^\d]/g, ''));
      assert.ok(total >= 200, `read the demo history (${total})`);
      // Per-shard status: the split parent and its children are all listed.
      assert.ok((await f.locator('.shard-strip .chip').count()) >= 5);

      // The record that looks like HTML shows as those characters, and no element was made from it.
      await f.locator('#fText input').fill('onerror');
      await f.waitForFunction(() => /^1 of /.test(document.getElementById('matchCount')?.textContent ?? ''), undefined, { timeout: 15_000 });
      const xssRow = f.locator('.vt-row:not([hidden]):not(.loading)').first();
      await xssRow.waitFor();
      assert.equal((await xssRow.locator('.c-preview').textContent())?.trim(), '<img src=x onerror=alert(1)>');
      await xssRow.click();
      await f.locator('#detailBody pre.text').waitFor({ timeout: 15_000 });
      assert.equal(await f.locator('#detailBody pre.text').textContent(), '<img src=x onerror=alert(1)>');
      assert.equal(await f.locator('img').count(), 0, 'no <img> element exists in the webview');

      // The CloudWatch Logs payload is decoded (gzip, then the subscription message).
      await f.locator('#fText input').fill('payment declined');
      const cwRow = f.locator('.vt-row:not([hidden]):not(.loading)', { hasText: 'DATA_MESSAGE' }).first();
      await cwRow.waitFor({ timeout: 15_000 });
      await cwRow.click();
      await f.waitForFunction(() => /gzip → cloudwatch-logs/.test(document.getElementById('detailMeta')?.textContent ?? ''), undefined, { timeout: 15_000 });
      // Its log events are rows, as text.
      assert.deepEqual(await f.locator('#detailBody table.cwl td.cwl-msg').allTextContents(), ['START RequestId: 1', 'payment declined for order o-17']);
      if (theme === 'dark') await wb.screenshot('inspector-cloudwatch-dark');

      // A JMESPath filter over the decoded JSON.
      await f.locator('#fText input').fill('');
      await f.locator('#fJmes input').fill("city == 'Lisbon' && total > `100`");
      await f.locator('#fJmes input').press('Enter');
      await f.waitForFunction(() => {
        const previews = [...document.querySelectorAll('.vt-row:not([hidden]):not(.loading) .c-preview')].map((e) => e.textContent ?? '');
        return previews.length > 0 && previews.every((p) => p.includes('"city":"Lisbon"'));
      }, undefined, { timeout: 15_000 });
      const matching = Number((await matchText(f)).split(' of ')[0].replace(/[^\d]/g, ''));
      assert.ok(matching > 0 && matching < total, `the filter keeps some records (${matching} of ${total})`);
      const previews = await f.locator('.vt-row:not([hidden]):not(.loading) .c-preview').allTextContents();
      assert.ok(previews.length > 0 && previews.every((p) => p.includes('"city":"Lisbon"')), previews.join('\n'));
      assert.equal(await f.locator('#filterError').isHidden(), true);

      // A syntax error shows inline and does not throw.
      await f.locator('#fJmes input').fill('city ==');
      await f.locator('#fJmes input').press('Enter');
      await f.locator('#filterError').waitFor({ state: 'visible', timeout: 15_000 });
      assert.match((await f.locator('#filterError').textContent()) ?? '', /ParserError|Invalid|Expected/i);
      await f.locator('#fJmes input').fill("city == 'Lisbon' && total > `100`");
      await f.locator('#fJmes input').press('Enter');
      await f.locator('#filterError').waitFor({ state: 'hidden', timeout: 15_000 });

      // Select a record so the detail pane shows coloured JSON, then take the picture.
      await f.locator('.vt-row:not([hidden]):not(.loading)').nth(1).click();
      await f.locator('#detailBody .json-key').first().waitFor({ timeout: 15_000 });
      assert.ok((await f.locator('#detailBody .json-string').count()) > 0);
      await page.waitForTimeout(2500); // let the charts draw a second sample
      await wb.screenshot(`inspector-${theme}`);
      // The webview works within its CSP (nonce'd script, styles from the extension only).
      assert.deepEqual(cspViolations, []);
    });

    if (theme === 'dark') {
      it('switches a record\'s decoding, opens it in an editor tab and comes back after a window reload', async () => {
        const { page } = wb;
        let f = await wb.webviewFrame('#position');
        await f.locator('#decoding').click();
        await f.getByRole('option', { name: 'Binary (hex)' }).click();
        await f.locator('#detailBody pre.hex').waitFor({ timeout: 15_000 });
        assert.match((await f.locator('#detailMeta').textContent()) ?? '', /binary/);

        await f.locator('#open').click();
        await page.locator('.tab[aria-label^="Untitled"]').first().waitFor({ timeout: 30_000 });

        // The serializer brings the panel back after a reload, with its filter. (Reload Window lets the
        // workbench save its state first, as it does for a person; a bare browser reload may not.)
        const navigated = page.waitForEvent('framenavigated', { predicate: (fr) => fr === page.mainFrame(), timeout: 60_000 });
        await wb.runCommand('Developer: Reload Window');
        await navigated;
        await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
        f = await wb.webviewFrame('#position', 90_000);
        await f.waitForFunction(() => document.getElementById('streamName')?.textContent === 'orders', undefined, { timeout: 30_000 });
        assert.equal(await f.locator('#fJmes input').inputValue(), "city == 'Lisbon' && total > `100`");
      });

      it('decodes KPL aggregated records into user records (opened from the context menu)', async () => {
        const { page } = wb;
        // After the reload the Kinesis view may be open already (clicking its icon again would close it).
        if (!(await wb.treeItem('Local').isVisible())) await wb.openKinesisView();
        await wb.expandTreeItem('Local');
        const row = wb.treeItem('metrics-kpl');
        await row.waitFor({ timeout: 30_000 });
        await row.click({ button: 'right' });
        // Inspect Records is the context menu's first entry.
        const menuItem = page.locator('.context-view .monaco-menu .action-item').first();
        await menuItem.waitFor({ timeout: 15_000 });
        assert.match((await menuItem.textContent()) ?? '', /Inspect Records/);
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        let f: Frame | undefined;
        const deadline = Date.now() + 60_000;
        while (!f) {
          for (const fr of page.frames()) {
            if ((await fr.locator('#streamName').textContent({ timeout: 200 }).catch(() => '')) === 'metrics-kpl') f = fr;
          }
          if (Date.now() > deadline) throw new Error('no inspector for metrics-kpl');
          if (!f) await page.waitForTimeout(250);
        }
        await f.locator('#position').click();
        await f.getByRole('option', { name: 'Trim horizon (oldest)' }).click();
        await f.locator('#play').click();
        await f.waitForFunction(() => {
          const chips = [...document.querySelectorAll('.shard-strip .chip')];
          return chips.length > 0 && chips.every((c) => c.classList.contains('caught-up')) && /^\s*[\d,]{3,} records/.test(document.getElementById('matchCount')?.textContent ?? '');
        }, undefined, { timeout: 90_000 });
        // Each user record is its own row: sequence number / sub-sequence number.
        const first = f.locator('.vt-row:not([hidden]):not(.loading)').first();
        assert.match((await first.locator('.c-seq').getAttribute('title')) ?? '', /^\d+\/\d+$/);
        await first.click();
        await f.waitForFunction(() => /kpl/.test(document.getElementById('detailMeta')?.textContent ?? ''), undefined, { timeout: 15_000 });
        assert.match((await f.locator('#detailMeta').textContent()) ?? '', /user record \d+/);
        await wb.screenshot('inspector-kpl-dark');
      });
    }
  });
}
