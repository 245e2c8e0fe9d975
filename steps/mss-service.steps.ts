// The MSSanté operator's rules (the service suite: MSS-02/03/04/06/07/09/11). Over 300 lines because the
// service suite shares one mailbox vocabulary; each requirement's steps are a block under its id.
import { Given, Then, When } from '@cucumber/cucumber';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import type { MssMessage } from '../src/doubles/mss';
import { pop3Fetch } from '../src/drivers/pop3-client';
import {
  ReadMail,
  autoreplyReceived,
  bounceCameBack,
  bounceSays,
  deliveredTo,
  finNotDelivered,
  isDsn,
  isDsnAbout,
  patientMessageArrived,
  patientNotified,
  readingNeedsActivation,
  AUTORESPONDER,
} from '../src/oracles/mss-service';
import { cannotJudge } from '../src/oracles/verdict';
import { patientAddress } from './mss.steps';
import { VigieWorld } from './support/world';

// The operator's rules (MSS-02/03/04, 06, 07, 09, 11), checked by playing mailboxes against the
// MSSanté service over SMTP (sending) and POP3 (reading what comes back). The patient's own
// actions (opening, replying from the Mon espace santé web mail) go through the double's hooks,
// and cannot be driven on an external service: those steps say the scenario could not be judged.

type Role = 'professional' | 'pharmacy';

const external = (w: VigieWorld) => w.parameters.service ?? null;
const mailbox = (w: VigieWorld, role: Role) =>
  external(w)?.mailboxes[role] ??
  (role === 'pharmacy' ? w.mss.mailboxFor('pharmacie', 'pharmacie.mssante.fr') : w.mss.mailboxFor('professionnel'));
const password = (w: VigieWorld) => external(w)?.password ?? 'vigie';

/** Steps that need the double's own hooks (the patient's side) cannot judge an external service. */
function onlyOnTheDouble(world: VigieWorld, what: string): void {
  if (external(world))
    world.judge(
      cannotJudge(
        what,
        `${what}: only the MSSanté double can be driven from the patient's side; an external service cannot be judged on it`,
      ),
      'observed',
    );
}

/** The patient's own action (from the Mon espace santé web mail): a precondition, not a verdict. */
async function patientAction<T>(world: VigieWorld, what: string, fn: () => Promise<T>): Promise<T> {
  onlyOnTheDouble(world, what);
  try {
    return await fn();
  } catch (e) {
    return world.setupFailed('the patient could not act', `${what}: ${(e as Error).message}`);
  }
}

/** The patient's address: on an external service, the test patient of the state the scenario set (default activé). */
function svcPatient(world: VigieWorld, name: string): string {
  const patient = world.person(name);
  const ext = external(world);
  if (!ext) return patientAddress(patient);
  return world.state.servicePatientAddress ?? `${ext.patients['activé']}@patient.mssante.fr`;
}

function ensureMailboxes(world: VigieWorld) {
  world.mss.registerMailbox(mailbox(world, 'professional'), { kind: 'professional' });
  world.mss.registerMailbox(mailbox(world, 'pharmacy'), { kind: 'pharmacy', organisational: true });
}

