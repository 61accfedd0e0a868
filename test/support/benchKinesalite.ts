/**
 * For benchmarks: kinesalite in a child process (so that its CPU is not the measured code's) and a
 * record payload. The child is patched as the extension's endpoint is (`patched: false` for
 * kinesalite alone, to compare); `cpuMs()` is the child's CPU time so far (Linux: from /proc).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from './endpoints';
import { patchKinesalite } from '../../src/core/local/kinesalitePatches';

export async function startKinesaliteChild(opts: { patched?: boolean } = {}): Promise<{ endpoint: string; close(): void; cpuMs(): number | undefined }> {
  const port = await freePort();
  const kinesalite = JSON.stringify(require.resolve('kinesalite'));
  const patch = opts.patched === false ? '' : `(${patchKinesalite.toString()})(require('module').createRequire(${kinesalite}));`;
  const script = `${patch}
    require(${kinesalite})({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 })
    .listen(${port}, '127.0.0.1', () => console.log('LISTENING'));`;
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('LISTENING') && resolve());
    child.once('exit', (c) => reject(new Error(`kinesalite exited with ${c}`)));
  });
  const cpuMs = () => {
    try {
      // Fields 14 and 15 (utime, stime) after the command name, in clock ticks (100 a second on Linux).
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return undefined;
    }
  };
  return { endpoint: `http://127.0.0.1:${port}`, close: () => child.kill('SIGKILL'), cpuMs };
}

/** Record `i` of a benchmark stream: a page-view event of about `size` bytes (default 200). */
export function payload(i: number, size = 200): Buffer {
  const base = JSON.stringify({ id: i, user: `user-${i % 997}`, event: 'page_view', ts: 1764331200000 + i, pad: '' });
  return Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, size - base.length))}"`));
}
