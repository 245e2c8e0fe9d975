/**
 * Unit tests of the reference LGC's web UI (/ui/): plain HTTP (no browser) against the LGC started
 * in-process, with tiny stub doubles (INSi found / held, DMP repository + registry).
 * Run: node --require ts-node/register --test test/unit/reference-lgc-ui.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceLgc, type RunningReferenceLgc } from '../../src/reference-lgc/server';
import { callLgc, stubServer, waitFor, type Answer } from '../support/lgc';
import { ATTESTATION, IDENTITY_DOCUMENTS } from '../../src/reference-lgc/texts';
import { SEND_LABEL } from '../../src/reference-lgc/documents';
import { decode, tag } from '../support/html';

const FILE_DUPONT = { birthName: 'DUPONT', firstName: 'JEAN', sex: 'M', birthDate: '1970-01-01', birthPlace: '63220' };
const insiFound = (birthName: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
  '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>' +
  '<NumIdentifiant>1700163220888</NumIdentifiant><Cle>54</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ>' +
  `<NomNaissance>${birthName}</NomNaissance><Prenom>JEAN</Prenom><ListePrenom>JEAN</ListePrenom><Sexe>M</Sexe>` +
  '<DateNaissance>1970-01-01</DateNaissance><LieuNaissance>63220</LieuNaissance></TIQ></INDIVIDU></RESULTAT></soap:Body></soap:Envelope>';
const SUCCESS =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
  '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/></soap:Body></soap:Envelope>';

type InsiMode = 'found' | 'discordant' | 'hold';
const insiMode = new Map<string, InsiMode>();
let insiCalls = 0;

const stub = stubServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const [, kind, tenant = ''] = /^\/([a-z]+)(?:\/([^/]+))?/.exec(req.url ?? '') ?? [];
    const soap = (xml: string): void => {
      if (res.destroyed) return;
      res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      res.end(xml);
    };
    if (kind === 'insi') {
      insiCalls++;
      const mode = insiMode.get(tenant) ?? 'found';
      if (mode === 'hold') return void held.push(() => soap(insiFound('DUPONT')));
      return soap(insiFound(mode === 'discordant' ? 'DUPOND' : 'DUPONT'));
    }
    if (kind === 'repo') return soap(SUCCESS);
    res.writeHead(404).end();
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

let counter = 0;
async function api(method: string, path: string, tenant: string | null, body?: unknown): Promise<Answer['body']> {
  const answer = await callLgc(lgc.url, method, path, tenant, body);
  assert.ok(answer.status < 300, `${path}: ${answer.status} ${answer.text}`);
  return answer.body;
}

async function reset(defects: string[] = [], insi: InsiMode = 'found', workstations?: unknown[]): Promise<string> {
  const tenant = `ui${++counter}-${process.pid}`;
  insiMode.set(tenant, insi);
  const sw = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: tenant, defects });
  assert.equal(sw.status, 200, sw.text);
  await api('POST', '/testdriver/reset', tenant, {
    doubles: {
      insi: { url: `${base}/insi/${tenant}` },
      dmp: { repositoryUrl: `${base}/repo/${tenant}`, registryUrl: `${base}/reg/${tenant}` },
    },
    options: { dmpTimeoutMs: 2000, insiTimeoutMs: 3000 },
    ...(workstations ? { workstations } : {}),
  });
  return tenant;
}

interface Page {
  status: number;
  html: string;
  location: string | null;
  headers: Headers;
}
async function get(path: string, init: RequestInit = {}): Promise<Page> {
  const response = await fetch(lgc.url + path, { redirect: 'manual', signal: AbortSignal.timeout(5000), ...init });
  return { status: response.status, html: await response.text(), location: response.headers.get('location'), headers: response.headers };
}
async function post(path: string, form: Record<string, string | string[]>, json = false): Promise<Page> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return get(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(json ? { accept: 'application/json' } : {}) },
  });
}

const has = (html: string, testid: string): boolean => html.includes(`data-testid="${testid}"`);
/** The text of the element carrying data-testid (its tags stripped). */
function textOf(html: string, testid: string): string {
  const open = tag(html, testid);
  const name = /^<([a-z0-9]+)/.exec(open)![1];
  const start = html.indexOf(open) + open.length;
  let depth = 1,
    i = start;
  const re = new RegExp(`<(/?)${name}\\b[^>]*>`, 'g');
  re.lastIndex = start;
  for (let m; depth > 0 && (m = re.exec(html)); i = m.index) {
    depth += m[1] ? -1 : 1;
    if (depth === 0)
      return decode(html.slice(start, m.index).replace(/<[^>]+>/g, ''))
        .replace(/\s+/g, ' ')
        .trim();
  }
  return decode(html.slice(start, i));
}
/** Every interstitial prompt is drawn by one helper: the container, its sentence and its continue button carry data-role. */
function assertPrompt(html: string, container: string, button: string): void {
  assert.match(tag(html, container), /data-role="prompt"/, `${container}: data-role="prompt"`);
  assert.match(tag(html, button), /data-role="prompt-continue"/, `${button}: data-role="prompt-continue"`);
  assert.equal((html.match(/data-role="prompt-continue"/g) ?? []).length, 1, 'one way on per screen');
}

