/**
 * One worker of the defect matrix (test/matrix/*.test.ts, npm run matrix:full): takes jobs from
 * its parent one at a time over IPC ("conformant", or a seeded defect with its feature paths),
 * runs each against an already running reference LGC in this process (the step library loaded
 * once, the CDA JVM kept warm, one Chromium for the ui jobs), and sends back each job's scenario
 * results. Started by test/matrix/workers.ts:
 *   node -r ts-node/register src/harness/matrix-worker.ts <baseUrl>
 */
import { loadTarget } from '../config/load';
import { closeBrowser } from '../drivers/ui/browser';
import type { Side } from '../report/catalogue';
import { loadSteps, runSuite } from './run';

export interface MatrixJob {
  id: string;
  defects: string[];
  serviceDefects?: string[];
  paths?: string[];
  driver?: 'http' | 'ui';
  suite?: Side;
  /** The ANS rule pack; null: none (CDA-07 not selected); undefined: found as usual. */
  rulesDir?: string | null;
  /** A tag expression narrowing the job's scenarios (the matrix's two phases). */
  tags?: string;
}
export interface MatrixJobResult {
  id: string;
  exitCode: number;
  outcome: string;
  reasons?: string[];
  ms: number;
  notSelected: string[];
  results: { location: string; status: string; requirements: string[]; message: string }[];
}

async function main(): Promise<void> {
  const [baseUrl] = process.argv.slice(2);
  process.env.VIGIE_KEEP_JVM = '1';
  const loaded = loadTarget('reference');
  const support = await loadSteps();
  const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  process.on('message', async (job: MatrixJob | { done: true }) => {
    if ('done' in job) {
      await closeBrowser();
      (require('../../steps/support/hooks') as typeof import('../../steps/support/hooks')).closeCdaJvm(); // eslint-disable-line @typescript-eslint/no-require-imports
      process.exit(0);
    }
    const t0 = performance.now();
    const runResult = await runSuite({
      loaded,
      baseUrl,
      driver: job.driver,
      suite: job.suite,
      keepBrowser: true,
      defects: job.defects,
      serviceDefects: job.serviceDefects,
      paths: job.paths,
      tags: job.tags,
      rulesDir: job.rulesDir === null ? '/nonexistent/no-rule-pack' : job.rulesDir,
      reportsDir: false,
      support,
      quiet: true,
      log: () => undefined,
    });
    const result: MatrixJobResult = {
      id: job.id,
      exitCode: runResult.exitCode,
      outcome: runResult.summary.outcome,
      reasons: runResult.summary.reasons,
      ms: Math.round(performance.now() - t0),
      notSelected: Object.entries(runResult.summary.requirements)
        .filter(([, v]) => v.verdict === 'not-selected')
        .map(([k]) => k),
      results: runResult.results.map((s) => ({
        location: s.location,
        status: s.status,
        requirements: s.requirements,
        message: (s.message ?? '').split('\n').slice(0, 3).join(' | '),
      })),
    };
    await send({ result });
  });
  await send({ ready: true });
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(2);
});
