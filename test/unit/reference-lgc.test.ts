/**
 * Unit tests of the reference LGC (src/reference-lgc), against a stub INSi SOAP server.
 * Run: node --require ts-node/register --test test/unit/reference-lgc.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceLgc, type RunningReferenceLgc } from '../../src/reference-lgc/server';
import { callLgc, holdsFor, stubServer, waitFor, type Answer } from '../support/lgc';
import { pause } from '../../src/harness/wait';
import { nirKey, parseInsiAnswer } from '../../src/reference-lgc/insi-client';
import * as fs from 'node:fs';
import * as path from 'node:path';

// ---------------------------------------------------------------------------------------------
// Stub INSi: one behaviour per tenant path (/insi/<tenant>), records every request.

type Behaviour = { kind: 'answer'; xml: string; status?: number } | { kind: 'hold'; xml: string } | { kind: 'drop' } | { kind: 'silent' };

interface Received {
  path: string;
  contentType: string;
  body: string;
  action: string;
}

/** a list is a sequence, one per request, its last entry repeated */
const behaviours = new Map<string, Behaviour | Behaviour[]>();
const received: Received[] = [];

const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><S:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope">';
const ENV_CLOSE = '</S:Body></soap:Envelope>';
const RES_OPEN =
  '<RESULTAT xmlns:ns3="http://www.cnamts.fr/INSiRecVit" xmlns:ns2="http://www.cnamts.fr/INSiRecSans" xmlns="http://www.cnamts.fr/INSiResultat">';

interface Tiq {
  birthName: string;
  firstName: string;
  firstNames?: string;
  sex: string;
  birthDate: string;
  birthPlace?: string;
}

function foundXml(matricule: string, key: string, oid: string, tiq: Tiq): string {
  return (
    ENV_OPEN +
    RES_OPEN +
    '<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>' +
    `<NumIdentifiant>${matricule}</NumIdentifiant><Cle>${key}</Cle></IdIndividu><OID>${oid}</OID></INSACTIF><TIQ>` +
    `<NomNaissance>${tiq.birthName}</NomNaissance><Prenom>${tiq.firstName}</Prenom>` +
    `<ListePrenom>${tiq.firstNames ?? tiq.firstName}</ListePrenom><Sexe>${tiq.sex}</Sexe>` +
    `<DateNaissance>${tiq.birthDate}</DateNaissance>` +
    (tiq.birthPlace ? `<LieuNaissance>${tiq.birthPlace}</LieuNaissance>` : '') +
    '</TIQ></INDIVIDU></RESULTAT>' +
    ENV_CLOSE
  );
}
const crXml = (code: string, label: string): string =>
  `${ENV_OPEN}${RES_OPEN}<CR><CodeCR>${code}</CodeCR><LibelleCR>${label}</LibelleCR></CR></RESULTAT>${ENV_CLOSE}`;
const FAULT_XML =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault>' +
  '<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="fr">Requête invalide &amp; rejetée</soap:Text></soap:Reason>' +
  '<soap:Detail><siram:Erreur xmlns:siram="urn:siram" severite="fatale" code="insi_102_108">La structure du message est invalide</siram:Erreur></soap:Detail>' +
  '</soap:Fault></soap:Body></soap:Envelope>';

// The INSi identity of the concordant test patient (TEST_2.05-like).
const TIQ_DUPONT: Tiq = {
  birthName: 'DUPONT',
  firstName: 'JEAN',
  firstNames: 'JEAN PAUL',
  sex: 'M',
  birthDate: '1970-01-01',
  birthPlace: '63220',
};
const FILE_DUPONT = {
  birthName: 'DUPONT',
  usedName: 'MARTIN',
  firstName: 'JEAN',
  firstNames: 'JEAN PAUL',
  sex: 'M',
  birthDate: '1970-01-01',
  birthPlace: '63220',
};
const FOUND_DUPONT = foundXml('1700163220888', '54', '1.2.250.1.213.1.4.8', TIQ_DUPONT);

const stub = stubServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ct = String(req.headers['content-type'] ?? '');
    received.push({ path: req.url ?? '', contentType: ct, body, action: /action="([^"]+)"/.exec(ct)?.[1] ?? '' });
    const entry = behaviours.get(req.url ?? '') ?? { kind: 'answer', xml: crXml('01', 'Aucune identite trouvee') };
    const behaviour = Array.isArray(entry) ? (entry.length > 1 ? entry.shift()! : entry[0]) : entry;
    const reply = (xml: string, status = 200): void => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      res.end(xml);
    };
    if (behaviour.kind === 'answer') reply(behaviour.xml, behaviour.status);
    else if (behaviour.kind === 'hold') held.push(() => reply(behaviour.xml));
    else if (behaviour.kind === 'drop') req.socket.destroy();
    // silent: never answers (the LGC's timeout fires)
  });
});
const held = stub.held;

let insiBase = '';
let lgc: RunningReferenceLgc;

