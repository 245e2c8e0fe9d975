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
  world: VigieWorld,
  patient: Person,
  opts: { readReceipt?: boolean; attach?: boolean; toColleague?: boolean; refusalIsResult?: boolean } = {},
) {
  markMss(world);
  world.state.lastSendRefusal = undefined;
  const action = await world.act(
    `write to ${opts.toColleague ? 'a colleague' : patient.id} through the secure messaging`,
    () =>
      world.driver.sendMessage(PS, {
        to: opts.toColleague ? { address: world.mss.mailboxFor('confrere') } : { patientId: world.patientId(patient) },
        subject: opts.attach ? 'Compte rendu de consultation' : 'Suite à votre consultation',
        body: 'Bonjour,\nvoici les informations promises lors de la consultation.\nBien cordialement,\nDr Anne PRATICIEN',
        ...(opts.attach ? { attachments: [{ documentId: currentDoc(world).documentId }] } : {}),
        ...(opts.readReceipt ? { readReceipt: true } : {}),
      }),
    { refusalIsResult: opts.refusalIsResult },
  );
  if (action.error) world.state.lastSendRefusal = (action.error as Error).message;
  else world.state.lastSent = await world.resultOf(action);
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
  const patient = this.person(name);
  await write(this, patient, documentNamed('a consultation report'), this.arrange);
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
  const patient = this.person(name);
  markMss(this);
  await this.act(`end the exchange with ${patient.id}`, () => this.driver.endExchange(PS, this.patientId(patient)));
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
    const patient = this.person(name);
    if (this.state.lastSendRefusal)
      this.judge(
        {
          status: 'fail',
          expected: `a message sent to ${patientAddress(patient)}`,
          seen: `the LGC refused: ${this.state.lastSendRefusal}`,
          evidence: [],
        },
        'declared',
      );
    const mail = (await this.eventually('mss', () => mailsSinceMark(this).find((x) => toPatientDomain(mailSeen(x)).length > 0))).value;
    this.judge(addressedToIns(ins15(patient), mail && mailSeen(mail), this.boundOf('mss'), mailsSinceMark(this).map(mailSeen)), 'observed');
  },
);

Then('nothing is sent to a patient.mssante.fr address', async function (this: VigieWorld) {
  // Watched as long as "a message reaches the operator" is waited for.
  const sent = () =>
    mailsSinceMark(this)
      .map(mailSeen)
      .filter((m) => toPatientDomain(m).length > 0);
  const watched = await this.never('mss', () => sent().length > 0);
  this.judge(nothingToPatientAddress(sent(), watched.ms), 'observed');
});

Then('the messaging operator sends a bounce for that message', async function (this: VigieWorld) {
  const mail = await lastSentMessage(this);
  if (!mail) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  if (!mail.deliveries.some((d) => d.outcome === 'bounced'))
    this.setupFailed('the operator did not bounce the message', JSON.stringify(mail.deliveries));
});

Then(/^the LGC shows the bounce in the messages of (\S+ \S+), on that message$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const id = this.state.lastSent?.messageId ?? '';
  const address = this.state.lastSent?.address ?? '';
  const probe = async () => {
    const reading = await this.driver.patientMessages(this.patientId(patient));
    return bounceShownOnMessage(reading.value, id, address, 0).status === 'pass' ? reading : undefined;
  };
  const messages = (await this.eventually('screen', probe, 50)).value ?? (await this.driver.patientMessages(this.patientId(patient)));
  this.judge(
    bounceShownOnMessage(messages.value, id, address, this.boundOf('screen')),
    this.screenKind(messages, 'messages.status', 'messages.bounce'),
  );
});

Then(
  /^the operator receives a message to (\S+ \S+) whose subject is exactly "([^"]+)"$/,
  async function (this: VigieWorld, name: string, subject: string) {
    this.person(name);
    // The subject is judged here; the address is MSS-01's business.
    const mail = (await this.eventually('mss', () => mailsSinceMark(this).find((x) => toPatientDomain(mailSeen(x)).length > 0))).value;
    this.judge(subjectIsExactly(subject, mail && mailSeen(mail), this.boundOf('mss'), mailsSinceMark(this).map(mailSeen)), 'observed');
  },
);

Then('the message asks for a read receipt', async function (this: VigieWorld) {
  const mail = await lastSentMessage(this);
  if (!mail) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  this.judge(readReceiptRequested(mailSeen(mail), this.mss.mailboxFor('cabinet')), 'observed');
});

Then(/^the LGC shows the message to (\S+ \S+) as read$/, async function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  const id = this.state.lastSent?.messageId ?? '';
  const probe = async () => {
    const reading = await this.driver.patientMessages(this.patientId(patient));
    return shownAsRead(reading.value, id, 0).status === 'pass' ? reading : undefined;
  };
  const messages = (await this.eventually('screen', probe, 50)).value ?? (await this.driver.patientMessages(this.patientId(patient)));
  this.judge(shownAsRead(messages.value, id, this.boundOf('screen')), this.screenKind(messages, 'messages.status'));
});

Then('the operator receives it with the report attached as PDF or JPG only', async function (this: VigieWorld) {
  const mail = await lastSentMessage(this);
  if (!mail) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  this.judge(attachedAsPdfOrJpg(mailSeen(mail)), 'observed');
});

Then('the operator receives it with the report attached as a CDA document in an IHE XDM package', async function (this: VigieWorld) {
  const mail = await lastSentMessage(this);
  if (!mail) this.setupFailed('the message never reached the operator', describeMails(mailsSinceMark(this).map(mailSeen)));
  this.judge(attachedAsCdaInXdm(mailSeen(mail)), 'observed');
});