async function smtpSend(world: VigieWorld, from: string, to: string, subject: string, text: string): Promise<string> {
  ensureMailboxes(world);
  const transport = createTransport({
    host: world.mssService.smtp.host,
    port: world.mssService.smtp.port,
    secure: false,
    ignoreTLS: false,
    tls: { rejectUnauthorized: false },
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000,
  });
  try {
    const info = await transport.sendMail({
      from,
      to,
      subject,
      text,
      messageId: `<${Date.now()}.${Math.random().toString(36).slice(2)}@vigie.test>`,
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}

/** A mailbox's content over POP3, as the oracles read it. */
async function readMailbox(world: VigieWorld, addr: string): Promise<ReadMail[]> {
  const raw = await pop3Fetch({ ...world.mssService.pop3, user: addr, password: password(world), timeoutMs: 5000 });
  const mails = await Promise.all(raw.map((r) => simpleParser(r)));
  return mails.map((m) => ({
    from: (m.from?.value ?? []).map((a) => a.address ?? ''),
    subject: m.subject,
    text: m.text,
    contentType:
      m.headerLines
        .find((h) => h.key === 'content-type')
        ?.line.replace(/^content-type:\s*/i, '')
        .replace(/\s+/g, ' ') ?? '',
  }));
}

/** Reads the mailbox until `found` holds (POP3 has no push: polled), bounded by the mail bound. */
async function mailboxUntil(world: VigieWorld, addr: string, found: (mails: ReadMail[]) => boolean): Promise<ReadMail[]> {
  let last: ReadMail[] = [];
  await world.eventually(
    'mss',
    async () => {
      last = await readMailbox(world, addr);
      return found(last);
    },
    100,
  );
  return last;
}
/** Watches the mailbox for the whole mail bound: what it holds at the end (or when `found` first held). */
async function mailboxNever(
  world: VigieWorld,
  addr: string,
  found: (mails: ReadMail[]) => boolean,
): Promise<{ mails: ReadMail[]; ms: number }> {
  let last: ReadMail[] = [];
  const watched = await world.never('mss', async () => {
    last = await readMailbox(world, addr);
    return found(last);
  });
  return { mails: last, ms: watched.ms };
}

async function writesTo(world: VigieWorld, who: string, name: string, setup: boolean) {
  const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
  const to = svcPatient(world, name);
  const id = await smtpSend(
    world,
    mailbox(world, role),
    to,
    'Suite à votre consultation',
    'Bonjour, voici un message de votre professionnel de santé.',
  );
  world.state.serviceSent.set(`${role}→patient`, { messageId: id, to, from: mailbox(world, role) });
  if (!setup || external(world)) return; // delivery is not observable on an external service
  const got = (await world.eventually('mss', () => world.mss.messages().find((m) => m.parsed?.messageId === id))).value;
  if (!got) world.setupFailed("the operator never received the professional's message", id);
  const delivery = got.deliveries.find((x) => x.to === to);
  if (delivery?.outcome !== 'delivered')
    world.setupFailed(
      "the professional's message was not delivered to the patient, who cannot answer it",
      `${delivery?.outcome ?? 'no delivery'}`,
    );
}

When(
  /^a (professional|pharmacy's organisational) mailbox writes to (\S+ \S+)$/,
  async function (this: VigieWorld, who: string, name: string) {
    await writesTo(this, who, name, false);
  },
);
Given(
  /^a (professional|pharmacy's organisational) mailbox has written to (\S+ \S+)$/,
  async function (this: VigieWorld, who: string, name: string) {
    await writesTo(this, who, name, true);
  },
);

When(/^a professional mailbox writes to the address "([^"]+)"$/, async function (this: VigieWorld, to: string) {
  const id = await smtpSend(this, mailbox(this, 'professional'), to, 'Suite à votre consultation', 'Bonjour.');
  this.state.serviceSent.set('professional→patient', { messageId: id, to, from: mailbox(this, 'professional') });
});

When(
  /^the (professional|pharmacy's) mailbox (?:sends|has sent) "\[FIN\]" to (\S+ \S+)$/,
  async function (this: VigieWorld, who: string, name: string) {
    const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
    const to = svcPatient(this, name);
    const id = await smtpSend(this, mailbox(this, role), to, '[FIN]', 'Fin des échanges.');
    this.state.serviceSent.set(`${role}→patient:fin`, { messageId: id, to, from: mailbox(this, role) });
    if (!external(this)) await this.eventually('mss', () => this.mss.messages().find((m) => m.parsed?.messageId === id));
  },
);

When(
  /^(\S+ \S+) writes first to a (professional|pharmacy's organisational) mailbox$/,
  async function (this: VigieWorld, name: string, who: string) {
    ensureMailboxes(this);
    const role: Role = who === 'professional' ? 'professional' : 'pharmacy';
    await patientAction(this, 'the patient writing first', () =>
      this.mss.patientWrites(svcPatient(this, name), mailbox(this, role), 'Une question', "Bonjour, j'ai une question sur mon traitement."),
    );
  },
);

When(/^(\S+ \S+) replies to (?:that|the earlier) message$/, async function (this: VigieWorld, name: string) {
  const sent = this.state.serviceSent.get('professional→patient');
  if (!sent) throw new Error('no earlier message to reply to');
  await patientAction(this, 'the patient replying', () =>
    this.mss.patientReplies(svcPatient(this, name), sent.messageId, 'Merci docteur.'),
  );
});

When(
  'a professional mailbox sends "TEST" in subject and body to reponse.automatique-test@patient.mssante.fr',
  async function (this: VigieWorld) {
    await smtpSend(this, mailbox(this, 'professional'), AUTORESPONDER, 'TEST', 'TEST');
  },
);

// --- verdicts ------------------------------------------------------------------------------

const sentBy = (w: VigieWorld) => {
  const sent = w.state.serviceSent.get('professional→patient');
  if (!sent) throw new Error('no message sent');
  return sent;
};

Then(
  'the professional mailbox receives a delivery status notification saying exactly:',
  async function (this: VigieWorld, template: string) {
    const sent = sentBy(this);
    const mails = await mailboxUntil(this, sent.from, (ms) => ms.some((m) => isDsnAbout(m, sent.to)));
    this.judge(bounceSays(mails, sent.to, template.replace('<adresse>', sent.to), sent.from), 'observed');
  },
);

Then(/^the message is (delivered|bounced)$/, async function (this: VigieWorld, outcome: string) {
  const sent = sentBy(this);
  const bounced = (ms: ReadMail[]) => ms.some((m) => isDsnAbout(m, sent.to));
  if (outcome === 'bounced') {
    this.judge(bounceCameBack(await mailboxUntil(this, sent.from, bounced), sent.to, true, sent.from), 'observed');
    return;
  }
  if (!external(this)) {
    // On the double, the delivery itself is recorded: it must be "delivered".
    const message = (await this.eventually('mss', () => this.mss.messages().find((x) => x.parsed?.messageId === sent.messageId))).value;
    if (!message) this.setupFailed('the operator never received the message', sent.messageId);
    this.judge(
      deliveredTo(message.deliveries.find((x) => x.to === sent.to)?.outcome, sent.to, `MSSanté message #${message.seq}`),
      'observed',
    );
  }
  // Watched as long as a bounce would be waited for.
  const { mails, ms } = await mailboxNever(this, sent.from, bounced);
  this.judge(bounceCameBack(mails, sent.to, false, sent.from, ms), 'observed');
});

const deliveryOf = async (w: VigieWorld, sent: { messageId: string; to: string }) => {
  const message = (await w.eventually('mss', () => w.mss.messages().find((x) => x.parsed?.messageId === sent.messageId))).value as
    MssMessage | undefined;
  if (!message) w.setupFailed('the operator never received the message', sent.messageId);
  return { m: message, d: message.deliveries.find((x) => x.to === sent.to) };
};

Then(/^(\S+ \S+) is notified of the new message$/, async function (this: VigieWorld, name: string) {
  this.person(name);
  onlyOnTheDouble(this, "the patient's notification");
  const { m, d } = await deliveryOf(this, sentBy(this));
  this.judge(patientNotified(d, svcPatient(this, name), `MSSanté message #${m.seq}`), 'observed');
});

Then(/^(\S+ \S+) must activate Mon espace santé to read it$/, async function (this: VigieWorld, name: string) {
  this.person(name);
  onlyOnTheDouble(this, 'the patient opening the message');
  const sent = sentBy(this);
  await deliveryOf(this, sent);
  let opened = true;
  let reason: string | undefined;
  try {
    await this.mss.patientReads(sent.messageId);
  } catch (e) {
    opened = false;
    reason = (e as Error).message;
  }
  this.judge(readingNeedsActivation({ opened, reason }, svcPatient(this, name)), 'observed');
});

async function fromPatientArrives(world: VigieWorld, role: Role, name: string, expect: boolean) {
  const addr = mailbox(world, role);
  const from = svcPatient(world, name);
  const arrived = (ms: ReadMail[]) => ms.some((m) => m.from.includes(from) && !isDsn(m));
  if (expect) world.judge(patientMessageArrived(await mailboxUntil(world, addr, arrived), from, addr, true), 'observed');
  else {
    const { mails, ms } = await mailboxNever(world, addr, arrived);
    world.judge(patientMessageArrived(mails, from, addr, false, ms), 'observed');
  }
}

Then(
  /^the (professional|pharmacy's) mailbox (receives|does not receive) the patient's (?:message|reply)$/,
  async function (this: VigieWorld, who: string, verb: string) {
    const patient = this.current();
    await fromPatientArrives(
      this,
      who === 'professional' ? 'professional' : 'pharmacy',
      `${patient.insi.firstName} ${patient.insi.birthName}`,
      verb === 'receives',
    );
  },
);

Then(/^(\S+ \S+) does not receive the "\[FIN\]" message$/, async function (this: VigieWorld, name: string) {
  // The patient's inbox is only visible on the double (the Mon espace santé side of an external service is not).
  onlyOnTheDouble(this, "the patient's inbox");
  const to = svcPatient(this, name);
  const watched = await this.never('mss', () => this.mss.mailbox(to).some((m) => m.parsed?.subject === '[FIN]'));
  this.judge(
    {
      ...finNotDelivered(
        this.mss.mailbox(to).map((m) => ({ subject: m.parsed?.subject })),
        to,
      ),
      seen: `watched for ${watched.ms} ms: ${this.mss.mailbox(to).filter((m) => m.parsed?.subject === '[FIN]').length} [FIN] message(s) in the patient's mailbox`,
    },
    'observed',
  );
});

Then('the professional mailbox receives the automatic acknowledgement', async function (this: VigieWorld) {
  const addr = mailbox(this, 'professional');
  this.judge(autoreplyReceived(await mailboxUntil(this, addr, (ms) => ms.some((m) => m.from.includes(AUTORESPONDER))), addr), 'observed');
});
