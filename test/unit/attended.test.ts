/**
 * Attended mode, played: `vigie run --driver attended` against the embedded reference, with a
 * robot playing the person (test/support/attended-person.ts) through the console and the
 * reference's web UI only. The verdicts must be the automated run's; the answers are attested
 * evidence; a wrong answer is an attested failure; the journal keeps every task with its times.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

/**
 * A free port below Linux's ephemeral range (32768–60999): a port the kernel hands out to other
 * sockets meanwhile (the automated run beside, other test files) cannot be taken from under us.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
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
  children.add(child);
  child.on('exit', () => children.delete(child));
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

interface Session {
  lie?: Parameters<typeof playPerson>[0]['lie'];
  onTask?: Parameters<typeof playPerson>[0]['onTask'];
  /** An earlier session's target file and reports folder (a resumed session). */
  target?: string;
  reports?: string;
}

async function attendedRun(selection: string[], session: Session = {}) {
  const dir = tempDir('vigie-attended-');
  const target = session.target ?? (await targetFile(dir));
  const reports = session.reports ?? join(dir, 'reports');
  let consoleUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (consoleUrl = resolve));
  const exited = vigie(['--target', target, ...selection, '--reports', reports], (line) => {
    const found = /open (http:\/\/127\.0\.0\.1:\d+\/) in your browser/.exec(line);
    if (found) consoleUrl(found[1]);
  });
  const browser = await launchBrowser();
  const first = await Promise.race([url, exited.then(() => '')]);
  assert.ok(first, 'the attended run printed its console URL');
  // The reference's UI address is what the set-up task shows the person.
  const page = await browser.newPage();
  await page.goto(first);
  const lgcUrl = (await page.locator('#task td[data-label^="Le logiciel"]').textContent({ timeout: 20_000 })) ?? '';
  await page.close();
  const played = await playPerson({
    browser,
    consoleUrl: first,
    lgcUrl: new URL(lgcUrl).origin,
    ended: exited,
    lie: session.lie,
    onTask: session.onTask,
    screenshots: true,
  });
  const code = await exited;
  const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as Summary;
  const journal = JSON.parse(readFileSync(join(reports, 'attended', 'session.json'), 'utf8')) as Journal;
  return { code, summary, journal, played, reports, target, consoleUrl: first };
}

async function automatedRun(selection: string[]) {
  const reports = join(tempDir('vigie-automated-'), 'reports');
  const code = await vigie([...selection, '--reports', reports]);
  return { code, summary: JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as Summary };
}

const verdicts = (s: Summary) =>
  Object.fromEntries(
    Object.entries(s.requirements)
      .filter(([, r]) => r.verdict !== 'not-selected')
      .map(([id, r]) => [id, r.verdict]),
  );

// A test that times out leaves its runs behind: they are killed, so the file (and npm test) ends.
const children = new Set<ChildProcess>();
test.after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await closeBrowser();
});

test(
  'an attended run of INS and QUAL scenarios, played through the reference UI, gives the automated verdicts on attested evidence',
  { skip, timeout: Number(process.env.VIGIE_ATTENDED_TIMEOUT_MS) || 300_000 },
  async () => {
    // VIGIE_ATTENDED_SELECTION (vigie run arguments, |-separated) plays another selection, e.g. features/ins|features/dmp.
    const selection = process.env.VIGIE_ATTENDED_SELECTION?.split('|') ?? ['--tags', '@INS-04 or @QUAL-05'];
    const [attended, automated] = await Promise.all([attendedRun(selection), automatedRun(selection)]);
    // VIGIE_ATTENDED_EVIDENCE=<file>: the evidence kinds each requirement got (docs/attended.md's table).
    if (process.env.VIGIE_ATTENDED_EVIDENCE)
      writeFileSync(
        process.env.VIGIE_ATTENDED_EVIDENCE,
        JSON.stringify(
          Object.fromEntries(Object.entries(attended.summary.requirements).map(([id, r]) => [id, [r.verdict, r.evidence]])),
          null,
          1,
        ),
      );
    assert.deepEqual(verdicts(attended.summary), verdicts(automated.summary), JSON.stringify(attended.summary.failures, null, 1));
    assert.equal(attended.code, automated.code);
    assert.equal(attended.summary.driver, 'attended');
    // Screen readings rest on the person's word; what reached INSi stays observed.
    const requirement = (id: string) => attended.summary.requirements[id] ?? { evidence: ['attested', 'observed'] };
    assert.ok(requirement('QUAL-05').evidence.includes('attested'), JSON.stringify(requirement('QUAL-05')));
    assert.ok(requirement('INS-04').evidence.includes('observed'));
    // The journal: every task, with its start and end; instructions and questions counted.
    const tasks = attended.journal.tasks;
    assert.ok(tasks.length >= 6, `${tasks.length} tasks`);
    // Done, or refused as the LGC refused (QUAL-05 expects the refusal, typed by the person).
    assert.ok(
      tasks.every((t) => t.doneAt && t.startedAt && (t.outcome === 'done' || t.outcome === 'refused')),
      JSON.stringify(tasks.filter((t) => !t.doneAt)),
    );
    assert.ok(tasks.filter((t) => t.outcome === 'refused').every((t) => t.message?.trim()));
    assert.ok(tasks.some((t) => t.kind === 'instruction') && tasks.some((t) => t.kind === 'question'));
    assert.ok(
      tasks.some((t) => t.attachments?.length),
      'the screenshots the person attached are kept',
    );
    assert.equal(attended.played.length, tasks.length);
    assert.ok(Object.keys(attended.journal.judged).length > 0);
  },
);

