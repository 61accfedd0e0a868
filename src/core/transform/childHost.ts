/**
 * The program the isolated child process runs: it loads the compiled handler and invokes it for
 * each event the parent sends over IPC. Kept as source text (written to a temp file at run time)
 * so it works the same from the extension bundle, from tsc output and from the CLI.
 *
 * Protocol (parent → child): { type: 'load', file, exportName } then { type: 'invoke', id, event, context }.
 * Child → parent: { type: 'loaded' } | { type: 'load-error', error } | { type: 'result', id, json, ms }
 *   | { type: 'error', id, error } | { type: 'uncaught', error }.
 * A call to process.exit() is reported synchronously on stderr (EXIT_MARKER + JSON) before exiting,
 * since an IPC message could be lost when the process ends.
 */
export const EXIT_MARKER = '\u0000kinesis-transform-exit\u0000';

export const CHILD_HOST_SOURCE = String.raw`'use strict';
const fs = require('fs');
const EXIT_MARKER = ${JSON.stringify(EXIT_MARKER)};
const realExit = process.exit.bind(process);
function errorInfo(e) {
  if (e && typeof e === 'object') return { name: String(e.name || 'Error'), message: String(e.message), stack: typeof e.stack === 'string' ? e.stack : undefined };
  return { name: 'Error', message: 'Thrown value: ' + String(e) };
}
process.exit = function (code) {
  const stack = new Error('process.exit(' + (code === undefined ? '' : code) + ')').stack;
  try { fs.writeSync(2, EXIT_MARKER + JSON.stringify({ code: code === undefined ? 0 : code, stack }) + '\n'); } catch {}
  realExit(code);
};
let handler;
let current;
process.on('uncaughtException', (e) => { process.send({ type: 'uncaught', id: current, error: errorInfo(e) }); });
process.on('unhandledRejection', (e) => { process.send({ type: 'uncaught', id: current, error: errorInfo(e) }); });
process.on('disconnect', () => realExit(0));
function invoke(event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, value) => {
      if (settled) return;
      settled = true;
      if (err) reject(err); else resolve(value);
    };
    try {
      const ret = handler(event, context, done);
      if (ret && typeof ret.then === 'function') ret.then((v) => done(null, v), (e) => done(e || new Error('The handler rejected with ' + String(e))));
      else if (handler.length < 3) done(null, ret);
    } catch (e) { done(e); }
  });
}
process.on('message', async (m) => {
  if (m.type === 'load') {
    try {
      const mod = require(m.file);
      const fn = mod[m.exportName] !== undefined ? mod[m.exportName] : (m.exportName === 'default' ? mod : undefined);
      if (typeof fn !== 'function') {
        const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
        process.send({ type: 'load-error', error: { name: 'HandlerNotFound', message: 'The module does not export a function named "' + m.exportName + '"' + (names.length ? ' (it exports: ' + names.join(', ') + ')' : '') + '.' } });
        return;
      }
      handler = fn;
      process.send({ type: 'loaded' });
    } catch (e) {
      process.send({ type: 'load-error', error: errorInfo(e) });
    }
    return;
  }
  if (m.type === 'invoke') {
    current = m.id;
    const ctx = Object.assign({}, m.context, {
      getRemainingTimeInMillis: () => Math.max(0, m.context.deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
      done: () => {}, succeed: () => {}, fail: () => {},
    });
    const t0 = process.hrtime.bigint();
    try {
      const value = await invoke(m.event, ctx);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let json;
      try { json = value === undefined ? undefined : JSON.stringify(value); }
      catch (e) { process.send({ type: 'error', id: m.id, error: { name: 'SerializationError', message: 'The handler returned a value that cannot be serialized to JSON: ' + e.message } }); return; }
      process.send({ type: 'result', id: m.id, json, ms });
    } catch (e) {
      process.send({ type: 'error', id: m.id, error: errorInfo(e) });
    }
  }
});
process.send({ type: 'ready' });
`;
