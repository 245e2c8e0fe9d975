/**
 * The MSSanté double over real sockets: nodemailer and Debian's swaks as SMTP clients, a tiny POP3 client,
 * mailparser to read what comes back. MSS-01..11 and the seeded defects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as path from 'node:path';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { MssDouble, checkIns, type MssMessage, type MssTenant } from '../../src/doubles/mss';
import { eventually } from '../../src/harness/wait';
import { issue } from '../../src/doubles/common/pki';
import { pop3FetchAndDelete } from '../../src/reference-lgc/pop3-client';

const CERT = fs.readFileSync(path.resolve(__dirname, '../../fixtures/mss/tls/cert.pem'));

// Copied character for character from REQUIREMENTS.md §6 (MSS-02/03/04), the « … » filled in.
const MSS02 = (a: string) =>
  `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas.`;
const MSS03 = (a: string) =>
  `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car la messagerie Mon espace santé de votre destinataire est clôturée.`;
const MSS04 = (a: string) =>
  `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé est invalide.`;
const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

// REQUIREMENTS.md §6 test vectors.
const P_ACTIVE = '277010115400329@patient.mssante.fr';
const P_OTHER = '179043135566296@patient.mssante.fr';
const P_ANS = '279035121518989@patient.mssante.fr';
const P_CORSICA = '284052A32102552@patient.mssante.fr';
const P_WRONG_KEY = '289456789012345@patient.mssante.fr'; // screenshot address: key 45, formula 25
const P_SHORT = '27701011540032@patient.mssante.fr';
const INS_ACTIVE = P_ACTIVE.slice(0, 15);
const INS_OTHER = P_OTHER.slice(0, 15);
const INS_ANS = P_ANS.slice(0, 15);
const AUTORESPONDER = 'reponse.automatique-test@patient.mssante.fr';

const HAVE_SWAKS = (() => {
  try {
    execFileSync('swaks', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
})();
const NO_SWAKS = HAVE_SWAKS ? false : 'swaks is not installed (apt-get install -y swaks): third-party SMTP client cases skipped';

// ---------- clients ----------

function transport(double: MssDouble, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: double.smtp.host,
    port: double.smtp.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000,
    ...extra,
  });
}

function swaks(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('swaks', args, { timeout: 10000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** A line-oriented raw client for SMTP and POP3 conversations, with a hard deadline on every wait. */
class Raw {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }
  static connect(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Raw(socket)));
      socket.once('error', reject);
    });
  }
  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((f) => f());
  }
  /** Waits until pred(buffer) gives an index (end of what is wanted), returns and consumes that prefix. */
  async take(pred: (b: Buffer) => number, timeoutMs = 5000, what = 'reply'): Promise<Buffer> {
    // Probed at once, then on every chunk or close (wake), within the one waiting policy.
    const found = await eventually(
      () => {
        const end = pred(this.buf);
        if (end >= 0) return { end };
        if (this.closed) throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.buf.toString('latin1'))}`);
        return undefined;
      },
      { ms: timeoutMs, wake: () => new Promise<void>((resolve) => this.waiters.push(resolve)) },
    );
    if (!found.value) throw new Error(`timeout waiting for ${what}; got ${JSON.stringify(this.buf.toString('latin1'))}`);
    const out = this.buf.subarray(0, found.value.end);
    this.buf = this.buf.subarray(found.value.end);
    return out;
  }
  line(timeoutMs?: number): Promise<string> {
    return this.take(
      (b) => {
        const i = b.indexOf('\r\n');
        return i < 0 ? -1 : i + 2;
      },
      timeoutMs,
      'a line',
    ).then((b) => b.toString('latin1').slice(0, -2));
  }
  /** One SMTP reply (possibly multi-line "250-…"). */
  async smtpReply(timeoutMs?: number): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      lines.push(line);
      if (!/^\d{3}-/.test(line)) return lines;
    }
  }
  /** A POP3 multi-line body up to CRLF.CRLF, un-dot-stuffed. */
  async pop3Body(timeoutMs?: number): Promise<Buffer> {
    const raw = await this.take(
      (x) => {
        const i = x.indexOf('\r\n.\r\n');
        return i < 0 ? (x.subarray(0, 3).toString() === '.\r\n' ? 3 : -1) : i + 5;
      },
      timeoutMs,
      'a POP3 body',
    );
    const body = raw.subarray(0, Math.max(0, raw.length - 3)); // keep the final CRLF
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < body.length; i++) {
      if ((i === 0 || body[i - 1] === 0x0a) && body[i] === 0x2e) {
        parts.push(body.subarray(start, i));
        start = i + 1;
      }
    }
    parts.push(body.subarray(start));
    return Buffer.concat(parts);
  }
  write(data: string | Buffer) {
    this.sock.write(data);
  }
  close() {
    this.sock.destroy();
  }
}

/** Sends POP3 commands ending with QUIT over a (TLS) socket and returns the transcript up to QUIT's answer. */
async function pop3Dialogue(socket: tls.TLSSocket, commands: string[]): Promise<string> {
  let transcript = '';
  let wake: (() => void) | undefined;
  const onData = (c: Buffer | Error) => {
    transcript += c instanceof Error ? `\n[error ${c.message}]` : c.toString('latin1');
    wake?.();
  };
  socket.on('data', onData).on('error', onData);
  socket.write(commands.map((c) => `${c}\r\n`).join(''));
  const done = await eventually(() => (/signing off/.test(transcript) ? true : undefined), {
    ms: 5000,
    wake: () => new Promise<void>((resolve) => (wake = resolve)),
  });
  assert.ok(done.value, `POP3 over TLS: no answer to QUIT; got ${JSON.stringify(transcript)}`);
  return transcript;
}

/** Fetches every message of a mailbox over POP3 (USER/PASS/STAT/UIDL/RETR/QUIT). */
async function pop3Fetch(double: MssDouble, mailbox: string, options: { dele?: boolean } = {}): Promise<{ uid: string; raw: Buffer }[]> {
  const client = await Raw.connect(double.pop3.port);
  try {
    assert.match(await client.line(), /^\+OK/);
    client.write(`USER ${mailbox}\r\n`);
    assert.match(await client.line(), /^\+OK/);
    client.write('PASS vigie\r\n');
    assert.match(await client.line(), /^\+OK/);
    client.write('STAT\r\n');
    const stat = /^\+OK (\d+) (\d+)/.exec(await client.line());
    assert.ok(stat, 'STAT answer');
    const n = Number(stat[1]);
    client.write('UIDL\r\n');
    assert.match(await client.line(), /^\+OK/);
    const uids = (await client.pop3Body())
      .toString('latin1')
      .split('\r\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[1]!);
    assert.equal(uids.length, n);
    const out: { uid: string; raw: Buffer }[] = [];
    for (let i = 1; i <= n; i++) {
      client.write(`RETR ${i}\r\n`);
      const head = await client.line();
      assert.match(head, /^\+OK/);
      out.push({ uid: uids[i - 1]!, raw: await client.pop3Body(10000) });
      if (options.dele) {
        client.write(`DELE ${i}\r\n`);
        assert.match(await client.line(), /^\+OK/);
      }
    }
    client.write('QUIT\r\n');
    assert.match(await client.line(), /^\+OK/);
    return out;
  } finally {
    client.close();
  }
}

/** Splits a multipart body on its boundary (enough for the reports the double writes). */
function mimeParts(raw: Buffer): { headers: string; body: string }[] {
  const text = raw.toString('utf8');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(text)?.[1];
  assert.ok(boundary, 'a multipart boundary');
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const sep = p.indexOf('\r\n\r\n');
      return { headers: p.slice(0, sep), body: p.slice(sep + 4) };
    });
}

async function expectDsn(double: MssDouble, sender: string, rcpt: string, sentence: string, status: string, originalMessageId: string) {
  const fetched = await pop3Fetch(double, sender);
  const dsn = fetched.find((f) => f.raw.toString('utf8').includes(`Final-Recipient: rfc822; ${rcpt}`));
  assert.ok(dsn, `a DSN for ${rcpt} in ${sender}'s POP3 maildrop (${fetched.length} message(s))`);
  const mail = await simpleParser(dsn.raw);
  const ct = mail.headers.get('content-type') as { value: string; params: Record<string, string> };
  assert.equal(ct.value, 'multipart/report');
  assert.equal(ct.params['report-type'], 'delivery-status');
  const parts = mimeParts(dsn.raw);
  assert.equal(parts.length, 3);
  assert.match(parts[0]!.headers, /Content-Type: text\/plain; charset=utf-8/i);
  assert.equal(norm(parts[0]!.body), norm(sentence), 'the human-readable part is exactly the sentence');
  assert.match(parts[1]!.headers, /Content-Type: message\/delivery-status/i);
  assert.match(parts[1]!.body, /^Reporting-MTA: dns; /m);
  assert.match(parts[1]!.body, new RegExp(`^Final-Recipient: rfc822; ${rcpt.replace(/\./g, '\\.')}\\r?$`, 'm'));
  assert.match(parts[1]!.body, /^Action: failed\r?$/m);
  assert.match(parts[1]!.body, new RegExp(`^Status: ${status.replace(/\./g, '\\.')}\\r?$`, 'm'));
  assert.match(parts[1]!.body, /^Diagnostic-Code: smtp; 550 /m);
  const original = mail.attachments.find((a) => a.contentType === 'message/rfc822');
  assert.ok(original, 'the original message is attached');
  assert.ok(original.content.toString('utf8').includes(originalMessageId), 'the attached original is the bounced message');
}

