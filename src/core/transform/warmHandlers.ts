/**
 * Warm handlers, as Lambda keeps them: a handler's module is compiled and loaded once, in one
 * isolated child (the runner's HandlerProcess, with all its limits), and that child serves every
 * following invocation, so module state persists between them. The child is replaced when one of
 * the handler's source files changes (checked by modification time before each use), when an
 * invocation ended it (timeout, memory, exit, crash), or when the options it was started with
 * differ. One child per handler (a file and export, or a notebook cell): editing a cell replaces its
 * child rather than adding one, and at most MAX_WARM handlers are kept (the least recently used
 * ends first). The transform notebook and the local Firehose emulator both keep one of these.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileHandler, CompiledHandler, HandlerSource } from './compile';
import { DEFAULT_FUNCTION_NAME, DEFAULT_INIT_TIMEOUT_MS, DEFAULT_MAX_LOG_BYTES, DEFAULT_MEMORY_MB, DEFAULT_REGION, DEFAULT_TIMEOUT_MS, HandlerProcess, RunnerOptions } from './runner';

/** Children kept at once; each is a Node process of some 50 MB. */
export const MAX_WARM = 8;

interface Entry {
  /** The handler (file and export, or cell): one child each. */
  slot: string;
  /** Its source and options: when they differ, the child is replaced. */
  key: string;
  workDir: string;
  compiled: CompiledHandler;
  /** Modification time of each input when it was compiled. */
  mtimes: Map<string, number>;
  proc: HandlerProcess;
  startMs: number;
  /** Invocations on this child, one after another (a child serves one invocation at a time). */
  queue: Promise<unknown>;
}

/** Which handler this is: a file and export, or a notebook cell (its label and folder). */
function slotOf(source: HandlerSource, opts: RunnerOptions): string {
  const fn = opts.functionName ?? DEFAULT_FUNCTION_NAME;
  return JSON.stringify(source.kind === 'file' ? [source.path, source.exportName ?? 'handler', fn] : [source.resolveDir, source.label, fn]);
}

/** What makes two requests for a handler the same child: the source and the options the child starts with. */
function keyOf(source: HandlerSource, opts: RunnerOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(source.kind === 'file' ? [source.kind, source.path, source.exportName ?? 'handler'] : [source.kind, source.code, source.language, source.resolveDir, source.label, source.exportName ?? 'handler']));
  // With the defaults filled in: a caller that leaves an option out and one that passes its
  // default ask for the same child (the notebook passes them, a delivery stream may not).
  h.update(
    JSON.stringify([
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      opts.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS,
      opts.memoryMb ?? DEFAULT_MEMORY_MB,
      opts.cwd ?? null,
      opts.functionName ?? DEFAULT_FUNCTION_NAME,
      opts.region ?? DEFAULT_REGION,
      opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES,
      opts.credentials ?? null,
    ]),
  );
  return h.digest('hex');
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

export interface WarmHandle {
  proc: HandlerProcess;
  compiled: CompiledHandler;
  /** True when this call compiled and started the child (a cold start). */
  cold: boolean;
  /** Compile time of a cold start, 0 when warm. */
  compileMs: number;
  /** From compiled to loaded, for a cold start; 0 when warm. */
  startMs: number;
  /** Runs `fn` when the child's earlier work is done: two callers never invoke one child at once. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export class WarmHandlers {
  private readonly entries = new Map<string, Entry>();
  /** One start at a time per key: two deliveries asking at once share one child. */
  private readonly starting = new Map<string, Promise<Entry>>();

  /**
   * The warm child for this handler, compiled and started when there is none or its sources
   * changed. Throws CompileError or RunFailureError (load) like the runner does.
   */
  async acquire(source: HandlerSource, opts: RunnerOptions = {}): Promise<WarmHandle> {
    const slot = slotOf(source, opts);
    const key = keyOf(source, opts);
    const existing = this.entries.get(slot);
    if (existing && existing.key === key && existing.proc.alive && !this.stale(existing)) {
      // Most recently used last: the Map keeps insertion order.
      this.entries.delete(slot);
      this.entries.set(slot, existing);
      return { proc: existing.proc, compiled: existing.compiled, cold: false, compileMs: 0, startMs: 0, exclusive: (fn) => this.exclusive(existing, fn) };
    }
    let pending = this.starting.get(slot);
    if (!pending) {
      pending = this.start(slot, key, source, opts, existing).finally(() => this.starting.delete(slot));
      this.starting.set(slot, pending);
    }
    const e = await pending;
    return { proc: e.proc, compiled: e.compiled, cold: true, compileMs: e.compiled.compileMs, startMs: e.startMs, exclusive: (fn) => this.exclusive(e, fn) };
  }

  /** Ends every child and removes the compiled bundles. */
  async dispose(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => this.end(e)));
  }

  /** How many children are running (for tests and the log). */
  get size(): number {
    return this.entries.size;
  }

  private exclusive<T>(e: Entry, fn: () => Promise<T>): Promise<T> {
    const run = e.queue.then(fn, fn);
    e.queue = run.catch(() => undefined);
    return run;
  }

  private stale(e: Entry): boolean {
    for (const [file, at] of e.mtimes) if (mtimeOf(file) !== at) return true;
    return false;
  }

  private async start(slot: string, key: string, source: HandlerSource, opts: RunnerOptions, old?: Entry): Promise<Entry> {
    if (old) {
      this.entries.delete(slot);
      await this.end(old);
    }
    while (this.entries.size >= MAX_WARM) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      await this.end(e);
    }
    const workDir = mkdtempSync(join(tmpdir(), 'kinesis-warm-'));
    try {
      const compiled = await compileHandler(source, workDir);
      const mtimes = new Map<string, number>();
      for (const f of compiled.inputs) {
        const m = mtimeOf(f);
        if (m !== undefined) mtimes.set(f, m);
      }
      const t0 = Date.now();
      // The child lives on after this call: it must not end with one run's cancellation signal.
      const proc = await HandlerProcess.start(compiled, { ...opts, signal: undefined });
      const e: Entry = { slot, key, workDir, compiled, mtimes, proc, startMs: Date.now() - t0, queue: Promise.resolve() };
      this.entries.set(slot, e);
      return e;
    } catch (err) {
      rmSync(workDir, { recursive: true, force: true });
      throw err;
    }
  }

  private async end(e: Entry): Promise<void> {
    await e.proc.dispose();
    rmSync(e.workDir, { recursive: true, force: true });
  }
}
