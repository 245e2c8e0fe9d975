import { Given, Then, When } from '@cucumber/cucumber';
import type { DmpDocumentEntry, DmpSubmission } from '../src/doubles/dmp';
import type { DocumentContent, DocumentType } from '../src/drivers/driver';
import type { Person } from '../src/fixtures/people';
import { countChildren, parseXmlSafely } from '../src/oracles/xml-safe';
import { VigieWorld, WORKSTATIONS, delay } from './support/world';
import { qualifyIns } from './triggers.steps';

const PS = WORKSTATIONS.PS;

/** The documents a professional writes in the scenarios, as typed in the editor. */
export const DOCUMENTS: Record<string, { type: DocumentType; content: (today: string) => DocumentContent }> = {
  'a consultation report': { type: 'consultation-report', content: () => ({ title: 'Consultation du jour', text: 'Examen clinique sans particularité. Tension artérielle 12/8.' }) },
  'another consultation report': { type: 'consultation-report', content: () => ({ title: 'Consultation de suivi', text: 'Évolution favorable.' }) },
  'a prescription': { type: 'prescription', content: () => ({ lines: [{ product: 'PARACETAMOL 1 g, comprimé', dosage: '1 comprimé 3 fois par jour pendant 5 jours' }] }) },
  'a VSM': { type: 'vsm', content: () => ({ problems: ['Hypertension artérielle essentielle'], treatments: ['AMLODIPINE 5 mg, 1 comprimé le matin'], allergies: ['Pénicilline'], medecinTraitant: 'Dr Anne PRATICIEN' }) },
  'a vaccination': { type: 'vaccination-note', content: (d) => ({ vaccinations: [{ vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: d }] }) },
};

export const ins15 = (p: Person) => p.insi.matricule + p.insi.key;
const entriesFor = (s: DmpSubmission, p: Person) => s.documents.filter((d) => d.patientId?.id === ins15(p));

function describeSubmissions(list: DmpSubmission[]): string {
  if (!list.length) return 'no submission reached the DMP';
  return list.map((s) => `#${s.seq} ${s.outcome}: ${s.documents.map((d) => `${d.title ?? d.entryId} (type ${d.typeCode}, patient ${d.patientId?.id ?? '?'}, confidentiality ${d.confidentialityCodes.join('+')})`).join('; ') || 'no document'}`).join(' | ');
}

/** Submissions of the scenario's last document action that concern `p`. */
const submissionsFor = (w: VigieWorld, p: Person) => w.dmp.submissions().slice(w.dmpMark).filter((s) => entriesFor(s, p).length > 0);

/** Waits, bounded, until `n` submissions about `p` arrived. */
async function awaitSubmissions(w: VigieWorld, p: Person, n: number): Promise<DmpSubmission[]> {
  const until = performance.now() + w.timeouts.dmpWaitMs;
  while (submissionsFor(w, p).length < n && performance.now() < until) {
    await w.dmp.waitForSubmissions(w.dmp.submissions().length + 1, Math.max(1, until - performance.now())).catch(() => undefined);
  }
  return submissionsFor(w, p);
}

/** The entry the DMP received for the current document: a precondition, not a verdict. */
export async function receivedEntry(w: VigieWorld): Promise<DmpDocumentEntry> {
  const p = w.current();
  const subs = await awaitSubmissions(w, p, 1);
  if (!subs.length) {
    throw new Error(`could not set up the scenario: the document never reached the DMP within ${w.timeouts.dmpWaitMs} ms, so this requirement cannot be judged (${describeSubmissions(w.dmp.submissions().slice(w.dmpMark))})`);
  }
  return entriesFor(subs[0], p)[0];
}

export const currentDoc = (w: VigieWorld) => {
  const d = w.currentDocuments[0];
  if (!d) throw new Error('no document written yet in this scenario');
  return d;
};

export async function write(w: VigieWorld, p: Person, what: string, driver = w.driver) {
  const spec = DOCUMENTS[what];
  if (!spec) throw new Error(`no document "${what}" in steps/dmp.steps.ts`);
  const docs = (await driver.createDocument(PS, w.patientId(p), spec.type, spec.content(w.today()))).value;
  if (!docs.length) throw new Error(`the LGC created no document for "${what}"`);
  w.currentDocuments = docs;
  w.documents.set(what, docs);
}

