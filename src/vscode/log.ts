import * as vscode from 'vscode';
import { redact } from '../core/aws/redact';

/** The one logger: the "Kinesis DevTools" log output channel. Never give it credentials. */
export class Logger implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Kinesis DevTools', { log: true });

  info(msg: string): void {
    this.channel.info(redact(msg));
  }
  warn(msg: string): void {
    this.channel.warn(redact(msg));
  }
  error(msg: string, err?: unknown): void {
    const detail = err instanceof Error ? `\n${err.stack ?? err.message}` : err !== undefined ? ` ${String(err)}` : '';
    this.channel.error(redact(msg + detail));
  }
  dispose(): void {
    this.channel.dispose();
  }
}
