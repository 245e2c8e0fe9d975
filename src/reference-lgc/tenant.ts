/** Per-tenant in-memory state: patients, documents, double endpoints, options, settings, defects. */
import { DefectSet } from './defect-set';
import type { ClientTls } from './http-post';
import type { DocumentRecord } from './documents';

export type Sex = 'M' | 'F' | 'I';
export type Trigger = 'carte-vitale' | 'open-file' | 'start-of-day';
export type Outcome = 'pending' | 'found' | 'not-found' | 'several' | 'error' | 'no-answer';
export type InsStatus = 'none' | 'recovered' | 'qualified';

export interface Traits {
  birthName: string;
  usedName?: string;
  firstName: string;
  firstNames?: string;
  sex: Sex;
  birthDate: string;
  birthPlace?: string;
}

export interface Workstation {
  role: 'PS' | 'secretariat';
  card: 'CPS' | 'CPE-nominative' | 'CPE-anonymous';
  /** the card holder's name, for a nominative card */
  user?: string;
  /** the card holder's national identifier (for a CPS: "8" followed by the RPPS) */
  idNat?: string;
}

export interface CarteVitale {
  matricule: string;
  key?: string;
  birthName: string;
  firstName: string;
  birthDate: string;
  birthRank?: string;
}

export interface InsState {
  status: InsStatus;
  matricule?: string;
  key?: string;
  oid?: string;
  qualifiedBy?: string;
}

export interface LastCall {
  at: string;
  trigger: Trigger;
  outcome: Outcome;
  code?: string;
  message?: string;
}

export interface Patient {
  id: string;
  file: Traits;
  appointments: string[];
  /** matricule of a Carte Vitale already read for this patient */
  cardMatricule?: string;
  ins: InsState;
  lastCall: LastCall | null;
  /** sequence number of the call recorded in lastCall */
  lastCallSeq: number;
  /** INSi traits of the latest 'found' answer */
  insiTraits: Traits | null;
  /** triggers of the calls that returned an identity */
  foundBy: Set<Trigger>;
  /** Whether qualification was proposed when the last INSi trigger started (seeded defect offer-decided-before-answer). */
  offerAtTrigger?: boolean;
  /** OPP-03/04: the recorded answer about consulting the patient's DMP (undefined: never asked). */
  dmpNonOpposition?: boolean;
}

export interface TenantOptions {
  insiTimeoutMs: number;
  ePrescriptionTimeoutMs: number;
  dmpTimeoutMs: number;
}

export interface DmpEndpoints {
  repositoryUrl: string;
  registryUrl: string;
}

/** The national-service doubles of a tenant (INSi is required, the others optional). */
export interface TenantDoubles {
  insiUrl: string;
  dmp?: DmpEndpoints;
  /** base URL of the ordonnance numérique teleservice; absent: the module is not installed */
  ePrescriptionUrl?: string;
  /** the MSSanté operator and the practice's mailbox on it; absent: messaging is not configured */
  mss?: MssConfig;
  /** the CA and client certificate for the services' HTTPS endpoints (mutual TLS); absent: the system's trust, no certificate */
  tls?: ClientTls;
}

export interface MssConfig {
  smtp: { host: string; port: number };
  pop3: { host: string; port: number };
  mailbox: string;
  password: string;
}

export type MssStatus = 'sent' | 'bounced' | 'read' | 'received';

/** One secure message of the practice, sent or received (MSS-01..10). */
export interface MssRecord {
  id: string;
  direction: 'out' | 'in';
  /** the patient whose thread shows it (undefined: a message to/from a professional) */
  patientId?: string;
  /** the other party's address */
  address: string;
  subject: string;
  status: MssStatus;
  /** the Message-ID header, with angle brackets */
  internetMessageId: string;
  at: string;
  bounce?: { text: string };
  readAt?: string;
}

/** Mail read from the practice's mailbox that could not be tied to a message or patient (MSS-05: kept, never dropped). */
export interface UnlinkedMail {
  kind: 'bounce' | 'read-receipt' | 'message';
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
}

export class MessagingState {
  readonly messages = new Map<string, MssRecord>();
  readonly unlinked: UnlinkedMail[] = [];
  /** patients whose exchange was ended with [FIN] (MSS-07) */
  readonly ended = new Set<string>();
  /** Message-IDs (or digests) of mails already read from the mailbox (a failed QUIT brings them back) */
  readonly seen = new Set<string>();
  /** serialises the mailbox reads (one POP3 session at a time: the maildrop is locked) */
  reading: Promise<unknown> = Promise.resolve();
  private next = 1;
  newId(): string {
    return `m${this.next++}`;
  }
}

/** The settings screen (SEND-07: insi and dmpFeeding stay on unless a seeded defect lets them go). */
export interface TenantSettings {
  insi: boolean;
  dmpFeeding: boolean;
  ePrescription: boolean;
}

export const DEFAULT_INSI_TIMEOUT_MS = 30000;
export const DEFAULT_EPRESCRIPTION_TIMEOUT_MS = 5000;
export const DEFAULT_DMP_TIMEOUT_MS = 30000;

export class TenantState {
  readonly patients = new Map<string, Patient>();
  readonly documents = new Map<string, DocumentRecord>();
  readonly settings: TenantSettings;
  /** aborted when the tenant is reset again (stops its background work, e.g. DMP retries) */
  readonly cancel = new AbortController();
  /** secure messaging (MSSanté): messages sent and read, per patient */
  readonly messaging = new MessagingState();
  /** seeded defect send-choice-remembered: the box state of the last validated document */
  lastSendChoice?: boolean;
  /** seeded defect send-choice-remembered-per-type: the box state of the last validated document of each type */
  readonly lastSendChoiceByType = new Map<string, boolean>();
  private nextPatient = 1;
  private nextCall = 1;
  private nextDocument = 1;
  constructor(
    readonly name: string,
    readonly doubles: TenantDoubles,
    readonly options: TenantOptions,
    readonly defects: DefectSet,
    /** the practice's workstations and the cards in their readers (reset's `workstations`) */
    readonly workstations: Workstation[] = [],
  ) {
    this.settings = { insi: true, dmpFeeding: true, ePrescription: doubles.ePrescriptionUrl !== undefined };
  }

  /**
   * The workstation as the practice knows it: the reset's workstation with the same role and card
   * (the card holder's name and idNat), else the one given. The web UI knows only role and card.
   */
  workstation(ws: Workstation): Workstation {
    const known = this.workstations.find((w) => w.role === ws.role && w.card === ws.card);
    return known ? { ...known, ...ws } : ws;
  }

  get insiUrl(): string {
    return this.doubles.insiUrl;
  }

  newDocumentId(): string {
    return `d${this.nextDocument++}`;
  }

  addPatient(file: Traits, appointments: string[] = []): Patient {
    const id = `p${this.nextPatient++}`;
    const patient: Patient = {
      id,
      file: { ...file },
      appointments: [...appointments],
      ins: { status: 'none' },
      lastCall: null,
      lastCallSeq: 0,
      insiTraits: null,
      foundBy: new Set(),
    };
    this.patients.set(id, patient);
    return patient;
  }

  newCallSeq(): number {
    return this.nextCall++;
  }
}

export class TenantStore {
  private readonly tenants = new Map<string, TenantState>();
  get(name: string): TenantState | undefined {
    return this.tenants.get(name);
  }
  reset(state: TenantState): void {
    this.tenants.get(state.name)?.cancel.abort();
    this.tenants.set(state.name, state);
  }
  /** every tenant's background work stops (shutdown) */
  abortAll(): void {
    for (const t of this.tenants.values()) t.cancel.abort();
  }
}