async function validateAll(w: VigieWorld, driver = w.driver) {
  w.dmpMark = w.dmp.submissions().length;
  for (const d of w.currentDocuments) {
    const a = await w.act(`validate and print ${d.documentId}`, () => driver.validate(PS, d.documentId));
    if (a.settled) w.lastValidate = a.value;
  }
}

// --- set-up ---------------------------------------------------------------------------------

Given(/^(\S+ \S+) has a patient file with a qualified INS$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  this.patientIds.set(p.id, await this.arrange.createPatient({ ...p.file }));
  await qualifyIns(this, p);
});

Given('the DMP is slow: it answers only when released', function (this: VigieWorld) {
  this.dmp.hold();
  this.dmpHoldOn = true;
});

When('the DMP answers', function (this: VigieWorld) {
  this.dmpHoldOn = false;
  this.dmp.release();
});

Given(/^the DMP of (\S+ \S+) is closed$/, function (this: VigieWorld, name: string) {
  this.person(name);
  this.dmp.respondWith({ kind: 'refuse', code: 'DMPClosed', context: 'DMP fermé' });
});

Given(/^the ordonnance numérique service (answers KO|does not answer|module is not activated)$/, async function (this: VigieWorld, state: string) {
  if (state === 'answers KO') this.eprescription.respondWith({ kind: 'ko', reason: 'Prescripteur inconnu du téléservice' });
  else if (state === 'does not answer') this.eprescription.hold();
  else {
    const r = (await this.arrange.settings(PS, { ePrescription: false })).value;
    if (!r.applied.includes('ePrescription')) throw new Error(`could not set up the scenario: the LGC did not switch its ordonnance numérique module off (${JSON.stringify(r)})`);
  }
});

Given(/^the professional has validated a consultation report for (\S+ \S+) that the patient opposed sending$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  await write(this, p, 'a consultation report', this.arrange);
  await this.arrange.doNotSend(PS, currentDoc(this).documentId);
  await validateAll(this, this.arrange);
});

Given(/^the LGC sends (a consultation report|a prescription) of (\S+ \S+) to the DMP when it is validated$/, async function (this: VigieWorld, what: string, name: string) {
  // A control: this scenario judges a variation of the usual path, so the usual path must work first.
  const p = this.person(name);
  await write(this, p, what, this.arrange);
  await validateAll(this, this.arrange);
  if (!(await awaitSubmissions(this, p, 1)).length) {
    throw new Error(`could not set up the scenario: a validated document never reaches the DMP on the usual path (${describeSubmissions(this.dmp.submissions().slice(this.dmpMark))})`);
  }
});

// --- what the professional does --------------------------------------------------------------

When(/^the professional writes (a consultation report|another consultation report|a prescription|a VSM|a vaccination) for (\S+ \S+)$/, async function (this: VigieWorld, what: string, name: string) {
  await write(this, this.person(name), what);
});

When(/^the professional records two vaccinations for (\S+ \S+) at this visit$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  const d = this.today();
  const docs = (await this.driver.createDocument(PS, this.patientId(p), 'vaccination-note', {
    vaccinations: [
      { vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: d },
      { vaccine: 'Vaccin contre la COVID-19', lot: 'COV2026B', date: d },
    ],
  })).value;
  this.currentDocuments = docs;
});

When('the professional records that the patient opposes sending it', async function (this: VigieWorld) {
  this.lastDoNotSend = (await this.driver.doNotSend(PS, currentDoc(this).documentId)).value;
});

When(/^the professional masks it from (the patient|legal representatives)$/, async function (this: VigieWorld, whom: string) {
  await this.driver.mask(PS, currentDoc(this).documentId, [whom === 'the patient' ? 'patient' : 'legal-representatives']);
});

When(/^the professional validates and prints (?:it|the notes)$/, async function (this: VigieWorld) {
  await validateAll(this);
});

When(/^the professional tries to switch off the (feeding of the DMP|INSi call) in the settings$/, async function (this: VigieWorld, what: string) {
  this.lastSettings = (await this.driver.settings(PS, what === 'INSi call' ? { insi: false } : { dmpFeeding: false })).value;
});

