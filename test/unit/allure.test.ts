/** Allure results rewritten from Vigie's verdicts (src/report/allure.ts, finishAllureResults). */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allureMessage, finishAllureResults } from '../../src/report/allure';
import { ScenarioResult, Summary, VERDICT_MEDIA_TYPE } from '../../src/report/summary';
import { tempDir } from '../support/tmp';

const scenario = (over: Partial<ScenarioResult>): ScenarioResult => ({
  id: 'pickle-1',
  location: 'features/opp/opp-02.feature:7',
  name: 'An opposed patient',
  requirements: ['OPP-02'],
  side: 'lgc',
  status: 'failed',
  message: '[OPP-02] expected: nothing reaches the DMP within 3000 ms\n  seen: an ITI-41 submission',
  evidence: ['observed'],
  checks: 1,
  wallMs: 10,
  targetMs: 1,
  windowMs: 0,
  ...over,
});

const summary = {
  suite: 'lgc',
  target: 'vendor-staging',
  driver: 'http',
  outcome: 'not-conformant',
  scope: { selection: null, inScope: ['OPP-02', 'CDA-07'], notInScope: [], statement: '' },
  durationMs: 1,
  scenarios: { passed: 0, failed: 1, 'not-judged': 0, errored: 0, skipped: 0 },
  requirements: {
    'OPP-02': { side: 'lgc', title: 'x', verdict: 'fail', evidence: ['observed'], scenarios: ['features/opp/opp-02.feature:7'] },
    'CDA-07': { side: 'lgc', title: 'y', verdict: 'not-covered', evidence: [], scenarios: [], reasons: ['no ANS rule pack'] },
  },
  provenance: {
    harness: 'vigie 0.1.0 (aaaa)',
    config: 'sha256:1',
    node: 'v20',
    rulePacks: { TestContenuCDA: { hash: 'abcdef0123456789' } },
  },
} as unknown as Summary;

/** What allure-cucumberjs writes for one scenario: the result, its container, the After hook's attachments. */
function resultsDir(pickle: string): string {
  const dir = tempDir('vigie-allure-');
  const stack = 'NonConformance: [OPP-02] expected…\n    at VigieWorld.judge (/work/main/steps/support/world.ts:167:13)';
  writeFileSync(
    join(dir, 'r1-result.json'),
    JSON.stringify({
      uuid: 'r1',
      name: 'An opposed patient',
      status: 'broken',
      statusDetails: { message: stack, trace: stack },
      steps: [{ name: 'Then the DMP receives nothing', status: 'broken', statusDetails: { message: stack } }],
      attachments: [],
      labels: [{ name: 'feature', value: 'OPP-02 — the feature' }],
      parameters: [],
    }),
  );
  writeFileSync(join(dir, 'v-attachment'), JSON.stringify({ pickle, checks: [] }));
  writeFileSync(join(dir, 'x-attachment.xml'), '<submission/>');
  writeFileSync(
    join(dir, 'c1-container.json'),
    JSON.stringify({
      uuid: 'c1',
      children: ['r1'],
      befores: [],
      afters: [
        {
          status: 'passed',
          steps: [
            { name: 'Attachment', attachments: [{ name: 'Attachment', source: 'v-attachment', type: VERDICT_MEDIA_TYPE }] },
            { name: 'DMP submission #1', attachments: [{ name: 'DMP submission #1', source: 'x-attachment.xml', type: 'text/xml' }] },
          ],
        },
      ],
    }),
  );
  return dir;
}

const read = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

test('a non-conformance is failed, with the requirement and expected/seen first, the evidence in the body', () => {
  const dir = resultsDir('pickle-1');
  const done = finishAllureResults(dir, summary, [scenario({})]);
  assert.deepEqual(done, { rewritten: 1, added: 1 });
  const result = read(dir, 'r1-result.json');
  assert.equal(result.status, 'failed');
  assert.equal(result.steps[0].status, 'failed', 'the step that judged is failed too');
  assert.match(result.statusDetails.message, /^OPP-02 — .+\n[\s\S]+\n\nNOT CONFORMANT\n\[OPP-02\] expected: nothing reaches the DMP/);
  assert.doesNotMatch(result.statusDetails.message, /world\.ts|\bat \w/);
  assert.match(result.statusDetails.trace, /world\.ts/, 'the stack is kept, as the trace');
  const labels = Object.fromEntries(result.labels.map((l: { name: string; value: string }) => [l.name, l.value]));
  assert.equal(labels.epic, 'OPP');
  assert.match(labels.feature, /^OPP-02 — /);
  assert.equal(labels.story, 'An opposed patient');
  assert.deepEqual(
    result.parameters.map((p: { name: string; value: string }) => `${p.name}=${p.value}`),
    ['target=vendor-staging', 'driver=http', 'rule pack=TestContenuCDA abcdef012345'],
  );
  assert.deepEqual(
    result.attachments.map((a: { name: string }) => a.name),
    ['DMP submission #1'],
  );
  const container = read(dir, 'c1-container.json');
  assert.deepEqual(
    container.afters[0].steps.map((s: { name: string }) => s.name),
    ['Attachment'],
    'the evidence left the tear-down',
  );
  // CDA-07, in scope and not judged, is a skipped result saying why.
  const added = readdirSync(dir)
    .filter((f) => f.endsWith('-result.json') && f !== 'r1-result.json')
    .map((f) => read(dir, f));
  assert.equal(added.length, 1);
  assert.equal(added[0].status, 'skipped');
  assert.match(added[0].statusDetails.message, /^CDA-07 — [\s\S]*\n\nnot-covered: no ANS rule pack$/);
});

test('errors are broken, not judged is skipped, a declared-only pass says so', () => {
  const statusOf = (over: Partial<ScenarioResult>) => {
    const dir = resultsDir('pickle-1');
    finishAllureResults(dir, summary, [scenario(over)]);
    const result = read(dir, 'r1-result.json');
    return `${result.status}: ${result.statusDetails.message?.split('\n\n')[1] ?? ''}`;
  };
  assert.equal(
    statusOf({ status: 'errored', message: 'could not set up the scenario: x' }),
    'broken: no verdict (error): could not set up the scenario: x',
  );
  assert.equal(
    statusOf({ status: 'not-judged', message: 'could not judge: the harness was slow' }),
    'skipped: not judged: could not judge: the harness was slow',
  );
  assert.equal(statusOf({ status: 'passed', message: undefined }), 'passed: ');
  assert.equal(
    statusOf({ status: 'passed', message: undefined, evidence: ['declared'] }),
    'passed: passed on declared evidence only (nothing observed on the wire)',
  );
  // A result whose verdict attachment names no scenario of the run is left as allure-cucumberjs wrote it.
  const dir = resultsDir('another-pickle');
  assert.equal(finishAllureResults(dir, summary, [scenario({})]).rewritten, 0);
  assert.equal(read(dir, 'r1-result.json').status, 'broken');
});

test('the message never carries a harness path', () => {
  const message = allureMessage(scenario({ status: 'errored', message: 'boom at /work/main/src/doubles/dmp/provide.ts:12:3' }))!;
  assert.doesNotMatch(message, /provide\.ts/);
});
