/** Writing a secure message (to a patient or a professional), and ending the exchange with [FIN] (MSS-07). */
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { LATE_DEFECT_MS, later } from '../background';
import { MssUnavailable, NotFound, Unprocessable } from '../errors';
import type { MssRecord, Patient, TenantState, Workstation } from '../tenant';
import type { CallContext } from '../triggers';
import { BadRequest, isObject } from '../validation';
import { addressOrRefuse, guessedPatientAddress, patientMssAddress } from './address';
import { attachmentFor, type Attachment } from './attachments';
import { config, isPatientAddress, lower } from './common';

export const FIN_SUBJECT = '[FIN]';
export const FIN_BODY = 'Le professionnel de santé a mis fin aux échanges par messagerie sécurisée.';
export const SMTP_TIMEOUTS = { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10000 };

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
    if (typeof to.patientId !== 'string' || to.patientId.trim() === '')
      throw new BadRequest('to.patientId: a non-empty string is required');
    target = { patientId: to.patientId };
  } else {
    if (typeof to.address !== 'string' || !ADDRESS.test(to.address.trim()))
      throw new BadRequest('to.address: an e-mail address is required');
    target = { address: to.address.trim() };
  }
  if (typeof body.subject !== 'string') throw new BadRequest('subject: a string is required');
  if (typeof body.body !== 'string') throw new BadRequest('body: a string is required');
  if (/[\r\n]/.test(body.subject)) throw new BadRequest('subject: a single line is required');
  const atts = body.attachments ?? [];
  if (!Array.isArray(atts)) throw new BadRequest('attachments: an array is required');
  const attachments = atts.map((a, i) => {
    if (!isObject(a) || typeof a.documentId !== 'string' || a.documentId === '')
      throw new BadRequest(`attachments[${i}].documentId: a non-empty string is required`);
    return a.documentId;
  });
  const rr = body.readReceipt;
  if (rr !== undefined && rr !== null && typeof rr !== 'boolean') throw new BadRequest('readReceipt: a boolean is required');
  return { to: target, subject: body.subject, body: body.body, attachments, readReceipt: rr === true };
}

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
      ...(o.readReceipt && !t.defects.has('no-read-receipt-request')
        ? { headers: { 'Disposition-Notification-To': `<${c.mailbox}>` } }
        : {}),
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

/**
 * The patient's address, or the refusal (422). Seeded defect mss-to-patient-late: after refusing,
 * the message (`late`, with the patient's attachments) is sent anyway a moment later to an
 * address made from whatever the LGC has (guessedPatientAddress).
 */
async function addressOrSendLate(
  ctx: CallContext,
  t: TenantState,
  p: Patient,
  ws: Workstation,
  late: () => Omit<Outgoing, 'address'>,
): Promise<string> {
  try {
    return await addressOrRefuse(ctx, t, p, ws);
  } catch (e) {
    if (e instanceof Unprocessable && t.defects.has('mss-to-patient-late')) {
      const message = { ...late(), address: guessedPatientAddress(p) };
      void later(ctx, t, LATE_DEFECT_MS, () => submit(ctx, t, message));
    }
    throw e;
  }
}

export async function sendSecureMessage(ctx: CallContext, t: TenantState, ws: Workstation, req: OutgoingRequest): Promise<SentView> {
  config(t);
  let address: string;
  let patient: Patient | undefined;
  if ('patientId' in req.to) {
    patient = t.patients.get(req.to.patientId);
    if (!patient) throw new NotFound('unknown-patient', `no patient ${req.to.patientId} in tenant ${t.name}`);
    const p = patient;
    address = await addressOrSendLate(ctx, t, p, ws, () => ({
      patientId: p.id,
      subject: req.subject,
      text: req.body,
      attachments: req.attachments.flatMap((id) => {
        const d = t.documents.get(id);
        return d && d.patientId === p.id ? [attachmentFor(t, d, true)] : [];
      }),
      readReceipt: req.readReceipt,
    }));
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
  const fin = (): Omit<Outgoing, 'address'> => ({
    patientId: p.id,
    subject: t.defects.has('fin-lowercase') ? '[Fin]' : FIN_SUBJECT,
    text: FIN_BODY,
    attachments: [],
    readReceipt: false,
  });
  const address = await addressOrSendLate(ctx, t, p, ws, fin);
  const rec = await submit(ctx, t, { ...fin(), address });
  t.messaging.ended.add(p.id);
  return { messageId: rec.id };
}
