/**
 * A small SOAP 1.2 client of the INSi teleservice (rechercherInsAvecCarteVitale,
 * rechercherInsAvecTraitsIdentite), over node:http(s): the request (insi/envelope.ts) follows a
 * real client's capture (fixtures/insi/requests/RECSANSVITALE-as-sent-by-padoa-client.xml), the
 * answer is read by insi/answer.ts.
 */
import { type ClientTls, tlsOptions } from './http-post';
import * as http from 'node:http';
import * as https from 'node:https';
import { parseInsiAnswer } from './insi/answer';
import { ACTION_PREFIX, buildEnvelope, type InsiRequest, type InsiResult } from './insi/envelope';

export * from './insi/envelope';
export { parseInsiAnswer } from './insi/answer';

const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** Send one request to INSi and interpret the answer. Never throws, never waits past timeoutMs. */
export function callInsi(
  url: string,
  req: InsiRequest,
  emetteur: string,
  timeoutMs: number,
  cancel?: AbortSignal,
  tls?: ClientTls,
): Promise<InsiResult> {
  return new Promise<InsiResult>((resolve) => {
    let settled = false;
    const done = (r: InsiResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
      resolve(r);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ outcome: 'no-answer', code: 'bad-url', message: `invalid INSi URL: ${url}` });
      return;
    }
    const payload = Buffer.from(buildEnvelope(req, emetteur), 'utf8');
    const controller = new AbortController();
    // eslint-disable-next-line no-restricted-syntax -- the call's timeout guard: done() clears it
    const timer = setTimeout(() => {
      controller.abort();
      done({ outcome: 'no-answer', code: 'timeout', message: `INSi did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const onCancel = (): void => {
      controller.abort();
      done({ outcome: 'no-answer', code: 'aborted', message: 'INSi call aborted (LGC shutting down)' });
    };
    if (cancel) {
      if (cancel.aborted) {
        onCancel();
        return;
      }
      cancel.addEventListener('abort', onCancel, { once: true });
    }
    const lib = target.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = lib.request(target, {
        method: 'POST',
        agent: false,
        signal: controller.signal,
        ...tlsOptions(target, tls),
        headers: {
          'Content-Type': `application/soap+xml; charset=utf-8; action="${ACTION_PREFIX}${req.op}"`,
          'Content-Length': String(payload.length),
          Connection: 'close',
        },
      });
    } catch (e) {
      done({ outcome: 'no-answer', code: 'network', message: (e as Error).message });
      return;
    }
    request.on('error', (e: NodeJS.ErrnoException) => {
      done({ outcome: 'no-answer', code: e.code ?? 'network', message: e.message });
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          done({ outcome: 'error', code: 'answer-too-large', message: 'INSi answer too large' });
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        done({ outcome: 'no-answer', code: e.code ?? 'network', message: e.message });
      });
      res.on('aborted', () => {
        done({ outcome: 'no-answer', code: 'ECONNRESET', message: 'INSi connection dropped' });
      });
      res.on('end', () => {
        if (!res.complete) {
          done({ outcome: 'no-answer', code: 'ECONNRESET', message: 'INSi connection dropped' });
          return;
        }
        const xml = Buffer.concat(chunks).toString('utf8');
        if (xml.trim() === '') {
          done({
            outcome: 'error',
            code: `HTTP-${res.statusCode}`,
            message: 'INSi answered with an empty body',
          });
          return;
        }
        done(parseInsiAnswer(xml, res.statusCode ?? 0));
      });
    });
    request.end(payload);
  });
}
