/**
 * What the command line says when something is wrong or asked for (issue: a CLI that explains
 * itself): each command's --help, a target file that is not JSON (line and column), and
 * `vigie serve` — its ports, one line and one file per exchange, a busy port named without a stack.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { within } from '../../src/harness/wait';
import { tlsPost } from '../support/http';
import { ROOT, runVigie, waitFor } from '../support/lgc';
import { tempDir } from '../support/tmp';

const SOAP = 'application/soap+xml; charset=utf-8';

const vigie = (args: string[]) => runVigie(args, { timeoutMs: 30_000 });
const tmp = () => tempDir('vigie-cli-messages-');

test('every command answers --help with its own options, exit 0', async () => {
  const expected: Record<string, RegExp[]> = {
    run: [/--target/, /--require-observed/],
    serve: [
      /--insi-port <port> +INSi double.*default 8701/,
      /--dmp-port/,
      /--eprescription-port/,
      /--smtp-port/,
      /--pop3-port/,
      /--pop3s-port/,
      /--record/,
    ],
    report: [/--reports <dir>/],
    bench: [/--target/],
    doctor: [/--dry-run/],
    trace: [/vigie trace <REQ>/],
    defects: [/seeded defects/],
    diff: [/--format <text\|json\|markdown\|junit>/, /Exit 1\s+when a requirement regressed/],
  };
  for (const [command, patterns] of Object.entries(expected)) {
    const reply = await vigie([command, '--help']);
    assert.equal(reply.code, 0, `${command} --help: ${reply.err}`);
    for (const pattern of patterns) assert.match(reply.out, pattern, `${command} --help`);
  }
});

test('a target file that is not JSON: the line and column of the fault, exit 2, no stack', async () => {
  const file = join(tmp(), 'broken.json');
  writeFileSync(file, '{\n  "name": "broken",\n  "driver": "http"\n  "baseUrl": "http://127.0.0.1:1"\n}\n');
  const reply = await vigie(['run', '--target', file]);
  assert.equal(reply.code, 2, reply.out + reply.err);
  assert.match(reply.err, /broken\.json: not valid JSON: line 4, column 3: unexpected "\\"baseUrl\\"/);
  assert.doesNotMatch(reply.err, /\n\s+at /, 'no stack trace');
});

interface Served {
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  stop: () => void;
}
function serve(args: string[]): Served {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'vigie'), 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exited, stop: () => child.kill('SIGTERM') };
}
const FREE_PORTS = [
  ...['--insi-port', '0', '--dmp-port', '0', '--eprescription-port', '0'],
  ...['--smtp-port', '0', '--pop3-port', '0', '--pop3s-port', '0'],
];

test('vigie serve: TLS as the real services (PKI exported), one console line and one JSON file per exchange, a refused handshake said', async () => {
  const record = tmp();
  const served = serve([...FREE_PORTS, '--record', record]);
  try {
    const url = (await waitFor(
      "serve's banner",
      () => /INSi double \(SOAP 1\.2\) listening: (https:\/\/127\.0\.0\.1:\d+\/insi)/.exec(served.out())?.[1],
      Boolean,
      45_000, // ts-node compiles the CLI first: slow on a busy machine
    ))!;
    const p12 = /client certificate: (\S+\.p12) \(PKCS#12, password "([^"]+)"\)/.exec(served.out());
    const ca = /trust store: (\S+\.pem)/.exec(served.out());
    assert.ok(p12 && ca, `the banner names the files to install: ${served.out()}`);
    const body = readFileSync(join(ROOT, 'fixtures', 'insi', 'requests', 'RECSANSVITALE-as-sent-by-padoa-client.xml'));
    // As a vendor's LGC would: the exported PKCS#12 and CA.
    const reply = await tlsPost(`${url}/cabinet-a`, body, SOAP, { pfx: readFileSync(p12[1]), passphrase: p12[2], ca: readFileSync(ca[1]) });
    assert.equal(reply.status, 200, reply.error);
    const line = (await waitFor(
      'a console line for the exchange',
      () =>
        served
          .out()
          .split('\n')
          .find((l) => /INSi double +tenant cabinet-a +#\d+ .*→ answered/.test(l)),
      Boolean,
      5000,
    ))!;
    assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} /, 'the line starts with the time');
    const files = readdirSync(record).filter((name) => name.endsWith('.json'));
    assert.equal(files.length, 1, `one file in ${record}: ${files.join(', ')}`);
    const kept = JSON.parse(readFileSync(join(record, files[0]), 'utf8'));
    assert.equal(kept.tenant, 'cabinet-a');
    assert.equal(kept.outcome, 'answered');
    assert.match(kept.clientCertificate?.subject ?? '', /LGC under test/);
    assert.match(kept.request.raw ?? JSON.stringify(kept.request), /RECSANSVITALE|rechercherInsAvecTraitsIdentite|Nom/);
    // Without a client certificate: refused, and said on the console.
    const refused = await tlsPost(`${url}/cabinet-a`, body, SOAP, { ca: readFileSync(ca[1]) });
    assert.equal(refused.status, undefined);
    await waitFor(
      'the refusal line',
      () => /TLS handshake refused from 127\.0\.0\.1:\d+: no client certificate/.test(served.out()),
      Boolean,
      5000,
    );
  } finally {
    served.stop();
    await served.exited;
  }
});

test('vigie serve on a busy port: exit 2, the double and the port named, the option that moves it, no stack', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  const port = (busy.address() as { port: number }).port;
  const served = serve([...FREE_PORTS.slice(2), '--insi-port', String(port), '--record', tmp()]);
  try {
    const code = await within(served.exited, 60_000);
    assert.ok(code.settled, `serve exits at once on a busy port; stderr: ${served.err()}`);
    assert.equal(code.value, 2);
    assert.match(
      served.err(),
      new RegExp(`the INSi double cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use \\(move it with --insi-port\\)`),
    );
    assert.doesNotMatch(served.err(), /\n\s+at /, 'no stack trace');
  } finally {
    served.stop(); // when it did not exit by itself, the test must not hang on it
    busy.close();
  }
});

test('vigie validate without a rule pack: the other layers judge and the text says the ANS schematrons were not run', async () => {
  const dir = tmp();
  const doc = join(dir, 'doc.xml');
  writeFileSync(doc, readFileSync(join(ROOT, 'fixtures', 'cda', 'header-ok.xml')));
  const reply = await runVigie(['validate', doc], { timeoutMs: 60_000, env: { VIGIE_RULES: 'none' } });
  assert.match(reply.err, /no ANS rule pack found .*: the ANS schematrons are not run/);
  assert.match(reply.out, /no ANS rule pack: .* the ANS schematrons were not run/);
  assert.match(reply.out, /1 document\(s\)/);
  const empty = tmp();
  const none = await runVigie(['validate', empty], { timeoutMs: 30_000 });
  assert.equal(none.code, 2, none.out + none.err);
  assert.match(none.err, new RegExp(`no \\.xml document found in ${empty}`));
});

test('vigie report turns results holding XML evidence into the HTML report without a Java stack trace', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const results = join(dir, 'allure-results');
  mkdirSync(results);
  // One result with a CDA attachment (*.xml): Allure's JUnit reader used to parse it as a test report.
  writeFileSync(join(results, 'a1-attachment.xml'), '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>VSM</title></ClinicalDocument>');
  writeFileSync(
    join(results, 'r1-result.json'),
    JSON.stringify({
      uuid: 'r1',
      historyId: 'h1',
      name: 'A scenario with a CDA',
      status: 'passed',
      stage: 'finished',
      start: 1,
      stop: 2,
      attachments: [{ name: 'CDA', source: 'a1-attachment.xml', type: 'application/xml' }],
      labels: [],
      steps: [],
    }),
  );
  const reply = await runVigie(['report', '--reports', dir], { timeoutMs: 110_000 });
  assert.equal(reply.code, 0, reply.err);
  assert.doesNotMatch(reply.out + reply.err, /Exception|\tat /);
  assert.match(reply.out, /Allure report: .*index\.html/);
  assert.equal(readdirSync(join(dir, 'allure-report', 'data', 'test-cases')).length, 1);
});
