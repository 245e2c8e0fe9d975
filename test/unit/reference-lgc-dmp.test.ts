/**
 * Unit tests of the reference LGC's documents, DMP feeding and DMP consultation (OPP-01..04,
 * SEND-01..11, CDA-03), against tiny stub doubles: INSi, DMP repository + registry, e-prescription.
 * Run: node --require ts-node/register --test test/unit/reference-lgc-dmp.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { startReferenceLgc, type RunningReferenceLgc } from '../../src/reference-lgc/server';
import { callLgc, stubServer, waitFor, type Answer } from '../support/lgc';
import { cdaPatient, consultationReportCda, vsmCda, type DocumentContent } from '../../src/reference-lgc/cda';
import { parseRegistryResponse } from '../../src/reference-lgc/dmp-client';
import type { Click, DocumentView } from '../../src/reference-lgc/documents';
import { pause } from '../../src/harness/wait';
import type { Patient } from '../../src/reference-lgc/tenant';

// ---------------------------------------------------------------------------------------------
// Stub doubles (one HTTP server, routed by path: /insi, /repo/<tenant>, /reg/<tenant>, /ep/<tenant>)

type DmpBehaviour = 'success' | 'success-mtom' | 'failure' | 'hold' | 'fault' | 'drop';
type EpBehaviour = 'ok' | 'ko' | 'hold';

interface Received {
  tenant: string;
  kind: 'repo' | 'reg' | 'ep' | 'insi';
  contentType: string;
  body: Buffer;
}

const dmpBehaviour = new Map<string, DmpBehaviour>();
const epBehaviour = new Map<string, EpBehaviour>();
const received: Received[] = [];

const SOAP = 'http://www.w3.org/2003/05/soap-envelope';
const RS = 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0';
const soapEnv = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP}"><soap:Header/><soap:Body>${body}</soap:Body></soap:Envelope>`;
const SUCCESS = soapEnv(`<rs:RegistryResponse xmlns:rs="${RS}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`);
const FAILURE = soapEnv(
  `<rs:RegistryResponse xmlns:rs="${RS}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">` +
    '<rs:RegistryErrorList highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error">' +
    '<rs:RegistryError errorCode="DMPClosed" codeContext="DMP fermé" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>' +
    '</rs:RegistryErrorList></rs:RegistryResponse>',
);
const FAULT = soapEnv(
  '<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="fr">Service indisponible</soap:Text></soap:Reason></soap:Fault>',
);
const QUERY_ANSWER = soapEnv(
  '<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList>' +
    ['Compte rendu &amp; suivi|11488-4', 'Note de vaccination|87273-9']
      .map((x, i) => {
        const [title, type] = x.split('|');
        return (
          `<rim:ExtrinsicObject id="doc${i}" mimeType="text/xml" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"><rim:Name><rim:LocalizedString value="${title}"/></rim:Name>` +
          `<rim:Classification classificationScheme="urn:uuid:f0306f51-975f-434e-a61c-c59651d33983" classifiedObject="doc${i}" id="c${i}" nodeRepresentation="${type}"/></rim:ExtrinsicObject>`
        );
      })
      .join('') +
    '</rim:RegistryObjectList></query:AdhocQueryResponse>',
);

// The INSi identity of the test patient (as in reference-lgc.test.ts)
const FILE_DUPONT = {
  birthName: 'DUPONT',
  usedName: 'MARTIN',
  firstName: 'JEAN',
  firstNames: 'JEAN PAUL',
  sex: 'M',
  birthDate: '1970-01-01',
  birthPlace: '63220',
};
const INS15 = '170016322088854';
const CX = `${INS15}^^^&1.2.250.1.213.1.4.8&ISO^NH`;
const FOUND_DUPONT =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
  '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>' +
  '<NumIdentifiant>1700163220888</NumIdentifiant><Cle>54</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ>' +
  '<NomNaissance>DUPONT</NomNaissance><Prenom>JEAN</Prenom><ListePrenom>JEAN PAUL</ListePrenom><Sexe>M</Sexe>' +
  '<DateNaissance>1970-01-01</DateNaissance><LieuNaissance>63220</LieuNaissance></TIQ></INDIVIDU></RESULTAT></soap:Body></soap:Envelope>';

const stub = stubServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const [, kind, tenant = ''] = /^\/([a-z]+)(?:\/([^/]+))?/.exec(req.url ?? '') ?? [];
    received.push({ tenant, kind: kind as Received['kind'], contentType: String(req.headers['content-type'] ?? ''), body });
    const reply = (status: number, type: string, text: string): void => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': type });
      res.end(text);
    };
    const soap = (xml: string, status = 200) => reply(status, 'application/soap+xml; charset=utf-8', xml);
    if (kind === 'insi') return soap(FOUND_DUPONT);
    if (kind === 'reg') return soap(QUERY_ANSWER);
    if (kind === 'ep') {
      const behaviour = epBehaviour.get(tenant) ?? 'ok';
      const ok = () => reply(201, 'application/json', JSON.stringify({ status: 'OK', ePrescriptionNumber: 'EP-0001' }));
      if (behaviour === 'ok') return ok();
      if (behaviour === 'ko') return reply(422, 'application/json', JSON.stringify({ status: 'KO', reason: 'Prescripteur inconnu' }));
      held.push(ok);
      return;
    }
    if (kind === 'repo') {
      const behaviour = dmpBehaviour.get(tenant) ?? 'success';
      if (behaviour === 'success') return soap(SUCCESS);
      if (behaviour === 'success-mtom') {
        const mtom = `--uuid:b1\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-ID: <r@s>\r\n\r\n${SUCCESS}\r\n--uuid:b1--\r\n`;
        return reply(200, 'multipart/related; type="application/xop+xml"; boundary="uuid:b1"; start="<r@s>"', mtom);
      }
      if (behaviour === 'failure') return soap(FAILURE);
      if (behaviour === 'fault') return soap(FAULT, 500);
      if (behaviour === 'drop') return req.socket.destroy();
      held.push(() => soap(SUCCESS));
      return;
    }
    reply(404, 'text/plain', 'no such stub');
  });
});
const held = stub.held;

let base = '';
let lgc: RunningReferenceLgc;

before(async () => {
  base = await stub.start();
  lgc = await startReferenceLgc({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  for (const release of held.splice(0)) release();
  await lgc?.close();
  await stub.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const call = (method: string, path: string, tenant: string, body?: unknown) => callLgc(lgc.url, method, path, tenant, body);

const PS = { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN' };

/** Seeded defects go through the reference-only switch (POST /reference/defects), never through reset. */
async function switchDefects(tenant: string, defects: string[]): Promise<void> {
  const response = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: tenant, defects });
  assert.equal(response.status, 200, response.text);
}

