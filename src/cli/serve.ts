import { InsiDouble } from '../doubles/insi';
import { people } from '../fixtures/people';
import { UsageError, one, parseArgs } from './args';

/**
 * The doubles standalone, for a vendor to point a staging LGC at. Binds 127.0.0.1 unless told
 * otherwise (--host 0.0.0.0 to reach it from another machine; --advertised-host for the URL).
 */
export async function serve(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { values: ['host', 'advertised-host', 'insi-port'], flags: [] });
  const port = Number(one(a, 'insi-port') ?? '8701');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--insi-port: "${one(a, 'insi-port')}" is not a port number`);
  const insi = new InsiDouble({ host: one(a, 'host') ?? '127.0.0.1', port, advertisedHost: one(a, 'advertised-host'), people: people().map((p) => ({ ...p.insi })) });
  await insi.start();
  process.stdout.write(`INSi double (SOAP 1.2) listening: ${insi.baseUrl}/insi — per tenant: ${insi.baseUrl}/insi/<tenant>\n`);
  process.stdout.write(`It answers by looking up the invented people of fixtures/identities/people.json. Ctrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await insi.stop();
  return 0;
}
