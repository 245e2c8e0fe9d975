import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTarget } from '../../src/config/load';
import { runSuite } from '../../src/harness/run';
import { ScenarioResult, causeOf, errorGroups, exitCodeOf, idRanges, outcomeOf, requirementVerdicts } from '../../src/report/summary';
import { tempDir } from '../support/tmp';

const sc = (
  location: string,
  requirements: string[],
  status: ScenarioResult['status'],
  evidence: ScenarioResult['evidence'] = ['observed'],
  cause?: string,
): ScenarioResult => ({
  id: location,
  location,
  name: location,
  requirements,
  side: 'lgc',
  status,
  evidence,
  checks: 1,
  wallMs: 0,
  targetMs: 0,
  windowMs: 0,
  ...(cause ? { cause } : {}),
});

test('requirement verdicts over the scope: fail beats error beats not judged; a requirement without scenario is not-covered', () => {
  const verdicts = requirementVerdicts(
    [
      sc('a:1', ['INS-01'], 'passed'),
      sc('a:2', ['INS-01'], 'failed'),
      sc('b:1', ['INS-02'], 'passed'),
      sc('b:2', ['INS-02'], 'errored', ['observed'], 'could not set up the scenario: x'),
      sc('c:1', ['QUAL-01'], 'not-judged', [], 'harness too slow'),
      sc('d:1', ['QUAL-02'], 'passed', ['observed']),
      sc('d:2', ['QUAL-02'], 'passed', ['declared', 'observed']),
    ],
    { side: 'lgc', inScope: ['INS-01', 'INS-02', 'QUAL-01', 'QUAL-02', 'QUAL-03', 'CDA-07'], notSelected: { 'CDA-07': 'no rule pack' } },
  );
  assert.equal(verdicts['INS-01'].verdict, 'fail');
  assert.equal(verdicts['INS-02'].verdict, 'error');
  assert.deepEqual(verdicts['INS-02'].reasons, ['could not set up the scenario: x']);
  assert.equal(verdicts['QUAL-01'].verdict, 'not-judged');
  assert.equal(verdicts['QUAL-02'].verdict, 'pass');
  assert.deepEqual(verdicts['QUAL-02'].evidence, ['observed', 'declared']);
  assert.equal(verdicts['QUAL-03'].verdict, 'not-covered');
  assert.equal(verdicts['CDA-07'].verdict, 'not-selected');
  assert.deepEqual(verdicts['INS-01'].scenarios, ['a:1', 'a:2']);
  assert.equal(outcomeOf(verdicts), 'not-conformant');
});

test('outcome: one rule — fail → not-conformant (1); anything in scope not judged → incomplete (2); all pass → conformant (0)', () => {
  const pass = { side: 'lgc' as const, title: '', evidence: [], scenarios: [], verdict: 'pass' as const };
  assert.equal(outcomeOf({ X: pass, Y: { ...pass, verdict: 'error' } }), 'incomplete');
  assert.equal(outcomeOf({ X: pass, Y: { ...pass, verdict: 'not-selected' } }), 'incomplete', 'CDA-07 not selected: never CONFORMANT');
  assert.equal(outcomeOf({ X: pass, Y: { ...pass, verdict: 'not-covered' } }), 'incomplete');
  assert.equal(outcomeOf({ X: { ...pass, verdict: 'fail' }, Y: { ...pass, verdict: 'error' } }), 'not-conformant');
  assert.equal(outcomeOf({ X: pass }), 'conformant');
  assert.equal(outcomeOf({}), 'could-not-run');
  assert.deepEqual(
    ['conformant', 'not-conformant', 'incomplete', 'could-not-run'].map((o) => exitCodeOf(o as 'conformant')),
    [0, 1, 2, 2],
  );
});

test('--require-observed: a pass resting on declared evidence is not judged, for the requirements asked', () => {
  const results = [sc('a:1', ['QUAL-02'], 'passed', ['declared']), sc('b:1', ['INS-02'], 'passed', ['observed'])];
  const all = requirementVerdicts(results, { side: 'lgc', inScope: ['QUAL-02', 'INS-02'], requireObserved: 'all' });
  assert.equal(all['QUAL-02'].verdict, 'not-judged');
  assert.match(all['QUAL-02'].reasons![0], /--require-observed.*declared/);
  assert.equal(all['INS-02'].verdict, 'pass');
  const some = requirementVerdicts(results, { side: 'lgc', inScope: ['QUAL-02', 'INS-02'], requireObserved: ['INS-02'] });
  assert.equal(some['QUAL-02'].verdict, 'pass');
});

test('a service scenario never counts for the LGC side, and an LGC scenario never for the service side', () => {
  const results = [{ ...sc('s:1', ['MSS-07'], 'failed'), side: 'service' as const }, sc('l:1', ['MSS-07'], 'passed')];
  assert.equal(requirementVerdicts(results, { side: 'lgc', inScope: ['MSS-07'] })['MSS-07'].verdict, 'pass');
  assert.equal(requirementVerdicts(results, { side: 'service', inScope: ['MSS-07'] })['MSS-07'].verdict, 'fail');
});

test('errors grouped by cause: one cause, the requirements it stopped', () => {
  const cause = causeOf(
    'could not set up the scenario: the validated document never reached the DMP\n  camille-legrand: no submission within 1500 ms',
  );
  assert.equal(cause, 'could not set up the scenario: the validated document never reached the DMP');
  const groups = errorGroups([
    sc('a:1', ['CDA-01'], 'errored', [], cause),
    sc('b:1', ['CDA-02'], 'errored', [], cause),
    sc('c:1', ['SEND-05'], 'not-judged', [], 'x'),
  ]);
  assert.equal(groups.length, 2);
  assert.deepEqual(groups[0].requirements, ['CDA-01', 'CDA-02']);
  assert.equal(idRanges(['INS-01', 'INS-02', 'INS-03', 'QUAL-02', 'QUAL-04']), 'INS-01…INS-03, QUAL-02, QUAL-04');
});

test(
  'an undefined step is a harness error (exit 2, named), a person the fixtures lack too — never not-conformant',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir('vigie-sum-');
    writeFileSync(
      join(dir, 'x.feature'),
      [
        'Feature: harness self-check',
        '  @INS-01',
        '  Scenario: a step nobody wrote',
        '    Given a step that Vigie does not define',
        '  @INS-04',
        '  Scenario: a person the fixtures do not have',
        '    Given Nobody Here has a patient file',
        '',
      ].join('\n'),
    );
    const run = await runSuite({
      loaded: loadTarget('reference'),
      paths: [join(dir, 'x.feature')],
      reportsDir: join(dir, 'reports'),
      quiet: true,
      log: () => undefined,
    });
    assert.equal(run.summary.requirements['INS-01'].verdict, 'error');
    assert.match(
      run.summary.requirements['INS-01'].reasons![0],
      /harness error: no step definition matches « a step that Vigie does not define »/,
    );
    assert.equal(run.summary.requirements['INS-04'].verdict, 'error');
    assert.match(run.summary.requirements['INS-04'].reasons![0], /harness error: no invented person "Nobody Here"/);
    assert.equal(run.summary.outcome, 'incomplete');
    assert.equal(run.exitCode, 2);
    assert.deepEqual(run.summary.scope.inScope, ['INS-01', 'INS-04']);
  },
);
