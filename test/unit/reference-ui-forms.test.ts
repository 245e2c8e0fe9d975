/**
 * The reference LGC's web UI screens « Nouveau dossier patient » (POST /ui/patients),
 * « Paramètres » (GET/POST /ui/settings) and the secure-messaging actions « Nouveau message » and
 * « Clôturer l'échange » (POST /ui/patients/<id>/messages[/end], against the MSSanté double):
 * posted as a browser posts a form (no script), checked through the test-driver API. Run: node --require ts-node/register --test test/unit/reference-ui-forms.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MssDouble, type MssMessage, type MssTenant } from '../../src/doubles/mss';
import { startReferenceLgc, type RunningReferenceLgc } from '../../src/reference-lgc/server';
import { callLgc, stubServer, waitFor, type Answer } from '../support/lgc';
import { decode, tag } from '../support/html';

// DURAND MARIE's INS, with its right key (the MSSanté double bounces a patient address whose key is wrong)
const INSI_FOUND =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
  '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>' +
  '<NumIdentifiant>2800575056123</NumIdentifiant><Cle>89</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ>' +
  '<NomNaissance>DURAND</NomNaissance><Prenom>MARIE</Prenom><ListePrenom>MARIE CLAIRE</ListePrenom><Sexe>F</Sexe>' +
  '<DateNaissance>1980-05-17</DateNaissance><LieuNaissance>75056</LieuNaissance></TIQ></INDIVIDU></RESULTAT></soap:Body></soap:Envelope>';

let insiCalls = 0;
let ePrescriptionCalls = 0;
const stub = stubServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/insi/')) {
      insiCalls++;
      res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' }).end(INSI_FOUND);
    } else if (req.url?.startsWith('/eprescription/')) {
      ePrescriptionCalls++;
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ status: 'OK', prescriptionNumber: `EP${ePrescriptionCalls}` }));
    } else res.writeHead(404).end();
  });
});

let base = '';
let lgc: RunningReferenceLgc;
const mss = new MssDouble({ idleTimeoutMs: 5000 });
before(async () => {
  base = await stub.start();
  await mss.start();
  lgc = await startReferenceLgc({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await lgc?.close();
  await mss.stop();
  await stub.stop();
});

const PS = { role: 'PS', card: 'CPS' };
let counter = 0;
async function api(method: string, path: string, tenant: string, body?: unknown): Promise<Answer> {
  return callLgc(lgc.url, method, path, tenant, body, { timeoutMs: 8000 });
}
/** A new tenant; with `box`, its MSSanté mailbox on the double (doubles.mss). */
async function reset(box?: MssTenant): Promise<string> {
  const tenant = box?.id ?? `forms${++counter}-${process.pid}`;
  const sw = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: tenant, defects: [] });
  assert.equal(sw.status, 200, sw.text);
  const doubles: Record<string, unknown> = {
    insi: { url: `${base}/insi/${tenant}` },
    eprescription: { url: `${base}/eprescription/${tenant}` },
  };
  if (box) {
    const mailbox = box.mailboxFor('cabinet');
    box.registerMailbox(mailbox, { kind: 'professional' });
    doubles.mss = { smtp: mss.smtp, pop3: mss.pop3, mailbox, password: 'vigie' };
  }
  const answer = await api('POST', '/testdriver/reset', tenant, { doubles });
  assert.equal(answer.status, 200, answer.text);
  return tenant;
}

