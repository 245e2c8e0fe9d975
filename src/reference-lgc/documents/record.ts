/** A document of the patient file as the editor holds it, what the API and the screens show of it, and the texts they show. */
import type { DocumentContent, DocumentType } from '../cda';
import type { Masking } from '../dmp-client';
import { Conflict } from '../errors';
import type { Patient, TenantState, Workstation } from '../tenant';

export type DmpStatus = 'not-sent' | 'pending' | 'sent' | 'refused' | 'error';

export const SEND_LABEL = "Information et non opposition du patient à l'alimentation de Mon espace santé";
export const INS_NOT_QUALIFIED_SEND = 'INS non qualifiée : envoi au DMP impossible';
/** Between two submissions after a network error / fault (at most 2 retries). */
export const DMP_RETRY_DELAY_MS = 200;
/** Seeded defect dmp-retry-forever: resubmission period. */
export const DMP_RETRY_FOREVER_MS = 100;
/** Seeded defect dmp-retry-every-2s: resubmission period after a refusal shown to the user. */
export const DMP_RETRY_SLOW_MS = 2000;
export const EPRESCRIPTION_FAILED = 'Ordonnance numérique indisponible : validation impossible';
export const PREFERENCES_DIALOG = "Préférences d'affichage";

export interface Click {
  purpose: string;
  label?: string;
}

export interface Printed {
  datamatrix: boolean;
  ePrescriptionNumber: string | null;
}

export interface DocumentRecord {
  id: string;
  patientId: string;
  type: DocumentType;
  content: DocumentContent;
  typeCode: string | null;
  typeCodeSetBy: 'automatic' | 'user' | null;
  status: 'draft' | 'validated';
  sendToDmp: { checked: boolean; label: string };
  maskedFrom: Masking[];
  dmp: { status: DmpStatus; message?: string; attempts: number };
  printed?: Printed;
  /** CDA id root = XDS uniqueId */
  uniqueId: string;
  setId: string;
  /** who wrote it, then who validated it: the workstation's card holder, its author (SEND-12) */
  author: Workstation;
  createdAt: Date;
  validatedAt?: Date;
  cda?: Buffer;
}

export interface DocumentView {
  documentId: string;
  patientId: string;
  type: DocumentType;
  typeCode: string | null;
  typeCodeSetBy: 'automatic' | 'user' | null;
  status: 'draft' | 'validated';
  sendToDmp: { checked: boolean; label: string };
  maskedFrom: Masking[];
  dmp: { status: DmpStatus; message?: string; attempts: number };
  printed?: Printed;
}

export interface ActionResult {
  clicks: Click[];
  screenChanges?: number;
  printed?: Printed;
  document?: DocumentView;
}

export const MEDECIN_TRAITANT_REQUIRED = 'Un médecin traitant est requis pour produire le VSM';

export function documentView(doc: DocumentRecord): DocumentView {
  return {
    documentId: doc.id,
    patientId: doc.patientId,
    type: doc.type,
    typeCode: doc.typeCode,
    typeCodeSetBy: doc.typeCodeSetBy,
    status: doc.status,
    sendToDmp: { ...doc.sendToDmp },
    maskedFrom: [...doc.maskedFrom],
    dmp: { ...doc.dmp },
    ...(doc.printed ? { printed: { ...doc.printed } } : {}),
  };
}

export function requireDraft(doc: DocumentRecord): void {
  if (doc.status !== 'draft') throw new Conflict('already-validated', 'Ce document est déjà validé.');
}

/** The patient whose file holds `doc`. */
export function patientOfDocument(tenant: TenantState, doc: DocumentRecord): Patient {
  const patient = tenant.patients.get(doc.patientId);
  if (!patient) throw new Conflict('unknown-patient', `no patient ${doc.patientId}`);
  return patient;
}
