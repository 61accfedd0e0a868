// Bundles the extension host code (Node) and each webview (browser) with esbuild.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const NODE_FLOOR_BANNER = "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';";

// Packages the extension requires only on first use get files of their own next to extension.js,
// so that activation does not parse them: faker (the producer's templates, half the bundle once),
// the SDK clients and libraries only some record formats need (Glue and CloudFront clients, Avro,
// DynamoDB's unmarshall), and DuckDB's API (SQL cells).
function apart(filter, file) {
  return { name: `apart:${file}`, setup: (build) => build.onResolve({ filter }, () => ({ path: `./${file}`, external: true })) };
}

// The AWS SDK (half of what extension.js parsed and, above all, what its start-up evaluated) in
// dist/aws.js, loaded when the first export is read: when a connection is expanded, not at
// activation. The code keeps its static imports: each package becomes a small module in
// extension.js whose exports are getters (named at build time from the package itself) that
// require aws.js on the first read. A static import runs at module init in CJS output, so a plain
// external would load aws.js at activation; the getters defer it to the first use of a value.
// Code that reads an SDK export at module level (a subclass, a constant) brings the load back to
// activation: `npm run bench -- activation` shows it.
const AWS_PACKAGES = ['@aws-sdk/client-kinesis', '@aws-sdk/client-firehose', '@aws-sdk/credential-providers', '@smithy/node-http-handler', '@smithy/shared-ini-file-loader'];
// The same for libraries only some features use: record filters (jmespath), the producer's CSV and
// JSON files, KPL aggregation and metric streams (protobufjs), the local endpoint's compression.
const LIB_PACKAGES = ['protobufjs/light', 'aws-kinesis-agg/lib/common', 'csv-parse', 'jmespath', 'stream-json', 'fflate', 'snappyjs'];
const member = (pkg) => pkg.replace(/[^a-z0-9]+/gi, '_').replace(/^_/, '');
function onFirstRead(packages, file) {
  const requireHere = createRequire(join(root, 'package.json'));
  const filter = new RegExp(`^(${packages.map((p) => p.replace(/[/.-]/g, '\\$&')).join('|')})$`);
  const facade = (pkg) => {
    const names = Object.keys(requireHere(pkg)).filter((k) => k !== 'default' && k !== '__esModule');
    return [
      'let m;',
      `const load = () => (m ??= require('./${file}').${member(pkg)});`,
      "Object.defineProperty(exports, '__esModule', { value: true });",
      `for (const k of ${JSON.stringify(names)}) Object.defineProperty(exports, k, { enumerable: true, get: () => load()[k] });`,
    ].join('\n');
  };
  return {
    name: `onFirstRead:${file}`,
    setup(build) {
      // A namespace per file: two instances sharing one would answer each other's packages.
      const namespace = `onFirstRead:${file}`;
      build.onResolve({ filter }, (a) => ({ path: a.path, namespace }));
      build.onResolve({ filter: /.*/, namespace }, () => ({ path: `./${file}`, external: true }));
      build.onLoad({ filter: /.*/, namespace }, (a) => ({ contents: facade(a.path), loader: 'js' }));
    },
  };
}
const FORMAT_PACKAGES = /^(@aws-sdk\/client-glue|@aws-sdk\/client-cloudfront|@aws-sdk\/util-dynamodb|avsc)$/;

