/** node:http helpers of the HTTP doubles: listen, close (in-flight sockets too), base URL, one-shot replies. */
import type http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';

/** Listens on host:port (0 = a free port) and resolves with the port bound. */
export function listen(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server and every socket it holds: idle keep-alive and in-flight alike (close() alone could wait). */
export async function closeServer(server: http.Server | https.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** http://host:port, with an IPv6 host bracketed. */
export function httpBaseUrl(host: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** An answer of a double, written in one go. */
export interface Reply {
  status: number;
  contentType: string;
  body: Buffer | string;
  headers?: Record<string, string>;
}

/** Writes the reply, unless the response is already over (a client gone, a parked request dropped). */
export function send(res: http.ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(reply.body), ...reply.headers });
  res.end(reply.body);
}
