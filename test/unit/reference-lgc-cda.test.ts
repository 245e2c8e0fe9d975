/**
 * Unit tests of the reference LGC's CDA documents (CDA-01..07): what the generators put in to pass
 * the ANS rules (EP-MED-DM 2024.01, VAC-NOTE 2023.01, VSM 1.4), GET /testdriver/documents/{id}/content,
 * and the seeded CDA defects. No JVM here: the ANS validator runs elsewhere; these tests pin the
 * elements it was checked against.
 * Run: node --require ts-node/register --test test/unit/reference-lgc-cda.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { startReferenceLgc, type RunningReferenceLgc } from '../../src/reference-lgc/server';
import { callLgc, stubServer, waitFor } from '../support/lgc';
import {
  cdaPatient,
  generateCda,
  prescriptionCda,
  vaccinationNoteCda,
  vaccineCoding,
  vsmCda,
  type DocumentContent,
} from '../../src/reference-lgc/cda';
import type { Patient } from '../../src/reference-lgc/tenant';

// ---------------------------------------------------------------------------------------------
// Generators (no server)

const PATIENT: Patient = {
  id: 'p7',
  file: { birthName: 'DUPONT', firstName: 'JEAN', sex: 'M', birthDate: '1970-01-01' },
  appointments: [],
  ins: { status: 'qualified', matricule: '1700163220888', key: '54', oid: '1.2.250.1.213.1.4.8' },
  lastCall: null,
  lastCallSeq: 0,
  insiTraits: null,
  foundBy: new Set(),
};
const CTX = { id: '2.25.1', setId: '2.25.2', effectiveTime: new Date('2026-01-15T10:00:00Z') };
const EMPTY: DocumentContent = { lines: [], vaccinations: [], problems: [], treatments: [], allergies: [] };
const wellFormed = (x: string): void => assert.equal(XMLValidator.validate(x), true);
const narrativeIds = (x: string): Set<string> => new Set([...x.matchAll(/ ID="([^"]+)"/g)].map((m) => m[1]));
/** The header's document code (right after the document id). */
const docCode = (x: string): string | undefined => /<id root="2\.25\.\d+"\/><code code="([^"]+)"/.exec(x)?.[1];
const references = (x: string): string[] => [...x.matchAll(/<reference value="#([^"]+)"\/>/g)].map((m) => m[1]);

