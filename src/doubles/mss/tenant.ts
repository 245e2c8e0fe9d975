/**
 * Per-tenant state of the MSSanté double: patient states, defects, mailboxes, conversations ([FIN],
 * messages a patient may answer, what was read); its messages and bounded waits come from the common tenant.
 */
import { TenantBase } from '../common/tenant';
import { PATIENT_DOMAIN, classifyAddress, normalizeAddress } from './ins-address';
import { bareId } from './mime';
import type { ConversationView, SentToPatient } from './rules';
import { MSS_DEFECTS, PATIENT_STATES } from './types';
import type { MssDefect, MssMessage, MssTenant, PatientState } from './types';

export type { SentToPatient } from './rules';

export interface MailboxInfo {
  organisational: boolean;
  kind: 'pharmacy' | 'professional';
}

/** What a tenant asks of the double (routing, generated messages, the global mailbox registry). */
export interface TenantHost {
  registerMailboxTenant(addr: string, tenant: string): void;
  forgetTenant(tenant: string): void;
  patientReads(t: TenantState, messageId: string): Promise<MssMessage | undefined>;
  patientReplies(t: TenantState, patientAddress: string, toMessageId: string, body: string): Promise<MssMessage>;
  patientWrites(t: TenantState, patientAddress: string, to: string, subject: string, body: string): Promise<MssMessage>;
}

export class TenantState extends TenantBase implements MssTenant, ConversationView {
  private states = new Map<string, PatientState>();
  private defectSet = new Set<MssDefect>();
  private mailboxes = new Map<string, MailboxInfo>();
  private readonly log = this.openLog<MssMessage>((n, filtered) => `has ${n} message(s)${filtered ? ' matching the filter' : ''}`, 'mail');
  private sent = new Map<string, SentToPatient>();
  private fins = new Map<string, number>();
  private read = new Map<number, MssMessage | undefined>();

  constructor(
    id: string,
    private readonly host: TenantHost,
  ) {
    super(id, 'MSS double');
  }

  mailboxFor(name: string, domain = 'medecin.mssante.fr'): string {
    if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(name)) {
      throw new Error(`MSS double: invalid mailbox name ${JSON.stringify(name)}`);
    }
    const lowerDomain = domain.toLowerCase();
    if (!lowerDomain.endsWith('.mssante.fr') || lowerDomain === PATIENT_DOMAIN) {
      throw new Error(
        `MSS double: a professional mailbox lives under <something>.mssante.fr other than ${PATIENT_DOMAIN}, not ${JSON.stringify(domain)}`,
      );
    }
    return `${name}.${this.id}@${lowerDomain}`;
  }

  registerMailbox(addr: string, options: { organisational?: boolean; kind?: 'pharmacy' | 'professional' } = {}): void {
    const classified = classifyAddress(addr);
    if (classified.kind !== 'professional') throw new Error(`MSS double: ${JSON.stringify(addr)} is not a professional MSSanté mailbox`);
    this.mailboxes.set(classified.address, { organisational: options.organisational === true, kind: options.kind ?? 'professional' });
    this.host.registerMailboxTenant(classified.address, this.id);
  }

  setPatientState(ins15: string, state: PatientState): void {
    if (!PATIENT_STATES.includes(state))
      throw new Error(`MSS double: unknown patient state ${JSON.stringify(state)} (expected one of ${PATIENT_STATES.join(', ')})`);
    this.states.set(insKeyOf(ins15), state);
  }

  patientState(ins15: string): PatientState {
    return this.states.get(insKeyOf(ins15)) ?? 'activé';
  }

  /** The state of a patient address's INS; 'activé' (the default) for a local part that is no INS at all. */
  stateOf(ins: string): PatientState {
    return /^[0-9AB]{1,20}$/.test(ins) ? this.patientState(ins) : 'activé';
  }

  setDefects(ids: MssDefect[]): void {
    const unknown = ids.filter((d) => !MSS_DEFECTS.includes(d));
    if (unknown.length) throw new Error(`MSS double: unknown defect(s) ${unknown.join(', ')} (known: ${MSS_DEFECTS.join(', ')})`);
    this.defectSet = new Set(ids);
  }

  defects(): MssDefect[] {
    return [...this.defectSet];
  }

  /** The seeded service defects in force (read by the rules). */
  defectsInForce(): ReadonlySet<MssDefect> {
    return this.defectSet;
  }

  hasDefect(defect: MssDefect): boolean {
    return this.defectSet.has(defect);
  }

  messages(): MssMessage[] {
    return this.log.all();
  }

  waitForMessages(n: number, timeoutMs: number, filter?: (m: MssMessage) => boolean): Promise<MssMessage[]> {
    return this.log.waitFor(n, timeoutMs, filter);
  }

  mailbox(addr: string): MssMessage[] {
    const address = normalizeAddress(addr);
    return this.log.all().filter((m) => m.deliveries.some((d) => d.to === address && d.outcome === 'delivered'));
  }

  patientReads(messageId: string): Promise<MssMessage | undefined> {
    return this.host.patientReads(this, messageId);
  }

  patientReplies(patientAddress: string, toMessageId: string, body: string): Promise<MssMessage> {
    return this.host.patientReplies(this, patientAddress, toMessageId, body);
  }

  patientWrites(patientAddress: string, to: string, subject: string, body: string): Promise<MssMessage> {
    return this.host.patientWrites(this, patientAddress, to, subject, body);
  }

  reset(): void {
    this.states.clear();
    this.defectSet.clear();
    this.mailboxes.clear();
    this.log.clear();
    this.sent.clear();
    this.fins.clear();
    this.read.clear();
    this.host.forgetTenant(this.id);
  }

  // ---- used by the double ----

  mailboxInfo(addr: string): MailboxInfo | undefined {
    return this.mailboxes.get(addr);
  }

  isPharmacy(addr: string): boolean {
    const mailbox = this.mailboxes.get(addr);
    return mailbox !== undefined && mailbox.organisational && mailbox.kind === 'pharmacy';
  }

  record(message: MssMessage): void {
    this.log.record(message);
  }

  findByMessageId(id: string): MssMessage | undefined {
    const wanted = bareId(id);
    return this.log.all().find((m) => {
      const mid = m.parsed?.messageId ?? m.parsed?.headers['message-id'];
      return mid !== undefined && bareId(mid) === wanted;
    });
  }

  recordSent(messageId: string | undefined, sent: SentToPatient): void {
    if (messageId) this.sent.set(bareId(messageId), sent);
  }

  sentToPatient(messageId: string): SentToPatient | undefined {
    return this.sent.get(bareId(messageId));
  }

  recordFin(professional: string, patient: string, seq: number): void {
    this.fins.set(`${professional}\n${patient}`, seq);
  }

  finSeq(professional: string, patient: string): number | undefined {
    return this.fins.get(`${professional}\n${patient}`);
  }

  /** The MDN already sent for a message the patient read (undefined when none was asked), or false when not read yet. */
  readState(seq: number): MssMessage | undefined | false {
    return this.read.has(seq) ? this.read.get(seq) : false;
  }

  markRead(seq: number, mdn: MssMessage | undefined): void {
    this.read.set(seq, mdn);
  }
}

/** Patient states are keyed by the 15-character INS, upper-cased (2A/2B); an address is accepted too. */
function insKeyOf(ins15: string): string {
  const ins = ins15.trim().replace(/@.*$/, '').toUpperCase();
  if (!/^[0-9AB]{1,20}$/.test(ins)) throw new Error(`MSS double: ${JSON.stringify(ins15)} is not an INS`);
  return ins;
}