const extension = {
  entryPoints: {
    extension: join(root, 'src/extension.ts'),
    // The transform runner's child program, loaded from next to extension.js (never written at run time).
    transformHost: join(root, 'src/core/transform/transformHost.ts'),
  },
  outdir: join(root, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // vscode is provided by the host; kinesalite loads its actions dynamically and cannot be bundled.
  // DuckDB's binding loads a native module prebuilt per platform (@duckdb/node-bindings-<platform>): shipped in node_modules.
  external: ['vscode', 'kinesalite', 'leveldown', '@duckdb/node-bindings'],
  plugins: [onFirstRead(AWS_PACKAGES, 'aws.js'), onFirstRead(LIB_PACKAGES, 'libs.js'), apart(/^@faker-js\/faker$/, 'faker.js'), apart(FORMAT_PACKAGES, 'formats.js'), apart(/^@duckdb\/node-api$/, 'duckdb.js')],
  // When extension.js started loading, for the activation time activate() logs.
  banner: { js: 'var __kinesisLoadStart = performance.now();' },
  logLevel: 'warning',
};

// The English faker only (the package's other locales are tree-shaken away).
const faker = {
  ...extension,
  entryPoints: undefined,
  plugins: [],
  banner: undefined,
  stdin: { contents: "export { base, en, Faker } from '@faker-js/faker';", resolveDir: root, sourcefile: 'faker.js' },
  outfile: join(root, 'dist/faker.js'),
  outdir: undefined,
};

// Every member the core takes from those packages, under its own name (one file answers for all four).
const formats = {
  ...faker,
  stdin: {
    contents: [
      "export { GlueClient, GetSchemaVersionCommand } from '@aws-sdk/client-glue';",
      "export { CloudFrontClient, GetRealtimeLogConfigCommand, ListRealtimeLogConfigsCommand } from '@aws-sdk/client-cloudfront';",
      "export { unmarshall } from '@aws-sdk/util-dynamodb';",
      "export { Type } from 'avsc';",
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'formats.js',
  },
  outfile: join(root, 'dist/formats.js'),
};

// The SDK packages extension.js reads through its getters, each under its own name.
const aws = {
  ...faker,
  stdin: { contents: AWS_PACKAGES.map((p) => `export * as ${member(p)} from '${p}';`).join('\n'), resolveDir: root, sourcefile: 'aws.js' },
  outfile: join(root, 'dist/aws.js'),
};

const libs = {
  ...faker,
  stdin: { contents: LIB_PACKAGES.map((p) => `export * as ${member(p)} from '${p}';`).join('\n'), resolveDir: root, sourcefile: 'libs.js' },
  outfile: join(root, 'dist/libs.js'),
};

// DuckDB's API; its native binding (@duckdb/node-bindings) stays external, shipped in node_modules.
const duckdb = {
  ...faker,
  stdin: { contents: "export * from '@duckdb/node-api';", resolveDir: root, sourcefile: 'duckdb.js' },
  outfile: join(root, 'dist/duckdb.js'),
};

// Terminal tools (npm run local, demo, produce, transform): one node bundle each in dist/tools/.
// They run from the repository, so packages stay in node_modules.
const TOOLS = ['local', 'demo', 'produce', 'transform', 'notebook', 'tail'];
const tools = {
  ...extension,
  entryPoints: Object.fromEntries(TOOLS.map((t) => [t, join(root, `src/tools/${t}.ts`)])),
  outdir: join(root, 'dist/tools'),
  external: undefined,
  plugins: [],
  packages: 'external',
  // The project's Node floor is 20 (README, engines.node). The AWS SDK releases locked here support
  // it; the SDK's notice that releases after January 2027 need Node 22 concerns an upgrade we have
  // not made, so the tools do not print it on every run.
  banner: { js: NODE_FLOOR_BANNER },
};

// Every folder under webview/ with a main.ts is one webview bundle.
const webviewDir = join(root, 'webview');
const webviewEntries = Object.fromEntries(
  (existsSync(webviewDir) ? readdirSync(webviewDir, { withFileTypes: true }) : [])
    .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
    .map((d) => [d.name, join(webviewDir, d.name, 'main.ts')]),
);
const webviews = {
  entryPoints: webviewEntries,
  outdir: join(root, 'dist/webview'),
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// Notebook renderers run in the notebook's webview as ES modules.
const renderers = {
  entryPoints: { sqlResult: join(root, 'webview/sqlResult/renderer.ts') },
  outdir: join(root, 'dist/renderer'),
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// Codicons font and css are served to webviews from dist/ (node_modules is not a webview root).
function copyCodicons() {
  const src = join(root, 'node_modules/@vscode/codicons/dist');
  const dst = join(root, 'dist/codicons');
  mkdirSync(dst, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(src, f), join(dst, f));
}

const configs = [extension, aws, libs, faker, formats, duckdb, tools, renderers, ...(Object.keys(webviewEntries).length ? [webviews] : [])];
copyCodicons();
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
  console.log('[build] watching');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
