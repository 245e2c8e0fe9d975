/** One HTTP(S) POST with a hard timeout and cancellation; never throws. */
import * as http from 'node:http';
import * as https from 'node:https';

export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** The LGC's TLS credentials for the national services (mutual TLS): the CA it trusts, its client certificate and key (PEM). */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

/** The TLS options of a request to `target` (https only). */
export function tlsOptions(target: URL, tls: ClientTls | undefined): { ca?: string; cert?: string; key?: string } {
  return tls && target.protocol === 'https:' ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {};
}

export type PostResult = { ok: true; status: number; contentType: string; body: Buffer } | { ok: false; code: string; message: string };

export function httpPost(
  url: string,
  headers: Record<string, string>,
  payload: Buffer,
  timeoutMs: number,
  cancel?: AbortSignal,
  tls?: ClientTls,
): Promise<PostResult> {
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const controller = new AbortController();
    const done = (r: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
      controller.abort();
      resolve(r);
    };
    const onCancel = (): void => done({ ok: false, code: 'aborted', message: 'call aborted' });
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      resolve({ ok: false, code: 'bad-url', message: `invalid URL: ${url}` });
      return;
    }
    if (cancel?.aborted) {
      resolve({ ok: false, code: 'aborted', message: 'call aborted' });
      return;
    }
    cancel?.addEventListener('abort', onCancel, { once: true });
    // eslint-disable-next-line no-restricted-syntax -- the call's timeout guard: done() clears it
    const timer = setTimeout(() => done({ ok: false, code: 'timeout', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const lib = target.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = lib.request(target, {
        method: 'POST',
        agent: false,
        signal: controller.signal,
        ...tlsOptions(target, tls),
        headers: { ...headers, 'Content-Length': String(payload.length), Connection: 'close' },
      });
    } catch (e) {
      done({ ok: false, code: 'network', message: (e as Error).message });
      return;
    }
    request.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, code: e.code ?? 'network', message: e.message }));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          done({ ok: false, code: 'answer-too-large', message: 'answer too large' });
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, code: e.code ?? 'network', message: e.message }));
      res.on('aborted', () => done({ ok: false, code: 'ECONNRESET', message: 'connection dropped' }));
      res.on('end', () => {
        if (!res.complete) {
          done({ ok: false, code: 'ECONNRESET', message: 'connection dropped' });
          return;
        }
        done({
          ok: true,
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        });
      });
    });
    request.end(payload);
  });
}
