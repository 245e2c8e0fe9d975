import { relative } from 'node:path';
import type { EvidenceKind, ScenarioResult, Summary } from './summary';

const MARK: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  'not-judged': 'NOT JUDGED',
  'not-covered': 'NOT COVERED',
  'not-selected': 'NOT SELECTED',
};
const evidenceLabel = (k: EvidenceKind[]) => (k.length ? k.join('+') : '—');

type Out = (l: string) => void;
const stdout: Out = (l) => process.stdout.write(l + '\n');

function section(summary: Summary, out: Out, title: string): void {
  out(title);
  out(`  scope: ${summary.scope.statement}`);
  for (const [id, r] of Object.entries(summary.requirements)) {
    const why =
      r.verdict !== 'pass' && r.verdict !== 'fail' && r.reasons?.length
        ? ` — ${r.reasons[0]}${r.reasons.length > 1 ? ` (+${r.reasons.length - 1} more)` : ''}`
        : '';
    out(
      `  ${id.padEnd(8)} ${MARK[r.verdict].padEnd(12)} ${evidenceLabel(r.evidence).padEnd(17)} ${String(r.scenarios.length).padStart(2)} scenario(s)  ${r.title}${why}`,
    );
  }
  const attested = Object.entries(summary.requirements).filter(([, r]) => r.evidence.includes('attested'));
  if (attested.length)
    out(
      `  resting in part on a person's word (attested): ${attested.map(([id]) => id).join(', ')}${
        attested.some(([, r]) => r.evidence.length === 1)
          ? `; on it alone: ${attested
              .filter(([, r]) => r.evidence.length === 1)
              .map(([id]) => id)
              .join(', ')}`
          : ''
      }`,
    );
  // Each failure once: the verdict (expected, seen, evidence), without the harness's stack.
  for (const f of summary.failures ?? []) {
    out('');
    out(`  NOT CONFORMANT ${f.requirements.join(', ')} — ${f.scenario}`);
    for (const l of f.message.split('\n')) out(`    ${l}`);
  }
  // Errors and scenarios not judged, one line per cause, then what it stopped.
  for (const g of summary.errors ?? []) {
    out('');
    out(`  NO VERDICT (${g.scenarios.length} scenario(s), ${g.requirements.join(', ') || 'no requirement'}): ${g.cause}`);
    for (const sc of g.scenarios.slice(0, 3)) out(`    ${sc}`);
    if (g.scenarios.length > 3) out(`    … and ${g.scenarios.length - 3} more`);
  }
}

/** The verdict per requirement, as a reviewer reads it in a terminal. */
export function printSummary(summary: Summary, reportsDir: string, out: Out = stdout): void {
  out('');
  section(
    summary,
    out,
    `Vigie — ${summary.suite === 'lgc' ? 'LGC suite' : 'service suite'}, target "${summary.target}" (${summary.driver} driver)${summary.defects?.length ? ', seeded defects: ' + summary.defects.join(', ') : ''}`,
  );
  if (summary.selfCheck) {
    out('');
    section(
      summary.selfCheck,
      out,
      `Self-check of Vigie's own MSSanté double (service suite) — not the target's verdicts: ${summary.selfCheck.outcome.toUpperCase()}`,
    );
  }
  out('');
  for (const r of summary.reasons ?? []) out(`  ${summary.outcome === 'could-not-run' ? 'could not run' : 'not judged'}: ${r}`);
  const counts = summary.scenarios;
  out(
    `Outcome: ${summary.outcome.toUpperCase()} — ${counts.passed} passed, ${counts.failed} failed, ${counts['not-judged']} not judged, ${counts.errored} errored, ${counts.skipped} skipped scenario(s) in ${(summary.durationMs / 1000).toFixed(1)} s`,
  );
  const rel = relative(process.cwd(), reportsDir) || '.';
  out(`Reports: ${rel}/summary.json, ${rel}/junit.xml, ${rel}/cucumber.html, ${rel}/allure-results (npm run report for the Allure HTML)`);
}

/** One progress line, rewritten in place on a terminal: scenarios done / total, elapsed, current requirement. */
export function progressLine(t0: number, isTty = !!process.stdout.isTTY): (r: ScenarioResult, done: number, total: number) => void {
  let last = 0;
  return (r, done, total) => {
    const now = performance.now();
    const line = `  ${String(done).padStart(3)}/${total} scenarios, ${((now - t0) / 1000).toFixed(0)} s — ${r.requirements.join(', ')} ${r.status}`;
    if (isTty) process.stdout.write(`\r${line.padEnd(78).slice(0, 120)}`);
    else if (now - last > 5000 || done === total) {
      process.stdout.write(line + '\n');
      last = now;
    }
    if (isTty && done === total) process.stdout.write('\n');
  };
}
