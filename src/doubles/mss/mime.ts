/**
 * Messages the MSSanté double writes itself: RFC 3464 DSNs, RFC 8098 MDNs, the TEST acknowledgement,
 * and the patient's messages from the Mon espace santé web mail. Plus a raw header reader that
 * never fails (used when mailparser gives up on a broken message).
 */
import { randomBytes, randomUUID } from 'node:crypto';

const CRLF = '\r\n';
/** Above this the original is returned as text/rfc822-headers rather than whole (RFC 3464 §2, RFC 6522). */
export const MAX_RETURNED_ORIGINAL = 1024 * 1024;

export function rfc5322Date(d = new Date()): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function newMessageId(domain: string): string {
  return `<${randomUUID()}@${domain}>`;
}

/** RFC 2047 B encoding for a header value that is not plain ASCII, in words of at most 45 bytes of UTF-8. */
export function encodeHeaderValue(value: string): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(oneLine)) return oneLine;
  const words: string[] = [];
  let chunk = '';
  for (const ch of oneLine) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

function boundary(): string {
  return `=_vigie_mss_${randomBytes(12).toString('hex')}`;
}

/** The header block of a raw message (up to the first empty line), as bytes. */
export function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf >= 0 ? crlf + 2 : -1, lf >= 0 ? lf + 1 : -1].filter((i) => i >= 0);
  return ends.length ? raw.subarray(0, Math.min(...ends)) : raw;
}

/** Reads headers without ever throwing: unfolded, lower-cased names, repeated headers joined with "\n". */
export function readRawHeaders(raw: Buffer): Record<string, string> {
  const block = headerBlock(raw);
  const text = block.toString('utf8').includes('\ufffd') ? block.toString('latin1') : block.toString('utf8');
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  const logical: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && logical.length) logical[logical.length - 1] += ` ${line.trim()}`;
    else if (line !== '') logical.push(line);
  }
  for (const l of logical) {
    const colon = l.indexOf(':');
    if (colon <= 0) continue;
    const name = l.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    const value = l.slice(colon + 1).trim();
    out[name] = name in out ? `${out[name]}\n${value}` : value;
  }
  return out;
}

/** Message-IDs named in a header value (In-Reply-To, References), without angle brackets. */
export function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const ids = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (ids.length) return ids;
  return text.split(/\s+/).filter((t) => t.includes('@'));
}

export function bareId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** The first address in an address header ("Name <a@b>" or "a@b"). */
export function firstAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  if (angle) return angle[1];
  const bare = /([^\s,;<>"]+@[^\s,;<>"]+)/.exec(value);
  return bare?.[1];
}

function headers(list: [string, string | undefined][]): string {
  return list.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`).join(CRLF) + CRLF;
}

function withCrlf(text: string): string {
  const t = text.replace(/\r?\n/g, CRLF);
  return t.endsWith(CRLF) ? t : t + CRLF;
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
    .map((r) => headers([
      ['Final-Recipient', `rfc822; ${r.address}`],
      ['Action', 'failed'],
      ['Status', r.status],
      ['Diagnostic-Code', `smtp; 550 ${r.status} ${r.diagnostic}`],
      ['Last-Attempt-Date', rfc5322Date()],
    ]))
    .join(CRLF);
  const whole = o.originalRaw.length <= MAX_RETURNED_ORIGINAL;
  const original = whole ? o.originalRaw : headerBlock(o.originalRaw);
  const head = headers([
    ['From', `Mon espace sante <MAILER-DAEMON@${o.reportingMta}>`],
    ['To', `<${o.to}>`],
    ['Subject', encodeHeaderValue(subject)],
    ['Date', rfc5322Date()],
    ['Message-ID', messageId],
    ['In-Reply-To', o.originalMessageId],
    ['References', o.originalMessageId],
    ['Auto-Submitted', 'auto-replied'],
    ['MIME-Version', '1.0'],
    ['Content-Type', `multipart/report; report-type=delivery-status;${CRLF} boundary="${b}"`],
  ]);
  const parts = [
    `${head}${CRLF}This is a MIME-encapsulated delivery status notification.${CRLF}`,
    `--${b}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${human}`,
    `--${b}${CRLF}Content-Type: message/delivery-status${CRLF}${CRLF}` +
      headers([['Reporting-MTA', `dns; ${o.reportingMta}`], ['Arrival-Date', rfc5322Date(o.arrivalDate)]]) + CRLF + perRecipient,
    `--${b}${CRLF}Content-Type: ${whole ? 'message/rfc822' : 'text/rfc822-headers'}${CRLF}` +
      `Content-Description: ${whole ? 'Undelivered message' : 'Undelivered message headers'}${CRLF}${CRLF}`,
  ];
  const raw = Buffer.concat([
    Buffer.from(parts.join(''), 'utf8'),
    original,
    Buffer.from(`${original.subarray(-2).toString('latin1') === CRLF ? '' : CRLF}--${b}--${CRLF}`, 'latin1'),
  ]);
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
  const head = headers([
    ['From', `<${o.from}>`],
    ['To', `<${o.to}>`],
    ['Subject', encodeHeaderValue(subject)],
    ['Date', rfc5322Date(o.readAt)],
    ['Message-ID', messageId],
    ['In-Reply-To', o.originalMessageId],
    ['References', o.originalMessageId],
    ['Auto-Submitted', 'auto-replied'],
    ['MIME-Version', '1.0'],
    ['Content-Type', `multipart/report; report-type=disposition-notification;${CRLF} boundary="${b}"`],
  ]);
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
  const raw = Buffer.concat([
    Buffer.from(text, 'utf8'),
    original,
    Buffer.from(`${original.subarray(-2).toString('latin1') === CRLF ? '' : CRLF}--${b}--${CRLF}`, 'latin1'),
  ]);
  return { raw, messageId };
}

/** A plain UTF-8 text message (TEST acknowledgement, patient's message or reply from the MES web mail). */
export function buildTextMessage(o: {
  from: string;
  to: string;
  subject: string;
  body: string;
  domain: string;
  inReplyTo?: string;
  references?: string[];
  autoSubmitted?: boolean;
}): BuiltMessage {
  const messageId = newMessageId(o.domain);
  const head = headers([
    ['From', `<${o.from}>`],
    ['To', `<${o.to}>`],
    ['Subject', encodeHeaderValue(o.subject)],
    ['Date', rfc5322Date()],
    ['Message-ID', messageId],
    ['In-Reply-To', o.inReplyTo],
    ['References', o.references?.length ? o.references.join(' ') : undefined],
    ['Auto-Submitted', o.autoSubmitted ? 'auto-replied' : undefined],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Transfer-Encoding', '8bit'],
  ]);
  return { raw: Buffer.from(`${head}${CRLF}${withCrlf(o.body)}`, 'utf8'), messageId };
}

/**
 * The value of a header as sent: unfolded, leading white space dropped, trailing white space KEPT
 * (MSS-07: "[FIN] " is not "[FIN]"). Undefined when absent; the first occurrence only.
 */
export function exactHeader(raw: Buffer, name: string): string | undefined {
  const text = headerBlock(raw).toString('utf8');
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}[ \\t]*:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'im');
  const m = re.exec(text);
  if (!m) return undefined;
  return m[1]!.replace(/\r?\n(?=[ \t])/g, '').replace(/^[ \t]+/, '');
}
