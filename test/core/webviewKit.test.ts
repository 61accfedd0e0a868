import * as assert from 'node:assert/strict';
import { answerRequest, isMessage, isRequest, Protocol, RequestError, RpcClient, WebviewToHost } from '../../src/protocol/rpc';
import { UserError, describeError } from '../../src/core/aws/errors';
import { Store } from '../../webview/shared/store';
import { formatBytes, formatDuration } from '../../src/core/format';

/** The webview kit in plain Node: the client and the host's dispatcher wired back to back, no VS Code. */
interface EchoProtocol extends Protocol {
  requests: { type: 'echo'; id: number; text: string } | { type: 'fail'; id: number; how: 'user' | 'secret' | 'plain' };
  results: { echo: { text: string }; fail: never };
  commands: { type: 'poke' };
  events: { type: 'tick'; n: number };
}

function wire() {
  const toHost: WebviewToHost<EchoProtocol>[] = [];
  const client = new RpcClient<EchoProtocol>((m) => {
    toHost.push(m);
    if (!isRequest<EchoProtocol>(m)) return;
    void answerRequest<EchoProtocol>(
      m,
      (req) => {
        if (req.type === 'echo') return { text: req.text.toUpperCase() };
        if (req.how === 'user') throw new UserError('Choose a file first.');
        if (req.how === 'secret') throw Object.assign(new Error(`bad key ${FAKE_KEY_ID}`), { name: 'AccessDeniedException' });
        throw new Error('boom');
      },
      (e) => describeError(e, { operation: 'do it' }).message,
    ).then((reply) => client.receive(JSON.parse(JSON.stringify(reply))));
  });
  return { client, toHost };
}

// An access-key-shaped id, built at run time so that no key-shaped literal is committed.
const FAKE_KEY_ID = ['AKIA', 'ABCDEFGHIJKLMNOP'].join('');

describe('Webview kit: typed requests, replies and events', () => {
  it('matches each reply to its request by id, in any order of completion', async () => {
    const { client, toHost } = wire();
    const [a, b] = await Promise.all([client.request<'echo'>({ type: 'echo', text: 'one' }), client.request<'echo'>({ type: 'echo', text: 'two' })]);
    assert.deepEqual([a, b], [{ text: 'ONE' }, { text: 'TWO' }]);
    assert.deepEqual(toHost.map((m) => (m as { id?: number }).id), [1, 2]);
    assert.equal(client.waiting, 0);
  });

  it('turns a thrown UserError into a refused reply with its sentence, and redacts what the SDK said', async () => {
    const { client } = wire();
    await assert.rejects(client.request<'fail'>({ type: 'fail', how: 'user' }), (e: Error) => e instanceof RequestError && e.message === 'Choose a file first.');
    await assert.rejects(client.request<'fail'>({ type: 'fail', how: 'secret' }), (e: Error) => /access denied/.test(e.message) && !e.message.includes(FAKE_KEY_ID));
    await assert.rejects(client.request<'fail'>({ type: 'fail', how: 'plain' }), /Could not do it: boom/);
  });

  it('gives events to listeners, tells commands from requests, and ignores what is not a message', () => {
    const { client } = wire();
    const seen: number[] = [];
    client.onEvent((e) => seen.push(e.n));
    for (const junk of [null, 7, 'tick', { n: 1 }, { type: 3 }, { type: 'reply', id: 99, ok: true, result: 1 }]) client.receive(junk);
    client.receive({ type: 'tick', n: 5 });
    assert.deepEqual(seen, [5]);
    assert.equal(isMessage({ type: 'x' }), true);
    assert.equal(isMessage([]), false);
    assert.equal(isRequest<EchoProtocol>({ type: 'poke' }), false);
    assert.equal(isRequest<EchoProtocol>({ type: 'echo', id: 3, text: '' }), true);
    assert.equal(isRequest({ type: 'echo', id: '3' } as never), false);
  });

  it('a describer that throws still yields a reply', async () => {
    const reply = await answerRequest<EchoProtocol>({ type: 'echo', id: 4, text: 'x' }, () => { throw new Error('no'); }, () => { throw new Error('worse'); });
    assert.deepEqual(reply, { type: 'reply', id: 4, request: 'echo', ok: false, error: 'The request failed.' });
  });
});

describe('Webview kit: the state store', () => {
  it('replaces the state on update and tells listeners once per burst', async () => {
    const store = new Store({ a: 1, b: 'x' });
    const before = store.state;
    const seen: { a: number; b: string }[] = [];
    store.subscribe((s) => seen.push(s));
    store.update({ a: 2 });
    store.update((s) => ({ b: s.b + 'y' }));
    assert.deepEqual(before, { a: 1, b: 'x' }, 'the old state object is not mutated');
    assert.equal(seen.length, 0, 'listeners run after the burst, not inside it');
    await Promise.resolve();
    assert.deepEqual(seen, [{ a: 2, b: 'xy' }]);
    const off = store.subscribe(() => seen.push({ a: -1, b: '' }));
    off();
    store.update({ a: 3 });
    await Promise.resolve();
    assert.deepEqual(seen.map((s) => s.a), [2, 3]);
  });
});

describe('One formatter for sizes and durations', () => {
  it('formats bytes and durations the same everywhere, and survives nonsense', () => {
    assert.deepEqual([0, 1023, 1536, 20 * 1024, 1.5 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.5 KiB', '20 KiB', '1.5 MiB', '3.0 GiB']);
    assert.deepEqual([850, 4200, 210_000, 4_320_000].map(formatDuration), ['850 ms', '4.2 s', '3.5 min', '1.2 h']);
    assert.equal(formatBytes(NaN), '0 B');
    assert.equal(formatDuration(-5), '0 ms');
  });
});
