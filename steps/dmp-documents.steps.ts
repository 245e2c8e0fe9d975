import { DataTable, Given, When } from '@cucumber/cucumber';
import type { DocumentType, LgcDriver } from '../src/drivers/driver';
import type { Person } from '../src/fixtures/people';
import { describeSubmissions } from '../src/oracles/dmp-feeding';
import { DocumentSpec, documentFromTable, documentNamed } from './support/documents';
import { markDmp, submissionsFor, submissionsSinceMark } from './support/observe';
import { VigieWorld, WORKSTATIONS } from './support/world';
import { qualifyIns } from './triggers.steps';

// What the professional does with documents (write, oppose, mask, validate) and how the DMP and
// the ordonnance numérique service are set to answer. The verdicts are in dmp-feeding.steps.ts.

const PS = WORKSTATIONS.PS;
const DOC = '(a consultation report|another consultation report|a prescription|a VSM|a vaccination)';

export const currentDoc = (w: VigieWorld) => {
  const doc = w.state.currentDocuments[0];
  if (!doc) throw new Error('no document written yet in this scenario');
  return doc;
};

export async function write(world: VigieWorld, patient: Person, spec: DocumentSpec, driver: LgcDriver = world.driver): Promise<void> {
  const action = await world.act(
    `write ${spec.name} for ${patient.id}`,
    () => driver.createDocument(PS, world.patientId(patient), spec.type, spec.content),
    {
      arranging: driver !== world.driver,
    },
  );
  const docs = await world.resultOf(action);
  if (!docs.length) world.setupFailed('the LGC created no document', `${spec.name} for ${patient.id}`);
  world.state.currentDocuments = docs;
  world.state.currentSpec = spec;
  world.state.documents.set(spec.name, docs);
}

/** Validates and prints every current document; SEND-04's calibration validates a fresh one of the same kind. */
export async function validateAll(world: VigieWorld, driver: LgcDriver = world.driver): Promise<void> {
  markDmp(world);
  const patient = world.current();
  const spec = world.state.currentSpec;
  // A UI that makes its user choose a type is given the code the feature expects (never the driver's own).
  const hints = { typeCode: world.state.expectedTypeCode };
  for (const d of world.state.currentDocuments) {
    const replay = spec
      ? async () => {
          const fresh = (await world.arrange.createDocument(PS, world.patientId(patient), spec.type, spec.content)).value[0];
          return driver.validate(PS, fresh.documentId, hints);
        }
      : undefined;
    const action = await world.act(`validate and print ${d.documentId}`, () => driver.validate(PS, d.documentId, hints), {
      replay,
      arranging: driver !== world.driver,
    });
    if (action.settled && !action.error) {
      world.state.lastValidate = action.value;
      world.state.lastValidateDeclared = action.declaredFields;
    }
  }
}

/** A precondition: at least `n` submissions about `p` reached the DMP since the last document action. */
export async function awaitReceived(world: VigieWorld, patient: Person, n = 1) {
  const seen = await world.eventually('dmp', () =>
    submissionsFor(world, patient).length >= n ? submissionsFor(world, patient) : undefined,
  );
  return seen.value ?? submissionsFor(world, patient);
}

// --- set-up ---------------------------------------------------------------------------------

Given(/^(\S+ \S+) has a patient file with a qualified INS$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  this.state.patientIds.set(
    patient.id,
    await this.arranged(`create the patient file of ${patient.id}`, () => this.arrange.createPatient({ ...patient.file })),
  );
  await qualifyIns(this, patient);
});

Given('the DMP is slow: it answers only when released', function (this: VigieWorld) {
  this.dmp.hold();
  this.state.dmpHoldOn = true;
});

When('the DMP answers', function (this: VigieWorld) {
  this.state.dmpHoldOn = false;
  this.dmp.release();
});

Given(/^the DMP of (\S+ \S+) is closed$/, function (this: VigieWorld, name: string) {
  this.person(name);
  this.dmp.respondWith({ kind: 'refuse', code: 'DMPClosed', context: 'DMP fermé' });
});

