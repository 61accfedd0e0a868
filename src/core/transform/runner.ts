/**
 * Runs a user's handler isolated from the caller (the extension host or the CLI): in a child
 * process with a heap limit (--max-old-space-size), a resident-memory watchdog (for Buffers,
 * which live outside the heap), a deadline for loading the module (Lambda's init phase) and one
 * per invocation that kill it, console output captured apart from results and cut in the child,
 * responses over Lambda's 6 MB never sent, and source-mapped stacks (--enable-source-maps).
 * The child gets Lambda's environment, not the caller's, and ends itself when the caller dies.
 * An infinite loop, a huge allocation or process.exit() ends that run with a clear message.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { StaticCredentials } from '../aws/connection';
import { ChildMessage, EXIT_MARKER, HOST_FILE, hostArgv, ParentMessage } from './childProtocol';
import { compileHandler, CompiledHandler, CompileError, HandlerSource } from './compile';
import { LIMITS } from './sampleRecord';
import type { WarmHandlers } from './warmHandlers';

export interface RunnerOptions {
  /** Per invocation, like a Lambda timeout. */
  timeoutMs?: number;
  /** For loading the handler's module (Lambda's init phase: 10 s). */
  initTimeoutMs?: number;
  /** Like the Lambda memory size: heap limit, and the process is killed well above it. */
  memoryMb?: number;
  signal?: AbortSignal;
  cwd?: string;
  functionName?: string;
  region?: string;
  /** Passed to the handler as AWS_ACCESS_KEY_ID etc. only when given: the user asked for them. */
  credentials?: StaticCredentials;
  /** Console output kept per run; the child cuts the rest before sending it. */
  maxLogBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_FUNCTION_NAME = 'local-transform';
export const DEFAULT_REGION = 'us-east-1';

export type FailureKind = 'compile' | 'load' | 'error' | 'too-large' | 'timeout' | 'memory' | 'exit' | 'crash' | 'cancelled';

/** Failures after which the child is still there and the next invocation can run. */
export const CHILD_SURVIVES: ReadonlySet<FailureKind> = new Set(['error', 'too-large']);

export interface RunFailure {
  kind: FailureKind;
  message: string;
  /** The stack, mapped to the handler's source lines. */
  stack?: string;
}

export type InvokeOutcome =
  | { ok: true; response: unknown; responseBytes: number; durationMs: number }
  | { ok: false; failure: RunFailure; durationMs: number };

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** The invocation it was written during, when one was running. */
  invocation?: number;
}

/**
 * The host program, shipped with the extension (see transformHost.ts for why it is not written
 * at run time): next to this file in tsc output and in the extension bundle (dist/), one folder up
 * from the terminal tools' bundles (dist/tools/).
 */
export function hostProgramFile(): string {
  const candidates = [join(__dirname, HOST_FILE), join(__dirname, '..', HOST_FILE)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    throw new RunFailureError({
      kind: 'crash',
      message: `The transform host program is missing (looked for ${candidates.join(' and ')}). Reinstall the extension, or run "npm run build" in its folder.`,
    });
  }
  return found;
}

/** Lambda's limit on its init phase (loading the module), apart from the function timeout. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;

/**
 * The environment Lambda gives a Node handler, and nothing of the caller's: no AWS keys, tokens
 * or VS Code variables, unless `credentials` are passed on purpose.
 */
