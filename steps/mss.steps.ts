import { Given, Then, When } from '@cucumber/cucumber';
import type { MssMessage, PatientState } from '../src/doubles/mss';
import { TargetError } from '../src/drivers/driver';
import type { Person } from '../src/fixtures/people';
import { isValidIns } from '../src/oracles/ins';
import { readZip } from '../src/oracles/zip';
import { VigieWorld, WORKSTATIONS, delay } from './support/world';
import { currentDoc, ins15, write } from './dmp.steps';

// The practice software's duties on MSSanté (MSS-01, 05, 07, 08, 10), judged on what reaches the
// MSSanté double and on what the LGC shows.

const PS = WORKSTATIONS.PS;
export const patientAddress = (p: Person) => `${ins15(p)}@patient.mssante.fr`;
const sinceMark = (w: VigieWorld) => w.mss.messages().slice(w.mssMark).filter((m) => !m.generated);

function describe(list: MssMessage[]): string {
  return list.length ? list.map((m) => `#${m.seq} ${m.envelope.from} → ${m.envelope.to.join(', ')} « ${m.parsed?.subject ?? ''} »`).join('; ') : 'no message reached the operator';
}

/** Waits, bounded, for a message from the practice that satisfies `pred`. */
export async function awaitMessage(w: VigieWorld, pred: (m: MssMessage) => boolean, timeoutMs = w.timeouts.dmpWaitMs): Promise<MssMessage | undefined> {
  const until = performance.now() + timeoutMs;
  let hit = sinceMark(w).find(pred);
  while (!hit && performance.now() < until) {
    await w.mss.waitForMessages(w.mss.messages().length + 1, Math.max(1, until - performance.now())).catch(() => undefined);
    hit = sinceMark(w).find(pred);
  }
  return hit;
}

async function send(w: VigieWorld, p: Person, o: { readReceipt?: boolean; attach?: boolean; toColleague?: boolean } = {}) {
  w.mssMark = w.mss.messages().length;
  w.lastSendRefusal = undefined;
  try {
    w.lastSent = (await w.driver.sendMessage(PS, {
      to: o.toColleague ? { address: w.mss.mailboxFor('confrere') } : { patientId: w.patientId(p) },
      subject: o.attach ? 'Compte rendu de consultation' : 'Suite à votre consultation',
      body: 'Bonjour,\nvoici les informations promises lors de la consultation.\nBien cordialement,\nDr Anne PRATICIEN',
      ...(o.attach ? { attachments: [{ documentId: currentDoc(w).documentId }] } : {}),
      ...(o.readReceipt ? { readReceipt: true } : {}),
    })).value;
  } catch (e) {
    if (e instanceof TargetError && /HTTP 4\d\d/.test(e.message)) { w.lastSendRefusal = e.message; return; }
    throw e;
  }
}

const ofLastSent = (w: VigieWorld) => (m: MssMessage) =>
  !!w.lastSent && (m.parsed?.messageId === w.lastSent.internetMessageId || m.envelope.to.includes(w.lastSent.address));

When(/^the professional (?:writes|tries to write) to (\S+ \S+) through the secure messaging$/, async function (this: VigieWorld, name: string) {
  await send(this, this.person(name));
});

When(/^the professional writes to (\S+ \S+) through the secure messaging, asking for a read receipt$/, async function (this: VigieWorld, name: string) {
  await send(this, this.person(name), { readReceipt: true });
});

Given(/^the professional has written to (\S+ \S+) through the secure messaging$/, async function (this: VigieWorld, name: string) {
  await send(this, this.person(name));
  if (!(await awaitMessage(this, ofLastSent(this)))) throw new Error(`could not set up the scenario: the message never reached the operator (${describe(sinceMark(this))})`);
});

Given(/^the professional has validated a consultation report for (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  await write(this, p, 'a consultation report', this.arrange);
  await this.arrange.validate(PS, currentDoc(this).documentId);
});

When(/^the professional sends the consultation report to (?!a colleague)(\S+ \S+) through the secure messaging$/, async function (this: VigieWorld, name: string) {
  await send(this, this.person(name), { attach: true });
});

