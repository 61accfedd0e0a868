/**
 * Activation in plain Node, without a VS Code: a fresh process requires dist/extension.js with a
 * stand-in `vscode` module and calls activate(), N times; the figure is the median. Lighter than
 * `startup` (code-server, one run), so it can compare two builds side by side.
 *
 *   npm run build -- --production && npm run bench -- activation
 *   KINESIS_BENCH_BASELINE=/tmp/dist-before npm run bench -- activation   # a second dist/ beside it
 *
 * Node's own modules the bundle requires are loaded before the clock starts (the extension host
 * has them already). The stand-in answers every property with another stand-in (what activate() registers goes
 * nowhere): it measures Node loading the bundle and activate() constructing, not VS Code.
 * "first use" is what the first expand of a connection adds: requiring the bundles loaded late.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { ROOT } from '../../src/tools/codeServer';

const RUNS = Number(process.env.KINESIS_BENCH_RUNS ?? 15);

interface Sample {
  loadMs: number;
  activateMs: number;
  firstUseMs: number;
  /** The other bundles of dist/ that activation loaded (none, when the SDK and libraries wait for first use). */
  loaded: string[];
}

const VSCODE_NAMES = [
  'commands', 'env', 'languages', 'notebooks', 'window', 'workspace', 'l10n', 'extensions', 'ConfigurationTarget', 'Disposable', 'EventEmitter',
  'ExtensionMode', 'MarkdownString', 'NotebookCellData', 'NotebookCellKind', 'NotebookCellOutput', 'NotebookCellOutputItem',
  'NotebookControllerAffinity', 'NotebookData', 'NotebookEdit', 'ProgressLocation', 'ThemeColor', 'ThemeIcon', 'TreeItem',
  'TreeItemCollapsibleState', 'Uri', 'ViewColumn', 'WorkspaceEdit', 'CancellationTokenSource', 'StatusBarAlignment',
];

/** In the child: a `vscode` whose every member is a callable, constructible stand-in. */
function installVscodeStub(): void {
  const make = (): unknown =>
    new Proxy(function stub() {}, {
      get: (target, key) => {
        if (key === 'then' || typeof key === 'symbol') return undefined; // not a promise, no coercion
        if (key === 'prototype') return target.prototype;
        return make();
      },
      apply: () => make(),
      construct: () => make() as object,
    });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the child patches the loader before the bundle requires vscode
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  // A plain object (the bundle copies the module's own names): every name the extension takes from vscode.
  const vscode = Object.fromEntries(VSCODE_NAMES.map((n) => [n, make()]));
  Module._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? vscode : load(request, ...rest));
}

function child(dist: string): void {
  installVscodeStub();
  // The extension host has loaded Node's own modules (http, crypto, child_process...) long before
  // any extension: loaded here first too, so that the figure is the bundle's own.
  const source = readFileSync(join(dist, 'extension.js'), 'utf8');
  for (const [, name] of source.matchAll(/require\("(?:node:)?([a-z_/]+)"\)/g)) if (builtinModules.includes(name)) require(name); // eslint-disable-line @typescript-eslint/no-require-imports
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- what is measured is the require
  const ext = require(join(dist, 'extension.js')) as { activate(ctx: unknown): unknown };
  const t1 = performance.now();
  const store = new Map<string, unknown>();
  const context = {
    subscriptions: [] as unknown[],
    extensionUri: { fsPath: ROOT },
    extensionPath: ROOT,
    extensionMode: 1,
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
    globalState: { get: (k: string) => store.get(k), update: async (k: string, v: unknown) => void store.set(k, v), keys: () => [...store.keys()] },
    workspaceState: { get: () => undefined, update: async () => undefined, keys: () => [] },
    globalStorageUri: { fsPath: '/tmp' },
    storageUri: undefined,
    logUri: { fsPath: '/tmp' },
  };
  ext.activate(context);
  const t2 = performance.now();
  const loaded = Object.keys(require.cache).filter((f) => f.startsWith(dist) && !f.endsWith('extension.js')).map((f) => basename(f));
  // What activation left for later: every other bundle of this build that the extension loads.
  for (const f of lateBundles(dist)) require(join(dist, f)); // eslint-disable-line @typescript-eslint/no-require-imports
  const t3 = performance.now();
  const sample: Sample = { loadMs: t1 - t0, activateMs: t2 - t1, firstUseMs: t3 - t2, loaded };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
  process.exit(0);
}

/** The bundles the extension requires on first use (faker, DuckDB and the formats only by their own features). */
function lateBundles(dist: string): string[] {
  return readdirSync(dist).filter((f) => /^(aws|libs)\.js$/.test(f));
}

function sample(dist: string): Sample {
  const r = spawnSync(process.execPath, [__filename, '--child', dist], { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`Loading ${dist}/extension.js failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(line) as Sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const dists: [string, string][] = [['this build', join(ROOT, 'dist')]];
  const baseline = process.env.KINESIS_BENCH_BASELINE;
  if (baseline) dists.unshift(['baseline', baseline]);
  for (const [, d] of dists) if (!existsSync(join(d, 'extension.js'))) throw new Error(`No extension.js in ${d}: run npm run build -- --production first.`);
  // Runs alternate between the builds, so that other work on the machine weighs on both alike.
  const results = dists.map(([label, d]) => ({ label, d, samples: [] as Sample[] }));
  for (let i = 0; i < RUNS; i++) for (const r of results) r.samples.push(sample(r.d));
  const col = (s: string) => s.padStart(14);
  const row = (label: string, cells: string[]) => console.log(`${label.padEnd(36)}${cells.map(col).join('')}`);
  console.log(`\nActivation in plain Node ${process.version} (vscode stood in), median of ${RUNS} fresh processes each, alternating:\n`);
  row('', results.map((r) => r.label));
  const fig = (pick: (s: Sample) => number) => results.map((r) => median(r.samples.map(pick)).toFixed(1));
  row('require extension.js (ms)', fig((s) => s.loadMs));
  row('activate() (ms)', fig((s) => s.activateMs));
  row('load + activate() (ms)', fig((s) => s.loadMs + s.activateMs));
  row('first use: aws.js + libs.js (ms)', fig((s) => s.firstUseMs));
  row('other bundles loaded by activation', results.map((r) => r.samples[0].loaded.join(', ') || 'none'));
  row('extension.js (MB)', results.map((r) => (statSync(join(r.d, 'extension.js')).size / 1024 / 1024).toFixed(2)));
  if (results.length === 2) {
    const [a, b] = results.map((r) => median(r.samples.map((s) => s.loadMs + s.activateMs)));
    console.log(`\nratio this build/baseline, load + activate(): ${(b / a).toFixed(2)}x the time`);
  }
}

if (process.argv[2] === '--child') child(process.argv[3]);
else main();
