/**
 * Judges the mail the LGC sends through MSSanté, as it reached the operator (observed): MSS-01 (the
 * patient's address built from the qualified INS), MSS-07 (ending with exactly « [FIN] »), MSS-08
 * (a read receipt asked), MSS-10 (PDF or JPG to patients; CDA in an IHE XDM package to
 * professionals); and what the LGC shows of its thread: MSS-05 (every bounce, on its message),
 * MSS-08 (the message shown as read).
 */
import { isValidIns } from './ins';
import { Verdict, verdict } from './verdict';
import { ZipEntry, readZip } from './zip';

export const PATIENT_DOMAIN = 'patient.mssante.fr';

export interface MailSeen {
  seq: number;
  envelope: { from: string; to: string[] };
  subject?: string;
  headers: Record<string, string>;
  attachments: { filename?: string; contentType: string; size: number; content: Buffer }[];
}
export interface ThreadSeen {
  messages: { messageId: string; status: string; bounce?: { text?: string } }[];
}

export const mailRef = (m: MailSeen): string => `MSSanté message #${m.seq}`;
export const toPatientDomain = (m: MailSeen): string[] => m.envelope.to.filter((t) => t.toLowerCase().endsWith('@' + PATIENT_DOMAIN));

export function describeMails(list: MailSeen[]): string {
  return list.length
    ? list.map((m) => `#${m.seq} ${m.envelope.from} → ${m.envelope.to.join(', ')} « ${m.subject ?? ''} »`).join('; ')
    : 'no message reached the operator';
}

/** MSS-01: RCPT TO <qualified INS>@patient.mssante.fr, 15 characters with a valid key. */
export function addressedToIns(ins15: string, mail: MailSeen | undefined, boundMs: number, others: MailSeen[]): Verdict {
  const want = `${ins15}@${PATIENT_DOMAIN}`;
  if (!mail) return verdict(false, `a message to ${want} within ${boundMs} ms`, describeMails(others));
  const to = toPatientDomain(mail);
  const ok = to.length === 1 && to[0] === want && isValidIns(to[0].split('@')[0]);
  return verdict(ok, `RCPT TO ${want} (the qualified INS, 15 characters, valid key)`, to.join(', '), [mailRef(mail)]);
}

/** MSS-01: nothing to a patient address for a patient without a qualified INS, during the whole window. */
export function nothingToPatientAddress(sent: MailSeen[], watchedMs: number): Verdict {
  return verdict(
    sent.length === 0,
    `no message to a ${PATIENT_DOMAIN} address for a patient without a qualified INS (watched for ${watchedMs} ms)`,
    describeMails(sent),
    sent.map(mailRef),
  );
}

/** MSS-07 (LGC side): ending the exchange sends a message whose subject is exactly the feature's (« [FIN] »). */
export function subjectIsExactly(subject: string, mail: MailSeen | undefined, boundMs: number, others: MailSeen[]): Verdict {
  const expected = `a message to the patient, within ${boundMs} ms, whose subject is exactly « ${subject} » (case-sensitive, nothing else)`;
  if (!mail) return verdict(false, expected, describeMails(others));
  return verdict(mail.subject === subject, expected, `« ${mail.subject ?? ''} »`, [mailRef(mail)]);
}

/** MSS-08: Disposition-Notification-To naming the practice's mailbox (RFC 8098). */
export function readReceiptRequested(mail: MailSeen, practiceMailbox: string): Verdict {
  const dnt = mail.headers['disposition-notification-to'] ?? '';
  return verdict(
    dnt.includes(practiceMailbox),
    "a Disposition-Notification-To header naming the practice's mailbox (RFC 8098)",
    dnt || 'no Disposition-Notification-To header',
    [mailRef(mail)],
  );
}

export const isPdf = (b: Buffer): boolean => b.subarray(0, 5).toString('latin1') === '%PDF-';
export const isJpg = (b: Buffer): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
export const isZip = (b: Buffer): boolean => b.subarray(0, 2).toString('latin1') === 'PK';

