/** Runs matrix jobs in worker processes (src/harness/matrix-worker.ts) against one reference LGC. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/load';
import type { MatrixJob, MatrixJobResult } from '../../src/harness/matrix-worker';

/** side "lgc": a defect of the reference LGC; side "service": a defective mode of the MSSanté double under test. */
export interface Defect { id: string; requirements: string[]; features: string[]; mode: 'http' | 'ui' | 'smtp'; side?: 'lgc' | 'service'; description: string }
export const catalogue: Defect[] = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src', 'reference-lgc', 'defects.json'), 'utf8')).defects;

function runWorker(baseUrl: string, jobs: MatrixJob[], dir: string, n: number): Promise<MatrixJobResult[]> {
  const jobsFile = join(dir, `jobs-${n}.json`);
  const out = join(dir, `out-${n}.json`);
  writeFileSync(jobsFile, JSON.stringify(jobs));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--require', 'ts-node/register', join(PROJECT_ROOT, 'src', 'harness', 'matrix-worker.ts'), baseUrl, out, jobsFile],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
    let err = '';
    p.stderr.on('data', (b) => { err += b; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 8 * 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`matrix worker ${n} exited ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(readFileSync(out, 'utf8')));
    });
  });
}

/** Deals the jobs to `workers` processes (round robin) and gathers their results by job id. */
export async function runJobs(baseUrl: string, jobs: MatrixJob[], dir: string, workers: number): Promise<Map<string, MatrixJobResult>> {
  const shares: MatrixJob[][] = Array.from({ length: workers }, () => []);
  jobs.forEach((j, i) => shares[i % workers].push(j));
  return new Map((await Promise.all(shares.filter((s) => s.length).map((s, i) => runWorker(baseUrl, s, dir, i)))).flat().map((r) => [r.id, r]));
}