describe('the documents follow the ANS rules of their type', () => {
  test('every patient: address and telecom present (nullFlavor NASK: the file holds none)', () => {
    const cda = vsmCda(cdaPatient(PATIENT), EMPTY, CTX);
    assert.match(
      cda,
      /<id extension="p7" root="1\.2\.250\.1\.999\.1\.1\.1"\/><addr nullFlavor="NASK"\/><telecom nullFlavor="NASK"\/><patient classCode="PSN">/,
    );
  });

  test('prescription (EP-MED-DM 2024.01): validity period, one ALD entry per line, references resolved', () => {
    const content = { ...EMPTY, lines: [{ product: 'PARACETAMOL 1 g', dosage: '1 cp x 3/j' }, { product: 'IBUPROFENE <200 mg>' }] };
    const cda = prescriptionCda(cdaPatient(PATIENT), content, CTX, { ePrescriptionNumber: 'EP-1' });
    wellFormed(cda);
    assert.match(
      cda,
      /<serviceEvent classCode="ACT"><id root="1\.2\.250\.1\.215\.500\.1\.1" extension="EP-1"\/><code code="57833-6"[^>]*\/><effectiveTime><low value="20260115100000\+0000"\/><high value="20260415100000\+0000"\/><\/effectiveTime>/,
    );
    const ald = cda.match(/<templateId root="1\.2\.250\.1\.213\.1\.1\.3\.48\.13"\/>.*?<\/observation>/g) ?? [];
    assert.equal(ald.length, 2);
    for (const [i, a] of ald.entries()) {
      assert.match(a, /<code code="MED-574" displayName="En rapport avec une ALD" codeSystem="1\.2\.250\.1\.213\.1\.1\.4\.322"/);
      assert.match(a, new RegExp(`<reference value="#med-${i + 1}-ALD"/>.*<value xsi:type="BL" value="false"/>`));
    }
    const ids = narrativeIds(cda);
    for (const r of references(cda)) assert.ok(ids.has(r), `reference #${r} resolves`);
    assert.match(cda, /IBUPROFENE &lt;200 mg&gt;/);
  });

  test('vaccination note (VAC-NOTE 2023.01): CIS and ATC codes, the typed name kept, a lot number', () => {
    const note = (vaccine: string, extra: Record<string, string> = {}) =>
      vaccinationNoteCda(cdaPatient(PATIENT), [{ vaccine, date: '2026-01-15', lot: 'L1', ...extra }], CTX);
    const tetanos = note('Vaccin tétanique');
    wellFormed(tetanos);
    assert.match(
      tetanos,
      /<manufacturedMaterial><code code="68747507" displayName="[^"]+" codeSystem="1\.2\.250\.1\.213\.2\.3\.1" codeSystemName="CIS"><originalText><reference value="#vac-1"\/><\/originalText><translation code="J07AM" displayName="vaccins tétaniques" codeSystem="2\.16\.840\.1\.113883\.6\.73" codeSystemName="ATC"\/><translation code="3400932857241"/,
    );
    assert.match(tetanos, /<content ID="vac-1">Vaccin tétanique<\/content>/);
    // a vaccine known by its class only: CIS unknown (nullFlavor in the CIS system), ATC class
    const flu = note('Vaccin grippal tétravalent');
    assert.match(
      flu,
      /<code nullFlavor="UNK" codeSystem="1\.2\.250\.1\.213\.2\.3\.1" codeSystemName="CIS"><originalText><reference value="#vac-1"\/><\/originalText><translation code="J07BB" displayName="[^"]+" codeSystem="2\.16\.840\.1\.113883\.6\.73"/,
    );
    assert.deepEqual(vaccineCoding({ vaccine: 'Vaccin contre la COVID-19' }).atc?.code, 'J07BN');
    assert.deepEqual(vaccineCoding({ vaccine: 'Un vaccin' }).atc, { code: 'J07', display: 'vaccins' });
    // a CIS code typed by the user is kept
    assert.equal(vaccineCoding({ vaccine: 'BCG', code: '61077869' }).atc?.code, 'J07AN');
    assert.equal(vaccineCoding({ vaccine: 'Autre', code: '12345678' }).cis?.code, '12345678');
    // no lot typed: still the element, nullFlavor
    const noLot = vaccinationNoteCda(cdaPatient(PATIENT), [{ vaccine: 'Vaccin tétanique', date: '2026-01-15' }], CTX);
    assert.match(noLot, /<lotNumberText nullFlavor="UNK"\/>/);
  });

  test('VSM (1.4) without médecin traitant: produced, the PCP participant with nullFlavor (CDA-05)', () => {
    const cda = vsmCda(cdaPatient(PATIENT), { ...EMPTY, problems: ['HTA'], medecinTraitant: null }, CTX);
    wellFormed(cda);
    assert.match(
      cda,
      /<participant typeCode="INF"><functionCode code="PCP" displayName="Médecin Traitant" codeSystem="2\.16\.840\.1\.113883\.5\.88"\/><associatedEntity classCode="PROV" nullFlavor="NI"><id nullFlavor="NI"\/><\/associatedEntity><\/participant><documentationOf>/,
    );
    const withMt = vsmCda(cdaPatient(PATIENT), { ...EMPTY, medecinTraitant: 'Dr Anne PRATICIEN' }, CTX);
    assert.equal((withMt.match(/<participant typeCode="INF">/g) ?? []).length, 1);
    assert.match(
      withMt,
      /<id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810001234567"\/><associatedPerson><name>Dr Anne PRATICIEN<\/name>/,
    );
  });

  test('VSM: uncoded typed texts kept, through nullFlavor codes and references to the narrative (CDA-06)', () => {
    const cda = vsmCda(
      cdaPatient(PATIENT),
      { ...EMPTY, problems: ['HTA'], allergies: ['Pénicilline'], treatments: ['AMLODIPINE 5 mg'] },
      CTX,
    );
    for (const text of ['HTA', 'Pénicilline', 'AMLODIPINE 5 mg']) assert.match(cda, new RegExp(`<content ID="[a-z]+-1">${text}</content>`));
    assert.match(cda, /<value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="#pb-1"\/>/);
    assert.match(cda, /<value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="#allergie-1"\/>/);
    assert.match(
      cda,
      /<code nullFlavor="OTH"><originalText><reference value="#med-1"\/><\/originalText><\/code><name>AMLODIPINE 5 mg<\/name>/,
    );
    const ids = narrativeIds(cda);
    for (const r of references(cda)) assert.ok(ids.has(r), `reference #${r} resolves`);
  });

  test('every type: the CI-SIS header, languageCode fr-FR, no foreign element', () => {
    const contents: Record<string, DocumentContent> = {
      prescription: { ...EMPTY, lines: [{ product: 'X' }] },
      'vaccination-note': { ...EMPTY, vaccinations: [{ vaccine: 'Vaccin tétanique', lot: 'L', date: '2026-01-15' }] },
      vsm: EMPTY,
      'consultation-report': { ...EMPTY, text: 'x' },
    };
    for (const [type, content] of Object.entries(contents)) {
      const cda = generateCda(type as 'vsm', cdaPatient(PATIENT), content, CTX);
      wellFormed(cda);
      assert.match(
        cda,
        /<\/title><effectiveTime value="20260115100000\+0000"\/><confidentialityCode [^>]+\/><languageCode code="fr-FR"\/><setId/,
        type,
      );
      assert.doesNotMatch(cda, /<commentaire>/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Over HTTP: /content and the seeded defects

const FILE = {
  birthName: 'DUPONT',
  usedName: 'MARTIN',
  firstName: 'JEAN',
  firstNames: 'JEAN PAUL',
  sex: 'M',
  birthDate: '1970-01-01',
  birthPlace: '63220',
};
const FOUND =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
  '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>' +
  '<NumIdentifiant>1700163220888</NumIdentifiant><Cle>54</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ>' +
  '<NomNaissance>DUPONT</NomNaissance><Prenom>JEAN</Prenom><ListePrenom>JEAN PAUL</ListePrenom><Sexe>M</Sexe>' +
  '<DateNaissance>1970-01-01</DateNaissance><LieuNaissance>63220</LieuNaissance></TIQ></INDIVIDU></RESULTAT></soap:Body></soap:Envelope>';

const insi = stubServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
    res.end(FOUND);
  });
});
let insiUrl = '';
let lgc: RunningReferenceLgc;

