/**
 * The webview's end of the panel protocol (src/protocol/rpc.ts): the VS Code API acquired once,
 * messages from the host routed to replies or events, and the page's saved state.
 */
import { Protocol, RpcClient } from '../../src/protocol/rpc';

export class HostChannel<P extends Protocol, S> extends RpcClient<P> {
  private readonly api: VsCodeWebviewApi<S>;

  constructor() {
    const api = acquireVsCodeApi<S>();
    super((m) => api.postMessage(m));
    this.api = api;
    window.addEventListener('message', (ev: MessageEvent) => this.receive(ev.data));
  }

  /** Says `ready`: the host answers with `init` (call once the page can take events). */
  ready(): void {
    this.post({ type: 'ready' });
  }

  getState(): S | undefined {
    return this.api.getState();
  }

  setState(s: S): void {
    this.api.setState(s);
  }
}
