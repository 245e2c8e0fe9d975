/**
 * One HTTP(S) exchange with a double, as the unit tests make it: a fresh socket each time, bounded at
 * 5 s. `body` may be chunks (written one by one: a chunked upload); `tls` the client's TLS options.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function exchange(
  method: string,
  url: string,
  body: string | Buffer | (string | Buffer)[] | undefined,
  headers: Record<string, string>,
  tls: https.RequestOptions = {},
): Promise<Reply> {
  const started = performance.now();
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, agent: false, ...tls, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

/** A POST whose TLS refusal is an outcome, not an exception: the status, or the error the client saw. */
export function tlsPost(
  url: string,
  body: string | Buffer,
  contentType: string,
  tls: https.RequestOptions,
): Promise<{ status?: number; error?: string }> {
  return exchange('POST', url, body, { 'content-type': contentType }, tls).then(
    (reply) => ({ status: reply.status }),
    (e: Error) => ({ error: e.message }),
  );
}
