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

async function submit(ctx: CallContext, tenant: TenantState, outgoing: Outgoing): Promise<MssRecord> {
  const mss = config(tenant);
  const domain = mss.mailbox.slice(mss.mailbox.lastIndexOf('@') + 1) || 'vigie-ref-lgc.invalid';
  const internetMessageId = `<${randomUUID()}@${domain}>`;
  const transport = createTransport({
    host: mss.smtp.host,
    port: mss.smtp.port,
    secure: false,
    auth: { user: mss.mailbox, pass: mss.password },
    // The operator's certificate is checked against the CA reset gave (doubles.tls); without one, not checked.
    tls: tenant.doubles.tls ? { ca: tenant.doubles.tls.ca } : { rejectUnauthorized: false },
    requireTLS: !!tenant.doubles.tls,
    ...SMTP_TIMEOUTS,
  });
  const abort = (): void => transport.close();
  ctx.cancel.addEventListener('abort', abort, { once: true });
  try {
    await transport.sendMail({
      from: mss.mailbox,
      to: outgoing.address,
      envelope: { from: mss.mailbox, to: [outgoing.address] },
      subject: outgoing.subject,
      text: outgoing.text,
      messageId: internetMessageId,
      ...(outgoing.readReceipt && !tenant.defects.has('no-read-receipt-request')
        ? { headers: { 'Disposition-Notification-To': `<${mss.mailbox}>` } }
        : {}),
      attachments: outgoing.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    });
  } catch (e) {
    throw new MssUnavailable(`Envoi impossible par la messagerie sécurisée : ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    ctx.cancel.removeEventListener('abort', abort);
    transport.close();
  }
  const rec: MssRecord = {
    id: tenant.messaging.newId(),
    direction: 'out',
    ...(outgoing.patientId ? { patientId: outgoing.patientId } : {}),
    address: outgoing.address,
    subject: outgoing.subject,
    status: 'sent',
    internetMessageId,
    at: new Date().toISOString(),
  };
  tenant.messaging.messages.set(rec.id, rec);
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
  tenant: TenantState,
  patient: Patient,
  ws: Workstation,
  late: () => Omit<Outgoing, 'address'>,
): Promise<string> {
  try {
    return await addressOrRefuse(ctx, tenant, patient, ws);
  } catch (e) {
    if (e instanceof Unprocessable && tenant.defects.has('mss-to-patient-late')) {
      const message = { ...late(), address: guessedPatientAddress(patient) };
      void later(ctx, tenant, LATE_DEFECT_MS, () => submit(ctx, tenant, message));
    }
    throw e;
  }
}

export async function sendSecureMessage(ctx: CallContext, tenant: TenantState, ws: Workstation, req: OutgoingRequest): Promise<SentView> {
  config(tenant);
  let address: string;
  let patient: Patient | undefined;
  if ('patientId' in req.to) {
    patient = tenant.patients.get(req.to.patientId);
    if (!patient) throw new NotFound('unknown-patient', `no patient ${req.to.patientId} in tenant ${tenant.name}`);
    const recipient = patient;
    address = await addressOrSendLate(ctx, tenant, recipient, ws, () => ({
      patientId: recipient.id,
      subject: req.subject,
      text: req.body,
      attachments: req.attachments.flatMap((id) => {
        const doc = tenant.documents.get(id);
        return doc && doc.patientId === recipient.id ? [attachmentFor(tenant, doc, true)] : [];
      }),
      readReceipt: req.readReceipt,
    }));
  } else {
    address = req.to.address;
    // a patient address typed by hand is tied to the patient it belongs to, when known
    patient = [...tenant.patients.values()].find((p) => lower(patientMssAddress(tenant, p) ?? '') === lower(address));
  }
  const toPatient = isPatientAddress(address);
  const docs = req.attachments.map((id) => {
    const doc = tenant.documents.get(id);
    if (!doc || (patient && 'patientId' in req.to && doc.patientId !== patient.id)) {
      throw new Unprocessable('unknown-document', `Pièce jointe introuvable dans le dossier : ${id}`);
    }
    return doc;
  });
  const rec = await submit(ctx, tenant, {
    address,
    ...(patient ? { patientId: patient.id } : {}),
    subject: req.subject,
    text: req.body,
    attachments: docs.map((d) => attachmentFor(tenant, d, toPatient)),
    readReceipt: req.readReceipt,
  });
  if (patient) tenant.messaging.ended.delete(patient.id); // writing again opens a new exchange
  return { messageId: rec.id, address, internetMessageId: rec.internetMessageId };
}

/** MSS-07: « mettre fin aux échanges » sends a message whose subject is exactly [FIN]. */
export async function endExchange(
  ctx: CallContext,
  tenant: TenantState,
  ws: Workstation,
  patient: Patient,
): Promise<{ messageId: string }> {
  config(tenant);
  const fin = (): Omit<Outgoing, 'address'> => ({
    patientId: patient.id,
    subject: tenant.defects.has('fin-lowercase') ? '[Fin]' : FIN_SUBJECT,
    text: FIN_BODY,
    attachments: [],
    readReceipt: false,
  });
  const address = await addressOrSendLate(ctx, tenant, patient, ws, fin);
  const rec = await submit(ctx, tenant, { ...fin(), address });
  tenant.messaging.ended.add(patient.id);
  return { messageId: rec.id };
}
