// The verdict rules in one file (scenario → requirement → outcome). Over 300 lines because the rules
// interlock (scope, evidence kinds, not judged, errors grouped by cause); docs/architecture.md states them.
import type { Envelope, Pickle, TestStepResult } from '@cucumber/messages';
import { CATALOGUE_TAG, Catalogue, Side, compareIds, loadCatalogue, scenarioSide } from './catalogue';

/**
 * From cucumber's messages to verdicts: per scenario (ResultCollector), per requirement of the
 * catalogue in the run's scope (requirementVerdicts), and one outcome for the run (outcomeOf).
 * The rules are in docs/architecture.md, "Rules a verdict obeys".
 */
export type EvidenceKind = 'observed' | 'declared' | 'attested';
export const EVIDENCE_ORDER: EvidenceKind[] = ['observed', 'declared', 'attested'];
/** The attachment in which a scenario's World reports its checks (steps/support/hooks.ts). */
export const VERDICT_MEDIA_TYPE = 'application/vnd.vigie.verdict+json';

export type ScenarioStatus = 'passed' | 'failed' | 'not-judged' | 'errored' | 'skipped';
export type RequirementVerdict = 'pass' | 'fail' | 'error' | 'not-judged' | 'not-covered' | 'not-selected';
export type Outcome = 'conformant' | 'not-conformant' | 'incomplete' | 'could-not-run';

export interface ScenarioResult {
  id: string;
  location: string;
  name: string;
  requirements: string[];
  side: Side;
  status: ScenarioStatus;
  /** The verdict or error text, as a reviewer reads it. */
  message?: string;
  /** For errored / not-judged: one line, the same for every scenario the same cause stopped. */
  cause?: string;
  /** The evidence kinds of the checks the scenario made. */
  evidence: EvidenceKind[];
  checks: number;
  /** Wall time of the scenario, time spent waiting for the target, and deliberate absence windows. */
  wallMs: number;
  targetMs: number;
  windowMs: number;
  /** The CDA documents the scenario judged, if any. */
  cdaDocuments?: CdaDocumentVerdict[];
}

/** One CDA document the engine judged in a scenario: the ANS layers' verdict apart from Vigie's header rules. */
export interface CdaDocumentVerdict {
  document: string;
  valid: boolean | null;
  ans: 'valid' | 'invalid' | 'could-not-judge';
  header: 'valid' | 'invalid' | 'not-run';
  schematron: string | null;
  note?: string;
}

export interface RequirementResult {
  side: Side;
  title: string;
  verdict: RequirementVerdict;
  /** The kinds of evidence its checks rest on; a pass "rests on declared evidence only" when observed is absent. */
  evidence: EvidenceKind[];
  scenarios: string[];
  /** Why it was not judged (error, not-judged, not-covered, not-selected). */
  reasons?: string[];
}

export interface ErrorGroup {
  cause: string;
  requirements: string[];
  scenarios: string[];
}

export interface Summary {
  /** Which suite judged: the practice software (lgc) or an MSSanté operator's service (service). */
  suite: Side;
  target: string;
  driver: 'http' | 'ui' | 'smtp' | 'attended';
  outcome: Outcome;
  /** What the run set out to judge, and how much of the catalogue that is. */
  scope: { selection: string | null; inScope: string[]; notInScope: string[]; statement: string };
  /** Why the outcome is incomplete or could-not-run. */
  reasons?: string[];
  durationMs: number;
  scenarios: Record<ScenarioStatus, number>;
  requirements: Record<string, RequirementResult>;
  /** Errors grouped by cause: one cause, then the requirements it stopped. */
  errors?: ErrorGroup[];
  failures?: { scenario: string; requirements: string[]; status: ScenarioStatus; message: string }[];
  /** When the run started (ISO 8601, UTC). */
  startedAt?: string;
  provenance: {
    harness: string;
    config: string;
    node: string;
    java?: string | null;
    rulePacks: Record<string, unknown>;
    /** The command line that ran it. */
    command?: string;
  };
  defects?: string[];
  /** With --require-observed: the requirements (or "all") whose pass must rest on observed evidence only. */
  requireObserved?: string[] | 'all';
  /** A --shard run: which part of which whole (vigie merge judges the shards together against wholeScope). */
  shard?: { index: number; count: number; scenarios: number; of: number; wholeScope: string[]; wholeSelection: string | null };
  /** Each CDA document judged, per scenario: `ans` (the ANS layers alone, what the ANS tool would say) apart from `header` (Vigie's stricter header rules). */
  cdaDocuments?: (CdaDocumentVerdict & { scenario: string })[];
  /** Wall time per scenario (file:line), in ms: balances the next --shard run (--shard-timings). */
  timings?: Record<string, number>;
  /** vigie merge: the shards this summary joins. */
  merged?: { shards: string[] };
  /** The service suite run against Vigie's own MSSanté double: a self-check of the harness, never the target's verdicts. */
  selfCheck?: Summary;
}

