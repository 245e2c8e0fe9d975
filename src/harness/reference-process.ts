import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';

export interface ReferenceLgc {
  url: string;
  stop(): Promise<void>;
  process: ChildProcess;
}

/**
 * Starts the embedded reference LGC as a separate program (the harness never imports its code)
 * and waits, bounded, for the line announcing its URL.
 */
export function startReferenceLgc(opts: { host?: string; defects?: string[]; timeoutMs?: number } = {}): Promise<ReferenceLgc> {
  const args = [
    '--require',
    'ts-node/register',
    join(PROJECT_ROOT, 'src', 'reference-lgc', 'main.ts'),
    '--port',
    '0',
    '--host',
    opts.host ?? '127.0.0.1',
  ];
  for (const d of opts.defects ?? []) args.push('--defect', d);
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(PROJECT_ROOT, 'tsconfig.json') },
  });
  // Generous: on a busy 2-core machine ts-node's start of the reference takes seconds; the bound only
  // stops a process that will never listen.
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    // eslint-disable-next-line no-restricted-syntax -- a start-up guard, cleared once the child listens or exits
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const said = [out.trim() && `stdout: ${out.trim().slice(-300)}`, err.trim() && `stderr: ${err.trim().slice(-500)}`].filter(Boolean);
      reject(
        new Error(
          `the reference LGC did not print its "VIGIE-REFERENCE-LGC LISTENING <url>" line within ${timeoutMs} ms ` +
            `(pid ${child.pid}, still running, killed now); ${said.length ? said.join('; ') : 'it printed nothing'}`,
        ),
      );
    }, timeoutMs);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const match = /VIGIE-REFERENCE-LGC LISTENING (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], process: child, stop: () => stopChild(child) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the reference LGC exited (code ${code}) ${Math.round(performance.now() - t0)} ms after its start, before listening: ` +
            `${err.trim().slice(-800) || out.trim().slice(-300) || 'it printed nothing'}`,
        ),
      );
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    // eslint-disable-next-line no-restricted-syntax -- a kill guard, cleared when the child exits
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Switches seeded defects of the embedded reference LGC for the tenants whose id starts with
 * `tenantPrefix` (one run's tenants), through the reference's own endpoint — never through the
 * test-driver contract a vendor implements. One reference process serves every defect at once.
 */
export async function switchReferenceDefects(baseUrl: string, tenantPrefix: string, defects: string[], timeoutMs: number): Promise<void> {
  const url = baseUrl.replace(/\/$/, '') + '/reference/defects';
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantPrefix, defects }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new Error(`the reference LGC at ${baseUrl} did not take the seeded defects: ${(e as Error).message}`);
  }
  if (res.status === 400) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new Error(`--defect: ${body.message ?? 'refused'} (vigie defects lists them)`);
  }
  if (!res.ok) throw new Error(`the reference LGC at ${baseUrl} answered HTTP ${res.status} to ${url}: is the target the reference LGC?`);
}
