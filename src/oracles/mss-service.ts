/**
 * Judges an MSSanté operator's service (the @service suite), from what comes back to the mailboxes
 * Vigie plays over SMTP and reads over POP3: MSS-02/03/04 (the bounces and their exact sentences,
 * RFC 3464), MSS-06 (who may write first), MSS-07 (operator side: [FIN] not delivered, replies
 * closed), MSS-09 (the TEST autoresponder), MSS-11 (delivery by the patient's state).
 */
import { containsSentence, normaliseSentence } from './sentence';
import { Verdict, verdict } from './verdict';

/** A message read from a mailbox over POP3. */
export interface ReadMail {
  from: string[];
  subject?: string;
  text?: string;
  /** The Content-Type header as received. */
  contentType: string;
}

export const AUTORESPONDER = 'reponse.automatique-test@patient.mssante.fr';

/** An RFC 3464 delivery status notification: multipart/report; report-type=delivery-status. */
export const isDsn = (m: ReadMail): boolean =>
  /^multipart\/report\b/i.test(m.contentType) && /report-type="?delivery-status/i.test(m.contentType);
/** A DSN about this recipient (a mailbox keeps earlier scenarios' bounces: only this one counts). */
export const isDsnAbout = (m: ReadMail, recipient: string): boolean => isDsn(m) && (m.text ?? '').includes(recipient);

/** MSS-02, 03, 04: a DSN in the sender's mailbox carrying the catalogue's sentence whole. */
export function bounceSays(mails: ReadMail[], recipient: string, sentence: string, mailbox: string): Verdict {
  const dsns = mails.filter((m) => isDsnAbout(m, recipient));
  if (!dsns.length)
    return verdict(
      false,
      `an RFC 3464 delivery status notification (multipart/report; report-type=delivery-status) about ${recipient} in ${mailbox}`,
      `${mails.length} message(s), none a DSN about it`,
    );
  const texts = dsns.map((d) => d.text ?? '');
  return verdict(
    texts.some((t) => containsSentence(t, sentence)),
    `the sentence « ${normaliseSentence(sentence)} » whole, in the DSN`,
    texts.map((t) => `« ${normaliseSentence(t).slice(0, 300)} »`).join(' | '),
  );
}

/** MSS-11: a bounce about the recipient came back (bounced) or none did during the whole window (delivered). */
export function bounceCameBack(mails: ReadMail[], recipient: string, expectBounce: boolean, mailbox: string, watchedMs?: number): Verdict {
  const bounced = mails.some((m) => isDsnAbout(m, recipient));
  return verdict(
    bounced === expectBounce,
    expectBounce
      ? `a bounce (DSN) about ${recipient} back to ${mailbox}`
      : `no bounce about ${recipient} back to ${mailbox}${watchedMs !== undefined ? ` (watched for ${watchedMs} ms)` : ''}`,
    bounced ? 'a bounce came back' : `${mails.length} message(s), no bounce about it`,
  );
}

/** MSS-11 (on the double): the delivery the operator recorded for the recipient. */
export function deliveredTo(outcome: string | undefined, recipient: string, ref: string): Verdict {
  return verdict(outcome === 'delivered', `delivered to ${recipient}`, outcome ?? 'no delivery', [ref]);
}

/** MSS-06, MSS-07: the patient's message (or reply) reached the mailbox — or, during the whole window, it did not. */
export function patientMessageArrived(mails: ReadMail[], patient: string, mailbox: string, expect: boolean, watchedMs?: number): Verdict {
  const got = mails.some((m) => m.from.includes(patient) && !isDsn(m));
  return verdict(
    got === expect,
    expect
      ? `${mailbox} receives the patient's message`
      : `${mailbox} does not receive the patient's message${watchedMs !== undefined ? ` (watched for ${watchedMs} ms)` : ''}`,
    got ? 'it was delivered' : `${mails.length} message(s), none from ${patient}`,
  );
}

/** MSS-07: the [FIN] message is never delivered to the patient. */
export function finNotDelivered(patientInbox: { subject?: string }[], patient: string): Verdict {
  const fins = patientInbox.filter((m) => m.subject === '[FIN]');
  return verdict(
    fins.length === 0,
    `the [FIN] message is not delivered to ${patient}`,
    `${fins.length} [FIN] message(s) in the patient's mailbox`,
  );
}

/** MSS-09: the predefined acknowledgement came back from the autoresponder. */
export function autoreplyReceived(mails: ReadMail[], mailbox: string): Verdict {
  return verdict(
    mails.some((m) => m.from.includes(AUTORESPONDER)),
    `an acknowledgement from ${AUTORESPONDER} in ${mailbox}`,
    `${mails.length} message(s), none from the autoresponder`,
  );
}

/** MSS-11: an activé patient is notified of the new message (as the operator recorded the delivery). */
export function patientNotified(delivery: { outcome: string; notified?: boolean } | undefined, patient: string, ref: string): Verdict {
  return verdict(
    delivery?.outcome === 'delivered' && delivery.notified === true,
    `${patient} notified of the new message`,
    delivery ? `${delivery.outcome}, ${delivery.notified ? 'notified' : 'not notified'}` : 'no delivery',
    [ref],
  );
}

/** MSS-11: a créé-non-activé patient must activate their Mon espace santé before reading. */
export function readingNeedsActivation(readWithoutActivation: { opened: boolean; reason?: string }, patient: string): Verdict {
  return verdict(
    !readWithoutActivation.opened,
    `${patient} cannot read the delivered message before activating Mon espace santé`,
    readWithoutActivation.opened ? 'the message could be read without activation' : `refused: ${readWithoutActivation.reason ?? ''}`,
  );
}