before(async () => {
  insiUrl = `${await insi.start()}/insi`;
  lgc = await startReferenceLgc({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await lgc?.close();
  await insi.stop();
});

const PS = { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN' };

const call = (method: string, path: string, tenant: string, body?: unknown) => callLgc(lgc.url, method, path, tenant, body);

/** Seeded defects go through the reference-only switch (POST /reference/defects), never through reset. */
async function switchDefects(tenant: string, defects: string[]): Promise<void> {
  const response = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: tenant, defects });
  assert.equal(response.status, 200, response.text);
}

let counter = 0;
async function reset(defects: string[] = []): Promise<string> {
  const tenant = `cda${++counter}-${process.pid}`;
  await switchDefects(tenant, defects);
  const response = await call('POST', '/testdriver/reset', tenant, { doubles: { insi: { url: insiUrl } }, workstations: [PS] });
  assert.equal(response.status, 200, response.text);
  return tenant;
}

/** A patient file; `recovered`: opened, INSi answered, the INS known but not qualified. */
async function patient(tenant: string, recovered = false): Promise<string> {
  const id = (await call('POST', '/testdriver/patients', tenant, { file: FILE })).body.patientId as string;
  if (recovered) {
    await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
    await waitFor(
      'the INSi answer',
      async () => (await call('GET', `/testdriver/patients/${id}/identity`, tenant)).body,
      (identity) => identity.insi.lastCall?.outcome === 'found',
    );
  }
  return id;
}

const CONTENT: Record<string, Record<string, unknown>> = {
  'consultation-report': { title: 'Consultation du jour', text: 'RAS' },
  prescription: { lines: [{ product: 'PARACETAMOL 1 g, comprimé', dosage: '1 comprimé 3 fois par jour' }] },
  vsm: {
    problems: ['Hypertension artérielle essentielle'],
    treatments: ['AMLODIPINE 5 mg'],
    allergies: ['Pénicilline'],
    medecinTraitant: 'Dr Anne PRATICIEN',
  },
  'vaccination-note': { vaccinations: [{ vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: '2026-01-15' }] },
};

async function write(tenant: string, patientId: string, type: string, content: unknown = CONTENT[type]): Promise<string> {
  const response = await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, { workstation: PS, type, content });
  assert.equal(response.status, 201, response.text);
  return response.body.documents[0].documentId as string;
}

