import { Given, When } from '@cucumber/cucumber';
import { Person } from '../src/fixtures/people';
import { VigieWorld, WORKSTATIONS } from './support/world';
import { concerns, describeExchanges } from './support/insi-match';

// The three INSi triggers of INS-03/04/05, as a user performs them. Each one marks the INSi
// traffic so that later steps judge only what this trigger caused.

async function openFile(w: VigieWorld, p: Person, driver = w.driver) {
  w.markInsi();
  await w.act(`open the patient file of ${p.id}`, () => driver.openPatientFile(WORKSTATIONS.PS, w.patientId(p)));
}

async function insertCard(w: VigieWorld, p: Person, where: string, driver = w.driver) {
  const ws = where.startsWith('secretariat') ? WORKSTATIONS['secretariat-nominative'] : WORKSTATIONS.PS;
  w.markInsi();
  const a = await w.act(`insert the Carte Vitale of ${p.id}`, () => driver.insertCarteVitale(ws, { ...p.vitale }));
  if (a.settled && a.value) w.patientIds.set(p.id, (a.value as { patientId: string }).patientId);
}

When(/^a professional opens the patient file of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  await openFile(this, this.person(name));
});

When(/^the Carte Vitale of (\S+ \S+) is inserted on the (professional's|secretariat's) workstation$/, async function (this: VigieWorld, name: string, where: string) {
  await insertCard(this, this.person(name), where);
});

When(/^the (professional|secretariat) starts the day on a workstation with a (CPS|nominative CPE)$/, async function (this: VigieWorld, who: string, card: string) {
  const ws = card === 'CPS' ? WORKSTATIONS.PS : WORKSTATIONS['secretariat-nominative'];
  if (who === 'professional' && card !== 'CPS') throw new Error('a professional works with a CPS');
  this.markInsi();
  await this.act('start the day', () => this.driver.startOfDay(ws, this.today()));
});

/** Waits until INSi has answered a request about `p` and the LGC shows an outcome for it. */
export async function insiAnswered(w: VigieWorld, p: Person, driver = w.driver): Promise<void> {
  const t = w.timeouts;
  const until = performance.now() + t.insiWaitMs;
  let answered = w.insiSinceMark().find((e) => concerns(e, p) && e.outcome !== 'held');
  while (!answered && performance.now() < until) {
    await w.insi.waitForExchanges(w.insi.exchanges().length + 1, Math.max(1, until - performance.now())).catch(() => undefined);
    answered = w.insiSinceMark().find((e) => concerns(e, p) && e.outcome !== 'held');
  }
  // Not a verdict: the scenario needs this to happen before it can judge its own requirement
  // (the requirements about the INSi call itself are judged by their own scenarios).
  if (!answered) {
    throw new Error(`could not set up the scenario: the LGC did not call INSi about ${p.id} within ${t.insiWaitMs} ms (${describeExchanges(w.insiSinceMark())})`);
  }
  const { ok, view } = await w.identityUntil(p, (v) => !!v.insi.lastCall && v.insi.lastCall.outcome !== 'pending', t.settleMs, driver);
  if (!ok) throw new Error(`could not set up the scenario: the identity panel of ${p.id} does not show the INSi outcome within ${t.settleMs} ms of INSi's answer (last call: ${JSON.stringify(view.insi.lastCall ?? null)})`);
}

/** Set-up: the patient's INS recovered from INSi, through the Carte Vitale (the trigger most LGCs have). */
export async function recoverIns(w: VigieWorld, p: Person): Promise<void> {
  await insertCard(w, p, "professional's", w.arrange);
  await insiAnswered(w, p, w.arrange);
  const v = (await w.arrange.identity(w.patientId(p))).value;
  if (v.ins.status !== 'recovered') throw new Error(`could not set up the scenario: expected a recovered INS for ${p.id}, the panel shows ${JSON.stringify(v.ins)}`);
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

/** Set-up: the patient's INS recovered through the Carte Vitale, then qualified by the PS with a passport. */
export async function qualifyIns(w: VigieWorld, p: Person): Promise<void> {
  await recoverIns(w, p);
  const q = (await w.arrange.qualify(WORKSTATIONS.PS, w.patientId(p), 'document', 'Passeport (français ou étranger)')).value;
  if (!q.qualified) throw new Error(`could not set up the scenario: the LGC refused to qualify ${p.id}: ${q.reason} ${q.message}`);
}

Given(/^the INS of (\S+ \S+) has already been qualified$/, async function (this: VigieWorld, name: string) {
  await qualifyIns(this, this.person(name));
});
