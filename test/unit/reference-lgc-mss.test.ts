/**
 * Unit tests of the reference LGC's secure messaging (MSS-01/05/07/08/10) and its seeded defects,
 * against the real MSSanté double (SMTP with STARTTLS, POP3) and a tiny INSi stub.
 * Run: node --require ts-node/register --test test/unit/reference-lgc-mss.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { MssDouble, type MssMessage, type MssTenant } from '../../src/doubles/mss';
import { readZip } from '../../src/oracles/zip';
import { startReferenceLgc, type RunningReferenceLgc } from '../../src/reference-lgc/server';
import { callLgc, stubServer, waitFor } from '../support/lgc';
import { crc32, writeZip } from '../../src/reference-lgc/zip';
import { mimeParts } from '../../src/reference-lgc/messaging';
import type { ThreadView } from '../../src/reference-lgc/messaging/thread';

// ---------------------------------------------------------------------------------------------
// INSi stub: every search finds JEAN DUPONT, INS 1700163220888 key 54

const FILE_DUPONT = {
  birthName: 'DUPONT',
  usedName: 'MARTIN',
  firstName: 'JEAN',
  firstNames: 'JEAN PAUL',
  sex: 'M',
  birthDate: '1970-01-01',
  birthPlace: '63220',
};
const MATRICULE = '1700163220888';
const INS15 = '170016322088854';
const ADDRESS = `${INS15}@patient.mssante.fr`;
const FOUND_DUPONT =
  '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
  '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>' +
  `<NumIdentifiant>${MATRICULE}</NumIdentifiant><Cle>54</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ>` +
  '<NomNaissance>DUPONT</NomNaissance><Prenom>JEAN</Prenom><ListePrenom>JEAN PAUL</ListePrenom><Sexe>M</Sexe>' +
  '<DateNaissance>1970-01-01</DateNaissance><LieuNaissance>63220</LieuNaissance></TIQ></INDIVIDU></RESULTAT></soap:Body></soap:Envelope>';

const insi = stubServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
    res.end(FOUND_DUPONT);
  });
});

let insiUrl = '';
let lgc: RunningReferenceLgc;
const mss = new MssDouble({ idleTimeoutMs: 5000 });

before(async () => {
  insiUrl = `${await insi.start()}/insi`;
  await mss.start();
  lgc = await startReferenceLgc({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await lgc?.close();
  await mss.stop();
  await insi.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const call = (method: string, path: string, tenant: string, body?: unknown) =>
  callLgc(lgc.url, method, path, tenant, body, { timeoutMs: 8000 });

const PS = { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN' };

interface Ctx {
  t: string;
  box: MssTenant;
  mailbox: string;
}

/** Seeded defects go through the reference-only switch (POST /reference/defects), never through reset. */
async function switchDefects(tenant: string, defects: string[]): Promise<void> {
  const response = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: tenant, defects });
  assert.equal(response.status, 200, response.text);
}

