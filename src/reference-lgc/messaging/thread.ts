/** The patient's secure-messaging thread as shown (the mailbox is read first). */
import type { MssRecord, Patient, TenantState } from '../tenant';
import type { CallContext } from '../triggers';
import { readMailbox } from './mailbox';

export interface ThreadView {
  messages: Array<{
    messageId: string;
    direction: 'out' | 'in';
    subject: string;
    status: MssRecord['status'];
    at: string;
    bounce?: { text: string };
    readAt?: string;
  }>;
  ended: boolean;
  /** bounces the LGC could not tie to a message (MSS-05: shown, never dropped) — an extension of the contract */
  unlinkedBounces?: Array<{ subject: string; text: string; receivedAt: string }>;
  /** the mailbox could not be read: what is shown is what was known before — an extension of the contract */
  mailboxError?: string;
}

export async function patientThread(ctx: CallContext, tenant: TenantState, patient: Patient): Promise<ThreadView> {
  const error = await readMailbox(ctx, tenant);
  const messages = [...tenant.messaging.messages.values()]
    .filter((m) => m.patientId === patient.id)
    .map((m) => ({
      messageId: m.id,
      direction: m.direction,
      subject: m.subject,
      status: m.status,
      at: m.at,
      ...(m.bounce ? { bounce: { ...m.bounce } } : {}),
      ...(m.readAt ? { readAt: m.readAt } : {}),
    }));
  const unlinked = tenant.messaging.unlinked
    .filter((u) => u.kind === 'bounce')
    .map((u) => ({ subject: u.subject, text: u.text, receivedAt: u.receivedAt }));
  return {
    messages,
    ended: tenant.messaging.ended.has(patient.id),
    ...(unlinked.length ? { unlinkedBounces: unlinked } : {}),
    ...(error ? { mailboxError: error } : {}),
  };
}
