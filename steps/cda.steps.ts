import { Then, When } from '@cucumber/cucumber';
import { CdaDocumentResult, validateCda } from '../src/cda';
import { freeTextInNullFlavorEntries, isVsm } from '../src/oracles/cda-content';
import {
  ansSchematronPassed,
  headerRulesSatisfied,
  insOnlyIfQualified,
  schemaValid,
  typeCodeAcceptedAndAgreeing,
} from '../src/oracles/cda-conformity';
import { describeMails, isZip, mailRef, xdmDocument } from '../src/oracles/mss-messages';
import { documentNamed } from './support/documents';
import { awaitReceived, currentDoc, write } from './dmp-documents.steps';
import { authorSpecialtiesOf, metadataUsesDmpValueSets } from '../src/oracles/xds-metadata';
import { submissionRef } from '../src/oracles/dmp-feeding';
import { receivedEntry } from './dmp-feeding.steps';
import { cdaJvm } from './support/hooks';
import { entriesFor, ins15, mailSeen, mailsSinceMark } from './support/observe';
import { VigieWorld } from './support/world';

// CDA-01…07: the documents that reached the DMP double, or the operator in an IHE XDM package
// (observed), judged by the CDA engine (schema, ANS schematrons) and the oracles of src/oracles.

/** The CDA inside the IHE XDM package of the last message sent: a precondition, not a verdict. */
async function xdmCda(world: VigieWorld): Promise<{ name: string; content: Buffer; ref: string }> {
  const seen = await world.eventually('mss', () =>
    mailsSinceMark(world).find((m) => (m.parsed?.attachments ?? []).some((a) => isZip(a.content))),
  );
  const mail = seen.value;
  const zip = mail?.parsed?.attachments.find((a) => isZip(a.content));
  if (!mail || !zip) world.setupFailed('no IHE XDM package reached the operator', describeMails(mailsSinceMark(world).map(mailSeen)));
  const xdm = xdmDocument(zip.content);
  if (!xdm.entry) world.setupFailed('the XDM package holds no CDA document', xdm.problem ?? '');
  return { name: xdm.entry.name, content: xdm.entry.content, ref: `${mailRef(mailSeen(mail))}, ${xdm.entry.name}` };
}

/** Runs the CDA engine on one document; its full result is attached as evidence. */
async function engine(world: VigieWorld, name: string, content: Buffer, rulesDir: string | null): Promise<CdaDocumentResult> {
  const res = await validateCda([{ name, content }], { rulesDir, jvm: cdaJvm() });
  const result = res.documents[0];
  // Only the documents the ANS rule pack judged (CDA-07): CDA-01 runs the schema alone, by design.
  if (rulesDir !== null)
    world.cdaDocuments.push({
      document: name,
      valid: result.valid,
      ans: result.ans,
      header: result.header,
      schematron: result.schematron,
      ...(result.schematronNote ? { note: result.schematronNote } : {}),
    });
  world.attach(JSON.stringify({ cda: name, rulePack: res.rulePack, result }, null, 2), {
    mediaType: 'application/json',
    fileName: `CDA verdict — ${name}.json`,
  });
  return result;
}

When(/^the professional writes a VSM for (\S+ \S+), who has no médecin traitant$/, async function (this: VigieWorld, name: string) {
  const spec = documentNamed('a VSM');
  // A refusal the user sees is a verdict (CDA-05): act() judges it.
  await write(this, this.person(name), { ...spec, content: { ...spec.content, medecinTraitant: null } });
});

Then(
  'the document the DMP received is well-formed XML, valid against the CDA schema extended by the CI-SIS',
  async function (this: VigieWorld) {
    const { entry, ref } = await receivedEntry(this);
    this.judge(schemaValid(await engine(this, `${entry.title ?? entry.entryId}.xml`, entry.content, null), ref), 'observed');
  },
);

Then('the document the DMP received satisfies the CI-SIS header rules', async function (this: VigieWorld) {
  const { entry, ref } = await receivedEntry(this);
  this.judge(headerRulesSatisfied(entry.content, ref), 'observed');
});

