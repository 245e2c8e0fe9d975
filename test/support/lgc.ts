/**
 * What the unit tests of the reference LGC and of the CLI share: a stub national service on a
 * real socket (its held answers and open connections cleaned up at the end), the test-driver
 * API called over HTTP, a bounded wait, and `vigie` run as a separate process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { eventually, never } from '../../src/harness/wait';

export const ROOT = join(__dirname, '..', '..');

export interface Stub {
  /** Answers the stub holds back; the test releases them (the rest are released at stop). */
  held: Array<() => void>;
  /** Listens on a free port of 127.0.0.1; resolves to its base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export function stubServer(handler: http.RequestListener): Stub {
  const sockets = new Set<Socket>();
  const server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const held: Array<() => void> = [];
  return {
    held,
    start: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    async stop() {
      for (const release of held.splice(0)) release();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface Answer {
  status: number;
  type: string;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parsed JSON answer, whose shape each test asserts as it reads it
  body: any;
}

/** One call of the test-driver API (tenant null: no X-Vigie-Tenant header; raw: the body as is). */
export async function callLgc(
  lgcUrl: string,
  method: string,
  path: string,
  tenant: string | null,
  body?: unknown,
  options: { raw?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (tenant !== null) headers['x-vigie-tenant'] = tenant;
  const response = await fetch(lgcUrl + path, {
    method,
    headers,
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, text, body: type.startsWith('application/json') && text ? JSON.parse(text) : undefined };
}

/**
 * Probes `fn` until `ok` holds, at most `timeoutMs` (Vigie's one waiting policy, src/harness/wait.ts);
 * fails the test naming what it waited for and what it saw last.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  let last: T | undefined;
  const waited = await eventually(
    async () => {
      last = await fn();
      return ok(last) ? { v: last } : undefined;
    },
    { ms: timeoutMs, pollMs: 15 },
  );
  if (!waited.value) assert.fail(`waited ${waited.ms} ms for ${what}; last seen: ${JSON.stringify(last)}`);
  return waited.value.v;
}

/** Watches `fn` for the whole window; fails the test naming what appeared when `bad` holds at some point. */
export async function holdsFor<T>(what: string, fn: () => Promise<T> | T, bad: (v: T) => boolean, windowMs: number): Promise<void> {
  let last: T | undefined;
  const watched = await never(
    async () => {
      last = await fn();
      return bad(last);
    },
    { ms: windowMs, pollMs: 15 },
  );
  if (watched.value) assert.fail(`${what} did not hold for ${windowMs} ms: after ${watched.ms} ms, saw ${JSON.stringify(last)}`);
}

export interface VigieRun {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** `bin/vigie <args>` in its own process, killed after `timeoutMs`. */
export function runVigie(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<VigieRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // Killed after the bound by node itself (its timer is cleared when the process exits).
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'vigie'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    child.stderr.on('data', (b) => {
      err += b;
    });
    child.on('close', (code) => {
      resolve({ code, out, err, ms: Date.now() - t0 });
    });
  });
}
