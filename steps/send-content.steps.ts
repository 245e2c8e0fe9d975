import { Then } from '@cucumber/cucumber';
import { documentIsTheValidatedOne, ValidatedDocument } from '../src/oracles/cda-content';
import { insOnlyIfQualified } from '../src/oracles/cda-conformity';
import { xdmCda } from './cda.steps';
import { receivedEntry } from './dmp-feeding.steps';
import { ins15 } from './support/observe';
import { VigieWorld, WORKSTATIONS } from './support/world';

// SEND-12: the document sent is the document validated — judged on what reached the DMP double
// or the operator (observed), against what the feature says the professional typed and who the
// professional and the patient are (never against what an LGC is known to produce).

function validated(world: VigieWorld, qualified: boolean): ValidatedDocument {
  const patient = world.current();
  const content = world.state.currentSpec?.content ?? {};
  return {
    lines: content.lines,
    vaccinations: content.vaccinations,
    problems: content.problems,
    treatments: content.treatments,
    allergies: content.allergies,
    authorId: WORKSTATIONS.PS.idNat!,
    patient: {
      ...(qualified ? { ins: ins15(patient) } : {}),
      birthName: patient.file.birthName,
      firstName: patient.file.firstName,
      birthDate: patient.file.birthDate,
    },
  };
}

Then('the document the DMP received is the one the professional validated', async function (this: VigieWorld) {
  const { entry, ref } = await receivedEntry(this);
  this.judge(documentIsTheValidatedOne(entry.content, validated(this, true), ref), 'observed');
});

Then(
  /^the CDA in the XDM package the operator received is the one the professional validated, for a (qualified|not qualified) identity$/,
  async function (this: VigieWorld, q: string) {
    const cda = await xdmCda(this);
    this.judge(documentIsTheValidatedOne(cda.content, validated(this, q === 'qualified'), cda.ref), 'observed');
  },
);

Then(
  /^the CDA in the XDM package the operator received identifies (\S+ \S+) by the local identifier alone$/,
  async function (this: VigieWorld, name: string) {
    this.person(name);
    const cda = await xdmCda(this);
    this.judge(insOnlyIfQualified(cda.content, { notQualified: true }, cda.ref), 'observed');
  },
);
