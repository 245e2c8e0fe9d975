/**
 * Secure messaging (MSSanté, MSS-01/05/07/08/10): writing to a patient at <INS>@patient.mssante.fr
 * or to a professional, attachments (PDF to patients, CDA in an IHE XDM zip to professionals),
 * read receipts, [FIN], and reading the practice's mailbox over POP3 to link bounces (RFC 3464),
 * read receipts (RFC 8098) and patients' replies to their messages and patients. With its seeded defects.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { ins15, LOCAL_PATIENT_ID_OID, PRACTITIONER_DISPLAY, TYPE_META } from './cda';
import { frDate } from './cda/common';
import { buildPdf } from './cda/pdf';
import { submitObjectsRequest } from './dmp-client';
import { Conflict, documentContent, metadataSpec, patientCx, Unprocessable, type DocumentRecord } from './documents';
import { callInsi, nirKey } from './insi-client';
import { pop3FetchAndDelete } from './pop3-client';
import type { MssConfig, MssRecord, Patient, TenantState, Workstation } from './tenant';
import { emetteur, traitsQuery, type CallContext } from './triggers';
import { BadRequest, isObject } from './validation';
import { writeZip } from './zip';

export const PATIENT_DOMAIN = 'patient.mssante.fr';
export const NO_MSS_ADDRESS = "INS non qualifiée : pas d'adresse de messagerie Mon espace santé";
export const NOT_CONFIGURED = 'MSSanté : messagerie non configurée';
export const FIN_SUBJECT = '[FIN]';
export const FIN_BODY = 'Le professionnel de santé a mis fin aux échanges par messagerie sécurisée.';
export const SMTP_TIMEOUTS = { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10000 };

/** The MSSanté operator could not be reached or refused the message (answered 502). */
export class MssUnavailable extends Error {
  readonly code = 'mss-unavailable';
}

/** An unknown patient named in the request (answered 404). */
export class NotFound extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface OutgoingRequest {
  to: { patientId: string } | { address: string };
  subject: string;
  body: string;
  attachments: string[];
  readReceipt: boolean;
}

