import type { HostToWebview, InspectorPanelState, InspectorRequest, ReplyResults, WebviewToHost } from '../../src/protocol/inspector';

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void };
type RequestBody<K extends InspectorRequest['type']> = Omit<Extract<InspectorRequest, { type: K }>, 'id'>;

/** The webview side of the protocol: fire-and-forget posts and id-matched requests. */
export class HostChannel {
  private readonly api = acquireVsCodeApi<InspectorPanelState>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private listener: (msg: HostToWebview) => void = () => undefined;

  constructor() {
    window.addEventListener('message', (ev: MessageEvent) => {
      const msg = ev.data as HostToWebview;
      if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return;
      if (msg.type === 'reply') {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(msg.error));
        return;
      }
      this.listener(msg);
    });
  }

  onMessage(fn: (msg: HostToWebview) => void): void {
    this.listener = fn;
  }

  post(msg: WebviewToHost): void {
    this.api.postMessage(msg);
  }

  request<K extends InspectorRequest['type']>(body: RequestBody<K>): Promise<ReplyResults[K]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.api.postMessage({ ...body, id });
    });
  }

  getState(): InspectorPanelState | undefined {
    return this.api.getState();
  }

  setState(s: InspectorPanelState): void {
    this.api.setState(s);
  }
}