let counter = 0;
interface Setup {
  defects?: string[];
  dmp?: DmpBehaviour;
  ep?: EpBehaviour | 'none';
  noDmp?: boolean;
}
async function reset(setup: Setup = {}): Promise<string> {
  const tenant = `dmp${++counter}-${process.pid}`;
  dmpBehaviour.set(tenant, setup.dmp ?? 'success');
  await switchDefects(tenant, setup.defects ?? []);
  if (setup.ep && setup.ep !== 'none') epBehaviour.set(tenant, setup.ep);
  const doubles: Record<string, unknown> = { insi: { url: `${base}/insi` } };
  if (!setup.noDmp) doubles.dmp = { repositoryUrl: `${base}/repo/${tenant}`, registryUrl: `${base}/reg/${tenant}` };
  if (setup.ep !== 'none') doubles.eprescription = { url: `${base}/ep/${tenant}` };
  const response = await call('POST', '/testdriver/reset', tenant, {
    doubles,
    options: { ePrescriptionTimeoutMs: 300, dmpTimeoutMs: 2000 },
    workstations: [PS],
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return tenant;
}

async function patient(tenant: string, qualified = true): Promise<string> {
  const response = await call('POST', '/testdriver/patients', tenant, { file: FILE_DUPONT });
  assert.equal(response.status, 201);
  const id = response.body.patientId as string;
  if (!qualified) return id;
  await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
  await waitFor(
    'the INSi answer',
    async () => (await call('GET', `/testdriver/patients/${id}/identity`, tenant)).body,
    (v) => v.insi.lastCall?.outcome === 'found',
  );
  const qualification = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
    workstation: PS,
    method: 'document',
    document: 'Passeport (français ou étranger)',
  });
  assert.equal(qualification.status, 200, JSON.stringify(qualification.body));
  return id;
}

const CONTENT: Record<string, DocumentContent | Record<string, unknown>> = {
  'consultation-report': { title: 'Consultation du jour', text: 'Examen clinique sans particularité. Tension 12/8 <normale> & stable.' },
  prescription: { lines: [{ product: 'PARACETAMOL 1 g, comprimé', dosage: '1 comprimé 3 fois par jour pendant 5 jours' }] },
  vsm: {
    problems: ['Hypertension artérielle essentielle'],
    treatments: ['AMLODIPINE 5 mg'],
    allergies: ['Pénicilline'],
    medecinTraitant: 'Dr Anne PRATICIEN',
  },
  'vaccination-note': { vaccinations: [{ vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: '2026-01-15' }] },
};

async function write(tenant: string, patientId: string, type: string, content: unknown = CONTENT[type]): Promise<DocumentView[]> {
  const response = await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, { workstation: PS, type, content });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.documents;
}

const validate = async (t: string, id: string): Promise<Answer> =>
  call('POST', `/testdriver/documents/${id}/validate`, t, { workstation: PS });
const doc = async (t: string, id: string): Promise<DocumentView> => (await call('GET', `/testdriver/documents/${id}`, t)).body;
const settledDoc = (t: string, id: string) =>
  waitFor(
    `document ${id} settled`,
    () => doc(t, id),
    (d) => d.dmp.status !== 'pending',
  );
const submissions = (t: string) => received.filter((r) => r.tenant === t && r.kind === 'repo');
const queries = (t: string) => received.filter((r) => r.tenant === t && r.kind === 'reg');
const epCalls = (t: string) => received.filter((r) => r.tenant === t && r.kind === 'ep');

interface Part {
  headers: Record<string, string>;
  body: Buffer;
}
function mtomParts(request: Received): { params: Record<string, string>; parts: Part[] } {
  const params: Record<string, string> = {};
  for (const m of request.contentType.matchAll(/;\s*([a-zA-Z-]+)="?([^";]*)"?/g)) params[m[1].toLowerCase()] = m[2];
  const delim = Buffer.from(`--${params.boundary}`);
  const parts: Part[] = [];
  for (let pos = request.body.indexOf(delim); pos >= 0;) {
    const start = pos + delim.length;
    if (request.body.subarray(start, start + 2).toString() === '--') break;
    const next = request.body.indexOf(delim, start);
    const raw = request.body.subarray(start + 2, next - 2); // skip CRLF after delimiter and before the next
    const split = raw.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of raw.subarray(0, split).toString().split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: raw.subarray(split + 4) });
    pos = next;
  }
  return { params, parts };
}

const xml = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  parseTagValue: false,
});
/** One element or several, as the parser gives them: always an array. */
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const dec = (s: string | undefined): string | undefined =>
  s
    ?.replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

