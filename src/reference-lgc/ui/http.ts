/** The web UI's HTTP plumbing: forms, the tenant cookie, HTML / JSON / redirect answers, the error page. */
import type * as http from 'node:http';
import { esc } from './html';

export class UiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function readForm(req: http.IncomingMessage, limit: number): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new UiError(413, 'Formulaire trop volumineux'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function sendHtml(res: http.ServerResponse, status: number, html: string, setCookie?: string): void {
  if (res.headersSent) return;
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  };
  if (setCookie) headers['Set-Cookie'] = setCookie;
  res.writeHead(status, headers);
  res.end(html);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** The query parameters that carry a message to the screen a redirect leads to (`flash`, `flashKind=error`). */
export const flashQuery = (f: { text?: string; kind?: 'ok' | 'error' }): string =>
  f.text ? `&flash=${encodeURIComponent(f.text)}${f.kind === 'error' ? '&flashKind=error' : ''}` : '';

export function redirect(res: http.ServerResponse, location: string, setCookie?: string, status = 303): void {
  const headers: http.OutgoingHttpHeaders = { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store' };
  if (setCookie) headers['Set-Cookie'] = setCookie;
  res.writeHead(status, headers);
  res.end();
}

export function errorPage(res: http.ServerResponse, status: number, message: string): void {
  sendHtml(
    res,
    status,
    `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur</title></head><body><main data-testid="screen" data-screen="Erreur"><h1>Erreur ${status}</h1><p data-testid="error-message">${esc(message)}</p></main></body></html>`,
  );
}
