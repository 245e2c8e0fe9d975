/**
 * The parts of attended mode that need no person: the scenario identities (valid NIR keys, the
 * relations between sides kept, nothing shared between scenarios), the people a scenario names,
 * the session's task lifecycle (one at a time, bounded, journalled, paused) and the console's
 * refusal to show an expected answer before the person answers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { people } from '../../src/fixtures/people';
import { nirKey, peopleNamedIn, variantOf } from '../../src/drivers/attended/people';
import { AttendedSession, Journal } from '../../src/drivers/attended/session';
import { AttendedConsole } from '../../src/drivers/attended/console';
import { CannotJudge } from '../../src/harness/verdict';
import { browserProblem, closeBrowser, launchBrowser } from '../../src/drivers/ui/browser';
import { tempDir } from '../support/tmp';

test('nirKey gives the fixtures their keys, Corsica included', () => {
  for (const p of people()) assert.equal(nirKey(p.insi.matricule), p.insi.key, p.id);
  assert.equal(nirKey('184052A004017'), '17');
});

test("a scenario's identities: another person for every system, the same relations between file, INSi and card", () => {
  const seen = new Set<string>();
  for (const p of people())
    for (let k = 1; k <= 30; k++) {
      const copy = variantOf(p, k);
      assert.equal(nirKey(copy.insi.matricule), copy.insi.key);
      assert.equal(nirKey(copy.vitale.matricule), copy.vitale.key);
      assert.ok(!seen.has(copy.insi.matricule), `${p.id} #${k}: matricule shared`);
      seen.add(copy.insi.matricule);
      assert.equal(copy.insi.matricule === copy.vitale.matricule, p.insi.matricule === p.vitale.matricule);
      // What differs between the sides still differs, and what is equal is still equal.
      assert.equal(copy.file.birthName === copy.insi.birthName, p.file.birthName === p.insi.birthName, p.id);
      assert.equal(copy.file.firstName, p.file.firstName);
      assert.equal(copy.file.birthDate, p.file.birthDate);
      assert.match(copy.file.birthName, /^[A-Z' -]+$/);
    }
  assert.notEqual(variantOf(people()[0], 1).file.birthName, variantOf(people()[0], 2).file.birthName);
});

test('the people a scenario names, from its steps', () => {
  const found = peopleNamedIn([
    'Given Camille Legrand has a patient file',
    "When the Carte Vitale of Jean-Philippe Moreau is inserted on the professional's workstation",
    'Then the patient file of Camille Legrand shows the INS recovered from INSi',
  ]);
  assert.deepEqual(
    found.map((p) => p.id),
    ['camille-legrand', 'jean-philippe-moreau'],
  );
});

const task = { kind: 'question' as const, scenario: 's', step: 'st', title: 'Q', text: 'q', op: 'identity' };

test('a session gives one task at a time, journals its start, end and answers, and bounds the wait', async () => {
  const file = join(tempDir('vigie-session-'), 'attended', 'session.json');
  const session = new AttendedSession(file, 200);
  // Waits never keep a process alive on their own (src/harness/wait.ts): the console does, as in a run.
  const console = new AttendedConsole(session, { port: 0 });
  await console.start();
  test.after(() => console.stop());
  const asked = session.ask({ ...task, timed: true });
  await assert.rejects(session.ask(task), /already waiting/);
  const id = session.pendingTask()!.id;
  assert.ok(session.start(id));
  assert.ok(session.answer(id, { outcome: 'done', answers: { x: '1' }, attachments: [] }));
  const answer = await asked;
  assert.equal(answer.answers.x, '1');
  assert.ok(answer.startedAt !== undefined && answer.doneAt >= answer.startedAt);
  const journal = JSON.parse(readFileSync(file, 'utf8')) as Journal;
  assert.equal(journal.tasks[0].outcome, 'done');
  assert.ok(journal.tasks[0].startedAt && journal.tasks[0].doneAt);
  // Nobody answers: the task ends within its bound, as "not judged", never as the LGC's failure.
  const timedOut = await session.ask(task).catch((e: unknown) => e);
  assert.ok(timedOut instanceof CannotJudge, String(timedOut));
  assert.equal(session.journal.tasks[1].outcome, 'timed-out');
});

test('pausing ends the waiting task and refuses the next ones; the judged scenarios stay in the journal', async () => {
  const file = join(tempDir('vigie-session-'), 'session.json');
  const session = new AttendedSession(file, 60_000);
  const console = new AttendedConsole(session, { port: 0 });
  await console.start();
  test.after(() => console.stop());
  session.recordJudged('features/x.feature:3', { status: 'passed' });
  const asked = session.ask(task);
  session.pause();
  await assert.rejects(asked, /session paused/);
  await assert.rejects(session.ask(task), /session paused/);
  const resumed = new AttendedSession(file, 60_000, AttendedSession.load(file));
  assert.deepEqual(Object.keys(resumed.journal.judged), ['features/x.feature:3']);
  assert.equal(resumed.journal.paused, null);
  assert.throws(() => AttendedSession.load(join(__dirname, '..', '..', 'package.json')), /not an attended session journal/);
});

test('the console never shows the expected answer before the answer, and refuses an incomplete one', async () => {
  const session = new AttendedSession(join(tempDir('vigie-console-'), 'session.json'), 60_000);
  const console = new AttendedConsole(session, { port: 0 });
  const url = await console.start();
  try {
    const asked = session.ask({ ...task, fields: [{ name: 'shown', label: 'Recopiez', kind: 'text', expected: 'La phrase attendue' }] });
    const view = (await (await fetch(`${url}api/task`)).json()) as { task: { id: number; fields: Record<string, unknown>[] } };
    assert.ok(!JSON.stringify(view).includes('La phrase attendue'));
    const post = (body: unknown) => fetch(`${url}api/answer`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await post({ id: view.task.id, outcome: 'done', answers: {} })).status, 422);
    assert.equal((await post({ id: 999, outcome: 'done', answers: {} })).status, 409);
    assert.equal((await fetch(`${url}api/answer`, { method: 'POST', body: '{nope' })).status, 400);
    const done = (await (await post({ id: view.task.id, outcome: 'done', answers: { shown: 'Une autre phrase' } })).json()) as {
      expected: { expected: string; answer: string }[];
    };
    assert.deepEqual(done.expected[0], { label: 'Recopiez', expected: 'La phrase attendue', answer: 'Une autre phrase' });
    assert.equal((await asked).answers.shown, 'Une autre phrase');
    const page = await (await fetch(url)).text();
    assert.match(page, /<html lang="fr">/);
  } finally {
    await console.stop();
  }
});

test('a file the person gives (an exported CDA) reaches the driver whole; a typed answer is cut at 5 000 characters', async () => {
  const session = new AttendedSession(join(tempDir('vigie-console-'), 'session.json'), 60_000);
  const console = new AttendedConsole(session, { port: 0 });
  const url = await console.start();
  try {
    const asked = session.ask({
      ...task,
      fields: [
        { name: 'cda', label: 'CDA', kind: 'file' },
        { name: 'note', label: 'Note', kind: 'text', optional: true },
      ],
    });
    const view = (await (await fetch(`${url}api/task`)).json()) as { task: { id: number } };
    const cda = `<ClinicalDocument>${'x'.repeat(20_000)}</ClinicalDocument>`;
    const posted = await fetch(`${url}api/answer`, {
      method: 'POST',
      body: JSON.stringify({ id: view.task.id, outcome: 'done', answers: { cda, note: 'y'.repeat(6000) } }),
    });
    assert.equal(posted.status, 200);
    const answer = await asked;
    assert.equal(answer.answers.cda, cda);
    assert.equal(answer.answers.note.length, 5000);
  } finally {
    await console.stop();
  }
});

test("the console page's script parses (it lives in a template string, where a lost backslash breaks it)", async () => {
  const { consolePage } = await import('../../src/drivers/attended/console-page');
  const script = consolePage().split('<script>')[1].split('</script>')[0];
  assert.doesNotThrow(() => new Function(script));
});

test(
  'the console works with the keyboard alone: the first answer has the focus, Tab moves on, Enter answers',
  { skip: browserProblem() ?? false },
  async () => {
    const session = new AttendedSession(join(tempDir('vigie-console-'), 'session.json'), 60_000);
    const console = new AttendedConsole(session, { port: 0 });
    const url = await console.start();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(url);
      const asked = session.ask({
        ...task,
        fields: [
          { name: 'offered', label: 'Le logiciel propose-t-il de qualifier ?', kind: 'yesno' },
          { name: 'clicks', label: 'Combien de clics ?', kind: 'number' },
        ],
      });
      await page.waitForSelector('#task');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-field')), 'offered');
      await page.keyboard.press('Space'); // « Oui », the focused radio
      await page.keyboard.press('Tab'); // past the radio group, to the number
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-field')), 'clicks');
      await page.keyboard.type('1');
      await page.keyboard.press('Enter');
      const answer = await asked;
      assert.deepEqual(answer.answers, { offered: 'yes', clicks: '1' });
      // Readable on a laptop: nothing wider than the screen.
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 1366);
    } finally {
      await closeBrowser();
      await console.stop();
    }
  },
);
