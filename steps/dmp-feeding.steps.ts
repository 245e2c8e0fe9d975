import { Then } from '@cucumber/cucumber';
import type { DocumentView, Observed } from '../src/drivers/driver';
import { vaccinationCount } from '../src/oracles/cda-content';
import {
  confidentialityCarried,
  documentReceived,
  keptInFile,
  noClickBesidesValidate,
  noResubmission,
  notSendingInOneClick,
  nothingReceived,
  oneVaccinationPerNote,
  printedWithout2dCode,
  refusalShown,
  sendBoxChecked,
  settingRefused,
  shownNotSent,
  shownSent,
  submissionRef,
  typeCodeSetAutomatically,
  validatedInOneClick,
  visibleToAll,
  xdsTypeCodeIs,
} from '../src/oracles/dmp-feeding';
import { describeSubmissions } from '../src/oracles/dmp-feeding';
import { awaitReceived, currentDoc } from './dmp-documents.steps';
import { judgeHeldAction } from './support/held';
import { entriesFor, ins15, submissionsFor, submissionsSinceMark } from './support/observe';
import { VigieWorld } from './support/world';

// OPP-01/02, SEND-01…11: what reached the DMP double (observed), the clicks the user needed
// (counted by the ui driver: observed; reported by the LGC: declared), what the editor shows.

/** The entry the DMP received for the current document: a precondition, not a verdict. */
export async function receivedEntry(world: VigieWorld) {
  const patient = world.current();
  const subs = await awaitReceived(world, patient);
  if (!subs.length)
    world.setupFailed(
      'the validated document never reached the DMP',
      `${patient.id}: ${describeSubmissions(submissionsSinceMark(world))} within ${world.boundOf('dmp')} ms`,
    );
  return { entry: entriesFor(subs[0], patient)[0], ref: submissionRef(subs[0]) };
}

/** The current document as the LGC shows it; `fields`: what the step judges (a person is asked only that). */
const readDoc = (w: VigieWorld, ...fields: string[]): Promise<Observed<DocumentView>> =>
  w.driver.document(currentDoc(w).documentId, fields.length ? fields : undefined);

/** Reads the document until `done` holds (bounded by the screen bound); the last reading. */
async function docUntil(world: VigieWorld, done: (d: DocumentView) => boolean, ...fields: string[]): Promise<Observed<DocumentView>> {
  const seen = await world.eventually(
    'screen',
    async () => {
      const doc = await readDoc(world, ...fields);
      return done(doc.value) ? doc : undefined;
    },
    50,
  );
  return seen.value ?? (await readDoc(world, ...fields));
}

Then('the box « information et non opposition du patient » is already checked', async function (this: VigieWorld) {
  const doc = await readDoc(this, 'sendToDmp.checked');
  this.judge(sendBoxChecked(doc.value), this.screenKind(doc, 'sendToDmp.checked'));
});

Then(/^the DMP receives the document of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const subs = await awaitReceived(this, patient);
  this.judge(documentReceived(patient.id, ins15(patient), subs, this.boundOf('dmp'), submissionsSinceMark(this)), 'observed');
});

Then(/^the DMP receives nothing for (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  // Watched as long as "the DMP receives the document" is waited for.
  const watched = await this.never('dmp', () => submissionsFor(this, patient).length > 0);
  this.judge(nothingReceived(patient.id, submissionsFor(this, patient), watched.ms), 'observed');
});

Then('the LGC shows the document as not sent', async function (this: VigieWorld) {
  const doc = await readDoc(this, 'dmp.status');
  this.judge(shownNotSent(doc.value), this.screenKind(doc, 'dmp.status'));
});

const validateKind = (w: VigieWorld) => w.screenKind({ declaredFields: w.state.lastValidateDeclared }, 'clicks');

Then('validating and printing took exactly one click', function (this: VigieWorld) {
  const validation = this.state.lastValidate;
  if (!validation) this.setupFailed('the document was not validated', 'no validation to judge');
  this.judge(validatedInOneClick(validation.clicks), validateKind(this));
});

Then('not sending took exactly one click besides validating and printing', function (this: VigieWorld) {
  const n = this.state.lastDoNotSend;
  if (!n) throw new Error('no "do not send" action to judge');
  this.judge(notSendingInOneClick(n.clicks), this.screenKind({ declaredFields: this.state.lastDoNotSendDeclared }, 'clicks'));
});

Then('no click was spent on masking or visibility preferences', function (this: VigieWorld) {
  const validation = this.state.lastValidate;
  if (!validation) this.setupFailed('the document was not validated', 'no validation to judge');
  this.judge(noClickBesidesValidate(validation.clicks), validateKind(this));
});

Then(/^the LGC answers the user within (\d+) ms while the DMP has not answered$/, async function (this: VigieWorld, bound: string) {
  const action = this.state.lastAction;
  if (!action) throw new Error('no action to judge');
  const held = await this.eventually('dmp', () => this.dmp.heldCount() > 0);
  if (!held.value)
    this.setupFailed('the validated document never reached the (holding) DMP', `within ${this.boundOf('dmp')} ms of « ${action.label} »`);
  await judgeHeldAction(this, action, 'the DMP', Number(bound));
});

