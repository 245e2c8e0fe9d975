/**
 * The SMTP side of the MSSanté double, on smtp-server: loopback by default, STARTTLS with a test-only
 * self-signed certificate (or the PEMs given), AUTH PLAIN/LOGIN optional (any mailbox, password
 * "vigie"), SIZE, idle clients dropped, bounded clients and recipients. MAIL FROM and RCPT TO are
 * refused at once outside the MSSanté trust space (rules.ts); an accepted message's bytes, exactly as
 * received, go to the operator, which answers 250 with the numbers it recorded them under.
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

export interface SmtpError extends Error {
  responseCode?: number;
}

export function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

const refusal = (r: { code: number; message: string } | null) => (r ? smtpError(r.code, r.message) : undefined);

/** Starts listening; resolves with the server and the port it bound. */
export async function startSmtp(opts: SmtpOptions): Promise<{ server: SMTPServer; port: number }> {
  const options: SMTPServerOptions = {
    name: 'mss-double.vigie.invalid',
    banner: 'Vigie MSSante double (test only)',
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    allowInsecureAuth: true,
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
    onMailFrom: (address, _session, cb) => cb(refusal(senderRefusal(address.address === '' ? null : classifyAddress(address.address)))),
    onRcptTo: (address, _session, cb) => cb(refusal(recipientRefusal(classifyAddress(address.address)))),
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
  if (opts.starttls) {
    try {
      options.key = opts.tlsKey ?? fs.readFileSync(path.join(TLS_DIR, 'key.pem'));
      options.cert = opts.tlsCert ?? fs.readFileSync(path.join(TLS_DIR, 'cert.pem'));
    } catch (err) {
      throw new Error(`MSS double: STARTTLS needs fixtures/mss/tls/{key,cert}.pem (or tlsKey/tlsCert): ${String(err)}`);
    }
  }
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
