import { Then, When } from '@cucumber/cucumber';
import { CdaDocumentResult, validateCda } from '../src/cda';
import { TargetError } from '../src/drivers/driver';
import { checkHeader, HeaderContext } from '../src/oracles/cda-header';
import { parseXmlSafely } from '../src/oracles/xml-safe';
import { VigieWorld, WORKSTATIONS } from './support/world';
import { cdaJvm } from './support/hooks';
import { DOCUMENTS, currentDoc, ins15, receivedEntry } from './dmp.steps';
import { awaitMessage } from './mss.steps';
import { readZip } from '../src/oracles/zip';

/** The CDA inside the IHE XDM package of the last message sent: a precondition, not a verdict. */
async function xdmCda(w: VigieWorld): Promise<{ name: string; content: Buffer }> {
  const m = await awaitMessage(w, (x) => (x.parsed?.attachments ?? []).some((a) => a.content.subarray(0, 2).toString('latin1') === 'PK'));
  const zip = m?.parsed?.attachments.find((a) => a.content.subarray(0, 2).toString('latin1') === 'PK');
  if (!zip) throw new Error('could not set up the scenario: no IHE XDM package reached the operator');
  let entries;
  try { entries = readZip(zip.content); } catch (e) { throw new Error(`could not set up the scenario: unreadable XDM package: ${(e as Error).message}`); }
  const cda = entries.find((e) => /^IHE_XDM\/[^/]+\/[^/]+\.XML$/i.test(e.name) && !/METADATA\.XML$/i.test(e.name));
  if (!cda) throw new Error(`could not set up the scenario: no document in the XDM package (${entries.map((e) => e.name).join(', ')})`);
  return { name: cda.name, content: cda.content };
}

const VSM_TEMPLATE = '1.2.250.1.213.1.1.1.13';

/** Judges one document with the CDA oracle; the verdict is attached as evidence. */
async function judge(w: VigieWorld, name: string, content: Buffer, rulesDir: string | null): Promise<CdaDocumentResult> {
  const res = await validateCda([{ name, content }], { rulesDir, jvm: cdaJvm() });
  const r = res.documents[0];
  w.attach(JSON.stringify({ cda: name, rulePack: res.rulePack, result: r }, null, 2), 'application/json');
  return r;
}

const list = (errors: { layer: string; rule?: string | null; location?: string | null; text: string }[]) =>
  errors.slice(0, 8).map((e) => `[${e.layer}${e.rule ? ' ' + e.rule : ''}] ${e.location ?? ''} ${e.text}`).join('\n    ') + (errors.length > 8 ? `\n    … ${errors.length - 8} more` : '');

function headerFindings(w: VigieWorld, content: Buffer | string, ctx: HeaderContext, rule: string) {
  const found = checkHeader(content, ctx).filter((f) => f.rule === rule);
  w.attach(JSON.stringify({ headerRules: rule, context: ctx, findings: found }, null, 2), 'application/json');
  return found;
}

When(/^the professional writes a VSM for (\S+ \S+), who has no médecin traitant$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  try {
    const docs = (await this.driver.createDocument(WORKSTATIONS.PS, this.patientId(p), 'vsm', { ...DOCUMENTS['a VSM'].content(this.today()), medecinTraitant: null })).value;
    this.currentDocuments = docs;
  } catch (e) {
    // A refusal the user sees is a verdict (CDA-05), not a harness error.
    if (e instanceof TargetError && /HTTP 4\d\d/.test(e.message)) this.fail('a VSM produced for a patient without médecin traitant', e.message);
    throw e;
  }
});

/** CDA-01: well-formed, valid against CDA_extended.xsd (the schema alone; the rule pack's copy is the one in fixtures/cda/xsd). */
async function schemaVerdict(w: VigieWorld, name: string, content: Buffer, expected: string): Promise<void> {
  w.evidenceKinds.add('observed');
  const r = await judge(w, name, content, null);
  if (r.couldNotJudge) throw new Error(`could not judge the document: ${r.couldNotJudge}`);
  const bad = r.errors.filter((x) => x.layer === 'parse' || x.layer === 'xsd');
  w.check(bad.length === 0 && r.xsdValid === true, expected, () => list(bad));
}

/** CDA-02: every CI-SIS header rule. */
function headerVerdict(w: VigieWorld, content: Buffer | string, expected: string): void {
  w.evidenceKinds.add('observed');
  const found = headerFindings(w, content, {}, 'CDA-02');
  w.check(found.length === 0, expected, () => list(found));
}

Then('the document the DMP received is well-formed XML, valid against the CDA schema extended by the CI-SIS', async function (this: VigieWorld) {
  const e = await receivedEntry(this);
  await schemaVerdict(this, `${e.title ?? e.entryId}.xml`, e.content, 'well-formed XML, valid against CDA_extended.xsd');
});

