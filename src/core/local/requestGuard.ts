import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to the local endpoint: programs on this machine (the SDKs, the AWS CLI, the
 * extension), never a web page. Browsers add an `Origin` header to every cross-site request and
 * preflight, and a DNS-rebinding page reaches 127.0.0.1 under its own host name; SDKs and the CLI
 * send no `Origin` and name the address they connect to in `Host`. This is LocalStack's rule (a
 * request with an `Origin` outside its allow-list is refused with 403; "awscli etc. do not send
 * these headers") with an empty allow-list, plus the Host check that stops DNS rebinding.
 */
export interface Refusal {
  status: number;
  type: string;
  message: string;
}

/** The largest body kinesalite reads (7 MiB, enough for a 5 MiB PutRecords call in base64). */
export const MAX_KINESIS_BODY_BYTES = 7 * 1024 * 1024;

/** Why the request must not be served, or undefined when it may be. */
export function refuseRequest(req: IncomingMessage, port: number, maxBodyBytes: number): Refusal | undefined {
  if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
    return {
      status: 403,
      type: 'AccessDeniedException',
      message: 'The local Kinesis endpoint does not answer web pages (the request has an Origin header). Use an AWS SDK or the AWS CLI.',
    };
  }
  const host = String(req.headers.host ?? '').toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return {
      status: 403,
      type: 'AccessDeniedException',
      message: `The local Kinesis endpoint answers only requests addressed to 127.0.0.1:${port} or localhost:${port} (this one names "${host.slice(0, 100)}"). Use http://127.0.0.1:${port} as the endpoint URL.`,
    };
  }
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > maxBodyBytes) {
    return {
      status: 413,
      type: 'RequestEntityTooLargeException',
      message: `The request body (${length} bytes) is larger than the service accepts (${maxBodyBytes} bytes): send fewer or smaller records per call.`,
    };
  }
  return undefined;
}
