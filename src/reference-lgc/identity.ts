/** Identity rules: trait comparison, concordance, the identity panel, qualification checks. */
import type { DefectSet } from './defect-set';
import type { Patient, Traits, Workstation } from './tenant';
import { ATTESTATION, ATTESTATION_PARAPHRASED, EXCEPTION_LABEL, IDENTITY_DOCUMENTS, REFUSAL_MESSAGES, type RefusalReason } from './texts';

export const COMPARED_TRAITS = ['birthName', 'firstName', 'birthDate', 'sex'] as const;
export type ComparedTrait = (typeof COMPARED_TRAITS)[number];

export interface ComparisonRow {
  trait: ComparedTrait;
  file: string;
  insi: string;
  differs: boolean;
}

function value(traits: Traits, k: ComparedTrait): string {
  return String(traits[k] ?? '').trim();
}

/** File vs INSi, exact comparison (trim only): no case folding, no accent or punctuation normalisation. */
export function compareTraits(file: Traits, insi: Traits, defects: DefectSet): ComparisonRow[] {
  const rows = COMPARED_TRAITS.map((trait) => {
    const fileValue = value(file, trait);
    const i = value(insi, trait);
    return { trait, file: fileValue, insi: i, differs: fileValue !== i };
  }).filter((r) => !(r.trait === 'sex' && defects.has('comparison-without-sex')));
  if (defects.has('first-difference-only')) {
    let seen = false;
    for (const r of rows) {
      if (r.differs && seen) r.differs = false;
      else if (r.differs) seen = true;
    }
  }
  return rows;
}

/** Exact concordance of the four traits (trim only). */
export function concordant(file: Traits, insi: Traits): boolean {
  return COMPARED_TRAITS.every((k) => value(file, k) === value(insi, k));
}

function loose(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** The exception procedure's concordance check (QUAL-05), with its seeded defects. */
function exceptionConcordant(file: Traits, insi: Traits, defects: DefectSet): boolean {
  const namesOnly = defects.has('exception-checks-names-only');
  const traits = COMPARED_TRAITS.filter((k) => !(namesOnly && (k === 'sex' || k === 'birthDate')));
  const norm = defects.has('exception-loose-comparison') ? loose : (s: string) => s;
  return traits.every((k) => norm(value(file, k)) === norm(value(insi, k)));
}

export function documentsOffered(defects: DefectSet): string[] {
  const docs = [...IDENTITY_DOCUMENTS];
  return defects.has('documents-list-incomplete') ? docs.slice(0, 5) : docs;
}

export function attestation(defects: DefectSet): string {
  return defects.has('attestation-paraphrased') ? ATTESTATION_PARAPHRASED : ATTESTATION;
}

/** Whether INSi has returned an identity for this patient (at least one 'found' answer). */
export function hasInsiIdentity(patient: Patient): boolean {
  return patient.insiTraits !== null && patient.ins.matricule !== undefined;
}

export function qualificationOffered(patient: Patient, defects: DefectSet): boolean {
  if (patient.ins.status === 'qualified' || !hasInsiIdentity(patient)) return false;
  if (defects.has('offer-only-on-open-file')) return patient.foundBy.has('open-file');
  return true;
}

/** The proposal banner; with offer-decided-before-answer it is the one decided when the last trigger started. */
function offerBanner(patient: Patient, defects: DefectSet): boolean {
  if (defects.has('offer-decided-before-answer')) return patient.offerAtTrigger ?? false;
  return qualificationOffered(patient, defects);
}

export interface IdentityView {
  patientId: string;
  file: Traits;
  ins: Patient['ins'];
  insi: { lastCall: Patient['lastCall']; traits: Traits | null };
  qualification: {
    offered: boolean;
    concordant: boolean | null;
    comparison: ComparisonRow[];
    documents: string[];
    exceptionProcedure: { offered: boolean; attestation: string | null };
  };
}

export function identityView(patient: Patient, defects: DefectSet): IdentityView {
  const offered = qualificationOffered(patient, defects);
  const insi = patient.insiTraits;
  return {
    patientId: patient.id,
    file: { ...patient.file },
    ins: { ...patient.ins },
    insi: { lastCall: patient.lastCall ? { ...patient.lastCall } : null, traits: insi ? { ...insi } : null },
    qualification: {
      offered: offerBanner(patient, defects),
      concordant: insi ? concordant(patient.file, insi) : null,
      comparison: insi ? compareTraits(patient.file, insi, defects) : [],
      documents: documentsOffered(defects),
      exceptionProcedure: { offered, attestation: attestation(defects) },
    },
  };
}

export interface Refusal {
  reason: RefusalReason;
  message: string;
}

function refuse(reason: RefusalReason): Refusal {
  return { reason, message: REFUSAL_MESSAGES[reason] };
}

export interface QualifyRequest {
  workstation: Workstation;
  method: 'document' | 'exception';
  document?: string;
}

export interface QualifySuccess {
  qualified: true;
  clicks: number;
  screenChanges: number;
  shown: string[];
  ins: { status: 'qualified'; matricule?: string; oid?: string };
}

/**
 * Qualify the patient's INS (mutates the patient on success). Checks, in order: anonymous card
 * (QUAL-09), an INSi identity (QUAL-08), PS in person for the exception (QUAL-06), perfect
 * concordance for the exception (QUAL-05), concordance for a document (QUAL-08), known document.
 */
export function qualify(patient: Patient, req: QualifyRequest, defects: DefectSet): QualifySuccess | Refusal {
  const ws = req.workstation;
  const secretariatNominative = ws.role === 'secretariat' && ws.card === 'CPE-nominative';
  const cardChecked = !defects.has('anonymous-cpe-qualifies') && !(req.method === 'exception' && defects.has('exception-delegated'));
  if (ws.card === 'CPE-anonymous' && cardChecked) return refuse('anonymous-card');
  if (req.method === 'document' && secretariatNominative && defects.has('nominative-cpe-refused')) {
    return refuse('secretariat-not-allowed');
  }
  const lax = req.method === 'document' && defects.has('qualify-despite-discordance');
  const insi = patient.insiTraits;
  if (!hasInsiIdentity(patient) && !lax) return refuse('no-insi-identity');
  if (req.method === 'exception') {
    const inPerson = ws.role === 'PS' && ws.card === 'CPS';
    // exception-delegated: the exception path checks neither role nor card (anonymous CPE included).
    if (!inPerson && !(ws.role === 'secretariat' && defects.has('exception-delegated'))) {
      return refuse('exception-requires-ps');
    }
    if (!insi || !exceptionConcordant(patient.file, insi, defects)) return refuse('exception-requires-perfect-concordance');
  } else {
    if (!lax && (!insi || !concordant(patient.file, insi))) return refuse('discordant-traits');
    if (!req.document || !IDENTITY_DOCUMENTS.includes(req.document)) return refuse('unknown-document');
  }
  const label = req.method === 'exception' ? EXCEPTION_LABEL : (req.document as string);
  patient.ins = { ...patient.ins, status: 'qualified', qualifiedBy: label };
  const threeClicks = defects.has('qualify-in-three-clicks');
  const ins: QualifySuccess['ins'] = { status: 'qualified' };
  if (patient.ins.matricule !== undefined) ins.matricule = patient.ins.matricule;
  if (patient.ins.oid !== undefined) ins.oid = patient.ins.oid;
  return {
    qualified: true,
    clicks: threeClicks ? 3 : 1,
    screenChanges: threeClicks ? 1 : 0,
    shown: [req.method === 'exception' ? attestation(defects) : label],
    ins,
  };
}
