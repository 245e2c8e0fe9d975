import { Given, Then, When } from '@cucumber/cucumber';
import type { MssMessage, PatientState } from '../src/doubles/mss';
import type { Person } from '../src/fixtures/people';
import {
  addressedToIns,
  attachedAsCdaInXdm,
  attachedAsPdfOrJpg,
  bounceShownOnMessage,
  describeMails,
  nothingToPatientAddress,
  readReceiptRequested,
  subjectIsExactly,
  shownAsRead,
  toPatientDomain,
} from '../src/oracles/mss-messages';
import { documentNamed } from './support/documents';
import { currentDoc, write } from './dmp-documents.steps';
import { ins15, mailSeen, mailsSinceMark, markMss } from './support/observe';
import { VigieWorld, WORKSTATIONS } from './support/world';

// The practice software's duties on MSSanté (MSS-01, 05, 07, 08, 10), judged on what reaches the
// MSSanté double (observed) and on what the LGC shows of its thread.

const PS = WORKSTATIONS.PS;
export const patientAddress = (p: Person): string => `${ins15(p)}@patient.mssante.fr`;

async function send(
  w: VigieWorld,
  p: Person,
  o: { readReceipt?: boolean; attach?: boolean; toColleague?: boolean; refusalIsResult?: boolean } = {},
) {
  markMss(w);
  w.state.lastSendRefusal = undefined;
  const a = await w.act(
    `write to ${o.toColleague ? 'a colleague' : p.id} through the secure messaging`,
    () =>
      w.driver.sendMessage(PS, {
        to: o.toColleague ? { address: w.mss.mailboxFor('confrere') } : { patientId: w.patientId(p) },
        subject: o.attach ? 'Compte rendu de consultation' : 'Suite à votre consultation',
        body: 'Bonjour,\nvoici les informations promises lors de la consultation.\nBien cordialement,\nDr Anne PRATICIEN',
        ...(o.attach ? { attachments: [{ documentId: currentDoc(w).documentId }] } : {}),
        ...(o.readReceipt ? { readReceipt: true } : {}),
      }),
    { refusalIsResult: o.refusalIsResult },
  );
  if (a.error) w.state.lastSendRefusal = (a.error as Error).message;
  else w.state.lastSent = await w.resultOf(a);
}

/** The message the LGC sent in the last action (by its Message-ID, else by its recipient). */
const ofLastSent = (w: VigieWorld) => (m: MssMessage) =>
  !!w.state.lastSent && (m.parsed?.messageId === w.state.lastSent.internetMessageId || m.envelope.to.includes(w.state.lastSent.address));
const lastSentMessage = async (w: VigieWorld) => (await w.eventually('mss', () => mailsSinceMark(w).find(ofLastSent(w)))).value;

When(/^the professional writes to (\S+ \S+) through the secure messaging$/, async function (this: VigieWorld, name: string) {
  await send(this, this.person(name));
});

When(/^the professional tries to write to (\S+ \S+) through the secure messaging$/, async function (this: VigieWorld, name: string) {
  // Refusing is the right answer here (no qualified INS, no address): the next step judges what was sent.
  await send(this, this.person(name), { refusalIsResult: true });
});

When(
  /^the professional writes to (\S+ \S+) through the secure messaging, asking for a read receipt$/,
  async function (this: VigieWorld, name: string) {
    await send(this, this.person(name), { readReceipt: true });
  },
);

Given(/^the professional has written to (\S+ \S+) through the secure messaging$/, async function (this: VigieWorld, name: string) {
  await send(this, this.person(name));
  if (!(await lastSentMessage(this)))
    this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
});

Given(/^the professional has validated a consultation report for (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  await write(this, p, documentNamed('a consultation report'), this.arrange);
  await this.arranged('validate the consultation report', () => this.arrange.validate(PS, currentDoc(this).documentId));
});

When(
  /^the professional sends the consultation report to (?!a colleague)(\S+ \S+) through the secure messaging$/,
  async function (this: VigieWorld, name: string) {
    await send(this, this.person(name), { attach: true });
  },
);

When('the professional sends the consultation report to a colleague through the secure messaging', async function (this: VigieWorld) {
  this.mss.registerMailbox(this.mss.mailboxFor('confrere'), { kind: 'professional' });
  await send(this, this.current(), { attach: true, toColleague: true });
});

Given(
  /^the Mon espace santé of (\S+ \S+) is (activé|créé non activé|opposé|clôturé)$/,
  function (this: VigieWorld, name: string, state: PatientState) {
    const ext = this.parameters.service;
    // An external service cannot be told a patient's state: its test patient in that state stands in.
    if (ext) this.state.servicePatientAddress = `${ext.patients[state]}@patient.mssante.fr`;
    else this.mss.setPatientState(ins15(this.person(name)), state);
  },
);

