import { DataTable, Then, When } from '@cucumber/cucumber';
import { QualifyMethod, Workstation } from '../src/drivers/driver';
import { qualificationOffered } from '../src/oracles/identity-panel';
import {
  attestationOffered,
  attestationShownAtConfirmation,
  differencesHighlighted,
  documentsOffered,
  insQualified,
  qualificationRefused,
  qualifiedInOneClick,
} from '../src/oracles/qualification';
import { FourTraits, differingTraits } from '../src/oracles/traits';
import { HarnessError } from '../src/harness/verdict';
import { VigieWorld, WORKSTATIONS } from './support/world';

// QUAL-01…09: the qualification of the INS, as the user does it and sees it.

async function qualify(world: VigieWorld, ws: Workstation, method: QualifyMethod, document?: string) {
  const patient = world.current();
  const action = await world.act(`qualify the INS of ${patient.id}`, () =>
    world.driver.qualify(ws, world.patientId(patient), method, document),
  );
  world.state.lastQualify = await world.resultOf(action);
  world.state.lastQualifyDeclared = action.declaredFields;
}

const byWho: Record<string, Workstation> = {
  'the professional': WORKSTATIONS.PS,
  'the secretariat with a nominative CPE': WORKSTATIONS['secretariat-nominative'],
  'the secretariat with an anonymous CPE': WORKSTATIONS['secretariat-anonymous'],
};
const WHO = '(the professional|the secretariat with a nominative CPE|the secretariat with an anonymous CPE)';

When(new RegExp(`^${WHO} qualifies the INS naming the document "([^"]+)"$`), async function (this: VigieWorld, who: string, doc: string) {
  await qualify(this, byWho[who], 'document', doc);
});

When(new RegExp(`^${WHO} qualifies the INS through the exception procedure$`), async function (this: VigieWorld, who: string) {
  await qualify(this, byWho[who], 'exception');
});

const declaredQualify = (w: VigieWorld) => ({ declaredFields: w.state.lastQualifyDeclared });

Then(/^the LGC proposes to qualify the INS of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const identity = await this.driver.identity(this.patientId(patient), ['qualification.offered']);
  this.judge(qualificationOffered(patient.id, identity.value), this.screenKind(identity, 'qualification.offered'));
});

Then(/^the INS of (\S+ \S+) is qualified$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const identity = await this.driver.identity(this.patientId(patient), ['ins.status', 'ins.matricule']);
  this.judge(
    insQualified(patient.id, patient.insi.matricule, this.state.lastQualify, identity.value.ins),
    this.screenKind(identity, 'ins.status'),
  );
});

Then('qualifying took one click, without changing screen', function (this: VigieWorld) {
  // Counted by the ui driver itself (observed); reported by the LGC over the test-driver API (declared).
  this.judge(qualifiedInOneClick(this.state.lastQualify), this.screenKind(declaredQualify(this), 'clicks', 'screenChanges'));
});

Then('the qualification is refused', function (this: VigieWorld) {
  const attempt = this.state.lastQualify;
  if (!attempt) throw new Error('no qualification attempt to judge');
  this.judge(qualificationRefused(attempt), this.screenKind(declaredQualify(this), 'qualified'));
});

Then('the exception procedure offered on the identity panel reads exactly:', async function (this: VigieWorld, sentence: string) {
  const patient = this.current();
  const identity = await this.driver.identity(this.patientId(patient), ['qualification.exceptionProcedure']);
  const exception = identity.value.qualification.exceptionProcedure;
  this.judge(
    attestationOffered(sentence, exception?.offered, exception?.attestation),
    this.screenKind(identity, 'qualification.exceptionProcedure'),
  );
});

Then('at the moment of confirmation the LGC showed exactly:', function (this: VigieWorld, sentence: string) {
  this.judge(attestationShownAtConfirmation(sentence, this.state.lastQualify), this.screenKind(declaredQualify(this), 'shown'));
});

Then('the identity documents offered are exactly:', async function (this: VigieWorld, table: DataTable) {
  const patient = this.current();
  const identity = await this.driver.identity(this.patientId(patient), ['qualification.documents']);
  this.judge(
    documentsOffered(
      table.raw().map((r) => r[0]),
      identity.value.qualification.documents,
    ),
    this.screenKind(identity, 'qualification.documents'),
  );
});

const TRAITS: Record<string, keyof FourTraits> = {
  'birth name': 'birthName',
  'first name': 'firstName',
  'birth date': 'birthDate',
  sex: 'sex',
};

Then('the identity panel shows side by side, highlighting every difference:', async function (this: VigieWorld, table: DataTable) {
  const patient = this.current();
  const file = {} as FourTraits;
  const insi = {} as FourTraits;
  for (const r of table.hashes()) {
    const trait = TRAITS[r.trait];
    if (!trait) throw new Error(`unknown trait "${r.trait}" in the feature`);
    file[trait] = r.file;
    insi[trait] = r.INSi;
  }
  // The table's « highlighted » column says in words what the INS rules decide (src/oracles/traits.ts).
  const differ = differingTraits(file, insi);
  for (const r of table.hashes()) {
    if ((r.highlighted === 'yes') !== differ.includes(TRAITS[r.trait]))
      throw new HarnessError(
        `the feature's table says ${r.trait} is ${r.highlighted === 'yes' ? '' : 'not '}highlighted, which contradicts the INS rules`,
      );
  }
  // The names as the scenario's people carry them (attended mode gives each scenario its own).
  file.birthName = this.birthNameAsPlayed(file.birthName);
  insi.birthName = this.birthNameAsPlayed(insi.birthName);
  const identity = await this.driver.identity(this.patientId(patient), ['qualification.comparison']);
  this.judge(
    differencesHighlighted(file, insi, identity.value.qualification.comparison ?? []),
    this.screenKind(identity, 'qualification.comparison'),
  );
});
