/** What `npm run bench` measures of a process: its wall time, exit code and peak memory (Linux /proc). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { within } from '../harness/wait';

function peakKb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Peak resident memory of a process, in MB. */
export function peakMb(pid: number | undefined): number | null {
  const kb = pid ? peakKb(pid) : null;
  return kb === null ? null : Math.round(kb / 1024);
}

function descendantsOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.flatMap((c) => [c, ...descendantsOf(c)]);
  } catch {
    return [];
  }
}

/**
 * A command in a process of its own: wall time, exit code, stdout, and peak memory — the sum of the
 * peak RSS (VmHWM) of every process of its tree, sampled every 100 ms (an upper bound of the tree's
 * simultaneous peak). Killed past `boundMs` (exit code null).
 */
export async function measured(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; boundMs?: number } = {},
): Promise<{ ms: number; code: number | null; peakMb: number; stdout: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const peaks = new Map<number, number>();
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const total = () => Math.round([...peaks.values()].reduce((a, b) => a + b, 0) / 1024);
  for (;;) {
    for (const pid of [child.pid!, ...descendantsOf(child.pid!)]) {
      const kb = peakKb(pid);
      if (kb !== null) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, kb));
    }
    // Sampling the memory is why this polls; the exit itself is an event.
    const waited = await within(exited, 100);
    if (waited.settled) return { ms: performance.now() - t0, code: waited.value, peakMb: total(), stdout };
    if (performance.now() - t0 > (options.boundMs ?? 10 * 60_000)) {
      child.kill('SIGKILL');
      return { ms: performance.now() - t0, code: null, peakMb: total(), stdout };
    }
  }
}
