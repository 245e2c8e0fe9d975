/** Public types of the MSSanté double (the harness codes against these names). */

/** MSS-11: the state of a patient's Mon espace santé, per tenant (default 'activé'). */
export type PatientState = 'activé' | 'créé non activé' | 'opposé' | 'clôturé';
export const PATIENT_STATES: readonly PatientState[] = ['activé', 'créé non activé', 'opposé', 'clôturé'];

/** Seeded defects of the service side, switchable per tenant. */
export type MssDefect =
  | 'bounce-text-paraphrased' // MSS-02 sentence reworded (« est inconnue » instead of « n'existe pas »)
  | 'closed-bounce-missing' // clôturé patients: message silently dropped, no DSN
  | 'invalid-address-accepted' // wrong-key / wrong-length addresses are delivered
  | 'fin-delivered' // [FIN] delivered to the patient, and replies still accepted
  | 'patient-may-write-first' // patients may start conversations with anyone
  | 'no-test-autoresponder' // reponse.automatique-test@ never answers
  | 'created-not-activated-bounced' // 'créé non activé' patients get the MSS-02 bounce
  | 'opposed-delivered' // opposé patients: delivered, no bounce
  | 'activated-not-delivered' // activé patients: the message is swallowed, never delivered, no bounce
  | 'replies-refused' // a patient's reply is refused like a first message
  | 'pharmacy-not-organisational' // organisational pharmacy mailboxes treated as ordinary ones
  | 'activated-not-notified' // activé patients: delivered, but never notified of it
  | 'created-readable-without-activation'; // créé non activé patients: the message can be read without activating
export const MSS_DEFECTS: readonly MssDefect[] = [
  'bounce-text-paraphrased',
  'closed-bounce-missing',
  'invalid-address-accepted',
  'fin-delivered',
  'patient-may-write-first',
  'no-test-autoresponder',
  'created-not-activated-bounced',
  'opposed-delivered',
  'activated-not-delivered',
  'replies-refused',
  'pharmacy-not-organisational',
  'activated-not-notified',
  'created-readable-without-activation',
];

export type DeliveryOutcome =
  | 'delivered'
  | 'bounced' // accepted by SMTP, then a DSN went back to the sender (MSS-02/03/04)
  | 'refused' // a patient's message refused by MSS-06/07 (a DSN went back to the patient when possible)
  | 'not-delivered-fin' // a [FIN] message: ends the exchange, never shown to the patient (MSS-07)
  | 'autoreplied' // taken by the TEST autoresponder (MSS-09)
  | 'dropped'; // silently lost (only with the 'closed-bounce-missing' defect, or a bounce to the null sender)

export interface MssDelivery {
  to: string;
  outcome: DeliveryOutcome;
  reason?: string;
  /** Sequence number of the DSN / autoreply generated for this recipient, when there is one. */
  generatedSeq?: number;
  /** To a patient (MSS-11): the patient was notified of the new message (e-mail / SMS of Mon espace santé). */
  notified?: boolean;
  /** To a patient (MSS-11): the patient must activate Mon espace santé before reading it. */
  mustActivate?: boolean;
}

export interface MssAttachment {
  filename?: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface MssParsed {
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  from?: string;
  to?: string[];
  /** Lower-cased header names; repeated headers joined with "\n". Unfolded, decoded as UTF-8 (latin1 fallback). */
  headers: Record<string, string>;
  text?: string;
  attachments: MssAttachment[];
}

export type MssGenerated = 'dsn' | 'mdn' | 'autoreply' | 'patient-reply' | 'patient-message';

export interface MssSessionInfo {
  /** 'smtp' for a message submitted over the socket, 'internal' for one the double made itself. */
  via: 'smtp' | 'internal';
  remoteAddress?: string;
  tls?: boolean;
  /** The AUTH user, when the client authenticated. */
  authUser?: string;
  helo?: string;
}

export interface MssMessage {
  seq: number;
  tenant: string;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  /** The message exactly as received (after SMTP dot-unstuffing), byte for byte. */
  raw: Buffer;
  parsed?: MssParsed;
  /** Set when mailparser could not parse the message (the raw bytes are kept all the same). */
  parseError?: string;
  deliveries: MssDelivery[];
  generated?: MssGenerated;
  /** For a generated message: the seq of the message it answers (bounce, receipt, autoreply). */
  inResponseTo?: number;
  session: MssSessionInfo;
}

export interface MssDoubleOptions {
  host?: string;
  smtpPort?: number;
  pop3Port?: number;
  /** POP3S (TLS from the first byte), when STARTTLS is on; 0 or absent: any free port. */
  pop3sPort?: number;
  advertisedHost?: string;
  /** A client that sends nothing for this long is dropped (SMTP and POP3). Default 30 000 ms. */
  idleTimeoutMs?: number;
  /** SMTP SIZE limit in wire bytes. Default 72 MiB (a 50 MiB attachment, base64-encoded). */
  maxMessageBytes?: number;
  /**
   * Offer STARTTLS (SMTP), STLS and POP3S (default true) with the given PEMs (`vigie serve` and the
   * runs give the test PKI's server certificate), else the shipped self-signed one.
   */
  starttls?: boolean;
  tlsKey?: string | Buffer;
  tlsCert?: string | Buffer;
  /** mailparser is given at most this long per message (default 20 000 ms); past it, parseError is recorded. */
  parseTimeoutMs?: number;
}

export interface MssTenant {
  readonly id: string;
  /** e.g. mailboxFor('cabinet') → 'cabinet.<tenant>@medecin.mssante.fr' */
  mailboxFor(name: string, domain?: string): string;
  registerMailbox(addr: string, o?: { organisational?: boolean; kind?: 'pharmacy' | 'professional' }): void;
  setPatientState(ins15: string, state: PatientState): void;
  patientState(ins15: string): PatientState;
  setDefects(ids: MssDefect[]): void;
  defects(): MssDefect[];
  messages(): MssMessage[];
  waitForMessages(n: number, timeoutMs: number, filter?: (m: MssMessage) => boolean): Promise<MssMessage[]>;
  /** What was delivered to that mailbox in this tenant (incl. DSN, MDN, autoreplies, patient replies). */
  mailbox(addr: string): MssMessage[];
  /** The patient opens a delivered message; returns the MDN sent when Disposition-Notification-To asked for one. */
  patientReads(messageId: string): Promise<MssMessage | undefined>;
  /** The patient replies from the Mon espace santé web mail (MSS-06/07 rules apply). */
  patientReplies(patientAddress: string, toMessageId: string, body: string): Promise<MssMessage>;
  /** The patient starts a conversation (MSS-06: refused unless to an organisational pharmacy mailbox). */
  patientWrites(patientAddress: string, to: string, subject: string, body: string): Promise<MssMessage>;
  reset(): void;
}