interface Page {
  status: number;
  html: string;
  location: string;
}
async function get(path: string, init: RequestInit = {}): Promise<Page> {
  const response = await fetch(lgc.url + path, { redirect: 'manual', signal: AbortSignal.timeout(5000), ...init });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') ?? '' };
}
/** A form posted as a browser posts it (application/x-www-form-urlencoded, no script). */
function post(path: string, form: Record<string, string>): Promise<Page> {
  return get(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}
/** The text of a leaf element carrying data-testid. */
function textOf(html: string, testid: string): string {
  const open = tag(html, testid);
  const start = html.indexOf(open) + open.length;
  return decode(html.slice(start, html.indexOf('<', start))).trim();
}

const FORM = {
  birthName: 'DURAND',
  usedName: 'MARTIN',
  firstName: 'MARIE',
  firstNames: 'MARIE CLAIRE',
  sex: 'F',
  birthDate: '1980-05-17',
  birthPlace: '75056',
};

describe('reference LGC web UI: new patient file and settings', () => {
  test('Nouveau dossier patient: the form, the file created as the API creates it, the file shown without an INSi call', async () => {
    const tenant = await reset();
    const list = await get(`/ui/patients?tenant=${tenant}&ws=cpe`);
    assert.equal(list.status, 200);
    assert.match(tag(list.html, 'new-patient-form'), new RegExp(`action="/ui/patients\\?tenant=${tenant}&amp;ws=cpe"`));
    for (const field of [...Object.keys(FORM), 'appointmentToday']) assert.ok(tag(list.html, `new-patient-${field}`));
    assert.match(tag(list.html, 'new-patient-birthDate'), /type="date"/);
    assert.match(tag(list.html, 'new-patient-appointmentToday'), /type="checkbox"/);
    assert.ok(tag(list.html, 'new-patient-submit'));

    const calls = insiCalls;
    const created = await post(`/ui/patients?tenant=${tenant}&ws=cpe`, { ...FORM, appointmentToday: '1' });
    assert.equal(created.status, 303, created.html);
    const match = new RegExp(`^/ui/patients/([^/?]+)\\?tenant=${tenant}&ws=cpe&opened=1$`).exec(created.location);
    assert.ok(match, `redirect to the new file, not an opening: ${created.location}`);
    const patientId = match[1];

    const identity = await api('GET', `/testdriver/patients/${patientId}/identity`, tenant);
    assert.equal(identity.status, 200, identity.text);
    assert.deepEqual(identity.body.file, FORM);
    assert.equal(identity.body.ins.status, 'none');

    const file = await get(created.location);
    assert.equal(file.status, 200);
    assert.match(file.html, /data-screen="Dossier de DURAND MARIE"/);
    await lgc.settled();
    assert.equal(insiCalls, calls, 'creating the file and showing it is no INSi trigger');

    // the list links to the file (an opening); the appointment makes the patient one of today's
    const again = await get(`/ui/patients?tenant=${tenant}&ws=cpe`);
    assert.match(
      tag(again.html, `patient-link-${patientId}`),
      new RegExp(`href="/ui/patients/${patientId}\\?tenant=${tenant}&amp;ws=cpe" .*data-patient-id="${patientId}"`),
    );
    const today = new Date().toISOString().slice(0, 10);
    const day = await api('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: today });
    assert.equal(day.status, 200, day.text);
    assert.equal(day.body.patientsOfTheDay, 1);
  });

  test('Nouveau dossier patient: optional traits left empty are not set; no appointment unless ticked', async () => {
    const tenant = await reset();
    const created = await post(`/ui/patients?tenant=${tenant}`, { ...FORM, usedName: '', firstNames: '', birthPlace: '' });
    assert.equal(created.status, 303, created.html);
    const patientId = /^\/ui\/patients\/([^/?]+)\?/.exec(created.location)![1];
    const identity = await api('GET', `/testdriver/patients/${patientId}/identity`, tenant);
    assert.deepEqual(identity.body.file, { birthName: 'DURAND', firstName: 'MARIE', sex: 'F', birthDate: '1980-05-17' });
    const day = await api('POST', '/testdriver/start-of-day', tenant, { workstation: PS, date: new Date().toISOString().slice(0, 10) });
    assert.equal(day.body.patientsOfTheDay, 0);
  });

  test('Nouveau dossier patient: an invalid birth date comes back as the error flash, no file created', async () => {
    const tenant = await reset();
    const refused = await post(`/ui/patients?tenant=${tenant}&ws=ps`, { ...FORM, birthDate: '17/05/1980' });
    assert.equal(refused.status, 303);
    assert.match(refused.location, new RegExp(`^/ui/patients\\?tenant=${tenant}&ws=ps&flash=.*&flashKind=error$`));
    const list = await get(refused.location);
    assert.equal(textOf(list.html, 'flash-error'), 'file.birthDate: a date YYYY-MM-DD is required');
    assert.ok(tag(list.html, 'patient-list-empty'));
    const noSex = await get((await post(`/ui/patients?tenant=${tenant}&ws=ps`, { ...FORM, sex: '' })).location);
    assert.equal(textOf(noSex.html, 'flash-error'), 'file.sex: one of M, F, I is required');
  });

  test('Paramètres: the boxes as set; deactivating DMP feeding refused in words, ordonnance numérique turned off', async () => {
    const tenant = await reset();
    const patients = await get(`/ui/patients?tenant=${tenant}&ws=ps`);
    assert.match(tag(patients.html, 'nav-settings'), new RegExp(`href="/ui/settings\\?tenant=${tenant}&amp;ws=ps"`));

    const screen = await get(`/ui/settings?tenant=${tenant}&ws=ps`);
    assert.equal(screen.status, 200);
    assert.match(screen.html, /data-screen="Paramètres"/);
    assert.match(tag(screen.html, 'settings-form'), new RegExp(`action="/ui/settings\\?tenant=${tenant}&amp;ws=ps"`));
    for (const key of ['insi', 'dmpFeeding', 'ePrescription']) assert.match(tag(screen.html, `setting-${key}`), / checked /, key);
    assert.ok(tag(screen.html, 'settings-submit'));

    // a prescription validated while the module is on carries the 2D code
    const { patientId } = (await api('POST', '/testdriver/patients', tenant, { file: FORM })).body;
    const prescription = async (): Promise<Answer['body']> => {
      const created = await api('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
        workstation: PS,
        type: 'prescription',
        content: { lines: [{ product: 'PARACETAMOL 1 g', dosage: '1 comprimé 3 fois par jour' }] },
      });
      assert.equal(created.status, 201, created.text);
      const documentId = created.body.documents[0].documentId;
      assert.equal((await api('POST', `/testdriver/documents/${documentId}/do-not-send`, tenant, { workstation: PS })).status, 200);
      const validated = await api('POST', `/testdriver/documents/${documentId}/validate`, tenant, { workstation: PS });
      assert.equal(validated.status, 200, validated.text);
      return (await api('GET', `/testdriver/documents/${documentId}`, tenant)).body;
    };
    assert.equal((await prescription()).printed.datamatrix, true);

    // untick DMP feeding and ordonnance numérique, INSi left ticked
    const saved = await post(`/ui/settings?tenant=${tenant}&ws=ps`, { insi: '1' });
    assert.equal(saved.status, 303);
    assert.match(saved.location, new RegExp(`^/ui/settings\\?tenant=${tenant}&ws=ps&`));
    const shown = await get(saved.location);
    assert.equal(textOf(shown.html, 'flash-error'), 'Refusé : désactivation du module alimentation du DMP (dmpFeeding)');
    assert.equal(textOf(shown.html, 'flash'), 'Appliqué : module ordonnance numérique désactivé (ePrescription)');
    assert.match(tag(shown.html, 'setting-insi'), / checked /);
    assert.match(tag(shown.html, 'setting-dmpFeeding'), / checked /, 'the refusal leaves DMP feeding on');
    assert.doesNotMatch(tag(shown.html, 'setting-ePrescription'), / checked /);

    // through the API: the module is off, the service is no longer called and nothing is printed with a 2D code
    const calls = ePrescriptionCalls;
    const printed = (await prescription()).printed;
    assert.equal(printed.datamatrix, false);
    assert.equal(printed.ePrescriptionNumber, null);
    assert.equal(ePrescriptionCalls, calls);
    // the API's own answer agrees: DMP feeding is still refused, ordonnance numérique can come back
    const direct = await api('POST', '/testdriver/settings', tenant, { workstation: PS, settings: { dmpFeeding: false } });
    assert.deepEqual(direct.body, { applied: [], refused: ['dmpFeeding'] });

    // saving without a change asks for nothing
    const unchanged = await get((await post(`/ui/settings?tenant=${tenant}&ws=ps`, { insi: '1', dmpFeeding: '1' })).location);
    assert.equal(textOf(unchanged.html, 'flash'), 'Aucune modification.');
    const back = await get(
      (await post(`/ui/settings?tenant=${tenant}&ws=ps`, { insi: '1', dmpFeeding: '1', ePrescription: '1' })).location,
    );
    assert.equal(textOf(back.html, 'flash'), 'Appliqué : module ordonnance numérique activé (ePrescription)');
    assert.equal((await prescription()).printed.datamatrix, true);
  });
});

// ---------------------------------------------------------------------------------------------
// Secure messaging: « Nouveau message » and « Clôturer l'échange »

/** DURAND MARIE's address: her qualified INS (the INSi stub's 2800575056123, key 89 = 97 − 2800575056123 mod 97) at patient.mssante.fr. */
const PATIENT_ADDRESS = '280057505612389@patient.mssante.fr';

/** A tenant with its MSSanté mailbox on the double, and DURAND MARIE's file with her INS qualified. */
async function messagingTenant(): Promise<{ tenant: string; box: MssTenant; patientId: string }> {
  const box = mss.tenant(`formsmss${++counter}-${process.pid}`);
  box.reset();
  const tenant = await reset(box);
  const patientId = await qualifiedPatient(tenant);
  return { tenant, box, patientId };
}
async function qualifiedPatient(tenant: string): Promise<string> {
  const created = await api('POST', '/testdriver/patients', tenant, { file: FORM });
  assert.equal(created.status, 201, created.text);
  const patientId = created.body.patientId as string;
  assert.equal((await api('POST', `/testdriver/patients/${patientId}/open`, tenant, { workstation: PS })).status, 200);
  await waitFor(
    'the INSi answer',
    async () => (await api('GET', `/testdriver/patients/${patientId}/identity`, tenant)).body,
    (v) => v.insi.lastCall?.outcome === 'found',
  );
  const qualified = await api('POST', `/testdriver/patients/${patientId}/qualify`, tenant, {
    workstation: PS,
    method: 'document',
    document: 'Passeport (français ou étranger)',
  });
  assert.equal(qualified.status, 200, qualified.text);
  return patientId;
}
async function report(tenant: string, patientId: string, title: string): Promise<string> {
  const created = await api('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
    workstation: PS,
    type: 'consultation-report',
    content: { title, text: 'Examen clinique sans particularité. Tension 12/8.' },
  });
  assert.equal(created.status, 201, created.text);
  return created.body.documents[0].documentId as string;
}
/** What reached the operator from the practice (not what the double made itself). */
const fromPractice = (box: MssTenant): MssMessage[] => box.messages().filter((m) => !m.generated);
/** A message as the operator received it, in the terms a send decides (not its ids or dates). */
const received = (m: MssMessage): unknown => ({
  envelope: m.envelope,
  subject: m.parsed?.subject,
  text: m.parsed?.text?.trim(),
  readReceipt: m.parsed?.headers['disposition-notification-to'] !== undefined,
  attachments: m.parsed?.attachments.map((a) => [a.filename, a.contentType]),
});

