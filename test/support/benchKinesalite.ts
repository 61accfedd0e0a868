/** For benchmarks: kinesalite in a child process (so that its CPU is not the measured code's) and a record payload. */
import { spawn } from 'node:child_process';
import { freePort } from './endpoints';

export async function startKinesaliteChild(): Promise<{ endpoint: string; close(): void }> {
  const port = await freePort();
  const script = `require(${JSON.stringify(require.resolve('kinesalite'))})({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 })
    .listen(${port}, '127.0.0.1', () => console.log('LISTENING'));`;
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('LISTENING') && resolve());
    child.once('exit', (c) => reject(new Error(`kinesalite exited with ${c}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, close: () => child.kill('SIGKILL') };
}

/** Record `i` of a benchmark stream: a page-view event of about `size` bytes (default 200). */
export function payload(i: number, size = 200): Buffer {
  const base = JSON.stringify({ id: i, user: `user-${i % 997}`, event: 'page_view', ts: 1764331200000 + i, pad: '' });
  return Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, size - base.length))}"`));
}
