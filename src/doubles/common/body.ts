/**
 * Reading a request body within a size limit. Hand-written rather than raw-body (or similar): past
 * the limit the double still keeps the body's head as evidence, answers 413 at once, and reads on
 * (discarding) up to a bound so that the client gets to read that 413 — raw-body keeps nothing and
 * stops reading, which most clients see as a reset connection instead of the answer.
 */
import type http from 'node:http';

export type Body = { kind: 'ok'; data: Buffer } | { kind: 'tooLarge'; head: Buffer; size: number } | { kind: 'aborted' };

export interface BodyLimits {
  /** Largest body accepted. */
  maxBytes: number;
  /** Past this many bytes received in all, an oversized body's connection is cut. */
  drainBytes: number;
  /** How much of an oversized body is kept (its head). */
  headBytes: number;
}

export function readBody(req: http.IncomingMessage, limits: BodyLimits): Promise<Body> {
  const declared = Number(req.headers['content-length'] ?? 0);
  return new Promise<Body>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (b: Body) => {
      if (settled) return;
      settled = true;
      resolve(b);
    };
    const overflow = () => {
      const head = Buffer.concat(chunks).subarray(0, limits.headBytes);
      chunks.length = 0;
      settle({ kind: 'tooLarge', head, size: Math.max(size, declared) });
    };
    if (declared > limits.maxBytes) overflow(); // announced too big: answer before reading anything
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (settled) {
        // Oversized: discard what the client is still sending so it can read the 413, but not forever.
        if (size > limits.drainBytes) req.socket.destroy();
        return;
      }
      if (size > limits.maxBytes) overflow();
      else chunks.push(chunk);
    });
    req.on('end', () => settle({ kind: 'ok', data: Buffer.concat(chunks) }));
    req.on('error', () => settle({ kind: 'aborted' }));
    req.on('close', () => settle({ kind: 'aborted' }));
  });
}

/** Text without a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
