/**
 * The one message protocol every webview panel speaks with the extension host, typed per panel.
 *
 * - The webview posts `ready` first; the host answers with its own first event (`init`).
 * - A request carries a numeric `id`; the host answers it with exactly one `reply` of that id,
 *   `ok: false` with a sentence for people when it failed (never a throw into the void).
 * - Commands (webview to host) and events (host to webview) are fire-and-forget.
 *
 * A panel's protocol file names its requests (a union, each with `type` and `id`), what each
 * replies with, its commands, its events and the state the webview persists; both sides then get
 * typed `post`, `request` and dispatch from here. No imports of `vscode`, Node or DOM APIs: this
 * file is bundled into the webviews and tested in plain Node.
 */

export interface Protocol {
  /** Webview to host, each answered by one reply: a union of `{ type, id, ...params }`. */
  requests: { type: string; id: number };
  /** What each request type replies with. */
  results: object;
  /** Webview to host, fire-and-forget (besides `ready`). */
  commands: { type: string };
  /** Host to webview, fire-and-forget. */
  events: { type: string };
}

export type RequestType<P extends Protocol> = P['requests']['type'];
export type RequestOf<P extends Protocol, K extends RequestType<P>> = Extract<P['requests'], { type: K }>;
/** A request as the webview writes it: the id is the channel's business. */
export type RequestBody<P extends Protocol, K extends RequestType<P>> = Omit<RequestOf<P, K>, 'id'>;
export type ResultOf<P extends Protocol, K extends RequestType<P>> = K extends keyof P['results'] ? P['results'][K] : never;

export type ReplyMessage<P extends Protocol> =
  | { [K in RequestType<P>]: { type: 'reply'; id: number; request: K; ok: true; result: ResultOf<P, K> } }[RequestType<P>]
  | { type: 'reply'; id: number; request: RequestType<P>; ok: false; error: string };

export type ReadyMessage = { type: 'ready' };
export type WebviewToHost<P extends Protocol> = ReadyMessage | P['commands'] | P['requests'];
export type HostToWebview<P extends Protocol> = P['events'] | ReplyMessage<P>;

/** Anything posted across the boundary is input: an object with a string `type`, or nothing. */
export function isMessage(v: unknown): v is { type: string } {
  return !!v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string';
}

/** A request is a message with a numeric id (commands and events never have one). */
export function isRequest<P extends Protocol>(m: WebviewToHost<P>): m is P['requests'] {
  return typeof (m as { id?: unknown }).id === 'number' && Number.isSafeInteger((m as { id: number }).id);
}

/**
 * Runs one request through `handle` and always returns its reply: a thrown error becomes
 * `ok: false` with `describe(error)` (the host passes its plain-words, redacted describer).
 */
export async function answerRequest<P extends Protocol>(
  req: P['requests'],
  handle: (req: P['requests']) => Promise<unknown> | unknown,
  describe: (e: unknown) => string,
): Promise<ReplyMessage<P>> {
  const base = { type: 'reply' as const, id: req.id, request: req.type as RequestType<P> };
  try {
    const result = await handle(req);
    return { ...base, ok: true, result } as ReplyMessage<P>;
  } catch (e) {
    let error: string;
    try {
      error = describe(e);
    } catch {
      error = 'The request failed.';
    }
    return { ...base, ok: false, error };
  }
}

/** Why a request got no answer: the panel went away, or the host said no. */
export class RequestError extends Error {
  constructor(message: string, readonly request: string) {
    super(message);
    this.name = 'RequestError';
  }
}

/**
 * The webview's side of the protocol, over any `post` function: id-matched requests and a
 * listener for events. `receive` takes every message the host posts.
 */
export class RpcClient<P extends Protocol> {
  private nextId = 1;
  private readonly pending = new Map<number, { request: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((e: P['events']) => void)[] = [];

  constructor(private readonly send: (msg: WebviewToHost<P>) => void) {}

  /** Fire-and-forget: `ready` and the panel's commands. */
  post(msg: ReadyMessage | P['commands']): void {
    this.send(msg);
  }

  request<K extends RequestType<P>>(body: RequestBody<P, K>): Promise<ResultOf<P, K>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { request: String(body.type), resolve: resolve as (v: unknown) => void, reject });
      this.send({ ...body, id } as unknown as P['requests']);
    });
  }

  onEvent(fn: (e: P['events']) => void): void {
    this.listeners.push(fn);
  }

  /** Requests still waiting for their reply. */
  get waiting(): number {
    return this.pending.size;
  }

  receive(msg: unknown): void {
    if (!isMessage(msg)) return;
    if (msg.type === 'reply') {
      const r = msg as ReplyMessage<P>;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new RequestError(typeof r.error === 'string' ? r.error : 'The request failed.', p.request));
      return;
    }
    for (const fn of this.listeners) fn(msg as P['events']);
  }
}