interface Entry {
  typeCode: string;
  classCode: string;
  confidentiality: string[];
  patientId?: string;
  sourcePatientId?: string;
  hash?: string;
  size?: string;
  mimeType: string;
  cda: Buffer;
  envelope: string;
}
function entryOf(request: Received): Entry {
  const { params, parts } = mtomParts(request);
  assert.equal(params.type, 'application/xop+xml');
  assert.equal(params['start-info'], 'application/soap+xml');
  assert.ok(request.contentType.startsWith('multipart/related'));
  assert.equal(parts.length, 2);
  const root = parts[0];
  assert.equal(params.start, root.headers['content-id']);
  assert.match(
    root.headers['content-type'],
    /^application\/xop\+xml; charset=UTF-8; type="application\/soap\+xml"; action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"$/,
  );
  assert.equal(parts[1].headers['content-type'], 'text/xml');
  assert.equal(parts[1].headers['content-id'], '<doc1@vigie-ref>');
  const envelope = root.body.toString('utf8');
  assert.match(
    envelope,
    /<xdsb:Document id="Document01"><xop:Include href="cid:doc1@vigie-ref" xmlns:xop="http:\/\/www.w3.org\/2004\/08\/xop\/include"\/><\/xdsb:Document>/,
  );
  const env = xml.parse(envelope);
  assert.equal(env.Envelope.Header.Action['#text'], 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
  assert.match(env.Envelope.Header.MessageID, /^urn:uuid:/);
  const rol = env.Envelope.Body.ProvideAndRegisterDocumentSetRequest.SubmitObjectsRequest.RegistryObjectList;
  const eo = rol.ExtrinsicObject;
  const cls = list(eo.Classification);
  const by = (scheme: string) => cls.filter((c) => c.classificationScheme === scheme).map((c) => c.nodeRepresentation);
  const slot = (name: string) => dec(list(eo.Slot).find((s) => s.name === name)?.ValueList.Value);
  const ext = (scheme: string) => dec(list(eo.ExternalIdentifier).find((e) => e.identificationScheme === scheme)?.value);
  assert.equal(
    dec(
      list(rol.RegistryPackage.ExternalIdentifier).find((e) => e.identificationScheme === 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446')
        ?.value,
    ),
    ext('urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427'),
  );
  assert.equal(rol.Association.associationType, 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember');
  return {
    typeCode: by('urn:uuid:f0306f51-975f-434e-a61c-c59651d33983')[0],
    classCode: by('urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a')[0],
    confidentiality: by('urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f'),
    patientId: ext('urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427'),
    sourcePatientId: slot('sourcePatientId'),
    hash: slot('hash'),
    size: slot('size'),
    mimeType: eo.mimeType,
    cda: parts[1].body,
    envelope,
  };
}

const cdaCode = (cda: Buffer | string) => /<code code="([^"]+)"/.exec(cda.toString())?.[1];
const countVaccinations = (cda: Buffer) => (cda.toString().match(/<entry><substanceAdministration/g) ?? []).length;

// ---------------------------------------------------------------------------------------------

describe('documents in the editor', () => {
  test('type code set automatically, the send box pre-checked (OPP-01, SEND-03, SEND-05)', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant, false);
    const expected: Record<string, string> = {
      prescription: '57833-6',
      'consultation-report': '11488-4',
      vsm: 'SYNTH',
      'vaccination-note': '87273-9',
    };
    for (const [type, code] of Object.entries(expected)) {
      const [d] = await write(tenant, patientId, type);
      assert.equal(d.type, type);
      assert.equal(d.typeCode, code);
      assert.equal(d.typeCodeSetBy, 'automatic');
      assert.equal(d.status, 'draft');
      assert.deepEqual(d.sendToDmp, {
        checked: true,
        label: "Information et non opposition du patient à l'alimentation de Mon espace santé",
      });
      assert.equal(d.dmp.status, 'not-sent');
      assert.deepEqual(await doc(tenant, d.documentId), d);
    }
  });

  test('two vaccinations at one visit give two notes of one vaccination each (SEND-09)', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const docs = await write(tenant, patientId, 'vaccination-note', {
      vaccinations: [
        { vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: '2026-01-15' },
        { vaccine: 'Vaccin contre la COVID-19', lot: 'COV2026B', date: '2026-01-15' },
      ],
    });
    assert.equal(docs.length, 2);
    for (const d of docs) assert.equal((await validate(tenant, d.documentId)).status, 200);
    for (const d of docs) assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
    const subs = submissions(tenant).map(entryOf);
    assert.equal(subs.length, 2);
    assert.deepEqual(
      subs.map((e) => countVaccinations(e.cda)),
      [1, 1],
    );
    assert.deepEqual(
      subs.map((e) => e.typeCode),
      ['87273-9', '87273-9'],
    );
  });

  test('request errors: bad type, bad content, unknown document, validated twice', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant, false);
    assert.equal(
      (await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, { workstation: PS, type: 'letter', content: {} })).status,
      400,
    );
    assert.equal(
      (
        await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
          workstation: PS,
          type: 'prescription',
          content: { lines: [] },
        })
      ).status,
      400,
    );
    assert.equal(
      (await call('POST', `/testdriver/patients/p99/documents`, tenant, { workstation: PS, type: 'vsm', content: {} })).status,
      404,
    );
    assert.equal((await call('GET', '/testdriver/documents/d99', tenant)).status, 404);
    const [d] = await write(tenant, patientId, 'vsm', { problems: [] });
    assert.equal(
      (await call('POST', `/testdriver/documents/${d.documentId}/masking`, tenant, { workstation: PS, maskedFrom: ['nobody'] })).status,
      400,
    );
    assert.equal((await validate(tenant, d.documentId)).status, 200);
    const again = await validate(tenant, d.documentId);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'already-validated');
  });
});

