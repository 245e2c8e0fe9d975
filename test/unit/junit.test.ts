/**
 * Every JUnit file Vigie writes (a run's junit.xml, `vigie diff --format junit`, `vigie validate
 * --format junit`) is valid against the JUnit layout CI servers read (fixtures/junit/junit.xsd), and
 * says failure for a non-conformance, error for no verdict, skipped for not judged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { toJunit as cdaJunit } from '../../src/cda/cli';
import { PROJECT_ROOT } from '../../src/config/load';
import { diffJunit, diffSummaries } from '../../src/report/diff';
import { toJunit } from '../../src/report/junit';
import type { ScenarioResult, Summary } from '../../src/report/summary';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateXML } = require('xmllint-wasm') as typeof import('xmllint-wasm');
const XSD = readFileSync(join(PROJECT_ROOT, 'fixtures', 'junit', 'junit.xsd'), 'utf8');

async function assertValid(xml: string): Promise<void> {
  const result = await validateXML({ xml: { fileName: 'junit.xml', contents: xml }, schema: { fileName: 'junit.xsd', contents: XSD } });
  assert.ok(result.valid, `${result.errors.map((e) => e.message).join('\n')}\n${xml}`);
}

const scenario = (id: string, status: ScenarioResult['status'], req: string, message?: string): ScenarioResult => ({
  id,
  location: `features/x/${id}.feature:3`,
  name: `scenario ${id} <with> "markup" & ünïcode`,
  requirements: [req],
  side: 'lgc',
  status,
  ...(message ? { message, cause: message.split('\n')[0] } : {}),
  evidence: ['observed'],
  checks: 1,
  wallMs: 1234,
  targetMs: 0,
  windowMs: 0,
});

const summary = (outcome: Summary['outcome'], requirements: Summary['requirements']): Summary => ({
  suite: 'lgc',
  target: 'vendor <staging>',
  driver: 'http',
  outcome,
  startedAt: '2026-12-02T21:00:00.123Z',
  scope: { selection: null, inScope: Object.keys(requirements), notInScope: [], statement: 'every requirement of the LGC side' },
  durationMs: 61_500,
  scenarios: { passed: 1, failed: 1, 'not-judged': 1, errored: 1, skipped: 0 },
  requirements,
  provenance: { harness: 'vigie 0.1.0 (3f7d86d)', config: 'sha256:1', node: 'v20', rulePacks: { TestContenuCDA: { hash: 'abc123' } } },
});

const req = (verdict: Summary['requirements'][string]['verdict'], reasons?: string[]) => ({
  side: 'lgc' as const,
  title: 'titre',
  verdict,
  evidence: [],
  scenarios: [],
  ...(reasons ? { reasons } : {}),
});

test("a run's junit.xml: valid; failure, error and skipped as JUnit intends; properties name target, commit and rule pack", async () => {
  const results = [
    scenario('a', 'passed', 'INS-01'),
    scenario('b', 'failed', 'OPP-02', '[OPP-02] expected: nothing\n  seen: a submission \u0007'),
    scenario('c', 'errored', 'SEND-01', 'could not set up the scenario: the LGC refused'),
    scenario('d', 'not-judged', 'INS-02', 'could not judge: the harness was too slow'),
  ];
  const xml = toJunit(
    summary('not-conformant', {
      'INS-01': req('pass'),
      'OPP-02': req('fail'),
      'SEND-01': req('error', ['could not set up']),
      'INS-02': req('not-judged', ['harness too slow']),
      'CDA-07': req('not-covered', ['no ANS rule pack']),
    }),
    results,
  );
  await assertValid(xml);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml);
  const suite = doc.testsuites.testsuite;
  assert.deepEqual(
    [suite['@tests'], suite['@failures'], suite['@errors'], suite['@skipped'], suite['@timestamp']],
    ['5', '1', '1', '2', '2026-12-02T21:00:00'],
  );
  const cases = [suite.testcase].flat() as Record<string, unknown>[];
  const kind = (c: Record<string, unknown>) => (c.failure ? 'failure' : c.error ? 'error' : c.skipped !== undefined ? 'skipped' : 'pass');
  assert.deepEqual(
    cases.map((c) => `${c['@classname']} ${kind(c)}`),
    [
      'vigie.lgc.INS-01 pass',
      'vigie.lgc.OPP-02 failure',
      'vigie.lgc.SEND-01 error',
      'vigie.lgc.INS-02 skipped',
      'vigie.lgc.CDA-07 skipped',
    ],
  );
  assert.match(String(cases[0]!['@name']), /^INS-01 — /, 'the requirement id is in the name');
  assert.equal((cases[2]!.error as Record<string, string>)['@type'], 'CouldNotSetUp');
  assert.match((cases[4]!.skipped as Record<string, string>)['@message'], /not-covered: no ANS rule pack/);
  const props = Object.fromEntries([suite.properties.property].flat().map((p: Record<string, string>) => [p['@name'], p['@value']]));
  assert.equal(props.target, 'vendor <staging>');
  assert.equal(props.harnessCommit, '3f7d86d');
  assert.equal(props.rulePack, 'TestContenuCDA abc123');
});

test('the schema bites: a failure without its type, a count that is not a number', async () => {
  const result = await validateXML({
    xml: {
      fileName: 'bad.xml',
      contents:
        '<testsuites><testsuite name="x" tests="a" failures="0" errors="0" time="1"><testcase name="n" classname="c" time="0"><failure message="m">x</failure></testcase></testsuite></testsuites>',
    },
    schema: { fileName: 'junit.xsd', contents: XSD },
  });
  assert.equal(result.valid, false);
  assert.equal(result.errors.length, 2, result.errors.map((e) => e.message).join('\n'));
});

test('a run that could not start: one error testcase, valid', async () => {
  const couldNotRun = { ...summary('could-not-run', {}), reasons: ['the target did not answer'] };
  await assertValid(toJunit(couldNotRun, []));
});

test('vigie diff --format junit and vigie validate --format junit are valid too', async () => {
  const before = summary('conformant', { 'INS-01': req('pass'), 'OPP-02': req('pass') });
  const after = summary('not-conformant', { 'INS-01': req('pass'), 'OPP-02': req('fail') });
  await assertValid(diffJunit(diffSummaries(before, after)));
  await assertValid(diffJunit(diffSummaries(before, before)));
  await assertValid(
    cdaJunit({
      documents: [
        { file: 'a.xml', valid: true, errors: [], ms: 12 },
        { file: 'b.xml', valid: false, errors: [{ layer: 'schema', line: 3, text: 'bad' }], ms: 5, couldNotJudge: 'no schematron' },
        { file: 'c.xml', valid: undefined, errors: [], ms: 1, couldNotJudge: 'the JVM stopped' },
      ],
    } as unknown as Parameters<typeof cdaJunit>[0]),
  );
});

test("each testcase says the evidence its verdict rests on; a person's answers are named attested", async () => {
  const attested = {
    ...scenario('e', 'failed', 'QUAL-02', '[QUAL-02] expected: one click\n  seen: 3 click(s)'),
    evidence: ['attested' as const],
  };
  const xml = toJunit(summary('not-conformant', { 'INS-01': req('pass'), 'QUAL-02': req('fail') }), [
    scenario('a', 'passed', 'INS-01'),
    attested,
  ]);
  await assertValid(xml);
  const cases = [new XMLParser().parse(xml).testsuites.testsuite.testcase].flat() as { 'system-out'?: string }[];
  assert.equal(cases[0]['system-out'], 'evidence: observed');
  assert.match(cases[1]['system-out'] ?? '', /^evidence: attested \(attested: a person's answers at the keyboard\)$/);
});
