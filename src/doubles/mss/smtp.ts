/**
 * The SMTP side of the MSSanté double, on smtp-server: loopback by default, STARTTLS with a test-only
 * self-signed certificate (or the PEMs given: `vigie serve` and the runs give the test PKI's), AUTH
 * PLAIN/LOGIN optional (any mailbox, password "vigie") and, as a real operator does, offered only once
 * the session is under TLS when STARTTLS is; SIZE, idle clients dropped, bounded clients and
 * recipients. A non-ASCII address without the SMTPUTF8 parameter is refused (553 5.6.7, RFC 6531).
 * MAIL FROM and RCPT TO are refused at once outside the MSSanté trust space (rules.ts); an accepted
 * message's bytes, exactly as received, go to the operator, which answers 250 with the numbers it
 * recorded them under.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { classifyAddress } from './ins-address';
import { POP3_PASSWORD } from './pop3';
import { recipientRefusal, senderRefusal } from './rules';
import type { MssMessage, MssSessionInfo } from './types';

export const SMTP_PASSWORD = POP3_PASSWORD;
const TLS_DIR = path.join(__dirname, '..', '..', '..', 'fixtures', 'mss', 'tls');
const MAX_RECIPIENTS = 100;
const MAX_CLIENTS = 64;

export interface SmtpOptions {
  host: string;
  port: number;
  idleTimeoutMs: number;
  maxMessageBytes: number;
  starttls: boolean;
  tlsKey?: string | Buffer;
  tlsCert?: string | Buffer;
  /** The operator: records, applies the rules, delivers. */
  accept(from: string, to: string[], raw: Buffer, session: MssSessionInfo): Promise<MssMessage[]>;
  /** Connection-level errors reported by smtp-server (kept as evidence, never thrown). */
  errors: string[];
}

/** The operator's certificate (SMTP STARTTLS, POP3 STLS and POP3S): the PEMs given, else the shipped self-signed one. */
export function serverCertificate(opts: { tlsKey?: string | Buffer; tlsCert?: string | Buffer }): {
  key: string | Buffer;
  cert: string | Buffer;
} {
  try {
    return {
      key: opts.tlsKey ?? fs.readFileSync(path.join(TLS_DIR, 'key.pem')),
      cert: opts.tlsCert ?? fs.readFileSync(path.join(TLS_DIR, 'cert.pem')),
    };
  } catch (err) {
    throw new Error(`MSS double: TLS needs fixtures/mss/tls/{key,cert}.pem (or tlsKey/tlsCert): ${String(err)}`);
  }
}

export interface SmtpError extends Error {
  responseCode?: number;
}

export function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

const refusal = (r: { code: number; message: string } | null) => (r ? smtpError(r.code, r.message) : undefined);

/** RFC 6531 §3.7.4.1: a UTF-8 address in a transaction that did not ask for SMTPUTF8. */
function utf8Refusal(address: string, smtpUtf8: boolean): SmtpError | undefined {
  if (smtpUtf8 || /^[\x00-\x7f]*$/.test(address)) return undefined;
  return smtpError(553, `5.6.7 Non-ASCII address ${address} needs the SMTPUTF8 parameter of MAIL FROM (RFC 6531)`);
}

/** Starts listening; resolves with the server and the port it bound. */
export async function startSmtp(opts: SmtpOptions): Promise<{ server: SMTPServer; port: number }> {
  const options: SMTPServerOptions = {
    name: 'mss-double.vigie.invalid',
    banner: 'Vigie MSSante double (test only)',
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    // With STARTTLS, AUTH before it is refused (538) and not advertised (onConnect / onSecure below).
    allowInsecureAuth: !opts.starttls,
    authMethods: ['PLAIN', 'LOGIN'],
    size: opts.maxMessageBytes,
    socketTimeout: opts.idleTimeoutMs,
    closeTimeout: 500,
    maxClients: MAX_CLIENTS,
    maxRecipients: MAX_RECIPIENTS,
    hideSTARTTLS: !opts.starttls,
    onAuth: (auth, _session, cb) => {
      if (auth.password === SMTP_PASSWORD && auth.username) return cb(null, { user: auth.username });
      return cb(smtpError(535, `5.7.8 Authentication failed: any mailbox, password "${SMTP_PASSWORD}"`));
    },
    onConnect: (session, cb) => {
      if (opts.starttls) session.disabledCommands = ['AUTH'];
      cb();
    },
    onSecure: (_socket, session, cb) => {
      session.disabledCommands = [];
      cb();
    },
    onMailFrom: (address, _session, cb) =>
      cb(
        utf8Refusal(address.address, address.args !== false && address.args.SMTPUTF8 === true) ??
          refusal(senderRefusal(address.address === '' ? null : classifyAddress(address.address))),
      ),
    onRcptTo: (address, session, cb) =>
      cb(utf8Refusal(address.address, session.envelope.smtpUtf8 === true) ?? refusal(recipientRefusal(classifyAddress(address.address)))),
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= opts.maxMessageBytes) chunks.push(c);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return cb(smtpError(552, `5.3.4 Message exceeds the ${opts.maxMessageBytes}-byte limit`));
        const envelope = session.envelope;
        const from = envelope.mailFrom ? envelope.mailFrom.address : '';
        opts
          .accept(
            from,
            envelope.rcptTo.map((r) => r.address),
            Buffer.concat(chunks),
            sessionInfo(session),
          )
          .then((msgs) => cb(null, `2.0.0 Ok: queued as ${msgs.map((m) => `${m.tenant}#${m.seq}`).join(',')}`))
          .catch((err: unknown) => cb(smtpError(451, `4.3.0 MSS double internal error: ${String(err)}`)));
      });
    },
  };
  if (opts.starttls) Object.assign(options, serverCertificate(opts));
  const server = new SMTPServer(options);
  server.on('error', (err: Error) => {
    if (opts.errors.length < 1000) opts.errors.push(String(err));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.server.address() as AddressInfo).port };
}

export function closeSmtp(server: SMTPServer): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

function sessionInfo(session: SMTPServerSession): MssSessionInfo {
  const user = session.user as unknown;
  return {
    via: 'smtp',
    remoteAddress: session.remoteAddress,
    tls: session.secure,
    ...(typeof user === 'string' ? { authUser: user } : {}),
    ...(session.hostNameAppearsAs ? { helo: session.hostNameAppearsAs } : {}),
  };
}
