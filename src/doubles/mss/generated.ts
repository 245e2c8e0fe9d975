/**
 * The mails the MSSanté double writes itself, as bytes: the bounce of a message's refused recipients
 * (RFC 3464) and the patient's read receipt (RFC 8098) — composed in reports.ts —, the TEST
 * acknowledgement (MSS-09), and the patient's own messages from the Mon espace santé web mail, plain
 * text composed by nodemailer's MailComposer.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { AUTORESPONDER, PATIENT_DOMAIN } from './ins-address';
import { bareId } from './mime';
import { buildDsn, buildMdn, newMessageId, type DsnRecipient } from './reports';

export const AUTOREPLY_BODY =
  'Bonjour,\n\nVotre message de test a bien été reçu par la messagerie sécurisée de Mon espace santé.\n' +
  "Votre logiciel est en mesure d'envoyer des messages aux usagers de Mon espace santé.\n\n" +
  'Ceci est une réponse automatique, merci de ne pas y répondre.\n';

/** What a generated mail says of the message it answers. */
export interface Answered {
  raw: Buffer;
  subject: string | undefined;
  messageId: string | undefined;
}

const angle = (id: string) => `<${bareId(id)}>`;

/** The DSN to the sender for the recipients that bounced or were refused (one report, a part per recipient). */
export function bounce(original: Answered & { receivedAt: Date }, sender: string, recipients: DsnRecipient[]): Buffer {
  return buildDsn({
    reportingMta: PATIENT_DOMAIN,
    from: `MAILER-DAEMON@${PATIENT_DOMAIN}`,
    to: sender,
    originalRaw: original.raw,
    ...(original.subject !== undefined ? { originalSubject: original.subject } : {}),
    ...(original.messageId !== undefined ? { originalMessageId: angle(original.messageId) } : {}),
    arrivalDate: original.receivedAt,
    recipients,
  }).raw;
}

/** The patient's read receipt to the Disposition-Notification-To address (MSS-08). */
export function readReceipt(original: Answered & { messageId: string }, patient: string, to: string): Buffer {
  return buildMdn({
    reportingUa: PATIENT_DOMAIN,
    from: patient,
    to,
    originalRaw: original.raw,
    ...(original.subject !== undefined ? { originalSubject: original.subject } : {}),
    originalMessageId: angle(original.messageId),
    originalRecipient: patient,
    readAt: new Date(),
  }).raw;
}

/** The TEST autoresponder's acknowledgement (MSS-09). */
export function autoreply(original: Omit<Answered, 'raw'>, sender: string): Promise<Buffer> {
  return textMessage({
    from: AUTORESPONDER,
    to: sender,
    autoSubmitted: true,
    subject: `Re: ${original.subject ?? 'TEST'} — accusé de réception automatique`,
    body: AUTOREPLY_BODY,
    ...(original.messageId !== undefined ? { inReplyTo: angle(original.messageId), references: [angle(original.messageId)] } : {}),
  });
}

/** A plain UTF-8 text message from Mon espace santé's side (the patient's web mail, the autoresponder). */
export function textMessage(message: {
  from: string;
  to: string;
  subject: string;
  body: string;
  inReplyTo?: string;
  references?: string[];
  autoSubmitted?: boolean;
}): Promise<Buffer> {
  return new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: withCrlf(message.body),
    messageId: newMessageId(PATIENT_DOMAIN),
    ...(message.inReplyTo !== undefined ? { inReplyTo: message.inReplyTo } : {}),
    ...(message.references?.length ? { references: message.references } : {}),
    ...(message.autoSubmitted ? { headers: { 'Auto-Submitted': 'auto-replied' } } : {}),
  })
    .compile()
    .build();
}

/** Mail lines end with CRLF (RFC 5322); MailComposer keeps the text's own line ends. */
function withCrlf(text: string): string {
  const crlfText = text.replace(/\r?\n/g, '\r\n');
  return crlfText.endsWith('\r\n') ? crlfText : `${crlfText}\r\n`;
}