let counter = 0;
async function reset(
  options: { defects?: string[]; noMss?: boolean; smtpPort?: number; pop3Port?: number; workstations?: unknown[] } = {},
): Promise<Ctx> {
  const tenant = `mss${++counter}-${process.pid}`;
  const box = mss.tenant(tenant);
  box.reset();
  const mailbox = box.mailboxFor('cabinet');
  box.registerMailbox(mailbox, { kind: 'professional' });
  const doubles: Record<string, unknown> = { insi: { url: insiUrl } };
  if (!options.noMss) {
    doubles.mss = {
      smtp: { ...mss.smtp, ...(options.smtpPort ? { port: options.smtpPort } : {}) },
      pop3: { ...mss.pop3, ...(options.pop3Port ? { port: options.pop3Port } : {}) },
      mailbox,
      password: 'vigie',
    };
  }
  await switchDefects(tenant, options.defects ?? []);
  const response = await call('POST', '/testdriver/reset', tenant, {
    doubles,
    ...(options.workstations ? { workstations: options.workstations } : {}),
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return { t: tenant, box, mailbox };
}

/** A patient file; 'qualified' (INSi found + qualified by document), 'recovered' (INSi found only) or 'none'. */
async function patient(tenant: string, ins: 'qualified' | 'recovered' | 'none' = 'qualified'): Promise<string> {
  const response = await call('POST', '/testdriver/patients', tenant, { file: FILE_DUPONT });
  assert.equal(response.status, 201);
  const id = response.body.patientId as string;
  if (ins === 'none') return id;
  await call('POST', `/testdriver/patients/${id}/open`, tenant, { workstation: PS });
  await waitFor(
    'the INSi answer',
    async () => (await call('GET', `/testdriver/patients/${id}/identity`, tenant)).body,
    (v) => v.insi.lastCall?.outcome === 'found',
  );
  if (ins === 'recovered') return id;
  const qualification = await call('POST', `/testdriver/patients/${id}/qualify`, tenant, {
    workstation: PS,
    method: 'document',
    document: 'Passeport (français ou étranger)',
  });
  assert.equal(qualification.status, 200, JSON.stringify(qualification.body));
  return id;
}

async function report(tenant: string, patientId: string): Promise<string> {
  const response = await call('POST', `/testdriver/patients/${patientId}/documents`, tenant, {
    workstation: PS,
    type: 'consultation-report',
    content: { title: 'Consultation du jour', text: 'Examen clinique sans particularité. Tension 12/8.' },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  const id = response.body.documents[0].documentId as string;
  const validation = await call('POST', `/testdriver/documents/${id}/validate`, tenant, { workstation: PS });
  assert.equal(validation.status, 200, JSON.stringify(validation.body));
  return id;
}

const send = (c: Ctx, to: Record<string, string>, extra: Record<string, unknown> = {}) =>
  call('POST', '/testdriver/messages', c.t, {
    workstation: PS,
    to,
    subject: 'Suite à votre consultation',
    body: 'Bonjour,\nvoici les informations promises.\nDr Anne PRATICIEN',
    ...extra,
  });
const thread = async (c: Ctx, p: string): Promise<ThreadView> => {
  const response = await call('GET', `/testdriver/patients/${p}/messages`, c.t);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
};
/** What reached the operator from the practice (not what the double generated). */
const fromPractice = (c: Ctx): MssMessage[] => c.box.messages().filter((m) => !m.generated);
const byId = (c: Ctx, internetMessageId: string) => fromPractice(c).find((m) => m.parsed?.messageId === internetMessageId);

// ---------------------------------------------------------------------------------------------

describe('configuration and requests', () => {
  test('without doubles.mss, messaging answers 409 « messagerie non configurée »', async () => {
    const ctx = await reset({ noMss: true });
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId });
    assert.equal(response.status, 409);
    assert.match(response.body.message, /messagerie non configurée/);
    assert.equal((await call('GET', `/testdriver/patients/${patientId}/messages`, ctx.t)).status, 409);
    assert.equal((await call('POST', `/testdriver/patients/${patientId}/messages/end`, ctx.t, { workstation: PS })).status, 409);
  });

  test('malformed requests: 400; unknown patient: 404; unknown document: 422', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    assert.equal((await send(ctx, { patientId, address: 'x.y@medecin.mssante.fr' })).status, 400);
    assert.equal((await send(ctx, {})).status, 400);
    assert.equal((await call('POST', '/testdriver/messages', ctx.t, { workstation: PS, to: { patientId } })).status, 400);
    assert.equal((await send(ctx, { patientId: 'nope' })).status, 404);
    const response = await send(ctx, { patientId }, { attachments: [{ documentId: 'd999' }] });
    assert.equal(response.status, 422);
    assert.equal(response.body.error, 'unknown-document');
    const bad = await call('POST', '/testdriver/reset', ctx.t, {
      doubles: { insi: { url: insiUrl }, mss: { smtp: { host: 'h' }, pop3: { host: 'h', port: 1 }, mailbox: 'a@b', password: 'x' } },
    });
    assert.equal(bad.status, 400);
    assert.equal(fromPractice(ctx).length, 0);
  });

  test('the operator unreachable over SMTP: 502 within the client timeouts; POP3 unreachable: the thread still answers', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    const ctx = await reset({ smtpPort: closed, pop3Port: closed });
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId });
    assert.equal(response.status, 502, JSON.stringify(response.body));
    assert.equal(response.body.error, 'mss-unavailable');
    const view = await thread(ctx, patientId);
    assert.deepEqual(view.messages, []);
    assert.match(view.mailboxError!, /POP3/);
  });
});

