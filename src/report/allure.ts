/**
 * What Allure reads from a results folder beside the test results: categories.json (the kinds of
 * outcome a reviewer tells apart) and environment.properties (what the verdicts rest on).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Catalogue, loadCatalogue } from './catalogue';
import { ScenarioResult, Summary, VERDICT_MEDIA_TYPE } from './summary';

/**
 * Allure categories (categories.json), on the statuses finishAllureResults sets; the error's name
 * (src/harness/verdict.ts) starts the trace and tells the kinds of error apart. Allure applies the
 * first that matches; Java regexes, whole-string.
 */
const ALLURE_CATEGORIES = [
  { name: 'Not conformant: a requirement seen broken', matchedStatuses: ['failed'] },
  {
    name: 'Could not judge: the harness was too slow (never the target)',
    matchedStatuses: ['skipped', 'broken'],
    traceRegex: '(?s)CannotJudge.*',
  },
  {
    name: 'Not judged: a requirement in scope that no scenario judged',
    matchedStatuses: ['skipped'],
    messageRegex: '(?s).*\\n\\n(not-covered|not-selected|not-judged|error): .*',
  },
  {
    name: 'Could not set up the scenario (something it needs did not happen)',
    matchedStatuses: ['broken'],
    traceRegex: '(?s)SetupError.*',
  },
  {
    name: 'Could not run: target unreachable, or outside its contract',
    matchedStatuses: ['broken'],
    traceRegex: '(?s)(Target(?:Error|Refusal)|BrowserError|UiSelectorError).*',
  },
  { name: 'Could not run: harness error (an undefined step, a bug of Vigie)', matchedStatuses: ['broken'] },
  {
    name: "Pass on declared evidence only (the LGC's own word)",
    matchedStatuses: ['passed'],
    messageRegex: '(?s).*declared evidence only.*',
  },
  { name: "Pass on attested evidence only (a person's word)", matchedStatuses: ['passed'], messageRegex: '(?s).*attested evidence only.*' },
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
      `Java=${summary.provenance.java ?? 'none'}`,
      `Started=${summary.startedAt ?? 'unknown'}`,
    ]
      .map((line) => line.replace(/[\r\n]+/g, ' '))
      .join('\n') + '\n',
  );
}

/**
 * allure-cucumberjs marks a test failed only for assertion-like errors: a NonConformance showed as
 * Broken (Allure's word for a test that crashed). Once the run is over, Vigie rewrites each result
 * from its own verdict: a non-conformance is failed, an error broken, a scenario not judged skipped
 * with its reason; the message starts with the requirement (its French text) and expected vs seen,
 * the stack is kept as the (collapsed) trace only; labels epic = family, feature = requirement id,
 * story = scenario; the target, driver and rule pack as parameters; the evidence the After hook
 * attached moves from the tear-down into the test body. A catalogue requirement in scope that no
 * scenario judged becomes a skipped result of its own, with the reason.
 */
type AllureStatus = 'passed' | 'failed' | 'broken' | 'skipped';
interface AllureAttachment {
  name: string;
  source: string;
  type: string;
}
interface AllureStep {
  name?: string;
  status?: AllureStatus;
  statusDetails?: { message?: string; trace?: string };
  steps?: AllureStep[];
  attachments?: AllureAttachment[];
}
interface AllureResult extends AllureStep {
  uuid: string;
  name: string;
  fullName?: string;
  historyId?: string;
  testCaseId?: string;
  labels: { name: string; value: string }[];
  parameters: { name: string; value: string; mode?: string }[];
  start?: number;
  stop?: number;
  stage?: string;
}
interface AllureContainer {
  uuid: string;
  children: string[];
  befores?: AllureStep[];
  afters?: AllureStep[];
}

const STATUS_OF: Record<ScenarioResult['status'], AllureStatus> = {
  passed: 'passed',
  failed: 'failed',
  errored: 'broken',
  'not-judged': 'skipped',
  skipped: 'skipped',
};

/** The requirement lines a reviewer reads first: "INS-02 — <its French title>", then the catalogue's text. */
export function requirementLines(ids: string[], catalogue: Catalogue = loadCatalogue()): string {
  return ids
    .map((id) => {
      const entry = catalogue.requirements[id];
      return entry ? `${id} — ${entry.title}\n${entry.text}` : `${id} — (not in the catalogue)`;
    })
    .join('\n');
}

/** The message of one scenario's Allure result: requirement, then the verdict (no stack, no harness path). */
export function allureMessage(scenario: ScenarioResult, catalogue: Catalogue = loadCatalogue()): string | undefined {
  const req = requirementLines(scenario.requirements, catalogue);
  const rest =
    scenario.status === 'passed'
      ? scenario.evidence.length && !scenario.evidence.includes('observed')
        ? `passed on ${scenario.evidence.includes('declared') ? 'declared' : 'attested'} evidence only (nothing observed on the wire)`
        : undefined
      : scenario.status === 'failed'
        ? `NOT CONFORMANT\n${scenario.message ?? ''}`
        : scenario.status === 'errored'
          ? `no verdict (error): ${scenario.message ?? scenario.cause ?? ''}`
          : `not judged: ${scenario.message ?? scenario.cause ?? scenario.status}`;
  if (!rest) return undefined;
  return `${req}\n\n${rest.replace(/\/\S+\/(steps|src)\/\S+/g, '')}`.trim();
}

const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

const allSteps = (s: AllureStep): AllureStep[] => [s, ...(s.steps ?? []).flatMap(allSteps)];

