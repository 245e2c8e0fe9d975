import type { Envelope, Pickle, TestStepResult } from '@cucumber/messages';
import { CATALOGUE_TAG } from './catalogue';

export type ScenarioStatus = 'passed' | 'failed' | 'errored' | 'skipped';
export type RequirementVerdict = 'pass' | 'fail' | 'error' | 'not-covered';

export interface ScenarioResult {
  id: string; location: string; name: string; requirements: string[];
  status: ScenarioStatus; message?: string; evidence: ('observed' | 'declared')[];
  /** Wall time of the scenario, time spent waiting for the target, and deliberate observation windows. */
  wallMs: number; targetMs: number; windowMs: number;
}

export interface RequirementResult { scenarios: string[]; verdict: RequirementVerdict; evidence: 'observed' | 'declared' }

export interface Summary {
  target: string;
  driver: 'http' | 'ui' | 'smtp';
  outcome: 'conformant' | 'not-conformant' | 'could-not-run';
  durationMs: number;
  scenarios: { passed: number; failed: number; errored: number; skipped: number };
  requirements: Record<string, RequirementResult>;
  provenance: { harness: string; config: string; node: string; rulePacks: Record<string, unknown> };
  defects?: string[];
  /** Requirements left out of the run, and why (e.g. CDA-07 without an ANS rule pack). */
  notSelected?: Record<string, string>;
  reason?: string;
  failures?: { scenario: string; requirements: string[]; status: ScenarioStatus; message: string }[];
}

/**
 * Collects cucumber messages and turns them into per-scenario results. A failed step whose
 * error is a NonConformance is a verdict ("failed"); any other failure is "errored".
 */
export class ResultCollector {
  private readonly pickles = new Map<string, Pickle>();
  private readonly testCasePickle = new Map<string, string>();
  private readonly startedCase = new Map<string, string>();
  private readonly worst = new Map<string, TestStepResult>();
  private readonly attachments = new Map<string, { evidence: ('observed' | 'declared')[]; targetMs: number; windowMs: number }>();
  private readonly startedAt = new Map<string, number>();
  readonly results: ScenarioResult[] = [];

  constructor(private readonly root: string) {}

  onMessage = (e: Envelope): void => {
    if (e.pickle) this.pickles.set(e.pickle.id, e.pickle);
    else if (e.testCase) this.testCasePickle.set(e.testCase.id, e.testCase.pickleId);
    else if (e.testCaseStarted) {
      this.startedCase.set(e.testCaseStarted.id, e.testCaseStarted.testCaseId);
      this.startedAt.set(e.testCaseStarted.id, ms(e.testCaseStarted.timestamp));
    }
    else if (e.testStepFinished) {
      const id = e.testStepFinished.testCaseStartedId;
      const r = e.testStepFinished.testStepResult;
      const prev = this.worst.get(id);
      if (!prev || rank(r) > rank(prev)) this.worst.set(id, r);
    } else if (e.attachment && e.attachment.mediaType === 'application/vnd.vigie.verdict+json' && e.attachment.testCaseStartedId) {
      try {
        const v = JSON.parse(e.attachment.body);
        this.attachments.set(e.attachment.testCaseStartedId, { evidence: v.evidence ?? [], targetMs: v.targetMs ?? 0, windowMs: v.windowMs ?? 0 });
      } catch { /* not ours */ }
    } else if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) {
      const startedId = e.testCaseFinished.testCaseStartedId;
      const pickle = this.pickles.get(this.testCasePickle.get(this.startedCase.get(startedId) ?? '') ?? '');
      if (!pickle) return;
      const r = this.worst.get(startedId);
      this.results.push({
        id: pickle.id,
        location: `${relative(this.root, pickle.uri)}:${pickle.location?.line ?? 0}`,
        name: pickle.name,
        requirements: pickle.tags.map((t) => CATALOGUE_TAG.exec(t.name)?.[1]).filter((x): x is string => !!x),
        status: classify(r),
        message: r?.message ?? r?.exception?.message,
        evidence: this.attachments.get(startedId)?.evidence ?? [],
        wallMs: ms(e.testCaseFinished.timestamp) - (this.startedAt.get(startedId) ?? 0),
        targetMs: this.attachments.get(startedId)?.targetMs ?? 0,
        windowMs: this.attachments.get(startedId)?.windowMs ?? 0,
      });
    }
  };
}

function ms(t: { seconds: number; nanos: number }): number { return t.seconds * 1000 + t.nanos / 1e6; }

function relative(root: string, uri: string): string {
  const u = uri.replace(/\\/g, '/');
  const r = root.replace(/\\/g, '/').replace(/\/$/, '') + '/';
  return u.startsWith(r) ? u.slice(r.length) : u;
}

function rank(r: TestStepResult): number {
  return ({ PASSED: 0, SKIPPED: 1, UNKNOWN: 1, PENDING: 2, UNDEFINED: 2, AMBIGUOUS: 3, FAILED: 4 } as Record<string, number>)[r.status] ?? 0;
}

function classify(r?: TestStepResult): ScenarioStatus {
  if (!r) return 'skipped';
  switch (r.status) {
    case 'PASSED': return 'passed';
    case 'FAILED': return r.exception?.type === 'NonConformance' ? 'failed' : 'errored';
    case 'AMBIGUOUS': return 'errored';
    default: return 'skipped'; // skipped, pending, undefined: no verdict, the requirement may be not-covered
  }
}

/** Requirement verdicts: any failed scenario → fail; else any errored → error; else any passed → pass; else not-covered. */
export function requirementVerdicts(results: ScenarioResult[]): Record<string, RequirementResult> {
  const out: Record<string, RequirementResult> = {};
  const byReq = new Map<string, ScenarioResult[]>();
  for (const s of results) for (const r of s.requirements) byReq.set(r, [...(byReq.get(r) ?? []), s]);
  for (const [req, list] of [...byReq.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    const st = new Set(list.map((s) => s.status));
    const verdict: RequirementVerdict = st.has('failed') ? 'fail' : st.has('errored') ? 'error' : st.has('passed') ? 'pass' : 'not-covered';
    const declared = list.some((s) => s.evidence.includes('declared'));
    out[req] = { scenarios: list.map((s) => s.location), verdict, evidence: declared ? 'declared' : 'observed' };
  }
  return out;
}

export function counts(results: ScenarioResult[]): Summary['scenarios'] {
  const c = { passed: 0, failed: 0, errored: 0, skipped: 0 };
  for (const s of results) c[s.status]++;
  return c;
}

/** Overall outcome: a failed requirement makes the target not conformant even if others errored. */
export function outcomeOf(reqs: Record<string, RequirementResult>): Summary['outcome'] {
  const v = Object.values(reqs).map((r) => r.verdict);
  if (v.includes('fail')) return 'not-conformant';
  if (v.includes('error')) return 'could-not-run';
  if (v.length === 0 || v.includes('not-covered')) return 'not-conformant';
  return 'conformant';
}

export function exitCodeOf(outcome: Summary['outcome']): number {
  return outcome === 'conformant' ? 0 : outcome === 'not-conformant' ? 1 : 2;
}
