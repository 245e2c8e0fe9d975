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
async function switchDefects(t: string, defects: string[]): Promise<void> {
  const r = await callLgc(lgc.url, 'POST', '/reference/defects', null, { tenantPrefix: t, defects });
  assert.equal(r.status, 200, r.text);
}

let counter = 0;
async function reset(
  o: { defects?: string[]; noMss?: boolean; smtpPort?: number; pop3Port?: number; workstations?: unknown[] } = {},
): Promise<Ctx> {
  const t = `mss${++counter}-${process.pid}`;
  const box = mss.tenant(t);
  box.reset();
  const mailbox = box.mailboxFor('cabinet');
  box.registerMailbox(mailbox, { kind: 'professional' });
  const doubles: Record<string, unknown> = { insi: { url: insiUrl } };
  if (!o.noMss) {
    doubles.mss = {
      smtp: { ...mss.smtp, ...(o.smtpPort ? { port: o.smtpPort } : {}) },
      pop3: { ...mss.pop3, ...(o.pop3Port ? { port: o.pop3Port } : {}) },
      mailbox,
      password: 'vigie',
    };
  }
  await switchDefects(t, o.defects ?? []);
  const r = await call('POST', '/testdriver/reset', t, { doubles, ...(o.workstations ? { workstations: o.workstations } : {}) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { t, box, mailbox };
}

/** A patient file; 'qualified' (INSi found + qualified by document), 'recovered' (INSi found only) or 'none'. */
async function patient(t: string, ins: 'qualified' | 'recovered' | 'none' = 'qualified'): Promise<string> {
  const r = await call('POST', '/testdriver/patients', t, { file: FILE_DUPONT });
  assert.equal(r.status, 201);
  const id = r.body.patientId as string;
  if (ins === 'none') return id;
  await call('POST', `/testdriver/patients/${id}/open`, t, { workstation: PS });
  await waitFor(
    'the INSi answer',
    async () => (await call('GET', `/testdriver/patients/${id}/identity`, t)).body,
    (v) => v.insi.lastCall?.outcome === 'found',
  );
  if (ins === 'recovered') return id;
  const q = await call('POST', `/testdriver/patients/${id}/qualify`, t, {
    workstation: PS,
    method: 'document',
    document: 'Passeport (français ou étranger)',
  });
  assert.equal(q.status, 200, JSON.stringify(q.body));
  return id;
}

async function report(t: string, p: string): Promise<string> {
  const r = await call('POST', `/testdriver/patients/${p}/documents`, t, {
    workstation: PS,
    type: 'consultation-report',
    content: { title: 'Consultation du jour', text: 'Examen clinique sans particularité. Tension 12/8.' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.documents[0].documentId as string;
  const v = await call('POST', `/testdriver/documents/${id}/validate`, t, { workstation: PS });
  assert.equal(v.status, 200, JSON.stringify(v.body));
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
const thread = async (c: Ctx, p: string) => {
  const r = await call('GET', `/testdriver/patients/${p}/messages`, c.t);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
/** What reached the operator from the practice (not what the double generated). */
const fromPractice = (c: Ctx): MssMessage[] => c.box.messages().filter((m) => !m.generated);
const byId = (c: Ctx, internetMessageId: string) => fromPractice(c).find((m) => m.parsed?.messageId === internetMessageId);

// ---------------------------------------------------------------------------------------------

describe('configuration and requests', () => {
  test('without doubles.mss, messaging answers 409 « messagerie non configurée »', async () => {
    const c = await reset({ noMss: true });
    const p = await patient(c.t);
    const r = await send(c, { patientId: p });
    assert.equal(r.status, 409);
    assert.match(r.body.message, /messagerie non configurée/);
    assert.equal((await call('GET', `/testdriver/patients/${p}/messages`, c.t)).status, 409);
    assert.equal((await call('POST', `/testdriver/patients/${p}/messages/end`, c.t, { workstation: PS })).status, 409);
  });

  test('malformed requests: 400; unknown patient: 404; unknown document: 422', async () => {
    const c = await reset();
    const p = await patient(c.t);
    assert.equal((await send(c, { patientId: p, address: 'x.y@medecin.mssante.fr' })).status, 400);
    assert.equal((await send(c, {})).status, 400);
    assert.equal((await call('POST', '/testdriver/messages', c.t, { workstation: PS, to: { patientId: p } })).status, 400);
    assert.equal((await send(c, { patientId: 'nope' })).status, 404);
    const r = await send(c, { patientId: p }, { attachments: [{ documentId: 'd999' }] });
    assert.equal(r.status, 422);
    assert.equal(r.body.error, 'unknown-document');
    const bad = await call('POST', '/testdriver/reset', c.t, {
      doubles: { insi: { url: insiUrl }, mss: { smtp: { host: 'h' }, pop3: { host: 'h', port: 1 }, mailbox: 'a@b', password: 'x' } },
    });
    assert.equal(bad.status, 400);
    assert.equal(fromPractice(c).length, 0);
  });

  test('the operator unreachable over SMTP: 502 within the client timeouts; POP3 unreachable: the thread still answers', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const c = await reset({ smtpPort: closed, pop3Port: closed });
    const p = await patient(c.t);
    const r = await send(c, { patientId: p });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(r.body.error, 'mss-unavailable');
    const v = await thread(c, p);
    assert.deepEqual(v.messages, []);
    assert.match(v.mailboxError, /POP3/);
  });
});

describe('MSS-01 the patient address', () => {
  test('built from the qualified INS: 15 characters at patient.mssante.fr, sent over SMTP (STARTTLS, AUTH) from the practice mailbox', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const r = await send(c, { patientId: p });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.address, ADDRESS);
    assert.match(r.body.messageId, /^m\d+$/);
    assert.match(r.body.internetMessageId, /^<[^<>@]+@medecin\.mssante\.fr>$/);
    const m = byId(c, r.body.internetMessageId);
    assert.ok(m, 'the message reached the operator');
    assert.deepEqual(m.envelope, { from: c.mailbox, to: [ADDRESS] });
    assert.equal(m.parsed?.from, c.mailbox);
    assert.equal(m.parsed?.subject, 'Suite à votre consultation');
    assert.equal(m.session.tls, true);
    assert.equal(m.session.authUser, c.mailbox);
    assert.equal(m.deliveries[0]?.outcome, 'delivered');
    assert.equal(m.parsed?.headers['disposition-notification-to'], undefined);
    const v = await thread(c, p);
    assert.deepEqual(
      v.messages.map((x: any) => [x.messageId, x.direction, x.status, x.subject]),
      [[r.body.messageId, 'out', 'sent', 'Suite à votre consultation']],
    );
    assert.equal(v.ended, false);
  });

  for (const ins of ['recovered', 'none'] as const) {
    test(`INS ${ins === 'none' ? 'unknown' : 'recovered, not qualified'}: 422 no-mss-address, nothing sent`, async () => {
      const c = await reset();
      const p = await patient(c.t, ins);
      const r = await send(c, { patientId: p });
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, { error: 'no-mss-address', message: "INS non qualifiée : pas d'adresse de messagerie Mon espace santé" });
      const e = await call('POST', `/testdriver/patients/${p}/messages/end`, c.t, { workstation: PS });
      assert.equal(e.status, 422);
      assert.equal(fromPractice(c).length, 0);
    });
  }

  test('defect mss-address-without-key: the 13-character matricule only (the operator bounces it as invalid)', async () => {
    const c = await reset({ defects: ['mss-address-without-key'] });
    const p = await patient(c.t);
    const r = await send(c, { patientId: p });
    assert.equal(r.status, 201);
    assert.equal(r.body.address, `${MATRICULE}@patient.mssante.fr`);
    assert.deepEqual(byId(c, r.body.internetMessageId)?.envelope.to, [`${MATRICULE}@patient.mssante.fr`]);
  });

  for (const ins of ['recovered', 'none'] as const) {
    test(`defect mss-address-for-unqualified (INS ${ins}): written to with the INS INSi returned, no 422`, async () => {
      const c = await reset({ defects: ['mss-address-for-unqualified'] });
      const p = await patient(c.t, ins);
      const r = await send(c, { patientId: p });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.address, ADDRESS);
      assert.deepEqual(byId(c, r.body.internetMessageId)?.envelope.to, [ADDRESS]);
      const identity = (await call('GET', `/testdriver/patients/${p}/identity`, c.t)).body;
      assert.equal(identity.ins.status, ins, 'the identity panel is not changed by the lookup');
    });
  }
});

describe('MSS-05 bounces', () => {
  for (const state of ['opposé', 'clôturé'] as const) {
    test(`patient ${state}: the DSN is read over POP3 and shown on that message, with the operator's text`, async () => {
      const c = await reset();
      const p = await patient(c.t);
      c.box.setPatientState(INS15, state);
      const ok = await send(c, { patientId: p }, { subject: 'Premier' });
      assert.equal(ok.status, 201);
      assert.equal(byId(c, ok.body.internetMessageId)?.deliveries[0]?.outcome, 'bounced');
      const v = await thread(c, p);
      const m = v.messages.find((x: any) => x.messageId === ok.body.messageId);
      assert.equal(m.status, 'bounced');
      assert.ok(m.bounce.text.includes(`"${ADDRESS}"`), m.bounce.text);
      assert.match(m.bounce.text, state === 'opposé' ? /adresse Mon espace santé n'existe pas\./ : /est clôturée\./);
      assert.doesNotMatch(m.bounce.text, /Final-Recipient|Reporting-MTA/, 'only the human-readable part');
      // read once: the mailbox is emptied, the bounce stays shown
      const again = await thread(c, p);
      assert.equal(again.messages.find((x: any) => x.messageId === ok.body.messageId).status, 'bounced');
      assert.equal(again.unlinkedBounces, undefined);
    });
  }

  test('a bounce for a message the LGC cannot link is kept and shown at tenant level, not dropped', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const b = 'b1';
    const raw =
      `From: Mon espace sante <MAILER-DAEMON@patient.mssante.fr>\r\nTo: <${c.mailbox}>\r\nSubject: Message non distribue\r\n` +
      'Message-ID: <orphan-dsn@patient.mssante.fr>\r\nMIME-Version: 1.0\r\n' +
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"\r\n\r\n` +
      `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMessage d'origine inconnu non distribué.\r\n` +
      `--${b}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; patient.mssante.fr\r\n\r\nFinal-Recipient: rfc822; 279035121518989@patient.mssante.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n` +
      `--${b}\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <unknown@elsewhere>\r\nSubject: ?\r\n\r\n--${b}--\r\n`;
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
      await tr.sendMail({ envelope: { from: '', to: [c.mailbox] }, raw });
    } finally {
      tr.close();
    }
    const v = await thread(c, p);
    assert.deepEqual(v.messages, []);
    assert.equal(v.unlinkedBounces?.length, 1);
    assert.match(v.unlinkedBounces[0].text, /inconnu non distribué/);
  });

  test('defect bounce-dropped: the DSN is read and deleted but never shown', async () => {
    const c = await reset({ defects: ['bounce-dropped'] });
    const p = await patient(c.t);
    c.box.setPatientState(INS15, 'opposé');
    const ok = await send(c, { patientId: p });
    assert.equal(byId(c, ok.body.internetMessageId)?.deliveries[0]?.outcome, 'bounced');
    const v = await thread(c, p);
    assert.equal(v.messages.find((x: any) => x.messageId === ok.body.messageId).status, 'sent');
    assert.equal(v.messages[0].bounce, undefined);
    assert.equal(v.unlinkedBounces, undefined);
  });
});

describe('MSS-07 ending the exchange', () => {
  test('sends exactly [FIN] to the patient (not delivered by the operator) and shows the exchange as ended', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const first = await send(c, { patientId: p });
    const r = await call('POST', `/testdriver/patients/${p}/messages/end`, c.t, { workstation: PS });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.body.messageId, /^m\d+$/);
    const fin = fromPractice(c).at(-1)!;
    assert.deepEqual(fin.envelope.to, [ADDRESS]);
    assert.equal(fin.parsed?.subject, '[FIN]');
    assert.equal(fin.deliveries[0]?.outcome, 'not-delivered-fin');
    const v = await thread(c, p);
    assert.equal(v.ended, true);
    assert.deepEqual(
      v.messages.map((x: any) => x.messageId),
      [first.body.messageId, r.body.messageId],
    );
  });

  test('defect fin-lowercase: the subject is « [Fin] » (delivered as an ordinary message)', async () => {
    const c = await reset({ defects: ['fin-lowercase'] });
    const p = await patient(c.t);
    await send(c, { patientId: p });
    const r = await call('POST', `/testdriver/patients/${p}/messages/end`, c.t, { workstation: PS });
    assert.equal(r.status, 200);
    const fin = fromPractice(c).at(-1)!;
    assert.equal(fin.parsed?.subject, '[Fin]');
    assert.equal(fin.deliveries[0]?.outcome, 'delivered');
  });
});