export function finishAllureResults(
  resultsDir: string,
  summary: Summary,
  scenarios: ScenarioResult[],
  catalogue: Catalogue = loadCatalogue(),
): { rewritten: number; added: number } {
  if (!existsSync(resultsDir)) return { rewritten: 0, added: 0 };
  const files = readdirSync(resultsDir);
  const byPickle = new Map(scenarios.map((s) => [s.id, s]));
  const results = new Map<string, { file: string; r: AllureResult }>();
  for (const f of files.filter((x) => x.endsWith('-result.json'))) {
    const result = readJson<AllureResult>(join(resultsDir, f));
    if (result?.uuid) results.set(result.uuid, { file: f, r: result });
  }
  // The After hook's verdict attachment names the scenario (its pickle): that ties a result to a verdict.
  const scenarioOf = new Map<string, ScenarioResult>();
  const evidenceOf = new Map<string, AllureAttachment[]>();
  for (const f of files.filter((x) => x.endsWith('-container.json'))) {
    const container = readJson<AllureContainer>(join(resultsDir, f));
    if (!container?.children?.length) continue;
    let changed = false;
    for (const fixture of container.afters ?? []) {
      const attachments = allSteps(fixture).flatMap((s) => s.attachments ?? []);
      for (const a of attachments) {
        if (a.type !== VERDICT_MEDIA_TYPE) continue;
        const pickle = readJson<{ pickle?: string }>(join(resultsDir, a.source))?.pickle;
        const scenario = pickle ? byPickle.get(pickle) : undefined;
        if (scenario) for (const child of container.children) scenarioOf.set(child, scenario);
      }
      const evidence = attachments.filter((a) => a.type !== VERDICT_MEDIA_TYPE && a.type !== 'text/x.cucumber.log+plain');
      if (evidence.length) {
        for (const child of container.children) evidenceOf.set(child, [...(evidenceOf.get(child) ?? []), ...evidence]);
        fixture.steps = (fixture.steps ?? []).filter((s) => !(s.attachments ?? []).some((a) => evidence.includes(a)));
        changed = true;
      }
    }
    if (changed) writeFileSync(join(resultsDir, f), JSON.stringify(container));
  }
  const packs = rulePacksOf(summary, 12) || 'none';
  let rewritten = 0;
  for (const [uuid, { file, r }] of results) {
    const scenario = scenarioOf.get(uuid);
    if (!scenario) continue;
    const status = STATUS_OF[scenario.status];
    const trace = r.statusDetails?.trace;
    const message = allureMessage(scenario, catalogue);
    r.status = status;
    r.statusDetails = { ...(message ? { message } : {}), ...(trace && status !== 'passed' ? { trace } : {}) };
    // The step that ended the scenario carries the same status (Allure colours the step too).
    for (const step of allSteps(r).slice(1)) if (step.status === 'broken' && status !== 'broken') step.status = status;
    const family = scenario.requirements[0]?.split('-')[0];
    r.labels = [
      ...r.labels.filter((l) => !['epic', 'feature', 'story', 'parentSuite', 'suite'].includes(l.name)),
      ...(family ? [{ name: 'epic', value: family }] : []),
      ...scenario.requirements.map((id) => ({ name: 'feature', value: `${id} — ${catalogue.requirements[id]?.title ?? ''}` })),
      { name: 'story', value: scenario.name },
      { name: 'parentSuite', value: summary.suite === 'lgc' ? 'LGC suite' : 'service suite' },
      { name: 'suite', value: family ?? 'other' },
      ...(scenario.evidence.length ? [{ name: 'tag', value: `evidence:${scenario.evidence.join('+')}` }] : []),
    ];
    r.parameters = [
      ...r.parameters.filter((p) => !['target', 'driver', 'rule pack'].includes(p.name)),
      { name: 'target', value: summary.target, mode: 'default' },
      { name: 'driver', value: summary.driver, mode: 'default' },
      { name: 'rule pack', value: packs, mode: 'default' },
    ];
    r.attachments = [...(r.attachments ?? []), ...(evidenceOf.get(uuid) ?? [])];
    writeFileSync(join(resultsDir, file), JSON.stringify(r));
    rewritten++;
  }
  // Requirements in scope that no scenario judged: a skipped result each, so the report shows the gap.
  let added = 0;
  const judged = new Set(scenarios.flatMap((s) => s.requirements));
  for (const [id, req] of Object.entries(summary.requirements)) {
    if (judged.has(id) || req.verdict === 'pass' || req.verdict === 'fail') continue;
    const uuid = randomUUID();
    const now = Date.now();
    const result: AllureResult = {
      uuid,
      name: `${id} — ${req.title}`,
      fullName: `vigie:${summary.suite}:${id}`,
      historyId: createHash('md5').update(`vigie:${summary.suite}:${id}`).digest('hex'),
      testCaseId: createHash('md5').update(`vigie:${summary.suite}:${id}`).digest('hex'),
      status: 'skipped',
      stage: 'finished',
      statusDetails: { message: `${requirementLines([id], catalogue)}\n\n${req.verdict}: ${(req.reasons ?? []).join('; ')}` },
      labels: [
        { name: 'epic', value: id.split('-')[0] },
        { name: 'feature', value: `${id} — ${req.title}` },
        { name: 'story', value: `(${req.verdict})` },
        { name: 'parentSuite', value: summary.suite === 'lgc' ? 'LGC suite' : 'service suite' },
        { name: 'suite', value: id.split('-')[0] },
      ],
      parameters: [
        { name: 'target', value: summary.target },
        { name: 'driver', value: summary.driver },
        { name: 'rule pack', value: packs },
      ],
      steps: [],
      attachments: [],
      start: now,
      stop: now,
    };
    writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify(result));
    added++;
  }
  return { rewritten, added };
}
