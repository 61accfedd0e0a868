/**
 * A pass-through HTTP server in front of a real endpoint (kinesalite) that records how each request
 * was signed: the access key id of its Authorization header and its X-Amz-Security-Token. Requests
 * and replies pass through untouched. It shows which credentials reached which host.
 */
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SignedRequest {
  keyId: string;
  securityToken?: string;
}

export interface RecordingHost {
  url: string;
  requests: SignedRequest[];
  close(): Promise<void>;
}

export async function startRecordingHost(upstream: string): Promise<RecordingHost> {
  const requests: SignedRequest[] = [];
  const up = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const token = req.headers['x-amz-security-token'];
    requests.push({
      keyId: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '(unsigned)',
      ...(typeof token === 'string' ? { securityToken: token } : {}),
    });
    const fwd = request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 500, r.headers);
      r.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