describe('MSS-01 the patient address', () => {
  test('built from the qualified INS: 15 characters at patient.mssante.fr, sent over SMTP (STARTTLS, AUTH) from the practice mailbox', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.address, ADDRESS);
    assert.match(response.body.messageId, /^m\d+$/);
    assert.match(response.body.internetMessageId, /^<[^<>@]+@medecin\.mssante\.fr>$/);
    const message = byId(ctx, response.body.internetMessageId);
    assert.ok(message, 'the message reached the operator');
    assert.deepEqual(message.envelope, { from: ctx.mailbox, to: [ADDRESS] });
    assert.equal(message.parsed?.from, ctx.mailbox);
    assert.equal(message.parsed?.subject, 'Suite à votre consultation');
    assert.equal(message.session.tls, true);
    assert.equal(message.session.authUser, ctx.mailbox);
    assert.equal(message.deliveries[0]?.outcome, 'delivered');
    assert.equal(message.parsed?.headers['disposition-notification-to'], undefined);
    const view = await thread(ctx, patientId);
    assert.deepEqual(
      view.messages.map((x) => [x.messageId, x.direction, x.status, x.subject]),
      [[response.body.messageId, 'out', 'sent', 'Suite à votre consultation']],
    );
    assert.equal(view.ended, false);
  });

  for (const ins of ['recovered', 'none'] as const) {
    test(`INS ${ins === 'none' ? 'unknown' : 'recovered, not qualified'}: 422 no-mss-address, nothing sent`, async () => {
      const ctx = await reset();
      const patientId = await patient(ctx.t, ins);
      const response = await send(ctx, { patientId });
      assert.equal(response.status, 422);
      assert.deepEqual(response.body, {
        error: 'no-mss-address',
        message: "INS non qualifiée : pas d'adresse de messagerie Mon espace santé",
      });
      const ending = await call('POST', `/testdriver/patients/${patientId}/messages/end`, ctx.t, { workstation: PS });
      assert.equal(ending.status, 422);
      assert.equal(fromPractice(ctx).length, 0);
    });
  }

  test('defect mss-address-without-key: the 13-character matricule only (the operator bounces it as invalid)', async () => {
    const ctx = await reset({ defects: ['mss-address-without-key'] });
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId });
    assert.equal(response.status, 201);
    assert.equal(response.body.address, `${MATRICULE}@patient.mssante.fr`);
    assert.deepEqual(byId(ctx, response.body.internetMessageId)?.envelope.to, [`${MATRICULE}@patient.mssante.fr`]);
  });

  for (const ins of ['recovered', 'none'] as const) {
    test(`defect mss-address-for-unqualified (INS ${ins}): written to with the INS INSi returned, no 422`, async () => {
      const ctx = await reset({ defects: ['mss-address-for-unqualified'] });
      const patientId = await patient(ctx.t, ins);
      const response = await send(ctx, { patientId });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.address, ADDRESS);
      assert.deepEqual(byId(ctx, response.body.internetMessageId)?.envelope.to, [ADDRESS]);
      const identity = (await call('GET', `/testdriver/patients/${patientId}/identity`, ctx.t)).body;
      assert.equal(identity.ins.status, ins, 'the identity panel is not changed by the lookup');
    });
  }
});

