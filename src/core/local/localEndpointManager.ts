import { probeEndpoint } from './localKinesis';
import { LocalEndpoint, startLocalEndpoint } from './localEndpoint';
import { UserError } from '../aws/errors';

export interface LocalEndpointSettings {
  /** Use an already-running endpoint (npm run local, the demo, LocalStack) instead of starting one. */
  externalEndpoint?: string;
  /** Persist the built-in endpoint's data in this folder; in memory when empty. */
  dataPath?: string;
  port?: number;
  /** Lambda function name or ARN → `./path#export` in the workspace, for Firehose's Lambda processors. */
  lambdaHandlers?: Record<string, string>;
  /** Where relative handler paths start (the workspace folder). */
  handlerRoot?: string;
}

/**
 * Owns the Local connection's endpoint: starts the embedded kinesalite on first use (never at
 * activation), or points at an external one. Stopped with the extension.
 */
export class LocalEndpointManager {
  private started?: Promise<LocalEndpoint>;
  private log: (msg: string) => void;

  constructor(private settings: () => LocalEndpointSettings, log?: (msg: string) => void) {
    this.log = log ?? (() => undefined);
  }

  /** The URL to talk to, starting the embedded endpoint if needed. */
  async endpoint(): Promise<string> {
    const ext = this.settings().externalEndpoint?.trim();
    if (ext) {
      if (!/^https?:\/\/[^\s]+$/.test(ext)) throw new UserError(`"${ext}" is not an http(s) URL.`, 'Fix the kinesis.local.endpoint setting.');
      if (!(await probeEndpoint(ext))) {
        throw new UserError(`No Kinesis endpoint answers at ${ext}.`, 'Start it (for example `npm run local`) or clear the kinesis.local.endpoint setting to use the built-in one.');
      }
      return ext.replace(/\/$/, '');
    }
    this.started ??= this.start();
    return (await this.started).endpoint;
  }

  /** The URL if the endpoint is up already, without starting anything. */
  async currentEndpoint(): Promise<string | undefined> {
    const ext = this.settings().externalEndpoint?.trim();
    if (ext) return ext;
    return this.started ? (await this.started.catch(() => undefined))?.endpoint : undefined;
  }

  get isEmbeddedRunning(): boolean {
    return this.started !== undefined;
  }

  private async start(): Promise<LocalEndpoint> {
    const s = this.settings();
    try {
      const local = await startLocalEndpoint({
        path: s.dataPath || undefined,
        port: s.port || 0,
        log: this.log,
        // Read again at each delivery, so that a changed mapping applies without a restart.
        firehose: { lambdaHandlers: () => this.settings().lambdaHandlers ?? {}, handlerRoot: () => this.settings().handlerRoot },
      });
      this.log(`Local Kinesis and Firehose started at ${local.endpoint}${s.dataPath ? ` (data in ${s.dataPath})` : ' (in memory)'}`);
      return local;
    } catch (e) {
      this.started = undefined;
      throw new UserError(`The built-in Kinesis endpoint did not start: ${(e as Error).message}`, 'Check the kinesis.local.port and kinesis.local.dataPath settings.');
    }
  }

  /** Stops the embedded endpoint; the next use starts a fresh one. */
  async stop(): Promise<void> {
    const s = this.started;
    this.started = undefined;
    if (s) await (await s.catch(() => undefined))?.close();
  }

  async dispose(): Promise<void> {
    await this.stop();
  }
}