async function patientWithInsi(tenant: string, file: Record<string, string> = FILE_DUPONT): Promise<string> {
  const { patientId } = await api('POST', '/testdriver/patients', tenant, { file });
  const page = await get(`/ui/patients/${patientId}?tenant=${tenant}`);
  assert.equal(page.status, 200);
  await lgc.settled();
  return patientId as string;
}

async function qualifiedPatient(tenant: string): Promise<string> {
  const patientId = await patientWithInsi(tenant);
  const qualified = await post(`/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=ps`, {
    method: 'document',
    document: IDENTITY_DOCUMENTS[0],
  });
  assert.equal(qualified.status, 303);
  return patientId;
}

async function newDocument(tenant: string, patientId: string, type = 'consultation-report', content = 'Examen normal.'): Promise<string> {
  const created = await post(`/ui/patients/${patientId}/documents?tenant=${tenant}&ws=ps`, { type, content, title: 'Consultation' });
  assert.equal(created.status, 303, created.html);
  const match = /^\/ui\/documents\/([^/?]+)\?tenant=[^&]+&ws=ps$/.exec(created.location ?? '');
  assert.ok(match, `redirect to the editor: ${created.location}`);
  return match[1];
}

// ---------------------------------------------------------------------------------------------

describe('reference LGC web UI', () => {
  test('tenant: from ?tenant= (sets the cookie), from the cookie, errors otherwise', async () => {
    const tenant = await reset();
    const page = await get(`/ui/patients?tenant=${tenant}&ws=cpe`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('set-cookie') ?? '', new RegExp(`vigie-tenant=${tenant}`));
    for (const id of [
      'patient-list',
      'carte-vitale-form',
      'cv-matricule',
      'cv-birth-name',
      'cv-first-name',
      'cv-birth-date',
      'cv-submit',
      'start-of-day',
      'start-of-day-date',
      'ws-ps',
      'ws-cpe',
      'ws-anon',
    ]) {
      assert.ok(has(page.html, id), id);
    }
    assert.match(tag(page.html, 'ws-cpe'), /aria-current/);
    assert.match(page.html, new RegExp(`action="/ui/carte-vitale\\?tenant=${tenant}&amp;ws=cpe"`));
    const byCookie = await get('/ui/patients', { headers: { cookie: `vigie-tenant=${tenant}` } });
    assert.equal(byCookie.status, 200);
    assert.equal((await get('/ui/patients')).status, 400);
    assert.equal((await get('/ui/patients?tenant=never-reset-x')).status, 409);
    const root = await get(`/ui?tenant=${tenant}`);
    assert.equal(root.status, 302);
    assert.equal(root.location, `/ui/patients?tenant=${tenant}`);
  });

  test('Carte Vitale form: creates/finds the patient, calls INSi, redirects to the file', async () => {
    const tenant = await reset();
    const before = insiCalls;
    const reply = await post(`/ui/carte-vitale?tenant=${tenant}&ws=ps`, {
      matricule: '1700163220888',
      birthName: 'DUPONT',
      firstName: 'JEAN',
      birthDate: '1970-01-01',
    });
    assert.equal(reply.status, 303);
    assert.match(reply.location ?? '', /^\/ui\/patients\/p1\?tenant=.*&ws=ps&opened=1$/);
    await lgc.settled();
    assert.equal(insiCalls, before + 1);
    const file = await get(reply.location!);
    assert.equal(insiCalls, before + 1, 'the file shown after the card read is not a second trigger');
    assert.equal(tag(file.html, 'insi-trigger').includes('data-trigger="carte-vitale"'), true);
    const bad = await post(`/ui/carte-vitale?tenant=${tenant}&ws=ps`, {
      matricule: '12',
      birthName: 'X',
      firstName: 'Y',
      birthDate: '1970-01-01',
    });
    assert.equal(bad.status, 303);
    assert.match(bad.location ?? '', /flashKind=error/);
    const list = await get(`/ui/patients?tenant=${tenant}`);
    assert.ok(has(list.html, 'patient-link-p1'));
  });

  test('start of day: the button runs the batch and says how many patients', async () => {
    const tenant = await reset();
    await api('POST', '/testdriver/patients', tenant, { file: FILE_DUPONT, appointments: ['2026-03-02'] });
    const reply = await post(`/ui/start-of-day?tenant=${tenant}&ws=cpe`, { date: '2026-03-02' });
    assert.equal(reply.status, 303);
    const page = await get(reply.location!);
    assert.match(page.html, /1 patient\(s\) du jour/);
    await lgc.settled();
    const id = await api('GET', '/testdriver/patients/p1/identity', tenant);
    assert.equal(id.insi.lastCall.trigger, 'start-of-day');
  });

  test('the file renders while INSi holds its answer; the JSON refresh shows the outcome later', async () => {
    const tenant = await reset([], 'hold');
    const { patientId } = await api('POST', '/testdriver/patients', tenant, { file: FILE_DUPONT });
    const waiting = held.length;
    const started = Date.now();
    const page = await get(`/ui/patients/${patientId}?tenant=${tenant}&ws=ps`);
    assert.equal(page.status, 200);
    assert.ok(Date.now() - started < 1000, 'rendered at once');
    await waitFor(
      'INSi to be held',
      () => held.length,
      (n) => n > waiting,
    );
    assert.match(tag(page.html, 'insi-outcome'), /data-outcome="pending"/);
    assert.match(tag(page.html, 'identity-panel'), /data-poll="\/ui\/api\/patients\/p1\/identity/);
    assert.ok(has(page.html, 'insi-refresh'));
    assert.ok(!has(page.html, 'qualification'), 'no offer before the answer');
    for (const release of held.splice(0)) release();
    await lgc.settled();
    const j = await (await get(`/ui/api/patients/${patientId}/identity?tenant=${tenant}&ws=ps`)).html;
    const body = JSON.parse(j);
    assert.equal(body.region, 'identity-panel');
    assert.equal(body.identity.insi.lastCall.outcome, 'found');
    assert.match(body.html, /data-outcome="found"/);
    assert.ok(has(body.html, 'qualify-document'));
  });

  test('identity panel: differences highlighted, six documents pre-selected, the exact attestation, one-click qualification', async () => {
    const tenant = await reset([], 'discordant');
    const patientId = await patientWithInsi(tenant);
    const page = await get(`/ui/patients/${patientId}?tenant=${tenant}&opened=1`);
    assert.match(tag(page.html, 'trait-birthName-diff'), /class="diff"/);
    assert.ok(has(page.html, 'trait-firstName') && !has(page.html, 'trait-firstName-diff'));
    assert.match(tag(page.html, 'concordance'), /data-concordant="false"/);
    const select = page.html.slice(page.html.indexOf('data-testid="qualify-document-select"'), page.html.indexOf('</select>'));
    const options = [...select.matchAll(/<option value="([^"]*)"( selected)?>/g)];
    assert.deepEqual(
      options.map((o) => decode(o[1])),
      [...IDENTITY_DOCUMENTS],
    );
    assert.equal(options[0][2], ' selected', 'the select is pre-filled');
    assert.ok(decode(page.html).includes(`>${ATTESTATION}</button>`), 'the exception button carries the exact sentence');
    assert.match(decode(page.html), /Qualifier avec ce justificatif/);
    // discordant traits: refused, message shown on the same screen (JSON in place)
    const refused = JSON.parse(
      (
        await post(
          `/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=ps`,
          { method: 'document', document: IDENTITY_DOCUMENTS[1] },
          true,
        )
      ).html,
    );
    assert.equal(refused.region, 'identity-panel');
    assert.ok(has(refused.html, 'flash-error'));
    assert.match(tag(refused.html, 'ins-status'), /data-status="recovered"/);
    assert.equal(textOf(refused.html, 'ins-status'), 'INS récupérée (non qualifiée)', 'the status in words, as the selector map reads it');
    assert.equal(textOf(page.html, 'concordance'), 'Traits discordants : corrigez les différences signalées');
    assert.equal(textOf(page.html, 'insi-outcome'), 'Identité INS trouvée');

    const t2 = await reset();
    const p2 = await patientWithInsi(t2);
    const ok = await post(`/ui/patients/${p2}/qualify?tenant=${t2}&ws=ps`, { method: 'exception' });
    assert.equal(ok.status, 303);
    assert.equal(ok.location?.startsWith(`/ui/patients/${p2}?tenant=${t2}&ws=ps&opened=1&flash=`), true);
    const after = await get(ok.location!);
    assert.match(tag(after.html, 'ins-status'), /data-status="qualified"/);
    assert.equal(textOf(after.html, 'ins-status'), 'INS qualifiée');
    assert.ok(decode(after.html).includes(ATTESTATION));
    assert.equal((await api('GET', `/testdriver/patients/${p2}/identity`, t2)).ins.status, 'qualified');
  });

  test('anonymous CPE: the qualification is refused with the message', async () => {
    const tenant = await reset();
    const patientId = await patientWithInsi(tenant);
    const refused = JSON.parse(
      (
        await post(
          `/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=anon`,
          { method: 'document', document: IDENTITY_DOCUMENTS[0] },
          true,
        )
      ).html,
    );
    assert.match(decode(refused.html), /carte CPE anonyme/);
  });

  test('defect qualify-in-three-clicks: a separate screen, then a confirmation', async () => {
    const tenant = await reset(['qualify-in-three-clicks']);
    const patientId = await patientWithInsi(tenant);
    const page = await get(`/ui/patients/${patientId}?tenant=${tenant}&opened=1`);
    assert.ok(!has(page.html, 'qualify-document-select'), 'no select on the file');
    assert.match(tag(page.html, 'qualify-document-form'), /method="get" action="\/ui\/patients\/p1\/qualify"/);
    const step1 = await get(`/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=ps&method=document`);
    assert.ok(has(step1.html, 'qualify-document-select') && has(step1.html, 'qualify-next'));
    assertPrompt(step1.html, 'qualify-step1', 'qualify-next');
    const ex1 = await get(`/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=ps&method=exception`);
    assertPrompt(ex1.html, 'qualify-step1', 'qualify-next');
    assert.equal(textOf(ex1.html, 'attestation'), ATTESTATION, "the sentence is the prompt's text");
    assert.match(tag(ex1.html, 'attestation'), /data-role="prompt-text"/);
    const step2 = await get(
      `/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=ps&method=document&step=2&document=${encodeURIComponent(IDENTITY_DOCUMENTS[0])}`,
    );
    assert.ok(has(step2.html, 'qualify-confirm'));
    assertPrompt(step2.html, 'qualify-step2', 'qualify-confirm');
    const done = await post(`/ui/patients/${patientId}/qualify?tenant=${tenant}&ws=ps`, {
      method: 'document',
      document: IDENTITY_DOCUMENTS[0],
    });
    assert.equal(done.status, 303);
    assert.match(tag((await get(done.location!)).html, 'ins-status'), /qualified/);
  });

  test('new document → editor: the box is checked, one-click do-not-send, validate answers at once, DMP status refreshable', async () => {
    const tenant = await reset();
    const patientId = await qualifiedPatient(tenant);
    const file = await get(`/ui/patients/${patientId}?tenant=${tenant}&opened=1`);
    for (const id of ['new-document-form', 'new-document-type', 'new-document-content', 'new-document']) assert.ok(has(file.html, id), id);
    const documentId = await newDocument(tenant, patientId);
    const editor = await get(`/ui/documents/${documentId}?tenant=${tenant}&ws=ps`);
    assert.equal(editor.status, 200);
    const box = tag(editor.html, 'send-to-dmp');
    assert.match(box, /type="checkbox"/);
    assert.match(box, / checked/);
    assert.equal(decode(editor.html).includes(`>${SEND_LABEL}</span>`), true);
    for (const id of [
      'do-not-send',
      'validate',
      'mask-patient',
      'mask-legal-representatives',
      'mask-professionals',
      'dmp-status',
      'dmp-refresh',
    ]) {
      assert.ok(has(editor.html, id), id);
    }
    // masking, in place
    const masked = JSON.parse(
      (await post(`/ui/documents/${documentId}/masking?tenant=${tenant}&ws=ps`, { masking: '1', mask: ['patient'] }, true)).html,
    );
    assert.match(tag(masked.html, 'mask-patient'), / checked/);
    // validate: answers at once, sending in background
    const validated = await post(`/ui/documents/${documentId}/validate?tenant=${tenant}&ws=ps`, {});
    assert.equal(validated.status, 303);
    assert.match(validated.location ?? '', new RegExp(`^/ui/documents/${documentId}\\?tenant=`));
    await lgc.settled();
    const j = JSON.parse((await get(`/ui/api/documents/${documentId}?tenant=${tenant}&ws=ps`)).html);
    assert.match(tag(j.html, 'dmp-status'), /data-status="sent"/);
    assert.match(tag(j.html, 'document-status'), /validated/);
    assert.equal(textOf(j.html, 'dmp-status'), 'Envoyé au DMP');
    assert.equal(textOf(j.html, 'document-status'), 'validé');
    assert.equal(textOf(j.html, 'document-type'), 'Compte rendu de consultation');
    assert.equal(textOf(j.html, 'dmp-attempts'), '(1 tentative(s))');
    assert.ok(!has(j.html, 'printed') || !has(j.html, 'datamatrix'), 'no 2D code on a consultation report');
    const view = await api('GET', `/testdriver/documents/${documentId}`, tenant);
    assert.deepEqual(view.maskedFrom, ['patient']);

    // do not send: one click
    const d2 = await newDocument(tenant, patientId);
    const ns = await post(`/ui/documents/${d2}/do-not-send?tenant=${tenant}&ws=ps`, {});
    assert.equal(ns.status, 303);
    assert.doesNotMatch(tag((await get(ns.location!)).html, 'send-to-dmp'), / checked/);
    assert.equal((await api('GET', `/testdriver/documents/${d2}`, tenant)).sendToDmp.checked, false);
    // ticking it again
    const again = JSON.parse((await post(`/ui/documents/${d2}/send-box?tenant=${tenant}&ws=ps`, {}, true)).html);
    assert.match(tag(again.html, 'send-to-dmp'), / checked/);
  });

  test('defect send-box-unchecked: the box is not checked', async () => {
    const tenant = await reset(['send-box-unchecked']);
    const patientId = await qualifiedPatient(tenant);
    const documentId = await newDocument(tenant, patientId);
    assert.doesNotMatch(tag((await get(`/ui/documents/${documentId}?tenant=${tenant}`)).html, 'send-to-dmp'), / checked/);
  });

  test('defects as extra steps: do-not-send confirmation, type choice, masking dialog, separate send button', async () => {
    const tenant = await reset(['do-not-send-two-clicks', 'type-code-chosen-by-user', 'masking-dialog', 'separate-send-button']);
    const patientId = await qualifiedPatient(tenant);
    const documentId = await newDocument(tenant, patientId);
    const query = `?tenant=${tenant}&ws=ps`;
    const first = await post(`/ui/documents/${documentId}/do-not-send${query}`, {});
    assert.match(first.location ?? '', /confirm=do-not-send/);
    const confirm = (await get(first.location!)).html;
    assert.ok(has(confirm, 'do-not-send-confirm'));
    assertPrompt(confirm, 'do-not-send-dialog', 'do-not-send-confirm');
    assert.doesNotMatch(tag(confirm, 'do-not-send-cancel'), /prompt-continue/, 'cancelling is not the way on');
    assert.equal((await api('GET', `/testdriver/documents/${documentId}`, tenant)).sendToDmp.checked, true, 'not yet');
    await post(`/ui/documents/${documentId}/do-not-send${query}`, { confirmed: '1' });
    assert.equal((await api('GET', `/testdriver/documents/${documentId}`, tenant)).sendToDmp.checked, false);

    const d2 = await newDocument(tenant, patientId);
    const s1 = JSON.parse((await post(`/ui/documents/${d2}/validate${query}`, {}, true)).html);
    assert.ok(has(s1.html, 'type-choice-select') && has(s1.html, 'type-choice-confirm'));
    assertPrompt(s1.html, 'type-choice-dialog', 'type-choice-confirm');
    const s2 = JSON.parse((await post(`/ui/documents/${d2}/validate${query}`, { typeChosen: '1', typeCode: '11488-4' }, true)).html);
    assert.ok(has(s2.html, 'masking-dialog') && has(s2.html, 'masking-dialog-ok'));
    assertPrompt(s2.html, 'masking-dialog', 'masking-dialog-ok');
    assert.equal((await api('GET', `/testdriver/documents/${d2}`, tenant)).status, 'draft');
    const s3 = JSON.parse((await post(`/ui/documents/${d2}/validate${query}`, { typeChosen: '1', maskingDone: '1' }, true)).html);
    assert.match(tag(s3.html, 'document-status'), /validated/);
    assert.match(tag(s3.html, 'dmp-status'), /not-sent/);
    assert.ok(has(s3.html, 'send-to-dmp-button'));
    assert.doesNotMatch(s3.html, /data-role="prompt/, 'a separate send button is no prompt: validating must send by itself');
    await post(`/ui/documents/${d2}/send-to-dmp${query}`, {});
    await lgc.settled();
    assert.equal((await api('GET', `/testdriver/documents/${d2}`, tenant)).dmp.status, 'sent');
  });

  test('consulting the DMP: the question and the reminder to inform the patient, each its own element', async () => {
    const tenant = await reset();
    const patientId = await qualifiedPatient(tenant);
    const panel = JSON.parse((await post(`/ui/patients/${patientId}/dmp-consult?tenant=${tenant}&ws=ps`, {}, true)).html);
    assert.equal(panel.region, 'dmp-panel');
    const question = textOf(panel.html, 'dmp-consult-question');
    const reminder = textOf(panel.html, 'dmp-consult-reminder');
    assert.match(question, /ne s'oppose-t-il pas/);
    assert.match(reminder, /^Rappel : vous devez informer le patient/);
    assert.ok(!question.includes(reminder), 'the question does not hold the reminder');
  });

  test("defect masking-dialog-renamed: « Préférences d'affichage » to click through, its button preferences-dialog-ok", async () => {
    const tenant = await reset(['masking-dialog-renamed']);
    const patientId = await qualifiedPatient(tenant);
    const documentId = await newDocument(tenant, patientId);
    const query = `?tenant=${tenant}&ws=ps`;
    const s1 = JSON.parse((await post(`/ui/documents/${documentId}/validate${query}`, {}, true)).html);
    assert.equal(s1.region, 'editor-panel');
    assert.ok(has(s1.html, 'preferences-dialog') && has(s1.html, 'preferences-dialog-ok'));
    assert.ok(!has(s1.html, 'masking-dialog-ok'), "not the masking dialog's selector");
    assert.match(s1.html, /Préférences d&#39;affichage/);
    assert.match(s1.html, /<\/div><\/section>$/, 'inside the editor region');
    assert.equal((await api('GET', `/testdriver/documents/${documentId}`, tenant)).status, 'draft');
    const page = await post(`/ui/documents/${documentId}/validate${query}`, {}); // without script: the dialog on the editor screen
    assert.equal(page.status, 200);
    assert.ok(has(page.html, 'preferences-dialog-ok'));
    const s2 = JSON.parse((await post(`/ui/documents/${documentId}/validate${query}`, { preferencesDone: '1' }, true)).html);
    assert.match(tag(s2.html, 'document-status'), /validated/);
    assert.ok(!has(s2.html, 'preferences-dialog'));
  });

  test('defect validate-refused-on-eprescription-failure: the refusal shown, the prescription stays a draft', async () => {
    const tenant = await reset(['validate-refused-on-eprescription-failure']);
    await api('POST', '/testdriver/reset', tenant, {
      doubles: { insi: { url: `${base}/insi/${tenant}` }, eprescription: { url: `${base}/nothing-here/${tenant}` } },
      options: { ePrescriptionTimeoutMs: 300 },
    });
    const patientId = await qualifiedPatient(tenant);
    const documentId = await newDocument(tenant, patientId, 'prescription', 'PARACETAMOL 1 g ; 1 comprimé 3 fois par jour');
    const panel = JSON.parse((await post(`/ui/documents/${documentId}/validate?tenant=${tenant}&ws=ps`, {}, true)).html);
    assert.match(panel.html, /data-testid="flash-error"[^>]*>Ordonnance numérique indisponible : validation impossible</);
    assert.match(tag(panel.html, 'document-status'), /draft/);
  });

  test("the UI's workstation is the reset's: its card holder is the author of what is validated there", async () => {
    const tenant = await reset([], 'found', [{ role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN', idNat: '810100456789' }]);
    const patientId = await qualifiedPatient(tenant);
    const documentId = await newDocument(tenant, patientId);
    await post(`/ui/documents/${documentId}/validate?tenant=${tenant}&ws=ps`, {});
    const cda = await (
      await fetch(`${lgc.url}/testdriver/documents/${documentId}/content`, { headers: { 'x-vigie-tenant': tenant } })
    ).text();
    assert.match(cda, /<assignedAuthor><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/);
  });

  test('unknown patient / document: 404 pages', async () => {
    const tenant = await reset();
    const missing = await get(`/ui/patients/p99?tenant=${tenant}`);
    assert.equal(missing.status, 404);
    assert.ok(has(missing.html, 'error-message'));
    assert.equal((await get(`/ui/documents/d99?tenant=${tenant}`)).status, 404);
  });
});
