/**
 * The contributions in package.json are what users see in the palette, the settings editor, the
 * view and the walkthrough: these tests hold them to the rules of the README (titles, the Kinesis
 * category, icons where a command sits in a title bar or inline, described and scoped settings,
 * `when` clauses naming only context keys that someone sets).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { contextKeysOf, whenClausesOf } from '../support/manifest';

const ROOT = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const sources = sourceFiles(join(ROOT, 'src')).map((f) => readFileSync(f, 'utf8'));

/** Context keys the extension sets: string literals `kinesis.…` in files that call setContext. */
const ownKeys = new Set(
  sources.filter((s) => s.includes("'setContext'")).flatMap((s) => [...s.matchAll(/'(kinesis\.[A-Za-z.]+)'/g)].map((m) => m[1])),
);
/** Keys VS Code itself sets that our clauses may use. */
const VSCODE_KEYS = [/^view$/, /^viewItem$/, /^view\.[\w.-]+\.visible$/, /^config\.[\w.]+$/, /^notebookType$/, /^notebookCellType$/, /^activeWebviewPanelId$/, /^resourceExtname$/, /^focusedView$/];

describe('Manifest (package.json contributions)', () => {
  it('gives every command a title and the Kinesis category', () => {
    for (const c of contributes.commands) {
      assert.ok(typeof c.title === 'string' && c.title.trim(), `${c.command} has a title`);
      assert.equal(c.category, 'Kinesis', `${c.command} is in the Kinesis category`);
    }
  });

  it('registers every contributed command, and contributes every registered one', () => {
    const registered = new Set(sources.flatMap((s) => [...s.matchAll(/registerCommand\(\s*'(kinesis\.\w+)'/g)].map((m) => m[1])));
    const contributed = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));
    for (const id of contributed) assert.ok(registered.has(id), `${id} is registered in src/`);
    for (const id of registered) assert.ok(contributed.has(id), `${id} is contributed in package.json`);
  });

  it('gives an icon to every command in a view title bar or inline on a tree item', () => {
    const icons = new Map<string, unknown>(contributes.commands.map((c: { command: string; icon?: unknown }) => [c.command, c.icon]));
    const placed = [
      ...contributes.menus['view/title'].filter((m: { group?: string }) => m.group?.startsWith('navigation')),
      ...contributes.menus['view/item/context'].filter((m: { group?: string }) => m.group?.startsWith('inline')),
    ];
    assert.ok(placed.length > 0);
    for (const m of placed) assert.ok(icons.get(m.command), `${m.command} has an icon (it shows as one)`);
  });

  it('describes and scopes every setting, with machine scope for local and connection settings', () => {
    const props = contributes.configuration.properties as Record<string, Record<string, unknown>>;
    for (const [key, p] of Object.entries(props)) {
      assert.ok(typeof p.markdownDescription === 'string' && (p.markdownDescription as string).length > 20, `${key} has a markdownDescription`);
      assert.ok('default' in p, `${key} has a default`);
      assert.ok(['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable'].includes(p.scope as string), `${key} has a scope`);
      if (/^kinesis\.(local|connections)\./.test(key)) assert.equal(p.scope, 'machine', `${key} is machine-scoped`);
    }
  });

  it('names in when clauses only context keys VS Code or the extension sets', () => {
    const clauses = whenClausesOf(pkg);
    assert.ok(clauses.length > 10);
    for (const { where, when } of clauses) {
      for (const key of contextKeysOf(when)) {
        const known = ownKeys.has(key) || VSCODE_KEYS.some((r) => r.test(key));
        assert.ok(known, `${where}: the when clause "${when}" names "${key}", which nothing sets`);
      }
    }
  });

  it('shows stream commands in the palette only once there is a stream', () => {
    const palette = new Map<string, string>(contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]));
    for (const id of ['kinesis.deleteStream', 'kinesis.splitShard', 'kinesis.mergeShards', 'kinesis.addTag', 'kinesis.copyStreamArn']) {
      assert.ok(palette.get(id) === 'false' || contextKeysOf(palette.get(id) ?? '').includes('kinesis.streamsShown'), `${id} is hidden until a stream is listed`);
    }
  });

  it('has a walkthrough whose steps open real commands and real media', () => {
    const commands = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));
    const [walkthrough] = contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 6);
    for (const step of walkthrough.steps) {
      const links = [...(step.description as string).matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `step ${step.id} has a button`);
      for (const l of links) assert.ok(commands.has(l) || l.startsWith('workbench.'), `step ${step.id} opens ${l}, a real command`);
      const media = step.media.markdown ?? step.media.image;
      assert.ok(existsSync(join(ROOT, media)), `step ${step.id}'s media ${media} exists`);
    }
  });

  it('ships the marketplace files it names', () => {
    assert.ok(existsSync(join(ROOT, pkg.icon)), 'the icon exists');
    const png = readFileSync(join(ROOT, pkg.icon));
    assert.equal(png.readUInt32BE(16), 128, 'the icon is 128 pixels wide');
    assert.equal(png.readUInt32BE(20), 128, 'the icon is 128 pixels high');
    for (const f of ['CHANGELOG.md', 'LICENSE', 'README.md']) assert.ok(existsSync(join(ROOT, f)), `${f} exists`);
    assert.match(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${pkg.version.replace(/\./g, '\\.')}`), 'the changelog has this version');
  });
});

describe('when clause reader', () => {
  it('names the keys on the left of comparisons and bare keys, not values or regular expressions', () => {
    assert.deepEqual(contextKeysOf('view == kinesis.explorer && viewItem =~ /^stream.*\\busc\\b/'), ['view', 'viewItem']);
    assert.deepEqual(contextKeysOf('!kinesis.streamsShown || (config.kinesis.x && false)'), ['kinesis.streamsShown', 'config.kinesis.x']);
    assert.deepEqual(contextKeysOf("resourceExtname == '.a&&b'"), ['resourceExtname']);
  });
});

describe('engines.vscode', () => {
  it('is the VS Code whose @types/vscode the code compiles against (no newer API can slip in)', () => {
    const minor = (v: string) => /(\d+\.\d+)/.exec(v)?.[1];
    const types = JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/vscode/package.json'), 'utf8')).version as string;
    assert.equal(minor(pkg.devDependencies['@types/vscode']), minor(pkg.engines.vscode), 'package.json pins @types/vscode to engines.vscode');
    assert.equal(minor(types), minor(pkg.engines.vscode), 'the installed @types/vscode is that version');
  });
});
