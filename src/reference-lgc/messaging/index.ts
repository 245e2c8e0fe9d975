/**
 * Secure messaging (MSSanté, MSS-01/05/07/08/10), with its seeded defects: the patient's address
 * (address.ts), attachments (attachments.ts), writing and [FIN] (send.ts), reading the practice's
 * mailbox (mailbox.ts) and the patient's thread (thread.ts).
 */
export * from './common';
export * from './address';
export * from './attachments';
export * from './send';
export * from './mailbox';
export * from './thread';
export { MssUnavailable, NotFound } from '../errors';