describe('reference LGC web UI: secure messaging', () => {
  test('Nouveau message to the patient, with one attachment and a read receipt: sent as the API sends it, shown in its thread', async () => {
    const { tenant, box, patientId } = await messagingTenant();
    const documentId = await report(tenant, patientId, 'Consultation du jour');
    const other = await api('POST', '/testdriver/patients', tenant, { file: { ...FORM, birthName: 'AUTRE' } });
    const otherDocument = await report(tenant, other.body.patientId, 'Document d’un autre patient');

    const screen = await get(`/ui/patients/${patientId}/messages?tenant=${tenant}&ws=cpe`);
    assert.equal(screen.status, 200, screen.html);
    assert.match(tag(screen.html, 'message-form'), new RegExp(`action="/ui/patients/${patientId}/messages\\?tenant=${tenant}&amp;ws=cpe"`));
    assert.match(tag(screen.html, 'message-to-patient'), /type="radio" name="to" value="patient" checked/);
    assert.match(tag(screen.html, 'message-to-address'), /type="radio" name="to" value="address"/);
    for (const id of ['message-address', 'message-subject', 'message-body', 'message-submit']) assert.ok(tag(screen.html, id));
    assert.match(tag(screen.html, 'message-read-receipt'), /type="checkbox" name="readReceipt"/);
    assert.match(tag(screen.html, 'message-attachment'), new RegExp(`type="checkbox" name="attachment" value="${documentId}"`));
    assert.equal(textOf(screen.html, 'message-attachment'), 'Consultation du jour');
    assert.equal(screen.html.split('data-testid="message-attachment"').length, 2, 'one box: the documents of this patient only');
    assert.ok(!screen.html.includes(otherDocument));
    assert.match(
      tag(screen.html, 'end-exchange-form'),
      new RegExp(`action="/ui/patients/${patientId}/messages/end\\?tenant=${tenant}&amp;ws=cpe"`),
    );
    assert.equal(textOf(screen.html, 'end-exchange'), "Clôturer l'échange");

    const form = {
      to: 'patient',
      address: '',
      subject: 'Suite à votre consultation',
      body: 'Bonjour,\r\nvoici le compte rendu.\r\nDr Anne PRATICIEN',
      attachment: documentId,
      readReceipt: '1',
    };
    const sent = await post(`/ui/patients/${patientId}/messages?tenant=${tenant}&ws=cpe`, form);
    assert.equal(sent.status, 303, sent.html);
    assert.match(sent.location, new RegExp(`^/ui/patients/${patientId}/messages\\?tenant=${tenant}&ws=cpe&flash=`));
    const shown = await get(sent.location);
    assert.equal(textOf(shown.html, 'flash'), `Message envoyé à ${PATIENT_ADDRESS}`);

    // the test-driver API's view of the patient's messages
    const thread = await api('GET', `/testdriver/patients/${patientId}/messages`, tenant);
    assert.equal(thread.status, 200, thread.text);
    assert.equal(thread.body.messages.length, 1);
    const [message] = thread.body.messages;
    assert.deepEqual([message.direction, message.status, message.subject], ['out', 'sent', 'Suite à votre consultation']);
    assert.equal(thread.body.ended, false);
    assert.equal(textOf(shown.html, `message-${message.messageId}-status`), 'envoyé');

    // the operator received what the API's send of the same message hands it
    const viaForm = fromPractice(box);
    assert.equal(viaForm.length, 1);
    const direct = await api('POST', '/testdriver/messages', tenant, {
      workstation: { role: 'secretariat', card: 'CPE-nominative' },
      to: { patientId },
      subject: form.subject,
      body: form.body,
      attachments: [{ documentId }],
      readReceipt: true,
    });
    assert.equal(direct.status, 201, direct.text);
    assert.equal(direct.body.address, PATIENT_ADDRESS);
    const viaApi = fromPractice(box).find((m) => m.parsed?.messageId === direct.body.internetMessageId);
    assert.ok(viaApi);
    assert.deepEqual(received(viaForm[0]), received(viaApi));
    assert.deepEqual(viaForm[0].envelope.to, [PATIENT_ADDRESS]);
    assert.deepEqual(
      viaForm[0].parsed?.attachments.map((a) => a.contentType),
      ['application/pdf'],
    );
    assert.equal((received(viaForm[0]) as { readReceipt: boolean }).readReceipt, true);
  });

  test('Nouveau message: a refusal comes back as the error flash, nothing sent; another address is written to', async () => {
    const { tenant, box, patientId } = await messagingTenant();
    const screen = `/ui/patients/${patientId}/messages?tenant=${tenant}&ws=ps`;
    const bad = await post(screen, { to: 'address', address: 'pas une adresse', subject: 'Objet', body: 'Texte' });
    assert.equal(bad.status, 303);
    assert.match(bad.location, new RegExp(`^/ui/patients/${patientId}/messages\\?tenant=${tenant}&ws=ps&flash=.*&flashKind=error$`));
    assert.equal(textOf((await get(bad.location)).html, 'flash-error'), 'to.address: an e-mail address is required');
    const unknown = await post(screen, { to: 'patient', subject: 'Objet', body: 'Texte', attachment: 'd999' });
    assert.equal(textOf((await get(unknown.location)).html, 'flash-error'), 'Pièce jointe introuvable dans le dossier : d999');
    assert.equal(fromPractice(box).length, 0);
    assert.deepEqual((await api('GET', `/testdriver/patients/${patientId}/messages`, tenant)).body.messages, []);

    // a patient whose INS is not qualified has no address: the domain's refusal, in words
    const unqualified = (await api('POST', '/testdriver/patients', tenant, { file: { ...FORM, firstName: 'JEANNE' } })).body.patientId;
    const refused = await post(`/ui/patients/${unqualified}/messages?tenant=${tenant}&ws=ps`, {
      to: 'patient',
      subject: 'Objet',
      body: 'Texte',
    });
    assert.equal(
      textOf((await get(refused.location)).html, 'flash-error'),
      "INS non qualifiée : pas d'adresse de messagerie Mon espace santé",
    );
    assert.equal(fromPractice(box).length, 0);

    // « une autre adresse »: written to the address typed
    const colleague = box.mailboxFor('confrere');
    box.registerMailbox(colleague, { kind: 'professional' });
    const sent = await post(screen, { to: 'address', address: ` ${colleague} `, subject: 'Avis', body: 'Cher confrère,' });
    assert.equal(textOf((await get(sent.location)).html, 'flash'), `Message envoyé à ${colleague}`);
    assert.deepEqual(
      fromPractice(box).map((m) => m.envelope.to),
      [[colleague]],
    );
  });

  test("Clôturer l'échange: [FIN] sent to the patient, the exchange ended in the API's view and on the screen", async () => {
    const { tenant, box, patientId } = await messagingTenant();
    await post(`/ui/patients/${patientId}/messages?tenant=${tenant}&ws=ps`, { to: 'patient', subject: 'Bonjour', body: 'Texte' });
    const ended = await post(`/ui/patients/${patientId}/messages/end?tenant=${tenant}&ws=ps`, {});
    assert.equal(ended.status, 303, ended.html);
    assert.match(ended.location, new RegExp(`^/ui/patients/${patientId}/messages\\?tenant=${tenant}&ws=ps&flash=`));
    const shown = await get(ended.location);
    assert.equal(textOf(shown.html, 'flash'), 'Échange clôturé : message de fin envoyé au patient');
    assert.equal(textOf(shown.html, 'messages-ended'), 'Échanges terminés ([FIN]).');

    const thread = await api('GET', `/testdriver/patients/${patientId}/messages`, tenant);
    assert.equal(thread.body.ended, true);
    assert.deepEqual(
      thread.body.messages.map((m: { subject: string }) => m.subject),
      ['Bonjour', '[FIN]'],
    );
    const fin = fromPractice(box).at(-1)!;
    assert.deepEqual([fin.envelope.to, fin.parsed?.subject], [[PATIENT_ADDRESS], '[FIN]']);

    // without a qualified INS: the refusal as the error flash, nothing ended
    const unqualified = (await api('POST', '/testdriver/patients', tenant, { file: { ...FORM, firstName: 'JEANNE' } })).body.patientId;
    const refused = await post(`/ui/patients/${unqualified}/messages/end?tenant=${tenant}&ws=ps`, {});
    assert.equal(
      textOf((await get(refused.location)).html, 'flash-error'),
      "INS non qualifiée : pas d'adresse de messagerie Mon espace santé",
    );
    assert.equal((await api('GET', `/testdriver/patients/${unqualified}/messages`, tenant)).body.ended, false);
  });
});

