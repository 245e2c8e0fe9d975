/** Sharding and merging: `vigie run --shard i/n`, `vigie merge` (src/harness/plan.ts shardScenarios, src/report/merge.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/config/load';
import { PlannedScenario, makePlan, shardScenarios } from '../../src/harness/plan';
import { MergeError, mergeSummaries } from '../../src/report/merge';
import type { RequirementVerdict, Summary } from '../../src/report/summary';
import { tempDir } from '../support/tmp';

const dir = tempDir('vigie-merge-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('shards are disjoint, whole and deterministic; with timings, balanced by them', () => {
  const all = makePlan({ root: PROJECT_ROOT, side: 'lgc' }).scenarios;
  for (const count of [1, 2, 3, 8]) {
    const parts = Array.from({ length: count }, (_, i) => shardScenarios(all, { index: i + 1, count }));
    const locations = parts.flat().map((s) => s.location);
    assert.equal(new Set(locations).size, locations.length, `${count} shards overlap`);
    assert.deepEqual([...locations].sort(), all.map((s) => s.location).sort(), `${count} shards are the whole`);
    assert.deepEqual(
      shardScenarios(all, { index: 1, count }).map((s) => s.location),
      parts[0]!.map((s) => s.location),
    );
  }
  // One long scenario and many short ones: by timings, the long one is alone on its shard.
  const scenarios = ['a:1', 'a:2', 'a:3', 'a:4', 'a:5'].map((location) => ({ location }) as PlannedScenario);
  const timings = { 'a:1': 10, 'a:2': 10, 'a:3': 100, 'a:4': 10, 'a:5': 10 };
  assert.deepEqual(
    shardScenarios(scenarios, { index: 1, count: 2 }, timings).map((s) => s.location),
    ['a:3'],
  );
  assert.deepEqual(
    shardScenarios(scenarios, { index: 2, count: 2 }, timings).map((s) => s.location),
    ['a:1', 'a:2', 'a:4', 'a:5'],
  );
  // A scenario the timings do not know weighs the median.
  assert.equal(shardScenarios([...scenarios, { location: 'a:6' } as PlannedScenario], { index: 2, count: 2 }, timings).length, 5);
});

function shard(index: number, count: number, verdicts: Record<string, RequirementVerdict>, over: Partial<Summary> = {}): Summary {
  return {
    suite: 'lgc',
    target: 'vendor-staging',
    driver: 'http',
    outcome: Object.values(verdicts).includes('fail') ? 'not-conformant' : 'conformant',
    scope: { selection: `shard ${index}/${count} of features/ins`, inScope: Object.keys(verdicts), notInScope: [], statement: '' },
    durationMs: 1000 * index,
    scenarios: { passed: 1, failed: 0, 'not-judged': 0, errored: 0, skipped: 0 },
    requirements: Object.fromEntries(
      Object.entries(verdicts).map(([id, verdict]) => [
        id,
        { side: 'lgc', title: id, verdict, evidence: ['observed'], scenarios: [`features/ins/x.feature:${index}`] },
      ]),
    ),
    provenance: { harness: 'vigie 0.1.0 (aaaa)', config: 'sha256:1', node: 'v20', rulePacks: {} },
    shard: { index, count, scenarios: 1, of: count, wholeScope: ['INS-01', 'INS-02', 'INS-03'], wholeSelection: 'features/ins' },
    ...over,
  } as Summary;
}

test('merge: the worst verdict of the shards; a requirement no shard judged is not covered; refused when not one run', () => {
  const merged = mergeSummaries([
    { name: 'one', summary: shard(1, 2, { 'INS-01': 'pass', 'INS-02': 'pass' }) },
    { name: 'two', summary: shard(2, 2, { 'INS-02': 'fail' }) },
  ]);
  assert.equal(merged.summary.outcome, 'not-conformant');
  assert.equal(merged.exitCode, 1);
  assert.equal(merged.summary.requirements['INS-02']!.verdict, 'fail');
  assert.deepEqual(merged.summary.requirements['INS-02']!.scenarios, ['features/ins/x.feature:1', 'features/ins/x.feature:2']);
  assert.equal(merged.summary.requirements['INS-03']!.verdict, 'not-covered');
  assert.equal(merged.summary.scope.selection, 'features/ins');
  assert.match(merged.summary.scope.statement, /INS-01…INS-03 \(selected by features\/ins\), judged in 2 shards/);
  assert.equal(merged.summary.durationMs, 2000, 'side by side: as long as the longest');
  assert.equal(merged.summary.scenarios.passed, 2);
  assert.deepEqual(merged.summary.merged, { shards: ['one', 'two'] });

  const passes = mergeSummaries([
    { name: 'one', summary: shard(1, 2, { 'INS-01': 'pass', 'INS-03': 'pass' }) },
    { name: 'two', summary: shard(2, 2, { 'INS-02': 'pass', 'INS-03': 'error' }) },
  ]);
  assert.equal(passes.summary.outcome, 'incomplete', 'an error in one shard is not hidden by a pass in the other');
  assert.equal(passes.exitCode, 2);
  const whole = mergeSummaries([
    { name: 'two', summary: shard(2, 2, { 'INS-02': 'pass', 'INS-03': 'pass' }) },
    { name: 'one', summary: shard(1, 2, { 'INS-01': 'pass', 'INS-03': 'pass' }) },
  ]);
  assert.equal(whole.summary.outcome, 'conformant');
  assert.equal(whole.exitCode, 0);

  const refused = (shards: Summary[], why: RegExp) =>
    assert.throws(
      () => mergeSummaries(shards.map((summary, i) => ({ name: `s${i}`, summary }))),
      (e: Error) => e instanceof MergeError && why.test(e.message),
    );
  refused([shard(1, 3, { 'INS-01': 'pass' }), shard(3, 3, { 'INS-02': 'pass' })], /shard 2\/3 missing/);
  refused([shard(1, 2, { 'INS-01': 'pass' }), shard(1, 2, { 'INS-02': 'pass' })], /shard 1\/2 given twice: s0 and s1/);
  refused([shard(1, 2, { 'INS-01': 'pass' }), shard(2, 2, {}, { target: 'other' })], /the target of s1 is "other"/);
  refused([shard(1, 2, { 'INS-01': 'pass' }), shard(2, 2, {}, { defects: ['x'] })], /the seeded defects/);
  refused([shard(1, 2, { 'INS-01': 'pass' }), shard(2, 3, {})], /the number of shards/);
  refused([shard(1, 1, {}, { shard: undefined })], /s0: not a shard/);
  const broken = mergeSummaries([
    { name: 'one', summary: shard(1, 2, { 'INS-01': 'pass' }) },
    { name: 'two', summary: shard(2, 2, {}, { outcome: 'could-not-run', reasons: ['target unreachable'] }) },
  ]);
  assert.equal(broken.summary.outcome, 'could-not-run');
  assert.match(broken.summary.reasons!.join(), /two \(shard 2\/2\) could not run: target unreachable/);
});

test('two shards of a defect run, merged, fail exactly what the whole run fails; the CLI refuses a missing shard', () => {
  const vigie = (args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), ...args], { encoding: 'utf8', timeout: 180_000 });
  const feature = 'features/ins/ins-07-outcomes.feature';
  const defect = ['--defect', 'insi-failure-not-recorded'];
  const first = vigie(['run', feature, ...defect, '--shard', '1/2', '--reports', join(dir, '1')]);
  const second = vigie(['run', feature, ...defect, '--shard', '2/2', '--reports', join(dir, '2')]);
  // Each shard exits on its own verdicts (the defect fails the four outcome scenarios: both shards fail).
  assert.deepEqual([first.status, second.status], [1, 1], first.stdout + second.stdout);
  assert.match(first.stdout, /scope: shard 1\/2: INS-07 \(\d of 4 scenarios of features\/ins\/ins-07-outcomes\.feature\)/);
  const merged = vigie(['merge', join(dir, '1'), join(dir, '2'), '--reports', join(dir, 'merged')]);
  assert.equal(merged.status, 1, merged.stdout + merged.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'merged', 'summary.json'), 'utf8')) as Summary;
  assert.deepEqual(
    Object.entries(summary.requirements).map(([id, r]) => `${id} ${r.verdict}`),
    ['INS-07 fail'],
  );
  assert.equal(summary.scenarios.failed, 4);
  assert.match(readFileSync(join(dir, 'merged', 'conformance.html'), 'utf8'), /INS-07/);
  const alone = vigie(['merge', join(dir, '1'), '--reports', join(dir, 'alone')]);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /shard 2\/2 missing/);
  const bad = vigie(['run', feature, '--shard', '3/2', '--reports', join(dir, 'bad')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--shard 3\/2: must be i\/n with 1 ≤ i ≤ n/);
});
