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
      const b = epBehaviour.get(tenant) ?? 'ok';
      const ok = () => reply(201, 'application/json', JSON.stringify({ status: 'OK', ePrescriptionNumber: 'EP-0001' }));
      if (b === 'ok') return ok();
      if (b === 'ko') return reply(422, 'application/json', JSON.stringify({ status: 'KO', reason: 'Prescripteur inconnu' }));
      held.push(ok);
      return;
    }
    if (kind === 'repo') {
      const b = dmpBehaviour.get(tenant) ?? 'success';
      if (b === 'success') return soap(SUCCESS);
      if (b === 'success-mtom') {
        const mtom = `--uuid:b1\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-ID: <r@s>\r\n\r\n${SUCCESS}\r\n--uuid:b1--\r\n`;
        return reply(200, 'multipart/related; type="application/xop+xml"; boundary="uuid:b1"; start="<r@s>"', mtom);
      }
      if (b === 'failure') return soap(FAILURE);
      if (b === 'fault') return soap(FAULT, 500);
      if (b === 'drop') return req.socket.destroy();
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
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded defects go through the reference-only switch (POST /reference/defects), never through reset. */
async function switchDefects(t: string, defects: string[]): Promise<void> {
  const r = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: t, defects });
  assert.equal(r.status, 200, r.text);
}

let counter = 0;
interface Setup {
  defects?: string[];
  dmp?: DmpBehaviour;
  ep?: EpBehaviour | 'none';
  noDmp?: boolean;
}
async function reset(s: Setup = {}): Promise<string> {
  const t = `dmp${++counter}-${process.pid}`;
  dmpBehaviour.set(t, s.dmp ?? 'success');
  await switchDefects(t, s.defects ?? []);
  if (s.ep && s.ep !== 'none') epBehaviour.set(t, s.ep);
  const doubles: Record<string, unknown> = { insi: { url: `${base}/insi` } };
  if (!s.noDmp) doubles.dmp = { repositoryUrl: `${base}/repo/${t}`, registryUrl: `${base}/reg/${t}` };
  if (s.ep !== 'none') doubles.eprescription = { url: `${base}/ep/${t}` };
  const r = await call('POST', '/testdriver/reset', t, {
    doubles,
    options: { ePrescriptionTimeoutMs: 300, dmpTimeoutMs: 2000 },
    workstations: [PS],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return t;
}

async function patient(t: string, qualified = true): Promise<string> {
  const r = await call('POST', '/testdriver/patients', t, { file: FILE_DUPONT });
  assert.equal(r.status, 201);
  const id = r.body.patientId as string;
  if (!qualified) return id;
  await call('POST', `/testdriver/patients/${id}/open`, t, { workstation: PS });
  await waitFor(
    'the INSi answer',
    async () => (await call('GET', `/testdriver/patients/${id}/identity`, t)).body,
    (v) => v.insi.lastCall?.outcome === 'found',
  );
  const q = await call('POST', `/testdriver/patients/${id}/qualify`, t, {
    workstation: PS,
    method: 'document',
    document: 'Passeport (français ou étranger)',
  });
  assert.equal(q.status, 200, JSON.stringify(q.body));
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

async function write(t: string, p: string, type: string, content: unknown = CONTENT[type]): Promise<any[]> {
  const r = await call('POST', `/testdriver/patients/${p}/documents`, t, { workstation: PS, type, content });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.documents;
}

const validate = async (t: string, id: string): Promise<Answer> =>
  call('POST', `/testdriver/documents/${id}/validate`, t, { workstation: PS });
const doc = async (t: string, id: string): Promise<any> => (await call('GET', `/testdriver/documents/${id}`, t)).body;
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
function mtomParts(r: Received): { params: Record<string, string>; parts: Part[] } {
  const params: Record<string, string> = {};
  for (const m of r.contentType.matchAll(/;\s*([a-zA-Z-]+)="?([^";]*)"?/g)) params[m[1].toLowerCase()] = m[2];
  const delim = Buffer.from(`--${params.boundary}`);
  const parts: Part[] = [];
  let pos = r.body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (r.body.subarray(start, start + 2).toString() === '--') break;
    const next = r.body.indexOf(delim, start);
    const raw = r.body.subarray(start + 2, next - 2); // skip CRLF after delimiter and before the next
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
const list = (v: unknown): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
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
function entryOf(r: Received): Entry {
  const { params, parts } = mtomParts(r);
  assert.equal(params.type, 'application/xop+xml');
  assert.equal(params['start-info'], 'application/soap+xml');
  assert.ok(r.contentType.startsWith('multipart/related'));
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
    const t = await reset();
    const p = await patient(t, false);
    const expected: Record<string, string> = {
      prescription: '57833-6',
      'consultation-report': '11488-4',
      vsm: 'SYNTH',
      'vaccination-note': '87273-9',
    };
    for (const [type, code] of Object.entries(expected)) {
      const [d] = await write(t, p, type);
      assert.equal(d.type, type);
      assert.equal(d.typeCode, code);
      assert.equal(d.typeCodeSetBy, 'automatic');
      assert.equal(d.status, 'draft');
      assert.deepEqual(d.sendToDmp, {
        checked: true,
        label: "Information et non opposition du patient à l'alimentation de Mon espace santé",
      });
      assert.equal(d.dmp.status, 'not-sent');
      assert.deepEqual(await doc(t, d.documentId), d);
    }
  });

  test('two vaccinations at one visit give two notes of one vaccination each (SEND-09)', async () => {
    const t = await reset();
    const p = await patient(t);
    const docs = await write(t, p, 'vaccination-note', {
      vaccinations: [
        { vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: '2026-01-15' },
        { vaccine: 'Vaccin contre la COVID-19', lot: 'COV2026B', date: '2026-01-15' },
      ],
    });
    assert.equal(docs.length, 2);
    for (const d of docs) assert.equal((await validate(t, d.documentId)).status, 200);
    for (const d of docs) assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
    const subs = submissions(t).map(entryOf);
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
    const t = await reset();
    const p = await patient(t, false);
    assert.equal(
      (await call('POST', `/testdriver/patients/${p}/documents`, t, { workstation: PS, type: 'letter', content: {} })).status,
      400,
    );
    assert.equal(
      (await call('POST', `/testdriver/patients/${p}/documents`, t, { workstation: PS, type: 'prescription', content: { lines: [] } }))
        .status,
      400,
    );
    assert.equal((await call('POST', `/testdriver/patients/p99/documents`, t, { workstation: PS, type: 'vsm', content: {} })).status, 404);
    assert.equal((await call('GET', '/testdriver/documents/d99', t)).status, 404);
    const [d] = await write(t, p, 'vsm', { problems: [] });
    assert.equal(
      (await call('POST', `/testdriver/documents/${d.documentId}/masking`, t, { workstation: PS, maskedFrom: ['nobody'] })).status,
      400,
    );
    assert.equal((await validate(t, d.documentId)).status, 200);
    const again = await validate(t, d.documentId);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'already-validated');
  });
});

