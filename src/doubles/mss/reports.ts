/**
 * The reports the MSSanté double writes: RFC 3464 delivery status notifications (bounces, MSS-02/03/04,
 * MSS-06/07 refusals) and RFC 8098 message disposition notifications (read receipts, MSS-08).
 *
 * Composed by hand, on purpose: no maintained library composes multipart/report. nodemailer's
 * MimeNode could hold the parts, but it picks each part's transfer encoding itself (it would
 * quoted-printable the French sentence and re-encode the returned original), while a report must
 * return the original message's bytes (or its header block) unchanged, and give the
 * message/delivery-status and message/disposition-notification fields in their RFC order. The header
 * values are encoded with nodemailer's RFC 2047 functions.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { headerBlock } from './mime';

const CRLF = '\r\n';
/** Above this the original is returned as text/rfc822-headers rather than whole (RFC 3464 §2, RFC 6522). */
export const MAX_RETURNED_ORIGINAL = 1024 * 1024;

export function rfc5322Date(d = new Date()): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function newMessageId(domain: string): string {
  return `<${randomUUID()}@${domain}>`;
}

function boundary(): string {
  return `=_vigie_mss_${randomBytes(12).toString('hex')}`;
}

/** Header lines; undefined or empty values are left out; a subject is RFC 2047-encoded and folded. */
function headers(list: [string, string | undefined][]): string {
  return (
    list
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => (k === 'Subject' ? foldLines(`${k}: ${encodeWords(v!.replace(/[\r\n]+/g, ' '), 'Q', 52)}`, 76) : `${k}: ${v}`))
      .join(CRLF) + CRLF
  );
}

/** The header block of a report: an automatic answer (RFC 3834) to the original message. */
function reportHead(o: {
  from: string;
  to: string;
  subject: string;
  date: Date;
  messageId: string;
  inResponseTo: string | undefined;
  reportType: 'delivery-status' | 'disposition-notification';
  boundary: string;
}): string {
  return headers([
    ['From', o.from],
    ['To', `<${o.to}>`],
    ['Subject', o.subject],
    ['Date', rfc5322Date(o.date)],
    ['Message-ID', o.messageId],
    ['In-Reply-To', o.inResponseTo],
    ['References', o.inResponseTo],
    ['Auto-Submitted', 'auto-replied'],
    ['MIME-Version', '1.0'],
    ['Content-Type', `multipart/report; report-type=${o.reportType};${CRLF} boundary="${o.boundary}"`],
  ]);
}

/** The original (or its headers) as the last part, then the closing delimiter. */
function closeWith(text: string, original: Buffer, b: string): Buffer {
  return Buffer.concat([
    Buffer.from(text, 'utf8'),
    original,
    Buffer.from(`${original.subarray(-2).toString('latin1') === CRLF ? '' : CRLF}--${b}--${CRLF}`, 'latin1'),
  ]);
}

export interface DsnRecipient {
  address: string;
  status: string; // 5.1.1 …
  /** The human-readable French sentence (MSS-02/03/04, or the MSS-06/07 refusal). */
  sentence: string;
  /** ASCII diagnostic for the machine-readable part. */
  diagnostic: string;
}

export interface BuiltMessage {
  raw: Buffer;
  messageId: string;
}

/** RFC 3464 / RFC 6522: multipart/report; report-type=delivery-status, human part first, original last. */
export function buildDsn(o: {
  reportingMta: string;
  from: string;
  to: string;
  originalRaw: Buffer;
  originalSubject?: string;
  originalMessageId?: string;
  arrivalDate: Date;
  recipients: DsnRecipient[];
}): BuiltMessage {
  const b = boundary();
  const messageId = newMessageId(o.reportingMta);
  const subject = `Message non distribué${o.originalSubject ? ` : ${o.originalSubject}` : ''}`;
  const human = `${o.recipients.map((r) => r.sentence).join(`${CRLF}${CRLF}`)}${CRLF}`;
  const perRecipient = o.recipients
    .map((r) =>
      headers([
        ['Final-Recipient', `rfc822; ${r.address}`],
        ['Action', 'failed'],
        ['Status', r.status],
        ['Diagnostic-Code', `smtp; 550 ${r.status} ${r.diagnostic}`],
        ['Last-Attempt-Date', rfc5322Date()],
      ]),
    )
    .join(CRLF);
  const whole = o.originalRaw.length <= MAX_RETURNED_ORIGINAL;
  const original = whole ? o.originalRaw : headerBlock(o.originalRaw);
  const head = reportHead({
    from: `Mon espace sante <MAILER-DAEMON@${o.reportingMta}>`,
    to: o.to,
    subject,
    date: new Date(),
    messageId,
    inResponseTo: o.originalMessageId,
    reportType: 'delivery-status',
    boundary: b,
  });
  const parts = [
    `${head}${CRLF}This is a MIME-encapsulated delivery status notification.${CRLF}`,
    `--${b}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${human}`,
    `--${b}${CRLF}Content-Type: message/delivery-status${CRLF}${CRLF}` +
      headers([
        ['Reporting-MTA', `dns; ${o.reportingMta}`],
        ['Arrival-Date', rfc5322Date(o.arrivalDate)],
      ]) +
      CRLF +
      perRecipient,
    `--${b}${CRLF}Content-Type: ${whole ? 'message/rfc822' : 'text/rfc822-headers'}${CRLF}` +
      `Content-Description: ${whole ? 'Undelivered message' : 'Undelivered message headers'}${CRLF}${CRLF}`,
  ];
  const raw = closeWith(parts.join(''), original, b);
  return { raw, messageId };
}

/** RFC 8098: multipart/report; report-type=disposition-notification (the patient opened the message). */
export function buildMdn(o: {
  reportingUa: string;
  from: string;
  to: string;
  originalRaw: Buffer;
  originalSubject?: string;
  originalMessageId: string;
  originalRecipient: string;
  readAt: Date;
}): BuiltMessage {
  const b = boundary();
  const messageId = newMessageId(o.reportingUa);
  const subject = `Accusé de lecture : ${o.originalSubject ?? ''}`.trim();
  const human =
    `Votre message${o.originalSubject ? ` « ${o.originalSubject} »` : ''} adressé à ${o.originalRecipient} ` +
    `a été lu par son destinataire dans Mon espace santé le ${o.readAt.toISOString()}.${CRLF}`;
  const head = reportHead({
    from: `<${o.from}>`,
    to: o.to,
    subject,
    date: o.readAt,
    messageId,
    inResponseTo: o.originalMessageId,
    reportType: 'disposition-notification',
    boundary: b,
  });
  const notification = headers([
    ['Reporting-UA', `${o.reportingUa}; Mon espace sante (double Vigie)`],
    ['Final-Recipient', `rfc822; ${o.originalRecipient}`],
    ['Original-Message-ID', o.originalMessageId],
    ['Disposition', 'manual-action/MDN-sent-manually; displayed'],
  ]);
  const text =
    `${head}${CRLF}This is a MIME-encapsulated message disposition notification.${CRLF}` +
    `--${b}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${human}` +
    `--${b}${CRLF}Content-Type: message/disposition-notification${CRLF}${CRLF}${notification}` +
    `--${b}${CRLF}Content-Type: text/rfc822-headers${CRLF}${CRLF}`;
  const original = headerBlock(o.originalRaw);
  const raw = closeWith(text, original, b);
  return { raw, messageId };
}
