/**
 * `npm run tail -- --stream S [--from ...] [--to ...] [--count N] [--filter EXPR] [--format json|text]`
 * (see --help): the stream reader and the decoders in a terminal, JSON Lines on stdout.
 */
import { runTail } from '../core/records/tailCli';

runTail(process.argv.slice(2)).then((code) => process.exit(code));
