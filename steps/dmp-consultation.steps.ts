import { Given, Then, When } from '@cucumber/cucumber';
import type { LgcDriver } from '../src/drivers/driver';
import type { Person } from '../src/fixtures/people';
import { asksNonOppositionWithReminder, consulted, notAskedAgain, notConsulted } from '../src/oracles/dmp-consultation';
import { ins15, queriesFor } from './support/observe';
import { VigieWorld, WORKSTATIONS } from './support/world';

// OPP-03, OPP-04: consulting the patient's DMP — the question the LGC asks (as shown) and the
// ITI-18 queries that reach the DMP double (observed).

async function consult(world: VigieWorld, patient: Person, nonOpposition?: boolean, driver: LgcDriver = world.driver) {
  world.state.dmpQueryMark = world.dmp.queries().length;
  const action = await world.act(
    `open the DMP of ${patient.id}${nonOpposition === undefined ? '' : ` (answer: ${nonOpposition ? 'does not oppose' : 'opposes'})`}`,
    () => driver.consultDmp(WORKSTATIONS.PS, world.patientId(patient), nonOpposition),
    { arranging: driver !== world.driver },
  );
  world.state.lastConsult = await world.resultOf(action);
  world.state.lastConsultDeclared = action.declaredFields;
}

When(/^the professional opens the DMP of (\S+ \S+)(?: for the first time| again)$/, async function (this: VigieWorld, name: string) {
  await consult(this, this.person(name));
});

When('the professional answers that the patient does not oppose', async function (this: VigieWorld) {
  await consult(this, this.current(), true);
});

Given(
  /^the professional has recorded that (\S+ \S+) (does not oppose|opposes) the consultation of (?:her|his) DMP$/,
  async function (this: VigieWorld, name: string, answer: string) {
    const patient = this.person(name);
    await consult(this, patient, undefined, this.arrange);
    await consult(this, patient, answer === 'does not oppose', this.arrange);
  },
);

const consultKind = (w: VigieWorld, ...fields: string[]) => w.screenKind({ declaredFields: w.state.lastConsultDeclared }, ...fields);

Then('the LGC asks whether the patient, informed beforehand, opposes the consultation', function (this: VigieWorld) {
  const consultation = this.state.lastConsult;
  if (!consultation) throw new Error('no consultation to judge');
  this.judge(asksNonOppositionWithReminder(consultation), consultKind(this, 'asked', 'question', 'reminder'));
});

Then(/^the LGC does not consult the DMP of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  // Watched as long as "the LGC consults the DMP" is waited for.
  const watched = await this.never('dmp', () => queriesFor(this, patient).length > 0);
  this.judge(notConsulted(patient.id, queriesFor(this, patient), watched.ms), 'observed');
});

Then(/^the LGC consults the DMP of (\S+ \S+)( without asking again)?$/, async function (this: VigieWorld, name: string, noAsk?: string) {
  const patient = this.person(name);
  if (noAsk) this.judge(notAskedAgain(this.state.lastConsult), consultKind(this, 'asked'));
  await this.eventually('dmp', () => queriesFor(this, patient).length > 0);
  this.judge(consulted(patient.id, ins15(patient), queriesFor(this, patient), this.boundOf('dmp')), 'observed');
});