describe('validate and print: the one click that sends (SEND-01, SEND-04)', () => {
  test('an MTOM ITI-41 submission with the right parts, metadata and CDA', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const validation = await validate(tenant, d.documentId);
    assert.equal(validation.status, 200);
    assert.deepEqual(validation.body.clicks, [{ purpose: 'validate-and-print', label: 'Valider et imprimer' }]);
    assert.equal(validation.body.screenChanges, 0);
    assert.deepEqual(validation.body.printed, { datamatrix: false, ePrescriptionNumber: null });
    assert.equal(validation.body.document.status, 'validated');
    assert.ok(['pending', 'sent'].includes(validation.body.document.dmp.status));
    const shown = await settledDoc(tenant, d.documentId);
    assert.equal(shown.dmp.status, 'sent');
    assert.equal(shown.dmp.attempts, 1);
    const subs = submissions(tenant);
    assert.equal(subs.length, 1);
    const entry = entryOf(subs[0]);
    assert.equal(entry.mimeType, 'text/xml');
    assert.equal(entry.typeCode, '11488-4');
    assert.equal(entry.typeCode, cdaCode(entry.cda));
    assert.equal(entry.classCode, '10');
    assert.deepEqual(entry.confidentiality, ['N']);
    assert.equal(entry.patientId, CX);
    assert.equal(entry.sourcePatientId, CX);
    assert.equal(entry.hash, createHash('sha1').update(entry.cda).digest('hex'));
    assert.equal(entry.size, String(entry.cda.length));
    const cda = entry.cda.toString('utf8');
    assert.match(cda, /<id extension="170016322088854" root="1\.2\.250\.1\.213\.1\.4\.8"\/>/);
    assert.match(cda, new RegExp(`<id extension="${patientId}" root="1\\.2\\.250\\.1\\.999\\.1\\.1\\.1"/>`));
    assert.match(cda, /<nonXMLBody><text mediaType="application\/pdf" representation="B64">JVBERi0/);
    assert.match(cda, /<realmCode code="FR"\/><typeId root="2\.16\.840\.1\.113883\.1\.3" extension="POCD_HD000040"\/>/);
    const pdf = Buffer.from(/representation="B64">([^<]+)</.exec(cda)![1], 'base64').toString('latin1');
    assert.match(pdf, /^%PDF-1\.4/);
    assert.match(pdf, /%%EOF\n$/);
    assert.doesNotThrow(() => new XMLParser({ processEntities: false }).parse(cda, true));
  });

  test('the user gets the screen back while the DMP holds its answer', async () => {
    const tenant = await reset({ dmp: 'hold' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const started = Date.now();
    const validation = await validate(tenant, d.documentId);
    assert.ok(Date.now() - started < 1000, `validation took ${Date.now() - started} ms`);
    assert.equal(validation.body.document.dmp.status, 'pending');
    await waitFor(
      'the submission',
      () => submissions(tenant).length,
      (n) => n === 1,
    );
    assert.equal((await doc(tenant, d.documentId)).dmp.status, 'pending');
    for (const release of held.splice(0)) release();
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
  });

  test('a refusal (DMP fermé) is shown, the document kept, never resubmitted (SEND-10)', async () => {
    const tenant = await reset({ dmp: 'failure' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    const shown = await settledDoc(tenant, d.documentId);
    assert.equal(shown.dmp.status, 'refused');
    assert.equal(shown.dmp.message, 'Le DMP a refusé le document : DMP fermé (DMPClosed)');
    assert.equal(shown.status, 'validated');
    await pause(350);
    assert.equal(submissions(tenant).length, 1);
    assert.equal((await doc(tenant, d.documentId)).dmp.attempts, 1);
  });

  test('faults and dropped connections: at most 2 retries, then an error shown', async () => {
    for (const behaviour of ['fault', 'drop'] as const) {
      const tenant = await reset({ dmp: behaviour });
      const patientId = await patient(tenant);
      const [d] = await write(tenant, patientId, 'consultation-report');
      await validate(tenant, d.documentId);
      const shown = await settledDoc(tenant, d.documentId);
      assert.equal(shown.dmp.status, 'error', behaviour);
      assert.equal(shown.dmp.attempts, 3);
      assert.match(shown.dmp.message!, /^Envoi au DMP impossible/);
      if (behaviour === 'fault') assert.match(shown.dmp.message!, /Service indisponible/);
      assert.equal(submissions(tenant).length, 3);
    }
  });

  test('an MTOM-wrapped answer is read too', async () => {
    const tenant = await reset({ dmp: 'success-mtom' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'vsm');
    await validate(tenant, d.documentId);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
  });

  test('opposition: one click, nothing sent (OPP-02, SEND-02); the next document starts checked (SEND-03)', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const n = await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, tenant, { workstation: PS });
    assert.equal(n.status, 200);
    assert.deepEqual(
      n.body.clicks.map((click: Click) => click.purpose),
      ['do-not-send'],
    );
    await validate(tenant, d.documentId);
    await pause(100);
    assert.equal((await doc(tenant, d.documentId)).dmp.status, 'not-sent');
    assert.equal(submissions(tenant).length, 0);
    const [next] = await write(tenant, patientId, 'prescription');
    assert.equal(next.sendToDmp.checked, true);
    // the explicit action still sends an unchecked document on demand
    const sent = await call('POST', `/testdriver/documents/${d.documentId}/send-to-dmp`, tenant, { workstation: PS });
    assert.deepEqual(sent.body.clicks, [{ purpose: 'send-to-dmp', label: 'Envoyer au DMP' }]);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
    assert.equal(submissions(tenant).length, 1);
  });

  test('masking chosen at feeding time reaches the metadata (SEND-11)', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const masking = await call('POST', `/testdriver/documents/${d.documentId}/masking`, tenant, {
      workstation: PS,
      maskedFrom: ['patient', 'legal-representatives', 'professionals'],
    });
    assert.equal(masking.status, 200);
    assert.deepEqual(
      masking.body.clicks.map((click: Click) => click.purpose),
      ['masking'],
    );
    assert.deepEqual(masking.body.document.maskedFrom, ['patient', 'legal-representatives', 'professionals']);
    const validation = await validate(tenant, d.documentId);
    assert.deepEqual(
      validation.body.clicks.map((click: Click) => click.purpose),
      ['validate-and-print'],
    );
    await settledDoc(tenant, d.documentId);
    assert.deepEqual(entryOf(submissions(tenant)[0]).confidentiality, [
      'N',
      'INVISIBLE_PATIENT',
      'INVISIBLE_REPRESENTANTS_LEGAUX',
      'MASQUE_PS',
    ]);
  });

  test('an unqualified INS: nothing sent, the reason shown', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant, false);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    const shown = await doc(tenant, d.documentId);
    assert.equal(shown.dmp.status, 'not-sent');
    assert.equal(shown.dmp.message, 'INS non qualifiée : envoi au DMP impossible');
    assert.equal(submissions(tenant).length, 0);
  });
});