/**
 * Collects cucumber messages and turns them into per-scenario results, classified by the error a
 * step threw (src/harness/verdict.ts): NonConformance → failed; CannotJudge → not-judged; an
 * undefined, pending or ambiguous step → errored (a harness error); anything else → errored.
 */
export class ResultCollector {
  private readonly pickles = new Map<string, Pickle>();
  private readonly testCasePickle = new Map<string, string>();
  private readonly stepToPickleStep = new Map<string, string>();
  private readonly startedCase = new Map<string, string>();
  private readonly worst = new Map<string, { r: TestStepResult; stepId: string }>();
  private readonly verdicts = new Map<
    string,
    { evidence: EvidenceKind[]; checks: number; targetMs: number; windowMs: number; cdaDocuments?: CdaDocumentVerdict[] }
  >();
  private readonly startedAt = new Map<string, number>();
  readonly results: ScenarioResult[] = [];
  /** Called with each result as soon as its scenario ends (progress line). */
  onResult?: (r: ScenarioResult) => void;

  constructor(private readonly root: string) {}

  onMessage = (e: Envelope): void => {
    if (e.pickle) this.pickles.set(e.pickle.id, e.pickle);
    else if (e.testCase) {
      this.testCasePickle.set(e.testCase.id, e.testCase.pickleId);
      for (const s of e.testCase.testSteps) if (s.pickleStepId) this.stepToPickleStep.set(s.id, s.pickleStepId);
    } else if (e.testCaseStarted) {
      this.startedCase.set(e.testCaseStarted.id, e.testCaseStarted.testCaseId);
      this.startedAt.set(e.testCaseStarted.id, ms(e.testCaseStarted.timestamp));
    } else if (e.testStepFinished) {
      const id = e.testStepFinished.testCaseStartedId;
      const stepResult = e.testStepFinished.testStepResult;
      const prev = this.worst.get(id);
      if (!prev || rank(stepResult) > rank(prev.r)) this.worst.set(id, { r: stepResult, stepId: e.testStepFinished.testStepId });
    } else if (e.attachment && e.attachment.mediaType === VERDICT_MEDIA_TYPE && e.attachment.testCaseStartedId) {
      try {
        const attached = JSON.parse(e.attachment.body) as {
          checks?: { kind: EvidenceKind }[];
          targetMs?: number;
          windowMs?: number;
          cdaDocuments?: CdaDocumentVerdict[];
        };
        const kinds = [...new Set((attached.checks ?? []).map((c) => c.kind))];
        this.verdicts.set(e.attachment.testCaseStartedId, {
          evidence: sortKinds(kinds),
          checks: attached.checks?.length ?? 0,
          targetMs: attached.targetMs ?? 0,
          windowMs: attached.windowMs ?? 0,
          ...(attached.cdaDocuments?.length ? { cdaDocuments: attached.cdaDocuments } : {}),
        });
      } catch {
        /* not ours */
      }
    } else if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) {
      const startedId = e.testCaseFinished.testCaseStartedId;
      const pickle = this.pickles.get(this.testCasePickle.get(this.startedCase.get(startedId) ?? '') ?? '');
      if (!pickle) return;
      const worst = this.worst.get(startedId);
      const judged = this.verdicts.get(startedId);
      const stepText = pickle.steps.find((s) => s.id === this.stepToPickleStep.get(worst?.stepId ?? ''))?.text;
      const tags = pickle.tags.map((t) => t.name);
      const classified = classify(worst?.r, stepText, judged?.checks ?? 0);
      const result: ScenarioResult = {
        id: pickle.id,
        location: `${relative(this.root, pickle.uri)}:${pickle.location?.line ?? 0}`,
        name: pickle.name,
        requirements: tags.map((t) => CATALOGUE_TAG.exec(t)?.[1]).filter((x): x is string => !!x),
        side: scenarioSide(tags),
        ...classified,
        evidence: judged?.evidence ?? [],
        checks: judged?.checks ?? 0,
        wallMs: ms(e.testCaseFinished.timestamp) - (this.startedAt.get(startedId) ?? 0),
        targetMs: judged?.targetMs ?? 0,
        windowMs: judged?.windowMs ?? 0,
        ...(judged?.cdaDocuments ? { cdaDocuments: judged.cdaDocuments } : {}),
      };
      this.results.push(result);
      this.onResult?.(result);
    }
  };
}

