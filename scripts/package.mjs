// Builds the installable extension: kinesis-devtools-<version>[-<target>].vsix in the repository root.
//   npm run package                       # for this machine's platform (linux-x64 here)
//   npm run package -- --target darwin-arm64
//
// The extension is bundled (production esbuild: minified, no source maps); what esbuild cannot
// bundle ships in the .vsix's node_modules: kinesalite and its dependencies (the built-in
// endpoint; it loads its actions dynamically), leveldown with only the target's prebuilt binary
// (kinesis.local.dataPath), esbuild with the target's native binary (it compiles transform
// handlers), and DuckDB's binding with the target's native library (SQL cells). Nothing else: the .vsix is assembled in a staging folder from an allow-list, so no
// source, test or dev dependency can slip in. One .vsix per platform because of the two binaries.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const hostTarget = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
const target = arg('--target') ?? hostTarget;
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64', 'alpine-x64', 'alpine-arm64'];
if (!TARGETS.includes(target)) fail(`Unknown target "${target}". Use one of: ${TARGETS.join(', ')}.`);

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status}).`);
  return r;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// SQL cells: @duckdb/node-api is bundled; its binding (and the target's native library) is not.
function duckdbBindingsVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules/@duckdb/node-bindings/package.json'), 'utf8')).version;
}
run(process.execPath, [join(root, 'scripts/build.mjs'), '--production']);

const stage = mkdtempSync(join(tmpdir(), 'kinesis-vsix-'));
const copy = (rel, to = rel) => cpSync(join(root, rel), join(stage, to), { recursive: true });

// The manifest without what only the repository needs.
const manifest = { ...pkg };
delete manifest.devDependencies;
delete manifest.scripts;
// Only what ships in node_modules (vsce lists it with npm list); everything else is in the bundles.
manifest.dependencies = { kinesalite: pkg.dependencies.kinesalite, esbuild: pkg.dependencies.esbuild, '@duckdb/node-bindings': duckdbBindingsVersion() };
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE']) copy(f);
copy('media');
copy('templates');
mkdirSync(join(stage, 'dist'));
for (const e of readdirSync(join(root, 'dist'))) {
  if (e === 'tools') continue; // the terminal tools run from the repository
  cpSync(join(root, 'dist', e), join(stage, 'dist', e), { recursive: true, filter: (p) => !p.endsWith('.map') });
}

// node_modules: the run-time packages and their production dependencies, resolved as Node does.
const platformOf = (t) => t.replace(/^alpine/, 'linux');
const [os, cpu] = platformOf(target).split('-');
const packed = new Map(); // folder in the repository (node_modules layout kept, nested versions too) -> package name
function addPackage(name, from) {
  let dir;
  try {
    dir = dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`));
  } catch {
    return false;
  }
  if (packed.has(dir)) return true;
  packed.set(dir, name);
  const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(p.dependencies ?? {})) {
    if (!addPackage(dep, dir)) fail(`${name} needs ${dep}, which is not installed: run npm ci.`);
  }
  for (const dep of Object.keys(p.optionalDependencies ?? {})) if (!dep.startsWith('@esbuild/') && !dep.startsWith('@duckdb/')) addPackage(dep, dir);
  return true;
}
addPackage('kinesalite', root);
// DuckDB's binding (and detect-libc); its native library comes from @duckdb/node-bindings-<platform>, added below.
addPackage('@duckdb/node-bindings', root);
// esbuild's JS API; its native binary comes from @esbuild/<platform>, added below.
packed.set(join(root, 'node_modules/esbuild'), 'esbuild');

for (const [dir, name] of packed) {
  cpSync(dir, join(stage, dir.slice(root.length + 1)), {
    recursive: true,
    filter: (p) => {
      const rel = p.slice(dir.length + 1);
      if (rel === 'node_modules' || rel.startsWith('node_modules/')) return false; // nested ones are added on their own
      // leveldown: only the target's prebuilt binary, none of its C++ sources.
      if (name === 'leveldown' && (rel === 'deps' || rel.startsWith('deps/') || rel.endsWith('.cc') || rel.endsWith('.gyp'))) return false;
      if (name === 'leveldown' && rel.startsWith('prebuilds/') && !rel.startsWith(`prebuilds/${platformOf(target)}`)) return false;
      return !/^(test|tests|\.github)$/.test(rel) && !rel.endsWith('.md') && !rel.endsWith('.map');
    },
  });
}

// A native package for the target: from node_modules when it is this machine's, else fetched with npm pack.
function addNative(nativeName, version) {
  const nativeDir = join(stage, 'node_modules', nativeName);
  const local = join(root, 'node_modules', nativeName);
  if (existsSync(local)) cpSync(local, nativeDir, { recursive: true });
  else {
    const tmp = mkdtempSync(join(tmpdir(), 'kinesis-native-'));
    run('npm', ['pack', `${nativeName}@${version}`, '--silent', '--pack-destination', tmp]);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    mkdirSync(nativeDir, { recursive: true });
    run('tar', ['-xzf', join(tmp, tgz), '-C', nativeDir, '--strip-components=1']);
    rmSync(tmp, { recursive: true, force: true });
  }
}
const esbuildVersion = JSON.parse(readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8')).version;
addNative(`@esbuild/${os === 'win32' ? 'win32' : os}-${cpu}`, esbuildVersion);
// DuckDB names musl builds (Alpine) with a -musl suffix.
addNative(`@duckdb/node-bindings-${os}-${cpu}${target.startsWith('alpine') ? '-musl' : ''}`, duckdbBindingsVersion());
// esbuild's own package must not run its install script or look for a bin/esbuild of the build machine.
rmSync(join(stage, 'node_modules/esbuild/bin'), { recursive: true, force: true });
rmSync(join(stage, 'node_modules/esbuild/install.js'), { force: true });

writeFileSync(join(stage, '.vscodeignore'), '');
const out = join(root, `${pkg.name}-${pkg.version}-${target}.vsix`);
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
run(process.execPath, [vsce, 'package', '--target', target, '--out', out], { cwd: stage });
rmSync(stage, { recursive: true, force: true });

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const bundle = statSync(join(root, 'dist/extension.js')).size;
// Back to the development build (source maps), which the tests and F5 load from dist/.
run(process.execPath, [join(root, 'scripts/build.mjs')]);
console.log(`package: ${out} (${mb(statSync(out).size)}; dist/extension.js ${mb(bundle)} minified)`);
