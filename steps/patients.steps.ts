import { Given } from '@cucumber/cucumber';
import { VigieWorld } from './support/world';

async function createFile(world: VigieWorld, name: string, opts: { today?: boolean; usedName?: string } = {}) {
  const patient = world.person(name);
  const file = { ...patient.file, ...(opts.usedName ? { usedName: opts.usedName } : {}) };
  const id = await world.arranged(`create the patient file of ${patient.id}`, () =>
    world.arrange.createPatient(file, opts.today ? [world.today()] : undefined),
  );
  world.state.patientIds.set(patient.id, id);
}

Given(/^(\S+ \S+) has a patient file$/, async function (this: VigieWorld, name: string) {
  await createFile(this, name);
});

Given(/^(\S+ \S+) has a patient file and is expected today$/, async function (this: VigieWorld, name: string) {
  await createFile(this, name, { today: true });
});

Given(/^(\S+ \S+) and (\S+ \S+) have a patient file and are expected today$/, async function (this: VigieWorld, a: string, b: string) {
  await createFile(this, a, { today: true });
  await createFile(this, b, { today: true });
});

Given(/^(\S+ \S+) has a patient file, with the used name "([^"]+)"$/, async function (this: VigieWorld, name: string, usedName: string) {
  await createFile(this, name, { usedName });
});