function ms(timestamp: { seconds: number; nanos: number }): number {
  return timestamp.seconds * 1000 + timestamp.nanos / 1e6;
}
const sortKinds = (k: EvidenceKind[]) => EVIDENCE_ORDER.filter((x) => k.includes(x));

function relative(root: string, uri: string): string {
  const path = uri.replace(/\\/g, '/');
  const prefix = root.replace(/\\/g, '/').replace(/\/$/, '') + '/';
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function rank(result: TestStepResult): number {
  return (
    ({ PASSED: 0, SKIPPED: 1, UNKNOWN: 1, PENDING: 2, UNDEFINED: 2, AMBIGUOUS: 3, FAILED: 4 } as Record<string, number>)[result.status] ?? 0
  );
}

/** The verdict text without the harness's stack trace. */
export function cleanMessage(message: string): string {
  return message
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .join('\n')
    .replace(/^(NonConformance|CannotJudge|SetupError|HarnessError|TargetError|TargetRefusal|UiSelectorError|BrowserError|Error): /, '')
    .trim()
    .split('\n')
    .slice(0, 14)
    .join('\n');
}

/** One line, the same for every scenario a cause stopped: numbers and quoted values are folded. */
export function causeOf(message: string): string {
  const first = cleanMessage(message).split('\n')[0];
  return first
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\b[0-9a-f]{6,}-[0-9a-z-]+\b/gi, '<tenant>')
    .replace(/\d+/g, 'N')
    .slice(0, 240);
}

function classify(
  result: TestStepResult | undefined,
  stepText: string | undefined,
  checks: number,
): Pick<ScenarioResult, 'status' | 'message' | 'cause'> {
  if (!result) return { status: 'skipped', message: 'the scenario did not run', cause: 'the scenario did not run' };
  const message = cleanMessage(result.message ?? result.exception?.message ?? '');
  switch (result.status) {
    case 'PASSED':
      if (checks === 0)
        return {
          status: 'errored',
          message: 'harness error: the scenario passed without judging anything (no check recorded)',
          cause: 'harness error: a scenario passed without any check',
        };
      return { status: 'passed' };
    case 'FAILED': {
      const type = result.exception?.type;
      if (type === 'NonConformance') return { status: 'failed', message };
      if (type === 'CannotJudge') return { status: 'not-judged', message, cause: causeOf(message.replace(/^\[[^\]]*\] /, '')) };
      if (type === 'HarnessError')
        return { status: 'errored', message: `harness error: ${message}`, cause: `harness error: ${causeOf(message)}` };
      return { status: 'errored', message, cause: causeOf(message) };
    }
    case 'UNDEFINED':
    case 'PENDING':
    case 'AMBIGUOUS': {
      const what =
        result.status === 'UNDEFINED'
          ? 'no step definition matches'
          : result.status === 'PENDING'
            ? 'the step definition is pending'
            : 'several step definitions match';
      return {
        status: 'errored',
        message: `harness error: ${what} « ${stepText ?? '?'} »${message ? ` (${message})` : ''}`,
        cause: `harness error: ${what} « ${stepText ?? '?'} »`,
      };
    }
    default:
      return { status: 'skipped', message: 'skipped', cause: 'the scenario was skipped' };
  }
}

export interface VerdictOptions {
  side: Side;
  /** The requirements the run set out to judge. */
  inScope: string[];
  /** Requirements whose scenarios were left out on purpose, and why (e.g. CDA-07 without a rule pack). */
  notSelected?: Record<string, string>;
  /** --require-observed: these requirements (or all) pass only on observed evidence. */
  requireObserved?: string[] | 'all';
  catalogue?: Catalogue;
}

/**
 * One verdict per requirement in scope: any failed scenario → fail; else any errored → error; else
 * any not judged → not-judged; else left out on purpose → not-selected; else none ran → not-covered;
 * else pass — unless --require-observed asks for observed evidence and the pass rests on less.
 */
