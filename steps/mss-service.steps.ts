import { Given, Then, When } from '@cucumber/cucumber';
import { createTransport } from 'nodemailer';
import { simpleParser } from 'mailparser';
import { pop3Fetch } from '../src/drivers/pop3-client';
import type { MssMessage } from '../src/doubles/mss';
import { containsSentence, normaliseSentence } from '../src/oracles/sentence';
import { VigieWorld, delay } from './support/world';
import { patientAddress } from './mss.steps';

// The operator's rules (MSS-02/03/04, 06, 07, 09, 11), checked by playing mailboxes against the
// MSSanté service over SMTP (sending) and POP3 (reading what comes back). The patient's own
// actions (opening, replying from the Mon espace santé web mail) go through the double's hooks.

type Role = 'professional' | 'pharmacy';

/** The patient's own action (from the Mon espace santé web mail): a precondition, not a verdict. */
async function patientAction<T>(w: VigieWorld, fn: () => Promise<T>): Promise<T> {
  needsDouble(w, "the patient's own actions (writing, replying from the Mon espace santé web mail)");
  try { return await fn(); } catch (e) { throw new Error(`could not set up the scenario: the patient could not act: ${(e as Error).message}`); }
}
const external = (w: VigieWorld) => w.parameters.service ?? null;
const mailbox = (w: VigieWorld, role: Role) => external(w)?.mailboxes[role]
  ?? (role === 'pharmacy' ? w.mss.mailboxFor('pharmacie', 'pharmacie.mssante.fr') : w.mss.mailboxFor('professionnel'));
const password = (w: VigieWorld) => external(w)?.password ?? 'vigie';

/** The patient's address: on an external service, the test patient of the state the scenario set (default activé). */
function svcPatient(w: VigieWorld, name: string): string {
  const p = w.person(name);
  const ext = external(w);
  if (!ext) return patientAddress(p);
  return w.servicePatientAddress ?? `${ext.patients['activé']}@patient.mssante.fr`;
}

/** Steps that need the double's own hooks (the patient's side) cannot judge an external service. */
function needsDouble(w: VigieWorld, what: string): void {
  if (external(w)) throw new Error(`could not judge on an external service: ${what} can only be driven on the MSSanté double`);
}

function ensureMailboxes(w: VigieWorld) {
  w.mss.registerMailbox(mailbox(w, 'professional'), { kind: 'professional' });
  w.mss.registerMailbox(mailbox(w, 'pharmacy'), { kind: 'pharmacy', organisational: true });
}

async function smtpSend(w: VigieWorld, from: string, to: string, subject: string, text: string): Promise<string> {
  ensureMailboxes(w);
  const t = createTransport({ host: w.mssService.smtp.host, port: w.mssService.smtp.port, secure: false, ignoreTLS: false, tls: { rejectUnauthorized: false }, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10000 });
  try {
    const info = await t.sendMail({ from, to, subject, text, messageId: `<${Date.now()}.${Math.random().toString(36).slice(2)}@vigie.test>` });
    return info.messageId;
  } finally { t.close(); }
}

/** Reads a mailbox over POP3 until `pred` matches a message (bounded), returning the parsed mails. */
async function readMailbox(w: VigieWorld, addr: string, pred: (m: Awaited<ReturnType<typeof simpleParser>>) => boolean, timeoutMs: number) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const raw = await pop3Fetch({ ...w.mssService.pop3, user: addr, password: password(w), timeoutMs: 5000 });
    const mails = await Promise.all(raw.map((r) => simpleParser(r)));
    if (mails.some(pred) || performance.now() >= until) return { mails, raw };
    await delay(50); // the service delivers asynchronously; POP3 has no push
  }
}