export function lambdaEnvironment(opts: RunnerOptions, taskRoot: string, nodePath: readonly string[]): Record<string, string> {
  const region = opts.region ?? DEFAULT_REGION;
  const functionName = opts.functionName ?? DEFAULT_FUNCTION_NAME;
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(opts.memoryMb ?? DEFAULT_MEMORY_MB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    LAMBDA_TASK_ROOT: taskRoot,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    NODE_PATH: nodePath.join(delimiter),
  };
  // Not secrets, and needed for the process to work like a process: where programs and temp files are.
  for (const k of ['PATH', 'Path', 'TMPDIR', 'TEMP', 'TMP', 'SystemRoot']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  if (opts.credentials) {
    env.AWS_ACCESS_KEY_ID = opts.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = opts.credentials.secretAccessKey;
    if (opts.credentials.sessionToken) env.AWS_SESSION_TOKEN = opts.credentials.sessionToken;
  }
  // Under Electron (the VS Code desktop extension host), the executable must act as Node.
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return env;
}

/** Resident memory of a process in MB (Linux /proc); undefined where unavailable. */
function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** One warm child process holding one loaded handler, invoked any number of times. */
export class HandlerProcess {
  readonly logs: LogLine[] = [];
  private logBytes = 0;
  private logsCut = false;
  private received = 0;
  private dying = false;
  private stderrTail = '';
  private exitInfo?: { code: number; stack?: string };
  private exited?: { code: number | null; signal: NodeJS.Signals | null };
  private killedFor?: RunFailure;
  private pending?: { id: number; resolve: (m: ChildMessage | undefined) => void };
  private loadWaiter?: (m: ChildMessage | undefined) => void;
  private nextId = 0;
  private invocation?: number;
  private watchdog?: NodeJS.Timeout;
  private readonly exitPromise: Promise<void>;
  private written: Promise<void> = Promise.resolve();

  private constructor(
    private readonly child: ChildProcess,
    private readonly compiled: CompiledHandler,
    private readonly opts: RunnerOptions,
  ) {
    // The child cuts console output at maxLogBytes; this margin is for what bypasses the console
    // (a raw write to fd 1 or 2, V8's own messages), cut here as it arrives.
    const maxLog = (opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES) + 64 * 1024;
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this.received += chunk.byteLength;
      let text = chunk.toString('utf8');
      if (stream === 'stderr') {
        this.stderrTail = (this.stderrTail + text).slice(-8192);
        const at = text.indexOf(EXIT_MARKER);
        if (at >= 0) {
          const end = text.indexOf('\n', at);
          try {
            this.exitInfo = JSON.parse(text.slice(at + EXIT_MARKER.length, end < 0 ? undefined : end));
          } catch {
            this.exitInfo = { code: 0 };
          }
          text = text.slice(0, at) + (end < 0 ? '' : text.slice(end + 1));
        }
      }
      // V8's out-of-memory report (GC trace and native frames) is noise next to our own message.
      if (stream === 'stderr' && /<--- Last few GCs --->|FATAL ERROR:/.test(text)) this.dying = true;
      if (!text || (stream === 'stderr' && this.dying)) return;
      if (this.logBytes >= maxLog) {
        if (!this.logsCut) this.logs.push({ stream, text: `[output cut after ${maxLog} bytes]\n` });
        this.logsCut = true;
        return;
      }
      this.logBytes += chunk.byteLength;
      this.logs.push({ stream, text: this.mapPaths(text), ...(this.invocation === undefined ? {} : { invocation: this.invocation }) });
    };
    child.stdout?.on('data', onData('stdout'));
    child.stderr?.on('data', onData('stderr'));
    child.on('message', (m: ChildMessage) => this.onMessage(m));
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        if (this.watchdog) clearInterval(this.watchdog);
        // Let the last stderr chunk (the heap-limit message) arrive before judging the exit.
        setImmediate(() => {
          this.loadWaiter?.(undefined);
          this.pending?.resolve(undefined);
          resolve();
        });
      }),
    );
    const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
    // Node itself takes ~50 MB; Buffers are outside the V8 heap limit, so watch the whole process.
    const rssLimit = memoryMb + 256;
    this.watchdog = setInterval(() => {
      const rss = child.pid ? rssMb(child.pid) : undefined;
      if (rss !== undefined && rss > rssLimit) {
        this.kill({ kind: 'memory', message: `The handler used ${Math.round(rss)} MB of memory, over the ${memoryMb} MB limit; the run was stopped.` });
      }
    }, 100);
    this.watchdog.unref();
  }

  /** Starts a child and loads the compiled handler in it, within the init deadline. */
  static async start(compiled: CompiledHandler, opts: RunnerOptions = {}): Promise<HandlerProcess> {
    const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
    const taskRoot = opts.cwd ?? compiled.resolveDir;
    const argv = hostArgv({ parentPid: process.pid, maxLogBytes: opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES, maxResponseBytes: LIMITS.maxPayloadBytes });
    const child = fork(hostProgramFile(), argv, {
      cwd: opts.cwd,
      env: lambdaEnvironment(opts, taskRoot, compiled.nodePath),
      execArgv: [`--max-old-space-size=${memoryMb}`, '--enable-source-maps', '--stack-trace-limit=30'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const proc = new HandlerProcess(child, compiled, opts);
    const onAbort = () => proc.kill({ kind: 'cancelled', message: 'The run was cancelled.' });
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('exit', () => opts.signal?.removeEventListener('abort', onAbort));
    const initMs = opts.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
    const initTimer = setTimeout(
      () =>
        proc.kill({
          kind: 'timeout',
          message: `Loading the handler's module did not finish within ${initMs} ms (Lambda's init phase allows 10 s); the run was stopped. Look for work at the top level of the module: a loop, or a call that never returns.`,
        }),
      initMs,
    );
    try {
      await proc.load();
    } finally {
      clearTimeout(initTimer);
    }
    return proc;
  }

  private onMessage(m: ChildMessage): void {
    switch (m.type) {
      case 'ready':
        this.send({ type: 'load', file: this.compiled.file, exportName: this.compiled.exportName });
        return;
      case 'loaded':
      case 'load-error':
        this.loadWaiter?.(m);
        return;
      case 'result':
      case 'error':
        if (this.pending?.id === m.id) this.pending.resolve(m);
        return;
      case 'uncaught':
        if (this.pending) this.pending.resolve(m);
        else if (this.loadWaiter) this.loadWaiter(m);
        return;
    }
  }

  private load(): Promise<void> {
    return new Promise<ChildMessage | undefined>((resolve) => (this.loadWaiter = resolve)).then((m) => {
      this.loadWaiter = undefined;
      if (m?.type === 'loaded') return;
      if (m && (m.type === 'load-error' || m.type === 'uncaught')) {
        void this.dispose();
        throw new RunFailureError({ kind: 'load', message: `Loading the handler failed: ${m.error.message}`, stack: this.mapStack(m.error.stack) }, this.logs);
      }
      throw new RunFailureError(this.exitFailure('while loading the handler'), this.logs);
    });
  }

  /** Invokes the handler once; never throws: a failure is an outcome. */
  async invoke(event: unknown, invocation = 0, context: Record<string, unknown> = {}): Promise<InvokeOutcome> {
    const started = Date.now();
    if (this.exited || this.killedFor) {
      return { ok: false, failure: this.killedFor ?? this.exitFailure('before the invocation'), durationMs: 0 };
    }
    const id = this.nextId++;
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.invocation = invocation;
    const reply = new Promise<ChildMessage | undefined>((resolve) => (this.pending = { id, resolve }));
    const timer = setTimeout(
      () => this.kill({ kind: 'timeout', message: `The handler did not finish within ${timeoutMs} ms (invocation ${invocation + 1}); the run was stopped.` }),
      timeoutMs,
    );
    const memoryMb = this.opts.memoryMb ?? DEFAULT_MEMORY_MB;
    const awsRequestId = (event as { invocationId?: string })?.invocationId ?? randomUUID();
    const functionName = this.opts.functionName ?? DEFAULT_FUNCTION_NAME;
    this.send({
      type: 'invoke',
      id,
      event,
      context: {
        awsRequestId,
        functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${this.opts.region ?? DEFAULT_REGION}:123456789012:function:${functionName}`,
        memoryLimitInMB: String(memoryMb),
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName: 'local',
        deadline: started + timeoutMs,
        ...context,
      },
    });
    const m = await reply;
    clearTimeout(timer);
    this.pending = undefined;
    this.invocation = undefined;
    const durationMs = Date.now() - started;
    if (m?.type === 'result' && m.tooLarge) {
      // The child did not send it: Lambda would not return it either, and parsing it here would
      // make the caller pay for the handler's mistake.
      return {
        ok: false,
        failure: {
          kind: 'too-large',
          message: `The handler returned ${(m.bytes / 1048576).toFixed(2)} MB of JSON; Lambda returns at most ${LIMITS.maxPayloadBytes / 1048576} MB, so the whole invocation fails. Return less (Firehose: lower the buffer size so each invocation gets fewer records).`,
        },
        durationMs: m.ms,
      };
    }
    if (m?.type === 'result') {
      const json = m.json;
      let response: unknown;
      try {
        response = json === undefined ? undefined : JSON.parse(json);
      } catch {
        response = json;
      }
      return { ok: true, response, responseBytes: m.bytes, durationMs: m.ms };
    }
    if (m?.type === 'error' || m?.type === 'uncaught') {
      const e = m.error;
      return {
        ok: false,
        failure: {
          kind: 'error',
          message: `${m.type === 'uncaught' ? 'Uncaught ' : ''}${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`,
          stack: this.mapStack(e.stack),
        },
        durationMs,
      };
    }
    return { ok: false, failure: this.killedFor ?? this.exitFailure(`during invocation ${invocation + 1}`), durationMs };
  }

  private exitFailure(when: string): RunFailure {
    if (this.killedFor) return this.killedFor;
    if (this.exitInfo) {
      return {
        kind: 'exit',
        message: `The handler called process.exit(${this.exitInfo.code}) ${when}; in Lambda that ends the runtime and fails the invocation. Return the response instead.`,
        stack: this.mapStack(this.exitInfo.stack),
      };
    }
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail)) {
      return { kind: 'memory', message: `The handler ran out of memory (heap limit ${this.opts.memoryMb ?? DEFAULT_MEMORY_MB} MB) ${when}; the run was stopped.` };
    }
    const how = this.exited ? (this.exited.signal ? `signal ${this.exited.signal}` : `exit code ${this.exited.code}`) : 'unknown reason';
    return { kind: 'crash', message: `The handler process ended (${how}) ${when}.`, stack: this.stderrTail.trim() || undefined };
  }

  /** Ends the child now, the invocation in progress failing as cancelled. */
  cancel(): void {
    this.kill({ kind: 'cancelled', message: 'The run was cancelled.' });
  }

  private kill(reason: RunFailure): void {
    if (this.exited || this.killedFor) return;
    this.killedFor = reason;
    this.child.kill('SIGKILL');
  }

  /** Stack frames point into the bundle's temp folder only for inline cell code: show the cell's name. */
  private mapStack(stack: string | undefined): string | undefined {
    if (!stack) return undefined;
    const lines = stack
      .split('\n')
      // Frames of the host program (its .js, or its .ts through the source map) are ours, not the handler's.
      .filter((l) => !/transformHost\.(js|ts)\b/.test(l) && !/\(node:|at node:|at new Promise \(<anonymous>\)/.test(l));
    return this.mapPaths(lines.join('\n'));
  }

  private mapPaths(text: string): string {
    const dir = this.compiled.outDir;
    return text.split(dir + '/').join('').split(dir + '\\').join('');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Still loaded and able to take the next invocation (not killed, not exited). */
  get alive(): boolean {
    return !this.exited && !this.killedFor;
  }

  /**
   * For a warm child reused across runs: hands over the console output kept so far and starts a
   * new budget for it, here and in the child, so that each run is cut at maxLogBytes on its own.
   */
  takeLogs(): LogLine[] {
    const logs = this.logs.splice(0, this.logs.length);
    this.logBytes = 0;
    this.logsCut = false;
    this.send({ type: 'reset-output' });
    return logs;
  }

  /** Bytes read from the child's stdout and stderr, kept or not. */
  get outputBytesReceived(): number {
    return this.received;
  }

  private send(m: ParentMessage): void {
    if (!this.child.connected) return;
    this.written = new Promise((resolve) => this.child.send(m, () => resolve()));
  }

  /**
   * Resolves once the last message is written to the channel (or failed to be). A large event
   * is written in pieces as the child reads them, which needs this process's event loop: await
   * this before a long synchronous task, or the child waits for the rest of its event.
   */
  get lastWritten(): Promise<void> {
    return this.written;
  }

  /** Ends the child (politely via disconnect, then for sure). */
  async dispose(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    if (!this.exited) {
      try {
        this.child.disconnect();
      } catch {
        // already gone
      }
      const t = setTimeout(() => this.child.kill('SIGKILL'), 1000);
      await this.exitPromise;
      clearTimeout(t);
    }
  }
}

export class RunFailureError extends Error {
  constructor(
    readonly failure: RunFailure,
    readonly logs: LogLine[] = [],
  ) {
    super(failure.message);
    this.name = 'RunFailureError';
  }
}

export interface RunResult {
  outcomes: InvokeOutcome[];
  logs: LogLine[];
  compileMs: number;
  /** From start to the handler being loaded in a fresh child. */
  startMs: number;
  /** A failure before any invocation (compile, load, cancel). */
  failure?: RunFailure;
}

/**
 * Compiles the handler, starts one child, invokes it for each event in order (like a warm
 * Lambda container) and ends the child. Stops at the first invocation that kills the child.
 */
export async function runHandler(
  source: HandlerSource,
  events: readonly unknown[],
  opts: RunnerOptions & { onInvocation?: (i: number, outcome: InvokeOutcome) => void; warm?: WarmHandlers } = {},
): Promise<RunResult> {
  if (opts.warm) return runWarm(source, events, opts, opts.warm);
  const workDir = mkdtempSync(join(tmpdir(), 'kinesis-transform-'));
  const result: RunResult = { outcomes: [], logs: [], compileMs: 0, startMs: 0 };
  let proc: HandlerProcess | undefined;
  try {
    let compiled: CompiledHandler;
    try {
      compiled = await compileHandler(source, workDir);
    } catch (e) {
      result.failure = { kind: 'compile', message: e instanceof CompileError ? `The handler does not compile:\n${e.message}` : (e as Error).message };
      return result;
    }
    result.compileMs = compiled.compileMs;
    if (opts.signal?.aborted) {
      result.failure = { kind: 'cancelled', message: 'The run was cancelled.' };
      return result;
    }
    const t0 = Date.now();
    try {
      proc = await HandlerProcess.start(compiled, opts);
    } catch (e) {
      result.failure = e instanceof RunFailureError ? e.failure : { kind: 'crash', message: (e as Error).message };
      if (e instanceof RunFailureError) result.logs = e.logs;
      return result;
    }
    result.startMs = Date.now() - t0;
    await invokeAll(proc, events, opts, result);
    return result;
  } finally {
    if (proc) {
      await proc.dispose();
      result.logs = proc.logs;
    }
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Invokes one after another, as Lambda does (the child serves one invocation at a time), but
 * sends the next event before handing the last outcome to `onInvocation`: the caller's contract
 * checks then run while the child works on the next invocation, rather than one waiting for the
 * other. The next invocation starts only once the last one ended and left the child alive.
 */
async function invokeAll(proc: HandlerProcess, events: readonly unknown[], opts: { onInvocation?: (i: number, outcome: InvokeOutcome) => void }, result: RunResult): Promise<void> {
  let next = events.length ? proc.invoke(events[0], 0) : undefined;
  for (let i = 0; next; i++) {
    const outcome = await next;
    const survives = outcome.ok || CHILD_SURVIVES.has(outcome.failure.kind);
    next = survives && i + 1 < events.length ? proc.invoke(events[i + 1], i + 1) : undefined;
    if (next) await proc.lastWritten;
    result.outcomes.push(outcome);
    try {
      opts.onInvocation?.(i, outcome);
    } catch (e) {
      // The child must be idle again before the caller (or the next run on a warm child) goes on.
      if (next) await next;
      throw e;
    }
  }
}

/** The same run on a warm child: compiled and loaded only when the handler changed, and left running after. */
async function runWarm(
  source: HandlerSource,
  events: readonly unknown[],
  opts: RunnerOptions & { onInvocation?: (i: number, outcome: InvokeOutcome) => void },
  warm: WarmHandlers,
): Promise<RunResult> {
  const result: RunResult = { outcomes: [], logs: [], compileMs: 0, startMs: 0 };
  if (opts.signal?.aborted) {
    result.failure = { kind: 'cancelled', message: 'The run was cancelled.' };
    return result;
  }
  let handle;
  try {
    handle = await warm.acquire(source, { ...opts, signal: undefined });
  } catch (e) {
    if (e instanceof CompileError) result.failure = { kind: 'compile', message: `The handler does not compile:\n${e.message}` };
    else if (e instanceof RunFailureError) {
      result.failure = e.failure;
      result.logs = e.logs;
    } else result.failure = { kind: 'crash', message: (e as Error).message };
    return result;
  }
  result.compileMs = handle.compileMs;
  result.startMs = handle.startMs;
  const proc = handle.proc;
  // Output of earlier runs is not this run's; what loading printed is, on a cold start.
  const loadLogs = proc.takeLogs();
  const before = handle.cold ? loadLogs : [];
  const onAbort = () => proc.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await handle.exclusive(() => invokeAll(proc, events, opts, result));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // Let the last output chunk arrive before taking it.
    await new Promise((r) => setImmediate(r));
    result.logs = [...before, ...proc.takeLogs()];
  }
  return result;
}
