/**
 * What Allure reads from a results folder beside the test results: categories.json (the kinds of
 * outcome a reviewer tells apart) and environment.properties (what the verdicts rest on).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from './summary';

/**
 * Allure categories (categories.json): matched on the error's name, which starts its trace
 * (src/harness/verdict.ts). Allure applies the first that matches; Java regexes, whole-string.
 */
const ALLURE_CATEGORIES = [
  { name: 'Not conformant: a requirement seen broken', matchedStatuses: ['failed', 'broken'], traceRegex: '(?s)NonConformance.*' },
  {
    name: 'Could not judge: the harness was too slow (never the target)',
    matchedStatuses: ['failed', 'broken', 'skipped'],
    traceRegex: '(?s)CannotJudge.*',
  },
  {
    name: 'Could not set up the scenario (something it needs did not happen)',
    matchedStatuses: ['failed', 'broken'],
    traceRegex: '(?s)SetupError.*',
  },
  {
    name: 'Target error: unreachable, or outside its contract',
    matchedStatuses: ['failed', 'broken'],
    traceRegex: '(?s)Target(?:Error|Refusal).*',
  },
  { name: 'Harness error (an undefined step, a bug of Vigie)', matchedStatuses: ['broken'] },
  { name: 'Not judged / skipped', matchedStatuses: ['skipped'] },
];

/** "TestContenuCDA 325b284efde1" for each rule pack of a run (its hash cut to `hashChars`). */
export function rulePacksOf(summary: Summary, hashChars: number): string {
  return Object.entries(summary.provenance.rulePacks ?? {})
    .map(([name, pack]) => `${name} ${(pack as { hash?: string } | null)?.hash?.slice(0, hashChars) ?? 'none'}`)
    .join(', ');
}

export function writeAllureContext(resultsDir: string, summary: Summary): void {
  writeFileSync(join(resultsDir, 'categories.json'), JSON.stringify(ALLURE_CATEGORIES, null, 2) + '\n');
  writeFileSync(
    join(resultsDir, 'environment.properties'),
    [
      `Harness=${summary.provenance.harness}`,
      `Target=${summary.target}`,
      `Driver=${summary.driver}`,
      `Suite=${summary.suite}`,
      `Outcome=${summary.outcome}`,
      `Rule.pack=${rulePacksOf(summary, 16) || 'none'}`,
      `Config=${summary.provenance.config}`,
      `Node=${summary.provenance.node}`,
    ]
      .map((line) => line.replace(/[\r\n]+/g, ' '))
      .join('\n') + '\n',
  );
}
