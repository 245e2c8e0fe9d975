/** Per-tenant in-memory state: patients, INSi endpoint, options, defects. */
import { DefectSet } from './defect-set';

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
  user?: string;
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
}

export interface TenantOptions {
  insiTimeoutMs: number;
}

export const DEFAULT_INSI_TIMEOUT_MS = 30000;

export class TenantState {
  readonly patients = new Map<string, Patient>();
  private nextPatient = 1;
  private nextCall = 1;
  constructor(
    readonly name: string,
    readonly insiUrl: string,
    readonly options: TenantOptions,
    readonly defects: DefectSet,
  ) {}

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
    this.tenants.set(state.name, state);
  }
}
