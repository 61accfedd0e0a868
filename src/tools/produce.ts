/**
 * `npm run produce -- --stream S --template T --rate R --count N --endpoint URL` (see --help):
 * the producer engine from a terminal.
 */
import { runCli } from '../core/producer/cli';

runCli(process.argv.slice(2)).then((code) => process.exit(code));
