/**
 * `npm run notebook -- run demo/orders.kinesis-notebook [--endpoint URL | --profile P] [--json]`:
 * a transform notebook run headless (for CI); exit status 1 when a cell fails.
 */
import { main } from '../core/transform/notebookRunner';

// The notebook path is relative to where the command was run (npm sets INIT_CWD).
main(process.argv.slice(2), process.env.INIT_CWD || process.cwd()).then((code) => {
  process.exitCode = code;
});