async function content(tenant: string, documentId: string): Promise<string> {
  const response = await call('GET', `/testdriver/documents/${documentId}/content`, tenant);
  assert.equal(response.status, 200, response.text);
  assert.match(response.type, /^application\/xml/);
  return response.text;
}

/** The CDA of a new document of `type` for a new patient of a tenant with `defects`. */
async function cdaOf(type: string, defects: string[] = [], body: unknown = CONTENT[type], recovered = false): Promise<string> {
  const tenant = await reset(defects);
  return content(tenant, await write(tenant, await patient(tenant, recovered), type, body));
}

describe('GET /testdriver/documents/{id}/content', () => {
  test('a draft: generated on demand; validated: the CDA produced at validation, unchanged', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    for (const type of Object.keys(CONTENT)) {
      const documentId = await write(tenant, patientId, type);
      const draft = await content(tenant, documentId);
      wellFormed(draft);
      assert.match(draft, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/);
      assert.equal((await call('POST', `/testdriver/documents/${documentId}/validate`, tenant, { workstation: PS })).status, 200);
      const validated = await content(tenant, documentId);
      assert.equal(await content(tenant, documentId), validated, 'the same bytes every time');
      assert.equal(/<id root="([^"]+)"\/>/.exec(validated)?.[1], /<id root="([^"]+)"\/>/.exec(draft)?.[1], 'same document id');
    }
  });

  test('an unqualified patient: the local identifier alone (CDA-03); 404 for an unknown document', async () => {
    const tenant = await reset();
    const cda = await content(tenant, await write(tenant, await patient(tenant, true), 'consultation-report'));
    assert.doesNotMatch(cda, /1\.2\.250\.1\.213\.1\.4\.8|170016322088854/);
    assert.match(cda, /<patientRole><id extension="[^"]+" root="1\.2\.250\.1\.999\.1\.1\.1"\/><addr/);
    const response = await call('GET', '/testdriver/documents/d999/content', tenant);
    assert.equal(response.status, 404);
    assert.equal(response.body.error, 'unknown-document');
  });

  test('a VSM without médecin traitant is produced (CDA-05)', async () => {
    const cda = await cdaOf('vsm', [], { ...CONTENT.vsm, medecinTraitant: null });
    assert.match(cda, /<code code="SYNTH"/);
    assert.match(cda, /<functionCode code="PCP"[^>]*\/><associatedEntity classCode="PROV" nullFlavor="NI">/);
  });
});

