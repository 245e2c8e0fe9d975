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

function validated(w: VigieWorld, qualified: boolean): ValidatedDocument {
  const p = w.current();
  const c = w.state.currentSpec?.content ?? {};
  return {
    lines: c.lines,
    vaccinations: c.vaccinations,
    problems: c.problems,
    treatments: c.treatments,
    allergies: c.allergies,
    authorId: WORKSTATIONS.PS.idNat!,
    patient: {
      ...(qualified ? { ins: ins15(p) } : {}),
      birthName: p.file.birthName,
      firstName: p.file.firstName,
      birthDate: p.file.birthDate,
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
    const d = await xdmCda(this);
    this.judge(documentIsTheValidatedOne(d.content, validated(this, q === 'qualified'), d.ref), 'observed');
  },
);

Then(
  /^the CDA in the XDM package the operator received identifies (\S+ \S+) by the local identifier alone$/,
  async function (this: VigieWorld, name: string) {
    this.person(name);
    const d = await xdmCda(this);
    this.judge(insOnlyIfQualified(d.content, { notQualified: true }, d.ref), 'observed');
  },
);