Then(
  /^the document the DMP received identifies (\S+ \S+) by (?:her|his) INS, with its OID$/,
  async function (this: VigieWorld, name: string) {
    const patient = this.person(name);
    const { entry, ref } = await receivedEntry(this);
    this.judge(insOnlyIfQualified(entry.content, { qualifiedIns: ins15(patient) }, ref), 'observed');
  },
);

Then(
  /^the document the LGC produced for (\S+ \S+) identifies (?:her|him) by the local identifier alone$/,
  async function (this: VigieWorld, name: string) {
    this.person(name);
    // A document that never reaches a double is only known through the LGC's own export: declared
    // (the test-driver API), or attested (a person exported it from the LGC and gave Vigie the file).
    const exported = await this.driver.documentContent(currentDoc(this).documentId);
    const byPerson = this.driver.kind === 'attended';
    const how = byPerson ? 'exported from the LGC by the person' : 'exported by the LGC (test-driver)';
    this.attach(exported.value, { mediaType: 'text/xml', fileName: `CDA as ${how}.xml` });
    this.judge(insOnlyIfQualified(exported.value, { notQualified: true }, `the CDA ${how}`), byPerson ? 'attested' : 'declared');
  },
);

Then(/^the document the DMP received identifies (\S+ \S+) by the local identifier alone$/, async function (this: VigieWorld, name: string) {
  this.person(name);
  const { entry, ref } = await receivedEntry(this);
  this.judge(insOnlyIfQualified(entry.content, { notQualified: true }, ref), 'observed');
});

Then(
  'the code of the document the DMP received is a type code the DMP accepts, the same as its XDS typeCode',
  async function (this: VigieWorld) {
    const { entry, ref } = await receivedEntry(this);
    this.judge(typeCodeAcceptedAndAgreeing(entry.content, entry.typeCode ?? '', ref), 'observed');
  },
);

Then('the document the DMP received is a VSM', async function (this: VigieWorld) {
  const { entry, ref } = await receivedEntry(this);
  this.judge(isVsm(entry.content, ref), 'observed');
});

Then(
  'the document the DMP received keeps every text the professional typed, in entries coded with a nullFlavor',
  async function (this: VigieWorld) {
    const { entry, ref } = await receivedEntry(this);
    const typed = this.state.currentSpec?.content ?? {};
    const wanted = [...(typed.problems ?? []), ...(typed.allergies ?? []), ...(typed.treatments ?? [])];
    this.judge(freeTextInNullFlavorEntries(entry.content, wanted, ref), 'observed');
  },
);

Then('the document the DMP received passes the ANS schematron of its type', async function (this: VigieWorld) {
  const { entry, ref } = await receivedEntry(this);
  const rules = this.parameters.rulesDir;
  if (!rules) throw new Error('no ANS rule pack: CDA-07 should not have been selected');
  this.judge(ansSchematronPassed(await engine(this, `${entry.title ?? entry.entryId}.xml`, entry.content, rules), ref), 'observed');
});

Then(
  'the CDA in the XDM package the operator received is well-formed XML, valid against the CDA schema extended by the CI-SIS',
  async function (this: VigieWorld) {
    const cda = await xdmCda(this);
    this.judge(schemaValid(await engine(this, cda.name, cda.content, null), cda.ref), 'observed');
  },
);

Then('the CDA in the XDM package the operator received satisfies the CI-SIS header rules', async function (this: VigieWorld) {
  const cda = await xdmCda(this);
  this.judge(headerRulesSatisfied(cda.content, cda.ref), 'observed');
});

export { xdmCda };

Then(
  /^the metadata the DMP received with the document of (\S+ \S+) uses the DMP's value sets and agrees with the document$/,
  async function (this: VigieWorld, name: string) {
    const patient = this.person(name);
    const subs = await awaitReceived(this, patient);
    if (!subs.length) this.setupFailed('the validated document never reached the DMP', `${patient.id}, within ${this.boundOf('dmp')} ms`);
    const entry = entriesFor(subs[0], patient)[0];
    const seen = { ...entry, authorSpecialties: authorSpecialtiesOf(subs[0].soapXml, entry.entryId) };
    this.judge(metadataUsesDmpValueSets(seen, { qualifiedIns: ins15(patient) }, submissionRef(subs[0])), 'observed');
  },
);
