/**
 * A small, bounded POP3 client (RFC 1939: USER/PASS, STAT, RETR, DELE, QUIT; STLS, RFC 2595, when
 * given a CA) on node:net: the reference LGC reads its MSSanté mailbox (bounces, read receipts,
 * patients' replies) with it.
 * Bounded everywhere: inactivity timeout, overall deadline, message count and byte limits; a
 * cancelled or failing session destroys its socket and rejects, it never hangs.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export const POP3_TIMEOUT_MS = 5000;
/** the whole session (all RETRs included) gets at most this long */
export const POP3_SESSION_MS = 15000;
export const POP3_MAX_MESSAGES = 200;
export const POP3_MAX_BYTES = 100 * 1024 * 1024;
const MAX_LINE = 4096;

export interface Pop3Options {
  host: string;
  port: number;
  user: string;
  password: string;
  timeoutMs?: number;
  sessionMs?: number;
  maxMessages?: number;
  cancel?: AbortSignal;
  /** Upgrade with STLS before USER/PASS, checking the operator's certificate against this CA (PEM). */
  tls?: { ca: string };
}

export class Pop3Error extends Error {}

const CRLF = Buffer.from('\r\n');

/**
 * Fetches every message of the maildrop (oldest first) and deletes them. The messages are only
 * removed when QUIT succeeds (RFC 1939 UPDATE state): on any failure nothing is deleted server-side,
 * and the caller sees a rejection (what was fetched is lost to it, but still on the server).
 */
export async function pop3FetchAndDelete(options: Pop3Options): Promise<Buffer[]> {
  const timeoutMs = options.timeoutMs ?? POP3_TIMEOUT_MS;
  const maxMessages = options.maxMessages ?? POP3_MAX_MESSAGES;
  const raw = net.connect({ host: options.host, port: options.port });
  raw.setTimeout(timeoutMs);
  /** The stream the session speaks over: the TCP socket, then its TLS wrapping after STLS. */
  let socket: net.Socket = raw;

  let buffered: Buffer = Buffer.alloc(0);
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const fail = (e: Error): void => {
    if (!failure) failure = e;
    socket.destroy();
    wake?.();
  };
  const onData = (c: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, c]) : c;
    if (buffered.length > POP3_MAX_BYTES) fail(new Pop3Error(`POP3: more than ${POP3_MAX_BYTES} bytes received`));
    wake?.();
  };
  const listen = (stream: net.Socket): void => {
    stream.on('data', onData);
    stream.on('error', (e) => fail(new Pop3Error(`POP3 ${options.host}:${options.port}: ${e.message}`)));
    stream.on('close', () => fail(new Pop3Error(`POP3 ${options.host}:${options.port}: connection closed`)));
  };
  listen(raw);
  raw.on('timeout', () => fail(new Pop3Error(`POP3 ${options.host}:${options.port}: no answer within ${timeoutMs} ms`)));
  // eslint-disable-next-line no-restricted-syntax -- the session's deadline: cleared in finally
  const deadline = setTimeout(
    () => fail(new Pop3Error(`POP3 session over ${options.sessionMs ?? POP3_SESSION_MS} ms`)),
    options.sessionMs ?? POP3_SESSION_MS,
  );
  const onAbort = (): void => fail(new Pop3Error('POP3: cancelled'));
  if (options.cancel?.aborted) onAbort();
  else options.cancel?.addEventListener('abort', onAbort, { once: true });

  /** the next CRLF-terminated line (without CRLF) */
  const line = async (): Promise<Buffer> => {
    for (;;) {
      const i = buffered.indexOf('\n');
      if (i >= 0) {
        const lineBytes = buffered.subarray(0, i > 0 && buffered[i - 1] === 0x0d ? i - 1 : i);
        buffered = buffered.subarray(i + 1);
        return lineBytes;
      }
      if (failure) throw failure;
      if (buffered.length > MAX_LINE * 64) throw new Pop3Error('POP3: line too long');
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  };
  const status = async (what: string): Promise<string> => {
    const text = (await line()).toString('latin1');
    if (text.length > MAX_LINE) throw new Pop3Error(`POP3 ${what}: status line too long`);
    if (!text.startsWith('+OK')) throw new Pop3Error(`POP3 ${what}: ${text || 'empty answer'}`);
    return text;
  };
  const command = (c: string): void => {
    if (failure) throw failure;
    socket.write(`${c}\r\n`);
  };
  /** a multi-line answer up to its "." line, dot-unstuffed, lines ending with CRLF */
  const multiline = async (): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for (;;) {
      const lineBytes = await line();
      if (lineBytes.length === 1 && lineBytes[0] === 0x2e) break;
      parts.push(lineBytes.length > 0 && lineBytes[0] === 0x2e ? lineBytes.subarray(1) : lineBytes, CRLF);
    }
    return Buffer.concat(parts);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', resolve);
      raw.once('error', reject);
      raw.once('close', () => reject(failure ?? new Pop3Error('POP3: connection closed')));
    }).catch((e: Error) => {
      throw failure ?? new Pop3Error(`POP3 ${options.host}:${options.port}: ${e.message}`);
    });
    await status('greeting');
    if (options.tls) {
      // RFC 2595: STLS, then the session starts again under TLS (the operator's certificate checked).
      command('STLS');
      await status('STLS');
      raw.removeListener('data', onData);
      const secured = tls.connect({
        socket: raw,
        host: options.host, // the name (or address) the certificate is checked against
        ca: options.tls.ca,
        ...(net.isIP(options.host) ? {} : { servername: options.host }),
      });
      listen(secured);
      await new Promise<void>((resolve, reject) => {
        secured.once('secureConnect', resolve);
        secured.once('error', reject);
      }).catch((e: Error) => {
        throw failure ?? new Pop3Error(`POP3 STLS ${options.host}:${options.port}: ${e.message}`);
      });
      socket = secured;
    }
    command(`USER ${options.user}`);
    await status('USER');
    command(`PASS ${options.password}`);
    await status('PASS');
    command('STAT');
    const stat = /^\+OK\s+(\d+)\s+(\d+)/.exec(await status('STAT'));
    if (!stat) throw new Pop3Error('POP3 STAT: malformed answer');
    const count = Math.min(Number(stat[1]), maxMessages);
    const out: Buffer[] = [];
    for (let n = 1; n <= count; n++) {
      command(`RETR ${n}`);
      await status(`RETR ${n}`);
      out.push(await multiline());
    }
    for (let n = 1; n <= count; n++) {
      command(`DELE ${n}`);
      await status(`DELE ${n}`);
    }
    command('QUIT');
    await status('QUIT');
    return out;
  } finally {
    clearTimeout(deadline);
    options.cancel?.removeEventListener('abort', onAbort);
    for (const stream of new Set([socket, raw])) {
      stream.removeAllListeners('close');
      stream.on('error', () => undefined);
      stream.destroy();
    }
  }
}
