/**
 * Benchmark: the record inspector's webview holding 100,000 records, in Chromium.
 *
 * The built webview bundle (dist/webview/inspector.js + .css) is loaded in a plain page. The VS Code
 * webview host is replaced by a TEST DOUBLE: a stub `acquireVsCodeApi` whose postMessage goes to
 * this Node process (page.exposeBinding), where the real host-side model (InspectorModel, the same
 * class the panel uses, with the real decoders) answers `getRows` and posts `view` messages back
 * with window.postMessage, as the extension host does. So records live outside the page, as they
 * do in VS Code, and every row the page shows crosses the message boundary.
 *
 * Measured side by side in one run:
 *   - ours: 100,000 records fed in batches of 1,000 (the view updated after each), then the time
 *     from the last batch to its rows painted, frame times while scrolling (requestAnimationFrame
 *     deltas), the time to show rows after a jump to a random place, and the page's JS heap and
 *     renderer memory.
 *   - the naive way: the same 100,000 rows rendered as a plain DOM table (textContent, no
 *     virtualization), as a webview that receives every record would do.
 *
 * Run: npm run build && npm run compile && node out/test/bench/inspectorWebview.js
 */
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, Page, Browser } from 'playwright-core';
import { InspectorModel } from '../../src/vscode/inspector/model';
import { decodeRecord } from '../../src/core/records/decoders';
import type { DecodedRecord, RawRecord } from '../../src/core/records/types';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/inspector';

const TOTAL = 100_000;
const BATCH = 1_000;
const SCROLL_MS = 3_000;
const ROOT = join(__dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist');

function makeRecords(n: number): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const t0 = Date.now() - n * 5;
  const levels = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
  for (let i = 0; i < n; i++) {
    const shard = i % 4;
    const body = i % 10 === 9
      ? `plain text line ${i} <img src=x onerror=alert(1)>`
      : JSON.stringify({ id: i, level: levels[i % 4], user: `user-${i % 997}`, latency: (i * 37) % 500, path: `/api/items/${i % 113}`, tags: ['a', 'b'], nested: { ok: i % 3 === 0 } });
    const raw: RawRecord = {
      shardId: `shardId-00000000000${shard}`,
      sequenceNumber: (49650000000000000000000000000000000000000000000000000n + BigInt(i)).toString(),
      partitionKey: `pk-${i % 211}`,
      arrivalTime: t0 + i * 5,
      data: Buffer.from(body),
    };
    out.push(...decodeRecord(raw));
  }
  return out;
}

interface FrameStats {
  frames: number;
  mean: number;
  p95: number;
  max: number;
  over33: number;
}

function frameStats(deltas: number[]): FrameStats {
  const s = [...deltas].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { frames: s.length, mean, p95: s[Math.floor(s.length * 0.95)] ?? 0, max: s[s.length - 1] ?? 0, over33: s.filter((d) => d > 33.4).length };
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
}

/**
 * Resident memory of the renderer processes of this benchmark's browser (Linux ps), in MiB: the
 * processes with --type=renderer that descend from the browser process started with BENCH_MARK.
 */
function rendererRssMb(): number | undefined {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const procs = out.split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), rss: Number(m[3]), args: m[4] }));
    const roots = new Set(procs.filter((p) => p.args.includes(BENCH_MARK) && !p.args.includes('--type=')).map((p) => p.pid));
    if (!roots.size) return undefined;
    const ours = new Set(roots);
    for (let changed = true; changed;) {
      changed = false;
      for (const p of procs) {
        if (!ours.has(p.pid) && ours.has(p.ppid)) {
          ours.add(p.pid);
          changed = true;
        }
      }
    }
    const kb = procs.filter((p) => ours.has(p.pid) && p.args.includes('--type=renderer')).reduce((a, p) => a + p.rss, 0);
    return kb ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const BENCH_MARK = '--kinesis-inspector-bench';

async function setupPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route('http://bench.local/**', (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') {
      return route.fulfill({ contentType: 'text/html', body: PAGE });
    }
    const file = join(DIST, url.pathname);
    if (!file.startsWith(DIST) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream';
    return route.fulfill({ contentType: type, body: readFileSync(file) });
  });
  return page;
}

// A dark-theme-like set of the variables VS Code defines for webviews.
const THEME = `--vscode-foreground:#cccccc;--vscode-editor-background:#1e1e1e;--vscode-font-family:sans-serif;--vscode-font-size:13px;
--vscode-editor-font-family:monospace;--vscode-descriptionForeground:#9d9d9d;--vscode-panel-border:#444;--vscode-list-hoverBackground:#2a2d2e;
--vscode-list-activeSelectionBackground:#04395e;--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-green:#89d185;--vscode-charts-purple:#b180d7`;

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/codicons/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="/webview/inspector.css">
<style>html{${THEME}}</style>
<script>
  // Test double of the VS Code webview host API.
  window.__state = undefined;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__hostPost(m),
    getState: () => window.__state,
    setState: (s) => { window.__state = s; },
  });