export function requirementVerdicts(results: ScenarioResult[], opts: VerdictOptions): Record<string, RequirementResult> {
  const cat = opts.catalogue ?? loadCatalogue();
  const out: Record<string, RequirementResult> = {};
  for (const id of [...opts.inScope].sort(compareIds)) {
    const list = results.filter((s) => s.side === opts.side && s.requirements.includes(id));
    const st = new Set(list.map((s) => s.status));
    const evidence = sortKinds([...new Set(list.flatMap((s) => s.evidence))]);
    const base = { side: opts.side, title: cat.requirements[id]?.title ?? id, evidence, scenarios: list.map((s) => s.location) };
    const reasonsOf = (status: ScenarioStatus) => [
      ...new Set(list.filter((s) => s.status === status).map((s) => s.cause ?? s.message ?? status)),
    ];
    if (st.has('failed')) out[id] = { ...base, verdict: 'fail' };
    else if (st.has('errored')) out[id] = { ...base, verdict: 'error', reasons: reasonsOf('errored') };
    else if (st.has('not-judged') || st.has('skipped'))
      out[id] = { ...base, verdict: 'not-judged', reasons: [...reasonsOf('not-judged'), ...reasonsOf('skipped')] };
    else if (opts.notSelected?.[id]) out[id] = { ...base, verdict: 'not-selected', reasons: [opts.notSelected[id]] };
    else if (!list.length) out[id] = { ...base, verdict: 'not-covered', reasons: ['no scenario of the features judges it'] };
    else {
      const strict = opts.requireObserved === 'all' || (opts.requireObserved ?? []).includes(id);
      const weak = evidence.filter((k) => k !== 'observed');
      out[id] =
        strict && weak.length
          ? {
              ...base,
              verdict: 'not-judged',
              reasons: [
                `--require-observed: its pass rests partly on ${weak.join(' and ')} evidence (${list
                  .filter((s) => s.evidence.some((k) => k !== 'observed'))
                  .map((s) => s.location)
                  .join(', ')})`,
              ],
            }
          : { ...base, verdict: 'pass' };
    }
  }
  return out;
}

/** One rule for the outcome, everywhere: any fail → not-conformant; else anything in scope not judged → incomplete; else conformant. */
export function outcomeOf(reqs: Record<string, RequirementResult>): Outcome {
  const verdicts = Object.values(reqs).map((r) => r.verdict);
  if (verdicts.length === 0) return 'could-not-run';
  if (verdicts.includes('fail')) return 'not-conformant';
  if (verdicts.some((x) => x !== 'pass')) return 'incomplete';
  return 'conformant';
}

export function exitCodeOf(outcome: Outcome): number {
  return outcome === 'conformant' ? 0 : outcome === 'not-conformant' ? 1 : 2;
}

/** Why an outcome is incomplete: each requirement not judged, with its reason. */
export function incompleteReasons(reqs: Record<string, RequirementResult>): string[] {
  return Object.entries(reqs)
    .filter(([, r]) => r.verdict !== 'pass' && r.verdict !== 'fail')
    .map(([id, r]) => `${id} ${r.verdict}: ${(r.reasons ?? []).join('; ')}`);
}

export function counts(results: ScenarioResult[]): Summary['scenarios'] {
  const tally: Summary['scenarios'] = { passed: 0, failed: 0, 'not-judged': 0, errored: 0, skipped: 0 };
  for (const s of results) tally[s.status]++;
  return tally;
}

/** Errors grouped by cause, each with the requirements and scenarios it stopped. */
export function errorGroups(results: ScenarioResult[]): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const s of results.filter((x) => x.status === 'errored' || x.status === 'not-judged' || x.status === 'skipped')) {
    const cause = s.cause ?? s.message ?? s.status;
    const group = groups.get(cause) ?? { cause, requirements: [], scenarios: [] };
    group.requirements = [...new Set([...group.requirements, ...s.requirements])].sort(compareIds);
    group.scenarios.push(s.location);
    groups.set(cause, group);
  }
  return [...groups.values()];
}

/** "INS-01…INS-07, QUAL-02" for a sorted list of ids: runs of one family compressed. */
export function idRanges(ids: string[]): string {
  const sorted = [...ids].sort(compareIds);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const [fam, n] = sorted[i].split('-');
    let j = i;
    while (
      j + 1 < sorted.length &&
      sorted[j + 1].split('-')[0] === fam &&
      Number(sorted[j + 1].split('-')[1]) === Number(sorted[j].split('-')[1]) + 1
    )
      j++;
    out.push(j - i >= 2 ? `${sorted[i]}…${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
    void n;
  }
  return out.join(', ');
}
