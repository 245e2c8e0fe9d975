/** The command line as a user meets it: exit codes 0/1/2, summary.json, reports, clear errors. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from '../../src/harness/wait';
import { ROOT, runVigie } from '../support/lgc';
import { tempDir } from '../support/tmp';

const vigie = (args: string[], timeoutMs = 60_000) => runVigie(args, { timeoutMs });

const tmp = () => tempDir('vigie-cli-');
const summary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

test('conformant reference on one feature: exit 0, summary and every report written', async () => {
  const dir = tmp();
  const run = await vigie(['run', '--reports', dir, 'features/qualification/qual-04-documents.feature']);
  assert.equal(run.code, 0, run.out + run.err);
  const report = summary(dir);
  assert.equal(report.outcome, 'conformant');
  assert.equal(report.driver, 'http');
  assert.deepEqual(Object.keys(report.requirements), ['QUAL-04'], 'the selection defines the selected requirements');
  assert.deepEqual(report.requirements['QUAL-04'].scenarios, ['features/qualification/qual-04-documents.feature:6']);
  assert.match(report.provenance.harness, /^vigie \d+\.\d+\.\d+/);
  assert.match(report.provenance.config, /^sha256:/);
  for (const f of ['cucumber.json', 'cucumber.html', 'junit.xml']) assert.ok(existsSync(join(dir, f)), f);
  const allure = readdirSync(join(dir, 'allure-results'));
  assert.ok(
    allure.some((f) => f.endsWith('-result.json')),
    'allure results',
  );
  const soap = allure
    .filter((f) => f.includes('-attachment'))
    .map((f) => readFileSync(join(dir, 'allure-results', f), 'utf8'))
    .filter((t) => t.includes('rechercherInsAvecTraitsIdentite') && t.includes('RESULTAT'));
  assert.ok(soap.length > 0, 'the INSi exchange (request and answer) is attached');
  assert.match(run.out, /QUAL-04 +PASS/);
});

test('a seeded defect: exit 1, the failure names the requirement, expected and seen', async () => {
  const dir = tmp();
  const run = await vigie([
    'run',
    '--defect',
    'documents-list-incomplete',
    '--reports',
    dir,
    'features/qualification/qual-04-documents.feature',
  ]);
  assert.equal(run.code, 1, run.out + run.err);
  const report = summary(dir);
  assert.equal(report.outcome, 'not-conformant');
  assert.equal(report.requirements['QUAL-04'].verdict, 'fail');
  assert.deepEqual(report.defects, ['documents-list-incomplete']);
  assert.match(report.failures[0].message, /\[QUAL-04\] expected: exactly the 6 documents/);
  assert.match(report.failures[0].message, /missing: « Dispositif numérique d'identification\/authentification forte »/);
  // Allure: the categories a reviewer tells apart, and what the verdicts rest on.
  const categories = JSON.parse(readFileSync(join(dir, 'allure-results', 'categories.json'), 'utf8')) as {
    name: string;
    traceRegex?: string;
  }[];
  assert.equal(categories[0]!.name, 'Not conformant: a requirement seen broken');
  assert.match(report.failures[0].message, /^\[QUAL-04\]/);
  const environment = readFileSync(join(dir, 'allure-results', 'environment.properties'), 'utf8');
  assert.match(environment, /^Target=reference$/m);
  assert.match(environment, /^Harness=vigie /m);
  assert.match(environment, /^Driver=http$/m);
  // The scenario's Allure result: failed (not broken), the requirement and expected/seen first, evidence in the body.
  const results = readdirSync(join(dir, 'allure-results'))
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, 'allure-results', f), 'utf8')) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  const failed = results.find((r) => r.status === 'failed');
  assert.ok(failed, `a failed result among ${results.map((r) => r.status).join(', ')}`);
  assert.match(failed.statusDetails.message, /^QUAL-04 — .+\n[\s\S]*\n\nNOT CONFORMANT\n\[QUAL-04\] expected: exactly the 6 documents/);
  assert.doesNotMatch(failed.statusDetails.message, /\/steps\/|\/src\/|\bat \w+ \(/, 'no harness path or stack in the message');
  assert.match(failed.statusDetails.trace, /NonConformance/, 'the stack stays, as the trace');
  const label = (name: string) => failed.labels.filter((l: { name: string }) => l.name === name).map((l: { value: string }) => l.value);
  assert.deepEqual(label('epic'), ['QUAL']);
  assert.match(label('feature')[0], /^QUAL-04 — /);
  assert.deepEqual(label('story'), [failed.name]);
  assert.deepEqual(
    failed.parameters.filter((p: { name: string }) => ['target', 'driver'].includes(p.name)).map((p: { value: string }) => p.value),
    ['reference', 'http'],
  );
  assert.ok(
    failed.attachments.some((a: { name: string }) => /^INSi exchange #\d+\.xml$/.test(a.name)),
    'the evidence is in the test body, not the tear-down',
  );
});

test('an unreachable target: exit 2, said so quickly, outcome could-not-run', async () => {
  const dir = tmp();
  const server = createServer(); // a port that is surely closed once we close it
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  const cfg = join(dir, 'gone.json');
  writeFileSync(cfg, JSON.stringify({ name: 'gone', driver: 'http', baseUrl: `http://127.0.0.1:${port}` }));
  const run = await vigie(['run', '--target', cfg, '--reports', dir]);
  assert.equal(run.code, 2, run.out + run.err);
  assert.ok(run.ms < 30_000, `took ${run.ms} ms`);
  const report = summary(dir);
  assert.equal(report.outcome, 'could-not-run');
  assert.match(report.reasons.join(' '), /did not answer at http:\/\/127\.0\.0\.1:\d+ .*connection refused/);
  assert.match(
    readFileSync(join(dir, 'junit.xml'), 'utf8'),
    /<error message="could not run: the target &quot;gone&quot; did not answer/,
    'a run that could not start still writes its JUnit, one error testcase saying why',
  );
});

test('a target that accepts connections but never answers: exit 2 within its reach bound', async () => {
  const dir = tmp();
  const sockets: import('node:net').Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
  }); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const cfg = join(dir, 'silent.json');
  writeFileSync(cfg, JSON.stringify({ name: 'silent', driver: 'http', baseUrl: `http://127.0.0.1:${port}`, timeouts: { reachMs: 800 } }));
  try {
    const run = await vigie(['run', '--target', cfg, '--reports', dir]);
    assert.equal(run.code, 2, run.out + run.err);
    assert.match(summary(dir).reasons.join(' '), /within 800 ms: .*no answer within 800 ms/);
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
});

test('a malformed target configuration: exit 2, naming the key', async () => {
  const dir = tmp();
  const cfg = join(dir, 'typo.json');
  writeFileSync(cfg, JSON.stringify({ name: 'typo', driver: 'http', baseUrl: 'http://127.0.0.1:1', dubles: { host: '0.0.0.0' } }));
  const run = await vigie(['run', '--target', cfg]);
  assert.equal(run.code, 2, run.out + run.err);
  assert.match(run.err, /typo\.json: invalid target configuration:\n {2}- dubles: unknown key/);
});

test('bad usage: exit 2 with the reason; --help prints the options, exit 0', async () => {
  const run = await vigie(['run', '--tagz', '@INS-01']);
  assert.equal(run.code, 2, run.out + run.err);
  assert.match(run.err, /unknown option --tagz/);
  const help = await vigie(['run', '--help']);
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /--require-observed <all\|REQ,…>/);
  assert.match(help.out, /--defect <id>/);
});

test('a bad selection is said plainly, before anything starts: a malformed tag expression, a path that does not exist', async () => {
  const dir = tmp();
  const badTags = await vigie(['run', '--tags', '@INS-01 and (', '--reports', dir]);
  assert.equal(badTags.code, 2, badTags.out + badTags.err);
  assert.match(summary(dir).reasons.join(' '), /--tags "@INS-01 and \(" is not a valid tag expression: syntax error: Unmatched \(/);
  const badPath = await vigie(['run', '--reports', dir, 'features/nope']);
  assert.equal(badPath.code, 2, badPath.out + badPath.err);
  assert.match(summary(dir).reasons.join(' '), /no feature file or folder at .*features\/nope/);
});

test('vigie defects lists the seeded defects; vigie trace shows where a requirement is judged', async () => {
  const defects = await vigie(['defects']);
  assert.equal(defects.code, 0, defects.err);
  assert.match(defects.out, /qualify-in-three-clicks +lgc +QUAL-02/);
  const trace = await vigie(['trace', 'QUAL-02']);
  assert.equal(trace.code, 0, trace.err);
  assert.match(trace.out, /features\/qualification\/qual-02-one-click\.feature/);
  assert.match(trace.out, /steps\/qualification\.steps\.ts:\d+ +⇒ qualifiedInOneClick/);
  assert.match(trace.out, /qualifiedInOneClick +src\/oracles\/qualification\.ts:\d+/);
});

test('an unknown defect id: exit 2, named once', async () => {
  const dir = tmp();
  const run = await vigie(['run', '--defect', 'no-such-defect', '--reports', dir, 'features/qualification/qual-04-documents.feature']);
  assert.equal(run.code, 2, run.out + run.err);
  assert.match(summary(dir).reasons.join(' '), /--defect: unknown defect id\(s\): no-such-defect/);
});

test('vigie serve --plain-http: the INSi double standalone, on the host asked for, answering a real client request', async () => {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'vigie'),
      'serve',
      '--host',
      '127.0.0.2',
      '--insi-port',
      '0',
      '--dmp-port',
      '0',
      '--eprescription-port',
      '0',
      '--smtp-port',
      '0',
      '--pop3-port',
      '0',
      '--pop3s-port',
      '0',
      '--record',
      tmp(),
      '--plain-http', // TLS is tested in cli-messages.test.ts
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    const listening = await eventually(() => /listening: (http:\/\/127\.0\.0\.2:\d+\/insi)/.exec(out)?.[1], { ms: 20_000 });
    if (!listening.value) assert.fail(`serve did not start: ${out}`);
    const url = listening.value;
    const body = readFileSync(join(ROOT, 'fixtures', 'insi', 'requests', 'RECSANSVITALE-as-sent-by-padoa-client.xml'));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/soap+xml; charset=utf-8' }, body });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<CodeCR>01<\/CodeCR>/, 'DUPONT JEAN is not one of the invented people');
  } finally {
    child.kill('SIGTERM');
  }
});
