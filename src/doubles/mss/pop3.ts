/**
 * A small POP3 server (RFC 1939: USER/PASS, STAT, LIST, UIDL, RETR, TOP, DELE, NOOP, RSET, QUIT; plus CAPA,
 * RFC 2449; STLS, RFC 2595, and POP3S when given a certificate) on node:net, so that a practice software
 * fetches what was delivered to its mailbox. Any mailbox, password "vigie". Bounded: idle, line length, connections.
 *
 * Hand-written on purpose: npm has POP3 clients, but no maintained POP3 server library (the few
 * packages are unmaintained, and none reads its maildrop from the caller's store or gives back the
 * exact bytes received). RFC 1939 is small; what matters here — byte-exact RETR, dot-stuffing, the
 * maildrop lock, deletions only at QUIT — is tested in test/unit/mss-double.test.ts.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';

export const POP3_PASSWORD = 'vigie';
const MAX_LINE = 1024; // RFC 1939 allows 255 octets per command; be a little lenient
const MAX_CONNECTIONS = 64;
const MAX_ERRORS = 20;

export interface MaildropEntry {
  uid: string;
  raw: Buffer;
}

export interface MaildropStore {
  /** The current content of the maildrop (oldest first). */
  list(mailbox: string): MaildropEntry[];
  /** Removes the entries deleted in a POP3 session (the UPDATE state). */
  remove(mailbox: string, uids: string[]): void;
  /** Normalises the USER argument into a mailbox key. */
  key(user: string): string;
}

