import { startReferenceLgc } from './src/harness/reference-process';
import { prepareCdaEngine } from './src/cda';
import { findRulePack } from './src/cda/rulepack';
import { runJobs, LGC_FOLDERS } from './test/matrix/workers';
(async () => {
  const ids = process.argv.slice(2);
  prepareCdaEngine(findRulePack());
  const lgc = await startReferenceLgc();
  const jobs = ids.map((id) => ({ id, defects: [id], paths: LGC_FOLDERS }));
  const r = await runJobs(lgc.url, jobs, 3, { timeoutMs: 900000, uiWorkers: 1 });
  for (const [id, x] of r) {
    const failed = x.results.filter((s) => s.status === 'failed');
    console.log(id, 'FAILED REQS', [...new Set(failed.flatMap((s) => s.requirements))].sort().join(','));
    for (const s of x.results.filter((s) => s.status !== 'passed')) console.log('   ', s.status, s.location, s.requirements.join(','), s.message.slice(0, 200));
  }
  await lgc.stop();
})();