When('the professional sends the consultation report to a colleague through the secure messaging', async function (this: VigieWorld) {
  this.mss.registerMailbox(this.mss.mailboxFor('confrere'), { kind: 'professional' });
  await send(this, this.current(), { attach: true, toColleague: true });
});

Given(/^the Mon espace santé of (\S+ \S+) is (activé|créé non activé|opposé|clôturé)$/, function (this: VigieWorld, name: string, state: PatientState) {
  const ext = this.parameters.service;
  // An external service cannot be told a patient's state: its test patient in that state stands in.
  if (ext) this.servicePatientAddress = `${ext.patients[state]}@patient.mssante.fr`;
  else this.mss.setPatientState(ins15(this.person(name)), state);
});

When(/^the professional ends the exchange with (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  this.mssMark = this.mss.messages().length;
  await this.driver.endExchange(PS, this.patientId(p));
});

When(/^(\S+ \S+) opens the message in Mon espace santé$/, async function (this: VigieWorld, name: string) {
  this.person(name);
  const m = await awaitMessage(this, ofLastSent(this));
  const id = m?.parsed?.messageId;
  if (!id) throw new Error('could not set up the scenario: the message never reached the operator');
  try { await this.mss.patientReads(id); } catch (e) { throw new Error(`could not set up the scenario: the patient could not open the message: ${(e as Error).message}`); }
});

// --- verdicts ------------------------------------------------------------------------------

Then(/^the message is addressed to the INS of (\S+ \S+) at patient.mssante.fr, 15 characters with a valid key$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  if (this.lastSendRefusal) this.fail(`a message sent to ${patientAddress(p)}`, `the LGC refused: ${this.lastSendRefusal}`);
  const m = await awaitMessage(this, (x) => x.envelope.to.some((t) => t.endsWith('@patient.mssante.fr')));
  if (!m) this.fail(`a message to ${patientAddress(p)} within ${this.timeouts.dmpWaitMs} ms`, describe(sinceMark(this)));
  const to = m.envelope.to.filter((t) => t.endsWith('@patient.mssante.fr'));
  const ok = to.length === 1 && to[0] === patientAddress(p) && isValidIns(to[0].split('@')[0]);
  this.check(ok, `RCPT TO ${patientAddress(p)} (the qualified INS, 15 characters, valid key)`, () => to.join(', '), `message #${m.seq}`);
});

Then('nothing is sent to a patient.mssante.fr address', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  await delay(this.timeouts.quietMs);
  this.windowMs += this.timeouts.quietMs;
  const sent = sinceMark(this).filter((m) => m.envelope.to.some((t) => t.endsWith('@patient.mssante.fr')));
  this.check(sent.length === 0, `no message to a patient address without a qualified INS (observed for ${this.timeouts.quietMs} ms)`, () => describe(sent));
});

Then('the messaging operator sends a bounce for that message', async function (this: VigieWorld) {
  const m = await awaitMessage(this, ofLastSent(this));
  if (!m) throw new Error(`could not set up the scenario: the message never reached the operator (${describe(sinceMark(this))})`);
  if (!m.deliveries.some((d) => d.outcome === 'bounced')) throw new Error(`could not set up the scenario: the operator did not bounce the message (${JSON.stringify(m.deliveries)})`);
});

Then(/^the LGC shows the bounce in the messages of (\S+ \S+), on that message$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  const p = this.person(name);
  const id = this.lastSent?.messageId;
  const until = performance.now() + this.timeouts.settleMs;
  let view = (await this.driver.patientMessages(this.patientId(p))).value;
  const shown = () => view.messages.find((m) => m.messageId === id && m.status === 'bounced' && (m.bounce?.text ?? '').includes(this.lastSent!.address));
  while (!shown() && performance.now() < until) { await delay(50); view = (await this.driver.patientMessages(this.patientId(p))).value; }
  this.check(!!shown(), `the message ${id} shown as bounced in ${p.id}'s messages, with the operator's text naming ${this.lastSent?.address}, within ${this.timeouts.settleMs} ms`,
    () => JSON.stringify(view.messages.map((m) => ({ id: m.messageId, status: m.status, bounce: m.bounce?.text?.slice(0, 160) }))));
});