describe('MSS-05 bounces', () => {
  for (const state of ['opposé', 'clôturé'] as const) {
    test(`patient ${state}: the DSN is read over POP3 and shown on that message, with the operator's text`, async () => {
      const ctx = await reset();
      const patientId = await patient(ctx.t);
      ctx.box.setPatientState(INS15, state);
      const ok = await send(ctx, { patientId }, { subject: 'Premier' });
      assert.equal(ok.status, 201);
      assert.equal(byId(ctx, ok.body.internetMessageId)?.deliveries[0]?.outcome, 'bounced');
      const view = await thread(ctx, patientId);
      const message = view.messages.find((x) => x.messageId === ok.body.messageId)!;
      assert.equal(message.status, 'bounced');
      assert.ok(message.bounce!.text.includes(`"${ADDRESS}"`), message.bounce!.text);
      assert.match(message.bounce!.text, state === 'opposé' ? /adresse Mon espace santé n'existe pas\./ : /est clôturée\./);
      assert.doesNotMatch(message.bounce!.text, /Final-Recipient|Reporting-MTA/, 'only the human-readable part');
      // read once: the mailbox is emptied, the bounce stays shown
      const again = await thread(ctx, patientId);
      assert.equal(again.messages.find((x) => x.messageId === ok.body.messageId)!.status, 'bounced');
      assert.equal(again.unlinkedBounces, undefined);
    });
  }

  test('a bounce for a message the LGC cannot link is kept and shown at tenant level, not dropped', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const boundary = 'b1';
    const raw =
      `From: Mon espace sante <MAILER-DAEMON@patient.mssante.fr>\r\nTo: <${ctx.mailbox}>\r\nSubject: Message non distribue\r\n` +
      'Message-ID: <orphan-dsn@patient.mssante.fr>\r\nMIME-Version: 1.0\r\n' +
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMessage d'origine inconnu non distribué.\r\n` +
      `--${boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; patient.mssante.fr\r\n\r\nFinal-Recipient: rfc822; 279035121518989@patient.mssante.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <unknown@elsewhere>\r\nSubject: ?\r\n\r\n--${boundary}--\r\n`;
    const tr = nodemailer.createTransport({
      host: mss.smtp.host,
      port: mss.smtp.port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 5000,
    });
    try {
      await tr.sendMail({ envelope: { from: '', to: [ctx.mailbox] }, raw });
    } finally {
      tr.close();
    }
    const view = await thread(ctx, patientId);
    assert.deepEqual(view.messages, []);
    assert.equal(view.unlinkedBounces?.length, 1);
    assert.match(view.unlinkedBounces[0].text, /inconnu non distribué/);
  });

  test('defect bounce-dropped: the DSN is read and deleted but never shown', async () => {
    const ctx = await reset({ defects: ['bounce-dropped'] });
    const patientId = await patient(ctx.t);
    ctx.box.setPatientState(INS15, 'opposé');
    const ok = await send(ctx, { patientId });
    assert.equal(byId(ctx, ok.body.internetMessageId)?.deliveries[0]?.outcome, 'bounced');
    const view = await thread(ctx, patientId);
    assert.equal(view.messages.find((x) => x.messageId === ok.body.messageId)!.status, 'sent');
    assert.equal(view.messages[0].bounce, undefined);
    assert.equal(view.unlinkedBounces, undefined);
  });
});

describe('MSS-07 ending the exchange', () => {
  test('sends exactly [FIN] to the patient (not delivered by the operator) and shows the exchange as ended', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const first = await send(ctx, { patientId });
    const response = await call('POST', `/testdriver/patients/${patientId}/messages/end`, ctx.t, { workstation: PS });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.match(response.body.messageId, /^m\d+$/);
    const fin = fromPractice(ctx).at(-1)!;
    assert.deepEqual(fin.envelope.to, [ADDRESS]);
    assert.equal(fin.parsed?.subject, '[FIN]');
    assert.equal(fin.deliveries[0]?.outcome, 'not-delivered-fin');
    const view = await thread(ctx, patientId);
    assert.equal(view.ended, true);
    assert.deepEqual(
      view.messages.map((x) => x.messageId),
      [first.body.messageId, response.body.messageId],
    );
  });

  test('defect fin-lowercase: the subject is « [Fin] » (delivered as an ordinary message)', async () => {
    const ctx = await reset({ defects: ['fin-lowercase'] });
    const patientId = await patient(ctx.t);
    await send(ctx, { patientId });
    const response = await call('POST', `/testdriver/patients/${patientId}/messages/end`, ctx.t, { workstation: PS });
    assert.equal(response.status, 200);
    const fin = fromPractice(ctx).at(-1)!;
    assert.equal(fin.parsed?.subject, '[Fin]');
    assert.equal(fin.deliveries[0]?.outcome, 'delivered');
  });
});

