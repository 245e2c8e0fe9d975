/**
 * The patient's side of Mon espace santé, driven by a scenario through the tenant: the patient opens
 * a message (MSS-11: only once Mon espace santé is activated; MSS-08: one RFC 8098 read receipt when
 * asked for), replies to one, or writes first (MSS-06/07 apply, as to any message the operator receives).
 */
import { PATIENT_DOMAIN, classifyAddress, normalizeAddress } from './ins-address';
import { bareId, firstAddress } from './mime';
import { readReceipt, textMessage } from './generated';
import { recipientRefusal } from './rules';
import type { TenantState } from './tenant';
import type { MssGenerated, MssMessage, MssSessionInfo } from './types';

/** What the patient's side asks of the operator. */
export interface Operator {
  /** Records a message and applies the rules to it, as to one submitted over SMTP. */
  accept(from: string, to: string[], raw: Buffer, session: MssSessionInfo, generated?: MssGenerated): Promise<MssMessage[]>;
  /** Records and delivers a message the double wrote itself (no rules apply). */
  recordGenerated(t: TenantState, kind: MssGenerated, from: string, to: string, raw: Buffer, inResponseTo: number): Promise<MssMessage>;
}

const INTERNAL: MssSessionInfo = { via: 'internal' };

export async function patientReads(op: Operator, tenant: TenantState, messageId: string): Promise<MssMessage | undefined> {
  const msg = tenant.findByMessageId(messageId);
  if (!msg) throw new Error(`MSS double: tenant "${tenant.id}" has no message ${messageId}`);
  const delivery = msg.deliveries.find((d) => d.outcome === 'delivered' && classifyAddress(d.to).kind === 'patient');
  if (!delivery)
    throw new Error(
      `MSS double: message ${messageId} was not delivered to a patient (${msg.deliveries.map((d) => `${d.to}: ${d.outcome}`).join('; ')})`,
    );
  const patient = delivery.to;
  const state = tenant.patientState(patient);
  const readable = state === 'activé' || (state === 'créé non activé' && tenant.hasDefect('created-readable-without-activation'));
  if (!readable)
    throw new Error(`MSS double: patient ${patient} is "${state}" in tenant "${tenant.id}": Mon espace santé must be activated to read`);
  const already = tenant.readState(msg.seq);
  if (already !== false) return already; // RFC 8098 §2.1: at most one MDN per message
  const dnt = firstAddress(msg.parsed?.headers['disposition-notification-to']);
  if (!dnt) {
    tenant.markRead(msg.seq, undefined);
    return undefined;
  }
  const to = normalizeAddress(dnt);
  const raw = readReceipt({ raw: msg.raw, subject: msg.parsed?.subject, messageId: msg.parsed?.messageId ?? messageId }, patient, to);
  const mdn = await op.recordGenerated(tenant, 'mdn', '', to, raw, msg.seq);
  tenant.markRead(msg.seq, mdn);
  return mdn;
}

export async function patientReplies(
  op: Operator,
  tenant: TenantState,
  patientAddress: string,
  toMessageId: string,
  body: string,
): Promise<MssMessage> {
  const patient = patientOf(patientAddress);
  const original = tenant.findByMessageId(toMessageId);
  if (!original) throw new Error(`MSS double: tenant "${tenant.id}" has no message ${toMessageId} to reply to`);
  const fromHeader = firstAddress(original.parsed?.headers['from']);
  const to = fromHeader && classifyAddress(fromHeader).kind === 'professional' ? normalizeAddress(fromHeader) : original.envelope.from;
  if (!to) throw new Error(`MSS double: message ${toMessageId} has no sender to reply to`);
  const subject = original.parsed?.subject ?? '';
  const originalId = `<${bareId(original.parsed?.messageId ?? toMessageId)}>`;
  const raw = await textMessage({
    from: patient,
    to,
    subject: /^re\s*:/i.test(subject) ? subject : `Re: ${subject}`,
    body,
    inReplyTo: originalId,
    references: [...(original.parsed?.references ?? []).map((r) => `<${bareId(r)}>`), originalId],
  });
  return first(await op.accept(patient, [to], raw, INTERNAL, 'patient-reply'), tenant);
}

export async function patientWrites(
  op: Operator,
  tenant: TenantState,
  patientAddress: string,
  to: string,
  subject: string,
  body: string,
): Promise<MssMessage> {
  const patient = patientOf(patientAddress);
  const rcpt = normalizeAddress(to);
  const refused = recipientRefusal(classifyAddress(rcpt));
  if (refused) throw new Error(`MSS double: ${rcpt}: ${refused.message}`);
  const raw = await textMessage({ from: patient, to: rcpt, subject, body });
  return first(await op.accept(patient, [rcpt], raw, INTERNAL, 'patient-message'), tenant);
}

function patientOf(addr: string): string {
  const classified = classifyAddress(addr);
  if (classified.kind !== 'patient')
    throw new Error(`MSS double: ${JSON.stringify(addr)} is not a patient address (<INS>@${PATIENT_DOMAIN})`);
  return classified.address;
}

/** The record of the message in this tenant (a message is recorded once per tenant involved). */
function first(msgs: MssMessage[], tenant: TenantState): MssMessage {
  const record = msgs.find((x) => x.tenant === tenant.id) ?? msgs[0];
  if (!record) throw new Error('MSS double: the message was not recorded');
  return record;
}