before(async () => {
  insiBase = await stub.start();
  lgc = await startReferenceLgc({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  for (const release of held.splice(0)) release();
  await lgc?.close();
  await stub.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** Status and parsed body only (some tests compare the whole answer). */
async function call(
  method: string,
  path: string,
  tenant: string | null,
  body?: unknown,
  raw?: string,
): Promise<{ status: number; body: Answer['body'] }> {
  const { status, body: parsed } = await callLgc(lgc.url, method, path, tenant, body, { raw });
  return { status, body: parsed };
}

const PS = { role: 'PS', card: 'CPS', user: 'Dr Marie CURIE' };
const SEC = { role: 'secretariat', card: 'CPE-nominative', user: 'Alice SECRETAIRE' };
const ANON = { role: 'secretariat', card: 'CPE-anonymous' };

let tenantCounter = 0;
/** Seeded defects go through the reference-only switch (POST /reference/defects), never through reset. */
async function switchDefects(tenantPrefix: string, defects: string[]): Promise<{ status: number; body: Answer['body'] }> {
  return call('POST', '/reference/defects', null, { tenantPrefix, defects });
}

async function reset(behaviour: Behaviour | Behaviour[], extra: { defects?: string[] } & Record<string, unknown> = {}): Promise<string> {
  const tenant = `t${++tenantCounter}-${process.pid}`;
  behaviours.set(`/insi/${tenant}`, behaviour);
  const { defects, ...rest } = extra;
  const sw = await switchDefects(tenant, defects ?? []);
  assert.equal(sw.status, 200, JSON.stringify(sw.body));
  const answer = await call('POST', '/testdriver/reset', tenant, { doubles: { insi: { url: `${insiBase}/insi/${tenant}` } }, ...rest });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.tenant, tenant);
  return tenant;
}

function sentTo(tenant: string): Received[] {
  return received.filter((r) => r.path === `/insi/${tenant}`);
}

async function createPatient(tenant: string, file: Record<string, unknown> = FILE_DUPONT, appointments?: string[]): Promise<string> {
  const created = await call('POST', '/testdriver/patients', tenant, { file, ...(appointments ? { appointments } : {}) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.patientId as string;
}

async function identity(tenant: string, id: string): Promise<Answer['body']> {
  const answer = await call('GET', `/testdriver/patients/${id}/identity`, tenant);
  assert.equal(answer.status, 200);
  return answer.body;
}

/** open the file and wait for the INSi outcome */
async function openAndSettle(tenant: string, id: string, ws: unknown = PS): Promise<Answer['body']> {
  const opened = await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: ws });
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
  await lgc.settled();
  return identity(tenant, id);
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<[a-z_]+:${name}>([^<]*)</[a-z_]+:${name}>`).exec(xml)?.[1];
}

const DOCUMENTS = [
  'Passeport (français ou étranger)',
  "Carte Nationale d'Identité (française ou étrangère)",
  "Extrait d'acte de naissance ou livret de famille",
  'Titre ou carte de séjour',
  "Document de demandeur d'asile avec photo",
  "Dispositif numérique d'identification/authentification forte",
];
const ATTESTATION =
  "J'atteste déjà connaître l'identité de cette personne et sa correspondance aux traits d'identité INSi. Cela me permet de partager ses données en toute sécurité";

// ---------------------------------------------------------------------------------------------

describe('test-driver API basics', () => {
  test('health needs no tenant', async () => {
    const health = await call('GET', '/testdriver/health', null);
    assert.deepEqual(health, { status: 200, body: { name: 'vigie-reference-lgc', version: '0.1.0', contract: '1' } });
  });

  test('errors: tenant header, unknown tenant, unknown route, malformed JSON, body limit, unknown defect', async () => {
    assert.equal((await call('POST', '/testdriver/patients', null, { file: FILE_DUPONT })).status, 400);
    assert.equal((await call('POST', '/testdriver/patients', 'bad tenant!', { file: FILE_DUPONT })).status, 400);
    const nr = await call('POST', '/testdriver/patients', 'never-reset', { file: FILE_DUPONT });
    assert.equal(nr.status, 409);
    assert.equal(nr.body.error, 'tenant-not-reset');
    assert.equal((await call('GET', '/testdriver/nope', 'x')).status, 404);
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const bad = await call('POST', '/testdriver/patients', tenant, undefined, '{"file":');
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error && bad.body.message);
    const big = await call('POST', '/testdriver/patients', tenant, undefined, JSON.stringify({ pad: 'x'.repeat(300 * 1024) }));
    assert.equal(big.status, 413);
    const missing = await call('POST', '/testdriver/patients', tenant, { file: { ...FILE_DUPONT, birthName: undefined } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /birthName/);
    const def = await switchDefects(tenant, ['no-such-defect']);
    assert.equal(def.status, 400);
    assert.equal(def.body.error, 'unknown-defect');
    assert.match(def.body.message, /no-such-defect/);
    // `defects` in the reset body is not the switch: ignored
    const ignored = await call('POST', '/testdriver/reset', tenant, {
      doubles: { insi: { url: insiBase } },
      defects: ['first-difference-only'],
    });
    assert.equal(ignored.status, 200);
    assert.deepEqual(ignored.body.defects, []);
    assert.equal((await call('GET', '/testdriver/patients/p99/identity', tenant)).status, 404);
  });

  test('tenants are isolated and reset forgets everything', async () => {
    const tenantA = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects: ['first-difference-only'] });
    const tenantB = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const pa = await createPatient(tenantA);
    assert.equal((await call('GET', `/testdriver/patients/${pa}/identity`, tenantB)).status, 404);
    const again = await call('POST', '/testdriver/reset', tenantA, { doubles: { insi: { url: `${insiBase}/insi/${tenantA}` } } });
    assert.deepEqual(again.body.defects, ['first-difference-only'], 'the switch holds for the tenant until switched off');
    await switchDefects(tenantA, []);
    const switchedOff = await call('POST', '/testdriver/reset', tenantA, { doubles: { insi: { url: `${insiBase}/insi/${tenantA}` } } });
    assert.deepEqual(switchedOff.body.defects, []);
    assert.equal((await call('GET', `/testdriver/patients/${pa}/identity`, tenantA)).status, 404);
  });
});

describe('INSi client', () => {
  test('NIR key (MSS-01 vectors)', () => {
    assert.deepEqual(['2770101154003', '1790431355662', '284052A321025', '184052B321025'].map(nirKey), ['29', '96', '52', '32']);
  });

  test('parses the CNAM test-service answers', () => {
    const dir = path.join(__dirname, '../../fixtures/insi/answers');
    const found = parseInsiAnswer(fs.readFileSync(path.join(dir, 'TEST_2.05.xml'), 'utf8'));
    assert.equal(found.outcome, 'found');
    assert.deepEqual(found.ins, { matricule: '1090763220888', key: '35', oid: '1.2.250.1.213.1.4.9' });
    assert.deepEqual(found.traits, {
      birthName: 'PROVISOIRE',
      firstName: 'MATRICULE',
      firstNames: 'MATRICULE',
      sex: 'M',
      birthDate: '2009-07-01',
      birthPlace: '63220',
    });
    const noPrenom = parseInsiAnswer(fs.readFileSync(path.join(dir, 'TEST_2.04_cas2.xml'), 'utf8'));
    assert.equal(noPrenom.traits?.firstName, 'PIERRE-ALAIN', 'no Prenom: first of ListePrenom');
    assert.equal(parseInsiAnswer(fs.readFileSync(path.join(dir, 'REP_CR01.xml'), 'utf8')).outcome, 'not-found');
  });
});

describe('INSi triggers', () => {
  test('Carte Vitale: rechercherInsAvecCarteVitale with the card data, file created from the card, INS recovered', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const card = { matricule: '1700163220888', key: '54', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01', birthRank: '1' };
    const cardRead = await call('POST', '/testdriver/carte-vitale', tenant, { workstation: SEC, card });
    assert.equal(cardRead.status, 200);
    await lgc.settled();
    const [sent] = sentTo(tenant);
    assert.equal(sent.action, 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale');
    assert.match(sent.contentType, /^application\/soap\+xml; charset=utf-8; action="/);
    assert.match(sent.body, /<insi_recvit_ins:RECVITALE xmlns:insi_recvit_ins="http:\/\/www.cnamts.fr\/INSiRecVit">/);
    assert.match(
      sent.body,
      /<insi_recvit_ins:MatriculeIndividu><insi_recvit_ins:NumIdentifiant>1700163220888<\/insi_recvit_ins:NumIdentifiant><insi_recvit_ins:Cle>54<\/insi_recvit_ins:Cle><\/insi_recvit_ins:MatriculeIndividu>/,
    );
    assert.equal(tag(sent.body, 'NomNaissance'), 'DUPONT');
    assert.equal(tag(sent.body, 'DateNaissance'), '1970-01-01');
    assert.equal(tag(sent.body, 'RangNaissance'), '1');
    assert.equal(tag(sent.body, 'Emetteur'), 'Alice SECRETAIRE');
    assert.match(sent.body, /<wsa:Action[^>]*>urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale<\/wsa:Action>/);
    assert.match(sent.body, /<wsa:MessageID[^>]*>uuid:[0-9a-f-]{36}<\/wsa:MessageID>/);
    const view = await identity(tenant, cardRead.body.patientId);
    assert.deepEqual(view.file, { birthName: 'DUPONT', firstName: 'JEAN', sex: 'M', birthDate: '1970-01-01' });
    assert.deepEqual(view.ins, { status: 'recovered', matricule: '1700163220888', key: '54', oid: '1.2.250.1.213.1.4.8' });
    assert.equal(view.insi.lastCall.outcome, 'found');
    assert.equal(view.insi.lastCall.trigger, 'carte-vitale');
    assert.equal(view.insi.traits.birthPlace, '63220');
    assert.equal(view.qualification.offered, true, 'QUAL-01: offered after a Carte Vitale call');
    // the same card again: same patient, looked up again (INS-01: recovered is not qualified)
    const again = await call('POST', '/testdriver/carte-vitale', tenant, { workstation: PS, card });
    assert.equal(again.body.patientId, cardRead.body.patientId);
    await lgc.settled();
    assert.equal(sentTo(tenant).length, 2);
    assert.equal(tag(sentTo(tenant)[1].body, 'Emetteur'), 'Dr Marie CURIE');
  });

  test('Carte Vitale matches an existing file by birth name, first name and birth date', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const id = await createPatient(tenant);
    const card = { matricule: '1700163220888', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' };
    const cardRead = await call('POST', '/testdriver/carte-vitale', tenant, { workstation: ANON, card });
    assert.equal(cardRead.body.patientId, id);
    await lgc.settled();
    assert.equal(tag(sentTo(tenant)[0].body, 'Cle'), '54', 'key computed from the NIR when the card gives none');
    assert.equal(tag(sentTo(tenant)[0].body, 'Emetteur'), 'secretariat-CPE-anonymous');
  });

  test('open file: rechercherInsAvecTraitsIdentite with the file traits (birth name, never the used name)', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const id = await createPatient(tenant);
    const view = await openAndSettle(tenant, id);
    const [sent] = sentTo(tenant);
    assert.equal(sent.action, 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite');
    assert.match(sent.body, /<insi_recsans_ins:RECSANSVITALE xmlns:insi_recsans_ins="http:\/\/www.cnamts.fr\/INSiRecSans">/);
    assert.equal(tag(sent.body, 'NomNaissance'), 'DUPONT');
    assert.equal(tag(sent.body, 'Prenom'), 'JEAN');
    assert.equal((sent.body.match(/:Prenom>/g) ?? []).length, 2, 'one Prenom element');
    assert.equal(tag(sent.body, 'Sexe'), 'M');
    assert.equal(tag(sent.body, 'DateNaissance'), '1970-01-01');
    assert.equal(tag(sent.body, 'LieuNaissance'), '63220');
    assert.ok(!sent.body.includes('MARTIN'));
    assert.equal(view.ins.status, 'recovered');
    assert.equal(view.insi.lastCall.trigger, 'open-file');
  });

  test('XML text is escaped', async () => {
    const tenant = await reset({ kind: 'answer', xml: crXml('01', 'Aucune') });
    const id = await createPatient(tenant, { ...FILE_DUPONT, birthName: "D'<&>" });
    await openAndSettle(tenant, id);
    assert.equal(tag(sentTo(tenant)[0].body, 'NomNaissance'), 'D&apos;&lt;&amp;&gt;');
  });

  test('start of day: one call per patient of the day, none for a qualified INS (INS-05, INS-06)', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const today = await createPatient(tenant, FILE_DUPONT, ['2026-03-02']);
    await createPatient(tenant, { ...FILE_DUPONT, birthName: 'AUTRE' }, ['2026-03-03']);
    const third = await createPatient(tenant, { ...FILE_DUPONT, firstName: 'PIERRE' }, ['2026-03-02']);
    let batch = await call('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: '2026-03-02' });
    assert.deepEqual(batch.body, { patientsOfTheDay: 2 });
    await lgc.settled();
    assert.equal(sentTo(tenant).length, 2);
    assert.deepEqual(
      sentTo(tenant)
        .map((s) => tag(s.body, 'Prenom'))
        .sort(),
      ['JEAN', 'PIERRE'],
    );
    assert.ok(sentTo(tenant).every((s) => s.action.endsWith(':rechercherInsAvecTraitsIdentite')));
    assert.equal((await identity(tenant, today)).insi.lastCall.trigger, 'start-of-day');
    assert.equal((await identity(tenant, third)).qualification.offered, true);
    const qualified = await call('POST', `/testdriver/patients/${today}/qualify`, tenant, { workstation: PS, method: 'exception' });
    assert.equal(qualified.status, 200);
    batch = await call('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: '2026-03-02' });
    assert.equal(batch.body.patientsOfTheDay, 2);
    await openAndSettle(tenant, today);
    await lgc.settled();
    assert.equal(sentTo(tenant).length, 3, 'only the unqualified patient is looked up again');
    assert.equal(tag(sentTo(tenant)[2].body, 'Prenom'), 'PIERRE');
  });

  test('background: triggers answer while INSi holds its answer (INS-02)', async () => {
    const tenant = await reset({ kind: 'hold', xml: FOUND_DUPONT });
    const id = await createPatient(tenant, FILE_DUPONT, ['2026-03-02']);
    const open = await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
    assert.equal(open.status, 200);
    assert.equal(open.body.insi.lastCall.outcome, 'pending');
    assert.equal(open.body.ins.status, 'none');
    const card = { matricule: '1700163220888', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' };
    assert.equal((await call('POST', '/testdriver/carte-vitale', tenant, { workstation: PS, card })).status, 200);
    assert.equal((await call('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: '2026-03-02' })).status, 200);
    await waitFor(
      'INSi to hold the three calls',
      () => held.length,
      (n) => n >= 3,
    );
    assert.equal((await identity(tenant, id)).insi.lastCall.outcome, 'pending');
    for (const release of held.splice(0)) release();
    await lgc.settled();
    const view = await identity(tenant, id);
    assert.equal(view.insi.lastCall.outcome, 'found');
    assert.equal(view.insi.lastCall.trigger, 'start-of-day', 'the latest call is the one shown');
  });

  const outcomes: Array<[string, Behaviour, string, string | undefined, number?]> = [
    ['01 → not-found', { kind: 'answer', xml: crXml('01', 'Aucune identite trouvee') }, 'not-found', '01'],
    ['02 → several', { kind: 'answer', xml: crXml('02', 'Plusieurs identites trouvees') }, 'several', '02'],
    ['SOAP fault → error', { kind: 'answer', xml: FAULT_XML, status: 500 }, 'error', 'insi_102_108'],
    ['dropped connection → no-answer', { kind: 'drop' }, 'no-answer', undefined],
    ['timeout → no-answer', { kind: 'silent' }, 'no-answer', 'timeout', 150],
  ];
  for (const [name, behaviour, outcome, code, timeout] of outcomes) {
    test(`outcome recorded (INS-07): ${name}`, async () => {
      const tenant = await reset(behaviour, timeout ? { options: { insiTimeoutMs: timeout } } : {});
      const id = await createPatient(tenant);
      const view = await openAndSettle(tenant, id);
      assert.equal(view.insi.lastCall.outcome, outcome);
      if (code) assert.equal(view.insi.lastCall.code, code);
      assert.ok(view.insi.lastCall.message);
      if (name.startsWith('SOAP')) assert.equal(view.insi.lastCall.message, 'Requête invalide & rejetée');
      assert.equal(view.ins.status, 'none');
      assert.equal(view.insi.traits, null);
      assert.equal(view.qualification.offered, false);
      assert.equal(view.qualification.concordant, null);
      assert.deepEqual(view.qualification.comparison, []);
      const refused = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
        workstation: PS,
        method: 'document',
        document: DOCUMENTS[0],
      });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.reason, 'no-insi-identity');
      assert.ok(refused.body.message);
    });
  }

  test('overlapping calls: an answer older than the recorded call is ignored', async () => {
    const tenant = await reset([
      { kind: 'hold', xml: FOUND_DUPONT },
      { kind: 'answer', xml: crXml('01', 'Aucune') },
    ]);
    const id = await createPatient(tenant);
    await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
    await waitFor(
      'INSi to hold the first call',
      () => held.length,
      (n) => n >= 1,
    );
    await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
    await waitFor(
      'the second call',
      () => sentTo(tenant).length,
      (n) => n >= 2,
    );
    await pause(50);
    assert.equal((await identity(tenant, id)).insi.lastCall.outcome, 'not-found');
    for (const release of held.splice(0)) release();
    await lgc.settled();
    const view = await identity(tenant, id);
    assert.equal(view.insi.lastCall.outcome, 'not-found');
    assert.equal(view.ins.status, 'none');
  });

  test('a DOCTYPE in the answer is rejected', async () => {
    const tenant = await reset({ kind: 'answer', xml: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + FOUND_DUPONT.slice(38) });
    const id = await createPatient(tenant);
    const view = await openAndSettle(tenant, id);
    assert.equal(view.insi.lastCall.outcome, 'error');
    assert.equal(view.ins.status, 'none');
  });
});

describe('qualification', () => {
  test('concordant: panel shows the six documents and the attestation; one click by exception (QUAL-02..05)', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const id = await createPatient(tenant);
    const view = await openAndSettle(tenant, id);
    assert.equal(view.qualification.offered, true);
    assert.equal(view.qualification.concordant, true);
    assert.deepEqual(view.qualification.documents, DOCUMENTS);
    assert.deepEqual(view.qualification.exceptionProcedure, { offered: true, attestation: ATTESTATION });
    assert.deepEqual(
      view.qualification.comparison.map((r: { trait: string; differs: boolean }) => [r.trait, r.differs]),
      [
        ['birthName', false],
        ['firstName', false],
        ['birthDate', false],
        ['sex', false],
      ],
    );
    const qualified = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, { workstation: PS, method: 'exception' });
    assert.equal(qualified.status, 200);
    assert.deepEqual(qualified.body, {
      qualified: true,
      clicks: 1,
      screenChanges: 0,
      shown: [ATTESTATION],
      ins: { status: 'qualified', matricule: '1700163220888', oid: '1.2.250.1.213.1.4.8' },
    });
    const after = await identity(tenant, id);
    assert.equal(after.ins.status, 'qualified');
    assert.equal(after.ins.qualifiedBy, 'exception');
    assert.equal(after.qualification.offered, false);
    const n = sentTo(tenant).length;
    await openAndSettle(tenant, id);
    assert.equal(sentTo(tenant).length, n, 'INS-06: no call once qualified');
  });

  test('a nominative CPE secretariat qualifies by document; an anonymous CPE never (QUAL-09)', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const id = await createPatient(tenant);
    await openAndSettle(tenant, id, SEC);
    const anon = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
      workstation: ANON,
      method: 'document',
      document: DOCUMENTS[1],
    });
    assert.equal(anon.status, 422);
    assert.equal(anon.body.error, 'qualification-refused');
    assert.equal(anon.body.reason, 'anonymous-card');
    const unknown = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
      workstation: SEC,
      method: 'document',
      document: 'Permis de conduire',
    });
    assert.equal(unknown.body.reason, 'unknown-document');
    const ok = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
      workstation: SEC,
      method: 'document',
      document: DOCUMENTS[5],
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.shown, [DOCUMENTS[5]]);
    assert.equal((await identity(tenant, id)).ins.qualifiedBy, DOCUMENTS[5]);
  });

  test('exception by the secretariat refused (QUAL-06)', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const id = await createPatient(tenant);
    await openAndSettle(tenant, id);
    const refused = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, { workstation: SEC, method: 'exception' });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.reason, 'exception-requires-ps');
  });

  test('discordant traits: every difference flagged, no qualification (QUAL-05, QUAL-07, QUAL-08)', async () => {
    const insi = foundXml('2800172123456', '77', '1.2.250.1.213.1.4.8', {
      birthName: 'GUIVARCH',
      firstName: 'JEAN PHILIPPE',
      sex: 'M',
      birthDate: '1980-01-01',
    });
    const tenant = await reset({ kind: 'answer', xml: insi });
    const id = await createPatient(tenant, { birthName: "GUIVARC'H", firstName: 'Jean-Philippe', sex: 'M', birthDate: '1980-01-01' });
    const view = await openAndSettle(tenant, id);
    assert.equal(view.qualification.offered, true);
    assert.equal(view.qualification.concordant, false);
    assert.deepEqual(view.qualification.comparison, [
      { trait: 'birthName', file: "GUIVARC'H", insi: 'GUIVARCH', differs: true },
      { trait: 'firstName', file: 'Jean-Philippe', insi: 'JEAN PHILIPPE', differs: true },
      { trait: 'birthDate', file: '1980-01-01', insi: '1980-01-01', differs: false },
      { trait: 'sex', file: 'M', insi: 'M', differs: false },
    ]);
    const exc = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, { workstation: PS, method: 'exception' });
    assert.equal(exc.body.reason, 'exception-requires-perfect-concordance');
    const doc = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
      workstation: PS,
      method: 'document',
      document: DOCUMENTS[0],
    });
    assert.equal(doc.status, 422);
    assert.equal(doc.body.reason, 'discordant-traits');
    assert.equal((await identity(tenant, id)).ins.status, 'recovered');
  });
});

describe('seeded defects', () => {
  test('insi-in-request-path: open waits for INSi', async () => {
    const tenant = await reset({ kind: 'hold', xml: FOUND_DUPONT }, { defects: ['insi-in-request-path'] });
    const id = await createPatient(tenant);
    let answered = false;
    const pending = call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS }).then((r) => {
      answered = true;
      return r;
    });
    await waitFor(
      'INSi to hold the call',
      () => held.length,
      (n) => n >= 1,
    );
    await holdsFor(
      'open waiting for INSi',
      () => answered,
      (done) => done,
      100,
    );
    for (const release of held.splice(0)) release();
    const opened = await pending;
    assert.equal(opened.body.insi.lastCall.outcome, 'found');
  });

  test('vitale-uses-file-traits: the card triggers rechercherInsAvecTraitsIdentite', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects: ['vitale-uses-file-traits'] });
    await createPatient(tenant);
    const card = { matricule: '1700163220888', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' };
    await call('POST', '/testdriver/carte-vitale', tenant, { workstation: PS, card });
    await lgc.settled();
    assert.ok(sentTo(tenant)[0].action.endsWith(':rechercherInsAvecTraitsIdentite'));
    assert.match(sentTo(tenant)[0].body, /RECSANSVITALE/);
  });

  test('first-difference-only, attestation-paraphrased, documents-list-incomplete, qualify-in-three-clicks', async () => {
    const insi = foundXml('2800172123456', '77', '1.2.250.1.213.1.4.8', {
      birthName: 'GUIVARCH',
      firstName: 'JEAN PHILIPPE',
      sex: 'M',
      birthDate: '1980-01-01',
    });
    const defects = [
      'first-difference-only',
      'attestation-paraphrased',
      'documents-list-incomplete',
      'qualify-in-three-clicks',
      'exception-loose-comparison',
    ];
    const tenant = await reset({ kind: 'answer', xml: insi }, { defects });
    const id = await createPatient(tenant, { birthName: "GUIVARC'H", firstName: 'Jean-Philippe', sex: 'M', birthDate: '1980-01-01' });
    const view = await openAndSettle(tenant, id);
    assert.deepEqual(
      view.qualification.comparison.map((r: { differs: boolean }) => r.differs),
      [true, false, false, false],
    );
    assert.equal(view.qualification.documents.length, 5);
    assert.ok(!view.qualification.exceptionProcedure.attestation.includes('déjà'));
    const qualified = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, { workstation: PS, method: 'exception' });
    assert.equal(qualified.status, 200, 'loose comparison lets a discordant identity through');
    assert.equal(qualified.body.clicks, 3);
    assert.equal(qualified.body.screenChanges, 1);
    assert.notEqual(qualified.body.shown[0], ATTESTATION);
  });

  test('insi-failure-not-recorded and process-wide defects', async () => {
    const other = await startReferenceLgc({ port: 0, defects: ['insi-failure-not-recorded'] });
    try {
      const tenant = `pw-${process.pid}`;
      behaviours.set(`/insi/${tenant}`, { kind: 'answer', xml: crXml('01', 'Aucune') });
      const response = await fetch(`${other.url}/testdriver/reset`, {
        method: 'POST',
        headers: { 'x-vigie-tenant': tenant, 'content-type': 'application/json' },
        body: JSON.stringify({ doubles: { insi: { url: `${insiBase}/insi/${tenant}` } } }),
      });
      assert.deepEqual(((await response.json()) as { defects: string[] }).defects, ['insi-failure-not-recorded']);
      const headers = { 'x-vigie-tenant': tenant, 'content-type': 'application/json' };
      const patient = (await (
        await fetch(`${other.url}/testdriver/patients`, { method: 'POST', headers, body: JSON.stringify({ file: FILE_DUPONT }) })
      ).json()) as { patientId: string };
      await fetch(`${other.url}/testdriver/patients/${patient.patientId}/open`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ workstation: PS }),
      });
      await other.settled();
      assert.equal(sentTo(tenant).length, 1);
      const view = (await (await fetch(`${other.url}/testdriver/patients/${patient.patientId}/identity`, { headers })).json()) as {
        insi: { lastCall: { outcome: string } };
      };
      assert.deepEqual(Object.keys(view.insi.lastCall).sort(), ['at', 'outcome', 'trigger']);
      assert.equal(view.insi.lastCall.outcome, 'pending');
    } finally {
      await other.close();
    }
  });

  const DISCORDANT_SEX = foundXml('1700163220888', '54', '1.2.250.1.213.1.4.8', { ...TIQ_DUPONT, sex: 'F' });
  const qualifyCases: Array<[string, string, Behaviour, Record<string, unknown>, number, string?]> = [
    [
      'conformant',
      '',
      { kind: 'answer', xml: DISCORDANT_SEX },
      { workstation: PS, method: 'exception' },
      422,
      'exception-requires-perfect-concordance',
    ],
    [
      'exception-checks-names-only',
      'exception-checks-names-only',
      { kind: 'answer', xml: DISCORDANT_SEX },
      { workstation: PS, method: 'exception' },
      200,
    ],
    ['exception-delegated', 'exception-delegated', { kind: 'answer', xml: FOUND_DUPONT }, { workstation: SEC, method: 'exception' }, 200],
    [
      'qualify-despite-discordance (discordant)',
      'qualify-despite-discordance',
      { kind: 'answer', xml: DISCORDANT_SEX },
      { workstation: PS, method: 'document', document: DOCUMENTS[0] },
      200,
    ],
    [
      'qualify-despite-discordance (no answer)',
      'qualify-despite-discordance',
      { kind: 'drop' },
      { workstation: PS, method: 'document', document: DOCUMENTS[0] },
      200,
    ],
    [
      'anonymous-cpe-qualifies',
      'anonymous-cpe-qualifies',
      { kind: 'answer', xml: FOUND_DUPONT },
      { workstation: ANON, method: 'document', document: DOCUMENTS[0] },
      200,
    ],
    [
      'nominative-cpe-refused',
      'nominative-cpe-refused',
      { kind: 'answer', xml: FOUND_DUPONT },
      { workstation: SEC, method: 'document', document: DOCUMENTS[0] },
      422,
      'secretariat-not-allowed',
    ],
  ];
  for (const [name, defect, behaviour, body, status, reason] of qualifyCases) {
    test(`qualification defect: ${name}`, async () => {
      const tenant = await reset(behaviour, defect ? { defects: [defect] } : {});
      const id = await createPatient(tenant);
      await openAndSettle(tenant, id);
      const answer = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, body);
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      if (reason) assert.equal(answer.body.reason, reason);
      if (status === 200) assert.equal((await identity(tenant, id)).ins.status, 'qualified');
    });
  }

  test('offer-only-on-open-file: no offer after a Carte Vitale call', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects: ['offer-only-on-open-file'] });
    const card = { matricule: '1700163220888', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' };
    const cardRead = await call('POST', '/testdriver/carte-vitale', tenant, { workstation: PS, card });
    await lgc.settled();
    assert.equal((await identity(tenant, cardRead.body.patientId)).qualification.offered, false);
    assert.equal((await openAndSettle(tenant, cardRead.body.patientId)).qualification.offered, true);
  });

  test('open-file-sends-used-name, insi-once-per-patient, no-start-of-day-batch, recall-when-qualified', async () => {
    const defects = ['open-file-sends-used-name', 'insi-once-per-patient', 'no-start-of-day-batch'];
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects });
    const id = await createPatient(tenant, FILE_DUPONT, ['2026-03-02']);
    await openAndSettle(tenant, id);
    assert.equal(tag(sentTo(tenant)[0].body, 'NomNaissance'), 'MARTIN');
    await openAndSettle(tenant, id);
    assert.equal(sentTo(tenant).length, 1, 'recovered patient not looked up again');
    await call('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: '2026-03-02' });
    await lgc.settled();
    assert.equal(sentTo(tenant).length, 1);

    const t2 = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects: ['recall-when-qualified'] });
    const id2 = await createPatient(t2);
    await openAndSettle(t2, id2);
    await call('POST', `/testdriver/patients/${id2}/qualify`, t2, { workstation: PS, method: 'exception' });
    const view = await openAndSettle(t2, id2);
    assert.equal(sentTo(t2).length, 2);
    assert.equal(view.ins.status, 'qualified');
  });
});

describe("workstations: who sits where, and the card holder's idNat", () => {
  test("reset takes workstations; an action's workstation takes idNat; both checked", async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT });
    const ws = { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN', idNat: '810100456789' };
    const ok = await call('POST', '/testdriver/reset', tenant, {
      doubles: { insi: { url: `${insiBase}/insi/${tenant}` } },
      workstations: [ws, SEC, ANON],
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const id = await createPatient(tenant);
    assert.equal((await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: ws })).status, 200);
    const bad = await call('POST', '/testdriver/reset', tenant, {
      doubles: { insi: { url: insiBase } },
      workstations: [{ role: 'PS', card: 'CPS', idNat: 'not an id!' }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /workstations\[0\]\.idNat/);
    assert.equal(
      (await call('POST', '/testdriver/reset', tenant, { doubles: { insi: { url: insiBase } }, workstations: 'PS' })).status,
      400,
    );
    assert.equal((await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: { ...ws, idNat: 42 } })).status, 400);
  });
});

describe('seeded defects that act late or make the user wait (INSi)', () => {
  test('insi-late-for-qualified: a qualified patient looked up a moment after each trigger', async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects: ['insi-late-for-qualified'] });
    const id = await createPatient(tenant, FILE_DUPONT, ['2026-03-02']);
    await openAndSettle(tenant, id);
    assert.equal((await call('POST', `/testdriver/patients/${id}/qualify`, tenant, { workstation: PS, method: 'exception' })).status, 200);
    const calls = sentTo(tenant).length;
    const triggers: Array<[string, unknown]> = [
      [`/testdriver/patients/${id}/open`, { workstation: PS }],
      [
        '/testdriver/carte-vitale',
        { workstation: PS, card: { matricule: '1700163220888', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1970-01-01' } },
      ],
      ['/testdriver/start-of-day', { workstation: PS, date: '2026-03-02' }],
    ];
    for (const [i, [route, body]] of triggers.entries()) {
      assert.equal((await call('POST', route, tenant, body)).status, 200, route);
      assert.equal(sentTo(tenant).length, calls + i, `${route}: no call when the user gets the screen back`);
      await waitFor(
        `the late call after ${route}`,
        () => sentTo(tenant).length,
        (n) => n === calls + i + 1,
      );
    }
    assert.equal((await identity(tenant, id)).ins.status, 'qualified');
  });

  test("start-of-day-late-for-others: the day's patients, then a moment later the others too", async () => {
    const tenant = await reset({ kind: 'answer', xml: FOUND_DUPONT }, { defects: ['start-of-day-late-for-others'] });
    await createPatient(tenant, FILE_DUPONT, ['2026-03-02']);
    const other = await createPatient(tenant, { ...FILE_DUPONT, birthName: 'DURAND' }, ['2026-03-03']);
    const batch = await call('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: '2026-03-02' });
    assert.equal(batch.body.patientsOfTheDay, 1);
    await waitFor(
      "the day's patient",
      () => sentTo(tenant).length,
      (n) => n >= 1,
    );
    assert.equal(sentTo(tenant).filter((x) => tag(x.body, 'NomNaissance') === 'DURAND').length, 0, 'not at once');
    await waitFor(
      'the late call for the other patient',
      () => sentTo(tenant).filter((x) => tag(x.body, 'NomNaissance') === 'DURAND').length,
      (n) => n === 1,
    );
    await lgc.settled();
    assert.equal((await identity(tenant, other)).insi.lastCall.trigger, 'start-of-day');
  });

  test('insi-wait-1500: opening the file waits up to 1.5 s for an INSi that holds its answer, then answers', async () => {
    const tenant = await reset({ kind: 'hold', xml: FOUND_DUPONT }, { defects: ['insi-wait-1500'] });
    const id = await createPatient(tenant);
    const t0 = performance.now();
    const opened = await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
    const ms = performance.now() - t0;
    assert.equal(opened.status, 200);
    assert.ok(ms >= 1400 && ms < 2500, `answered after ${Math.round(ms)} ms`);
    assert.equal(opened.body.insi.lastCall.outcome, 'pending');
    for (const release of held.splice(0)) release();
    await lgc.settled();
    assert.equal((await identity(tenant, id)).insi.lastCall.outcome, 'found');
  });
});