export interface Pop3Options {
  host: string;
  port: number;
  idleTimeoutMs: number;
  store: MaildropStore;
  banner?: string;
  /** The server certificate: STLS is offered, and POP3S listens on `tlsPort` (0: any free port). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  tlsPort?: number;
}

/** Dot-stuffs a message for RETR/TOP without touching its bytes otherwise; ends it with CRLF "." CRLF. */
export function dotStuff(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let lineStart = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i === lineStart && i < raw.length && raw[i] === 0x2e) {
      parts.push(raw.subarray(start, i), Buffer.from('.'));
      start = i;
    }
    if (i < raw.length && raw[i] === 0x0a) lineStart = i + 1;
  }
  parts.push(raw.subarray(start));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d && raw[raw.length - 1] === 0x0a;
  parts.push(Buffer.from(`${endsWithCrlf ? '' : '\r\n'}.\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

/** The header block and the first n lines of the body (TOP). */
function top(raw: Buffer, n: number): Buffer {
  const text = raw.toString('latin1');
  const sep = /\r?\n\r?\n/.exec(text);
  if (!sep) return raw;
  const bodyStart = sep.index + sep[0].length;
  let end = bodyStart;
  for (let i = 0; i < n && end < text.length; i++) {
    const nl = text.indexOf('\n', end);
    end = nl < 0 ? text.length : nl + 1;
  }
  return raw.subarray(0, end);
}

export class Pop3Server {
  private servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly locked = new Set<string>();
  private boundPort = 0;
  private boundTlsPort = 0;
  private secureContext: tls.SecureContext | undefined;

  constructor(private readonly o: Pop3Options) {}

  get port(): number {
    return this.boundPort;
  }

  /** The POP3S port (0 without a certificate). */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  async start(): Promise<void> {
    const listen = async (server: net.Server, port: number): Promise<number> => {
      server.maxConnections = MAX_CONNECTIONS;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.o.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      return (server.address() as AddressInfo).port;
    };
    if (this.o.tls) this.secureContext = tls.createSecureContext({ key: this.o.tls.key, cert: this.o.tls.cert });
    this.boundPort = await listen(
      net.createServer((socket) => this.session(socket, false)),
      this.o.port,
    );
    try {
      if (this.o.tls)
        this.boundTlsPort = await listen(
          tls.createServer({ key: this.o.tls.key, cert: this.o.tls.cert }, (socket) => this.session(socket, true)),
          this.o.tlsPort ?? 0,
        );
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const s of this.sockets) s.destroy();
    await Promise.all(closed);
  }

  private session(socket: net.Socket, secure: boolean, greet = true): void {
    this.sockets.add(socket);
    let user: string | null = null;
    let mailbox: string | null = null; // set once in the TRANSACTION state
    let entries: MaildropEntry[] = [];
    let deleted = new Set<number>();
    let buffer: Buffer = Buffer.alloc(0);
    let errors = 0;
    let closing = false;

    const send = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    const close = (line?: string) => {
      if (closing) return;
      closing = true;
      if (line) send(line);
      socket.end();
      // eslint-disable-next-line no-restricted-syntax -- unref'd: destroys a socket the client leaves half-open after end()
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    const release = () => {
      if (mailbox) this.locked.delete(mailbox);
      mailbox = null;
    };
    const err = (text: string) => {
      send(`-ERR ${text}`);
      if (++errors >= MAX_ERRORS) close('-ERR too many errors, closing connection');
    };
    const msgArg = (arg: string | undefined): number | null => {
      if (!arg || !/^\d{1,9}$/.test(arg)) return null;
      const n = Number(arg);
      return n >= 1 && n <= entries.length && !deleted.has(n) ? n : null;
    };

    socket.setTimeout(this.o.idleTimeoutMs, () => close('-ERR idle timeout, closing connection'));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      release(); // an abandoned session never enters UPDATE: nothing is deleted
      this.sockets.delete(socket);
    });

    const handle = (line: string) => {
      const [verbRaw = '', ...args] = line.split(' ');
      const verb = verbRaw.toUpperCase();
      if (verb === 'QUIT') {
        if (mailbox) {
          const uids = [...deleted].map((n) => entries[n - 1]!.uid);
          this.o.store.remove(mailbox, uids);
          release();
          close(`+OK POP3 double signing off (${uids.length} message(s) deleted)`);
        } else close('+OK POP3 double signing off');
        return;
      }
      if (verb === 'CAPA') {
        send('+OK capability list follows');
        const stls = this.secureContext && !secure && !mailbox ? ['STLS'] : [];
        for (const c of ['USER', 'UIDL', 'TOP', 'RESP-CODES', ...stls, 'IMPLEMENTATION vigie-mss-double', '.']) send(c);
        return;
      }
      if (verb === 'STLS') {
        // RFC 2595 §4: only in the AUTHORIZATION state, once; what was said before is forgotten.
        if (!this.secureContext) return err('STLS is not offered here (no certificate)');
        if (secure) return err('already under TLS');
        if (mailbox) return err('STLS only before USER/PASS');
        send('+OK begin TLS negotiation');
        closing = true; // this plain-text session ends here; the TLS one takes the socket
        socket.removeAllListeners('data');
        socket.setTimeout(0);
        const secured = new tls.TLSSocket(socket, { isServer: true, secureContext: this.secureContext });
        secured.once('secure', () => this.session(secured, true, false));
        secured.on('error', () => socket.destroy());
        secured.setTimeout(this.o.idleTimeoutMs, () => secured.destroy()); // a handshake that never comes
        return;
      }
      if (verb === 'NOOP' && mailbox) return void send('+OK');
      if (!mailbox) {
        if (verb === 'USER') {
          if (!args[0]) return err('USER needs a mailbox name');
          user = this.o.store.key(args.join(' '));
          return void send(`+OK ${user} known here, send PASS`);
        }
        if (verb === 'PASS') {
          if (!user) return err('send USER first');
          if (args.join(' ') !== POP3_PASSWORD) {
            user = null;
            return err('[AUTH] invalid password');
          }
          if (this.locked.has(user)) {
            const taken = user;
            user = null;
            return err(`[IN-USE] maildrop ${taken} is already locked by another session`);
          }
          mailbox = user;
          this.locked.add(mailbox);
          entries = this.o.store.list(mailbox).slice();
          deleted = new Set();
          const octets = entries.reduce((s, e) => s + e.raw.length, 0);
          return void send(`+OK maildrop ${mailbox} has ${entries.length} message(s) (${octets} octets)`);
        }
        if (verb === 'APOP') return err('APOP is not supported here, use USER/PASS');
        return err(verb ? `command ${JSON.stringify(verbRaw.slice(0, 40))} not valid before USER/PASS` : 'empty command');
      }
      switch (verb) {
        case 'STAT': {
          const live = entries.filter((_, i) => !deleted.has(i + 1));
          return void send(`+OK ${live.length} ${live.reduce((s, e) => s + e.raw.length, 0)}`);
        }
        case 'LIST':
        case 'UIDL': {
          const value = (n: number) => (verb === 'LIST' ? String(entries[n - 1]!.raw.length) : entries[n - 1]!.uid);
          if (args[0] !== undefined) {
            const n = msgArg(args[0]);
            return n === null ? err('no such message') : void send(`+OK ${n} ${value(n)}`);
          }
          send(`+OK ${entries.length - deleted.size} message(s)`);
          entries.forEach((_, i) => {
            if (!deleted.has(i + 1)) send(`${i + 1} ${value(i + 1)}`);
          });
          return void send('.');
        }
        case 'RETR':
        case 'TOP': {
          const n = msgArg(args[0]);
          if (n === null) return err('no such message');
          const raw = entries[n - 1]!.raw;
          let body = raw;
          if (verb === 'TOP') {
            if (!args[1] || !/^\d{1,9}$/.test(args[1])) return err('TOP needs a message number and a line count');
            body = top(raw, Number(args[1]));
          }
          send(`+OK ${raw.length} octets`);
          return void socket.write(dotStuff(body));
        }
        case 'DELE': {
          const n = msgArg(args[0]);
          if (n === null) return err('no such message');
          deleted.add(n);
          return void send(`+OK message ${n} deleted`);
        }
        case 'RSET':
          deleted = new Set();
          return void send(`+OK maildrop has ${entries.length} message(s)`);
        case 'USER':
        case 'PASS':
          return err('already authenticated');
        default:
          return err(verb ? `unknown command ${JSON.stringify(verbRaw.slice(0, 40))}` : 'empty command');
      }
    };

    socket.on('data', (chunk: Buffer) => {
      if (closing) return;
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let nl: number;
      while (!closing && (nl = buffer.indexOf(0x0a)) >= 0) {
        const line = buffer.subarray(0, nl).toString('latin1').replace(/\r$/, '');
        buffer = buffer.subarray(nl + 1);
        if (line.length > MAX_LINE) return close('-ERR command line too long, closing connection');
        handle(line);
      }
      if (buffer.length > MAX_LINE) close('-ERR command line too long, closing connection');
    });

    if (greet) send(`+OK ${this.o.banner ?? 'Vigie MSSante double POP3 ready'}`);
  }
}