describe('MSS-08 read receipts, and replies', () => {
  test('readReceipt asks with Disposition-Notification-To; the MDN marks the message read', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId }, { readReceipt: true });
    const message = byId(ctx, response.body.internetMessageId)!;
    assert.ok(message.parsed?.headers['disposition-notification-to']?.includes(ctx.mailbox));
    assert.equal((await thread(ctx, patientId)).messages[0].status, 'sent');
    const mdn = await ctx.box.patientReads(response.body.internetMessageId);
    assert.ok(mdn, 'the double sent an MDN');
    const view = await thread(ctx, patientId);
    const shown = view.messages.find((x) => x.messageId === response.body.messageId)!;
    assert.equal(shown.status, 'read');
    assert.ok(!Number.isNaN(Date.parse(shown.readAt!)));
  });

  test('a reply from the patient is shown in the thread as received', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId });
    await ctx.box.patientReplies(ADDRESS, response.body.internetMessageId, 'Merci docteur');
    const view = await thread(ctx, patientId);
    assert.equal(view.messages.length, 2);
    assert.deepEqual({ d: view.messages[1].direction, s: view.messages[1].status }, { d: 'in', s: 'received' });
    assert.match(view.messages[1].subject, /^Re: Suite à votre consultation/);
  });

  test('defect no-read-receipt-request: no Disposition-Notification-To, the message is never shown read', async () => {
    const ctx = await reset({ defects: ['no-read-receipt-request'] });
    const patientId = await patient(ctx.t);
    const response = await send(ctx, { patientId }, { readReceipt: true });
    assert.equal(byId(ctx, response.body.internetMessageId)?.parsed?.headers['disposition-notification-to'], undefined);
    assert.equal(await ctx.box.patientReads(response.body.internetMessageId), undefined);
    assert.equal((await thread(ctx, patientId)).messages[0].status, 'sent');
  });
});

describe('MSS-10 attachments', () => {
  const isPdf = (b: Buffer) => b.subarray(0, 5).toString('latin1') === '%PDF-';

  test('to the patient: the report as a PDF only', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const documentId = await report(ctx.t, patientId);
    const response = await send(ctx, { patientId }, { attachments: [{ documentId }] });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const atts = byId(ctx, response.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts.length, 1);
    assert.equal(atts[0]!.contentType, 'application/pdf');
    assert.ok(isPdf(atts[0]!.content));
    assert.ok(atts[0]!.content.toString('latin1').includes('Examen clinique sans particularit'));
  });

  test('to a colleague: the CDA in an IHE XDM zip (INDEX.HTM, README.TXT, METADATA.XML, DOC0001.XML)', async () => {
    const ctx = await reset();
    const patientId = await patient(ctx.t);
    const documentId = await report(ctx.t, patientId);
    const colleague = ctx.box.mailboxFor('confrere');
    ctx.box.registerMailbox(colleague, { kind: 'professional' });
    const response = await send(ctx, { address: colleague }, { attachments: [{ documentId }] });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.address, colleague);
    const atts = byId(ctx, response.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts.length, 1);
    assert.equal(atts[0]!.contentType, 'application/zip');
    const entries = readZip(atts[0]!.content);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['INDEX.HTM', 'README.TXT', 'IHE_XDM/SUBSET01/METADATA.XML', 'IHE_XDM/SUBSET01/DOC0001.XML'],
    );
    const cda = await fetch(`${lgc.url}/testdriver/documents/${documentId}/content`, { headers: { 'x-vigie-tenant': ctx.t } }).then((x) =>
      x.arrayBuffer(),
    );
    assert.ok(entries[3]!.content.equals(Buffer.from(cda)));
    const meta = entries[2]!.content.toString('utf8');
    assert.match(meta, /<lcm:SubmitObjectsRequest /);
    assert.match(meta, /<rim:ExtrinsicObject id="Document01"/);
    assert.match(meta, /<rim:Slot name="URI"><rim:ValueList><rim:Value>DOC0001.XML<\/rim:Value>/);
    assert.ok(meta.includes(`${INS15}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO^NH`));
    // a professional message is not in the patient's thread
    assert.deepEqual((await thread(ctx, patientId)).messages, []);
  });

  test('defect cda-to-patient: the raw CDA (text/xml) goes to the patient', async () => {
    const ctx = await reset({ defects: ['cda-to-patient'] });
    const patientId = await patient(ctx.t);
    const documentId = await report(ctx.t, patientId);
    const response = await send(ctx, { patientId }, { attachments: [{ documentId }] });
    const atts = byId(ctx, response.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts[0]?.contentType, 'text/xml');
    assert.ok(atts[0]!.content.toString('utf8').includes('ClinicalDocument'));
  });

  test('defect cda-without-xdm: a bare CDA goes to the colleague', async () => {
    const ctx = await reset({ defects: ['cda-without-xdm'] });
    const patientId = await patient(ctx.t);
    const documentId = await report(ctx.t, patientId);
    const colleague = ctx.box.mailboxFor('confrere');
    ctx.box.registerMailbox(colleague, { kind: 'professional' });
    const response = await send(ctx, { address: colleague }, { attachments: [{ documentId }] });
    const atts = byId(ctx, response.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts.length, 1);
    assert.equal(atts[0]!.contentType, 'text/xml');
    assert.notEqual(atts[0]!.content.subarray(0, 2).toString('latin1'), 'PK');
  });
});

