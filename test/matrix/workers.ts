/**
 * Runs matrix jobs on a pool of worker processes (src/harness/matrix-worker.ts) that share one
 * reference LGC: each worker takes the next job when it is free (the longest jobs first), so the
 * idle time of one run's absence windows is another run's work.
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/load';
import type { MatrixJob, MatrixJobResult } from '../../src/harness/matrix-worker';

/** side "lgc": a defect of the reference LGC; side "service": a defective mode of the MSSanté double under test. */
export interface Defect {
  id: string;
  requirements: string[];
  /** Through the web UI, when it breaks more than `requirements` (every flow that needs what it hides). */
  uiRequirements?: string[];
  features: string[];
  mode: 'http' | 'ui' | 'smtp';
  side?: 'lgc' | 'service';
  description: string;
}
export const catalogue: Defect[] = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src', 'reference-lgc', 'defects.json'), 'utf8')).defects;

/**
 * Two pools share the reference LGC: http jobs on `workers` processes (their time is mostly
 * waiting: more workers overlap more windows), ui jobs on at most one process per core (each
 * drives a Chromium: more would only slow every browser down). While browsers run, only
 * `apiWorkersBesideUi` http workers run beside them: a browser starved of CPU by ten busy cucumber
 * processes on two cores made a conformant screen miss the action bound (CI, stop 18: "open the
 * patient file: no answer within 12000 ms"), a failure the harness made. The other http workers
 * join the same queue once the ui pool is done. The full matrix (long ui jobs) sets 3; the quick
 * one (short ui jobs, inside npm test's time budget) keeps all its workers.
 */
export async function runJobs(
  baseUrl: string,
  jobs: MatrixJob[],
  workers: number,
  options: {
    timeoutMs: number;
    uiWorkers?: number;
    apiWorkersBesideUi?: number;
    onResult?: (r: MatrixJobResult, done: number) => void;
  },
): Promise<Map<string, MatrixJobResult>> {
  const out = new Map<string, MatrixJobResult>();
  const ui = jobs.filter((j) => j.driver === 'ui');
  const httpQueue = jobs.filter((j) => j.driver !== 'ui');
  const beside = ui.length ? Math.min(workers, options.apiWorkersBesideUi ?? workers) : workers;
  await Promise.all([
    runPool(baseUrl, httpQueue, beside, out, options),
    runPool(baseUrl, ui, options.uiWorkers ?? Math.min(2, availableParallelism()), out, options).then(() =>
      runPool(baseUrl, httpQueue, workers - beside, out, options, beside),
    ),
  ]);
  return out;
}

/** `workers` processes taking jobs from `queue` (shared with the other http pool) until it is empty. */
function runPool(
  baseUrl: string,
  queue: MatrixJob[],
  workers: number,
  out: Map<string, MatrixJobResult>,
  options: { timeoutMs: number; onResult?: (r: MatrixJobResult, done: number) => void },
  firstNumber = 0,
): Promise<unknown> {
  const startWorker = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const child: ChildProcess = fork(join(PROJECT_ROOT, 'src', 'harness', 'matrix-worker.ts'), [baseUrl], {
        cwd: PROJECT_ROOT,
        execArgv: ['--require', 'ts-node/register'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
        // Killed after the bound by node itself (its timer is cleared when the worker exits).
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
      });
      let err = '';
      let current: MatrixJob | undefined;
      child.stderr!.on('data', (b) => {
        err = (err + b).slice(-4000);
      });
      const next = () => {
        current = queue.shift();
        if (current) child.send(current);
        else child.send({ done: true });
      };
      child.on('message', (m: { ready?: true; result?: MatrixJobResult }) => {
        if (m.result) {
          out.set(m.result.id, m.result);
          options.onResult?.(m.result, out.size);
        }
        next();
      });
      child.on('exit', (code) => {
        if (code === 0 && !current) resolve();
        else if (code === 0) resolve();
        else
          reject(
            new Error(
              `matrix worker ${n} exited ${code}${current ? ` during job ${current.id}` : ''} (bound ${options.timeoutMs} ms): ${err.slice(-2000)}`,
            ),
          );
      });
    });
  return Promise.all(Array.from({ length: Math.max(0, Math.min(workers, queue.length)) }, (_, i) => startWorker(firstNumber + i)));
}

/** The feature folders of the LGC side, and of the service side. */
export const LGC_FOLDERS = ['features/ins', 'features/qualification', 'features/dmp', 'features/cda', 'features/mss/lgc'];
export const SCREEN_FOLDERS = ['features/ins', 'features/qualification', 'features/dmp', 'features/mss/lgc'];
export const SERVICE_FOLDERS = ['features/mss/service'];
