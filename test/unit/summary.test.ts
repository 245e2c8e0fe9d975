import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTarget } from '../../src/config/load';
import { runSuite } from '../../src/harness/run';
import { ScenarioResult, exitCodeOf, outcomeOf, requirementVerdicts } from '../../src/report/summary';

const sc = (location: string, requirements: string[], status: ScenarioResult['status'], evidence: ('observed' | 'declared')[] = ['observed']): ScenarioResult =>
  ({ id: location, location, name: location, requirements, status, evidence, wallMs: 0, targetMs: 0, windowMs: 0 });

test('requirement verdicts: fail beats error beats pass; all skipped is not-covered; declared is contagious', () => {
  const v = requirementVerdicts([
    sc('a:1', ['INS-01'], 'passed'), sc('a:2', ['INS-01'], 'failed'),
    sc('b:1', ['INS-02'], 'passed'), sc('b:2', ['INS-02'], 'errored'),
    sc('c:1', ['QUAL-01'], 'skipped'),
    sc('d:1', ['QUAL-02'], 'passed', ['observed']), sc('d:2', ['QUAL-02'], 'passed', ['declared', 'observed']),
  ]);
  assert.equal(v['INS-01'].verdict, 'fail');
  assert.equal(v['INS-02'].verdict, 'error');
  assert.equal(v['QUAL-01'].verdict, 'not-covered');
  assert.equal(v['QUAL-02'].verdict, 'pass');
  assert.equal(v['QUAL-02'].evidence, 'declared');
  assert.deepEqual(v['INS-01'].scenarios, ['a:1', 'a:2']);
  assert.equal(outcomeOf(v), 'not-conformant');
  assert.equal(outcomeOf({ X: { verdict: 'error', scenarios: [], evidence: 'observed' }, Y: { verdict: 'pass', scenarios: [], evidence: 'observed' } }), 'could-not-run');
  assert.equal(outcomeOf({ Y: { verdict: 'pass', scenarios: [], evidence: 'observed' } }), 'conformant');
  assert.deepEqual(['conformant', 'not-conformant', 'could-not-run'].map((o) => exitCodeOf(o as 'conformant')), [0, 1, 2]);
});

test('an undefined step is not-covered, a broken step is an error, not a verdict', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-sum-'));
  writeFileSync(join(dir, 'x.feature'), [
    'Feature: harness self-check',
    '  @INS-01',
    '  Scenario: a step nobody wrote',
    '    Given a step that Vigie does not define',
    '  @INS-04',
    '  Scenario: a person the fixtures do not have',
    '    Given Nobody Here has a patient file',
    '',
  ].join('\n'));
  const r = await runSuite({ loaded: loadTarget('reference'), paths: [join(dir, 'x.feature')], reportsDir: join(dir, 'reports'), quiet: true, log: () => undefined });
  assert.equal(r.summary.requirements['INS-01'].verdict, 'not-covered');
  assert.equal(r.summary.requirements['INS-04'].verdict, 'error');
  assert.equal(r.summary.outcome, 'could-not-run');
  assert.equal(r.exitCode, 2);
  assert.match(r.summary.failures?.[0].message ?? '', /no invented person "Nobody Here"/);
});
