import { hostname } from 'node:os';
import { rulePacksOf } from './allure';
import type { ScenarioResult, Summary } from './summary';

/**
 * JUnit XML for CI servers, written from Vigie's own verdicts (not cucumber's formatter): one
 * testcase per scenario, named with its requirement ids and its evidence kinds (system-out); a non-conformance is a <failure>, a harness
 * or target error an <error>, a scenario not judged <skipped> with its reason; every requirement in
 * scope that no scenario judged is a skipped testcase of its own; a run that could not start is one
 * error testcase saying why.
 */
const esc = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 cannot carry most control characters
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit's error type: why there is no verdict (set-up, the target, the harness). */
function errorType(scenario: ScenarioResult): string {
  const text = `${scenario.cause ?? ''} ${scenario.message ?? ''}`;
  if (/could not set up/.test(text)) return 'CouldNotSetUp';
  if (/undefined step|harness/i.test(text)) return 'HarnessError';
  return 'TargetOrHarnessError';
}

/** Ant's timestamp: local date-time without a zone; Vigie writes UTC. */
const antTimestamp = (iso: string | undefined) => (iso ?? new Date().toISOString()).slice(0, 19);

function testcase(scenario: ScenarioResult): string {
  const name = `${scenario.requirements.join(' ') || '(no requirement)'} — ${scenario.name}`;
  const classname = `vigie.${scenario.side}.${scenario.requirements[0] ?? 'none'}`;
  const head = `    <testcase name="${esc(name)}" classname="${esc(classname)}" file="${esc(scenario.location)}" time="${(scenario.wallMs / 1000).toFixed(3)}"`;
  const msg = esc(scenario.message ?? '');
  // The evidence kinds the verdict rests on (attested: a person's answers, in attended mode).
  const out = scenario.evidence.length
    ? `\n      <system-out>evidence: ${scenario.evidence.join('+')}${scenario.evidence.includes('attested') ? " (attested: a person's answers at the keyboard)" : ''}</system-out>`
    : '';
  switch (scenario.status) {
    case 'passed':
      return out ? `${head}>${out}\n    </testcase>` : `${head}/>`;
    case 'failed':
      return `${head}>\n      <failure message="${esc((scenario.message ?? '').split('\n')[0])}" type="NonConformance">${msg}</failure>${out}\n    </testcase>`;
    case 'errored':
      return `${head}>\n      <error message="${esc((scenario.cause ?? scenario.message ?? '').split('\n')[0])}" type="${errorType(scenario)}">${msg}</error>${out}\n    </testcase>`;
    default:
      return `${head}>\n      <skipped message="${esc(`not judged: ${scenario.cause ?? scenario.message ?? scenario.status}`)}"/>${out}\n    </testcase>`;
  }
}

export function toJunit(summary: Summary, results: ScenarioResult[]): string {
  const cases = results.map(testcase);
  const judged = new Set(results.flatMap((s) => s.requirements));
  for (const [id, r] of Object.entries(summary.requirements)) {
    if (judged.has(id) || r.verdict === 'pass' || r.verdict === 'fail') continue;
    cases.push(
      `    <testcase name="${esc(`${id} — ${r.title}`)}" classname="vigie.${r.side}.${id}" time="0">\n      <skipped message="${esc(`${r.verdict}: ${(r.reasons ?? []).join('; ')}`)}"/>\n    </testcase>`,
    );
  }
  if (summary.outcome === 'could-not-run' && !results.length) {
    cases.push(
      `    <testcase name="the run" classname="vigie.${summary.suite}.run" time="${(summary.durationMs / 1000).toFixed(3)}">\n      <error message="${esc(`could not run: ${(summary.reasons ?? []).join('; ')}`)}" type="CouldNotRun"/>\n    </testcase>`,
    );
  }
  const n = (f: (c: string) => boolean) => cases.filter(f).length;
  const counts = `tests="${cases.length}" failures="${n((c) => c.includes('<failure'))}" errors="${n((c) => c.includes('<error'))}" skipped="${n((c) => c.includes('<skipped'))}"`;
  const time = (summary.durationMs / 1000).toFixed(3);
  const props = [
    ['target', summary.target],
    ['driver', summary.driver],
    ['suite', summary.suite],
    ['outcome', summary.outcome],
    ['harness', summary.provenance.harness],
    ['harnessCommit', /\(([^)]+)\)/.exec(summary.provenance.harness)?.[1] ?? 'unknown'],
    ['rulePack', rulePacksOf(summary, 64) || 'none'],
    ['config', summary.provenance.config],
    ['scope', summary.scope.statement],
  ]
    .map(([k, v]) => `      <property name="${esc(k)}" value="${esc(v)}"/>`)
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vigie" ${counts} time="${time}">\n` +
    `  <testsuite name="vigie-${esc(summary.target)}-${summary.suite}" ${counts} time="${time}" timestamp="${antTimestamp(summary.startedAt)}" hostname="${esc(hostname() || 'localhost')}">\n` +
    `    <properties>\n${props}\n    </properties>\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`
  );
}
