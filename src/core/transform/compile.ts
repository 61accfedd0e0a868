/**
 * Turns a handler (a file in the workspace, or code written in a notebook cell) into one
 * CommonJS file the isolated runner can load. esbuild bundles the handler's own modules (so a
 * TypeScript handler importing `./lib/x` works) and leaves packages external: they are required
 * at run time from the workspace's node_modules (the runner sets NODE_PATH), as in Lambda.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type * as esbuildType from 'esbuild';
import { UserError } from '../aws/errors';

export type HandlerSource =
  | { kind: 'file'; path: string; exportName?: string }
  | { kind: 'code'; code: string; language: 'javascript' | 'typescript'; resolveDir: string; label: string; exportName?: string };

export interface CompiledHandler {
  /** The bundled CommonJS file with an inline source map. */
  file: string;
  exportName: string;
  /** node_modules folders from the handler's folder upwards, for NODE_PATH. */
  nodePath: string[];
  /** The handler's folder (a cell's: the notebook's), where its imports resolve from. */
  resolveDir: string;
  /** The directory the bundle was written in (stack frames in it are rewritten to the label). */
  outDir: string;
  /** What people call this handler in messages. */
  label: string;
  compileMs: number;
  /** The workspace files the bundle was made from (absolute paths): when one changes, the bundle is stale. */
  inputs: string[];
}

/** `./src/transform.ts#handler` → file and export (default export name `handler`). */
export function parseHandlerSpec(spec: string, baseDir: string): { path: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const exportName = hash > 0 ? spec.slice(hash + 1) || 'handler' : 'handler';
  return { path: isAbsolute(file) ? file : resolve(baseDir, file), exportName };
}

// Loaded lazily and outside the extension bundle: esbuild runs its own native binary.
let esbuildModule: typeof esbuildType | undefined;
function esbuild(): typeof esbuildType {
  if (!esbuildModule) {
    try {
      esbuildModule = createRequire(__filename)('esbuild') as typeof esbuildType;
    } catch {
      throw new UserError(
        'Could not load esbuild, which compiles transform handlers.',
        'Reinstall Kinesis DevTools from the .vsix built for this platform (npm run package -- --target ...), or run "npm install" in its source folder.',
      );
    }
  }
  return esbuildModule;
}

export function nodeModulesChain(dir: string): string[] {
  const out: string[] = [];
  let d = resolve(dir);
  for (;;) {
    if (!d.endsWith('node_modules')) out.push(join(d, 'node_modules'));
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return out;
}

export async function compileHandler(src: HandlerSource, outDir: string): Promise<CompiledHandler> {
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'handler.js');
  const common: esbuildType.BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    outfile: file,
    write: true,
    metafile: true,
    logLevel: 'silent',
  };
  let resolveDir: string;
  let label: string;
  let result: esbuildType.BuildResult<{ metafile: true }>;
  try {
    if (src.kind === 'file') {
      resolveDir = dirname(src.path);
      label = src.path;
      result = await esbuild().build({ ...common, metafile: true, entryPoints: [src.path] });
    } else {
      resolveDir = src.resolveDir;
      label = src.label;
      result = await esbuild().build({
        metafile: true,
        ...common,
        stdin: { contents: src.code, loader: src.language === 'typescript' ? 'ts' : 'js', resolveDir: src.resolveDir, sourcefile: src.label },
      });
    }
  } catch (e) {
    const errors = (e as { errors?: esbuildType.Message[] }).errors;
    if (errors?.length) {
      const where = (m: esbuildType.Message) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '');
      throw new CompileError(errors.map((m) => `${where(m)}${m.text}`).join('\n'));
    }
    throw e;
  }
  return {
    file,
    exportName: src.exportName ?? 'handler',
    nodePath: nodeModulesChain(resolveDir),
    resolveDir,
    outDir,
    label,
    compileMs: Date.now() - started,
    // esbuild names inputs relative to the working directory; a cell's own code is "<stdin>".
    inputs: Object.keys(result.metafile.inputs)
      .filter((f) => !f.startsWith('<'))
      .map((f) => resolve(f)),
  };
}

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}
