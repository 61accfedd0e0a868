/**
 * Inline parsing for dynamic partitioning (MetadataExtraction, `JsonParsingEngine: JQ-1.6`), run
 * by a real jq: the `jq` program (Debian's package is jq 1.6, the very engine Firehose names),
 * started once per delivered batch, never through a shell, with an empty environment, a deadline
 * and a bound on its output. The batch goes in as one JSON array and the query is applied to each
 * element inside `try`, so a record whose query fails gives an error for that record alone, and
 * `input`/`inputs` in a query find nothing to steal from other records.
 *
 * Why the program and not a WebAssembly build from npm: the npm builds are other jq versions (or
 * unmaintained emscripten hacks running in the endpoint's own process); the program is exactly
 * JQ-1.6 and a runaway query is a process to kill, not a stuck event loop.
 */
import { spawn } from 'node:child_process';

export class JqError extends Error {}

/** Per record: the partition keys the query gave, or why there are none. */
export type JqResult = { keys: Record<string, string> } | { error: string };

const ERROR_MARK = '__kinesis_jq_error__';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface JqOptions {
  /** The jq program (default: `jq` on the PATH). */
  program?: string;
  timeoutMs?: number;
}

function run(args: string[], input: string, opts: JqOptions): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.program ?? 'jq', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: Error | undefined;
    const timer = setTimeout(() => {
      failure = new JqError(`The jq query ran longer than ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s and was stopped.`);
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === 'ENOENT'
          ? new JqError('Dynamic partitioning with inline parsing (JQ-1.6) runs the jq program, which is not installed: install it (Debian/Ubuntu: apt-get install jq; macOS: brew install jq), then the buffered records are delivered.')
          : e,
      );
    });
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > MAX_OUTPUT_BYTES) {
        failure = new JqError(`The jq query produced more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB of output for one batch; partition keys are small values: check the query.`);
        child.kill('SIGKILL');
        return;
      }
      out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    child.stdin.on('error', () => undefined); // jq may exit before reading everything (compile error)
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
    child.stdin.end(input);
  });
}

/** Checks that a query compiles (at CreateDeliveryStream / UpdateDestination); throws JqError saying why not. */
export async function checkJqQuery(query: string, opts: JqOptions = {}): Promise<void> {
  const r = await run(['-n', `empty | (\n${query}\n)`], '', opts);
  if (r.code !== 0) throw new JqError(`The MetadataExtractionQuery does not compile in jq 1.6: ${r.stderr.trim().split('\n')[0] || `exit code ${r.code}`}`);
}

/**
 * Applies the query to each JSON value and returns, per value, the partition keys (the object the
 * query gave, its values as strings) or the reason there are none.
 */
export async function extractPartitionKeys(query: string, values: readonly unknown[], opts: JqOptions = {}): Promise<JqResult[]> {
  if (!values.length) return [];
  const filter = `map([try (\n${query}\n) catch {"${ERROR_MARK}": .}])`;
  const r = await run(['-c', filter], JSON.stringify(values), opts);
  if (r.code !== 0) throw new JqError(`jq failed on the batch: ${r.stderr.trim().split('\n')[0] || `exit code ${r.code}`}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new JqError('jq gave output that is not one JSON array for the batch: check that the query is a single expression.');
  }
  if (!Array.isArray(parsed) || parsed.length !== values.length) throw new JqError('jq did not give one result per record: check that the query is a single expression that does not read other inputs.');
  return parsed.map((outputs: unknown): JqResult => {
    if (!Array.isArray(outputs) || outputs.length !== 1) return { error: `The query gave ${Array.isArray(outputs) ? outputs.length : 0} results for this record; it must give exactly one object.` };
    const o = outputs[0] as Record<string, unknown> | null;
    if (o && typeof o === 'object' && !Array.isArray(o) && ERROR_MARK in o) return { error: `The query failed on this record: ${String(o[ERROR_MARK])}` };
    if (!o || typeof o !== 'object' || Array.isArray(o)) return { error: `The query gave ${JSON.stringify(o)?.slice(0, 80)}, not an object of partition keys.` };
    const keys: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === null || v === undefined) continue; // a missing key: the record goes to the error output if the prefix needs it
      if (typeof v === 'object') return { error: `Partition key "${k}" is ${Array.isArray(v) ? 'an array' : 'an object'}; a key is a string, number or boolean.` };
      keys[k] = String(v);
    }
    return { keys };
  });
}
