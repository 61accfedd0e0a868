import * as vscode from 'vscode';
import { describeError } from '../core/aws/errors';
import { answerRequest, HostToWebview, isMessage, isRequest, Protocol, WebviewToHost } from '../protocol/rpc';
import { Disposable } from './dispose';
import type { ExtensionServices } from './services';
import { webviewHtml, webviewRoots } from './webviewHtml';

/** How a panel of one kind looks: its view type, webview bundle, icon and whether it keeps its page when hidden. */
export interface PanelKind {
  viewType: string;
  bundle: string;
  icon: string;
  retainContextWhenHidden: boolean;
}

/** What the integration tests read through the extension API's hooks: a kind's open panels. */
export interface PanelHooks<T> {
  panels: ReadonlyMap<string, T>;
}

/**
 * The host side of every webview panel: one panel per key in its kind's registry, the page
 * (strict CSP, our bundle), the `ready` handshake, typed `post`, requests dispatched to `handle`
 * with exactly one reply each (an error, `UserError` or not, becomes `ok: false` with a
 * redacted sentence, never a throw), and dispose. A panel adds its commands, requests and state.
 */
export abstract class WebviewPanelHost<P extends Protocol> extends Disposable {
  private webviewReady = false;
  private readonly readyWaiters: (() => void)[] = [];

  protected constructor(
    protected readonly services: ExtensionServices,
    readonly panel: vscode.WebviewPanel,
    readonly key: string,
    kind: PanelKind,
    title: string,
    private readonly registry: Map<string, vscode.Disposable>,
  ) {
    super();
    registry.get(key)?.dispose();
    registry.set(key, this);
    panel.title = title;
    panel.iconPath = new vscode.ThemeIcon(kind.icon);
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(services.context.extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, services.context.extensionUri, kind.bundle, title);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
  }

  /** The open panel for `key`, brought forward; undefined when there is none. */
  static revealExisting<T extends { readonly panel: vscode.WebviewPanel }>(registry: ReadonlyMap<string, T>, key: string): T | undefined {
    const existing = registry.get(key);
    existing?.panel.reveal();
    return existing;
  }

  /** A new webview panel of this kind in the active column. */
  static createPanel(services: ExtensionServices, kind: PanelKind, title: string): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(kind.viewType, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: kind.retainContextWhenHidden,
      localResourceRoots: webviewRoots(services.context.extensionUri),
    });
  }

  /**
   * Restores this kind's panels after a window reload from the state the webview saved, and
   * disposes them all with the extension. `restore` returns false when the state cannot make a
   * panel (the connection was removed): the panel is closed rather than left empty.
   */
  static registerKind<T extends vscode.Disposable>(
    services: ExtensionServices,
    kind: PanelKind,
    registry: ReadonlyMap<string, T>,
    restore: (panel: vscode.WebviewPanel, state: unknown) => Promise<boolean>,
  ): PanelHooks<T> {
    services.context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(kind.viewType, {
        async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
          let restored = false;
          try {
            restored = await restore(panel, state);
          } catch (e) {
            services.log.warn(`Could not restore a ${kind.viewType} panel: ${describeError(e).message}`);
          }
          if (!restored) panel.dispose();
        },
      }),
      { dispose: () => [...registry.values()].forEach((p) => p.dispose()) },
    );
    return { panels: registry };
  }

  /** True once the webview has posted `ready`. */
  get isReady(): boolean {
    return this.webviewReady;
  }

  /** Resolves once the webview has posted `ready` (tests). */
  whenReady(): Promise<void> {
    if (this.webviewReady) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  protected post(msg: HostToWebview<P>): void {
    if (this.isDisposed) return;
    void this.panel.webview.postMessage(msg);
  }

  /** The webview (re)started: send it the whole current picture. */
  protected abstract onReady(): void | Promise<void>;
  /** A fire-and-forget command from the webview (already checked to be a message). */
  protected abstract onCommand(m: P['commands']): void;
  /** A request's result; throw a UserError to refuse it in words. */
  protected abstract handle(req: P['requests']): Promise<unknown>;

  /** The sentence a failed request replies with (redacted). Panels add their context. */
  protected describeFailure(e: unknown): string {
    return describeError(e).message;
  }

  private receive(m: unknown): void {
    if (this.isDisposed || !isMessage(m)) return;
    const msg = m as WebviewToHost<P>;
    if (msg.type === 'ready') {
      this.webviewReady = true;
      this.readyWaiters.splice(0).forEach((r) => r());
      Promise.resolve()
        .then(() => this.onReady())
        .catch((e) => this.services.log.error(`${this.key}: the panel could not start: ${describeError(e).message}`));
      return;
    }
    if (isRequest<P>(msg)) {
      void answerRequest<P>(msg, (r) => this.handle(r), (e) => this.describeFailure(e)).then((reply) => this.post(reply));
      return;
    }
    this.onCommand(msg as P['commands']);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.registry.get(this.key) === this) this.registry.delete(this.key);
    super.dispose();
    this.panel.dispose();
  }
}
