/** CDA content oracles (CDA-03/04/05/06, CDA-08, SEND-09, SEND-12), on small hand-made documents. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { documentIsTheValidatedOne, freeTextInNullFlavorEntries, isVsm, vaccinationCount } from '../../../src/oracles/cda-content';
import { headerRulesSatisfied, insOnlyIfQualified, typeCodeAcceptedAndAgreeing } from '../../../src/oracles/cda-conformity';
import { authorSpecialtiesOf, metadataUsesDmpValueSets } from '../../../src/oracles/xds-metadata';

const HEADER_OK = readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'cda', 'header-ok.xml'), 'utf8');

function cda(
  parts: {
    code?: string;
    templates?: string[];
    ins?: string;
    author?: string;
    family?: string;
    given?: string;
    birth?: string;
    body?: string;
  } = {},
): string {
  const templates = (parts.templates ?? ['1.2.250.1.213.1.1.1.1']).map((t) => `<templateId root="${t}"/>`).join('');
  const ins = parts.ins ? `<id root="1.2.250.1.213.1.4.8" extension="${parts.ins}"/>` : '<id root="1.2.3.4" extension="IPP42"/>';
  return (
    `<ClinicalDocument xmlns="urn:hl7-org:v3">${templates}${parts.code === undefined ? '<code code="11488-4" codeSystem="2.16.840.1.113883.6.1"/>' : parts.code}` +
    `<recordTarget><patientRole>${ins}<patient><name><given>${parts.given ?? 'CAMILLE'}</given><family qualifier="BR">${parts.family ?? 'LEGRAND'}</family></name><birthTime value="${parts.birth ?? '19850412'}"/></patient></patientRole></recordTarget>` +
    `<author><time value="20261202"/><assignedAuthor><id root="1.2.250.1.71.4.2.1" extension="${parts.author ?? '810100456789'}"/></assignedAuthor></author>` +
    `<component><structuredBody>${parts.body ?? ''}</structuredBody></component></ClinicalDocument>`
  );
}
const section = (code: string, narrative: string, entries: string) =>
  `<component><section><code code="${code}"/><text>${narrative}</text>${entries}</section></component>`;

test('CDA-02: the header rules on a complete header; a missing element named', () => {
  assert.equal(headerRulesSatisfied(HEADER_OK, 'x').status, 'pass');
  assert.equal(headerRulesSatisfied(HEADER_OK.replace(/<languageCode[^>]*\/>/, ''), 'x').status, 'fail');
});

test('CDA-03: the INS only when qualified', () => {
  assert.equal(insOnlyIfQualified(cda({ ins: '285047511208727' }), { qualifiedIns: '285047511208727' }, 'x').status, 'pass');
  assert.equal(insOnlyIfQualified(cda(), { qualifiedIns: '285047511208727' }, 'x').status, 'fail');
  assert.equal(insOnlyIfQualified(cda(), { notQualified: true }, 'x').status, 'pass');
  assert.equal(insOnlyIfQualified(cda({ ins: '285047511208727' }), { notQualified: true }, 'x').status, 'fail');
});

test('CDA-04: an accepted code agreeing with the metadata; no code at all fails too', () => {
  assert.equal(typeCodeAcceptedAndAgreeing(cda(), '11488-4', 'x').status, 'pass');
  assert.equal(typeCodeAcceptedAndAgreeing(cda(), '57833-6', 'x').status, 'fail');
  assert.equal(typeCodeAcceptedAndAgreeing(cda({ code: '' }), '11488-4', 'x').status, 'fail', 'a document without <code>');
  assert.equal(typeCodeAcceptedAndAgreeing(cda({ code: '<code nullFlavor="UNK"/>' }), '11488-4', 'x').status, 'fail');
});

test('CDA-05: a VSM by its templateId', () => {
  assert.equal(isVsm(cda({ templates: ['1.2.250.1.213.1.1.1.13'] }), 'x').status, 'pass');
  assert.equal(isVsm(cda(), 'x').status, 'fail');
});

test('CDA-06: each typed text inside an entry coded with a nullFlavor; in the narrative alone it fails', () => {
  const inEntry = cda({
    body: section(
      '11450-4',
      '<content ID="pb-1">Asthme allergique</content>',
      '<entry><observation><value nullFlavor="OTH"><originalText><reference value="#pb-1"/></originalText></value></observation></entry>',
    ),
  });
  assert.equal(freeTextInNullFlavorEntries(inEntry, ['Asthme  allergique'], 'x').status, 'pass');
  const narrativeOnly = cda({
    body: section('11450-4', 'Asthme allergique', '<entry><observation><value nullFlavor="OTH"/></observation></entry>'),
  });
  assert.equal(freeTextInNullFlavorEntries(narrativeOnly, ['Asthme allergique'], 'x').status, 'fail');
  const codedEntry = cda({
    body: section(
      '11450-4',
      'Asthme allergique',
      '<entry><observation><value code="J45"/><text>Asthme allergique</text></observation></entry>',
    ),
  });
  assert.equal(
    freeTextInNullFlavorEntries(codedEntry, ['Asthme allergique'], 'x').status,
    'fail',
    'next to any nullFlavor is not enough: the entry carrying the text must have it',
  );
});

test('SEND-09: the vaccinations of a note counted', () => {
  const two = cda({ body: section('11369-6', '', '<entry><substanceAdministration/></entry><entry><substanceAdministration/></entry>') });
  assert.equal(vaccinationCount(two), 2);
  assert.match(String(vaccinationCount('<nope')), /unreadable/);
});

test('SEND-12: the document validated — each field canned fails on its own', () => {
  const want = {
    lines: [{ product: 'IBUPROFENE 400 mg', dosage: '1 comprimé matin et soir' }],
    vaccinations: [{ vaccine: 'Vaccin DT', lot: 'DT2026X7', date: '2026-11-30' }],
    problems: ['Asthme'],
    authorId: '810100456789',
    patient: { ins: '285047511208727', birthName: 'LEGRAND', firstName: 'CAMILLE', birthDate: '1985-04-12' },
  };
  const body = (o: { product?: string; dosage?: string; vaccine?: string; lot?: string; date?: string; problem?: string } = {}) =>
    section(
      '57828-6',
      `<content ID="m1">${o.product ?? 'IBUPROFENE 400 mg'}</content><content ID="m1p">${o.dosage ?? '1 comprimé matin et soir'}</content>`,
      `<entry><substanceAdministration><text><reference value="#m1p"/></text><consumable><manufacturedProduct><manufacturedMaterial><name>${o.product ?? 'IBUPROFENE 400 mg'}</name></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration></entry>`,
    ) +
    section(
      '11369-6',
      `<content ID="v1">${o.vaccine ?? 'Vaccin DT'}</content>`,
      `<entry><substanceAdministration><text><reference value="#v1"/></text><effectiveTime value="${o.date ?? '20261130'}"/><consumable><manufacturedProduct><manufacturedMaterial><name>${o.vaccine ?? 'Vaccin DT'}</name><lotNumberText>${o.lot ?? 'DT2026X7'}</lotNumberText></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration></entry>`,
    ) +
    section(
      '11450-4',
      `<content ID="pb">${o.problem ?? 'Asthme'}</content>`,
      '<entry><observation><value nullFlavor="OTH"><originalText><reference value="#pb"/></originalText></value></observation></entry>',
    );
  assert.equal(documentIsTheValidatedOne(cda({ ins: '285047511208727', body: body() }), want, 'x').status, 'pass');
  const canned: Record<string, string> = {
    product: cda({ ins: '285047511208727', body: body({ product: 'AMOXICILLINE 1 g' }) }),
    dosage: cda({ ins: '285047511208727', body: body({ dosage: '2 comprimés par jour' }) }),
    vaccine: cda({ ins: '285047511208727', body: body({ vaccine: 'Vaccin grippal' }) }),
    lot: cda({ ins: '285047511208727', body: body({ lot: 'ABC123' }) }),
    date: cda({ ins: '285047511208727', body: body({ date: '20230115' }) }),
    problem: cda({ ins: '285047511208727', body: body({ problem: 'Diabète' }) }),
    author: cda({ ins: '285047511208727', author: '810001234567', body: body() }),
    patient: cda({ ins: '285047511208727', family: 'DUPONT', body: body() }),
    birth: cda({ ins: '285047511208727', birth: '19700101', body: body() }),
    ins: cda({ ins: '279035121518989', body: body() }),
  };
  for (const [field, doc] of Object.entries(canned))
    assert.equal(documentIsTheValidatedOne(doc, want, 'x').status, 'fail', `canned ${field}`);
  // No INS at all for a qualified identity is CDA-03's finding, not a second one here.
  assert.equal(documentIsTheValidatedOne(cda({ body: body() }), want, 'x').status, 'pass');
});

test('CDA-08: the DMP value sets, the patient CX, agreement with the CDA', () => {
  const doc = Buffer.from(
    cda({ ins: '285047511208727', code: '<code code="11488-4"/>', templates: ['1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.2.20'] }),
  );
  const ok = {
    entryId: 'Document01',
    classCode: '10',
    typeCode: '11488-4',
    formatCode: 'urn:ihe:iti:xds-sd:pdf:2008',
    practiceSettingCode: 'AMBULATOIRE',
    healthcareFacilityTypeCode: 'SA07',
    confidentialityCodes: ['N'],
    authorSpecialties: ['G15_10'],
    patientId: { id: '285047511208727', oid: '1.2.250.1.213.1.4.8', raw: '285047511208727^^^&1.2.250.1.213.1.4.8&ISO^NH' },
    content: doc,
  };
  const ctx = { qualifiedIns: '285047511208727' };
  assert.equal(metadataUsesDmpValueSets(ok, ctx, 'x').status, 'pass', metadataUsesDmpValueSets(ok, ctx, 'x').seen);
  const bad: Record<string, object> = {
    classCode: { classCode: '99' },
    formatCode: { formatCode: 'urn:vigie:unknown' },
    typeCode: { typeCode: '34133-9' },
    practiceSetting: { practiceSettingCode: 'NOPE' },
    facility: { healthcareFacilityTypeCode: 'NOPE' },
    confidentiality: { confidentialityCodes: ['SECRET'] },
    specialty: { authorSpecialties: ['NOPE'] },
    cx: { patientId: { id: '285047511208727', oid: '', raw: '285047511208727' } },
    formatVsTemplates: { formatCode: 'urn:asip:ci-sis:vsm:2012' },
  };
  for (const [what, change] of Object.entries(bad))
    assert.equal(metadataUsesDmpValueSets({ ...ok, ...change }, ctx, 'x').status, 'fail', what);
});

test('CDA-08: the authorSpecialty slot read from an ITI-41 body', () => {
  const soap =
    '<Envelope><Body><SubmitObjectsRequest><RegistryObjectList><ExtrinsicObject id="Document01"><Classification><Slot name="authorSpecialty"><ValueList><Value>G15_10^Médecine Générale^1.2.250.1.213.1.1.4.5</Value></ValueList></Slot></Classification></ExtrinsicObject></RegistryObjectList></SubmitObjectsRequest></Body></Envelope>';
  assert.deepEqual(authorSpecialtiesOf(soap, 'Document01'), ['G15_10']);
  assert.deepEqual(authorSpecialtiesOf(soap, 'Document02'), []);
});
