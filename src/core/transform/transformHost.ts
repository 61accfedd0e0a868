/**
 * The program the transform runner starts in a child process: it loads the compiled handler and
 * invokes it for each event the parent sends over IPC (protocol in childProtocol.ts).
 *
 * It ships inside the extension (its own esbuild entry, dist/transformHost.js next to
 * dist/extension.js; tsc puts it next to runner.js) rather than being written somewhere at run
 * time: a file in a shared temporary folder can be replaced by another user of the machine, and
 * the installed extension folder is only the user's. Shipping it also lets it be type-checked
 * against the parent's side of the protocol.
 *
 * What it enforces on its own side, because the parent cannot:
 * - it ends itself when its parent is gone, even while the handler blocks the event loop: a
 *   worker thread watches the parent pid (Node cannot set PR_SET_PDEATHSIG);
 * - console output is cut at the limit here, before it is written to the parent's pipes;
 * - a response over the limit is not sent, only its size.
 */
import { writeSync } from 'node:fs';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { ChildMessage, ErrorInfo, EXIT_MARKER, HostArgs, ParentMessage, parseHostArgv } from './childProtocol';

if (isMainThread) main(parseHostArgv(process.argv.slice(2)));
else watchParent(workerData as { parentPid: number });

/** Runs in a worker thread, so that a busy loop in the handler cannot stop it. */
function watchParent({ parentPid }: { parentPid: number }): void {
  const gone = () => {
    // Reparented (Linux, macOS) or no longer there (Windows keeps the old ppid).
    if (process.ppid !== parentPid) return true;
    try {
      process.kill(parentPid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  const check = () => {
    if (gone()) process.kill(process.pid, 'SIGKILL');
  };
  check();
  setInterval(check, 250);
}

function main(args: HostArgs): void {
  const send = (m: ChildMessage) => process.send?.(m);
  const realExit = process.exit.bind(process);

  if (args.parentPid > 0) new Worker(__filename, { workerData: { parentPid: args.parentPid } }).unref();
  const resetOutput = capOutput(args.maxLogBytes);

  process.exit = ((code?: number | string | null) => {
    const stack = new Error(`process.exit(${code ?? ''})`).stack;
    try {
      writeSync(2, EXIT_MARKER + JSON.stringify({ code: code ?? 0, stack }) + '\n');
    } catch {
      // stderr closed: the parent reports a plain exit
    }
    realExit(code as number | undefined);
  }) as typeof process.exit;

  type Handler = (event: unknown, context: unknown, callback: (err: unknown, value?: unknown) => void) => unknown;
  let handler: Handler | undefined;
  let current: number | undefined;
  process.on('uncaughtException', (e) => send({ type: 'uncaught', id: current, error: errorInfo(e) }));
  process.on('unhandledRejection', (e) => send({ type: 'uncaught', id: current, error: errorInfo(e) }));
  process.on('disconnect', () => realExit(0));

  const invoke = (fn: Handler, event: unknown, context: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const done = (err: unknown, value?: unknown) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(value);
      };
      try {
        const ret = fn(event, context, done) as { then?: unknown } | undefined;
        if (ret && typeof ret.then === 'function') {
          (ret as Promise<unknown>).then(
            (v) => done(null, v),
            (e) => done(e || new Error('The handler rejected with ' + String(e))),
          );
        } else if (fn.length < 3) done(null, ret);
      } catch (e) {
        done(e);
      }
    });

  process.on('message', async (m: ParentMessage) => {
    if (m.type === 'reset-output') {
      resetOutput();
      return;
    }
    if (m.type === 'load') {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(m.file) as Record<string, unknown>;
        const fn = mod[m.exportName] !== undefined ? mod[m.exportName] : m.exportName === 'default' ? mod : undefined;
        if (typeof fn !== 'function') {
          const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
          send({
            type: 'load-error',
            error: { name: 'HandlerNotFound', message: `The module does not export a function named "${m.exportName}"${names.length ? ` (it exports: ${names.join(', ')})` : ''}.` },
          });
          return;
        }
        handler = fn as Handler;
        send({ type: 'loaded' });
      } catch (e) {
        send({ type: 'load-error', error: errorInfo(e) });
      }
      return;
    }
    if (m.type === 'invoke' && handler) {
      current = m.id;
      const deadline = m.context.deadline;
      const ctx = {
        ...m.context,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        callbackWaitsForEmptyEventLoop: true,
        done: () => undefined,
        succeed: () => undefined,
        fail: () => undefined,
      };
      const t0 = process.hrtime.bigint();
      let value: unknown;
      try {
        value = await invoke(handler, m.event, ctx);
      } catch (e) {
        send({ type: 'error', id: m.id, error: errorInfo(e) });
        return;
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let json: string | undefined;
      try {
        json = value === undefined ? undefined : JSON.stringify(value);
      } catch (e) {
        send({ type: 'error', id: m.id, error: { name: 'SerializationError', message: `The handler returned a value that cannot be serialized to JSON: ${(e as Error).message}` } });
        return;
      }
      const bytes = json === undefined ? 0 : Buffer.byteLength(json);
      if (bytes > args.maxResponseBytes) send({ type: 'result', id: m.id, bytes, tooLarge: true, ms });
      else send({ type: 'result', id: m.id, json, bytes, ms });
    }
  });
  send({ type: 'ready' });
}

function errorInfo(e: unknown): ErrorInfo {
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown; stack?: unknown };
    return { name: String(o.name || 'Error'), message: String(o.message), stack: typeof o.stack === 'string' ? o.stack : undefined };
  }
  return { name: 'Error', message: 'Thrown value: ' + String(e) };
}

/** Cuts stdout and stderr (one budget for both) at `max` bytes, with one line saying so; returns what starts a new budget. */
function capOutput(max: number): () => void {
  let used = 0;
  let cut = false;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength ?? 0;
      if (used + bytes <= max) {
        used += bytes;
        return write(chunk, ...rest);
      }
      if (!cut) {
        cut = true;
        write(`\n[output cut after ${max} bytes]\n`);
      }
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    }) as typeof stream.write;
  }
  return () => {
    used = 0;
    cut = false;
  };
}
