/**
 * One worker of the defect matrix (test/matrix/defect-matrix.test.ts): runs a list of jobs
 * ("conformant" or a defect id with its feature paths) against an already running reference
 * LGC, one after the other in this process, and writes their scenario results as JSON.
 *   node -r ts-node/register src/harness/matrix-worker.ts <baseUrl> <out.json> <jobs.json>
 * A job may use the ui driver: the worker then keeps one Chromium for all its jobs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadTarget } from '../config/load';
import { closeBrowser } from '../drivers/ui/browser';
import { loadSteps, runSuite } from './run';

export interface MatrixJob { id: string; defects: string[]; serviceDefects?: string[]; paths?: string[]; driver?: 'http' | 'ui' }
export interface MatrixJobResult {
  id: string; exitCode: number; reason?: string;
  results: { location: string; status: string; requirements: string[]; message: string }[];
}

async function main(): Promise<void> {
  const [baseUrl, out, jobsFile] = process.argv.slice(2);
  const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as MatrixJob[];
  const loaded = loadTarget('reference');
  const support = await loadSteps();
  const done: MatrixJobResult[] = [];
  for (const job of jobs) {
    // ui jobs share the worker's one browser (a fresh context per scenario).
    const r = await runSuite({ loaded, baseUrl, driver: job.driver, keepBrowser: true, defects: job.defects, serviceDefects: job.serviceDefects, paths: job.paths, reportsDir: false, support, quiet: true, log: () => undefined });
    done.push({
      id: job.id, exitCode: r.exitCode, reason: r.summary.reasons?.join("; "),
      results: r.results.map((s) => ({ location: s.location, status: s.status, requirements: s.requirements, message: (s.message ?? '').split('\n')[0] })),
    });
    writeFileSync(out, JSON.stringify(done));
  }
  await closeBrowser();
}

main().then(() => process.exit(0), (e) => { process.stderr.write(String(e?.stack ?? e) + '\n'); process.exit(2); });
