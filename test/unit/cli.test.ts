/** The command line as a user meets it: exit codes 0/1/2, summary.json, reports, clear errors. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runVigie } from '../support/lgc';

const vigie = (args: string[], timeoutMs = 60_000) => runVigie(args, { timeoutMs });

const tmp = () => mkdtempSync(join(tmpdir(), 'vigie-cli-'));
const summary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

test('conformant reference on one feature: exit 0, summary and every report written', async () => {
  const dir = tmp();
  const r = await vigie(['run', '--reports', dir, 'features/qualification/qual-04-documents.feature']);
  assert.equal(r.code, 0, r.out + r.err);
  const s = summary(dir);
  assert.equal(s.outcome, 'conformant');
  assert.equal(s.driver, 'http');
  assert.deepEqual(Object.keys(s.requirements), ['QUAL-04'], 'the selection defines the selected requirements');
  assert.deepEqual(s.requirements['QUAL-04'].scenarios, ['features/qualification/qual-04-documents.feature:6']);
  assert.match(s.provenance.harness, /^vigie \d+\.\d+\.\d+/);
  assert.match(s.provenance.config, /^sha256:/);
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
  assert.match(r.out, /QUAL-04 +PASS/);
});

test('a seeded defect: exit 1, the failure names the requirement, expected and seen', async () => {
  const dir = tmp();
  const r = await vigie([
    'run',
    '--defect',
    'documents-list-incomplete',
    '--reports',
    dir,
    'features/qualification/qual-04-documents.feature',
  ]);
  assert.equal(r.code, 1, r.out + r.err);
  const s = summary(dir);
  assert.equal(s.outcome, 'not-conformant');
  assert.equal(s.requirements['QUAL-04'].verdict, 'fail');
  assert.deepEqual(s.defects, ['documents-list-incomplete']);
  assert.match(s.failures[0].message, /\[QUAL-04\] expected: exactly the 6 documents/);
  assert.match(s.failures[0].message, /missing: « Dispositif numérique d'identification\/authentification forte »/);
});

test('an unreachable target: exit 2, said so quickly, outcome could-not-run', async () => {
  const dir = tmp();
  const server = createServer(); // a port that is surely closed once we close it
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  const cfg = join(dir, 'gone.json');
  writeFileSync(cfg, JSON.stringify({ name: 'gone', driver: 'http', baseUrl: `http://127.0.0.1:${port}` }));
  const r = await vigie(['run', '--target', cfg, '--reports', dir]);
  assert.equal(r.code, 2, r.out + r.err);
  assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
  const s = summary(dir);
  assert.equal(s.outcome, 'could-not-run');
  assert.match(s.reasons.join(' '), /did not answer at http:\/\/127\.0\.0\.1:\d+ .*connection refused/);
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
    const r = await vigie(['run', '--target', cfg, '--reports', dir]);
    assert.equal(r.code, 2, r.out + r.err);
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
  const r = await vigie(['run', '--target', cfg]);
  assert.equal(r.code, 2);
  assert.match(r.err, /typo\.json: invalid target configuration:\n {2}- dubles: unknown key/);
});

test('bad usage: exit 2 with the reason; --help prints the options, exit 0', async () => {
  const r = await vigie(['run', '--tagz', '@INS-01']);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown option --tagz/);
  const h = await vigie(['run', '--help']);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /--require-observed <all\|REQ,…>/);
  assert.match(h.out, /--defect <id>/);
});

test('a bad selection is said plainly, before anything starts: a malformed tag expression, a path that does not exist', async () => {
  const dir = tmp();
  const t = await vigie(['run', '--tags', '@INS-01 and (', '--reports', dir]);
  assert.equal(t.code, 2, t.out + t.err);
  assert.match(summary(dir).reasons.join(' '), /--tags "@INS-01 and \(" is not a valid tag expression: syntax error: Unmatched \(/);
  const p = await vigie(['run', '--reports', dir, 'features/nope']);
  assert.equal(p.code, 2);
  assert.match(summary(dir).reasons.join(' '), /no feature file or folder at .*features\/nope/);
});

test('vigie defects lists the seeded defects; vigie trace shows where a requirement is judged', async () => {
  const d = await vigie(['defects']);
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /qualify-in-three-clicks +lgc +QUAL-02/);
  const t = await vigie(['trace', 'QUAL-02']);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /features\/qualification\/qual-02-one-click\.feature/);
  assert.match(t.out, /steps\/qualification\.steps\.ts:\d+ +⇒ qualifiedInOneClick/);
  assert.match(t.out, /qualifiedInOneClick +src\/oracles\/qualification\.ts:\d+/);
});

test('an unknown defect id: exit 2, named once', async () => {
  const dir = tmp();
  const r = await vigie(['run', '--defect', 'no-such-defect', '--reports', dir, 'features/qualification/qual-04-documents.feature']);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(summary(dir).reasons.join(' '), /--defect: unknown defect id\(s\): no-such-defect/);
});

test('vigie serve: the INSi double standalone, on the host asked for, answering a real client request', async () => {
  const p = spawn(process.execPath, [join(ROOT, 'bin', 'vigie'), 'serve', '--host', '127.0.0.2', '--insi-port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
      p.stdout.on('data', (b) => {
        out += b;
        const m = /listening: (http:\/\/127\.0\.0\.2:\d+\/insi)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const body = readFileSync(join(ROOT, 'fixtures', 'insi', 'requests', 'RECSANSVITALE-as-sent-by-padoa-client.xml'));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/soap+xml; charset=utf-8' }, body });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<CodeCR>01<\/CodeCR>/, 'DUPONT JEAN is not one of the invented people');
  } finally {
    p.kill('SIGTERM');
  }
});