</script></head><body>
<script src="/webview/inspector.js"></script></body></html>`;

async function benchOurs(browser: Browser, records: DecodedRecord[]) {
  const page = await setupPage(browser);
  const model = new InspectorModel(TOTAL);
  let version = 0;
  let rowRequests = 0;
  const send = (msg: HostToWebview) => page.evaluate((m) => window.postMessage(m, '*'), msg as unknown as Record<string, unknown>);
  await page.exposeBinding('__hostPost', async (_src, msg: WebviewToHost) => {
    if (msg.type === 'ready') {
      await send({ type: 'init', connectionId: 'local', streamName: 'bench', connectionLabel: 'Local', shards: [0, 1, 2, 3].map((i) => ({ shardId: `shardId-00000000000${i}`, open: true })), options: { position: { type: 'TRIM_HORIZON' }, shards: 'all' }, filter: {}, sort: 'asc', maxRecords: TOTAL });
    } else if (msg.type === 'getRecord') {
      const r = model.get(msg.recordId)!;
      await send({ type: 'reply', id: msg.id, request: 'getRecord', ok: true, result: { id: r.id, shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, arrivalTime: r.arrivalTime, size: r.size, decoding: 'auto', decodings: r.decodings, text: r.text, isJson: r.json !== undefined, rawHex: '', rawBase64: r.rawBase64 } });
    } else if (msg.type === 'getRows') {
      rowRequests++;
      await send({ type: 'reply', id: msg.id, request: 'getRows', ok: true, result: { version: model.viewVersion, start: msg.start, rows: model.rows(msg.start, msg.count) } });
    }
  });
  await page.goto('http://bench.local/index.html');
  await page.waitForFunction(() => !!(window as unknown as { __inspector?: unknown }).__inspector);
  await page.evaluate(() => {
    const w = window as unknown as { __painted: { version: number; count: number; painted: number; at: number }[] };
    w.__painted = [];
    document.addEventListener('inspector-painted', (e) => w.__painted.push({ ...(e as CustomEvent).detail, at: performance.now() }));
  });

  const feedStart = Date.now();
  for (let i = 0; i < records.length; i += BATCH) {
    model.add(records.slice(i, i + BATCH));
    const change = model.takeChange();
    if (change) {
      version = change.version;
      if (i + BATCH >= records.length) {
        // the last batch: stamp it in the page when it arrives
        await page.evaluate((m) => {
          (window as unknown as { __lastBatchAt: number }).__lastBatchAt = performance.now();
          window.postMessage(m, '*');
        }, { type: 'view', ...change } as Record<string, unknown>);
      } else {
        await send({ type: 'view', ...change });
      }
    }
  }
  const feedMs = Date.now() - feedStart;
  // Rows painted: the render after the last view message showed rows of that version; then wait one
  // more frame so the paint has happened.
  const lastToPaint = await page.evaluate(async (v) => {
    const w = window as unknown as { __painted: { version: number; painted: number; at: number }[]; __lastBatchAt: number };
    for (;;) {
      const hit = w.__painted.find((p) => p.version === v && p.painted > 0 && p.at >= w.__lastBatchAt);
      if (hit) {
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return performance.now() - w.__lastBatchAt;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }, version);

  const scroll = await scrollFrames(page, '.vt-viewport');
  const jump = await page.evaluate(async () => {
    const vp = document.querySelector('.vt-viewport') as HTMLElement;
    const w = window as unknown as { __painted: { first: number; painted: number; at: number }[] };
    const times: number[] = [];
    for (let k = 0; k < 10; k++) {
      const target = Math.floor(((k * 7919) % 97) / 97 * (vp.scrollHeight - vp.clientHeight));
      const t0 = performance.now();
      vp.scrollTop = target;
      const first = Math.floor(vp.scrollTop / 22);
      for (;;) {
        const hit = w.__painted.find((p) => p.at >= t0 && p.first === first && p.painted >= Math.floor(vp.clientHeight / 22) - 1);
        if (hit) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      times.push(performance.now() - t0);
    }
    return times;
  });
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  const heap = await heapMb(page);
  const rss = rendererRssMb();
  const shot = process.env.INSPECTOR_BENCH_SCREENSHOT;
  if (shot) {
    // not part of the figures: a look at the page as the benchmark left it, with a row selected
    await send({ type: 'stats', stats: model.stats(Date.now() + 1000) });
    await page.click('.vt-row:not([hidden]) >> nth=3');
    await page.waitForTimeout(500);
    await page.screenshot({ path: shot });
  }
  await page.close();
  return { feedMs, lastToPaint, scroll, jump, heap, rss, domNodes, rowRequests };
}

async function benchNaive(browser: Browser, records: DecodedRecord[]) {
  const page = await setupPage(browser);
  await page.route('http://bench.local/naive.html', (route) => route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/webview/inspector.css"><style>html{${THEME}} #scroller{flex:1;overflow:auto} td{white-space:nowrap;max-width:400px;overflow:hidden;text-overflow:ellipsis;padding:0 6px;font-size:12px}</style></head><body><div id="scroller"><table><tbody id="tb"></tbody></table></div></body></html>` }));
  await page.goto('http://bench.local/naive.html');
  const { summarize } = await import('../../src/vscode/inspector/model');
  const rows = records.map((r) => summarize(r));
  let lastToPaint = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const last = i + BATCH >= rows.length;
    const t = await page.evaluate(async ({ batch, last }) => {
      const t0 = performance.now();
      const tb = document.getElementById('tb')!;
      const frag = document.createDocumentFragment();
      for (const r of batch) {
        const tr = document.createElement('tr');
        for (const v of [new Date(r.arrivalTime).toISOString(), r.shardId, r.partitionKey, r.sequenceNumber, String(r.size), r.preview]) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.append(td);
        }
        frag.append(tr);
      }
      tb.append(frag);
      if (!last) return 0;
      const scroller = document.getElementById('scroller')!;
      scroller.scrollTop = scroller.scrollHeight;
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return performance.now() - t0;
    }, { batch, last });
    if (last) lastToPaint = t;
  }
  const scroll = await scrollFrames(page, '#scroller');
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  const heap = await heapMb(page);
  const rss = rendererRssMb();
  await page.close();
  return { lastToPaint, scroll, heap, rss, domNodes };
}

