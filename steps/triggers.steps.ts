import { Given, When } from '@cucumber/cucumber';
import type { LgcDriver } from '../src/drivers/driver';
import type { Person } from '../src/fixtures/people';
import { concerns, describeRequests } from '../src/oracles/insi-calls';
import { insiSinceMark, keysOf, markInsi } from './support/observe';
import { VigieWorld, WORKSTATIONS } from './support/world';

// The three INSi triggers of INS-03/04/05, as a user performs them, and the set-ups built on
// them. Each trigger marks the INSi traffic, so that later steps judge only what it caused.

async function openFile(w: VigieWorld, p: Person, driver: LgcDriver = w.driver) {
  markInsi(w);
  const open = () => driver.openPatientFile(WORKSTATIONS.PS, w.patientId(p));
  await w.act(`open the patient file of ${p.id}`, open, { replay: open, arranging: driver !== w.driver });
}

async function insertCard(w: VigieWorld, p: Person, where: string, driver: LgcDriver = w.driver) {
  const ws = where.startsWith('secretariat') ? WORKSTATIONS['secretariat-nominative'] : WORKSTATIONS.PS;
  markInsi(w);
  const insert = () => driver.insertCarteVitale(ws, { ...p.vitale });
  const a = await w.act(`insert the Carte Vitale of ${p.id}`, insert, { replay: insert, arranging: driver !== w.driver });
  if (a.settled && a.value) w.state.patientIds.set(p.id, a.value.patientId);
}

When(/^a professional opens the patient file of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  await openFile(this, this.person(name));
});

When(
  /^the Carte Vitale of (\S+ \S+) is inserted on the (professional's|secretariat's) workstation$/,
  async function (this: VigieWorld, name: string, where: string) {
    await insertCard(this, this.person(name), where);
  },
);

When(
  /^the (professional|secretariat) starts the day on a workstation with a (CPS|nominative CPE)$/,
  async function (this: VigieWorld, who: string, card: string) {
    const ws = card === 'CPS' ? WORKSTATIONS.PS : WORKSTATIONS['secretariat-nominative'];
    if (who === 'professional' && card !== 'CPS') throw new Error('a professional works with a CPS');
    markInsi(this);
    await this.act('start the day', () => this.driver.startOfDay(ws, this.today()));
  },
);

/** Set-up: INSi has answered a request about `p`, and the LGC shows an outcome for it. */
export async function insiAnswered(w: VigieWorld, p: Person, driver: LgcDriver = w.driver): Promise<void> {
  const answered = await w.eventually('insi', () =>
    w.insi
      .exchanges()
      .slice(w.state.insiMark)
      .find((e) => concerns({ seq: e.seq, operation: e.operation, ...e.request }, keysOf(p)) && e.outcome !== 'held'),
  );
  // Not a verdict: the scenario needs this before it can judge its own requirement (the requirements
  // about the INSi call itself are judged by their own scenarios).
  if (!answered.value)
    w.setupFailed(
      'the LGC did not call INSi about the patient',
      `${p.id}: ${describeRequests(insiSinceMark(w))} within ${w.boundOf('insi')} ms`,
    );
  const shown = await w.eventually(
    'screen',
    async () => {
      const v = (await driver.identity(w.patientId(p))).value;
      return v.insi.lastCall && v.insi.lastCall.outcome !== 'pending' ? v : undefined;
    },
    50,
  );
  if (!shown.value)
    w.setupFailed(
      'the identity panel does not show the outcome of the INSi call',
      `${p.id}, within ${w.boundOf('screen')} ms of INSi's answer`,
    );
}

/** Set-up: the patient's INS recovered from INSi, through the Carte Vitale (the trigger most LGCs have). */
export async function recoverIns(w: VigieWorld, p: Person): Promise<void> {
  await insertCard(w, p, "professional's", w.arrange);
  await insiAnswered(w, p, w.arrange);
  const v = (await w.arrange.identity(w.patientId(p))).value;
  if (v.ins.status !== 'recovered')
    w.setupFailed('the INS returned by INSi is not shown as recovered', `${p.id}: ${JSON.stringify(v.ins)}`);
}

/** Set-up: the patient's INS recovered through the Carte Vitale, then qualified by the PS with a passport. */
export async function qualifyIns(w: VigieWorld, p: Person): Promise<void> {
  await recoverIns(w, p);
  const q = (
    await w.arranged(`qualify the INS of ${p.id}`, () =>
      w.arrange.qualify(WORKSTATIONS.PS, w.patientId(p), 'document', 'Passeport (français ou étranger)'),
    )
  ).value;
  if (!q.qualified) w.setupFailed('the LGC refused to qualify an INS with a passport', `${p.id}: ${q.reason} ${q.message}`);
}

When(/^INSi has answered the LGC about (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  await insiAnswered(this, this.person(name));
});

Given(/^a professional has opened the patient file of (\S+ \S+) and INSi has answered$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  await openFile(this, p, this.arrange);
  await insiAnswered(this, p, this.arrange);
});

Given(/^INSi has already returned the INS of (\S+ \S+), which nobody qualified$/, async function (this: VigieWorld, name: string) {
  await recoverIns(this, this.person(name));
});

Given(/^the INS of (\S+ \S+) has already been qualified$/, async function (this: VigieWorld, name: string) {
  await qualifyIns(this, this.person(name));
});