describe('building blocks', () => {
  test('ZIP writer: CRC-32 check value, stored and deflated entries read back', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    const big = Buffer.from('<x>'.repeat(1000));
    const entries = readZip(
      writeZip([
        { name: 'A.TXT', content: Buffer.from('a') },
        { name: 'B/C.XML', content: big },
        { name: 'EMPTY', content: Buffer.alloc(0) },
      ]),
    );
    assert.deepEqual(
      entries.map((e) => [e.name, e.size]),
      [
        ['A.TXT', 1],
        ['B/C.XML', 3000],
        ['EMPTY', 0],
      ],
    );
    assert.ok(entries[1]!.content.equals(big));
  });

  test('mimeParts splits a multipart body at its boundary lines only', () => {
    const raw = Buffer.from(
      'Content-Type: multipart/report; boundary="zz"\r\n\r\npreamble\r\n--zz\r\nA: 1\r\n\r\none --zz not a boundary\r\n--zz\r\n\r\ntwo\r\n--zz--\r\nepilogue\r\n',
    );
    assert.deepEqual(
      mimeParts(raw, 'zz').map((b) => b.toString()),
      ['A: 1\r\n\r\none --zz not a boundary', '\r\ntwo'],
    );
  });
});

describe('the author of the CDA in the XDM package, and the seeded defects that write where they must not', () => {
  test("the XDM package's CDA and metadata name the professional who validated (the reset's workstation when the action's has no idNat)", async () => {
    const ctx = await reset({ workstations: [{ ...PS, idNat: '810100456789' }] });
    const patientId = await patient(ctx.t);
    const documentId = await report(ctx.t, patientId); // validated at PS (no idNat in the action): the reset's card holder
    const colleague = ctx.box.mailboxFor('confrere');
    ctx.box.registerMailbox(colleague, { kind: 'professional' });
    const response = await send(ctx, { address: colleague }, { attachments: [{ documentId }] });
    const entries = readZip(byId(ctx, response.body.internetMessageId)!.parsed!.attachments[0]!.content);
    const cda = entries[3]!.content.toString('utf8');
    assert.match(cda, /<assignedAuthor><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/);
    assert.match(cda, /<legalAuthenticator>.*<id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/);
    assert.doesNotMatch(cda, /810001234567/);
    assert.ok(entries[2]!.content.toString('utf8').includes('810100456789^PRATICIEN^Anne^'));
  });

  test('defect mss-address-from-recovered-ins: written to at the INS INSi returned, never qualified', async () => {
    const ctx = await reset({ defects: ['mss-address-from-recovered-ins'] });
    const patientId = await patient(ctx.t, 'recovered');
    const response = await send(ctx, { patientId });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.address, ADDRESS);
    const none = await patient(ctx.t, 'none');
    assert.equal((await send(ctx, { patientId: none })).status, 422, 'nothing known: still refused');
  });

  for (const ins of ['recovered', 'none'] as const) {
    test(`defect mss-to-patient-late (INS ${ins}): 422 shown, then the message sent anyway a moment later`, async () => {
      const ctx = await reset({ defects: ['mss-to-patient-late'] });
      const patientId = await patient(ctx.t, ins);
      const response = await send(ctx, { patientId });
      assert.equal(response.status, 422);
      assert.equal(response.body.error, 'no-mss-address');
      assert.equal(fromPractice(ctx).length, 0, 'nothing when the refusal is shown');
      const [m] = await waitFor(
        'the late message',
        () => fromPractice(ctx),
        (ms) => ms.length === 1,
      );
      const to = ins === 'recovered' ? ADDRESS : 'jean.dupont@patient.mssante.fr';
      assert.deepEqual(
        m!.envelope.to.map((a) => a.toLowerCase()),
        [to.toLowerCase()],
      );
      assert.equal(m!.parsed?.subject, 'Suite à votre consultation');
    });
  }
});