/** MSS-10: to a patient, the report attached as PDF or JPG only (content type and bytes agree). */
export function attachedAsPdfOrJpg(mail: MailSeen): Verdict {
  const bad = mail.attachments.filter(
    (a) => !((a.contentType === 'application/pdf' && isPdf(a.content)) || (a.contentType === 'image/jpeg' && isJpg(a.content))),
  );
  return verdict(
    mail.attachments.length > 0 && bad.length === 0,
    'the report attached, as PDF or JPG only (content type and bytes)',
    mail.attachments.length
      ? mail.attachments.map((a) => `${a.filename ?? '?'} (${a.contentType}, ${a.size} bytes)`).join(', ')
      : 'no attachment',
    [mailRef(mail)],
  );
}

const XDM_DOC = /^IHE_XDM\/[^/]+\/[^/]+\.XML$/i;
const XDM_METADATA = /^IHE_XDM\/[^/]+\/METADATA\.XML$/i;

/** The CDA document of an IHE XDM package (IHE_XDM/<subset>/<doc>.XML besides METADATA.XML), or why there is none. */
export function xdmDocument(zip: Buffer): { entry?: ZipEntry; entries: string[]; problem?: string } {
  let entries: ZipEntry[];
  try {
    entries = readZip(zip);
  } catch (e) {
    return { entries: [], problem: `unreadable XDM package: ${(e as Error).message}` };
  }
  const names = entries.map((e) => e.name);
  const metadata = entries.find((e) => XDM_METADATA.test(e.name));
  const cda = entries.find(
    (e) => XDM_DOC.test(e.name) && !XDM_METADATA.test(e.name) && e.content.toString('utf8').includes('ClinicalDocument'),
  );
  if (!metadata || !cda)
    return {
      entries: names,
      problem: `an XDM package needs IHE_XDM/<subset>/METADATA.XML and the CDA document (found: ${names.join(', ') || 'nothing'})`,
    };
  return { entry: cda, entries: names };
}

/** MSS-10: to a professional, the report as a CDA document inside an IHE XDM package (a ZIP). */
export function attachedAsCdaInXdm(mail: MailSeen): Verdict {
  const expected = 'an IHE XDM package attached: IHE_XDM/<subset>/METADATA.XML and the CDA document';
  const zip = mail.attachments.find((a) => isZip(a.content));
  if (!zip)
    return verdict(false, expected, mail.attachments.map((a) => `${a.filename ?? '?'} (${a.contentType})`).join(', ') || 'no attachment', [
      mailRef(mail),
    ]);
  const xdm = xdmDocument(zip.content);
  return verdict(!xdm.problem, expected, xdm.problem ?? xdm.entries.join(', '), [mailRef(mail)]);
}

/** MSS-05: the bounce shown on the message it concerns, with the operator's text naming the address. */
export function bounceShownOnMessage(thread: ThreadSeen | undefined, messageId: string, address: string, boundMs: number): Verdict {
  const shown = thread?.messages.find(
    (m) => m.messageId === messageId && m.status === 'bounced' && (m.bounce?.text ?? '').includes(address),
  );
  return verdict(
    !!shown,
    `the message ${messageId} shown as bounced, with the operator's text naming ${address}, within ${boundMs} ms`,
    JSON.stringify((thread?.messages ?? []).map((m) => ({ id: m.messageId, status: m.status, bounce: m.bounce?.text?.slice(0, 160) }))),
  );
}

/** MSS-08: the message shown as read once the patient opened it. */
export function shownAsRead(thread: ThreadSeen | undefined, messageId: string, boundMs: number): Verdict {
  return verdict(
    !!thread?.messages.some((m) => m.messageId === messageId && m.status === 'read'),
    `the message ${messageId} shown as read within ${boundMs} ms of the read receipt`,
    JSON.stringify((thread?.messages ?? []).map((m) => ({ id: m.messageId, status: m.status }))),
  );
}