describe('MSS-08 read receipts, and replies', () => {
  test('readReceipt asks with Disposition-Notification-To; the MDN marks the message read', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const r = await send(c, { patientId: p }, { readReceipt: true });
    const m = byId(c, r.body.internetMessageId)!;
    assert.ok(m.parsed?.headers['disposition-notification-to']?.includes(c.mailbox));
    assert.equal((await thread(c, p)).messages[0].status, 'sent');
    const mdn = await c.box.patientReads(r.body.internetMessageId);
    assert.ok(mdn, 'the double sent an MDN');
    const v = await thread(c, p);
    const shown = v.messages.find((x: any) => x.messageId === r.body.messageId);
    assert.equal(shown.status, 'read');
    assert.ok(!Number.isNaN(Date.parse(shown.readAt)));
  });

  test('a reply from the patient is shown in the thread as received', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const r = await send(c, { patientId: p });
    await c.box.patientReplies(ADDRESS, r.body.internetMessageId, 'Merci docteur');
    const v = await thread(c, p);
    assert.equal(v.messages.length, 2);
    assert.deepEqual({ d: v.messages[1].direction, s: v.messages[1].status }, { d: 'in', s: 'received' });
    assert.match(v.messages[1].subject, /^Re: Suite à votre consultation/);
  });

  test('defect no-read-receipt-request: no Disposition-Notification-To, the message is never shown read', async () => {
    const c = await reset({ defects: ['no-read-receipt-request'] });
    const p = await patient(c.t);
    const r = await send(c, { patientId: p }, { readReceipt: true });
    assert.equal(byId(c, r.body.internetMessageId)?.parsed?.headers['disposition-notification-to'], undefined);
    assert.equal(await c.box.patientReads(r.body.internetMessageId), undefined);
    assert.equal((await thread(c, p)).messages[0].status, 'sent');
  });
});

