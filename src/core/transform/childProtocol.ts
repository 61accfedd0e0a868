/**
 * What the transform runner (parent) and its host program (transformHost.ts, in the child
 * process) say to each other over IPC, and the limits they share. Both import this file, so the
 * protocol is typed once.
 *
 * Parent → child: { type: 'load' } then { type: 'invoke' } any number of times.
 * Child → parent: 'ready' once started, 'loaded' | 'load-error', then one 'result' | 'error' per
 * invocation, and 'uncaught' for errors thrown outside an invocation's promise.
 * A call to process.exit() is reported synchronously on stderr (EXIT_MARKER + JSON) before exiting,
 * since an IPC message could be lost when the process ends.
 */
export const EXIT_MARKER = '\u0000kinesis-transform-exit\u0000';

/** The host program's file name: next to the extension bundle in dist/, and next to runner.js in tsc output. */
export const HOST_FILE = 'transformHost.js';

/** Arguments the parent passes on the child's command line (the environment is the handler's, not ours). */
export interface HostArgs {
  /** The pid of the process that started the child: the child ends itself when it is gone. */
  parentPid: number;
  /** Console output (stdout and stderr together) the child writes before cutting the rest. */
  maxLogBytes: number;
  /** A larger response is not sent: the parent gets its size only. */
  maxResponseBytes: number;
}

export function hostArgv(a: HostArgs): string[] {
  return [String(a.parentPid), String(a.maxLogBytes), String(a.maxResponseBytes)];
}

export function parseHostArgv(argv: readonly string[]): HostArgs {
  const [parentPid, maxLogBytes, maxResponseBytes] = argv.map(Number);
  return { parentPid, maxLogBytes, maxResponseBytes };
}

export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

export type ParentMessage =
  | { type: 'load'; file: string; exportName: string }
  /** A warm child starts a new run: its console budget starts again. */
  | { type: 'reset-output' }
  | { type: 'invoke'; id: number; event: unknown; context: Record<string, unknown> & { deadline: number } };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'loaded' }
  | { type: 'load-error'; error: ErrorInfo }
  /** `json` is absent when the handler returned undefined or when the response was over the limit (then `tooLarge`). */
  | { type: 'result'; id: number; json?: string; bytes: number; tooLarge?: boolean; ms: number }
  | { type: 'error'; id: number; error: ErrorInfo }
  | { type: 'uncaught'; id?: number; error: ErrorInfo };
