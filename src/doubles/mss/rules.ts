/**
 * The operator's rules, pure: for one recipient of one message, what Mon espace santé's messaging
 * does — deliver, bounce (which DSN sentence and status), refuse, keep a [FIN] from the patient,
 * answer TEST, or drop — from who writes to whom, the patient's state, the subject, the
 * conversation so far and the tenant's seeded service defects. No I/O, no state change: what the
 * conversation must remember is part of the answer (`remember`), and the double applies it.
 * Also the envelope's own refusals (MAIL FROM / RCPT TO outside the trust space).
 */
import type { AddressClass } from './ins-address';
import type { DsnRecipient } from './reports';
import type { MssDefect, MssDelivery, PatientState } from './types';

/** MSS-02/03/04: the sentences of Mon espace santé's bounces, character for character. */
export const BOUNCE_SENTENCES = {
  opposed: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas.`,
  closed: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car la messagerie Mon espace santé de votre destinataire est clôturée.`,
  invalid: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé est invalide.`,
  /** Seeded defect 'bounce-text-paraphrased'. */
  opposedParaphrased: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé est inconnue.`,
  /** MSS-06 / MSS-07, as the patient's Mon espace santé explains them (not sentences of the requirements). */
  patientFirst: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué : seul un professionnel de santé peut débuter un échange. Vous pourrez ensuite lui répondre.`,
  finished: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué : vous ne pouvez pas répondre à ce message car le professionnel a mis fin aux échanges.`,
  notToPatient: (a: string) =>
    `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué : seul un acteur de santé peut écrire à un usager de Mon espace santé.`,
};

/** A message a professional sent to a patient and that was delivered: the patient may reply to it. */
export interface SentToPatient {
  seq: number;
  professional: string;
  patient: string;
}

/** What the rules may look up in the tenant's conversations (read only). */
export interface ConversationView {
  /** A delivered professional → patient message, by its Message-ID. */
  sentToPatient(messageId: string): SentToPatient | undefined;
  /** The seq of the last [FIN] this professional sent this patient. */
  finSeq(professional: string, patient: string): number | undefined;
}

/** One recipient of one message, and all the rules need to know about it. */
export interface RecipientCase {
  /** The envelope sender; null for the null reverse-path (a DSN, an MDN). */
  sender: AddressClass | null;
  recipient: AddressClass;
  /** The state of the patient involved — the one written to, or the one writing ('activé' when unknown). */
  patientState: PatientState;
  message: {
    /** Decoded (MSS-09). */
    subject: string | undefined;
    /** As sent, trailing white space kept (MSS-07: "[FIN] " is not "[FIN]"). */
    exactSubject: string | undefined;
    text: string;
    /** Message-IDs of In-Reply-To then References. */
    refs: string[];
  };
  conversation: ConversationView;
  /** The recipient is an organisational pharmacy mailbox. */
  toPharmacy: boolean;
  defects: ReadonlySet<MssDefect>;
}

export interface RecipientDecision {
  delivery: MssDelivery;
  /** This recipient's part of the DSN sent back to the sender (bounced, or refused with a DSN). */
  dsn?: DsnRecipient;
  /** The TEST autoresponder answers the sender (MSS-09). */
  autoreply?: true;
  /** What the conversation must remember: a [FIN] ends it; a message delivered to a patient may be answered. */
  remember?: 'fin' | 'sent-to-patient';
}

export function decideRecipient(situation: RecipientCase): RecipientDecision {
  if (situation.recipient.kind === 'patient') return toPatient(situation, situation.recipient);
  if (situation.recipient.kind === 'autoresponder') return toAutoresponder(situation);
  if (situation.recipient.kind === 'professional' && situation.sender?.kind === 'patient') return fromPatient(situation, situation.sender);
  return delivered(situation);
}