describe('seeded CDA defects change the document as described', () => {
  test('cda-not-schema-valid: a <commentaire> right after <title>, nothing else changed', async () => {
    for (const type of Object.keys(CONTENT)) {
      const cda = await cdaOf(type, ['cda-not-schema-valid']);
      wellFormed(cda);
      assert.match(cda, /<\/title><commentaire>[^<]*<\/commentaire><effectiveTime /, type);
      assert.equal(cda.replace(/<commentaire>[^<]*<\/commentaire>/, '').includes('<commentaire>'), false);
    }
  });

  test('cda-header-without-language: no languageCode', async () => {
    assert.match(await cdaOf('vsm'), /<languageCode code="fr-FR"\/>/);
    for (const type of Object.keys(CONTENT)) assert.doesNotMatch(await cdaOf(type, ['cda-header-without-language']), /languageCode/, type);
  });

  test('ins-in-unqualified-cda: the INS and its OID for an identity not qualified', async () => {
    assert.doesNotMatch(await cdaOf('consultation-report', [], undefined, true), /170016322088854/);
    const cda = await cdaOf('consultation-report', ['ins-in-unqualified-cda'], undefined, true);
    assert.match(
      cda,
      /<patientRole><id extension="170016322088854" root="1\.2\.250\.1\.213\.1\.4\.8"\/><id extension="[^"]+" root="1\.2\.250\.1\.999\.1\.1\.1"\/>/,
    );
  });

  test('cda-code-disagrees-with-metadata: the prescription says 11488-4, its typeCode stays 57833-6', async () => {
    const tenant = await reset(['cda-code-disagrees-with-metadata']);
    const patientId = await patient(tenant);
    const response = await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
      workstation: PS,
      type: 'prescription',
      content: CONTENT.prescription,
    });
    assert.equal(response.body.documents[0].typeCode, '57833-6');
    const cda = await content(tenant, response.body.documents[0].documentId);
    assert.equal(docCode(cda), '11488-4');
    assert.match(
      cda,
      /<code code="11488-4" displayName="CR ou fiche de consultation ou de visite" codeSystem="2\.16\.840\.1\.113883\.6\.1"/,
    );
    assert.equal(docCode(await cdaOf('prescription')), '57833-6');
    // the other types keep their own code
    const own: Record<string, string> = { vsm: 'SYNTH', 'vaccination-note': '87273-9', 'consultation-report': '11488-4' };
    for (const [type, code] of Object.entries(own))
      assert.equal(docCode(await cdaOf(type, ['cda-code-disagrees-with-metadata'])), code, type);
  });

  test('vsm-requires-medecin-traitant: 422 without one; with one, created', async () => {
    const tenant = await reset(['vsm-requires-medecin-traitant']);
    const patientId = await patient(tenant);
    for (const mt of [null, undefined, '']) {
      const response = await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
        workstation: PS,
        type: 'vsm',
        content: { ...CONTENT.vsm, medecinTraitant: mt },
      });
      assert.equal(response.status, 422);
      assert.deepEqual(response.body, {
        error: 'medecin-traitant-required',
        message: 'Un médecin traitant est requis pour produire le VSM',
      });
    }
    assert.equal(
      (await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, { workstation: PS, type: 'vsm', content: CONTENT.vsm }))
        .status,
      201,
    );
  });

  test('free-text-dropped: the typed problems, allergies and treatments gone from entries and narrative', async () => {
    const typed = ['Hypertension artérielle essentielle', 'AMLODIPINE 5 mg', 'Pénicilline'];
    const ok = await cdaOf('vsm');
    for (const s of typed) assert.ok(ok.includes(s), s);
    const cda = await cdaOf('vsm', ['free-text-dropped']);
    wellFormed(cda);
    for (const s of typed) assert.ok(!cda.includes(s), s);
    assert.doesNotMatch(cda, /<entry/);
    for (const root of ['1.2.250.1.213.1.1.2.29', '1.3.6.1.4.1.19376.1.5.3.1.3.27', '1.2.250.1.213.1.1.2.32'])
      assert.ok(cda.includes(`<templateId root="${root}"/>`), root);
  });

  test('vac-note-without-atc: no ATC code, the CIS code slot kept', async () => {
    assert.match(await cdaOf('vaccination-note'), /codeSystem="2\.16\.840\.1\.113883\.6\.73"/);
    const cda = await cdaOf('vaccination-note', ['vac-note-without-atc']);
    wellFormed(cda);
    assert.doesNotMatch(cda, /2\.16\.840\.1\.113883\.6\.73|codeSystemName="ATC"/);
    assert.match(cda, /codeSystem="1\.2\.250\.1\.213\.2\.3\.1" codeSystemName="CIS"/);
  });
});

// ---------------------------------------------------------------------------------------------
// The author; the seeded defects with canned content (SEND-12)

/** The entry of a section's narrative that an entry's text reference points to. */
const narrativeOf = (x: string, id: string): string =>
  new RegExp(`<(\\w+)[^>]* ID="${id}"[^>]*>(.*?)</\\1>`, 's').exec(x)?.[2].replace(/<[^>]+>/g, ' ') ?? '';

