import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { DmpDouble } from '../doubles/dmp';
import { type JournalEntry, onExchange } from '../doubles/common/journal';
import { doubleTls, exportPki, pkiHosts, testPki } from '../doubles/common/pki';
import type { TlsRefusal } from '../doubles/common/types';
import { EPrescriptionDouble } from '../doubles/eprescription';
import { InsiDouble } from '../doubles/insi';
import { MssDouble } from '../doubles/mss';
import { people } from '../fixtures/people';
import { OptionSpec, UsageError, one, parseArgs } from './args';

/** The fixed ports of `vigie serve` (README, docs/doubles.md): a staging LGC is configured once. */
export const SERVE_OPTIONS: OptionSpec[] = [
  { name: 'host', value: 'address', help: 'the interface to bind (default 127.0.0.1; 0.0.0.0 to be reached from another machine)' },
  { name: 'advertised-host', value: 'name', help: 'the host name put in the URLs the doubles give out (default: --host)' },
  { name: 'insi-port', value: 'port', help: 'INSi double, SOAP 1.2 over HTTPS with a client certificate (default 8701)' },
  { name: 'dmp-port', value: 'port', help: 'DMP double, ITI-41 / ITI-18 over SOAP 1.2, HTTPS with a client certificate (default 8702)' },
  { name: 'eprescription-port', value: 'port', help: 'ordonnance numérique double, JSON over HTTPS (default 8703)' },
  { name: 'smtp-port', value: 'port', help: 'MSSanté double, SMTP with STARTTLS, AUTH once under TLS (default 2525)' },
  { name: 'pop3-port', value: 'port', help: 'MSSanté double, POP3 with STLS (default 1110)' },
  { name: 'pop3s-port', value: 'port', help: 'MSSanté double, POP3 over TLS from the first byte (default 1995)' },
  { name: 'record', value: 'dir', help: 'where every exchange is written, one JSON file each (default reports/serve)' },
  {
    name: 'pki',
    value: 'dir',
    help: "where the test CA and the LGC's client certificate are exported, PEM and PKCS#12 (default reports/serve/pki)",
  },
  { name: 'client-ca', value: 'file.pem', help: "a further CA whose client certificates INSi and DMP accept (a vendor's own)" },
  { name: 'plain-http', help: 'INSi, DMP and ordonnance numérique over plain HTTP (for an LGC that cannot be given a certificate)' },
];

const PORT_OPTION: Record<string, string> = {
  'INSi double': 'insi-port',
  'DMP double': 'dmp-port',
  'ordonnance numérique double': 'eprescription-port',
  'MSSanté double': 'smtp-port / --pop3-port / --pop3s-port',
};

function port(parsed: ReturnType<typeof parseArgs>, key: string, dflt: number): number {
  const given = one(parsed, key);
  const n = Number(given ?? dflt);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${key}: "${given}" is not a port number`);
  return n;
}

/** A double that could not listen: which one, on which port, and the option that moves it. */
export class ServeError extends Error {}

async function startNamed(label: string, host: string, start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const busyPort = (err as { port?: number }).port;
    if (code === 'EADDRINUSE')
      throw new ServeError(
        `the ${label} cannot listen on ${host}:${busyPort ?? '?'}: the port is in use (move it with --${PORT_OPTION[label]})`,
      );
    if (code === 'EACCES')
      throw new ServeError(
        `the ${label} may not listen on ${host}:${busyPort ?? '?'} (a port below 1024 needs privileges: --${PORT_OPTION[label]})`,
      );
    if (code === 'EADDRNOTAVAIL') throw new ServeError(`the ${label} cannot bind ${host}: no such local address (--host)`);
    throw new ServeError(`the ${label} did not start: ${(err as Error).message}`);
  }
}

interface Recorded {
  seq?: number;
  operation?: string | null;
  action?: string | null;
  outcome?: string;
  deliveries?: { to: string; outcome: string }[];
  raw?: Buffer;
  generated?: { kind?: string };
}

/** One console line per exchange: time, double, tenant, what, outcome. */
export function exchangeLine(entry: JournalEntry, at: Date): string {
  const ex = entry.exchange as Recorded;
  const what = ex.operation ?? (ex.generated?.kind ? `${entry.kind} (${ex.generated.kind})` : entry.kind);
  const outcome = ex.outcome ?? (ex.deliveries ? ex.deliveries.map((d) => `${d.to}: ${d.outcome}`).join(', ') : '');
  return `${at.toISOString().slice(11, 23)}  ${entry.double.padEnd(28)} tenant ${entry.tenant.padEnd(12)} #${ex.seq ?? '?'} ${what}${outcome ? ` → ${outcome}` : ''}`;
}

/** The exchange as a JSON file (a mail's bytes beside it as .eml). */
function writeExchange(dir: string, entry: JournalEntry): string {
  const ex = entry.exchange as Recorded;
  const base = `${String(ex.seq ?? Date.now()).padStart(5, '0')}-${entry.double.split(' ')[0].toLowerCase()}-${entry.tenant}-${entry.kind}`;
  const json = JSON.stringify(
    entry.exchange,
    (key, value) => (key === 'raw' && value && value.type === 'Buffer' ? `(the bytes: ${base}.eml)` : value),
    2,
  );
  writeFileSync(join(dir, `${base}.json`), json);
  if (Buffer.isBuffer(ex.raw)) writeFileSync(join(dir, `${base}.eml`), ex.raw);
  return join(dir, `${base}.json`);
}