// ---------------------------------------------------------------------------------------------
// « Exporter le document CDA »

/** The bytes and headers of a GET: the UI's (no header) or the test-driver API's (`tenant`: X-Vigie-Tenant). */
async function bytes(path: string, tenant?: string): Promise<{ status: number; data: Buffer; headers: Headers }> {
  const response = await fetch(lgc.url + path, {
    redirect: 'manual',
    signal: AbortSignal.timeout(5000),
    ...(tenant ? { headers: { 'x-vigie-tenant': tenant } } : {}),
  });
  return { status: response.status, data: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

describe('reference LGC web UI: CDA export', () => {
  test('Exporter le document CDA: the link on the document screen answers the bytes of the API content route, as an attachment', async () => {
    const tenant = await reset();
    const { patientId } = (await api('POST', '/testdriver/patients', tenant, { file: FORM })).body;
    const created = await api('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
      workstation: PS,
      type: 'prescription',
      content: { lines: [{ product: 'PARACETAMOL 1 g', dosage: '1 comprimé 3 fois par jour' }] },
    });
    assert.equal(created.status, 201, created.text);
    const documentId = created.body.documents[0].documentId as string;
    const apiContent = `/testdriver/documents/${documentId}/content`;

    /** The export link of the document screen, and what GET of its href answers. */
    const exported = async (): Promise<{ data: Buffer; headers: Headers }> => {
      const screen = await get(`/ui/documents/${documentId}?tenant=${tenant}&ws=cpe`);
      assert.equal(screen.status, 200, screen.html);
      assert.equal(textOf(screen.html, 'export-cda'), 'Exporter le document CDA');
      const href = decode(/href="([^"]*)"/.exec(tag(screen.html, 'export-cda'))![1]);
      assert.equal(href, `/ui/documents/${documentId}/cda?tenant=${tenant}&ws=cpe`);
      const answer = await bytes(href);
      assert.equal(answer.status, 200, answer.data.toString('utf8'));
      assert.equal(answer.headers.get('content-type'), 'text/xml; charset=utf-8');
      assert.equal(answer.headers.get('content-disposition'), `attachment; filename="prescription-${documentId}.xml"`);
      return answer;
    };

    // a draft: its CDA is generated at each request (the time and the instance ids are new each
    // time, as two calls of the API show), so both are compared with those masked
    const generated = (cda: Buffer): string =>
      cda
        .toString('utf8')
        .replace(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/g, '<uuid>')
        .replace(/"2\.25\.\d+"/g, '"<oid>"')
        .replace(/\d{14}\+0000/g, '<time>');
    const draftFromApi = await bytes(apiContent, tenant);
    assert.equal(draftFromApi.status, 200);
    const draft = (await exported()).data;
    assert.match(draft.toString('utf8'), /^<\?xml[^>]*\?>\s*<ClinicalDocument /);
    assert.equal(generated(draft), generated(draftFromApi.data), 'the draft exported is the API content');

    // validated: the CDA built at validation, the same bytes through both
    assert.equal((await api('POST', `/testdriver/documents/${documentId}/do-not-send`, tenant, { workstation: PS })).status, 200);
    const validated = await api('POST', `/testdriver/documents/${documentId}/validate`, tenant, { workstation: PS });
    assert.equal(validated.status, 200, validated.text);
    const fromApi = await bytes(apiContent, tenant);
    assert.equal(fromApi.status, 200);
    const fromUi = await exported();
    assert.ok(fromUi.data.equals(fromApi.data), 'the validated document exported is the API content');
    assert.equal(fromUi.headers.get('content-length'), String(fromApi.data.length));

    // an unknown document: the UI's error page
    const unknown = await get(`/ui/documents/d999/cda?tenant=${tenant}&ws=cpe`);
    assert.equal(unknown.status, 404);
    assert.equal(textOf(unknown.html, 'error-message'), 'Document inconnu : d999');
  });
});
