/**
 * `vigie merge`: the shards of one run (vigie run --shard i/n) joined into one summary. Pure: the
 * CLI (src/cli/merge.ts) reads and writes. The shards must be the same run cut n ways — same
 * suite, target, driver, harness, configuration, rule packs, selection and n, each index once —
 * else the merge is refused: a verdict joined from different runs would mean nothing.
 */
import { compareIds, loadCatalogue, requirementsOfSide } from './catalogue';
import { ErrorGroup, RequirementResult, RequirementVerdict, Summary, exitCodeOf, idRanges, incompleteReasons, outcomeOf } from './summary';

export class MergeError extends Error {
  override name = 'MergeError';
}

/** Worst first: a requirement's merged verdict is the worst of the shards that judged it. */
const ORDER: RequirementVerdict[] = ['fail', 'error', 'not-judged', 'not-selected', 'not-covered', 'pass'];

export function mergeSummaries(shards: { name: string; summary: Summary }[]): { summary: Summary; exitCode: number } {
  if (shards.length === 0) throw new MergeError('no shard to merge');
  const unsharded = shards.filter((s) => !s.summary.shard);
  if (unsharded.length) throw new MergeError(`${unsharded.map((s) => s.name).join(', ')}: not a shard (run with --shard i/n)`);
  const first = shards[0]!.summary;
  const same = (what: string, of: (s: Summary) => unknown) => {
    const differ = shards.filter((s) => JSON.stringify(of(s.summary)) !== JSON.stringify(of(first)));
    if (differ.length)
      throw new MergeError(
        `the shards are not one run: ${what} of ${differ[0]!.name} is ${JSON.stringify(of(differ[0]!.summary))}, of ${shards[0]!.name} ${JSON.stringify(of(first))}`,
      );
  };
  same('the suite', (s) => s.suite);
  same('the target', (s) => s.target);
  same('the driver', (s) => s.driver);
  same('the harness', (s) => s.provenance.harness);
  same('the configuration', (s) => s.provenance.config);
  same('the rule packs', (s) => s.provenance.rulePacks);
  same('the seeded defects', (s) => s.defects ?? []);
  same('--require-observed', (s) => s.requireObserved ?? null);
  same('the number of shards', (s) => s.shard!.count);
  same('the selection', (s) => s.shard!.wholeSelection);
  same('the whole scope', (s) => s.shard!.wholeScope);
  const count = first.shard!.count;
  const seen = new Map<number, string>();
  for (const { name, summary } of shards) {
    const twice = seen.get(summary.shard!.index);
    if (twice) throw new MergeError(`shard ${summary.shard!.index}/${count} given twice: ${twice} and ${name}`);
    seen.set(summary.shard!.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new MergeError(`shard ${missing.map((i) => `${i}/${count}`).join(', ')} missing: merge all ${count} shards`);
  // A shard that could not run judged nothing: the whole is could-not-run, with its reasons.
  const broken = shards.filter((s) => s.summary.outcome === 'could-not-run');

  const catalogue = loadCatalogue();
  const requirements: Record<string, RequirementResult> = {};
  for (const id of [...first.shard!.wholeScope].sort(compareIds)) {
    const parts = shards.map((s) => s.summary.requirements[id]).filter((r): r is RequirementResult => !!r);
    if (!parts.length) {
      requirements[id] = {
        side: first.suite,
        title: catalogue.requirements[id]?.title ?? id,
        verdict: 'not-covered',
        evidence: [],
        scenarios: [],
        reasons: ['no scenario of the features judges it'],
      };
      continue;
    }
    const verdict = ORDER.find((v) => parts.some((p) => p.verdict === v)) ?? 'pass';
    const reasons = [...new Set(parts.filter((p) => p.verdict === verdict).flatMap((p) => p.reasons ?? []))];
    requirements[id] = {
      side: parts[0]!.side,
      title: parts[0]!.title,
      verdict,
      evidence: [...new Set(parts.flatMap((p) => p.evidence))].sort(),
      scenarios: parts.flatMap((p) => p.scenarios),
      ...(reasons.length ? { reasons } : {}),
    };
  }
  const outcome = broken.length ? 'could-not-run' : outcomeOf(requirements);
  const notInScope = requirementsOfSide(first.suite).filter((id) => !requirements[id]);
  const sum = (key: keyof Summary['scenarios']) => shards.reduce((n, s) => n + s.summary.scenarios[key], 0);
  const errors = new Map<string, ErrorGroup>();
  for (const group of shards.flatMap((s) => s.summary.errors ?? [])) {
    const had = errors.get(group.cause);
    errors.set(
      group.cause,
      had
        ? {
            cause: group.cause,
            requirements: [...new Set([...had.requirements, ...group.requirements])].sort(compareIds),
            scenarios: [...had.scenarios, ...group.scenarios],
          }
        : group,
    );
  }
  const ordered = [...shards].sort((a, b) => a.summary.shard!.index - b.summary.shard!.index);
  const starts = shards.map((s) => s.summary.startedAt).filter((t): t is string => !!t);
  const selection = first.shard!.wholeSelection;
  const summary: Summary = {
    suite: first.suite,
    target: first.target,
    driver: first.driver,
    outcome,
    ...(outcome === 'incomplete'
      ? { reasons: incompleteReasons(requirements) }
      : outcome === 'could-not-run'
        ? {
            reasons: broken.map(
              (s) => `${s.name} (shard ${s.summary.shard!.index}/${count}) could not run: ${(s.summary.reasons ?? []).join('; ')}`,
            ),
          }
        : {}),
    scope: {
      selection,
      inScope: Object.keys(requirements),
      notInScope,
      statement: `${
        selection
          ? `${idRanges(Object.keys(requirements))} (selected by ${selection})`
          : `every catalogue requirement of the ${first.suite === 'lgc' ? 'LGC' : 'service'} side (${Object.keys(requirements).length})`
      }, judged in ${count} shards`,
    },
    // The shards ran side by side: the run took as long as the longest.
    durationMs: Math.max(...shards.map((s) => s.summary.durationMs)),
    scenarios: {
      passed: sum('passed'),
      failed: sum('failed'),
      'not-judged': sum('not-judged'),
      errored: sum('errored'),
      skipped: sum('skipped'),
    },
    requirements,
    errors: [...errors.values()],
    failures: ordered.flatMap((s) => s.summary.failures ?? []),
    ...(starts.length ? { startedAt: [...starts].sort()[0] } : {}),
    provenance: { ...first.provenance, command: ordered.map((s) => s.summary.provenance.command ?? s.name).join(' && ') },
    ...(first.defects ? { defects: first.defects } : {}),
    ...(first.requireObserved ? { requireObserved: first.requireObserved } : {}),
    ...(ordered[0]!.summary.selfCheck ? { selfCheck: ordered[0]!.summary.selfCheck } : {}),
    cdaDocuments: ordered.flatMap((s) => s.summary.cdaDocuments ?? []),
    timings: Object.assign({}, ...shards.map((s) => s.summary.timings ?? {})) as Record<string, number>,
    merged: { shards: ordered.map((s) => s.name) },
  };
  // As in a run: a self-check of Vigie's own double that failed makes the verdict untrustworthy.
  const selfCheckBroken = summary.selfCheck && summary.selfCheck.outcome !== 'conformant';
  return { summary, exitCode: selfCheckBroken && outcome !== 'not-conformant' ? 2 : exitCodeOf(outcome) };
}