When(/^a (professional|pharmacy's organisational) mailbox writes to (\S+ \S+)$/, async function (this: VigieWorld, who: string, name: string) {
  const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
  const to = svcPatient(this, name);
  const id = await smtpSend(this, mailbox(this, role), to, 'Suite à votre consultation', 'Bonjour, voici un message de votre professionnel de santé.');
  this.serviceSent.set(`${role}→patient`, { messageId: id, to, from: mailbox(this, role) });
});
Given(/^a (professional|pharmacy's organisational) mailbox has written to (\S+ \S+)$/, async function (this: VigieWorld, who: string, name: string) {
  const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
  const to = svcPatient(this, name);
  const id = await smtpSend(this, mailbox(this, role), to, 'Suite à votre consultation', 'Bonjour, voici un message de votre professionnel de santé.');
  this.serviceSent.set(`${role}→patient`, { messageId: id, to, from: mailbox(this, role) });
  if (external(this)) return; // delivery is not observable on an external service
  const got = await this.mss.waitForMessages(1, this.timeouts.dmpWaitMs, (m) => m.parsed?.messageId === id).catch(() => [] as MssMessage[]);
  if (!got.length) throw new Error('could not set up the scenario: the operator never received the professional\'s message');
  const d = got[0].deliveries.find((x) => x.to === to);
  if (d?.outcome !== 'delivered') throw new Error(`could not set up the scenario: the professional's message was not delivered to the patient (${d?.outcome ?? 'no delivery'}), so the patient cannot answer it`);
});

When(/^a professional mailbox writes to the address "([^"]+)"$/, async function (this: VigieWorld, to: string) {
  const id = await smtpSend(this, mailbox(this, 'professional'), to, 'Suite à votre consultation', 'Bonjour.');
  this.serviceSent.set('professional→patient', { messageId: id, to, from: mailbox(this, 'professional') });
});

When(/^the (professional|pharmacy's) mailbox (?:sends|has sent) "\[FIN\]" to (\S+ \S+)$/, async function (this: VigieWorld, who: string, name: string) {
  const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
  const to = svcPatient(this, name);
  const id = await smtpSend(this, mailbox(this, role), to, '[FIN]', 'Fin des échanges.');
  this.serviceSent.set(`${role}→patient:fin`, { messageId: id, to, from: mailbox(this, role) });
  if (!external(this)) await this.mss.waitForMessages(1, this.timeouts.dmpWaitMs, (m) => m.parsed?.messageId === id).catch(() => undefined);
});
When(/^(\S+ \S+) writes first to a (professional|pharmacy's organisational) mailbox$/, async function (this: VigieWorld, name: string, who: string) {
  ensureMailboxes(this);
  const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
  await patientAction(this, () => this.mss.patientWrites(svcPatient(this, name), mailbox(this, role), 'Une question', 'Bonjour, j\'ai une question sur mon traitement.'));
});

When(/^(\S+ \S+) replies to (?:that|the earlier) message$/, async function (this: VigieWorld, name: string) {
  const sent = this.serviceSent.get('professional→patient');
  if (!sent) throw new Error('no earlier message to reply to');
  await patientAction(this, () => this.mss.patientReplies(svcPatient(this, name), sent.messageId, 'Merci docteur.'));
});

When('a professional mailbox sends "TEST" in subject and body to reponse.automatique-test@patient.mssante.fr', async function (this: VigieWorld) {
  await smtpSend(this, mailbox(this, 'professional'), 'reponse.automatique-test@patient.mssante.fr', 'TEST', 'TEST');
});

// --- verdicts ------------------------------------------------------------------------------

type Parsed = Awaited<ReturnType<typeof simpleParser>>;
const isDsnAny = (m: Parsed) => /report-type="?delivery-status/i.test(String(m.headers.get('content-type') ? JSON.stringify(m.headers.get('content-type')) : '')) || /delivery-status/i.test(m.headerLines.map((h) => h.line).join('\n'));

Then('the professional mailbox receives a delivery status notification saying exactly:', async function (this: VigieWorld, template: string) {
  this.evidenceKinds.add('observed');
  const sent = this.serviceSent.get('professional→patient');
  if (!sent) throw new Error('no message sent');
  const expected = template.replace('<adresse>', sent.to);
  const isDsn = (m: Parsed) => isDsnAny(m) && (m.text ?? '').includes(sent.to);
  const { mails } = await readMailbox(this, sent.from, isDsn, this.timeouts.dmpWaitMs);
  const dsns = mails.filter(isDsn);
  if (!dsns.length) return this.fail(`an RFC 3464 delivery status notification (multipart/report; report-type=delivery-status) in ${sent.from}`, `${mails.length} message(s), none a DSN`);
  const texts = dsns.map((d) => d.text ?? '');
  this.check(texts.some((t) => containsSentence(t, expected)), `the sentence « ${normaliseSentence(expected)} » whole, in the DSN`, () => texts.map((t) => `« ${normaliseSentence(t).slice(0, 300)} »`).join(' | '));
});