test(
  'a wrong answer by the person is an attested failure, with the answer as evidence; a skipped scenario is not judged, with its reason',
  { skip, timeout: 240_000 },
  async () => {
    // The person says the qualification took three clicks (it took one), then skips the second scenario.
    const lie = (op: string, answers: Record<string, string>) => (op === 'qualify' ? { ...answers, clicks: '3' } : undefined);
    let files = 0;
    const run = await attendedRun(['--tags', '@QUAL-02'], {
      lie,
      onTask: async (page, op) => {
        if (op !== 'createPatient' || ++files !== 2) return;
        page.once('dialog', (dialog) => void dialog.accept('pas de lecteur de carte sur ce poste'));
        await page.click('#skip');
        return 'leave';
      },
    });
    assert.equal(run.code, 1);
    assert.equal(run.summary.requirements['QUAL-02'].verdict, 'fail');
    assert.deepEqual(run.summary.requirements['QUAL-02'].evidence, ['attested']);
    const failure = run.summary.failures?.find((f) => f.requirements.includes('QUAL-02'));
    assert.match(failure?.message ?? '', /3 click/);
    const played: PlayedTask | undefined = run.played.find((t) => t.op === 'qualify');
    assert.equal(played?.answers.clicks, '3');
    assert.equal(run.summary.scenarios['not-judged'], 1);
    const skipped = run.journal.tasks.find((t) => t.outcome === 'skipped');
    assert.equal(skipped?.message, 'pas de lecteur de carte sur ce poste');
    const junit = readFileSync(join(run.reports, 'junit.xml'), 'utf8');
    assert.match(junit, /skipped by the person at the keyboard: pas de lecteur de carte sur ce poste/);
    assert.match(junit, /evidence: attested/);
  },
);

test(
  'a paused session leaves the rest not judged (exit 2); resumed, it plays only the rest and reports the whole selection',
  { skip, timeout: 240_000 },
  async () => {
    // The person pauses when the second scenario asks for its patient file.
    let files = 0;
    const first = await attendedRun(['--tags', '@QUAL-02'], {
      onTask: async (page, op) => {
        if (op !== 'createPatient' || ++files !== 2) return;
        await page.evaluate(() => fetch('/api/pause', { method: 'POST', body: '{}' }));
        return 'leave';
      },
    });
    assert.equal(first.code, 2);
    assert.equal(first.summary.scenarios.passed, 1);
    assert.equal(first.summary.scenarios['not-judged'], 1);
    assert.ok(first.journal.paused);
    assert.equal(Object.keys(first.journal.judged).length, 1);
    const resumed = await attendedRun(['--tags', '@QUAL-02', '--resume', join(first.reports, 'attended', 'session.json')], {
      target: first.target,
      reports: first.reports,
    });
    assert.equal(resumed.code, 0, JSON.stringify(resumed.summary.failures ?? resumed.summary.reasons));
    assert.equal(resumed.summary.scenarios.passed, 2);
    assert.equal(resumed.summary.requirements['QUAL-02'].verdict, 'pass');
    // Only the scenario not judged was played again (one patient file created this time).
    assert.equal(resumed.played.filter((t) => t.op === 'createPatient').length, 1);
    assert.equal(Object.keys(resumed.journal.judged).length, 2);
    assert.ok(resumed.journal.tasks.length > first.journal.tasks.length, 'the journal goes on');
  },
);

test(
  'a seeded defect only a person can see (a qualification in three clicks), answered truthfully: not conformant, the answer and the screenshot as evidence',
  { skip, timeout: 240_000 },
  async () => {
    const run = await attendedRun(['features/qualification/qual-02-one-click.feature:11', '--defect', 'qualify-in-three-clicks']);
    assert.equal(run.code, 1);
    assert.equal(run.summary.requirements['QUAL-02'].verdict, 'fail');
    assert.deepEqual(run.summary.requirements['QUAL-02'].evidence, ['attested']);
    const failure = run.summary.failures?.find((f) => f.requirements.includes('QUAL-02'));
    assert.match(failure?.message ?? '', /3 click/);
    // The robot answered what the screen showed; the person's screenshots went to the report.
    assert.ok(run.played.filter((t) => t.op === 'qualify').every((t) => t.answers.clicks === '3'));
    const evidence = readdirSync(join(run.reports, 'evidence'), { recursive: true }).map(String);
    assert.ok(
      evidence.some((f) => /attested screenshot/.test(f)),
      evidence.join('\n'),
    );
  },
);
