import { relative } from 'node:path';
import type { Summary } from './summary';

const MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', 'not-covered': 'NOT COVERED' };

/** The verdict per requirement, as a reviewer reads it in a terminal. */
export function printSummary(s: Summary, reportsDir: string, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): void {
  out('');
  out(`Vigie — target "${s.target}" (${s.driver} driver)${s.defects?.length ? ', seeded defects: ' + s.defects.join(', ') : ''}`);
  for (const [id, r] of Object.entries(s.requirements)) {
    out(`  ${id.padEnd(8)} ${MARK[r.verdict].padEnd(11)} ${r.evidence.padEnd(8)}  ${r.scenarios.length} scenario(s)`);
  }
  for (const [id, why] of Object.entries(s.notSelected ?? {})) out(`  ${id.padEnd(8)} NOT SELECTED — ${why}`);
  for (const f of s.failures ?? []) {
    out('');
    out(`  ${f.status === 'failed' ? 'NOT CONFORMANT' : 'COULD NOT JUDGE'} ${f.requirements.join(', ')} — ${f.scenario}`);
    for (const l of f.message.split('\n')) out(`    ${l}`);
  }
  out('');
  if (s.reason) out(`  ${s.reason}`);
  const c = s.scenarios;
  out(`Outcome: ${s.outcome.toUpperCase()} — ${c.passed} passed, ${c.failed} failed, ${c.errored} errored, ${c.skipped} skipped scenario(s) in ${(s.durationMs / 1000).toFixed(1)} s`);
  const rel = relative(process.cwd(), reportsDir) || '.';
  out(`Reports: ${rel}/summary.json, ${rel}/cucumber.html, ${rel}/junit.xml, ${rel}/allure-results (npm run report for the Allure HTML)`);
}