Then('the LGC shows the document as sent', async function (this: VigieWorld) {
  const doc = await docUntil(this, (d) => d.dmp.status === 'sent', 'dmp.status');
  this.judge(shownSent(doc.value, this.boundOf('screen')), this.screenKind(doc, 'dmp.status'));
});

Then(/^the editor shows the type code (\S+), set automatically$/, async function (this: VigieWorld, code: string) {
  this.state.expectedTypeCode = code;
  const doc = await readDoc(this, 'typeCode', 'typeCodeSetBy');
  this.judge(typeCodeSetAutomatically(doc.value, code), this.screenKind(doc, 'typeCode', 'typeCodeSetBy'));
});

Then(/^the document the DMP received carries the type code (\S+)$/, async function (this: VigieWorld, code: string) {
  const { entry, ref } = await receivedEntry(this);
  this.judge(xdsTypeCodeIs(entry, code, ref), 'observed');
});

Then('the document the DMP received is visible to the patient and to professionals', async function (this: VigieWorld) {
  const { entry, ref } = await receivedEntry(this);
  this.judge({ ...visibleToAll(entry), evidence: [ref] }, 'observed');
});

Then(/^the document the DMP received carries the confidentiality code (\S+)$/, async function (this: VigieWorld, code: string) {
  const { entry, ref } = await receivedEntry(this);
  this.judge({ ...confidentialityCarried(entry, code), evidence: [ref] }, 'observed');
});

Then(/^the LGC refuses to switch off the (feeding of the DMP|INSi call)$/, function (this: VigieWorld, what: string) {
  const settings = this.state.lastSettings;
  if (!settings) throw new Error('no settings change to judge');
  // Settings have no screen in the selector map: the test-driver API reports them (declared); in
  // attended mode the person says what the LGC accepted (attested).
  this.judge(
    settingRefused(what === 'INSi call' ? 'insi' : 'dmpFeeding', settings),
    this.driver.kind === 'attended' ? 'attested' : 'declared',
  );
});

Then('the prescription is printed without the ordonnance numérique 2D code', function (this: VigieWorld) {
  const validation = this.state.lastValidate;
  if (!validation) this.setupFailed('the prescription was not validated', 'no validation to judge');
  this.judge(
    printedWithout2dCode(validation.printed ?? validation.document?.printed),
    this.screenKind({ declaredFields: this.state.lastValidateDeclared }, 'printed.datamatrix'),
  );
});

Then(
  /^the DMP receives two notes de vaccination for (\S+ \S+), each holding one vaccination$/,
  async function (this: VigieWorld, name: string) {
    const patient = this.person(name);
    const subs = await awaitReceived(this, patient, 2);
    const entries = subs.flatMap((s) => entriesFor(s, patient).map((e) => ({ e, ref: submissionRef(s) })));
    if (!entries.length) this.setupFailed('no vaccination note reached the DMP', `${patient.id}, within ${this.boundOf('dmp')} ms`);
    this.judge(
      oneVaccinationPerNote(
        entries.map((x) => vaccinationCount(x.e.content)),
        entries.map((x) => x.ref),
      ),
      'observed',
    );
  },
);

Then(
  /^the LGC shows the professional that the DMP refused the document, with the DMP's reason "([^"]+)"$/,
  async function (this: VigieWorld, reason: string) {
    const patient = this.current();
    const subs = await awaitReceived(this, patient);
    if (!subs.some((s) => s.outcome === 'refused')) this.setupFailed('no submission was refused by the DMP', describeSubmissions(subs));
    // Refused by the DMP's own metadata checks before the refusal the scenario set up: the LGC shows
    // another reason, rightly; what the scenario judges (this reason shown) could not be set up.
    if (!subs.some((s) => s.outcome === 'refused' && !s.registryErrors?.length))
      this.setupFailed(
        'the DMP refused the document for its metadata, not for the reason the scenario set up',
        subs
          .flatMap((s) => s.registryErrors ?? [])
          .map((e) => `${e.code}: ${e.context}`)
          .join('; '),
      );
    const doc = await docUntil(
      this,
      (d) => d.dmp.status === 'refused' && (d.dmp.message ?? '').normalize('NFC').includes(reason.normalize('NFC')),
      'dmp.status',
      'dmp.message',
    );
    this.judge(refusalShown(doc.value, reason, this.boundOf('screen')), this.screenKind(doc, 'dmp.status', 'dmp.message'));
  },
);

Then('the document is still in the patient file', async function (this: VigieWorld) {
  const doc = await readDoc(this, 'status');
  this.judge(keptInFile(doc.value), this.screenKind(doc, 'status'));
});

Then('the LGC does not keep resubmitting the refused document', async function (this: VigieWorld) {
  const patient = this.current();
  const refused = submissionsFor(this, patient).find((s) => s.outcome === 'refused');
  if (!refused) this.setupFailed('no submission was refused by the DMP', describeSubmissions(submissionsFor(this, patient)));
  // A stop, not a rate: nothing more for this patient during a window longer than the DMP wait
  // bound and than any retry period a real LGC uses (timeouts.retryWindowMs).
  const after = () => submissionsFor(this, patient).filter((s) => s.seq > refused.seq);
  const watched = await this.never('dmp', () => after().length > 0, this.timeouts.retryWindowMs);
  this.judge(noResubmission(after(), watched.ms), 'observed');
});