describe('validate and print: the one click that sends (SEND-01, SEND-04)', () => {
  test('an MTOM ITI-41 submission with the right parts, metadata and CDA', async () => {
    const t = await reset();
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const v = await validate(t, d.documentId);
    assert.equal(v.status, 200);
    assert.deepEqual(v.body.clicks, [{ purpose: 'validate-and-print', label: 'Valider et imprimer' }]);
    assert.equal(v.body.screenChanges, 0);
    assert.deepEqual(v.body.printed, { datamatrix: false, ePrescriptionNumber: null });
    assert.equal(v.body.document.status, 'validated');
    assert.ok(['pending', 'sent'].includes(v.body.document.dmp.status));
    const shown = await settledDoc(t, d.documentId);
    assert.equal(shown.dmp.status, 'sent');
    assert.equal(shown.dmp.attempts, 1);
    const subs = submissions(t);
    assert.equal(subs.length, 1);
    const e = entryOf(subs[0]);
    assert.equal(e.mimeType, 'text/xml');
    assert.equal(e.typeCode, '11488-4');
    assert.equal(e.typeCode, cdaCode(e.cda));
    assert.equal(e.classCode, '10');
    assert.deepEqual(e.confidentiality, ['N']);
    assert.equal(e.patientId, CX);
    assert.equal(e.sourcePatientId, CX);
    assert.equal(e.hash, createHash('sha1').update(e.cda).digest('hex'));
    assert.equal(e.size, String(e.cda.length));
    const cda = e.cda.toString('utf8');
    assert.match(cda, /<id extension="170016322088854" root="1\.2\.250\.1\.213\.1\.4\.8"\/>/);
    assert.match(cda, new RegExp(`<id extension="${p}" root="1\\.2\\.250\\.1\\.999\\.1\\.1\\.1"/>`));
    assert.match(cda, /<nonXMLBody><text mediaType="application\/pdf" representation="B64">JVBERi0/);
    assert.match(cda, /<realmCode code="FR"\/><typeId root="2\.16\.840\.1\.113883\.1\.3" extension="POCD_HD000040"\/>/);
    const pdf = Buffer.from(/representation="B64">([^<]+)</.exec(cda)![1], 'base64').toString('latin1');
    assert.match(pdf, /^%PDF-1\.4/);
    assert.match(pdf, /%%EOF\n$/);
    assert.doesNotThrow(() => new XMLParser({ processEntities: false }).parse(cda, true));
  });

  test('the user gets the screen back while the DMP holds its answer', async () => {
    const t = await reset({ dmp: 'hold' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const started = Date.now();
    const v = await validate(t, d.documentId);
    assert.ok(Date.now() - started < 1000, `validation took ${Date.now() - started} ms`);
    assert.equal(v.body.document.dmp.status, 'pending');
    await waitFor(
      'the submission',
      () => submissions(t).length,
      (n) => n === 1,
    );
    assert.equal((await doc(t, d.documentId)).dmp.status, 'pending');
    for (const release of held.splice(0)) release();
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
  });

  test('a refusal (DMP fermé) is shown, the document kept, never resubmitted (SEND-10)', async () => {
    const t = await reset({ dmp: 'failure' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    const shown = await settledDoc(t, d.documentId);
    assert.equal(shown.dmp.status, 'refused');
    assert.equal(shown.dmp.message, 'Le DMP a refusé le document : DMP fermé (DMPClosed)');
    assert.equal(shown.status, 'validated');
    await delay(350);
    assert.equal(submissions(t).length, 1);
    assert.equal((await doc(t, d.documentId)).dmp.attempts, 1);
  });

  test('faults and dropped connections: at most 2 retries, then an error shown', async () => {
    for (const behaviour of ['fault', 'drop'] as const) {
      const t = await reset({ dmp: behaviour });
      const p = await patient(t);
      const [d] = await write(t, p, 'consultation-report');
      await validate(t, d.documentId);
      const shown = await settledDoc(t, d.documentId);
      assert.equal(shown.dmp.status, 'error', behaviour);
      assert.equal(shown.dmp.attempts, 3);
      assert.match(shown.dmp.message, /^Envoi au DMP impossible/);
      if (behaviour === 'fault') assert.match(shown.dmp.message, /Service indisponible/);
      assert.equal(submissions(t).length, 3);
    }
  });

  test('an MTOM-wrapped answer is read too', async () => {
    const t = await reset({ dmp: 'success-mtom' });
    const p = await patient(t);
    const [d] = await write(t, p, 'vsm');
    await validate(t, d.documentId);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
  });

  test('opposition: one click, nothing sent (OPP-02, SEND-02); the next document starts checked (SEND-03)', async () => {
    const t = await reset();
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const n = await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, t, { workstation: PS });
    assert.equal(n.status, 200);
    assert.deepEqual(
      n.body.clicks.map((c: any) => c.purpose),
      ['do-not-send'],
    );
    await validate(t, d.documentId);
    await delay(100);
    assert.equal((await doc(t, d.documentId)).dmp.status, 'not-sent');
    assert.equal(submissions(t).length, 0);
    const [next] = await write(t, p, 'prescription');
    assert.equal(next.sendToDmp.checked, true);
    // the explicit action still sends an unchecked document on demand
    const s = await call('POST', `/testdriver/documents/${d.documentId}/send-to-dmp`, t, { workstation: PS });
    assert.deepEqual(s.body.clicks, [{ purpose: 'send-to-dmp', label: 'Envoyer au DMP' }]);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
    assert.equal(submissions(t).length, 1);
  });

  test('masking chosen at feeding time reaches the metadata (SEND-11)', async () => {
    const t = await reset();
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const m = await call('POST', `/testdriver/documents/${d.documentId}/masking`, t, {
      workstation: PS,
      maskedFrom: ['patient', 'legal-representatives', 'professionals'],
    });
    assert.equal(m.status, 200);
    assert.deepEqual(
      m.body.clicks.map((c: any) => c.purpose),
      ['masking'],
    );
    assert.deepEqual(m.body.document.maskedFrom, ['patient', 'legal-representatives', 'professionals']);
    const v = await validate(t, d.documentId);
    assert.deepEqual(
      v.body.clicks.map((c: any) => c.purpose),
      ['validate-and-print'],
    );
    await settledDoc(t, d.documentId);
    assert.deepEqual(entryOf(submissions(t)[0]).confidentiality, ['N', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX', 'MASQUE_PS']);
  });

  test('an unqualified INS: nothing sent, the reason shown', async () => {
    const t = await reset();
    const p = await patient(t, false);
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    const shown = await doc(t, d.documentId);
    assert.equal(shown.dmp.status, 'not-sent');
    assert.equal(shown.dmp.message, 'INS non qualifiée : envoi au DMP impossible');
    assert.equal(submissions(t).length, 0);
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
      const t = await reset({ ep });
      const p = await patient(t);
      const [d] = await write(t, p, 'prescription');
      const v = await validate(t, d.documentId);
      assert.equal(v.status, 200);
      assert.deepEqual(v.body.printed, { datamatrix, ePrescriptionNumber: datamatrix ? 'EP-0001' : null });
      assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
      const e = entryOf(submissions(t)[0]);
      assert.equal(e.typeCode, '57833-6');
      assert.equal(cdaCode(e.cda), '57833-6');
      assert.equal(e.classCode, '42');
      assert.equal(countVaccinations(e.cda), 1); // one prescribed line
      if (datamatrix) assert.match(e.cda.toString(), /<id root="1\.2\.250\.1\.215\.500\.1\.1" extension="EP-0001"\/>/);
      if (ep === 'none') assert.equal(epCalls(t).length, 0);
      else {
        const sent = JSON.parse(epCalls(t)[0].body.toString());
        assert.deepEqual(sent.patient, { ins: INS15, birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' });
        assert.equal(sent.prescriber.name, 'Dr Anne PRATICIEN');
        assert.deepEqual(sent.lines, (CONTENT.prescription as DocumentContent).lines);
      }
    });
  }

  test('the module switched off in the settings: no call, no 2D code, still sent', async () => {
    const t = await reset({ ep: 'ok' });
    const s = await call('POST', '/testdriver/settings', t, { workstation: PS, settings: { ePrescription: false } });
    assert.deepEqual(s.body, { applied: ['ePrescription'], refused: [] });
    const p = await patient(t);
    const [d] = await write(t, p, 'prescription');
    const v = await validate(t, d.documentId);
    assert.equal(v.body.printed.datamatrix, false);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
    assert.equal(epCalls(t).length, 0);
    for (const release of held.splice(0)) release();
  });
});

describe('settings (SEND-07)', () => {
  test('INSi and DMP feeding cannot be switched off', async () => {
    const t = await reset({ ep: 'none' });
    const s = await call('POST', '/testdriver/settings', t, {
      workstation: PS,
      settings: { insi: false, dmpFeeding: false, ePrescription: true },
    });
    assert.equal(s.status, 200);
    assert.deepEqual(s.body, { applied: [], refused: ['insi', 'dmpFeeding', 'ePrescription'] });
    const p = await patient(t); // INSi still called on open-file, then qualified
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
  });
});

describe('consulting the DMP (OPP-03, OPP-04)', () => {
  const consult = (t: string, p: string, nonOpposition?: boolean) =>
    call('POST', `/testdriver/patients/${p}/dmp/consult`, t, {
      workstation: PS,
      ...(nonOpposition === undefined ? {} : { nonOpposition }),
    });

  test('asked first, with the reminder; the answer recorded; later consultations do not ask', async () => {
    const t = await reset();
    const p = await patient(t);
    const first = await consult(t, p);
    assert.equal(first.status, 200);
    assert.equal(first.body.asked, true);
    assert.equal(first.body.consulted, false);
    assert.match(first.body.question, /ne s'oppose-t-il pas à la consultation de son DMP/);
    assert.equal(first.body.reminder, 'Rappel : vous devez informer le patient au préalable de tout accès à son DMP / Mon espace santé.');
    assert.equal(queries(t).length, 0);
    const yes = await consult(t, p, true);
    assert.equal(yes.body.consulted, true);
    assert.deepEqual(yes.body.documents, [
      { title: 'Compte rendu & suivi', typeCode: '11488-4' },
      { title: 'Note de vaccination', typeCode: '87273-9' },
    ]);
    assert.equal(queries(t).length, 1);
    const q = queries(t)[0].body.toString();
    assert.match(queries(t)[0].contentType, /application\/soap\+xml.*action="urn:ihe:iti:2007:RegistryStoredQuery"/);
    assert.match(q, /<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">/);
    assert.ok(
      q.includes(`<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${CX.replace(/&/g, '&amp;')}'</rim:Value>`),
      q,
    );
    assert.ok(q.includes("<rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value>"));
    const later = await consult(t, p);
    assert.equal(later.body.asked, false);
    assert.equal(later.body.consulted, true);
    assert.equal(queries(t).length, 2);
  });

  test('an opposition is recorded: no consultation without a new answer', async () => {
    const t = await reset();
    const p = await patient(t);
    const no = await consult(t, p, false);
    assert.deepEqual(no.body, { asked: false, consulted: false });
    const again = await consult(t, p);
    assert.equal(again.body.asked, true);
    assert.equal(again.body.consulted, false);
    assert.equal(queries(t).length, 0);
  });

  test('an unqualified INS cannot be used to consult', async () => {
    const t = await reset();
    const p = await patient(t, false);
    const r = await consult(t, p, true);
    assert.deepEqual(r.body, { asked: false, consulted: false, error: 'INS non qualifiée' });
    assert.equal(queries(t).length, 0);
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
    const t = await reset({ defects: ['send-box-unchecked'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    assert.equal(d.sendToDmp.checked, false);
    await validate(t, d.documentId);
    await delay(100);
    assert.equal((await doc(t, d.documentId)).dmp.status, 'not-sent');
    assert.equal(submissions(t).length, 0);
  });

  test('opt-out-ignored: sent despite do-not-send', async () => {
    const t = await reset({ defects: ['opt-out-ignored'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const n = await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, t, { workstation: PS });
    assert.equal(n.body.clicks.length, 1);
    await validate(t, d.documentId);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
    assert.equal(submissions(t).length, 1);
  });

  test('consult-without-asking / consult-asks-every-time / consult-despite-opposition', async () => {
    const consult = (t: string, p: string, nonOpposition?: boolean) =>
      call('POST', `/testdriver/patients/${p}/dmp/consult`, t, {
        workstation: PS,
        ...(nonOpposition === undefined ? {} : { nonOpposition }),
      });
    let t = await reset({ defects: ['consult-without-asking'] });
    let p = await patient(t);
    let r = await consult(t, p);
    assert.equal(r.body.asked, false);
    assert.equal(r.body.consulted, true);
    assert.equal(queries(t).length, 1);

    t = await reset({ defects: ['consult-asks-every-time'] });
    p = await patient(t);
    assert.equal((await consult(t, p, true)).body.consulted, true);
    r = await consult(t, p);
    assert.equal(r.body.asked, true);
    assert.equal(queries(t).length, 1);

    t = await reset({ defects: ['consult-despite-opposition'] });
    p = await patient(t);
    await consult(t, p, false);
    r = await consult(t, p);
    assert.equal(r.body.consulted, true);
    assert.equal(queries(t).length, 1);
  });

  test('separate-send-button: only send-to-dmp sends', async () => {
    const t = await reset({ defects: ['separate-send-button'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    assert.equal(d.sendToDmp.checked, true);
    await validate(t, d.documentId);
    await delay(100);
    assert.equal(submissions(t).length, 0);
    const s = await call('POST', `/testdriver/documents/${d.documentId}/send-to-dmp`, t, { workstation: PS });
    assert.equal(s.status, 200);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
    assert.equal(submissions(t).length, 1);
  });

  test('do-not-send-two-clicks', async () => {
    const t = await reset({ defects: ['do-not-send-two-clicks'] });
    const p = await patient(t, false);
    const [d] = await write(t, p, 'consultation-report');
    const n = await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, t, { workstation: PS });
    assert.deepEqual(
      n.body.clicks.map((c: any) => c.purpose),
      ['do-not-send', 'confirm'],
    );
    assert.equal(n.body.clicks[1].label, 'Êtes-vous sûr ?');
  });

  test('send-choice-remembered: the next document inherits the unchecked box', async () => {
    const t = await reset({ defects: ['send-choice-remembered'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, t, { workstation: PS });
    await validate(t, d.documentId);
    const [next] = await write(t, p, 'prescription');
    assert.equal(next.sendToDmp.checked, false);
  });

  test('dmp-in-request-path: validation waits for the DMP', async () => {
    const t = await reset({ defects: ['dmp-in-request-path'], dmp: 'hold' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    let answered = false;
    const v = validate(t, d.documentId).then((r) => {
      answered = true;
      return r;
    });
    await waitFor(
      'the submission',
      () => submissions(t).length,
      (n) => n === 1,
    );
    await delay(150);
    assert.equal(answered, false);
    for (const release of held.splice(0)) release();
    assert.equal((await v).body.document.dmp.status, 'sent');
  });

  test('type-code-chosen-by-user: no code in the editor, a click at validation, the right code sent', async () => {
    const t = await reset({ defects: ['type-code-chosen-by-user'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'prescription');
    assert.equal(d.typeCode, null);
    assert.equal(d.typeCodeSetBy, null);
    const v = await validate(t, d.documentId);
    assert.deepEqual(
      v.body.clicks.map((c: any) => c.purpose),
      ['choose-document-type', 'validate-and-print'],
    );
    assert.equal(v.body.document.typeCodeSetBy, 'user');
    await settledDoc(t, d.documentId);
    assert.equal(entryOf(submissions(t)[0]).typeCode, '57833-6');
  });

  test('masking-dialog: a masking click at every validation', async () => {
    const t = await reset({ defects: ['masking-dialog'] });
    const p = await patient(t, false);
    const [d] = await write(t, p, 'consultation-report');
    const v = await validate(t, d.documentId);
    assert.deepEqual(v.body.clicks, [
      { purpose: 'validate-and-print', label: 'Valider et imprimer' },
      { purpose: 'masking', label: 'Préférences de masquage' },
    ]);
  });

  test('dmp-feeding-can-be-disabled and insi-can-be-disabled', async () => {
    let t = await reset({ defects: ['dmp-feeding-can-be-disabled'] });
    const p = await patient(t);
    assert.deepEqual((await call('POST', '/testdriver/settings', t, { workstation: PS, settings: { dmpFeeding: false } })).body, {
      applied: ['dmpFeeding'],
      refused: [],
    });
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    await delay(100);
    assert.equal((await doc(t, d.documentId)).dmp.status, 'not-sent');
    assert.equal(submissions(t).length, 0);

    t = await reset({ defects: ['insi-can-be-disabled'] });
    assert.deepEqual((await call('POST', '/testdriver/settings', t, { workstation: PS, settings: { insi: false } })).body, {
      applied: ['insi'],
      refused: [],
    });
    const before = received.filter((r) => r.kind === 'insi').length;
    const q = await patient(t, false);
    const o = await call('POST', `/testdriver/patients/${q}/open`, t, { workstation: PS });
    assert.equal(o.body.insi.lastCall, null);
    await delay(100);
    assert.equal(received.filter((r) => r.kind === 'insi').length, before);
  });

  test('prescription-dropped-on-eprescription-failure', async () => {
    const t = await reset({ defects: ['prescription-dropped-on-eprescription-failure'], ep: 'ko' });
    const p = await patient(t);
    const [d] = await write(t, p, 'prescription');
    const v = await validate(t, d.documentId);
    assert.equal(v.body.printed.datamatrix, false);
    assert.equal(v.body.document.dmp.status, 'not-sent');
    await delay(100);
    assert.equal(submissions(t).length, 0);
  });

  test('two-vaccinations-one-note', async () => {
    const t = await reset({ defects: ['two-vaccinations-one-note'] });
    const p = await patient(t);
    const docs = await write(t, p, 'vaccination-note', {
      vaccinations: [{ vaccine: 'Vaccin A' }, { vaccine: 'Vaccin B', code: '68747507' }],
    });
    assert.equal(docs.length, 1);
    await validate(t, docs[0].documentId);
    await settledDoc(t, docs[0].documentId);
    assert.equal(countVaccinations(entryOf(submissions(t)[0]).cda), 2);
  });

  test('dmp-refusal-swallowed: a refusal shown as sent', async () => {
    const t = await reset({ defects: ['dmp-refusal-swallowed'], dmp: 'failure' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
  });

  test('dmp-retry-forever: resubmitted every 100 ms until the tenant is reset', async () => {
    const t = await reset({ defects: ['dmp-retry-forever'], dmp: 'failure' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    await waitFor(
      'resubmissions',
      () => submissions(t).length,
      (n) => n >= 4,
    );
    assert.equal((await doc(t, d.documentId)).dmp.status, 'pending');
    // a new reset of the tenant stops the loop
    await call('POST', '/testdriver/reset', t, { doubles: { insi: { url: `${base}/insi` } } });
    await delay(150);
    const n = submissions(t).length;
    await delay(300);
    assert.equal(submissions(t).length, n);
  });

  test('cda-code-disagrees-with-metadata: the CDA says 11488-4, the XDS typeCode 57833-6 (CDA-04)', async () => {
    for (const defects of [[], ['cda-code-disagrees-with-metadata']]) {
      const t = await reset({ defects, ep: 'none' });
      const p = await patient(t);
      const [d] = await write(t, p, 'prescription');
      await validate(t, d.documentId);
      assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
      const [e] = submissions(t).map(entryOf);
      assert.equal(e.typeCode, '57833-6');
      const header = e.cda.toString().split('<recordTarget>')[0];
      assert.equal(cdaCode(header), defects.length ? '11488-4' : '57833-6');
      assert.match(e.cda.toString(), /<templateId root="1\.2\.250\.1\.213\.1\.1\.1\.39" extension="2024\.01"\/>/);
    }
  });

  test('masking-ignored: only N in the metadata', async () => {
    const t = await reset({ defects: ['masking-ignored'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const m = await call('POST', `/testdriver/documents/${d.documentId}/masking`, t, { workstation: PS, maskedFrom: ['patient'] });
    assert.deepEqual(m.body.document.maskedFrom, ['patient']);
    await validate(t, d.documentId);
    await settledDoc(t, d.documentId);
    assert.deepEqual(entryOf(submissions(t)[0]).confidentiality, ['N']);
  });
});

// ---------------------------------------------------------------------------------------------
// The author, and the seeded defects that act late, under another name, or make the user wait

const DR = { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN', idNat: '810100456789' };
const consultDmp = (t: string, p: string, nonOpposition?: boolean) =>
  call('POST', `/testdriver/patients/${p}/dmp/consult`, t, { workstation: PS, ...(nonOpposition === undefined ? {} : { nonOpposition }) });

describe('the author is the professional at the workstation', () => {
  test("the XDS authorPerson and legalAuthenticator name the validating workstation's idNat", async () => {
    const t = await reset();
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    assert.equal((await call('POST', `/testdriver/documents/${d.documentId}/validate`, t, { workstation: DR })).status, 200);
    await settledDoc(t, d.documentId);
    const envelope = submissions(t)[0].body.toString('utf8');
    const person = '810100456789^PRATICIEN^Anne^^^^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS';
    assert.ok(envelope.includes(`<rim:Slot name="authorPerson"><rim:ValueList><rim:Value>${person}</rim:Value>`), 'authorPerson');
    assert.ok(
      envelope.includes(`<rim:Slot name="legalAuthenticator"><rim:ValueList><rim:Value>${person}</rim:Value>`),
      'legalAuthenticator',
    );
    assert.match(
      entryOf(submissions(t)[0]).cda.toString(),
      /<assignedAuthor><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/,
    );
  });
});

describe('seeded defects that act late, under another name, or make the user wait', () => {
  test('opp-out-sent-late: shown as not sent, submitted anyway a moment later', async () => {
    const t = await reset({ defects: ['opp-out-sent-late'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, t, { workstation: PS });
    const v = await validate(t, d.documentId);
    assert.equal(v.body.document.dmp.status, 'not-sent');
    assert.equal(submissions(t).length, 0, 'nothing yet when the user gets the screen back');
    await waitFor(
      'the late submission',
      () => submissions(t).length,
      (n) => n === 1,
    );
    assert.equal(entryOf(submissions(t)[0]).patientId, CX);
    assert.equal((await doc(t, d.documentId)).dmp.status, 'not-sent', 'still shown as not sent');
  });

  test('dmp-consulted-late: the question shown, or the patient opposed, and the DMP queried a moment later', async () => {
    const t = await reset({ defects: ['dmp-consulted-late'] });
    const p = await patient(t);
    const r = await consultDmp(t, p);
    assert.equal(r.body.asked, true);
    assert.equal(r.body.consulted, false);
    assert.equal(queries(t).length, 0);
    await waitFor(
      'the late query',
      () => queries(t).length,
      (n) => n === 1,
    );
    const o = await consultDmp(t, p, false);
    assert.deepEqual(o.body, { asked: false, consulted: false });
    await waitFor(
      'the late query after the opposition',
      () => queries(t).length,
      (n) => n === 2,
    );
  });

  test('consult-reminder-in-question-only: the question says « informé », no reminder of its own', async () => {
    const t = await reset({ defects: ['consult-reminder-in-question-only'] });
    const r = await consultDmp(t, await patient(t));
    assert.equal(r.body.asked, true);
    assert.match(r.body.question, /informé/);
    assert.equal('reminder' in r.body, false);
    const c = await reset();
    const conformant = await consultDmp(c, await patient(c));
    assert.match(conformant.body.reminder, /informer le patient au préalable/);
  });

  test('dmp-retry-every-2s: the refusal shown, the same document resubmitted every 2 s', async () => {
    const t = await reset({ defects: ['dmp-retry-every-2s'], dmp: 'failure' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await validate(t, d.documentId);
    const shown = await settledDoc(t, d.documentId);
    assert.equal(shown.dmp.status, 'refused');
    assert.match(shown.dmp.message, /DMP fermé/);
    await waitFor(
      'a resubmission',
      () => submissions(t).length,
      (n) => n === 2,
      4000,
    );
    const [first, second] = submissions(t).map(entryOf);
    assert.equal(second.hash, first.hash, 'the same document');
    assert.deepEqual(await doc(t, d.documentId), shown, 'nothing more shown');
    await call('POST', '/testdriver/reset', t, { doubles: { insi: { url: `${base}/insi` } } }); // stops the loop
  });

  test('dmp-wait-1500: validation waits up to 1.5 s for a DMP that holds its answer, then answers', async () => {
    const t = await reset({ defects: ['dmp-wait-1500'], dmp: 'hold' });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    const t0 = performance.now();
    const v = await validate(t, d.documentId);
    const ms = performance.now() - t0;
    assert.ok(ms >= 1400 && ms < 2500, `answered after ${Math.round(ms)} ms`);
    assert.equal(v.body.document.dmp.status, 'pending');
    for (const release of held.splice(0)) release();
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
  });

  test('send-choice-remembered-per-type: the next document of the same type inherits the box, another type does not', async () => {
    const t = await reset({ defects: ['send-choice-remembered-per-type'] });
    const p = await patient(t);
    const [d] = await write(t, p, 'consultation-report');
    await call('POST', `/testdriver/documents/${d.documentId}/do-not-send`, t, { workstation: PS });
    await validate(t, d.documentId);
    const [other] = await write(t, p, 'prescription');
    assert.equal(other.sendToDmp.checked, true);
    const [same] = await write(t, p, 'consultation-report');
    assert.equal(same.sendToDmp.checked, false);
  });

  test("masking-dialog-renamed: « Préférences d'affichage » clicked through at every validation", async () => {
    const t = await reset({ defects: ['masking-dialog-renamed'] });
    const p = await patient(t, false);
    const [d] = await write(t, p, 'consultation-report');
    const v = await validate(t, d.documentId);
    assert.deepEqual(v.body.clicks, [
      { purpose: 'validate-and-print', label: 'Valider et imprimer' },
      { purpose: 'preferences', label: "Préférences d'affichage" },
    ]);
  });

  test('validate-refused-on-eprescription-failure: 422 when the service answers KO, not at all, or its module is inactive; nothing sent', async () => {
    for (const ep of ['ko', 'hold', 'none'] as const) {
      const t = await reset({ defects: ['validate-refused-on-eprescription-failure'], ep });
      const p = await patient(t);
      const [d] = await write(t, p, 'prescription');
      const v = await validate(t, d.documentId);
      assert.equal(v.status, 422, ep);
      assert.deepEqual(v.body, { error: 'eprescription-failed', message: 'Ordonnance numérique indisponible : validation impossible' });
      assert.equal((await doc(t, d.documentId)).status, 'draft');
      assert.equal(submissions(t).length, 0);
    }
    // a consultation report is validated as usual
    const t = await reset({ defects: ['validate-refused-on-eprescription-failure'], ep: 'ko' });
    const [d] = await write(t, await patient(t), 'consultation-report');
    assert.equal((await validate(t, d.documentId)).status, 200);
    assert.equal((await settledDoc(t, d.documentId)).dmp.status, 'sent');
  });
});