const ADDRESS = /^[^@\s<>,;"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253})$/;

export function parseOutgoing(body: Record<string, unknown>): OutgoingRequest {
  const to = body.to;
  if (!isObject(to)) throw new BadRequest('to: an object { patientId } or { address } is required');
  const hasPatient = to.patientId !== undefined && to.patientId !== null;
  const hasAddress = to.address !== undefined && to.address !== null;
  if (hasPatient === hasAddress) throw new BadRequest('to: exactly one of patientId, address is required');
  let target: OutgoingRequest['to'];
  if (hasPatient) {
    if (typeof to.patientId !== 'string' || to.patientId.trim() === '') throw new BadRequest('to.patientId: a non-empty string is required');
    target = { patientId: to.patientId };
  } else {
    if (typeof to.address !== 'string' || !ADDRESS.test(to.address.trim())) throw new BadRequest('to.address: an e-mail address is required');
    target = { address: to.address.trim() };
  }
  if (typeof body.subject !== 'string') throw new BadRequest('subject: a string is required');
  if (typeof body.body !== 'string') throw new BadRequest('body: a string is required');
  if (/[\r\n]/.test(body.subject)) throw new BadRequest('subject: a single line is required');
  const atts = body.attachments ?? [];
  if (!Array.isArray(atts)) throw new BadRequest('attachments: an array is required');
  const attachments = atts.map((a, i) => {
    if (!isObject(a) || typeof a.documentId !== 'string' || a.documentId === '') throw new BadRequest(`attachments[${i}].documentId: a non-empty string is required`);
    return a.documentId;
  });
  const rr = body.readReceipt;
  if (rr !== undefined && rr !== null && typeof rr !== 'boolean') throw new BadRequest('readReceipt: a boolean is required');
  return { to: target, subject: body.subject, body: body.body, attachments, readReceipt: rr === true };
}

function config(t: TenantState): MssConfig {
  const c = t.doubles.mss;
  if (!c) throw new Conflict('mss-not-configured', NOT_CONFIGURED);
  return c;
}

const lower = (a: string): string => a.trim().replace(/^<|>$/g, '').toLowerCase();
const bareId = (id: string): string => id.trim().replace(/^<|>$/g, '').toLowerCase();
const isPatientAddress = (a: string): boolean => lower(a).endsWith(`@${PATIENT_DOMAIN}`);

/**
 * MSS-01: <INS 15 characters>@patient.mssante.fr from the QUALIFIED INS (matricule then key), else
 * no address. Seeded defects: mss-address-without-key (13 characters), mss-address-for-unqualified
 * (the INS INSi returned, or the card's NIR, qualified or not).
 */
export function patientMssAddress(t: TenantState, p: Patient): string | undefined {
  const withoutKey = t.defects.has('mss-address-without-key');
  const fromIns = (): string | undefined => {
    const m = p.ins.matricule;
    if (!m) return undefined;
    const v = withoutKey ? m : ins15(p);
    return v ? `${v.toUpperCase()}@${PATIENT_DOMAIN}` : undefined;
  };
  if (p.ins.status === 'qualified') return fromIns();
  if (!t.defects.has('mss-address-for-unqualified')) return undefined;
  const recovered = fromIns();
  if (recovered) return recovered;
  const nir = p.cardMatricule;
  if (!nir) return undefined;
  const key = nirKey(nir);
  return withoutKey ? `${nir.toUpperCase()}@${PATIENT_DOMAIN}` : key ? `${nir.toUpperCase()}${key}@${PATIENT_DOMAIN}` : undefined;
}

async function addressOrRefuse(ctx: CallContext, t: TenantState, p: Patient, ws: Workstation): Promise<string> {
  const a = patientMssAddress(t, p) ?? (await insiLookupAddress(ctx, t, p, ws));
  if (!a) throw new Unprocessable('no-mss-address', NO_MSS_ADDRESS);
  return a;
}

/**
 * Seeded defect mss-address-for-unqualified, when nothing is known of the patient's INS: the
 * messaging module asks INSi itself (traits search) and writes to the INS returned, unqualified.
 */
async function insiLookupAddress(ctx: CallContext, t: TenantState, p: Patient, ws: Workstation): Promise<string | undefined> {
  if (!t.defects.has('mss-address-for-unqualified') || p.ins.status !== 'none' || p.cardMatricule) return undefined;
  const r = await callInsi(t.insiUrl, traitsQuery(t, p.file), emetteur(ws), Math.min(t.options.insiTimeoutMs, 5000), ctx.cancel);
  if (r.outcome !== 'found' || !r.ins) return undefined;
  const m = r.ins.matricule.toUpperCase();
  const v = t.defects.has('mss-address-without-key') ? m : `${m}${r.ins.key ?? nirKey(m) ?? ''}`;
  return `${v}@${PATIENT_DOMAIN}`;
}

// ---------------------------------------------------------------------------------------------
// Attachments (MSS-10)

interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

function slug(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'document';
}

/** The document as the patient reads it: its text, printed to a PDF. */
export function documentPdf(t: TenantState, d: DocumentRecord): Buffer {
  const p = t.patients.get(d.patientId);
  const c = d.content;
  const title = c.title ?? TYPE_META[d.type].title;
  const lines: string[] = [];
  if (p) lines.push(`Patient : ${p.file.firstName} ${p.file.usedName ?? p.file.birthName}, né(e) le ${frDate(p.file.birthDate)}`);
  lines.push(`Auteur : ${PRACTITIONER_DISPLAY}`, `Date : ${frDate((d.validatedAt ?? d.createdAt).toISOString().slice(0, 10))}`, '');
  if (c.text) lines.push(c.text, '');
  for (const l of c.lines) lines.push(`- ${l.product}${l.dosage ? ` : ${l.dosage}` : ''}`);
  for (const v of c.vaccinations) lines.push(`- Vaccin : ${v.vaccine}${v.lot ? `, lot ${v.lot}` : ''}${v.date ? `, le ${frDate(v.date)}` : ''}`);
  if (c.problems.length) lines.push('Problèmes :', ...c.problems.map((x) => `- ${x}`));
  if (c.treatments.length) lines.push('Traitements :', ...c.treatments.map((x) => `- ${x}`));
  if (c.allergies.length) lines.push('Allergies :', ...c.allergies.map((x) => `- ${x}`));
  if (c.medecinTraitant) lines.push(`Médecin traitant : ${c.medecinTraitant}`);
  return buildPdf(title, lines);
}

const XDM_README = (now: Date): string =>
  [
    'IHE XDM package (IHE ITI TF-1 chapter 16, TF-3 4.2.3)',
    '',
    'Produced by: Vigie reference LGC 0.1.0 (test software, not for clinical use)',
    `Date: ${now.toISOString()}`,
    '',
    'Content:',
    '  INDEX.HTM                        this package, in HTML',
    '  README.TXT                       this file',
    '  IHE_XDM/SUBSET01/METADATA.XML    XDS metadata (ebRIM SubmitObjectsRequest)',
    '  IHE_XDM/SUBSET01/DOC0001.XML     the clinical document (HL7 CDA R2)',
    '',
  ].join('\r\n');

/** IHE XDM package of the document's CDA, with its XDS metadata (MSS-10, between professionals). */
export function xdmPackage(t: TenantState, d: DocumentRecord): Buffer {
  const p = t.patients.get(d.patientId);
  if (!p) throw new Conflict('unknown-patient', `no patient ${d.patientId}`);
  const cda = documentContent(t, d);
  const cx = (p.ins.status === 'qualified' ? patientCx(p) : undefined) ?? `${p.id}^^^&${LOCAL_PATIENT_ID_OID}&ISO^PI`;
  const now = new Date();
  const spec = { ...metadataSpec(t, p, d, cx), cda, submissionTime: now };
  const metadata = submitObjectsRequest(spec, { URI: ['DOC0001.XML'] });
  const title = spec.title.replace(/[<>&"]/g, ' ');
  const index =
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>IHE XDM</title></head><body>' +
    `<h1>${title}</h1><ul><li><a href="IHE_XDM/SUBSET01/DOC0001.XML">DOC0001.XML</a> (CDA R2)</li>` +
    '<li><a href="IHE_XDM/SUBSET01/METADATA.XML">METADATA.XML</a></li><li><a href="README.TXT">README.TXT</a></li></ul></body></html>\r\n';
  return writeZip([
    { name: 'INDEX.HTM', content: Buffer.from(index, 'utf8') },
    { name: 'README.TXT', content: Buffer.from(XDM_README(now), 'utf8') },
    { name: 'IHE_XDM/SUBSET01/METADATA.XML', content: Buffer.from(metadata, 'utf8') },
    { name: 'IHE_XDM/SUBSET01/DOC0001.XML', content: cda },
  ], now);
}

function attachmentFor(t: TenantState, d: DocumentRecord, toPatient: boolean): Attachment {
  const base = `${slug(d.content.title ?? TYPE_META[d.type].title)}-${d.id}`;
  const bareCda = (): Attachment => ({ filename: `${base}.xml`, contentType: 'text/xml', content: documentContent(t, d) });
  if (toPatient) {
    if (t.defects.has('cda-to-patient')) return bareCda();
    return { filename: `${base}.pdf`, contentType: 'application/pdf', content: documentPdf(t, d) };
  }
  if (t.defects.has('cda-without-xdm')) return bareCda();
  return { filename: `${base}-IHE_XDM.zip`, contentType: 'application/zip', content: xdmPackage(t, d) };
}

// ---------------------------------------------------------------------------------------------
// Sending

interface Outgoing {
  address: string;
  patientId?: string;
  subject: string;
  text: string;
  attachments: Attachment[];
  readReceipt: boolean;
}

async function submit(ctx: CallContext, t: TenantState, o: Outgoing): Promise<MssRecord> {
  const c = config(t);
  const domain = c.mailbox.slice(c.mailbox.lastIndexOf('@') + 1) || 'vigie-ref-lgc.invalid';
  const internetMessageId = `<${randomUUID()}@${domain}>`;
  const transport = createTransport({
    host: c.smtp.host,
    port: c.smtp.port,
    secure: false,
    auth: { user: c.mailbox, pass: c.password },
    tls: { rejectUnauthorized: false }, // the operator's certificate is not checked here (test double)
    ...SMTP_TIMEOUTS,
  });
  const abort = (): void => transport.close();
  ctx.cancel.addEventListener('abort', abort, { once: true });
  try {
    await transport.sendMail({
      from: c.mailbox,
      to: o.address,
      envelope: { from: c.mailbox, to: [o.address] },
      subject: o.subject,
      text: o.text,
      messageId: internetMessageId,
      ...(o.readReceipt && !t.defects.has('no-read-receipt-request') ? { headers: { 'Disposition-Notification-To': `<${c.mailbox}>` } } : {}),
      attachments: o.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    });
  } catch (e) {
    throw new MssUnavailable(`Envoi impossible par la messagerie sécurisée : ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    ctx.cancel.removeEventListener('abort', abort);
    transport.close();
  }
  const rec: MssRecord = {
    id: t.messaging.newId(),
    direction: 'out',
    ...(o.patientId ? { patientId: o.patientId } : {}),
    address: o.address,
    subject: o.subject,
    status: 'sent',
    internetMessageId,
    at: new Date().toISOString(),
  };
  t.messaging.messages.set(rec.id, rec);
  return rec;
}

export interface SentView {
  messageId: string;
  address: string;
  internetMessageId: string;
}

export async function sendSecureMessage(ctx: CallContext, t: TenantState, ws: Workstation, req: OutgoingRequest): Promise<SentView> {
  config(t);
  let address: string;
  let patient: Patient | undefined;
  if ('patientId' in req.to) {
    patient = t.patients.get(req.to.patientId);
    if (!patient) throw new NotFound('unknown-patient', `no patient ${req.to.patientId} in tenant ${t.name}`);
    address = await addressOrRefuse(ctx, t, patient, ws);
  } else {
    address = req.to.address;
    // a patient address typed by hand is tied to the patient it belongs to, when known
    patient = [...t.patients.values()].find((p) => lower(patientMssAddress(t, p) ?? '') === lower(address));
  }
  const toPatient = isPatientAddress(address);
  const docs = req.attachments.map((id) => {
    const d = t.documents.get(id);
    if (!d || (patient && 'patientId' in req.to && d.patientId !== patient.id)) {
      throw new Unprocessable('unknown-document', `Pièce jointe introuvable dans le dossier : ${id}`);
    }
    return d;
  });
  const rec = await submit(ctx, t, {
    address,
    ...(patient ? { patientId: patient.id } : {}),
    subject: req.subject,
    text: req.body,
    attachments: docs.map((d) => attachmentFor(t, d, toPatient)),
    readReceipt: req.readReceipt,
  });
  if (patient) t.messaging.ended.delete(patient.id); // writing again opens a new exchange
  return { messageId: rec.id, address, internetMessageId: rec.internetMessageId };
}

/** MSS-07: « mettre fin aux échanges » sends a message whose subject is exactly [FIN]. */
export async function endExchange(ctx: CallContext, t: TenantState, ws: Workstation, p: Patient): Promise<{ messageId: string }> {
  config(t);
  const address = await addressOrRefuse(ctx, t, p, ws);
  const rec = await submit(ctx, t, {
    address,
    patientId: p.id,
    subject: t.defects.has('fin-lowercase') ? '[Fin]' : FIN_SUBJECT,
    text: FIN_BODY,
    attachments: [],
    readReceipt: false,
  });
  t.messaging.ended.add(p.id);
  return { messageId: rec.id };
}

// ---------------------------------------------------------------------------------------------
// Reading the mailbox (MSS-05, MSS-08, replies)

/** The top-level parts of a multipart body (bytes between the boundary lines, without their CRLF). */
export function mimeParts(raw: Buffer, boundary: string): Buffer[] {
  const text = raw.toString('latin1'); // one char per byte: indexes are byte offsets
  const delim = `--${boundary}`;
  const parts: Buffer[] = [];
  let at = text.startsWith(delim) ? 0 : text.indexOf(`\n${delim}`);
  if (at > 0) at += 1;
  while (at >= 0) {
    const after = at + delim.length;
    if (text.startsWith('--', after)) break;
    const nl = text.indexOf('\n', after);
    if (nl < 0) break;
    const next = text.indexOf(`\n${delim}`, nl + 1);
    if (next < 0) {
      parts.push(raw.subarray(nl + 1));
      break;
    }
    parts.push(raw.subarray(nl + 1, text[next - 1] === '\r' ? next - 1 : next));
    at = next + 1;
  }
  return parts;
}

/** The body of a MIME part (after its header block). */
function partBody(part: Buffer): string {
  const text = part.toString('utf8');
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(m.index + m[0].length) : '';
}

function fieldValues(text: string, name: string): string[] {
  const re = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'gim');
  return [...text.matchAll(re)].map((m) => m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim());
}

const idsIn = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => [...s.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!.toLowerCase()));

interface Report {
  human: string;
  fields: string;
  originalIds: string[];
}

/** A multipart/report (RFC 6522): its human-readable part, its machine-readable fields, the original's Message-ID. */
async function readReport(raw: Buffer, mail: ParsedMail, boundary: string | undefined): Promise<Report> {
  const parts = boundary ? mimeParts(raw, boundary) : [];
  let human = '';
  let fields = '';
  const originalIds: string[] = [];
  for (const part of parts) {
    const head = part.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
    const type = (/^content-type[ \t]*:[ \t]*([^;\s]+)/im.exec(head)?.[1] ?? 'text/plain').toLowerCase();
    if (!human && type === 'text/plain') {
      human = ((await simpleParser(part, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true })).text ?? '').trim();
    } else if (type === 'message/delivery-status' || type === 'message/disposition-notification') {
      fields += `${partBody(part)}\n`;
    } else if (type === 'message/rfc822' || type === 'text/rfc822-headers') {
      const originalHead = partBody(part).split(/\r?\n\r?\n/)[0] ?? '';
      originalIds.push(...fieldValues(originalHead, 'Message-ID').flatMap((v) => idsIn(v)));
    }
  }
  if (!human) human = (mail.text ?? '').trim();
  if (!fields) fields = raw.toString('utf8');
  return { human, fields, originalIds };
}

function findOut(t: TenantState, ids: string[]): MssRecord | undefined {
  const wanted = new Set(ids.map(bareId));
  return [...t.messaging.messages.values()].find((m) => m.direction === 'out' && wanted.has(bareId(m.internetMessageId)));
}

function latestOutTo(t: TenantState, addresses: string[]): MssRecord | undefined {
  const wanted = new Set(addresses.map(lower));
  return [...t.messaging.messages.values()].reverse().find((m) => m.direction === 'out' && m.status === 'sent' && wanted.has(lower(m.address)));
}

async function linkMail(t: TenantState, raw: Buffer): Promise<void> {
  const m = t.messaging;
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch (e) {
    m.unlinked.push({ kind: 'message', from: '', subject: '', text: `message illisible : ${String(e)}`, receivedAt: new Date().toISOString() });
    return;
  }
  const key = mail.messageId ? bareId(mail.messageId) : createHash('sha256').update(raw).digest('hex');
  if (m.seen.has(key)) return;
  m.seen.add(key);
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | string | undefined;
  const type = (typeof ct === 'string' ? ct : ct?.value ?? '').toLowerCase();
  const params = typeof ct === 'object' && ct ? ct.params ?? {} : {};
  const reportType = (params['report-type'] ?? '').toLowerCase();
  const from = mail.from?.value[0]?.address ?? '';
  const subject = mail.subject ?? '';
  const receivedAt = (mail.date ?? new Date()).toISOString();
  const replyIds = [...idsIn(mail.inReplyTo), ...idsIn(mail.references)];

  if (type === 'multipart/report' && reportType === 'delivery-status') {
    if (t.defects.has('bounce-dropped')) return; // seeded defect: read, deleted, never shown
    const r = await readReport(raw, mail, params.boundary);
    const recipients = fieldValues(r.fields, 'Final-Recipient').map((v) => v.replace(/^[^;]*;\s*/, ''));
    const target = findOut(t, [...r.originalIds, ...replyIds]) ?? latestOutTo(t, recipients);
    if (target) {
      target.status = 'bounced';
      target.bounce = { text: r.human || subject };
      return;
    }
    m.unlinked.push({ kind: 'bounce', from, subject, text: r.human || subject, receivedAt });
    return;
  }
  if (type === 'multipart/report' && reportType === 'disposition-notification') {
    const r = await readReport(raw, mail, params.boundary);
    const disposition = fieldValues(r.fields, 'Disposition')[0] ?? '';
    const target = findOut(t, [...fieldValues(r.fields, 'Original-Message-ID').flatMap((v) => idsIn(v)), ...r.originalIds, ...replyIds]);
    if (target && /displayed/i.test(disposition)) {
      if (target.status !== 'bounced') target.status = 'read';
      target.readAt = receivedAt;
      return;
    }
    if (!target) m.unlinked.push({ kind: 'read-receipt', from, subject, text: r.human || subject, receivedAt });
    return;
  }
  // a message: from a patient, it goes to that patient's thread
  let patientId: string | undefined;
  if (isPatientAddress(from)) {
    patientId = findOut(t, replyIds)?.patientId ?? latestPatientOf(t, from);
  }
  if (!patientId) {
    m.unlinked.push({ kind: 'message', from, subject, text: (mail.text ?? '').trim(), receivedAt });
    return;
  }
  const rec: MssRecord = {
    id: m.newId(),
    direction: 'in',
    patientId,
    address: lower(from),
    subject,
    status: 'received',
    internetMessageId: mail.messageId ?? `<${key}@unknown>`,
    at: receivedAt,
  };
  m.messages.set(rec.id, rec);
}

function latestPatientOf(t: TenantState, address: string): string | undefined {
  const sent = [...t.messaging.messages.values()].reverse().find((x) => x.patientId && lower(x.address) === lower(address));
  if (sent?.patientId) return sent.patientId;
  return [...t.patients.values()].find((p) => lower(patientMssAddress(t, p) ?? '') === lower(address))?.id;
}

/** Reads the practice's mailbox (one POP3 session at a time per tenant). Resolves to an error text, or undefined. */
export function readMailbox(ctx: CallContext, t: TenantState): Promise<string | undefined> {
  const c = config(t);
  const m = t.messaging;
  const run = m.reading.then(async () => {
    // shutdown or a new reset of the tenant stops the read (AbortSignal.any needs Node ≥ 20.3)
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    const sources = [ctx.cancel, t.cancel.signal];
    for (const s of sources) {
      if (s.aborted) stop.abort();
      else s.addEventListener('abort', onAbort, { once: true });
    }
    let raws: Buffer[];
    try {
      raws = await pop3FetchAndDelete({ host: c.pop3.host, port: c.pop3.port, user: c.mailbox, password: c.password, cancel: stop.signal });
    } catch (e) {
      return `Lecture de la messagerie impossible : ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      for (const s of sources) s.removeEventListener('abort', onAbort);
    }
    for (const raw of raws) await linkMail(t, raw);
    return undefined;
  });
  m.reading = run.catch(() => undefined);
  return run;
}

export interface ThreadView {
  messages: Array<{ messageId: string; direction: 'out' | 'in'; subject: string; status: MssRecord['status']; at: string; bounce?: { text: string }; readAt?: string }>;
  ended: boolean;
  /** bounces the LGC could not tie to a message (MSS-05: shown, never dropped) — an extension of the contract */
  unlinkedBounces?: Array<{ subject: string; text: string; receivedAt: string }>;
  /** the mailbox could not be read: what is shown is what was known before — an extension of the contract */
  mailboxError?: string;
}

export async function patientThread(ctx: CallContext, t: TenantState, p: Patient): Promise<ThreadView> {
  const error = await readMailbox(ctx, t);
  const messages = [...t.messaging.messages.values()]
    .filter((m) => m.patientId === p.id)
    .map((m) => ({
      messageId: m.id,
      direction: m.direction,
      subject: m.subject,
      status: m.status,
      at: m.at,
      ...(m.bounce ? { bounce: { ...m.bounce } } : {}),
      ...(m.readAt ? { readAt: m.readAt } : {}),
    }));
  const unlinked = t.messaging.unlinked.filter((u) => u.kind === 'bounce').map((u) => ({ subject: u.subject, text: u.text, receivedAt: u.receivedAt }));
  return {
    messages,
    ended: t.messaging.ended.has(p.id),
    ...(unlinked.length ? { unlinkedBounces: unlinked } : {}),
    ...(error ? { mailboxError: error } : {}),
  };
}