describe('the author of the CDA: the professional at the workstation', () => {
  const DR = { role: 'PS', card: 'CPS', user: 'Dr Jeanne MEDECIN-TRAITANT', idNat: '810100456789' };
  const author = (x: string) => /<author[^>]*>.*?<assignedAuthor>(.*?)<\/assignedAuthor>/.exec(x)?.[1] ?? '';
  const legal = (x: string) => /<legalAuthenticator>(.*?)<\/legalAuthenticator>/.exec(x)?.[1] ?? '';

  test("the validating action's workstation: its idNat and its card holder's name, author and legal authenticator", async () => {
    const tenant = await reset();
    const documentId = await write(tenant, await patient(tenant), 'prescription');
    assert.equal((await call('POST', `/testdriver/documents/${documentId}/validate`, tenant, { workstation: DR })).status, 200);
    const cda = await content(tenant, documentId);
    for (const part of [author(cda), legal(cda)]) {
      assert.match(part, /(^|<assignedEntity>)<id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/);
      assert.match(
        part,
        /<assignedPerson><name><given>Jeanne<\/given><family>MEDECIN-TRAITANT<\/family><suffix>DR<\/suffix><\/name><\/assignedPerson>/,
      );
    }
    assert.match(cda, /Ordonnance - Dr Jeanne MEDECIN-TRAITANT|<renderMultiMedia/);
    assert.doesNotMatch(author(cda), /810001234567/);
  });

  test("an action without idNat: the reset's workstation of the same role and card; nothing known: the invented practitioner", async () => {
    const tenant = `cda-ws${++counter}-${process.pid}`;
    await switchDefects(tenant, []);
    await call('POST', '/testdriver/reset', tenant, { doubles: { insi: { url: insiUrl } }, workstations: [DR] });
    const documentId = await write(tenant, await patient(tenant), 'vaccination-note');
    await call('POST', `/testdriver/documents/${documentId}/validate`, tenant, { workstation: { role: 'PS', card: 'CPS' } });
    const cda = await content(tenant, documentId);
    assert.match(author(cda), /extension="810100456789"/);
    assert.match(cda, /<td>Dr Jeanne MEDECIN-TRAITANT<\/td>/, 'the vaccinator in the narrative');
    assert.match(
      cda,
      /<performer typeCode="PRF"><assignedEntity classCode="ASSIGNED"><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/,
    );
    const unknown = await reset(); // its workstations: PS without idNat
    const inventedCda = await content(unknown, await write(unknown, await patient(unknown), 'consultation-report'));
    assert.match(author(inventedCda), /extension="810001234567"/);
  });

  test("a prescription line's entry refers to the line's row: product and dosage", async () => {
    const cda = await cdaOf('prescription');
    const ref =
      /<substanceAdministration classCode="SBADM" moodCode="INT">.*?<text><reference value="#([^"]+)"\/><\/text>/.exec(cda)?.[1] ?? '';
    const row = narrativeOf(cda, ref);
    assert.ok(row.includes('PARACETAMOL 1 g, comprimé') && row.includes('1 comprimé 3 fois par jour'), row);
  });
});

