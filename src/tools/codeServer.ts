/**
 * A real VS Code for the demo and tests on machines without desktop VS Code: code-server (Code-OSS workbench +
 * Node extension host) from the npm registry, driven by Debian's Chromium through playwright-core.
 * scripts/setup-code-server.sh installs Node 24 and code-server into a cache folder once.
 */
import { spawn, execFileSync, ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir, homedir } from 'node:os';
import { createServer } from 'node:net';

/** The repository root: the nearest folder above this file with our package.json. */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let d = from; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'scripts/setup-code-server.sh'))) return d;
  }
  return resolve(from, '../..');
}

export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolvePort) => {
    const s = createServer();
    s.once('error', () => (preferred ? freePort(0).then(resolvePort) : resolvePort(0)));
    s.listen(preferred, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

export function cacheDir(): string {
  return process.env.KINESIS_VSCODE_CACHE || join(homedir(), '.cache/kinesis-devtools');
}

/** Installs code-server on first use (a few minutes), then returns the binary and Node 24. */
export function ensureCodeServer(): { bin: string; nodeBin: string } {
  const cache = cacheDir();
  const bin = join(cache, 'code-server/bin/code-server');
  if (!existsSync(join(cache, 'code-server/.installed'))) {
    execFileSync('bash', [join(ROOT, 'scripts/setup-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { bin, nodeBin: join(cache, 'node24/bin') };
}

export interface CodeServer {
  url: string;
  port: number;
  /** The run's folder: user data, extensions, a workspace, home and temp. */
  dir: string;
  workspace: string;
  close(): Promise<void>;
}

export interface CodeServerOptions {
  /** User settings written before start. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and its extension host. */
  env?: Record<string, string>;
  /** Files to create in the workspace folder. */
  files?: Record<string, string>;
  /** Port to listen on (0: any free one). */
  port?: number;
  /** Folder for the run (made fresh in the temp folder when absent). */
  dir?: string;
  /** An existing workspace folder to open instead of an empty one. */
  workspace?: string;
  /** .vsix files to install into the run's (fresh) extensions folder before start. */
  install?: string[];
}

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const { bin, nodeBin } = ensureCodeServer();
  const dir = opts.dir ?? mkdtempSync(join(process.env.KINESIS_TEST_TMP || tmpdir(), 'kinesis-vscode-'));
  const d = (p: string) => {
    const full = join(dir, p);
    mkdirSync(full, { recursive: true });
    return full;
  };
  const user = d('user');
  d('user/User');
  // The extension's machine-scoped settings (kinesis.local.*, kinesis.connections.*) count only in
  // the remote's own settings (Machine/) when the workbench is remote, as code-server's is.
  d('user/Machine');
  writeFileSync(join(user, 'Machine/settings.json'), JSON.stringify(opts.settings ?? {}, null, 2));
  writeFileSync(
    join(user, 'User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'window.commandCenter': false,
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        ...opts.settings,
      },
      null,
      2,
    ),
  );
  const workspace = opts.workspace ?? d('workspace');
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(join(workspace, name, '..'), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  const port = await freePort(opts.port ?? 0);
  const extensions = d('extensions');
  const env = {
    ...process.env,
    PATH: `${nodeBin}:${process.env.PATH}`,
    HOME: d('home'),
    TMPDIR: d('tmp'),
    XDG_CONFIG_HOME: d('xdg/config'),
    XDG_DATA_HOME: d('xdg/data'),
    XDG_CACHE_HOME: d('xdg/cache'),
    // The workbench must not see the developer's AWS files unless a test gives its own.
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    ...opts.env,
  };
  for (const vsix of opts.install ?? []) {
    execFileSync(bin, ['--install-extension', vsix, '--extensions-dir', extensions, '--user-data-dir', user, '--force'], { env, stdio: 'pipe' });
  }
  const child: ChildProcess = spawn(
    bin,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--user-data-dir', user,
      '--extensions-dir', extensions,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (b) => (output += b));
  child.stderr!.on('data', (b) => (output += b));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not start in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    dir,
    workspace,
    close: async () => {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await new Promise((r) => child.once('exit', r));
      clearTimeout(killer);
    },
  };
}

/**
 * The workbench URL that loads this repository as an extension under development (or, with
 * `installed`, only what is installed in the server's extensions folder).
 */
export function workbenchUrl(server: CodeServer, opts: { folder?: string; testsPath?: string; installed?: boolean } = {}): string {
  const folder = `${server.url}/?folder=${encodeURIComponent(opts.folder ?? server.workspace)}`;
  if (opts.installed) return folder;
  const payload: [string, string][] = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${ROOT}`]];
  if (opts.testsPath) payload.push(['extensionTestsPath', `vscode-remote://127.0.0.1:${server.port}${opts.testsPath}`]);
  return `${folder}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

