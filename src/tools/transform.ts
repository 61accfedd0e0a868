/**
 * `npm run transform -- --handler F[#export] --sample S.jsonl [--mode firehose|lambda-kinesis]`:
 * the transform engine from a terminal (for CI); exit status 1 on contract violations.
 */
import { main } from '../core/transform/cli';

// The handler and sample paths are relative to where the command was run (npm sets INIT_CWD).
main(process.argv.slice(2), process.env.INIT_CWD || process.cwd()).then((code) => {
  process.exitCode = code;
});