// --- verdicts --------------------------------------------------------------------------------

Then('the box « information et non opposition du patient » is already checked', async function (this: VigieWorld) {
  this.onScreen();
  const d = (await this.driver.document(currentDoc(this).documentId)).value;
  this.check(d.sendToDmp.checked === true, 'the non-opposition / send box of a new document is checked',
    () => `unchecked${d.sendToDmp.label ? ` (« ${d.sendToDmp.label} »)` : ''}`);
});

Then(/^the DMP receives the document of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const subs = await awaitSubmissions(this, p, 1);
  this.check(subs.length > 0, `the validated document reaches the DMP for ${p.id} (INS ${ins15(p)}) within ${this.timeouts.dmpWaitMs} ms`,
    () => describeSubmissions(this.dmp.submissions().slice(this.dmpMark)));
});

Then(/^the DMP receives nothing for (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  await delay(this.timeouts.quietMs);
  this.windowMs += this.timeouts.quietMs;
  const subs = submissionsFor(this, p);
  this.check(subs.length === 0, `no submission to the DMP for ${p.id} (observed for ${this.timeouts.quietMs} ms after validation)`, () => describeSubmissions(subs));
});

Then('the LGC shows the document as not sent', async function (this: VigieWorld) {
  this.onScreen();
  const d = (await this.driver.document(currentDoc(this).documentId)).value;
  this.check(d.dmp.status === 'not-sent', 'the document shown as not sent to the DMP', () => `DMP status ${d.dmp.status}${d.dmp.message ? ': ' + d.dmp.message : ''}`);
});

Then('validating and printing took exactly one click', function (this: VigieWorld) {
  this.onScreen();
  const v = this.lastValidate;
  if (!v) throw new Error('no validation to judge');
  this.check(v.clicks.length === 1, 'one click (validate and print), nothing else — not even to choose a document type',
    () => v.clicks.map((c) => c.purpose + (c.label ? ` « ${c.label} »` : '')).join(', '));
});

Then('not sending took exactly one click besides validating and printing', function (this: VigieWorld) {
  this.onScreen();
  const n = this.lastDoNotSend;
  if (!n) throw new Error('no "do not send" action to judge');
  this.check(n.clicks.length === 1, 'exactly one click to keep the document out of the DMP',
    () => `${n.clicks.length} click(s): ${n.clicks.map((c) => c.purpose + (c.label ? ` « ${c.label} »` : '')).join(', ')}`);
});

Then(/^the LGC answers the user within (\d+) ms while the DMP has not answered$/, async function (this: VigieWorld, bound: string) {
  this.evidenceKinds.add('observed');
  const ms = Number(bound);
  const a = this.lastAction;
  if (!a) throw new Error('no action to judge');
  await this.dmp.waitForHeld(1, this.timeouts.dmpWaitMs).catch(() => undefined);
  if (this.dmp.heldCount() === 0) {
    throw new Error(`could not set up the scenario: the document never reached the (holding) DMP within ${this.timeouts.dmpWaitMs} ms`);
  }
  if (!a.settled) this.fail(`"${a.label}" answers the user within ${ms} ms while the DMP is silent`, `no answer after ${Math.round(performance.now() - a.startedAt)} ms: the LGC waits for the DMP`);
  this.check((a.ms ?? Infinity) <= ms, `"${a.label}" answers the user within ${ms} ms while the DMP is silent`, () => `answered after ${a.ms} ms`);
});

Then('the LGC shows the document as sent', async function (this: VigieWorld) {
  this.onScreen();
  const id = currentDoc(this).documentId;
  const until = performance.now() + this.timeouts.settleMs;
  let d = (await this.driver.document(id)).value;
  while (d.dmp.status !== 'sent' && performance.now() < until) { await delay(20); d = (await this.driver.document(id)).value; }
  this.check(d.dmp.status === 'sent', `the document shown as sent within ${this.timeouts.settleMs} ms of the DMP's answer`, () => `DMP status ${d.dmp.status}${d.dmp.message ? ': ' + d.dmp.message : ''}`);
});