Then('the document the DMP received satisfies the CI-SIS header rules', async function (this: VigieWorld) {
  headerVerdict(this, (await receivedEntry(this)).content, 'every CI-SIS header rule satisfied');
});

Then(/^the document the DMP received identifies (\S+ \S+) by (?:her|his) INS, with its OID$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const e = await receivedEntry(this);
  const found = headerFindings(this, e.content, { qualifiedIns: ins15(p) }, 'CDA-03');
  this.check(found.length === 0, `recordTarget identified by the INS ${ins15(p)} with an INS OID`, () => list(found));
});

Then(/^the document the LGC produced for (\S+ \S+) identifies (?:her|him) by the local identifier alone$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  this.person(name);
  const content = (await this.driver.documentContent(currentDoc(this).documentId)).value;
  this.attach(content, 'text/xml');
  const found = headerFindings(this, content, { notQualified: true }, 'CDA-03');
  this.check(found.length === 0, 'no INS in the document of an unqualified identity: the local identifier alone', () => list(found));
});

Then('the code of the document the DMP received is a type code the DMP accepts, the same as its XDS typeCode', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  const found = headerFindings(this, e.content, { xdsTypeCode: e.typeCode ?? '' }, 'CDA-04');
  this.check(found.length === 0, `a type code of JDV_J07-XdsTypeCode-CISIS, equal to the XDS typeCode ${e.typeCode}`, () => list(found));
});

Then('the document the DMP received is a VSM', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  // A VSM declares its conformity to the volet by its templateId (its code is CDA-04's business).
  const doc = parseXmlSafely(e.content) as { ClinicalDocument?: { templateId?: unknown } };
  const t = doc.ClinicalDocument?.templateId;
  const roots = (Array.isArray(t) ? t : t ? [t] : []).map((x) => String((x as Record<string, unknown>)['@root']));
  this.check(roots.includes(VSM_TEMPLATE), `a volet de synthèse médicale (templateId ${VSM_TEMPLATE})`, () => `templateIds ${roots.join(', ') || 'none'}`);
});

/** Every text value and attribute of a parsed tree, and how many code/value elements carry a nullFlavor. */
function texts(node: unknown, out: string[] = [], flavor = { n: 0 }, key = ''): { all: string; nullFlavors: number } {
  if (Array.isArray(node)) node.forEach((x) => texts(x, out, flavor, key));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((key === 'code' || key === 'value') && o['@nullFlavor'] !== undefined) flavor.n++;
    for (const [k, v] of Object.entries(o)) texts(v, out, flavor, k);
  } else if (node !== undefined && node !== null) out.push(String(node));
  return { all: out.join(' ').replace(/\s+/g, ' '), nullFlavors: flavor.n };
}

Then('the document the DMP received keeps every text the professional typed, in entries coded with a nullFlavor', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  const typed = DOCUMENTS['a VSM'].content(this.today());
  const wanted = [...(typed.problems ?? []), ...(typed.allergies ?? []), ...(typed.treatments ?? [])];
  const t = texts(parseXmlSafely(e.content));
  const missing = wanted.filter((x) => !t.all.includes(x.replace(/\s+/g, ' ')));
  this.check(missing.length === 0 && t.nullFlavors >= 1, 'every typed text kept, with uncoded entries carrying a nullFlavor',
    () => `${missing.length ? `missing: ${missing.map((m) => `« ${m} »`).join(', ')}; ` : ''}${t.nullFlavors} code/value element(s) with a nullFlavor`);
});

Then('the document the DMP received passes the ANS schematron of its type', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const e = await receivedEntry(this);
  const rules = this.parameters.rulesDir;
  if (!rules) throw new Error('no ANS rule pack: CDA-07 should not have been selected');
  const r = await judge(this, `${e.title ?? e.entryId}.xml`, e.content, rules);
  if (r.couldNotJudge) throw new Error(`could not judge the document with the ANS rule pack: ${r.couldNotJudge}`);
  const bad = r.errors.filter((x) => x.layer === 'schematron' || x.layer === 'parse');
  this.check(bad.length === 0, `no failed assertion of the ANS schematron ${r.schematron}`, () => list(bad));
});

Then('the CDA in the XDM package the operator received is well-formed XML, valid against the CDA schema extended by the CI-SIS', async function (this: VigieWorld) {
  const d = await xdmCda(this);
  await schemaVerdict(this, d.name, d.content, 'the CDA of the XDM package well-formed, valid against CDA_extended.xsd');
});

Then('the CDA in the XDM package the operator received satisfies the CI-SIS header rules', async function (this: VigieWorld) {
  headerVerdict(this, (await xdmCda(this)).content, 'every CI-SIS header rule satisfied by the CDA of the XDM package');
});