describe('prescriptions and the ordonnance numérique (SEND-08)', () => {
  for (const [state, ep, datamatrix] of [
    ['answers OK', 'ok', true],
    ['answers KO', 'ko', false],
    ['does not answer', 'hold', false],
    ['is not installed', 'none', false],
  ] as const) {
    test(`the teleservice ${state}: the prescription is produced and sent`, async () => {
      const tenant = await reset({ ep });
      const patientId = await patient(tenant);
      const [d] = await write(tenant, patientId, 'prescription');
      const validation = await validate(tenant, d.documentId);
      assert.equal(validation.status, 200);
      assert.deepEqual(validation.body.printed, { datamatrix, ePrescriptionNumber: datamatrix ? 'EP-0001' : null });
      assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
      const entry = entryOf(submissions(tenant)[0]);
      assert.equal(entry.typeCode, '57833-6');
      assert.equal(cdaCode(entry.cda), '57833-6');
      assert.equal(entry.classCode, '42');
      assert.equal(countVaccinations(entry.cda), 1); // one prescribed line
      if (datamatrix) assert.match(entry.cda.toString(), /<id root="1\.2\.250\.1\.215\.500\.1\.1" extension="EP-0001"\/>/);
      if (ep === 'none') assert.equal(epCalls(tenant).length, 0);
      else {
        const sent = JSON.parse(epCalls(tenant)[0].body.toString());
        assert.deepEqual(sent.patient, { ins: INS15, birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' });
        assert.equal(sent.prescriber.name, 'Dr Anne PRATICIEN');
        assert.deepEqual(sent.lines, (CONTENT.prescription as DocumentContent).lines);
      }
    });
  }

  test('the module switched off in the settings: no call, no 2D code, still sent', async () => {
    const tenant = await reset({ ep: 'ok' });
    const settings = await call('POST', '/testdriver/settings', tenant, { workstation: PS, settings: { ePrescription: false } });
    assert.deepEqual(settings.body, { applied: ['ePrescription'], refused: [] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'prescription');
    const validation = await validate(tenant, d.documentId);
    assert.equal(validation.body.printed.datamatrix, false);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
    assert.equal(epCalls(tenant).length, 0);
    for (const release of held.splice(0)) release();
  });
});

describe('settings (SEND-07)', () => {
  test('INSi and DMP feeding cannot be switched off', async () => {
    const tenant = await reset({ ep: 'none' });
    const settings = await call('POST', '/testdriver/settings', tenant, {
      workstation: PS,
      settings: { insi: false, dmpFeeding: false, ePrescription: true },
    });
    assert.equal(settings.status, 200);
    assert.deepEqual(settings.body, { applied: [], refused: ['insi', 'dmpFeeding', 'ePrescription'] });
    const patientId = await patient(tenant); // INSi still called on open-file, then qualified
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
  });
});

describe('consulting the DMP (OPP-03, OPP-04)', () => {
  const consult = (t: string, p: string, nonOpposition?: boolean) =>
    call('POST', `/testdriver/patients/${p}/dmp/consult`, t, {
      workstation: PS,
      ...(nonOpposition === undefined ? {} : { nonOpposition }),
    });

  test('asked first, with the reminder; the answer recorded; later consultations do not ask', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const first = await consult(tenant, patientId);
    assert.equal(first.status, 200);
    assert.equal(first.body.asked, true);
    assert.equal(first.body.consulted, false);
    assert.match(first.body.question, /ne s'oppose-t-il pas à la consultation de son DMP/);
    assert.equal(first.body.reminder, 'Rappel : vous devez informer le patient au préalable de tout accès à son DMP / Mon espace santé.');
    assert.equal(queries(tenant).length, 0);
    const yes = await consult(tenant, patientId, true);
    assert.equal(yes.body.consulted, true);
    assert.deepEqual(yes.body.documents, [
      { title: 'Compte rendu & suivi', typeCode: '11488-4' },
      { title: 'Note de vaccination', typeCode: '87273-9' },
    ]);
    assert.equal(queries(tenant).length, 1);
    const query = queries(tenant)[0].body.toString();
    assert.match(queries(tenant)[0].contentType, /application\/soap\+xml.*action="urn:ihe:iti:2007:RegistryStoredQuery"/);
    assert.match(query, /<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">/);
    assert.ok(
      query.includes(`<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${CX.replace(/&/g, '&amp;')}'</rim:Value>`),
      query,
    );
    assert.ok(query.includes("<rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value>"));
    const later = await consult(tenant, patientId);
    assert.equal(later.body.asked, false);
    assert.equal(later.body.consulted, true);
    assert.equal(queries(tenant).length, 2);
  });

  test('an opposition is recorded: no consultation without a new answer', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const no = await consult(tenant, patientId, false);
    assert.deepEqual(no.body, { asked: false, consulted: false });
    const again = await consult(tenant, patientId);
    assert.equal(again.body.asked, true);
    assert.equal(again.body.consulted, false);
    assert.equal(queries(tenant).length, 0);
  });

  test('an unqualified INS cannot be used to consult', async () => {
    const tenant = await reset();
    const patientId = await patient(tenant, false);
    const response = await consult(tenant, patientId, true);
    assert.deepEqual(response.body, { asked: false, consulted: false, error: 'INS non qualifiée' });
    assert.equal(queries(tenant).length, 0);
  });
});

describe('CDA generation (CDA-03, CDA-05, CDA-06)', () => {
  const base: Patient = {
    id: 'p7',
    file: { birthName: 'DUPONT', firstName: 'JEAN', sex: 'M', birthDate: '1970-01-01' },
    appointments: [],
    ins: { status: 'recovered', matricule: '1700163220888', key: '54', oid: '1.2.250.1.213.1.4.8' },
    lastCall: null,
    lastCallSeq: 0,
    insiTraits: null,
    foundBy: new Set(),
  };
  const ctx = { id: '2.25.1', setId: '2.25.2', effectiveTime: new Date('2026-01-15T10:00:00Z') };
  const empty: DocumentContent = { lines: [], vaccinations: [], problems: [], treatments: [], allergies: [] };

  test('the INS only for a qualified identity; the local id always', () => {
    const unqualified = consultationReportCda(cdaPatient(base), { ...empty, text: 'x' }, ctx);
    assert.doesNotMatch(unqualified, /1\.2\.250\.1\.213\.1\.4\.8/);
    assert.match(unqualified, /<id extension="p7" root="1\.2\.250\.1\.999\.1\.1\.1"\/>/);
    const qualified = consultationReportCda(
      cdaPatient({ ...base, ins: { ...base.ins, status: 'qualified' } }),
      { ...empty, text: 'x' },
      ctx,
    );
    assert.match(qualified, /<patientRole><id extension="170016322088854" root="1\.2\.250\.1\.213\.1\.4\.8"\/><id extension="p7"/);
  });

  test('a VSM without médecin traitant; free text kept with nullFlavor; text escaped', () => {
    const content = { ...empty, problems: ['Diabète <type 2> & "HTA"'], treatments: ['METFORMINE'], allergies: [] };
    const without = vsmCda(cdaPatient(base), content, ctx);
    // no médecin traitant: the participant the VSM asks for, its entity « no information » (CDA-05)
    assert.match(
      without,
      /<participant typeCode="INF"><functionCode code="PCP" displayName="Médecin Traitant" codeSystem="2\.16\.840\.1\.113883\.5\.88"\/><associatedEntity classCode="PROV" nullFlavor="NI"><id nullFlavor="NI"\/><\/associatedEntity><\/participant>/,
    );
    assert.match(without, /<value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="#pb-1"\/><\/originalText><\/value>/);
    assert.match(without, /Diabète &lt;type 2&gt; &amp; &quot;HTA&quot;/);
    assert.match(without, /<code code="SYNTH"/);
    const withMt = vsmCda(cdaPatient(base), { ...content, medecinTraitant: 'Dr Marc TRAITANT' }, ctx);
    assert.match(withMt, /<participant typeCode="INF"><functionCode code="PCP" displayName="Médecin Traitant"/);
    for (const x of [without, withMt]) assert.doesNotThrow(() => new XMLParser({ processEntities: false }).parse(x, true));
  });

  test('answers are parsed safely', () => {
    const evil = Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + SUCCESS.slice(38));
    assert.equal(parseRegistryResponse(evil).outcome, 'error');
    assert.deepEqual(parseRegistryResponse(Buffer.from(FAILURE)), {
      outcome: 'failure',
      errors: [{ code: 'DMPClosed', context: 'DMP fermé' }],
    });
    assert.equal(parseRegistryResponse(Buffer.from('not xml'), 502).outcome, 'error');
  });
});

// ---------------------------------------------------------------------------------------------

describe('seeded defects switch the behaviour', () => {
  test('send-box-unchecked: unchecked, validation does not send', async () => {
    const tenant = await reset({ defects: ['send-box-unchecked'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    assert.equal(d.sendToDmp.checked, false);
    await validate(tenant, d.documentId);
    await pause(100);
    assert.equal((await doc(tenant, d.documentId)).dmp.status, 'not-sent');
    assert.equal(submissions(tenant).length, 0);
  });

  test('opt-out-ignored: sent despite do-not-send', async () => {
    const tenant = await reset({ defects: ['opt-out-ignored'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const n = await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, tenant, { workstation: PS });
    assert.equal(n.body.clicks.length, 1);
    await validate(tenant, d.documentId);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
    assert.equal(submissions(tenant).length, 1);
  });

  test('consult-without-asking / consult-asks-every-time / consult-despite-opposition', async () => {
    const consult = (t: string, p: string, nonOpposition?: boolean) =>
      call('POST', `/testdriver/patients/${p}/dmp/consult`, t, {
        workstation: PS,
        ...(nonOpposition === undefined ? {} : { nonOpposition }),
      });
    let tenant = await reset({ defects: ['consult-without-asking'] });
    let patientId = await patient(tenant);
    let response = await consult(tenant, patientId);
    assert.equal(response.body.asked, false);
    assert.equal(response.body.consulted, true);
    assert.equal(queries(tenant).length, 1);

    tenant = await reset({ defects: ['consult-asks-every-time'] });
    patientId = await patient(tenant);
    assert.equal((await consult(tenant, patientId, true)).body.consulted, true);
    response = await consult(tenant, patientId);
    assert.equal(response.body.asked, true);
    assert.equal(queries(tenant).length, 1);

    tenant = await reset({ defects: ['consult-despite-opposition'] });
    patientId = await patient(tenant);
    await consult(tenant, patientId, false);
    response = await consult(tenant, patientId);
    assert.equal(response.body.consulted, true);
    assert.equal(queries(tenant).length, 1);
  });

  test('separate-send-button: only send-to-dmp sends', async () => {
    const tenant = await reset({ defects: ['separate-send-button'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    assert.equal(d.sendToDmp.checked, true);
    await validate(tenant, d.documentId);
    await pause(100);
    assert.equal(submissions(tenant).length, 0);
    const sent = await call('POST', `/testdriver/documents/${d.documentId}/send-to-dmp`, tenant, { workstation: PS });
    assert.equal(sent.status, 200);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
    assert.equal(submissions(tenant).length, 1);
  });

  test('do-not-send-two-clicks', async () => {
    const tenant = await reset({ defects: ['do-not-send-two-clicks'] });
    const patientId = await patient(tenant, false);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const n = await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, tenant, { workstation: PS });
    assert.deepEqual(
      n.body.clicks.map((click: Click) => click.purpose),
      ['do-not-send', 'confirm'],
    );
    assert.equal(n.body.clicks[1].label, 'Êtes-vous sûr ?');
  });

  test('send-choice-remembered: the next document inherits the unchecked box', async () => {
    const tenant = await reset({ defects: ['send-choice-remembered'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, tenant, { workstation: PS });
    await validate(tenant, d.documentId);
    const [next] = await write(tenant, patientId, 'prescription');
    assert.equal(next.sendToDmp.checked, false);
  });

  test('dmp-in-request-path: validation waits for the DMP', async () => {
    const tenant = await reset({ defects: ['dmp-in-request-path'], dmp: 'hold' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    let answered = false;
    const validation = validate(tenant, d.documentId).then((r) => {
      answered = true;
      return r;
    });
    await waitFor(
      'the submission',
      () => submissions(tenant).length,
      (n) => n === 1,
    );
    await pause(150);
    assert.equal(answered, false);
    for (const release of held.splice(0)) release();
    assert.equal((await validation).body.document.dmp.status, 'sent');
  });

  test('type-code-chosen-by-user: no code in the editor, a click at validation, the right code sent', async () => {
    const tenant = await reset({ defects: ['type-code-chosen-by-user'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'prescription');
    assert.equal(d.typeCode, null);
    assert.equal(d.typeCodeSetBy, null);
    const validation = await validate(tenant, d.documentId);
    assert.deepEqual(
      validation.body.clicks.map((click: Click) => click.purpose),
      ['choose-document-type', 'validate-and-print'],
    );
    assert.equal(validation.body.document.typeCodeSetBy, 'user');
    await settledDoc(tenant, d.documentId);
    assert.equal(entryOf(submissions(tenant)[0]).typeCode, '57833-6');
  });

  test('masking-dialog: a masking click at every validation', async () => {
    const tenant = await reset({ defects: ['masking-dialog'] });
    const patientId = await patient(tenant, false);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const validation = await validate(tenant, d.documentId);
    assert.deepEqual(validation.body.clicks, [
      { purpose: 'validate-and-print', label: 'Valider et imprimer' },
      { purpose: 'masking', label: 'Préférences de masquage' },
    ]);
  });

  test('dmp-feeding-can-be-disabled and insi-can-be-disabled', async () => {
    let tenant = await reset({ defects: ['dmp-feeding-can-be-disabled'] });
    const patientId = await patient(tenant);
    assert.deepEqual((await call('POST', '/testdriver/settings', tenant, { workstation: PS, settings: { dmpFeeding: false } })).body, {
      applied: ['dmpFeeding'],
      refused: [],
    });
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    await pause(100);
    assert.equal((await doc(tenant, d.documentId)).dmp.status, 'not-sent');
    assert.equal(submissions(tenant).length, 0);

    tenant = await reset({ defects: ['insi-can-be-disabled'] });
    assert.deepEqual((await call('POST', '/testdriver/settings', tenant, { workstation: PS, settings: { insi: false } })).body, {
      applied: ['insi'],
      refused: [],
    });
    const before = received.filter((r) => r.kind === 'insi').length;
    const otherPatientId = await patient(tenant, false);
    const opened = await call('POST', `/testdriver/patients/${otherPatientId}/open`, tenant, { workstation: PS });
    assert.equal(opened.body.insi.lastCall, null);
    await pause(100);
    assert.equal(received.filter((r) => r.kind === 'insi').length, before);
  });

  test('prescription-dropped-on-eprescription-failure', async () => {
    const tenant = await reset({ defects: ['prescription-dropped-on-eprescription-failure'], ep: 'ko' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'prescription');
    const validation = await validate(tenant, d.documentId);
    assert.equal(validation.body.printed.datamatrix, false);
    assert.equal(validation.body.document.dmp.status, 'not-sent');
    await pause(100);
    assert.equal(submissions(tenant).length, 0);
  });

  test('two-vaccinations-one-note', async () => {
    const tenant = await reset({ defects: ['two-vaccinations-one-note'] });
    const patientId = await patient(tenant);
    const docs = await write(tenant, patientId, 'vaccination-note', {
      vaccinations: [{ vaccine: 'Vaccin A' }, { vaccine: 'Vaccin B', code: '68747507' }],
    });
    assert.equal(docs.length, 1);
    await validate(tenant, docs[0].documentId);
    await settledDoc(tenant, docs[0].documentId);
    assert.equal(countVaccinations(entryOf(submissions(tenant)[0]).cda), 2);
  });

  test('dmp-refusal-swallowed: a refusal shown as sent', async () => {
    const tenant = await reset({ defects: ['dmp-refusal-swallowed'], dmp: 'failure' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
  });

  test('dmp-retry-forever: resubmitted every 100 ms until the tenant is reset', async () => {
    const tenant = await reset({ defects: ['dmp-retry-forever'], dmp: 'failure' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    await waitFor(
      'resubmissions',
      () => submissions(tenant).length,
      (n) => n >= 4,
    );
    assert.equal((await doc(tenant, d.documentId)).dmp.status, 'pending');
    // a new reset of the tenant stops the loop
    await call('POST', '/testdriver/reset', tenant, { doubles: { insi: { url: `${base}/insi` } } });
    await pause(150);
    const n = submissions(tenant).length;
    await pause(300);
    assert.equal(submissions(tenant).length, n);
  });

  test('cda-code-disagrees-with-metadata: the CDA says 11488-4, the XDS typeCode 57833-6 (CDA-04)', async () => {
    for (const defects of [[], ['cda-code-disagrees-with-metadata']]) {
      const tenant = await reset({ defects, ep: 'none' });
      const patientId = await patient(tenant);
      const [d] = await write(tenant, patientId, 'prescription');
      await validate(tenant, d.documentId);
      assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
      const [e] = submissions(tenant).map(entryOf);
      assert.equal(e.typeCode, '57833-6');
      const header = e.cda.toString().split('<recordTarget>')[0];
      assert.equal(cdaCode(header), defects.length ? '11488-4' : '57833-6');
      assert.match(e.cda.toString(), /<templateId root="1\.2\.250\.1\.213\.1\.1\.1\.39" extension="2024\.01"\/>/);
    }
  });

  test('masking-ignored: only N in the metadata', async () => {
    const tenant = await reset({ defects: ['masking-ignored'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const masking = await call('POST', `/testdriver/documents/${d.documentId}/masking`, tenant, {
      workstation: PS,
      maskedFrom: ['patient'],
    });
    assert.deepEqual(masking.body.document.maskedFrom, ['patient']);
    await validate(tenant, d.documentId);
    await settledDoc(tenant, d.documentId);
    assert.deepEqual(entryOf(submissions(tenant)[0]).confidentiality, ['N']);
  });
});

// ---------------------------------------------------------------------------------------------
// The author, and the seeded defects that act late, under another name, or make the user wait

const DR = { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN', idNat: '810100456789' };
const consultDmp = (t: string, p: string, nonOpposition?: boolean) =>
  call('POST', `/testdriver/patients/${p}/dmp/consult`, t, { workstation: PS, ...(nonOpposition === undefined ? {} : { nonOpposition }) });

describe('the author is the professional at the workstation', () => {
  test("the XDS authorPerson and legalAuthenticator name the validating workstation's idNat", async () => {
    const tenant = await reset();
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    assert.equal((await call('POST', `/testdriver/documents/${d.documentId}/validate`, tenant, { workstation: DR })).status, 200);
    await settledDoc(tenant, d.documentId);
    const envelope = submissions(tenant)[0].body.toString('utf8');
    const person = '810100456789^PRATICIEN^Anne^^^^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS';
    assert.ok(envelope.includes(`<rim:Slot name="authorPerson"><rim:ValueList><rim:Value>${person}</rim:Value>`), 'authorPerson');
    assert.ok(
      envelope.includes(`<rim:Slot name="legalAuthenticator"><rim:ValueList><rim:Value>${person}</rim:Value>`),
      'legalAuthenticator',
    );
    assert.match(
      entryOf(submissions(tenant)[0]).cda.toString(),
      /<assignedAuthor><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/,
    );
  });
});

describe('seeded defects that act late, under another name, or make the user wait', () => {
  test('opp-out-sent-late: shown as not sent, submitted anyway a moment later', async () => {
    const tenant = await reset({ defects: ['opp-out-sent-late'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, tenant, { workstation: PS });
    const validation = await validate(tenant, d.documentId);
    assert.equal(validation.body.document.dmp.status, 'not-sent');
    assert.equal(submissions(tenant).length, 0, 'nothing yet when the user gets the screen back');
    await waitFor(
      'the late submission',
      () => submissions(tenant).length,
      (n) => n === 1,
    );
    assert.equal(entryOf(submissions(tenant)[0]).patientId, CX);
    assert.equal((await doc(tenant, d.documentId)).dmp.status, 'not-sent', 'still shown as not sent');
  });

  test('dmp-consulted-late: the question shown, or the patient opposed, and the DMP queried a moment later', async () => {
    const tenant = await reset({ defects: ['dmp-consulted-late'] });
    const patientId = await patient(tenant);
    const response = await consultDmp(tenant, patientId);
    assert.equal(response.body.asked, true);
    assert.equal(response.body.consulted, false);
    assert.equal(queries(tenant).length, 0);
    await waitFor(
      'the late query',
      () => queries(tenant).length,
      (n) => n === 1,
    );
    const opposed = await consultDmp(tenant, patientId, false);
    assert.deepEqual(opposed.body, { asked: false, consulted: false });
    await waitFor(
      'the late query after the opposition',
      () => queries(tenant).length,
      (n) => n === 2,
    );
  });

  test('consult-reminder-in-question-only: the question says « informé », no reminder of its own', async () => {
    const tenant = await reset({ defects: ['consult-reminder-in-question-only'] });
    const response = await consultDmp(tenant, await patient(tenant));
    assert.equal(response.body.asked, true);
    assert.match(response.body.question, /informé/);
    assert.equal('reminder' in response.body, false);
    const conformantTenant = await reset();
    const conformant = await consultDmp(conformantTenant, await patient(conformantTenant));
    assert.match(conformant.body.reminder, /informer le patient au préalable/);
  });

  test('dmp-retry-every-2s: the refusal shown, the same document resubmitted every 2 s', async () => {
    const tenant = await reset({ defects: ['dmp-retry-every-2s'], dmp: 'failure' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await validate(tenant, d.documentId);
    const shown = await settledDoc(tenant, d.documentId);
    assert.equal(shown.dmp.status, 'refused');
    assert.match(shown.dmp.message!, /DMP fermé/);
    await waitFor(
      'a resubmission',
      () => submissions(tenant).length,
      (n) => n === 2,
      4000,
    );
    const [first, second] = submissions(tenant).map(entryOf);
    assert.equal(second.hash, first.hash, 'the same document');
    assert.deepEqual(await doc(tenant, d.documentId), shown, 'nothing more shown');
    await call('POST', '/testdriver/reset', tenant, { doubles: { insi: { url: `${base}/insi` } } }); // stops the loop
  });

  test('dmp-wait-1500: validation waits up to 1.5 s for a DMP that holds its answer, then answers', async () => {
    const tenant = await reset({ defects: ['dmp-wait-1500'], dmp: 'hold' });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const t0 = performance.now();
    const validation = await validate(tenant, d.documentId);
    const ms = performance.now() - t0;
    assert.ok(ms >= 1400 && ms < 2500, `answered after ${Math.round(ms)} ms`);
    assert.equal(validation.body.document.dmp.status, 'pending');
    for (const release of held.splice(0)) release();
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
  });

  test('send-choice-remembered-per-type: the next document of the same type inherits the box, another type does not', async () => {
    const tenant = await reset({ defects: ['send-choice-remembered-per-type'] });
    const patientId = await patient(tenant);
    const [d] = await write(tenant, patientId, 'consultation-report');
    await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, tenant, { workstation: PS });
    await validate(tenant, d.documentId);
    const [other] = await write(tenant, patientId, 'prescription');
    assert.equal(other.sendToDmp.checked, true);
    const [same] = await write(tenant, patientId, 'consultation-report');
    assert.equal(same.sendToDmp.checked, false);
  });

  test("masking-dialog-renamed: « Préférences d'affichage » clicked through at every validation", async () => {
    const tenant = await reset({ defects: ['masking-dialog-renamed'] });
    const patientId = await patient(tenant, false);
    const [d] = await write(tenant, patientId, 'consultation-report');
    const validation = await validate(tenant, d.documentId);
    assert.deepEqual(validation.body.clicks, [
      { purpose: 'validate-and-print', label: 'Valider et imprimer' },
      { purpose: 'preferences', label: "Préférences d'affichage" },
    ]);
  });

  test('validate-refused-on-eprescription-failure: 422 when the service answers KO, not at all, or its module is inactive; nothing sent', async () => {
    for (const ep of ['ko', 'hold', 'none'] as const) {
      const tenant = await reset({ defects: ['validate-refused-on-eprescription-failure'], ep });
      const patientId = await patient(tenant);
      const [d] = await write(tenant, patientId, 'prescription');
      const validation = await validate(tenant, d.documentId);
      assert.equal(validation.status, 422, ep);
      assert.deepEqual(validation.body, {
        error: 'eprescription-failed',
        message: 'Ordonnance numérique indisponible : validation impossible',
      });
      assert.equal((await doc(tenant, d.documentId)).status, 'draft');
      assert.equal(submissions(tenant).length, 0);
    }
    // a consultation report is validated as usual
    const tenant = await reset({ defects: ['validate-refused-on-eprescription-failure'], ep: 'ko' });
    const [d] = await write(tenant, await patient(tenant), 'consultation-report');
    assert.equal((await validate(tenant, d.documentId)).status, 200);
    assert.equal((await settledDoc(tenant, d.documentId)).dmp.status, 'sent');
  });
});
