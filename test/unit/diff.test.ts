/** `vigie diff`: what changed between two runs (src/report/diff.ts, src/cli/diff.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { PROJECT_ROOT } from '../../src/config/load';
import { diffExitCode, diffJunit, diffMarkdown, diffSummaries, diffText } from '../../src/report/diff';
import type { RequirementVerdict, Summary } from '../../src/report/summary';
import { tempDir } from '../support/tmp';

function summary(
  verdicts: Record<string, RequirementVerdict>,
  over: Partial<Summary> = {},
  scenarios: Record<string, string[]> = {},
): Summary {
  return {
    suite: 'lgc',
    target: 'vendor-staging',
    driver: 'http',
    outcome: Object.values(verdicts).includes('fail') ? 'not-conformant' : 'conformant',
    scope: { selection: null, inScope: Object.keys(verdicts), notInScope: [], statement: '' },
    durationMs: 1,
    scenarios: { passed: 0, failed: 0, 'not-judged': 0, errored: 0, skipped: 0 },
    requirements: Object.fromEntries(
      Object.entries(verdicts).map(([id, verdict]) => [
        id,
        {
          side: 'lgc',
          title: `title of ${id}`,
          verdict,
          evidence: ['observed'],
          scenarios: scenarios[id] ?? [`features/x/${id.toLowerCase()}.feature:3`],
        },
      ]),
    ),
    provenance: { harness: 'vigie 0.1.0 (aaaa)', config: 'sha256:1', node: 'v20', rulePacks: { TestContenuCDA: { hash: 'abc' } } },
    ...over,
  } as Summary;
}

test('regressions first (pass → fail before the others), improvements, other changes; exit 1 only on a regression', () => {
  const before = summary({ 'INS-01': 'pass', 'INS-02': 'pass', 'OPP-01': 'fail', 'SEND-04': 'error', 'CDA-07': 'pass' });
  const after = summary({ 'INS-01': 'not-judged', 'INS-02': 'fail', 'OPP-01': 'pass', 'SEND-04': 'not-judged', 'CDA-07': 'pass' });
  const diff = diffSummaries(before, after);
  assert.deepEqual(
    diff.regressions.map((c) => `${c.id} ${c.from}→${c.to}`),
    ['INS-02 pass→fail', 'INS-01 pass→not-judged'],
  );
  assert.deepEqual(
    diff.improvements.map((c) => c.id),
    ['OPP-01'],
  );
  assert.deepEqual(
    diff.otherChanges.map((c) => c.id),
    ['SEND-04'],
  );
  assert.equal(diffExitCode(diff), 1);
  // A failure already known the night before is not a regression.
  assert.equal(
    diffExitCode(
      diffSummaries(
        after,
        summary({ ...Object.fromEntries(Object.keys(after.requirements).map((k) => [k, after.requirements[k]!.verdict])) }),
      ),
    ),
    0,
  );
  assert.equal(diffExitCode(diffSummaries(summary({ 'OPP-01': 'fail' }), summary({ 'OPP-01': 'fail' }))), 0);
});

test('new and vanished scenarios, and what changed under the verdicts (harness, rule pack, configuration, target)', () => {
  const before = summary({ 'INS-01': 'pass' }, {}, { 'INS-01': ['features/ins/a.feature:3', 'features/ins/a.feature:9'] });
  const after = summary(
    { 'INS-01': 'pass' },
    {
      target: 'vendor-staging-2',
      provenance: { harness: 'vigie 0.2.0 (bbbb)', config: 'sha256:2', node: 'v20', rulePacks: { TestContenuCDA: { hash: 'def' } } },
    },
    { 'INS-01': ['features/ins/a.feature:3', 'features/ins/a.feature:12'] },
  );
  const diff = diffSummaries(before, after);
  assert.deepEqual(diff.newScenarios, ['features/ins/a.feature:12']);
  assert.deepEqual(diff.vanishedScenarios, ['features/ins/a.feature:9']);
  assert.deepEqual(
    diff.context.map((c) => c.what),
    ['harness', 'rule pack', 'configuration', 'target'],
  );
  assert.match(diffText(diff), /No requirement changed verdict/);
  assert.match(diffText(diff), /rule pack: TestContenuCDA abc → TestContenuCDA def/);
  assert.match(diffMarkdown(diff), /harness: vigie 0\.1\.0 \(aaaa\) → vigie 0\.2\.0 \(bbbb\)/);
});

test('JUnit: one testcase per changed requirement, a regression is a failure; the XML parses', () => {
  const diff = diffSummaries(summary({ 'INS-01': 'pass', 'OPP-01': 'fail' }), summary({ 'INS-01': 'fail', 'OPP-01': 'pass' }));
  const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(diffJunit(diff));
  const cases = [junit.testsuites.testsuite.testcase].flat();
  assert.equal(junit.testsuites['@failures'], '1');
  assert.deepEqual(
    cases.map((c: { '@classname': string; failure?: unknown }) => [c['@classname'], !!c.failure]),
    [
      ['vigie.diff.INS-01', true],
      ['vigie.diff.OPP-01', false],
    ],
  );
});

test('vigie diff: two reports folders or files; exit 1 on a regression, 0 otherwise, 2 on what is not a summary', () => {
  const dir = tempDir('vigie-diff-');
  const write = (name: string, body: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };
  const old = write('old.json', summary({ 'INS-02': 'pass' }));
  const now = write('new.json', summary({ 'INS-02': 'fail' }));
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'diff', ...args], { encoding: 'utf8', timeout: 30_000 });
  const regressed = cli([old, now]);
  assert.equal(regressed.status, 1, regressed.stderr);
  assert.match(regressed.stdout, /Regressed \(1\):\n {2}INS-02 {2}pass → fail/);
  assert.equal(cli([now, old, '--format', 'json']).status, 0);
  assert.deepEqual(JSON.parse(cli([now, old, '--format', 'json']).stdout).improvements[0].id, 'INS-02');
  const broken = cli([write('broken.json', '{"outcome":'), now]);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /broken\.json: not JSON/);
  const other = cli([write('other.json', { hello: 1 }), now]);
  assert.equal(other.status, 2);
  assert.match(other.stderr, /not a Vigie summary\.json/);
  assert.equal(cli([old]).status, 2);
});

test('vigie run --baseline: a failure already known exits 0, a regression exits 1; the changes printed and kept in diff.json', () => {
  const dir = tempDir('vigie-baseline-');
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'run', 'features/ins/ins-07-outcomes.feature', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  const baseline = (verdict: RequirementVerdict) => {
    const file = join(dir, `${verdict}.json`);
    writeFileSync(file, JSON.stringify(summary({ 'INS-07': verdict })));
    return file;
  };
  // Last night INS-07 failed already: tonight's same failure is known, not a regression.
  const known = run(['--defect', 'insi-failure-not-recorded', '--reports', join(dir, 'known'), '--baseline', baseline('fail')]);
  assert.equal(known.status, 0, known.stdout + known.stderr);
  assert.match(known.stdout, /Since the baseline/);
  // Last night it passed: the same failure is a regression.
  const regressed = run(['--defect', 'insi-failure-not-recorded', '--reports', join(dir, 'regressed'), '--baseline', baseline('pass')]);
  assert.equal(regressed.status, 1);
  assert.match(regressed.stdout, /INS-07 {2}pass → fail/);
  assert.deepEqual(
    JSON.parse(readFileSync(join(dir, 'regressed', 'diff.json'), 'utf8')).regressions.map((c: { id: string }) => c.id),
    ['INS-07'],
  );
});

test('vigie diff of a conformant run and a defect run names exactly the defect’s requirements', () => {
  const dir = tempDir('vigie-diff-defect-');
  const features = [
    'features/dmp/opp-02-opposition.feature',
    'features/dmp/send-02-one-click-not-to.feature',
    'features/ins/ins-07-outcomes.feature',
  ];
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'run', ...features, ...args], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(run(['--reports', join(dir, 'ok')]).status, 0);
  assert.equal(run(['--defect', 'opp-out-sent-late', '--reports', join(dir, 'defect')]).status, 1);
  const diff = spawnSync(
    process.execPath,
    [join(PROJECT_ROOT, 'bin', 'vigie'), 'diff', join(dir, 'ok'), join(dir, 'defect'), '--format', 'json'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(diff.status, 1, diff.stderr);
  const changes = JSON.parse(diff.stdout) as { regressions: { id: string }[]; improvements: unknown[]; otherChanges: unknown[] };
  // The defect's declared requirements (vigie defects): OPP-02 and SEND-02; INS-07, in the same runs, unchanged.
  assert.deepEqual(
    changes.regressions.map((c) => c.id),
    ['OPP-02', 'SEND-02'],
  );
  assert.deepEqual([changes.improvements, changes.otherChanges], [[], []]);
});