Then(/^the message is (delivered|bounced)$/, async function (this: VigieWorld, outcome: string) {
  this.evidenceKinds.add('observed');
  const sent = this.serviceSent.get('professional→patient');
  if (!sent) throw new Error('no message sent');
  // A mailbox of an external service keeps earlier scenarios' bounces: only one about this recipient counts.
  const isDsn = (m: Parsed) => isDsnAny(m) && (m.text ?? '').includes(sent.to);
  if (external(this)) {
    // Only what comes back is observable: a bounce, or none within the window.
    const { mails } = await readMailbox(this, sent.from, isDsn, outcome === 'bounced' ? this.timeouts.dmpWaitMs : this.timeouts.quietMs);
    const bounced = mails.some(isDsn);
    this.check(bounced === (outcome === 'bounced'), outcome === 'bounced' ? `a bounce (DSN) back to ${sent.from}` : `no bounce back to ${sent.from}`, () => bounced ? 'a bounce came back' : 'no bounce came back');
    return;
  }
  const [m] = await this.mss.waitForMessages(1, this.timeouts.dmpWaitMs, (x: MssMessage) => x.parsed?.messageId === sent.messageId).catch(() => [] as MssMessage[]);
  if (!m) throw new Error('could not set up the scenario: the operator never received the message');
  if (outcome === 'delivered') {
    const d = m.deliveries.find((x) => x.to === sent.to);
    await delay(this.timeouts.quietMs);
    this.windowMs += this.timeouts.quietMs;
    const { mails } = await readMailbox(this, sent.from, isDsn, 0);
    this.check(d?.outcome === 'delivered' && !mails.some(isDsn), `delivered to ${sent.to}, no bounce`, () => `${d?.outcome ?? 'no delivery'}${mails.some(isDsn) ? ', and a bounce came back' : ''}`);
  } else {
    const { mails } = await readMailbox(this, sent.from, isDsn, this.timeouts.dmpWaitMs);
    this.check(mails.some(isDsn), `a bounce (DSN) back to ${sent.from}`, () => `${mails.length} message(s), none a DSN`);
  }
});

async function fromPatientArrives(w: VigieWorld, role: Role, name: string, expect: boolean) {
  w.evidenceKinds.add('observed');
  const addr = mailbox(w, role);
  const from = svcPatient(w, name);
  const fromPatient = (m: Parsed) => (m.from?.value ?? []).some((a) => a.address === from) && !isDsnAny(m);
  const { mails } = await readMailbox(w, addr, fromPatient, expect ? w.timeouts.dmpWaitMs : w.timeouts.quietMs);
  if (!expect) w.windowMs += w.timeouts.quietMs;
  const got = mails.some(fromPatient);
  w.check(got === expect, expect ? `${addr} receives the patient's message` : `${addr} does not receive the patient's message`, () => got ? 'it was delivered' : `${mails.length} message(s), none from ${from}`);
}

Then(/^the (professional|pharmacy's) mailbox (receives|does not receive) the patient's (?:message|reply)$/, async function (this: VigieWorld, who: string, verb: string) {
  await fromPatientArrives(this, who === 'professional' ? 'professional' : 'pharmacy', `${this.current().insi.firstName} ${this.current().insi.birthName}`, verb === 'receives');
});

Then(/^(\S+ \S+) does not receive the "\[FIN\]" message$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const to = svcPatient(this, name);
  const box = this.mss.mailbox(to).filter((m) => m.parsed?.subject === '[FIN]');
  this.check(box.length === 0, `the [FIN] message is not delivered to ${to}`, () => `${box.length} [FIN] message(s) in the patient's mailbox`);
});

Then('the professional mailbox receives the automatic acknowledgement', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const addr = mailbox(this, 'professional');
  const auto = (m: Parsed) => (m.from?.value ?? []).some((a) => a.address === 'reponse.automatique-test@patient.mssante.fr');
  const { mails } = await readMailbox(this, addr, auto, this.timeouts.dmpWaitMs);
  this.check(mails.some(auto), `an acknowledgement from reponse.automatique-test@patient.mssante.fr in ${addr}`, () => `${mails.length} message(s), none from the autoresponder`);
});