/** SMTP-level refusal of a MAIL FROM: outside the trust space, a mailbox that never sends, an invalid INS. */
export function senderRefusal(sender: AddressClass | null): { code: number; message: string } | null {
  if (sender === null) return null; // null reverse-path (DSN, MDN)
  if (sender.kind === 'external')
    return { code: 550, message: `5.7.1 <${sender.address}>: sender outside the MSSante trust space (*.mssante.fr)` };
  if (sender.kind === 'autoresponder') return { code: 550, message: `5.7.1 <${sender.address}>: this mailbox does not send` };
  if (sender.kind === 'patient' && !sender.ins.valid)
    return { code: 553, message: `5.1.7 <${sender.address}>: invalid patient sender address (INS ${sender.ins.reason})` };
  return null;
}

/** SMTP-level refusal of a RCPT TO: only *.mssante.fr mailboxes are served. */
export function recipientRefusal(recipient: AddressClass): { code: number; message: string } | null {
  if (recipient.kind === 'external')
    return { code: 550, message: `5.7.1 <${recipient.address}>: relay denied, only *.mssante.fr mailboxes are served here` };
  return null;
}

// ---- the rules, by recipient ----

const has = (c: RecipientCase, d: MssDefect) => c.defects.has(d);

function delivered(situation: RecipientCase, reason?: string): RecipientDecision {
  return { delivery: { to: situation.recipient.address, outcome: 'delivered', ...(reason ? { reason } : {}) } };
}

function bounced(situation: RecipientCase, status: string, sentence: string, diagnostic: string, reason: string): RecipientDecision {
  const to = situation.recipient.address;
  return { delivery: { to, outcome: 'bounced', reason }, dsn: { address: to, status, sentence, diagnostic } };
}

function refused(situation: RecipientCase, sentence: string, diagnostic: string, reason: string, dsnToSender = true): RecipientDecision {
  const to = situation.recipient.address;
  return {
    delivery: { to, outcome: 'refused', reason },
    ...(dsnToSender ? { dsn: { address: to, status: '5.7.1', sentence, diagnostic } } : {}),
  };
}

function dropped(situation: RecipientCase, reason: string): RecipientDecision {
  return { delivery: { to: situation.recipient.address, outcome: 'dropped', reason } };
}

/** MSS-02/03/04, MSS-06 (only a health actor writes to a patient), MSS-07 [FIN], MSS-11 the patient's state. */
function toPatient(situation: RecipientCase, rc: Extract<AddressClass, { kind: 'patient' }>): RecipientDecision {
  const to = rc.address;
  const sender = situation.sender;
  if (sender?.kind !== 'professional') {
    return refused(
      situation,
      BOUNCE_SENTENCES.notToPatient(to),
      'only a health actor may write to a Mon espace sante user',
      `MSS-06: ${sender ? sender.kind : 'null sender'} may not write to a patient`,
      sender !== null,
    );
  }
  if (!rc.ins.valid && !has(situation, 'invalid-address-accepted')) {
    return bounced(
      situation,
      '5.1.3',
      BOUNCE_SENTENCES.invalid(to),
      'invalid Mon espace sante address (INS length or key)',
      `MSS-04: INS ${rc.ins.reason}`,
    );
  }
  const state = situation.patientState;
  if (state === 'opposé' && !has(situation, 'opposed-delivered')) {
    const sentence = has(situation, 'bounce-text-paraphrased') ? BOUNCE_SENTENCES.opposedParaphrased(to) : BOUNCE_SENTENCES.opposed(to);
    return bounced(situation, '5.1.1', sentence, 'Mon espace sante address does not exist', 'MSS-02: patient opposé');
  }
  if (state === 'clôturé') {
    if (has(situation, 'closed-bounce-missing')) return dropped(situation, 'defect closed-bounce-missing: clôturé, no DSN');
    return bounced(
      situation,
      '5.2.1',
      BOUNCE_SENTENCES.closed(to),
      'recipient Mon espace sante mailbox is closed',
      'MSS-03: patient clôturé',
    );
  }
  if (state === 'créé non activé' && has(situation, 'created-not-activated-bounced')) {
    return bounced(
      situation,
      '5.1.1',
      BOUNCE_SENTENCES.opposed(to),
      'Mon espace sante address does not exist',
      'defect created-not-activated-bounced',
    );
  }
  const fin = situation.message.exactSubject === '[FIN]';
  if (fin && !has(situation, 'fin-delivered')) {
    return {
      delivery: { to, outcome: 'not-delivered-fin', reason: 'MSS-07: [FIN] ends the exchange, not shown to the patient' },
      remember: 'fin',
    };
  }
  if (state === 'activé' && has(situation, 'activated-not-delivered')) return dropped(situation, 'defect activated-not-delivered');
  const notified = !(state === 'activé' && has(situation, 'activated-not-notified'));
  const mustActivate = state === 'créé non activé' && !has(situation, 'created-readable-without-activation');
  const notes = [
    notified ? 'patient notified' : 'defect activated-not-notified: no notification',
    ...(state === 'créé non activé'
      ? [mustActivate ? 'must activate Mon espace santé to read' : 'defect created-readable-without-activation']
      : []),
    ...(!rc.ins.valid ? ['defect invalid-address-accepted'] : []),
    ...(fin ? ['defect fin-delivered'] : []),
  ];
  return { delivery: { to, outcome: 'delivered', reason: notes.join('; '), notified, mustActivate }, remember: 'sent-to-patient' };
}