describe('seeded defects with canned content: the CDA carries a template, not what was typed', () => {
  const typedIn = (x: string, s: string) => x.includes(s);
  const cases: Array<[string, string, string[], string[]]> = [
    [
      'canned-prescription-product',
      'prescription',
      ['PARACETAMOL 1 g, comprimé'],
      ['AMOXICILLINE 1 g, comprimé dispersible', '1 comprimé 3 fois par jour'],
    ],
    [
      'canned-prescription-dosage',
      'prescription',
      ['1 comprimé 3 fois par jour'],
      ['PARACETAMOL 1 g, comprimé', '1 comprimé matin et soir pendant 6 jours'],
    ],
    [
      'canned-vaccine-name',
      'vaccination-note',
      ['Vaccin grippal tétravalent'],
      ['Vaccin pneumococcique polyosidique conjugué', 'FLU2026A', '20260115'],
    ],
    [
      'canned-vaccine-lot',
      'vaccination-note',
      ['FLU2026A'],
      ['Vaccin grippal tétravalent', '<lotNumberText>MODELE-LOT-01</lotNumberText>'],
    ],
    ['canned-vaccine-date', 'vaccination-note', ['20260115', '15/01/2026'], ['FLU2026A', '<effectiveTime value="20230115"/>']],
    [
      'canned-vsm-items',
      'vsm',
      ['Hypertension artérielle essentielle', 'AMLODIPINE 5 mg', 'Pénicilline'],
      ['Dyslipidémie', 'PERINDOPRIL 4 mg, 1 comprimé le matin', 'Aucune allergie connue'],
    ],
    [
      'canned-patient',
      'consultation-report',
      ['<family qualifier="BR">DUPONT</family>', '<birthTime value="19700101"/>'],
      ['<family qualifier="BR">MODELE</family>', '<given qualifier="BR">PATIENT</given>', '<birthTime value="19500615"/>'],
    ],
  ];
  for (const [defect, type, gone, kept] of cases) {
    test(`${defect}: ${gone.join(', ')} replaced`, async () => {
      for (const s of gone) assert.ok(typedIn(await cdaOf(type), s), `conformant: ${s}`);
      const cda = await cdaOf(type, [defect]);
      wellFormed(cda);
      for (const s of gone) assert.ok(!typedIn(cda, s), `${defect}: ${s} gone`);
      for (const s of kept) assert.ok(typedIn(cda, s), `${defect}: ${s}`);
    });
  }

  test('canned-patient keeps the identifiers: the INS and the local id', async () => {
    const tenant = await reset(['canned-patient']);
    const patientId = await patient(tenant, true);
    await call('POST', `/testdriver/patients/${patientId}/qualify`, tenant, {
      workstation: PS,
      method: 'document',
      document: 'Passeport (français ou étranger)',
    });
    const cda = await content(tenant, await write(tenant, patientId, 'consultation-report'));
    assert.match(
      cda,
      /<patientRole><id extension="170016322088854" root="1\.2\.250\.1\.213\.1\.4\.8"\/><id extension="p1" root="1\.2\.250\.1\.999\.1\.1\.1"\/>/,
    );
    assert.match(cda, /<family qualifier="BR">MODELE<\/family>/);
    assert.doesNotMatch(cda, /DUPONT|MARTIN/);
  });

  test('canned-author: the hard-coded practitioner whoever validates', async () => {
    const tenant = await reset(['canned-author']);
    const documentId = await write(tenant, await patient(tenant), 'prescription');
    await call('POST', `/testdriver/documents/${documentId}/validate`, tenant, { workstation: { ...PS, idNat: '810100456789' } });
    const cda = await content(tenant, documentId);
    assert.match(cda, /<assignedAuthor><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810001234567"\/>/);
    assert.doesNotMatch(cda, /810100456789/);
  });

  test('cda-code-null-flavor: the document code is nullFlavor UNK, no @code; the rest unchanged', async () => {
    for (const type of Object.keys(CONTENT)) {
      const cda = await cdaOf(type, ['cda-code-null-flavor']);
      wellFormed(cda);
      assert.match(cda, /<id root="2\.25\.\d+"\/><code nullFlavor="UNK"\/><title>/, type);
    }
  });

  test('free-text-only-in-narrative: the typed texts in the narrative, no entry carrying or referencing them', async () => {
    const typed = ['Hypertension artérielle essentielle', 'AMLODIPINE 5 mg', 'Pénicilline'];
    const cda = await cdaOf('vsm', ['free-text-only-in-narrative']);
    wellFormed(cda);
    const entries = cda.match(/<entry[ >].*?<\/entry>/g) ?? [];
    assert.equal(entries.length, 3);
    for (const e of entries) {
      const referenced = references(e)
        .map((id) => narrativeOf(cda, id))
        .join(' ');
      for (const s of typed) assert.ok(!e.includes(s) && !referenced.includes(s), `${s} in ${e.slice(0, 120)}`);
    }
    for (const s of typed) assert.ok(cda.includes(`>${s}</content>`), `${s} in the narrative`);
  });
});
