/** What every terminal tool (npm run produce, tail, transform, notebook) does with its arguments first. */

/** Arguments a tool cannot run with: the message says which and why. */
export class ArgError extends Error {}

/** The connection flags the tools share (the default credential chain does the rest). */
export const CONNECTION_OPTIONS = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
} as const;

export interface CliWrite {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * `--help` (or `-h`, or no arguments when `helpWhenEmpty`) prints the usage: exit 0, or 2 when
 * nothing was given. Arguments that do not parse (an ArgError, or node:util parseArgs' own errors)
 * print why and the usage: exit 2. Anything else the parser throws is a bug and propagates.
 */
export function startCli<T>(argv: readonly string[], usage: string, parse: (argv: readonly string[]) => T, write: CliWrite, opts: { helpWhenEmpty?: boolean } = {}): { args: T } | { exit: number } {
  const empty = argv.length === 0 && !!opts.helpWhenEmpty;
  if (empty || argv.includes('--help') || argv.includes('-h')) {
    write.out(usage);
    return { exit: empty ? 2 : 0 };
  }
  try {
    return { args: parse(argv) };
  } catch (e) {
    if (e instanceof ArgError || String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      write.err(`${(e as Error).message}\n\n${usage}`);
      return { exit: 2 };
    }
    throw e;
  }
}
