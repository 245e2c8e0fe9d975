/**
 * The reference LGC as a program:
 *   node -r ts-node/register src/reference-lgc/main.ts [--port N] [--host H] [--defect ID]...
 */
import { startReferenceLgc } from './server';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: main.ts [--port N (0 = random, default 8700)] [--host 127.0.0.1] [--defect ID]...\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { host: string; port: number; defects: string[] } {
  let host = '127.0.0.1';
  let port = 8700;
  const defects: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) usage(`--port: not a port number: ${v}`);
        port = n;
        break;
      }
      case '--host':
        host = value();
        break;
      case '--defect':
        defects.push(
          ...value()
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
        break;
      case '--help':
      case '-h':
        usage('Vigie reference LGC');
      default:
        usage(`unknown argument: ${a}`);
    }
  }
  return { host, port, defects };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  let lgc;
  try {
    lgc = await startReferenceLgc(opts);
  } catch (e) {
    process.stderr.write(`vigie-reference-lgc: ${(e as Error).message}\n`);
    process.exit(2);
  }
  process.stdout.write(`VIGIE-REFERENCE-LGC LISTENING ${lgc.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    lgc.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