/**
 * The doubles standalone, for a vendor to point a staging LGC at. Binds 127.0.0.1 unless told
 * otherwise (--host 0.0.0.0 to reach it from another machine; --advertised-host for the URLs).
 */
export async function serve(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, SERVE_OPTIONS);
  const host = one(parsed, 'host') ?? '127.0.0.1';
  const common = {
    host,
    advertisedHost: one(parsed, 'advertised-host'),
    onTlsRefusal: (refusal: TlsRefusal) =>
      process.stdout.write(`${refusal.at.slice(11, 23)} TLS handshake refused from ${refusal.remote}: ${refusal.reason}\n`),
  };
  const recordDir = resolve(one(parsed, 'record') ?? join(PROJECT_ROOT, 'reports', 'serve'));
  mkdirSync(recordDir, { recursive: true });
  // TLS as the real services: a test PKI (kept in build/pki), exported for the vendor to install in the LGC.
  const pki = !parsed.flags.has('plain-http')
    ? testPki(join(PROJECT_ROOT, 'build', 'pki'), pkiHosts(host, common.advertisedHost))
    : undefined;
  const exported = pki ? exportPki(pki, resolve(one(parsed, 'pki') ?? join(recordDir, 'pki'))) : undefined;
  const clientCa = one(parsed, 'client-ca');
  if (clientCa && !existsSync(clientCa)) throw new UsageError(`--client-ca: no file ${clientCa}`);
  const tls = pki ? doubleTls(pki, clientCa ? [readFileSync(clientCa, 'utf8')] : []) : undefined;
  const insi = new InsiDouble({
    ...common,
    tls: tls?.mutual,
    port: port(parsed, 'insi-port', 8701),
    people: people().map((person) => ({ ...person.insi })),
  });
  const dmp = new DmpDouble({ ...common, tls: tls?.mutual, port: port(parsed, 'dmp-port', 8702) });
  const ep = new EPrescriptionDouble({ ...common, tls: tls?.https, port: port(parsed, 'eprescription-port', 8703) });
  // SMTP STARTTLS and POP3 STLS are how every MSSanté operator speaks: with the PKI's server certificate (its
  // CA is the one exported), or with --plain-http the shipped self-signed one.
  const mss = new MssDouble({
    ...common,
    smtpPort: port(parsed, 'smtp-port', 2525),
    pop3Port: port(parsed, 'pop3-port', 1110),
    pop3sPort: port(parsed, 'pop3s-port', 1995),
    ...(tls ? { tlsKey: tls.https.key, tlsCert: tls.https.cert } : {}),
  });
  const started: { stop(): Promise<void> }[] = [];
  try {
    for (const [label, double] of [
      ['INSi double', insi],
      ['DMP double', dmp],
      ['ordonnance numérique double', ep],
      ['MSSanté double', mss],
    ] as const) {
      await startNamed(label, host, () => double.start());
      started.push(double);
    }
  } catch (err) {
    await Promise.all(started.map((double) => double.stop()));
    if (err instanceof ServeError) {
      process.stderr.write(`vigie serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const lines = [
    ...(exported
      ? [
          `TLS: INSi and DMP want a client certificate issued by Vigie's test CA${clientCa ? ` or ${clientCa}` : ''}; install in the LGC:`,
          `  trust store: ${exported.files.ca}`,
          `  client certificate: ${exported.files.clientP12} (PKCS#12, password "${exported.password}"), or ${exported.files.clientCert} + ${exported.files.clientKey}`,
        ]
      : ['Plain HTTP (--plain-http): no certificate asked.']),
    `INSi double (SOAP 1.2) listening: ${insi.baseUrl}/insi — per tenant: ${insi.baseUrl}/insi/<tenant>`,
    `DMP double (SOAP 1.2, ITI-41 / ITI-18) listening: ${dmp.repositoryUrlFor('default')} and ${dmp.registryUrlFor('default')}`,
    `Ordonnance numérique double (JSON) listening: ${ep.urlFor('default')}/prescriptions`,
    `MSSanté double listening: SMTP ${mss.smtp.host}:${mss.smtp.port} (STARTTLS, then AUTH), POP3 ${mss.pop3.host}:${mss.pop3.port} (STLS)${mss.pop3s ? `, POP3S ${mss.pop3s.host}:${mss.pop3s.port}` : ''} (any *.mssante.fr mailbox, password "vigie")`,
    'INSi answers by looking up the invented people of fixtures/identities/people.json; the DMP accepts; the',
    'ordonnance numérique answers OK.',
    `Every exchange: one line below, and a JSON file (a mail also as .eml) in ${recordDir}. Ctrl-C to stop.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  // The line and the file are written once the double has answered (a held request: when it is parked).
  const stopListening = onExchange((entry) =>
    setImmediate(() => {
      process.stdout.write(`${exchangeLine(entry, new Date())}\n`);
      try {
        writeExchange(recordDir, entry);
      } catch (err) {
        process.stderr.write(`vigie serve: could not write the exchange to ${recordDir}: ${(err as Error).message}\n`);
      }
    }),
  );
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
  stopListening();
  await Promise.all([insi.stop(), dmp.stop(), ep.stop(), mss.stop()]);
  return 0;
}
