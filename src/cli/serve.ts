import { DmpDouble } from '../doubles/dmp';
import { EPrescriptionDouble } from '../doubles/eprescription';
import { InsiDouble } from '../doubles/insi';
import { MssDouble } from '../doubles/mss';
import { people } from '../fixtures/people';
import { UsageError, one, parseArgs } from './args';

function port(parsed: ReturnType<typeof parseArgs>, key: string, dflt: number): number {
  const given = one(parsed, key);
  const n = Number(given ?? dflt);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${key}: "${given}" is not a port number`);
  return n;
}

/**
 * The doubles standalone, for a vendor to point a staging LGC at. Binds 127.0.0.1 unless told
 * otherwise (--host 0.0.0.0 to reach it from another machine; --advertised-host for the URLs).
 */
export async function serve(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    values: ['host', 'advertised-host', 'insi-port', 'dmp-port', 'eprescription-port', 'smtp-port', 'pop3-port'],
    flags: [],
  });
  const common = { host: one(parsed, 'host') ?? '127.0.0.1', advertisedHost: one(parsed, 'advertised-host') };
  const insi = new InsiDouble({ ...common, port: port(parsed, 'insi-port', 8701), people: people().map((p) => ({ ...p.insi })) });
  const dmp = new DmpDouble({ ...common, port: port(parsed, 'dmp-port', 8702) });
  const ep = new EPrescriptionDouble({ ...common, port: port(parsed, 'eprescription-port', 8703) });
  const mss = new MssDouble({ ...common, smtpPort: port(parsed, 'smtp-port', 2525), pop3Port: port(parsed, 'pop3-port', 1110) });
  await Promise.all([insi.start(), dmp.start(), ep.start(), mss.start()]);
  const lines = [
    `INSi double (SOAP 1.2) listening: ${insi.baseUrl}/insi — per tenant: ${insi.baseUrl}/insi/<tenant>`,
    `DMP double (SOAP 1.2, ITI-41 / ITI-18) listening: ${dmp.repositoryUrlFor('default')} and ${dmp.registryUrlFor('default')}`,
    `Ordonnance numérique double (HTTP JSON) listening: ${ep.urlFor('default')}/prescriptions`,
    `MSSanté double listening: SMTP ${mss.smtp.host}:${mss.smtp.port} (STARTTLS), POP3 ${mss.pop3.host}:${mss.pop3.port} (any *.mssante.fr mailbox, password "vigie")`,
    'INSi answers by looking up the invented people of fixtures/identities/people.json; the DMP accepts; the',
    'ordonnance numérique answers OK. Every exchange is kept in memory. Ctrl-C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await Promise.all([insi.stop(), dmp.stop(), ep.stop(), mss.stop()]);
  return 0;
}
