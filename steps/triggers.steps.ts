import { Given, When } from '@cucumber/cucumber';
import type { LgcDriver } from '../src/drivers/driver';
import type { Person } from '../src/fixtures/people';
import { concerns, describeRequests } from '../src/oracles/insi-calls';
import { insiSinceMark, keysOf, markInsi } from './support/observe';
import { VigieWorld, WORKSTATIONS } from './support/world';

// The three INSi triggers of INS-03/04/05, as a user performs them, and the set-ups built on
// them. Each trigger marks the INSi traffic, so that later steps judge only what it caused.

async function openFile(world: VigieWorld, patient: Person, driver: LgcDriver = world.driver) {
  markInsi(world);
  const open = () => driver.openPatientFile(WORKSTATIONS.PS, world.patientId(patient));
  await world.act(`open the patient file of ${patient.id}`, open, { replay: open, arranging: driver !== world.driver });
}

async function insertCard(world: VigieWorld, patient: Person, where: string, driver: LgcDriver = world.driver) {
  const ws = where.startsWith('secretariat') ? WORKSTATIONS['secretariat-nominative'] : WORKSTATIONS.PS;
  markInsi(world);
  const insert = () => driver.insertCarteVitale(ws, { ...patient.vitale });
  const action = await world.act(`insert the Carte Vitale of ${patient.id}`, insert, {
    replay: insert,
    arranging: driver !== world.driver,
  });
  if (action.settled && action.value) world.state.patientIds.set(patient.id, action.value.patientId);
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

// SEND-07 proves that the INSi call still runs after a refused switch-off by two triggers at once:
// an LGC that lacks one of them is judged on it by INS-03 or INS-04, not here.
When(
  /^(\S+ \S+) comes to the practice: the Carte Vitale is inserted, then the patient file opened$/,
  async function (this: VigieWorld, name: string) {
    const patient = this.person(name);
    await insertCard(this, patient, "professional's");
    const mark = this.state.insiMark;
    await openFile(this, patient);
    this.state.insiMark = mark; // what either trigger caused
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
export async function insiAnswered(world: VigieWorld, patient: Person, driver: LgcDriver = world.driver): Promise<void> {
  const answered = await world.eventually('insi', () =>
    world.insi
      .exchanges()
      .slice(world.state.insiMark)
      .find((e) => concerns({ seq: e.seq, operation: e.operation, ...e.request }, keysOf(patient)) && e.outcome !== 'held'),
  );
  // Not a verdict: the scenario needs this before it can judge its own requirement (the requirements
  // about the INSi call itself are judged by their own scenarios).
  if (!answered.value)
    world.setupFailed(
      'the LGC did not call INSi about the patient',
      `${patient.id}: ${describeRequests(insiSinceMark(world))} within ${world.boundOf('insi')} ms`,
    );
  const shown = await world.eventually(
    'screen',
    async () => {
      const identity = (await driver.identity(world.patientId(patient), ['insi.lastCall'])).value;
      return identity.insi.lastCall && identity.insi.lastCall.outcome !== 'pending' ? identity : undefined;
    },
    50,
  );
  if (!shown.value)
    world.setupFailed(
      'the identity panel does not show the outcome of the INSi call',
      `${patient.id}, within ${world.boundOf('screen')} ms of INSi's answer`,
    );
}

/** Set-up: the patient's INS recovered from INSi, through the Carte Vitale (the trigger most LGCs have). */
export async function recoverIns(world: VigieWorld, patient: Person): Promise<void> {
  await insertCard(world, patient, "professional's", world.arrange);
  await insiAnswered(world, patient, world.arrange);
  const identity = (await world.arrange.identity(world.patientId(patient), ['ins.status', 'ins.matricule'])).value;
  if (identity.ins.status !== 'recovered')
    world.setupFailed('the INS returned by INSi is not shown as recovered', `${patient.id}: ${JSON.stringify(identity.ins)}`);
}

/** Set-up: the patient's INS recovered through the Carte Vitale, then qualified by the PS with a passport. */
export async function qualifyIns(world: VigieWorld, patient: Person): Promise<void> {
  await recoverIns(world, patient);
  const result = (
    await world.arranged(`qualify the INS of ${patient.id}`, () =>
      world.arrange.qualify(WORKSTATIONS.PS, world.patientId(patient), 'document', 'Passeport (français ou étranger)'),
    )
  ).value;
  if (!result.qualified)
    world.setupFailed('the LGC refused to qualify an INS with a passport', `${patient.id}: ${result.reason} ${result.message}`);
}

When(/^INSi has answered the LGC about (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  await insiAnswered(this, this.person(name));
});

Given(/^a professional has opened the patient file of (\S+ \S+) and INSi has answered$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  await openFile(this, patient, this.arrange);
  await insiAnswered(this, patient, this.arrange);
});

Given(/^INSi has already returned the INS of (\S+ \S+), which nobody qualified$/, async function (this: VigieWorld, name: string) {
  await recoverIns(this, this.person(name));
});

Given(/^the INS of (\S+ \S+) has already been qualified$/, async function (this: VigieWorld, name: string) {
  await qualifyIns(this, this.person(name));
});