Then(/^the editor shows the type code (\S+), set automatically$/, async function (this: VigieWorld, code: string) {
  this.onScreen();
  const d = (await this.driver.document(currentDoc(this).documentId)).value;
  this.check(d.typeCode === code && d.typeCodeSetBy === 'automatic', `type code ${code}, set automatically`,
    () => `type code ${d.typeCode ?? 'none'}, set by ${d.typeCodeSetBy ?? 'nobody'}`);
});

Then(/^the document the DMP received carries the type code (\S+)$/, async function (this: VigieWorld, code: string) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  this.check(e.typeCode === code, `XDS typeCode ${code}`, () => `typeCode ${e.typeCode ?? 'none'}`);
});

Then('no click was spent on masking or visibility preferences', function (this: VigieWorld) {
  this.onScreen();
  const v = this.lastValidate;
  if (!v) throw new Error('no validation to judge');
  const masking = v.clicks.filter((c) => /mask|visib|confiden/i.test(c.purpose));
  this.check(masking.length === 0, 'no click for masking / visibility on the usual path', () => masking.map((c) => c.purpose + (c.label ? ` « ${c.label} »` : '')).join(', '));
});

Then('the document the DMP received is visible to the patient and to professionals', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  const masked = e.confidentialityCodes.filter((c) => c !== 'N');
  this.check(masked.length === 0, 'confidentiality N only (no masking by default)', () => e.confidentialityCodes.join(', '));
});

Then(/^the document the DMP received carries the confidentiality code (\S+)$/, async function (this: VigieWorld, code: string) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  this.check(e.confidentialityCodes.includes(code), `confidentiality code ${code} in the XDS metadata`, () => e.confidentialityCodes.join(', ') || 'none');
});

Then(/^the LGC refuses to switch off the (feeding of the DMP|INSi call)$/, function (this: VigieWorld, what: string) {
  this.evidenceKinds.add('declared'); // settings have no screen in the selector map: the test-driver API reports them
  const key = what === 'INSi call' ? 'insi' : 'dmpFeeding';
  const r = this.lastSettings;
  if (!r) throw new Error('no settings change to judge');
  this.check(!r.applied.includes(key), `the setting "${key}" cannot be switched off by the user`, () => `applied: ${r.applied.join(', ') || 'nothing'}; refused: ${r.refused.join(', ') || 'nothing'}`);
});

Then('the prescription is printed without the ordonnance numérique 2D code', function (this: VigieWorld) {
  this.onScreen();
  const v = this.lastValidate;
  if (!v) throw new Error('no validation to judge');
  this.check(v.printed?.datamatrix === false, 'the prescription printed, without the ordonnance numérique 2D code', () => JSON.stringify(v.printed ?? null));
});

Then(/^the DMP receives two notes de vaccination for (\S+ \S+), each holding one vaccination$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const subs = await awaitSubmissions(this, p, 2);
  const entries = subs.flatMap((s) => entriesFor(s, p));
  if (!entries.length) throw new Error(`could not set up the scenario: no vaccination note reached the DMP within ${this.timeouts.dmpWaitMs} ms`);
  const counts = entries.map((e) => {
    try { return countChildren(parseXmlSafely(e.content), 'entry', 'substanceAdministration'); } catch (err) { return `unreadable CDA (${(err as Error).message})`; }
  });
  this.check(entries.length === 2 && counts.every((c) => c === 1), 'two notes de vaccination, one vaccination each',
    () => `${entries.length} note(s), holding ${counts.join(' and ')} vaccination(s)`);
});

Then(/^the LGC shows the professional that the DMP refused the document, with the DMP's reason "([^"]+)"$/, async function (this: VigieWorld, reason: string) {
  this.onScreen();
  const p = this.current();
  const subs = await awaitSubmissions(this, p, 1);
  if (!subs.some((s) => s.outcome === 'refused')) throw new Error(`could not set up the scenario: no submission was refused by the DMP (${describeSubmissions(subs)})`);
  const id = currentDoc(this).documentId;
  const until = performance.now() + this.timeouts.settleMs;
  let d = (await this.driver.document(id)).value;
  const shown = () => d.dmp.status === 'refused' && (d.dmp.message ?? '').normalize('NFC').includes(reason.normalize('NFC'));
  while (!shown() && performance.now() < until) { await delay(20); d = (await this.driver.document(id)).value; }
  this.check(shown(), `the document shown as refused by the DMP, with « ${reason} », within ${this.timeouts.settleMs} ms`, () => `DMP status ${d.dmp.status}${d.dmp.message ? ': « ' + d.dmp.message + ' »' : ''}`);
});