When(/^the professional ends the exchange with (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  markMss(this);
  await this.act(`end the exchange with ${p.id}`, () => this.driver.endExchange(PS, this.patientId(p)));
});

When(/^(\S+ \S+) opens the message in Mon espace santé$/, async function (this: VigieWorld, name: string) {
  this.person(name);
  const id = (await lastSentMessage(this))?.parsed?.messageId;
  if (!id) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  try {
    await this.mss.patientReads(id);
  } catch (e) {
    this.setupFailed('the patient could not open the message', (e as Error).message);
  }
});

// --- verdicts ------------------------------------------------------------------------------

Then(
  /^the message is addressed to the INS of (\S+ \S+) at patient.mssante.fr, 15 characters with a valid key$/,
  async function (this: VigieWorld, name: string) {
    const p = this.person(name);
    if (this.state.lastSendRefusal)
      this.judge(
        {
          status: 'fail',
          expected: `a message sent to ${patientAddress(p)}`,
          seen: `the LGC refused: ${this.state.lastSendRefusal}`,
          evidence: [],
        },
        'declared',
      );
    const m = (await this.eventually('mss', () => mailsSinceMark(this).find((x) => toPatientDomain(mailSeen(x)).length > 0))).value;
    this.judge(addressedToIns(ins15(p), m && mailSeen(m), this.boundOf('mss'), mailsSinceMark(this).map(mailSeen)), 'observed');
  },
);

Then('nothing is sent to a patient.mssante.fr address', async function (this: VigieWorld) {
  // Watched as long as "a message reaches the operator" is waited for.
  const sent = () =>
    mailsSinceMark(this)
      .map(mailSeen)
      .filter((m) => toPatientDomain(m).length > 0);
  const w = await this.never('mss', () => sent().length > 0);
  this.judge(nothingToPatientAddress(sent(), w.ms), 'observed');
});

Then('the messaging operator sends a bounce for that message', async function (this: VigieWorld) {
  const m = await lastSentMessage(this);
  if (!m) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  if (!m.deliveries.some((d) => d.outcome === 'bounced'))
    this.setupFailed('the operator did not bounce the message', JSON.stringify(m.deliveries));
});

Then(/^the LGC shows the bounce in the messages of (\S+ \S+), on that message$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  const id = this.state.lastSent?.messageId ?? '';
  const address = this.state.lastSent?.address ?? '';
  const probe = async () => {
    const o = await this.driver.patientMessages(this.patientId(p));
    return bounceShownOnMessage(o.value, id, address, 0).status === 'pass' ? o : undefined;
  };
  const o = (await this.eventually('screen', probe, 50)).value ?? (await this.driver.patientMessages(this.patientId(p)));
  this.judge(bounceShownOnMessage(o.value, id, address, this.boundOf('screen')), this.screenKind(o, 'messages.status', 'messages.bounce'));
});

Then(
  /^the operator receives a message to (\S+ \S+) whose subject is exactly "([^"]+)"$/,
  async function (this: VigieWorld, name: string, subject: string) {
    this.person(name);
    // The subject is judged here; the address is MSS-01's business.
    const m = (await this.eventually('mss', () => mailsSinceMark(this).find((x) => toPatientDomain(mailSeen(x)).length > 0))).value;
    this.judge(subjectIsExactly(subject, m && mailSeen(m), this.boundOf('mss'), mailsSinceMark(this).map(mailSeen)), 'observed');
  },
);

Then('the message asks for a read receipt', async function (this: VigieWorld) {
  const m = await lastSentMessage(this);
  if (!m) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  this.judge(readReceiptRequested(mailSeen(m), this.mss.mailboxFor('cabinet')), 'observed');
});

Then(/^the LGC shows the message to (\S+ \S+) as read$/, async function (this: VigieWorld, name: string) {
  const p = this.person(name);
  const id = this.state.lastSent?.messageId ?? '';
  const probe = async () => {
    const o = await this.driver.patientMessages(this.patientId(p));
    return shownAsRead(o.value, id, 0).status === 'pass' ? o : undefined;
  };
  const o = (await this.eventually('screen', probe, 50)).value ?? (await this.driver.patientMessages(this.patientId(p)));
  this.judge(shownAsRead(o.value, id, this.boundOf('screen')), this.screenKind(o, 'messages.status'));
});

Then('the operator receives it with the report attached as PDF or JPG only', async function (this: VigieWorld) {
  const m = await lastSentMessage(this);
  if (!m) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  this.judge(attachedAsPdfOrJpg(mailSeen(m)), 'observed');
});

Then('the operator receives it with the report attached as a CDA document in an IHE XDM package', async function (this: VigieWorld) {
  const m = await lastSentMessage(this);
  if (!m) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  this.judge(attachedAsCdaInXdm(mailSeen(m)), 'observed');
});
