/**
 * Attended mode, played: `vigie run --driver attended` against the embedded reference, with a
 * robot playing the person (test/support/attended-person.ts) through the console and the
 * reference's web UI only. The verdicts must be the automated run's; the answers are attested
 * evidence; a wrong answer is an attested failure; the journal keeps every task with its times.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import test from 'node:test';
import { browserProblem, closeBrowser, launchBrowser } from '../../src/drivers/ui/browser';
import type { Journal } from '../../src/drivers/attended/session';
import type { Summary } from '../../src/report/summary';
import { PlayedTask, playPerson } from '../support/attended-person';
import { tempDir } from '../support/tmp';

const ROOT = join(__dirname, '..', '..');
const skip = browserProblem() ?? false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function targetFile(dir: string): Promise<string> {
  const [insi, dmp, eprescription, smtp, pop3, console] = await Promise.all(Array.from({ length: 6 }, freePort));
  const file = join(dir, 'attended-test.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'attended-test',
      driver: 'attended',
      embedded: true,
      doubles: {
        insi: { port: insi },
        dmp: { port: dmp },
        eprescription: { port: eprescription },
        mss: { smtpPort: smtp, pop3Port: pop3 },
      },
      attended: { port: console, taskMinutes: 2 },
      timeouts: { insiWaitMs: 1500, dmpWaitMs: 1500, mssWaitMs: 1500, retryWindowMs: 5000 },
    }),
  );
  return file;
}

/** Runs vigie; resolves with its exit code; `onLine` sees its stdout lines as they come. */
function vigie(args: string[], onLine: (line: string) => void = () => {}): Promise<number | null> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'vigie'), 'run', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function attendedRun(tags: string, lie?: Parameters<typeof playPerson>[0]['lie']) {
  const dir = tempDir('vigie-attended-');
  const target = await targetFile(dir);
  const reports = join(dir, 'reports');
  let consoleUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (consoleUrl = resolve));
  let lgcUrl = '';
  const exited = vigie(['--target', target, '--tags', tags, '--reports', reports], (line) => {
    const found = /open (http:\/\/127\.0\.0\.1:\d+\/) in your browser/.exec(line);
    if (found) consoleUrl(found[1]);
  });
  const browser = await launchBrowser();
  const first = await Promise.race([url, exited.then(() => '')]);
  assert.ok(first, 'the attended run printed its console URL');
  // The reference's UI address is what the set-up task shows the person.
  const page = await browser.newPage();
  await page.goto(first);
  lgcUrl = (await page.locator('#task td[data-label^="Le logiciel"]').textContent({ timeout: 20_000 })) ?? '';
  await page.close();
  const played = await playPerson({ browser, consoleUrl: first, lgcUrl: new URL(lgcUrl).origin, ended: exited, lie, screenshots: true });
  const code = await exited;
  const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as Summary;
  const journal = JSON.parse(readFileSync(join(reports, 'attended', 'session.json'), 'utf8')) as Journal;
  return { code, summary, journal, played, reports };
}

async function automatedRun(tags: string) {
  const reports = join(tempDir('vigie-automated-'), 'reports');
  const code = await vigie(['--tags', tags, '--reports', reports]);
  return { code, summary: JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as Summary };
}

const verdicts = (s: Summary) =>
  Object.fromEntries(
    Object.entries(s.requirements)
      .filter(([, r]) => r.verdict !== 'not-selected')
      .map(([id, r]) => [id, r.verdict]),
  );

test.after(() => closeBrowser());

test(
  'an attended run of INS and QUAL scenarios, played through the reference UI, gives the automated verdicts on attested evidence',
  { skip, timeout: 300_000 },
  async () => {
    const tags = '@INS-04 or @QUAL-02 or @QUAL-05';
    const [attended, automated] = await Promise.all([attendedRun(tags), automatedRun(tags)]);
    assert.deepEqual(verdicts(attended.summary), verdicts(automated.summary));
    assert.equal(attended.code, automated.code);
    assert.equal(attended.summary.driver, 'attended');
    // Screen readings rest on the person's word; what reached INSi stays observed.
    assert.ok(
      attended.summary.requirements['QUAL-02'].evidence.includes('attested'),
      JSON.stringify(attended.summary.requirements['QUAL-02']),
    );
    assert.ok(attended.summary.requirements['INS-04'].evidence.includes('observed'));
    // The journal: every task, with its start and end; instructions and questions counted.
    const tasks = attended.journal.tasks;
    assert.ok(tasks.length >= 6, `${tasks.length} tasks`);
    // Done, or refused as the LGC refused (QUAL-05 expects the refusal, typed by the person).
    assert.ok(
      tasks.every((t) => t.doneAt && t.startedAt && (t.outcome === 'done' || t.outcome === 'refused')),
      JSON.stringify(tasks.filter((t) => !t.doneAt)),
    );
    assert.ok(
      tasks.filter((t) => t.outcome === 'refused').every((t) => t.op === 'qualify' && /Qualification impossible/.test(t.message ?? '')),
    );
    assert.ok(tasks.some((t) => t.kind === 'instruction') && tasks.some((t) => t.kind === 'question'));
    assert.ok(
      tasks.some((t) => t.attachments?.length),
      'the screenshots the person attached are kept',
    );
    assert.equal(attended.played.length, tasks.length);
    assert.ok(Object.keys(attended.journal.judged).length > 0);
  },
);

test('a wrong answer by the person is an attested failure, with the answer as evidence', { skip, timeout: 240_000 }, async () => {
  // The person says the qualification took three clicks (it took one).
  const lie = (op: string, answers: Record<string, string>) => (op === 'qualify' ? { ...answers, clicks: '3' } : undefined);
  const run = await attendedRun('@QUAL-02', lie);
  assert.equal(run.code, 1);
  assert.equal(run.summary.requirements['QUAL-02'].verdict, 'fail');
  assert.deepEqual(run.summary.requirements['QUAL-02'].evidence, ['attested']);
  const failure = run.summary.failures?.find((f) => f.requirements.includes('QUAL-02'));
  assert.match(failure?.message ?? '', /3 click/);
  const played: PlayedTask | undefined = run.played.find((t) => t.op === 'qualify');
  assert.equal(played?.answers.clicks, '3');
});