Then('the document is still in the patient file', async function (this: VigieWorld) {
  this.onScreen();
  const d = (await this.driver.document(currentDoc(this).documentId)).value;
  this.check(d.status === 'validated', 'the refused document kept, validated, in the patient file', () => JSON.stringify(d));
});

Then('the LGC does not keep resubmitting the refused document', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const p = this.current();
  // Observed over a bounded window: a refusal may be retried a couple of times, not endlessly.
  const windowMs = Math.max(1000, 3 * this.timeouts.quietMs);
  await delay(windowMs);
  this.windowMs += windowMs;
  const n = submissionsFor(this, p).length;
  this.check(n <= 3, `the refused document submitted at most 3 times (observed for ${windowMs} ms)`, () => `${n} submissions`);
});

// --- consultation (OPP-03/04) -----------------------------------------------------------------

async function consult(w: VigieWorld, p: Person, nonOpposition?: boolean, driver = w.driver) {
  w.dmpQueryMark = w.dmp.queries().length;
  w.lastConsult = (await driver.consultDmp(PS, w.patientId(p), nonOpposition)).value;
}

const queriesFor = (w: VigieWorld, p: Person) => w.dmp.queries().slice(w.dmpQueryMark).filter((q) => q.patientId?.id === ins15(p));

When(/^the professional opens the DMP of (\S+ \S+)(?: for the first time| again)$/, async function (this: VigieWorld, name: string) {
  await consult(this, this.person(name));
});

When('the professional answers that the patient does not oppose', async function (this: VigieWorld) {
  await consult(this, this.current(), true);
});

Given(/^the professional has recorded that (\S+ \S+) (does not oppose|opposes) the consultation of (?:her|his) DMP$/, async function (this: VigieWorld, name: string, answer: string) {
  const p = this.person(name);
  await consult(this, p, undefined, this.arrange);
  await consult(this, p, answer === 'does not oppose', this.arrange);
});

Then('the LGC asks whether the patient, informed beforehand, opposes the consultation', function (this: VigieWorld) {
  this.onScreen();
  const c = this.lastConsult;
  if (!c) throw new Error('no consultation to judge');
  const reminds = /inform/i.test(c.reminder ?? '') || /inform/i.test(c.question ?? '');
  this.check(c.asked && reminds, 'an explicit question about non-opposition, reminding that the patient must be informed beforehand',
    () => c.asked ? `question « ${c.question ?? ''} », reminder « ${c.reminder ?? ''} »` : `no question asked (consulted: ${c.consulted})`);
});

Then(/^the LGC does not consult the DMP of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  await delay(this.timeouts.quietMs);
  this.windowMs += this.timeouts.quietMs;
  const q = queriesFor(this, p);
  this.check(q.length === 0 && this.lastConsult?.consulted !== true, `no query of the DMP of ${p.id} (observed for ${this.timeouts.quietMs} ms)`,
    () => `${q.length} query(ies) reached the DMP; the LGC says consulted: ${this.lastConsult?.consulted}`);
});

Then(/^the LGC consults the DMP of (\S+ \S+)( without asking again)?$/, async function (this: VigieWorld, name: string, noAsk?: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const until = performance.now() + this.timeouts.dmpWaitMs;
  while (queriesFor(this, p).length === 0 && performance.now() < until) {
    await this.dmp.waitForQueries(this.dmp.queries().length + 1, Math.max(1, until - performance.now())).catch(() => undefined);
  }
  const c = this.lastConsult;
  if (noAsk) {
    this.onScreen();
    this.check(c?.asked === false, 'no question asked again: the earlier answer was recorded', () => `asked again: « ${c?.question ?? ''} »`);
  }
  this.check(queriesFor(this, p).length > 0, `a query of the DMP of ${p.id} (INS ${ins15(p)}) within ${this.timeouts.dmpWaitMs} ms`, () => 'no query reached the DMP');
});