/** MSS-09: reponse.automatique-test@ answers a message with TEST in its subject and its body. */
function toAutoresponder(situation: RecipientCase): RecipientDecision {
  if (has(situation, 'no-test-autoresponder')) return delivered(situation, 'defect no-test-autoresponder: no acknowledgement');
  if (situation.sender === null) return delivered(situation, 'null sender: no acknowledgement');
  if ((situation.message.subject ?? '').includes('TEST') && situation.message.text.includes('TEST')) {
    return {
      delivery: { to: situation.recipient.address, outcome: 'autoreplied', reason: 'MSS-09: TEST in subject and body' },
      autoreply: true,
    };
  }
  return delivered(situation, 'MSS-09: no acknowledgement, TEST missing from the subject or the body');
}

/** MSS-06: a patient only replies (or writes first to a pharmacy's organisational mailbox); MSS-07: not after [FIN]. */
function fromPatient(situation: RecipientCase, sender: Extract<AddressClass, { kind: 'patient' }>): RecipientDecision {
  const to = situation.recipient.address;
  const patient = sender.address;
  if (situation.patientState !== 'activé') {
    return refused(
      situation,
      BOUNCE_SENTENCES.notToPatient(to),
      'patient Mon espace sante not active',
      `patient is "${situation.patientState}": cannot write`,
      false,
    );
  }
  const repliedTo = situation.message.refs
    .map((id) => situation.conversation.sentToPatient(id))
    .filter((s): s is SentToPatient => s !== undefined && s.professional === to && s.patient === patient)
    .sort((a, b) => b.seq - a.seq)[0];
  const fin = situation.conversation.finSeq(to, patient);
  if (repliedTo) {
    if (fin !== undefined && fin > repliedTo.seq && !has(situation, 'fin-delivered')) {
      return refused(situation, BOUNCE_SENTENCES.finished(to), 'the professional ended the exchange ([FIN])', 'MSS-07: reply after [FIN]');
    }
    if (has(situation, 'replies-refused'))
      return refused(situation, BOUNCE_SENTENCES.patientFirst(to), 'only a health actor may start an exchange', 'defect replies-refused');
    return delivered(situation, `reply to message #${repliedTo.seq}`);
  }
  if (situation.toPharmacy && !has(situation, 'pharmacy-not-organisational')) {
    return delivered(
      situation,
      `MSS-06: a patient may write first to a pharmacy's organisational mailbox${fin !== undefined ? ' (new conversation after [FIN])' : ''}`,
    );
  }
  if (has(situation, 'patient-may-write-first')) return delivered(situation, 'defect patient-may-write-first');
  return refused(
    situation,
    BOUNCE_SENTENCES.patientFirst(to),
    'only a health actor may start an exchange',
    'MSS-06: patient may not write first',
  );
}
