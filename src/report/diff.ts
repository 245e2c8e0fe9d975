/**
 * `vigie diff <old> <new>`: what changed between two runs (two summary.json), for nightly CI. A
 * pure comparison: requirements whose verdict changed (regressions first), scenarios that appeared
 * or vanished, and what changed under the verdicts (harness, rule pack, configuration, target,
 * driver), so that a change of verdict is read with its cause. A regression is a requirement
 * whose verdict got worse (pass → anything else, or anything → fail); it makes the exit code 1,
 * an already known failure does not.
 */
import { rulePacksOf } from './allure';
import type { RequirementVerdict, Summary } from './summary';

/** How bad a verdict is: a change to a higher rank is a regression. */
const RANK: Record<RequirementVerdict, number> = {
  pass: 0,
  'not-selected': 1,
  'not-covered': 1,
  'not-judged': 1,
  error: 1,
  fail: 2,
};

export interface VerdictChange {
  id: string;
  title: string;
  from: RequirementVerdict | 'absent';
  to: RequirementVerdict | 'absent';
}

export interface SummaryDiff {
  outcome: { from: string; to: string };
  regressions: VerdictChange[];
  improvements: VerdictChange[];
  /** Changed without getting better or worse (e.g. error → not-judged), or appeared / vanished. */
  otherChanges: VerdictChange[];
  newScenarios: string[];
  vanishedScenarios: string[];
  /** What the verdicts rest on that is not the same: harness version, rule pack, config, target, driver. */
  context: { what: string; from: string; to: string }[];
}

const scenariosOf = (run: Summary) => new Set(Object.values(run.requirements).flatMap((r) => r.scenarios));

export function diffSummaries(before: Summary, after: Summary): SummaryDiff {
  const ids = [...new Set([...Object.keys(before.requirements), ...Object.keys(after.requirements)])].sort();
  const regressions: VerdictChange[] = [];
  const improvements: VerdictChange[] = [];
  const otherChanges: VerdictChange[] = [];
  for (const id of ids) {
    const was = before.requirements[id]?.verdict;
    const is = after.requirements[id]?.verdict;
    if (was === is) continue;
    const change: VerdictChange = {
      id,
      title: (after.requirements[id] ?? before.requirements[id])!.title,
      from: was ?? 'absent',
      to: is ?? 'absent',
    };
    if (!was || !is) otherChanges.push(change);
    else if (RANK[is] > RANK[was]) regressions.push(change);
    else if (RANK[is] < RANK[was]) improvements.push(change);
    else otherChanges.push(change);
  }
  // pass → fail first, then the other regressions.
  regressions.sort((a, b) => Number(b.to === 'fail' && b.from === 'pass') - Number(a.to === 'fail' && a.from === 'pass'));
  const old = scenariosOf(before);
  const now = scenariosOf(after);
  const context = [
    { what: 'harness', from: before.provenance.harness, to: after.provenance.harness },
    { what: 'rule pack', from: rulePacksOf(before, 12), to: rulePacksOf(after, 12) },
    { what: 'configuration', from: before.provenance.config, to: after.provenance.config },
    { what: 'target', from: before.target, to: after.target },
    { what: 'driver', from: before.driver, to: after.driver },
    { what: 'suite', from: before.suite, to: after.suite },
  ].filter((c) => c.from !== c.to);
  return {
    outcome: { from: before.outcome, to: after.outcome },
    regressions,
    improvements,
    otherChanges,
    newScenarios: [...now].filter((s) => !old.has(s)).sort(),
    vanishedScenarios: [...old].filter((s) => !now.has(s)).sort(),
    context,
  };
}

/** 1 when a requirement regressed, else 0. */
export const diffExitCode = (diff: SummaryDiff): number => (diff.regressions.length ? 1 : 0);

const line = (c: VerdictChange) => `${c.id}  ${c.from} → ${c.to}  ${c.title}`;

export function diffText(diff: SummaryDiff): string {
  const out = [`Outcome: ${diff.outcome.from} → ${diff.outcome.to}`];
  const section = (title: string, rows: string[]) => {
    if (rows.length) out.push('', `${title} (${rows.length}):`, ...rows.map((r) => `  ${r}`));
  };
  section('Regressed', diff.regressions.map(line));
  section('Improved', diff.improvements.map(line));
  section('Changed', diff.otherChanges.map(line));
  section('New scenarios', diff.newScenarios);
  section('Vanished scenarios', diff.vanishedScenarios);
  section(
    'Under the verdicts',
    diff.context.map((c) => `${c.what}: ${c.from} → ${c.to}`),
  );
  if (!diff.regressions.length && !diff.improvements.length && !diff.otherChanges.length) out.push('', 'No requirement changed verdict.');
  return out.join('\n') + '\n';
}

export function diffMarkdown(diff: SummaryDiff): string {
  const out = [`### Vigie: what changed since the last run`, '', `Outcome: **${diff.outcome.from} → ${diff.outcome.to}**`, ''];
  const changes = [
    ...diff.regressions.map((c) => ({ ...c, kind: 'regressed' })),
    ...diff.improvements.map((c) => ({ ...c, kind: 'improved' })),
    ...diff.otherChanges.map((c) => ({ ...c, kind: 'changed' })),
  ];
  if (changes.length) {
    out.push('| requirement | was | is | | title |', '|---|---|---|---|---|');
    for (const c of changes) out.push(`| ${c.id} | ${c.from} | ${c.to} | ${c.kind} | ${c.title.replace(/\|/g, '\\|')} |`);
  } else out.push('No requirement changed verdict.');
  if (diff.newScenarios.length) out.push('', `New scenarios: ${diff.newScenarios.map((s) => `\`${s}\``).join(', ')}`);
  if (diff.vanishedScenarios.length) out.push('', `Vanished scenarios: ${diff.vanishedScenarios.map((s) => `\`${s}\``).join(', ')}`);
  for (const c of diff.context) out.push('', `${c.what}: ${c.from} → ${c.to}`);
  return out.join('\n') + '\n';
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One testcase per requirement that changed verdict: a regression is a failure, the rest pass. */
export function diffJunit(diff: SummaryDiff): string {
  const changes = [...diff.regressions, ...diff.improvements, ...diff.otherChanges];
  const cases = changes.map((c) => {
    const name = xml(`${c.id} ${c.from} → ${c.to}`);
    const body = diff.regressions.includes(c)
      ? `<failure message="${xml(`${c.id} regressed: ${c.from} → ${c.to}`)}" type="regression">${xml(c.title)}</failure>`
      : '';
    return `    <testcase classname="vigie.diff.${xml(c.id)}" name="${name}" time="0">${body}</testcase>`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="vigie diff" tests="${changes.length}" failures="${diff.regressions.length}" time="0">\n` +
    `  <testsuite name="verdict changes" tests="${changes.length}" failures="${diff.regressions.length}" errors="0" skipped="0" time="0">\n` +
    (cases.length ? cases.join('\n') + '\n' : '') +
    '  </testsuite>\n</testsuites>\n'
  );
}