Then(/^the operator receives a message to (\S+ \S+) whose subject is exactly "([^"]+)"$/, async function (this: VigieWorld, name: string, subject: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  // The subject is judged here; the address is MSS-01's business.
  const m = await awaitMessage(this, (x) => x.envelope.to.some((t) => t.endsWith('@patient.mssante.fr')));
  if (!m) this.fail(`a message to ${p.id} (${patientAddress(p)}) ending the exchange`, describe(sinceMark(this)));
  this.check(m.parsed?.subject === subject, `subject exactly « ${subject} » (case-sensitive, nothing else)`, () => `« ${m.parsed?.subject ?? ''} »`, `message #${m.seq}`);
});

Then('the message asks for a read receipt', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const m = await awaitMessage(this, ofLastSent(this));
  if (!m) this.fail('the message reaches the operator', describe(sinceMark(this)));
  const dnt = m.parsed?.headers['disposition-notification-to'] ?? '';
  this.check(dnt.includes(this.mss.mailboxFor('cabinet')), 'a Disposition-Notification-To header naming the practice\'s mailbox (RFC 8098)', () => dnt || 'no Disposition-Notification-To header');
});

Then(/^the LGC shows the message to (\S+ \S+) as read$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  const p = this.person(name);
  const id = this.lastSent?.messageId;
  const until = performance.now() + this.timeouts.settleMs;
  let view = (await this.driver.patientMessages(this.patientId(p))).value;
  const read = () => view.messages.some((m) => m.messageId === id && m.status === 'read');
  while (!read() && performance.now() < until) { await delay(50); view = (await this.driver.patientMessages(this.patientId(p))).value; }
  this.check(read(), `the message ${id} shown as read within ${this.timeouts.settleMs} ms of the read receipt`, () => JSON.stringify(view.messages.map((m) => ({ id: m.messageId, status: m.status }))));
});

const isPdf = (b: Buffer) => b.subarray(0, 5).toString('latin1') === '%PDF-';
const isJpg = (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

Then('the operator receives it with the report attached as PDF or JPG only', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const m = await awaitMessage(this, ofLastSent(this));
  if (!m) this.fail('the message with its attachment reaches the operator', describe(sinceMark(this)));
  const atts = m.parsed?.attachments ?? [];
  const bad = atts.filter((a) => !((a.contentType === 'application/pdf' && isPdf(a.content)) || (a.contentType === 'image/jpeg' && isJpg(a.content))));
  this.check(atts.length > 0 && bad.length === 0, 'the report attached, as PDF or JPG only (content type and bytes)',
    () => atts.length ? atts.map((a) => `${a.filename ?? '?'} (${a.contentType}, ${a.size} bytes)`).join(', ') : 'no attachment');
});

Then('the operator receives it with the report attached as a CDA document in an IHE XDM package', async function (this: VigieWorld) {
  this.evidenceKinds.add('observed');
  const m = await awaitMessage(this, ofLastSent(this));
  if (!m) this.fail('the message with its attachment reaches the operator', describe(sinceMark(this)));
  const atts = m.parsed?.attachments ?? [];
  const zip = atts.find((a) => a.content.subarray(0, 2).toString('latin1') === 'PK');
  if (!zip) return this.fail('an IHE XDM package (a ZIP) attached', atts.map((a) => `${a.filename ?? '?'} (${a.contentType})`).join(', ') || 'no attachment');
  let entries;
  try { entries = readZip(zip.content); } catch (e) { return this.fail('a readable IHE XDM package', (e as Error).message); }
  const names = entries.map((e) => e.name);
  const metadata = entries.find((e) => /^IHE_XDM\/[^/]+\/METADATA\.XML$/i.test(e.name));
  const cda = entries.find((e) => /^IHE_XDM\/[^/]+\/[^/]+\.XML$/i.test(e.name) && !/METADATA\.XML$/i.test(e.name) && e.content.toString('utf8').includes('ClinicalDocument'));
  this.check(!!metadata && !!cda, 'an XDM package: IHE_XDM/<subset>/METADATA.XML and the CDA document', () => names.join(', '));
});
