// A real local HTTP receiver that records every request (for the alert tests); tests/alerts/vendors.ts
// builds receivers that answer as each chat service does on top of it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export async function startReceiver(
  answer: (request: Received, index: number) => { status: number; body: string; headers?: Record<string, string> } | 'hang' = () => ({
    status: 200,
    body: 'ok',
  }),
) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const request: Received = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body };
      received.push(request);
      const reply = answer(request, received.length - 1);
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Requests still waiting for an answer that will not come. */
    hangingNow: () => hanging.filter((res) => !res.destroyed && !res.socket?.destroyed).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
