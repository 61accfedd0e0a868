import * as vscode from 'vscode';

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

/** Belt and braces: strip anything shaped like an AWS secret before it reaches the log. */
export function redact(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '$1****************')
    .replace(/(secretAccessKey|aws_secret_access_key|sessionToken|aws_session_token)(["'\s:=]+)[^\s"',}]+/gi, '$1$2****');
}
