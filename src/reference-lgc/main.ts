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
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const given = inline ?? argv[++i];
      if (given === undefined) usage(`${flag} needs a value`);
      return given;
    };
    switch (flag) {
      case '--port': {
        const text = value();
        const n = Number(text);
        if (!/^\d+$/.test(text) || n > 65535) usage(`--port: not a port number: ${text}`);
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
        usage(`unknown argument: ${arg}`);
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
    // eslint-disable-next-line no-restricted-syntax -- the exit guard of a shutdown: unref'd below
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