Given(
  /^the ordonnance numérique service (answers KO|does not answer|module is not activated)$/,
  async function (this: VigieWorld, state: string) {
    if (state === 'answers KO') this.eprescription.respondWith({ kind: 'ko', reason: 'Prescripteur inconnu du téléservice' });
    else if (state === 'does not answer') this.eprescription.hold();
    else {
      const settings = (
        await this.arranged('switch the ordonnance numérique module off', () => this.arrange.settings(PS, { ePrescription: false }))
      ).value;
      if (!settings.applied.includes('ePrescription'))
        this.setupFailed('the LGC did not switch its ordonnance numérique module off', JSON.stringify(settings));
    }
  },
);

Given(
  new RegExp(`^the professional has validated ${DOC} for (\\S+ \\S+) that the patient opposed sending$`),
  async function (this: VigieWorld, what: string, name: string) {
    const patient = this.person(name);
    await write(this, patient, documentNamed(what), this.arrange);
    await this.arranged('record that the patient opposes sending', () => this.arrange.doNotSend(PS, currentDoc(this).documentId));
    await validateAll(this, this.arrange);
  },
);

Given(
  /^the LGC sends (a consultation report|a prescription) of (\S+ \S+) to the DMP when it is validated$/,
  async function (this: VigieWorld, what: string, name: string) {
    // A control: this scenario judges a variation of the usual path, so the usual path must work first.
    const patient = this.person(name);
    await write(this, patient, documentNamed(what), this.arrange);
    await validateAll(this, this.arrange);
    if (!(await awaitReceived(this, patient)).length) {
      this.setupFailed('a validated document never reaches the DMP on the usual path', describeSubmissions(submissionsSinceMark(this)));
    }
  },
);

// --- what the professional does --------------------------------------------------------------

When(new RegExp(`^the professional writes ${DOC} for (\\S+ [^\\s:]+)$`), async function (this: VigieWorld, what: string, name: string) {
  await write(this, this.person(name), documentNamed(what));
});

const TYPES: Record<string, DocumentType> = {
  prescription: 'prescription',
  vaccination: 'vaccination-note',
  VSM: 'vsm',
  'consultation report': 'consultation-report',
};

When(
  /^the professional writes a (prescription|vaccination|VSM|consultation report) for (\S+ \S+):$/,
  async function (this: VigieWorld, what: string, name: string, table: DataTable) {
    await write(this, this.person(name), documentFromTable(TYPES[what], table.hashes()));
  },
);

When(/^the professional records two vaccinations for (\S+ \S+) at this visit$/, async function (this: VigieWorld, name: string) {
  const day = this.today();
  await write(this, this.person(name), {
    name: 'two vaccinations',
    type: 'vaccination-note',
    content: {
      vaccinations: [
        { vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: day },
        { vaccine: 'Vaccin contre la COVID-19', lot: 'COV2026B', date: day },
      ],
    },
  });
});

When('the professional records that the patient opposes sending it', async function (this: VigieWorld) {
  const action = await this.act('record that the patient opposes sending', () => this.driver.doNotSend(PS, currentDoc(this).documentId));
  this.state.lastDoNotSend = await this.resultOf(action);
  this.state.lastDoNotSendDeclared = action.declaredFields;
});

When(/^the professional masks it from (the patient|legal representatives)$/, async function (this: VigieWorld, whom: string) {
  await this.act(`mask the document from ${whom}`, () =>
    this.driver.mask(PS, currentDoc(this).documentId, [whom === 'the patient' ? 'patient' : 'legal-representatives']),
  );
});

When(/^the professional validates and prints (?:it|the notes)$/, async function (this: VigieWorld) {
  await validateAll(this);
});

When(
  /^the professional tries to switch off the (feeding of the DMP|INSi call) in the settings$/,
  async function (this: VigieWorld, what: string) {
    const action = await this.act(
      `switch off the ${what}`,
      () => this.driver.settings(PS, what === 'INSi call' ? { insi: false } : { dmpFeeding: false }),
      { refusalIsResult: true },
    );
    this.state.lastSettings = action.error
      ? { applied: [], refused: [what === 'INSi call' ? 'insi' : 'dmpFeeding'] }
      : await this.resultOf(action);
  },
);