// ---------- tests ----------

describe('MSS-01 INS addresses', () => {
  test('key = 97 − (number mod 97), Corsica 2A/2B, length', () => {
    for (const a of [P_ACTIVE, P_OTHER, P_ANS, P_CORSICA, '255081416802538', '184052B32102532'])
      assert.equal(checkIns(a.slice(0, 15)).valid, true, a);
    assert.deepEqual(checkIns(P_WRONG_KEY.slice(0, 15)), { valid: false, ins: '289456789012345', reason: 'key' });
    assert.equal(checkIns('28945678901232' + '5').valid, true);
    assert.deepEqual(checkIns(P_SHORT.slice(0, 14)), { valid: false, ins: '27701011540032', reason: 'length' });
  });
});

describe('MSSanté double', () => {
  const double = new MssDouble();
  let seqTenant = 0;
  const fresh = (): { t: MssTenant; doc: string } => {
    const tenant = double.tenant(`t${++seqTenant}`);
    return { t: tenant, doc: tenant.mailboxFor('dr-martin') };
  };
  before(() => double.start());
  after(() => double.stop());

  test('listens on loopback; mailboxFor carries the tenant', () => {
    assert.equal(double.smtp.host, '127.0.0.1');
    assert.equal(double.pop3.host, '127.0.0.1');
    assert.equal(double.tenant('cab1').mailboxFor('cabinet'), 'cabinet.cab1@medecin.mssante.fr');
    assert.throws(() => double.tenant('bad tenant'));
  });

  test('activé patient: delivered, patient notified, bytes kept (nodemailer)', async () => {
    const { t, doc } = fresh();
    const info = await transport(double).sendMail({
      from: doc,
      to: P_ACTIVE,
      subject: 'Vos résultats',
      text: 'Bonjour, voici vos résultats.',
    });
    assert.match(info.response, /^250 /);
    const [m] = t.messages();
    assert.ok(m);
    assert.deepEqual(m.deliveries, [
      { to: P_ACTIVE, outcome: 'delivered', reason: 'patient notified', notified: true, mustActivate: false },
    ]);
    assert.equal(m.parsed?.subject, 'Vos résultats');
    assert.equal(t.mailbox(P_ACTIVE).length, 1);
    const popped = await pop3Fetch(double, P_ACTIVE);
    assert.ok(
      popped.some((p) => p.raw.equals(m.raw)),
      'POP3 gives back the very bytes received',
    );
  });

  test('the same patient is opposé in one tenant and activé in another', async () => {
    const one = fresh();
    const another = fresh();
    one.t.setPatientState(INS_OTHER, 'opposé');
    await transport(double).sendMail({ from: one.doc, to: P_OTHER, subject: 'x', text: 'x' });
    await transport(double).sendMail({ from: another.doc, to: P_OTHER, subject: 'y', text: 'y' });
    assert.equal(one.t.messages()[0]!.deliveries[0]!.outcome, 'bounced');
    assert.equal(another.t.messages()[0]!.deliveries[0]!.outcome, 'delivered');
    assert.equal(another.t.patientState(INS_OTHER), 'activé');
  });

  test('MSS-02 opposé: accepted, then an RFC 3464 DSN with the exact sentence, fetched over POP3', async () => {
    const { t, doc } = fresh();
    t.setPatientState(INS_ACTIVE, 'opposé');
    const info = await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'Compte rendu', text: 'CR' });
    assert.match(info.response, /^250 /, 'accepted at SMTP time, like Mon espace santé');
    const [m, dsn] = await t.waitForMessages(2, 2000);
    assert.equal(m!.deliveries[0]!.outcome, 'bounced');
    assert.equal(dsn!.generated, 'dsn');
    assert.equal(m!.deliveries[0]!.generatedSeq, dsn!.seq);
    assert.equal(t.mailbox(P_ACTIVE).length, 0);
    await expectDsn(double, doc, P_ACTIVE, MSS02(P_ACTIVE), '5.1.1', info.messageId);
  });

  test('a bounced 8-bit original is attached as message/rfc822 declared 8bit (RFC 2046 §5.2.1); a 7-bit one is left undeclared', async () => {
    const { t, doc } = fresh();
    t.setPatientState(INS_ACTIVE, 'opposé');
    const eightId = `<eight.${Date.now()}@lgc.example>`;
    const eight = await transport(double).sendMail({
      envelope: { from: doc, to: [P_ACTIVE] },
      raw: Buffer.from(
        `From: ${doc}\r\nTo: ${P_ACTIVE}\r\nSubject: Compte rendu\r\nMessage-ID: ${eightId}\r\nMIME-Version: 1.0\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÉchographie : résultat normal\r\n`,
        'utf8',
      ),
    });
    eight.messageId = eightId;
    const seven = await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'CR', text: 'plain ascii' });
    const fetched = await pop3Fetch(double, doc);
    const attachedPart = (messageId: string) => {
      const dsn = fetched.find((f) => f.raw.toString('latin1').includes(messageId) && /multipart\/report/.test(f.raw.toString('latin1')));
      assert.ok(dsn, `the DSN of ${messageId}`);
      return mimeParts(dsn.raw)[2]!;
    };
    const original8 = t.messages().find((m) => m.raw.toString('latin1').includes(eight.messageId))!;
    assert.ok(
      original8.raw.some((b) => b >= 0x80),
      'the original went over the wire in 8 bits',
    );
    assert.match(attachedPart(eight.messageId).headers, /^Content-Transfer-Encoding: 8bit$/im);
    assert.doesNotMatch(attachedPart(seven.messageId).headers, /Content-Transfer-Encoding/i);
  });

  test('MSS-03 clôturé: DSN with the exact sentence', async () => {
    const { t, doc } = fresh();
    t.setPatientState(INS_ANS, 'clôturé');
    const info = await transport(double).sendMail({ from: doc, to: P_ANS, subject: 'Ordonnance', text: 'Rx' });
    await expectDsn(double, doc, P_ANS, MSS03(P_ANS), '5.2.1', info.messageId);
  });

  test('MSS-04 wrong key and wrong length: DSN with the exact sentence', async () => {
    const { t, doc } = fresh();
    const wrongKey = await transport(double).sendMail({ from: doc, to: P_WRONG_KEY, subject: 'k', text: 'k' });
    await expectDsn(double, doc, P_WRONG_KEY, MSS04(P_WRONG_KEY), '5.1.3', wrongKey.messageId);
    const short = await transport(double).sendMail({ from: doc, to: P_SHORT, subject: 'l', text: 'l' });
    await expectDsn(double, doc, P_SHORT, MSS04(P_SHORT), '5.1.3', short.messageId);
    assert.deepEqual(
      t
        .messages()
        .filter((m) => !m.generated)
        .map((m) => m.deliveries[0]!.outcome),
      ['bounced', 'bounced'],
    );
  });

  test('MSS-11 créé non activé: delivered; the patient must activate before reading', async () => {
    const { t, doc } = fresh();
    t.setPatientState(INS_ACTIVE, 'créé non activé');
    const info = await transport(double).sendMail({
      from: doc,
      to: P_ACTIVE,
      subject: 's',
      text: 'b',
      headers: { 'Disposition-Notification-To': doc },
    });
    const [m] = t.messages();
    assert.equal(m!.deliveries[0]!.outcome, 'delivered');
    assert.match(m!.deliveries[0]!.reason ?? '', /activate/);
    await assert.rejects(t.patientReads(info.messageId), /activated/);
    t.setPatientState(INS_ACTIVE, 'activé');
    assert.ok(await t.patientReads(info.messageId));
  });

  test('MSS-07 [FIN]: not delivered; earlier messages can no longer be answered', async () => {
    const { t, doc } = fresh();
    const first = await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'Suivi', text: 'Comment allez-vous ?' });
    const ok = await t.patientReplies(P_ACTIVE, first.messageId, 'Bien, merci.');
    assert.equal(ok.deliveries[0]!.outcome, 'delivered');
    assert.equal(t.mailbox(doc).length, 1);
    await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: '[FIN] ', text: 'not exactly [FIN]' });
    await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: '[fin]', text: 'case matters' });
    assert.equal(t.mailbox(P_ACTIVE).length, 3, 'subjects other than exactly [FIN] are ordinary messages');
    await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: '[FIN]', text: 'Fin des échanges' });
    const fin = t.messages().at(-1)!;
    assert.equal(fin.deliveries[0]!.outcome, 'not-delivered-fin');
    assert.equal(t.mailbox(P_ACTIVE).length, 3, '[FIN] is not delivered to the patient');
    const refused = await t.patientReplies(P_ACTIVE, first.messageId, 'Encore une question');
    assert.equal(refused.deliveries[0]!.outcome, 'refused');
    assert.match(refused.deliveries[0]!.reason ?? '', /MSS-07/);
    assert.equal(t.mailbox(doc).length, 1, 'the refused reply never reached the professional');
    const back = t.mailbox(P_ACTIVE).find((m) => m.generated === 'dsn');
    assert.ok(back, 'the patient is told (DSN in the patient mailbox)');
    assert.match(back.raw.toString('utf8'), /mis fin aux échanges/);
  });

  test('MSS-07 pharmacy: after [FIN] old messages are closed, but the patient may start a new conversation', async () => {
    const { t } = fresh();
    const pharma = t.mailboxFor('pharmacie-du-port', 'pharmacie.mssante.fr');
    t.registerMailbox(pharma, { organisational: true, kind: 'pharmacy' });
    const before = await transport(double).sendMail({ from: pharma, to: P_ACTIVE, subject: 'Votre commande', text: 'Prête' });
    await transport(double).sendMail({ from: pharma, to: P_ACTIVE, subject: '[FIN]', text: '' });
    assert.equal((await t.patientReplies(P_ACTIVE, before.messageId, 'merci')).deliveries[0]!.outcome, 'refused');
    const fresh1 = await t.patientWrites(P_ACTIVE, pharma, 'Nouvelle ordonnance', 'Voici mon ordonnance');
    assert.equal(fresh1.deliveries[0]!.outcome, 'delivered');
    assert.equal(t.mailbox(pharma).length, 1);
  });

  test('MSS-06 a patient may not write first, except to an organisational pharmacy mailbox', async () => {
    const { t, doc } = fresh();
    const refused = await t.patientWrites(P_ACTIVE, doc, 'Question', 'Bonjour docteur');
    assert.equal(refused.deliveries[0]!.outcome, 'refused');
    assert.match(refused.deliveries[0]!.reason ?? '', /MSS-06/);
    assert.equal(t.mailbox(doc).length, 0);
    assert.ok(t.mailbox(P_ACTIVE).some((x) => x.generated === 'dsn' && x.inResponseTo === refused.seq));
    // The same over SMTP, a patient address as sender: accepted, then refused.
    const info = await transport(double).sendMail({ from: P_ACTIVE, to: doc, subject: 'SMTP', text: 'x' });
    assert.match(info.response, /^250 /);
    assert.equal(
      t
        .messages()
        .filter((x) => !x.generated)
        .at(-1)!.deliveries[0]!.outcome,
      'refused',
    );
    // A reply naming a message of another professional is still writing first.
    const other = t.mailboxFor('dr-autre');
    const sent = await transport(double).sendMail({ from: other, to: P_ACTIVE, subject: 'Autre', text: 'x' });
    const cross = await transport(double).sendMail({
      from: P_ACTIVE,
      to: doc,
      subject: 'Re',
      text: 'x',
      inReplyTo: sent.messageId,
      references: [sent.messageId],
    });
    assert.ok(cross.messageId);
    assert.equal(
      t
        .messages()
        .filter((x) => !x.generated)
        .at(-1)!.deliveries[0]!.outcome,
      'refused',
    );
    const pharma = t.mailboxFor('officine', 'pharmacie.mssante.fr');
    t.registerMailbox(pharma, { organisational: true, kind: 'pharmacy' });
    assert.equal((await t.patientWrites(P_ACTIVE, pharma, 'Ordonnance', 'ci-jointe')).deliveries[0]!.outcome, 'delivered');
  });

  test('MSS-09 TEST autoresponder: acknowledgement to the sending mailbox, fetched over POP3', async () => {
    const { t, doc } = fresh();
    await transport(double).sendMail({ from: doc, to: AUTORESPONDER, subject: 'TEST LGC', text: 'Ceci est un TEST' });
    const [m, reply] = await t.waitForMessages(2, 2000);
    assert.equal(m!.deliveries[0]!.outcome, 'autoreplied');
    assert.equal(reply!.generated, 'autoreply');
    const popped = await pop3Fetch(double, doc);
    assert.equal(popped.length, 1);
    const mail = await simpleParser(popped[0]!.raw);
    assert.match(mail.subject ?? '', /accusé de réception automatique/);
    assert.match(mail.text ?? '', /message de test a bien été reçu/);
    assert.equal(mail.inReplyTo, m!.parsed?.messageId);
    // Subject without TEST: no acknowledgement.
    await transport(double).sendMail({ from: doc, to: AUTORESPONDER, subject: 'essai', text: 'TEST' });
    assert.equal(t.messages().at(-1)!.deliveries[0]!.outcome, 'delivered');
    assert.equal(t.mailbox(doc).length, 1);
  });

  test('MSS-08 read receipt: an RFC 8098 MDN to Disposition-Notification-To', async () => {
    const { t, doc } = fresh();
    const info = await transport(double).sendMail({
      from: doc,
      to: P_ACTIVE,
      subject: 'Lisez-moi',
      text: 'x',
      headers: { 'Disposition-Notification-To': `Dr Martin <${doc}>` },
    });
    assert.equal(t.mailbox(doc).length, 0, 'no receipt before the patient opens it');
    const mdn = await t.patientReads(info.messageId);
    assert.ok(mdn);
    assert.equal(mdn.generated, 'mdn');
    assert.equal(await t.patientReads(info.messageId), mdn, 'one MDN only');
    const [popped] = await pop3Fetch(double, doc);
    const mail = await simpleParser(popped!.raw);
    const ct = mail.headers.get('content-type') as { value: string; params: Record<string, string> };
    assert.equal(ct.value, 'multipart/report');
    assert.equal(ct.params['report-type'], 'disposition-notification');
    const parts = mimeParts(popped!.raw);
    const dn = parts.find((p) => /message\/disposition-notification/i.test(p.headers));
    assert.ok(dn);
    assert.match(dn.body, new RegExp(`^Original-Message-ID: ${info.messageId.replace(/[.]/g, '\\.')}\\r?$`, 'm'));
    assert.match(dn.body, new RegExp(`^Final-Recipient: rfc822; ${P_ACTIVE}\\r?$`, 'm'));
    assert.match(dn.body, /^Disposition: manual-action\/MDN-sent-manually; displayed\r?$/m);
    // No Disposition-Notification-To: reading sends nothing.
    const quiet = await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'sans AR', text: 'x' });
    assert.equal(await t.patientReads(quiet.messageId), undefined);
  });

  test('STARTTLS with nodemailer (certificate checked against the shipped one) and AUTH', async () => {
    const { t, doc } = fresh();
    await transport(double, { ignoreTLS: false, requireTLS: true, tls: { ca: [CERT] }, auth: { user: doc, pass: 'vigie' } }).sendMail({
      from: doc,
      to: P_ACTIVE,
      subject: 'tls',
      text: 'x',
    });
    const [m] = t.messages();
    assert.equal(m!.session.tls, true);
    assert.equal(m!.session.authUser, doc);
    await assert.rejects(
      transport(double, { ignoreTLS: false, requireTLS: true, tls: { ca: [CERT] }, auth: { user: doc, pass: 'wrong' } }).sendMail({
        from: doc,
        to: P_ACTIVE,
        subject: 'x',
        text: 'x',
      }),
      /535/,
    );
  });

  test('AUTH is offered and taken only once the session is under TLS (STARTTLS), as a real operator does', async () => {
    const { doc } = fresh();
    const client = await Raw.connect(double.smtp.port);
    try {
      await client.smtpReply();
      client.write('EHLO lgc.example\r\n');
      const plain = await client.smtpReply();
      assert.ok(plain.some((l) => /STARTTLS/.test(l)));
      assert.ok(!plain.some((l) => /AUTH/.test(l)), `no AUTH before TLS: ${plain.join(' | ')}`);
      client.write(`AUTH PLAIN ${Buffer.from(`\0${doc}\0vigie`).toString('base64')}\r\n`);
      assert.match((await client.smtpReply())[0]!, /^5\d\d/, 'AUTH in clear is refused');
    } finally {
      client.close();
    }
    // Under TLS, AUTH is advertised (nodemailer authenticates only when it is).
    const info = await transport(double, {
      ignoreTLS: false,
      requireTLS: true,
      tls: { ca: [CERT] },
      auth: { user: doc, pass: 'vigie' },
    }).sendMail({ from: doc, to: P_ACTIVE, subject: 'auth under tls', text: 'x' });
    assert.match(info.response, /^250/);
  });

  test('a UTF-8 address without SMTPUTF8 is refused 553 5.6.7 (RFC 6531); with it, it reaches the trust-space rules', async () => {
    const { doc } = fresh();
    const client = await Raw.connect(double.smtp.port);
    try {
      await client.smtpReply();
      client.write('EHLO lgc.example\r\n');
      assert.ok((await client.smtpReply()).some((l) => /SMTPUTF8/.test(l)));
      client.write(Buffer.from(`MAIL FROM:<${doc}>\r\nRCPT TO:<josé.médecin@medecin.mssante.fr>\r\nRSET\r\n`, 'utf8'));
      assert.match((await client.smtpReply())[0]!, /^250/);
      assert.match((await client.smtpReply())[0]!, /^553 5\.6\.7 /);
      await client.smtpReply();
      client.write(Buffer.from(`MAIL FROM:<rené@medecin.mssante.fr>\r\n`, 'utf8'));
      assert.match((await client.smtpReply())[0]!, /^553 5\.6\.7 /);
      client.write(Buffer.from(`MAIL FROM:<${doc}> SMTPUTF8\r\nRCPT TO:<josé.médecin@medecin.mssante.fr>\r\nQUIT\r\n`, 'utf8'));
      assert.match((await client.smtpReply())[0]!, /^250/);
      assert.doesNotMatch(
        (await client.smtpReply())[0]!,
        /5\.6\.7/,
        'with SMTPUTF8 the address is judged by the operator rules, not refused as UTF-8',
      );
    } finally {
      client.close();
    }
  });

  test("the reference LGC's POP3 client reads over STLS, checking the operator's certificate (another CA is refused)", async () => {
    const { doc } = fresh();
    await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'stls', text: 'x' });
    const got = await pop3FetchAndDelete({ ...double.pop3, user: P_ACTIVE, password: 'vigie', tls: { ca: CERT.toString() } });
    assert.ok(got.some((raw) => raw.toString('latin1').includes('Subject: stls')));
    const otherCa = issue({ commonName: 'Another CA', ca: true }).cert;
    await assert.rejects(pop3FetchAndDelete({ ...double.pop3, user: P_ACTIVE, password: 'vigie', tls: { ca: otherCa } }), /certificate/i);
  });

  test('POP3 offers STLS (RFC 2595) and POP3S: the maildrop is read under TLS either way', async () => {
    const { doc } = fresh();
    await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'via tls', text: 'x' });
    const client = await Raw.connect(double.pop3.port);
    let secured: tls.TLSSocket | undefined;
    try {
      await client.line();
      client.write('CAPA\r\n');
      await client.line();
      assert.match((await client.pop3Body()).toString(), /^STLS\r$/m);
      client.write('STLS\r\n');
      assert.match(await client.line(), /^\+OK/);
      secured = tls.connect({ socket: client.sock, ca: [CERT], servername: 'localhost' });
      const viaStls = await pop3Dialogue(secured, [`USER ${P_ACTIVE}`, 'PASS vigie', 'CAPA', 'QUIT']);
      assert.match(viaStls, /\+OK maildrop .* message/);
      assert.doesNotMatch(viaStls, /STLS/, 'STLS is not offered again under TLS');
    } finally {
      secured?.destroy();
      client.close();
    }
    const pop3s = double.pop3s!;
    const direct = tls.connect({ host: '127.0.0.1', port: pop3s.port, ca: [CERT], servername: 'localhost' });
    try {
      const viaPop3s = await pop3Dialogue(direct, [`USER ${P_ACTIVE}`, 'PASS vigie', 'STAT', 'QUIT']);
      assert.match(viaPop3s, /^\+OK Vigie/);
      assert.match(viaPop3s, /\+OK \d+ \d+/);
    } finally {
      direct.destroy();
    }
  });

  test('swaks: STARTTLS, AUTH PLAIN, delivery and an MSS-02 bounce', { skip: NO_SWAKS }, async () => {
    const { t, doc } = fresh();
    t.setPatientState(INS_OTHER, 'opposé');
    const base = ['--server', `${double.smtp.host}:${double.smtp.port}`, '--from', doc, '--helo', 'lgc.example'];
    const r1 = await swaks([
      ...base,
      '--to',
      P_ACTIVE,
      '--tls',
      '--auth',
      'PLAIN',
      '--auth-user',
      doc,
      '--auth-password',
      'vigie',
      '--header',
      'Subject: swaks TLS',
      '--body',
      'Bonjour depuis swaks',
    ]);
    assert.equal(r1.code, 0, r1.out);
    assert.match(r1.out, /STARTTLS/);
    const r2 = await swaks([
      ...base,
      '--to',
      P_OTHER,
      '--header',
      'Subject: swaks',
      '--header',
      'Message-Id: <swaks-1@lgc.example>',
      '--body',
      'x',
    ]);
    assert.equal(r2.code, 0, r2.out);
    const ms = t.messages().filter((m) => !m.generated);
    assert.equal(ms[0]!.session.tls, true);
    assert.equal(ms[0]!.deliveries[0]!.outcome, 'delivered');
    assert.equal(ms[1]!.deliveries[0]!.outcome, 'bounced');
    await expectDsn(double, doc, P_OTHER, MSS02(P_OTHER), '5.1.1', '<swaks-1@lgc.example>');
    // Outside the trust space: refused at MAIL FROM, clearly.
    const r3 = await swaks([
      '--server',
      `${double.smtp.host}:${double.smtp.port}`,
      '--from',
      'someone@example.org',
      '--to',
      P_ACTIVE,
      '--body',
      'x',
    ]);
    assert.notEqual(r3.code, 0);
    assert.match(r3.out, /550 5\.7\.1/);
  });

  test('a 50 MiB attachment is accepted and kept byte for byte', async () => {
    const { t, doc } = fresh();
    const pdf = randomBytes(50 * 1024 * 1024);
    // 5 s on an idle machine; minutes on a busy 2-core one (68 MiB base64-encoded, then parsed by the
    // double before its 250): the client waits as long as the double's own parse bound allows.
    const info = await transport(double, { socketTimeout: 120_000 }).sendMail({
      from: doc,
      to: P_ACTIVE,
      subject: 'Gros fichier',
      text: 'voir PJ',
      attachments: [{ filename: 'imagerie.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    assert.match(info.response, /^250 /);
    const [m] = t.messages();
    assert.ok(m!.raw.length > 50 * 1024 * 1024);
    const att = m!.parsed!.attachments[0]!;
    assert.equal(att.filename, 'imagerie.pdf');
    assert.equal(att.size, pdf.length);
    assert.ok(att.content.equals(pdf));
  });

  test('broken MIME and 8-bit garbage: no crash, raw kept, parse outcome recorded', async () => {
    const { t, doc } = fresh();
    const broken = Buffer.concat([
      Buffer.from(
        `From: <${doc}>\r\nTo: <${P_ACTIVE}>\r\nSubject: =?UTF-8?B?!!!?= cass\xe9\r\nMIME-Version: 1.0\r\n` +
          'Content-Type: multipart/mixed; boundary="never-seen"\r\nContent-Transfer-Encoding: base64\r\n\r\n',
        'latin1',
      ),
      Buffer.from('--wrong\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\n@@@ not base64 @@@\r\n', 'latin1'),
      Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x41, 0x0d, 0x0a, 0xc3, 0x28, 0x1b, 0x5b, 0x32, 0x4a, 0x0d, 0x0a]),
    ]);
    const garbage = Buffer.concat([randomBytes(4096), Buffer.from('\r\n')]).map((b) => (b === 0x0a || b === 0x0d ? 0x20 : b));
    for (const data of [broken, Buffer.concat([garbage, Buffer.from('\r\n')])]) {
      const client = await Raw.connect(double.smtp.port);
      try {
        assert.match((await client.smtpReply())[0]!, /^220/);
        client.write('EHLO lgc.example\r\n');
        await client.smtpReply();
        client.write(`MAIL FROM:<${doc}> BODY=8BITMIME\r\n`);
        assert.match((await client.smtpReply())[0]!, /^250/);
        client.write(`RCPT TO:<${P_ACTIVE}>\r\n`);
        assert.match((await client.smtpReply())[0]!, /^250/);
        client.write('DATA\r\n');
        assert.match((await client.smtpReply())[0]!, /^354/);
        client.write(Buffer.concat([data, Buffer.from('.\r\n')]));
        assert.match((await client.smtpReply(10000))[0]!, /^250/);
        client.write('QUIT\r\n');
        assert.match((await client.smtpReply())[0]!, /^221/);
      } finally {
        client.close();
      }
    }
    const [a, b] = t.messages();
    assert.ok(a!.raw.equals(broken), 'broken MIME kept byte for byte');
    assert.ok(b!.raw.equals(Buffer.concat([garbage, Buffer.from('\r\n')])), 'garbage kept byte for byte');
    for (const m of [a!, b!]) assert.ok(m.parsed !== undefined || typeof m.parseError === 'string');
    // The double still works afterwards.
    await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'après', text: 'ok' });
    assert.equal(t.messages().length, 3);
  });

  test('pipelined junk gets clear SMTP error replies, in order', async () => {
    const client = await Raw.connect(double.smtp.port);
    try {
      assert.match((await client.smtpReply())[0]!, /^220/);
      client.write(
        'MAIL FROM:<a@b.mssante.fr>\r\nEHLO lgc.example\r\nRCPT TO:<x@y.mssante.fr>\r\nMAIL FROM:<someone@example.org>\r\n' +
          'MAIL FROM:<dr.tx@medecin.mssante.fr>\r\nRCPT TO:<someone@example.org>\r\nXYZZY plugh\r\nDATA\r\nQUIT\r\n',
      );
      const replies: string[][] = [];
      for (let i = 0; i < 9; i++) replies.push(await client.smtpReply());
      const codes = replies.map((r) => r.at(-1)!.slice(0, 3));
      assert.deepEqual(codes, ['503', '250', '503', '550', '250', '550', '500', '503', '221']);
      assert.match(replies[3]!.at(-1)!, /trust space/);
      assert.match(replies[5]!.at(-1)!, /relay denied/);
    } finally {
      client.close();
    }
  });

  test('oversized message: 552; POP3 DELE/RSET/UIDL and bad commands', async () => {
    const small = new MssDouble({ maxMessageBytes: 2000 });
    await small.start();
    try {
      const tenant = small.tenant('s');
      const doc = tenant.mailboxFor('a');
      await assert.rejects(transport(small).sendMail({ from: doc, to: P_ACTIVE, subject: 'big', text: 'x'.repeat(5000) }), /552/);
      await transport(small).sendMail({ from: doc, to: P_ACTIVE, subject: 'one', text: 'x' });
      await transport(small).sendMail({ from: doc, to: P_ACTIVE, subject: 'two', text: '.leading dot\n..two dots' });
      const client = await Raw.connect(small.pop3.port);
      try {
        await client.line();
        client.write('STAT\r\n');
        assert.match(await client.line(), /^-ERR/);
        client.write(`USER ${P_ACTIVE}\r\nPASS nope\r\n`);
        await client.line();
        assert.match(await client.line(), /^-ERR \[AUTH\]/);
        client.write(`USER ${P_ACTIVE.toLowerCase()}\r\nPASS vigie\r\n`);
        await client.line();
        assert.match(await client.line(), /^\+OK .* 2 message/);
        client.write('RETR 2\r\n');
        await client.line();
        const two = await client.pop3Body();
        assert.ok(two.equals(tenant.mailbox(P_ACTIVE)[1]!.raw), 'dot-stuffing undone by the client gives the exact bytes');
        client.write('DELE 1\r\nLIST\r\n');
        assert.match(await client.line(), /^\+OK/);
        await client.line();
        assert.equal((await client.pop3Body()).toString().trim().split('\r\n').length, 1);
        client.write('RETR 1\r\nRSET\r\nDELE 1\r\nGARBAGE\r\nQUIT\r\n');
        assert.match(await client.line(), /^-ERR no such message/);
        assert.match(await client.line(), /^\+OK/);
        assert.match(await client.line(), /^\+OK/);
        assert.match(await client.line(), /^-ERR unknown command/);
        assert.match(await client.line(), /^\+OK/);
      } finally {
        client.close();
      }
      const left = await pop3Fetch(small, P_ACTIVE);
      assert.equal(left.length, 1);
      assert.equal(left[0]!.uid, `mss-${tenant.mailbox(P_ACTIVE)[1]!.seq}`);
      assert.equal(tenant.mailbox(P_ACTIVE).length, 2, 'the evidence is kept after POP3 deletion');
    } finally {
      await small.stop();
    }
  });

  test('a stalled client is dropped by the idle timeout (SMTP and POP3)', async () => {
    // 1.5 s: long enough for a busy machine to send EHLO after the greeting, short enough to wait for.
    const quick = new MssDouble({ idleTimeoutMs: 1500 });
    await quick.start();
    try {
      const smtp = await Raw.connect(quick.smtp.port);
      await smtp.smtpReply();
      smtp.write('EHLO stall.example\r\n');
      await smtp.smtpReply();
      const started = Date.now();
      assert.match((await smtp.smtpReply(6000))[0]!, /^421/);
      await smtp.take((b) => (smtp.closed ? b.length : -1), 6000, 'the close');
      assert.ok(smtp.closed, 'the server closed the stalled connection');
      assert.ok(Date.now() - started < 6000);
      const pop3 = await Raw.connect(quick.pop3.port);
      await pop3.line();
      assert.match(await pop3.line(6000), /^-ERR idle timeout/);
      smtp.close();
      pop3.close();
    } finally {
      await quick.stop();
    }
  });

  describe('seeded defects', () => {
    test("bounce-text-paraphrased: « est inconnue » instead of « n'existe pas »", async () => {
      const { t, doc } = fresh();
      t.setDefects(['bounce-text-paraphrased']);
      t.setPatientState(INS_ACTIVE, 'opposé');
      await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'x', text: 'x' });
      const dsn = t.mailbox(doc)[0]!;
      const human = mimeParts(dsn.raw)[0]!.body;
      assert.notEqual(norm(human), norm(MSS02(P_ACTIVE)));
      assert.match(human, /est inconnue/);
    });

    test('closed-bounce-missing: clôturé, no DSN at all', async () => {
      const { t, doc } = fresh();
      t.setDefects(['closed-bounce-missing']);
      t.setPatientState(INS_ACTIVE, 'clôturé');
      await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'x', text: 'x' });
      assert.equal(t.messages().length, 1);
      assert.equal(t.messages()[0]!.deliveries[0]!.outcome, 'dropped');
      assert.equal((await pop3Fetch(double, doc)).length, 0);
    });

    test('invalid-address-accepted: wrong key delivered', async () => {
      const { t, doc } = fresh();
      t.setDefects(['invalid-address-accepted']);
      await transport(double).sendMail({ from: doc, to: P_WRONG_KEY, subject: 'x', text: 'x' });
      assert.equal(t.messages()[0]!.deliveries[0]!.outcome, 'delivered');
      assert.equal(t.mailbox(doc).length, 0);
    });

    test('fin-delivered: [FIN] delivered, replies still accepted', async () => {
      const { t, doc } = fresh();
      t.setDefects(['fin-delivered']);
      const first = await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'Suivi', text: 'x' });
      await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: '[FIN]', text: '' });
      assert.equal(t.messages().at(-1)!.deliveries[0]!.outcome, 'delivered');
      assert.equal((await t.patientReplies(P_ACTIVE, first.messageId, 'encore')).deliveries[0]!.outcome, 'delivered');
    });

    test('patient-may-write-first', async () => {
      const { t, doc } = fresh();
      t.setDefects(['patient-may-write-first']);
      assert.equal((await t.patientWrites(P_ACTIVE, doc, 'Bonjour', 'x')).deliveries[0]!.outcome, 'delivered');
    });

    test('no-test-autoresponder', async () => {
      const { t, doc } = fresh();
      t.setDefects(['no-test-autoresponder']);
      await transport(double).sendMail({ from: doc, to: AUTORESPONDER, subject: 'TEST', text: 'TEST' });
      assert.equal(t.messages().length, 1);
      assert.equal(t.mailbox(doc).length, 0);
    });

    test('created-not-activated-bounced: the MSS-02 bounce for a créé non activé patient', async () => {
      const { t, doc } = fresh();
      t.setDefects(['created-not-activated-bounced']);
      t.setPatientState(INS_ACTIVE, 'créé non activé');
      const info = await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'x', text: 'x' });
      await expectDsn(double, doc, P_ACTIVE, MSS02(P_ACTIVE), '5.1.1', info.messageId);
    });

    test('unknown defect ids are refused; reset() clears state, evidence and maildrops', async () => {
      const { t, doc } = fresh();
      assert.throws(() => t.setDefects(['nope' as never]), /unknown defect/);
      t.setDefects(['fin-delivered']);
      t.setPatientState(INS_ACTIVE, 'opposé');
      await transport(double).sendMail({ from: doc, to: P_ACTIVE, subject: 'x', text: 'x' });
      t.reset();
      assert.deepEqual(t.defects(), []);
      assert.equal(t.patientState(INS_ACTIVE), 'activé');
      assert.deepEqual(t.messages(), []);
      assert.equal((await pop3Fetch(double, doc)).length, 0);
    });
  });

  test('waitForMessages is bounded and rejects on timeout', async () => {
    const { t } = fresh();
    const started = Date.now();
    await assert.rejects(t.waitForMessages(1, 100), /expected 1 within 100 ms/);
    assert.ok(Date.now() - started < 1000);
    const filtered: Promise<MssMessage[]> = t.waitForMessages(1, 2000, (m) => m.generated === 'dsn');
    t.setPatientState(INS_ACTIVE, 'clôturé');
    await transport(double).sendMail({ from: t.mailboxFor('w'), to: P_ACTIVE, subject: 'x', text: 'x' });
    assert.equal((await filtered)[0]!.generated, 'dsn');
  });
});
