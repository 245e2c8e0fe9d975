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

export function rfc5322Date(date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
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
function reportHead(fields: {
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
    ['From', fields.from],
    ['To', `<${fields.to}>`],
    ['Subject', fields.subject],
    ['Date', rfc5322Date(fields.date)],
    ['Message-ID', fields.messageId],
    ['In-Reply-To', fields.inResponseTo],
    ['References', fields.inResponseTo],
    ['Auto-Submitted', 'auto-replied'],
    ['MIME-Version', '1.0'],
    ['Content-Type', `multipart/report; report-type=${fields.reportType};${CRLF} boundary="${fields.boundary}"`],
  ]);
}

/** The original (or its headers) as the last part, then the closing delimiter. */
function closeWith(text: string, original: Buffer, mimeBoundary: string): Buffer {
  return Buffer.concat([
    Buffer.from(text, 'utf8'),
    original,
    Buffer.from(`${original.subarray(-2).toString('latin1') === CRLF ? '' : CRLF}--${mimeBoundary}--${CRLF}`, 'latin1'),
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
export function buildDsn(dsn: {
  reportingMta: string;
  from: string;
  to: string;
  originalRaw: Buffer;
  originalSubject?: string;
  originalMessageId?: string;
  arrivalDate: Date;
  recipients: DsnRecipient[];
}): BuiltMessage {
  const mimeBoundary = boundary();
  const messageId = newMessageId(dsn.reportingMta);
  const subject = `Message non distribué${dsn.originalSubject ? ` : ${dsn.originalSubject}` : ''}`;
  const human = `${dsn.recipients.map((r) => r.sentence).join(`${CRLF}${CRLF}`)}${CRLF}`;
  const perRecipient = dsn.recipients
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
  const whole = dsn.originalRaw.length <= MAX_RETURNED_ORIGINAL;
  const original = whole ? dsn.originalRaw : headerBlock(dsn.originalRaw);
  const head = reportHead({
    from: `Mon espace sante <MAILER-DAEMON@${dsn.reportingMta}>`,
    to: dsn.to,
    subject,
    date: new Date(),
    messageId,
    inResponseTo: dsn.originalMessageId,
    reportType: 'delivery-status',
    boundary: mimeBoundary,
  });
  const parts = [
    `${head}${CRLF}This is a MIME-encapsulated delivery status notification.${CRLF}`,
    `--${mimeBoundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${human}`,
    `--${mimeBoundary}${CRLF}Content-Type: message/delivery-status${CRLF}${CRLF}` +
      headers([
        ['Reporting-MTA', `dns; ${dsn.reportingMta}`],
        ['Arrival-Date', rfc5322Date(dsn.arrivalDate)],
      ]) +
      CRLF +
      perRecipient,
    `--${mimeBoundary}${CRLF}Content-Type: ${whole ? 'message/rfc822' : 'text/rfc822-headers'}${CRLF}` +
      `Content-Description: ${whole ? 'Undelivered message' : 'Undelivered message headers'}${CRLF}${encodingOf(original)}${CRLF}`,
  ];
  const raw = closeWith(parts.join(''), original, mimeBoundary);
  return { raw, messageId };
}

/**
 * RFC 2046 §5.2.1: a message/rfc822 part is 7bit unless said otherwise; an original with 8-bit bytes
 * (an 8BITMIME body, RFC 6532 UTF-8 headers) is declared 8bit, so that it crosses a relay as it is.
 */
export function encodingOf(part: Buffer): string {
  return part.some((byte) => byte >= 0x80) ? `Content-Transfer-Encoding: 8bit${CRLF}` : '';
}

/** RFC 8098: multipart/report; report-type=disposition-notification (the patient opened the message). */
export function buildMdn(mdn: {
  reportingUa: string;
  from: string;
  to: string;
  originalRaw: Buffer;
  originalSubject?: string;
  originalMessageId: string;
  originalRecipient: string;
  readAt: Date;
}): BuiltMessage {
  const mimeBoundary = boundary();
  const messageId = newMessageId(mdn.reportingUa);
  const subject = `Accusé de lecture : ${mdn.originalSubject ?? ''}`.trim();
  const human =
    `Votre message${mdn.originalSubject ? ` « ${mdn.originalSubject} »` : ''} adressé à ${mdn.originalRecipient} ` +
    `a été lu par son destinataire dans Mon espace santé le ${mdn.readAt.toISOString()}.${CRLF}`;
  const head = reportHead({
    from: `<${mdn.from}>`,
    to: mdn.to,
    subject,
    date: mdn.readAt,
    messageId,
    inResponseTo: mdn.originalMessageId,
    reportType: 'disposition-notification',
    boundary: mimeBoundary,
  });
  const notification = headers([
    ['Reporting-UA', `${mdn.reportingUa}; Mon espace sante (double Vigie)`],
    ['Final-Recipient', `rfc822; ${mdn.originalRecipient}`],
    ['Original-Message-ID', mdn.originalMessageId],
    ['Disposition', 'manual-action/MDN-sent-manually; displayed'],
  ]);
  const text =
    `${head}${CRLF}This is a MIME-encapsulated message disposition notification.${CRLF}` +
    `--${mimeBoundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${human}` +
    `--${mimeBoundary}${CRLF}Content-Type: message/disposition-notification${CRLF}${CRLF}${notification}` +
    `--${mimeBoundary}${CRLF}Content-Type: text/rfc822-headers${CRLF}${encodingOf(headerBlock(mdn.originalRaw))}${CRLF}`;
  const original = headerBlock(mdn.originalRaw);
  const raw = closeWith(text, original, mimeBoundary);
  return { raw, messageId };
}
