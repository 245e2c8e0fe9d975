import { Then } from '@cucumber/cucumber';
import { identityNotQualified, insRecoveredShown, insiOutcomeRecorded } from '../src/oracles/identity-panel';
import { insiCalledFor, insiCalledWithCard, insiCalledWithFileTraits, insiNotCalledFor, concerns } from '../src/oracles/insi-calls';
import { verdict } from '../src/oracles/verdict';
import { judgeHeldAction } from './support/held';
import { insiSinceMark, keysOf } from './support/observe';
import { VigieWorld } from './support/world';

// INS-01…07: what reaches the INSi double (observed), the times Vigie measures (observed), and the
// identity panel as the LGC shows it (observed on screen, declared through the test-driver API).

async function lookedUp(world: VigieWorld, name: string) {
  const patient = world.person(name);
  const seen = await world.eventually('insi', () => insiSinceMark(world).find((r) => concerns(r, keysOf(patient))));
  world.judge(insiCalledFor(keysOf(patient), seen.value ? [seen.value] : insiSinceMark(world), world.boundOf('insi')), 'observed');
}

Then(
  /^the LGC looks up the INS of (\S+ \S+) with INSi, without any other action from the user$/,
  async function (this: VigieWorld, name: string) {
    await lookedUp(this, name);
  },
);

Then(/^the LGC looks up the INS of (\S+ \S+) and (\S+ \S+) with INSi$/, async function (this: VigieWorld, a: string, b: string) {
  await lookedUp(this, a);
  await lookedUp(this, b);
});

Then(/^the LGC looks up the INS with INSi using the data of (\S+ \S+)'s Carte Vitale$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  await this.eventually('insi', () => insiSinceMark(this).find((r) => concerns(r, keysOf(patient))));
  this.judge(insiCalledWithCard(keysOf(patient), patient.vitale, insiSinceMark(this), this.boundOf('insi')), 'observed');
});

Then(/^the LGC looks up the INS with INSi using the identity traits of (\S+ \S+)'s file$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  await this.eventually('insi', () => insiSinceMark(this).find((r) => concerns(r, keysOf(patient))));
  this.judge(insiCalledWithFileTraits(keysOf(patient), patient.file, insiSinceMark(this), this.boundOf('insi')), 'observed');
});

Then(/^the LGC does not call INSi for (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  // Watched as long as "the LGC calls INSi" is waited for.
  const watched = await this.never('insi', () => insiSinceMark(this).find((r) => concerns(r, keysOf(patient))));
  this.judge(insiNotCalledFor(keysOf(patient), insiSinceMark(this), watched.ms), 'observed');
});

Then(/^the LGC answers the user within (\d+) ms while INSi has not answered$/, async function (this: VigieWorld, bound: string) {
  const action = this.state.lastAction;
  if (!action) throw new Error('no action to judge');
  const held = await this.eventually('insi', () => this.insi.heldCount() > 0);
  if (!held.value)
    this.setupFailed('the LGC did not call INSi, so no answer was held', `after « ${action.label} », within ${this.boundOf('insi')} ms`);
  await judgeHeldAction(this, action, 'INSi', Number(bound));
});

Then(
  /^the patient file of (\S+ \S+) can be read within (\d+) ms while INSi has not answered$/,
  async function (this: VigieWorld, name: string, bound: string) {
    const patient = this.person(name);
    const read = () => this.driver.identity(this.patientId(patient), ['ins.status']);
    const action = await this.act(`read the patient file of ${patient.id}`, read, { replay: read });
    await judgeHeldAction(this, action, 'INSi', Number(bound));
    this.judge(
      verdict(this.insi.heldCount() > 0, 'INSi still holding its answer while the file was read', 'INSi had already answered'),
      'observed',
    );
  },
);

Then(/^the patient file of (\S+ \S+) shows the INS recovered from INSi$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const seen = await this.eventually(
    'screen',
    async () => {
      const identity = await this.driver.identity(this.patientId(patient), ['ins.status', 'ins.matricule']);
      return insRecoveredShown(patient.id, patient.insi.matricule, identity.value, 0).status === 'pass' ? identity : undefined;
    },
    50,
  );
  const last = seen.value ?? (await this.driver.identity(this.patientId(patient), ['ins.status', 'ins.matricule']));
  this.judge(
    insRecoveredShown(patient.id, patient.insi.matricule, last.value, this.boundOf('screen')),
    this.screenKind(last, 'ins.status', 'ins.matricule'),
  );
});

Then(
  /^the patient file of (\S+ \S+) records that INSi answered "([a-z-]+)"$/,
  async function (this: VigieWorld, name: string, outcome: string) {
    const patient = this.person(name);
    const seen = await this.eventually(
      'screen',
      async () => {
        const identity = await this.driver.identity(this.patientId(patient), ['insi.lastCall']);
        return identity.value.insi.lastCall?.outcome === outcome ? identity : undefined;
      },
      50,
    );
    const last = seen.value ?? (await this.driver.identity(this.patientId(patient), ['insi.lastCall']));
    this.judge(insiOutcomeRecorded(outcome, last.value, this.boundOf('screen')), this.screenKind(last, 'insi.lastCall.outcome'));
  },
);

Then(/^the identity of (\S+ \S+) is not qualified$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const action = await this.act(`read the patient file of ${patient.id}`, () =>
    this.driver.identity(this.patientId(patient), ['ins.status']),
  );
  const identity = await this.resultOf(action);
  this.judge(identityNotQualified(patient.id, identity), this.screenKind(action, 'ins.status'));
});