/** Scrolls the element by a steady step every frame for SCROLL_MS and records the rAF deltas. */
async function scrollFrames(page: Page, selector: string): Promise<FrameStats> {
  const deltas = await page.evaluate(async ({ selector, ms }) => {
    const el = document.querySelector(selector) as HTMLElement;
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    const out: number[] = [];
    let prev = performance.now();
    const end = prev + ms;
    await new Promise<void>((resolve) => {
      const step = (now: number) => {
        out.push(now - prev);
        prev = now;
        el.scrollTop += 180;
        if (now < end) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    return out.slice(1);
  }, { selector, ms: SCROLL_MS });
  return frameStats(deltas);
}

function fmt(n: number, d = 1): string {
  return n.toFixed(d).padStart(9);
}

async function main(): Promise<void> {
  if (!existsSync(join(DIST, 'webview', 'inspector.js'))) throw new Error('Build first: npm run build (dist/webview/inspector.js is missing).');
  const t = Date.now();
  const records = makeRecords(TOTAL);
  console.log(`Inspector webview benchmark: ${records.length.toLocaleString('en-US')} records (JSON and text, 4 shards), batches of ${BATCH}; made in ${Date.now() - t} ms.`);
  console.log('Host: a test double of the VS Code webview host (stub acquireVsCodeApi, real InspectorModel in Node).');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-precise-memory-info', '--js-flags=--expose-gc', BENCH_MARK],
  });
  try {
    const ours = await benchOurs(browser, records);
    const naive = await benchNaive(browser, records);
    const line = (label: string, a: string, b: string, ratio?: string) => console.log(`${label.padEnd(40)}${a.padStart(14)}${b.padStart(16)}${(ratio ?? '').padStart(12)}`);
    console.log('');
    line('', 'inspector', 'naive DOM table', 'naive/ours');
    line('last batch -> rows painted (ms)', fmt(ours.lastToPaint), fmt(naive.lastToPaint), `${(naive.lastToPaint / ours.lastToPaint).toFixed(1)}x`);
    line('scroll frame time mean (ms)', fmt(ours.scroll.mean), fmt(naive.scroll.mean), `${(naive.scroll.mean / ours.scroll.mean).toFixed(1)}x`);
    line('scroll frame time p95 (ms)', fmt(ours.scroll.p95), fmt(naive.scroll.p95), `${(naive.scroll.p95 / ours.scroll.p95).toFixed(1)}x`);
    line('scroll frame time max (ms)', fmt(ours.scroll.max), fmt(naive.scroll.max), '');
    line(`scroll frames (in ${SCROLL_MS / 1000} s) / over 33 ms`, `${ours.scroll.frames} / ${ours.scroll.over33}`, `${naive.scroll.frames} / ${naive.scroll.over33}`, '');
    line('JS heap after GC (MiB)', fmt(ours.heap), fmt(naive.heap), `${(naive.heap / ours.heap).toFixed(1)}x`);
    if (ours.rss !== undefined && naive.rss !== undefined) line('renderer processes RSS (MiB)', fmt(ours.rss), fmt(naive.rss), '');
    line('DOM elements', String(ours.domNodes), String(naive.domNodes), `${(naive.domNodes / ours.domNodes).toFixed(0)}x`);
    console.log('');
    const j = [...ours.jump].sort((a, b) => a - b);
    console.log(`inspector: feeding 100 batches took ${ours.feedMs} ms (Node model + message round trips); ${ours.rowRequests} getRows requests in all.`);
    console.log(`inspector: jump to a random row -> rows painted: median ${j[Math.floor(j.length / 2)].toFixed(1)} ms, max ${j[j.length - 1].toFixed(1)} ms (a getRows round trip each).`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