describe('MSS-10 attachments', () => {
  const isPdf = (b: Buffer) => b.subarray(0, 5).toString('latin1') === '%PDF-';

  test('to the patient: the report as a PDF only', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const d = await report(c.t, p);
    const r = await send(c, { patientId: p }, { attachments: [{ documentId: d }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const atts = byId(c, r.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts.length, 1);
    assert.equal(atts[0]!.contentType, 'application/pdf');
    assert.ok(isPdf(atts[0]!.content));
    assert.ok(atts[0]!.content.toString('latin1').includes('Examen clinique sans particularit'));
  });

  test('to a colleague: the CDA in an IHE XDM zip (INDEX.HTM, README.TXT, METADATA.XML, DOC0001.XML)', async () => {
    const c = await reset();
    const p = await patient(c.t);
    const d = await report(c.t, p);
    const colleague = c.box.mailboxFor('confrere');
    c.box.registerMailbox(colleague, { kind: 'professional' });
    const r = await send(c, { address: colleague }, { attachments: [{ documentId: d }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.address, colleague);
    const atts = byId(c, r.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts.length, 1);
    assert.equal(atts[0]!.contentType, 'application/zip');
    const entries = readZip(atts[0]!.content);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['INDEX.HTM', 'README.TXT', 'IHE_XDM/SUBSET01/METADATA.XML', 'IHE_XDM/SUBSET01/DOC0001.XML'],
    );
    const cda = await fetch(`${lgc.url}/testdriver/documents/${d}/content`, { headers: { 'x-vigie-tenant': c.t } }).then((x) =>
      x.arrayBuffer(),
    );
    assert.ok(entries[3]!.content.equals(Buffer.from(cda)));
    const meta = entries[2]!.content.toString('utf8');
    assert.match(meta, /<lcm:SubmitObjectsRequest /);
    assert.match(meta, /<rim:ExtrinsicObject id="Document01"/);
    assert.match(meta, /<rim:Slot name="URI"><rim:ValueList><rim:Value>DOC0001.XML<\/rim:Value>/);
    assert.ok(meta.includes(`${INS15}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO^NH`));
    // a professional message is not in the patient's thread
    assert.deepEqual((await thread(c, p)).messages, []);
  });

  test('defect cda-to-patient: the raw CDA (text/xml) goes to the patient', async () => {
    const c = await reset({ defects: ['cda-to-patient'] });
    const p = await patient(c.t);
    const d = await report(c.t, p);
    const r = await send(c, { patientId: p }, { attachments: [{ documentId: d }] });
    const atts = byId(c, r.body.internetMessageId)?.parsed?.attachments ?? [];
    assert.equal(atts[0]?.contentType, 'text/xml');
    assert.ok(atts[0]!.content.toString('utf8').includes('ClinicalDocument'));
  });

  test('defect cda-without-xdm: a bare CDA goes to the colleague', async () => {
    const c = await reset({ defects: ['cda-without-xdm'] });
    const p = await patient(c.t);
    const d = await report(c.t, p);
    const colleague = c.box.mailboxFor('confrere');
    c.box.registerMailbox(colleague, { kind: 'professional' });
    const r = await send(c, { address: colleague }, { attachments: [{ documentId: d }] });
    const atts = byId(c, r.body.internetMessageId)?.parsed?.attachments ?? [];
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
    const c = await reset({ workstations: [{ ...PS, idNat: '810100456789' }] });
    const p = await patient(c.t);
    const d = await report(c.t, p); // validated at PS (no idNat in the action): the reset's card holder
    const colleague = c.box.mailboxFor('confrere');
    c.box.registerMailbox(colleague, { kind: 'professional' });
    const r = await send(c, { address: colleague }, { attachments: [{ documentId: d }] });
    const entries = readZip(byId(c, r.body.internetMessageId)!.parsed!.attachments[0]!.content);
    const cda = entries[3]!.content.toString('utf8');
    assert.match(cda, /<assignedAuthor><id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/);
    assert.match(cda, /<legalAuthenticator>.*<id root="1\.2\.250\.1\.71\.4\.2\.1" extension="810100456789"\/>/);
    assert.doesNotMatch(cda, /810001234567/);
    assert.ok(entries[2]!.content.toString('utf8').includes('810100456789^PRATICIEN^Anne^'));
  });

  test('defect mss-address-from-recovered-ins: written to at the INS INSi returned, never qualified', async () => {
    const c = await reset({ defects: ['mss-address-from-recovered-ins'] });
    const p = await patient(c.t, 'recovered');
    const r = await send(c, { patientId: p });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.address, ADDRESS);
    const none = await patient(c.t, 'none');
    assert.equal((await send(c, { patientId: none })).status, 422, 'nothing known: still refused');
  });

  for (const ins of ['recovered', 'none'] as const) {
    test(`defect mss-to-patient-late (INS ${ins}): 422 shown, then the message sent anyway a moment later`, async () => {
      const c = await reset({ defects: ['mss-to-patient-late'] });
      const p = await patient(c.t, ins);
      const r = await send(c, { patientId: p });
      assert.equal(r.status, 422);
      assert.equal(r.body.error, 'no-mss-address');
      assert.equal(fromPractice(c).length, 0, 'nothing when the refusal is shown');
      const [m] = await waitFor(
        'the late message',
        () => fromPractice(c),
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
