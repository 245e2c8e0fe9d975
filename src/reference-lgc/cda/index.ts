/** The reference LGC's CDA documents by type, and their XDS metadata codes. */
import { nirKey } from '../insi-client';
import type { Patient } from '../tenant';
import { INS_NIR_OID, type CdaContext, type CdaDefects, type CdaPatient, type DocumentContent } from './common';
import { CONSULTATION_REPORT, consultationReportCda } from './consultation-report';
import { PRESCRIPTION, prescriptionCda } from './prescription';
import { VAC_NOTE, vaccinationNoteCda } from './vac-note';
import { VSM_DOC_CODE, vsmCda } from './vsm';

export type { CdaContext, CdaDefects, CdaPatient, DocumentContent, Vaccination } from './common';
export { vaccineCoding } from './vac-note';
export {
  newOid,
  PRACTITIONER,
  PRACTITIONER_DISPLAY,
  RPPS_OID,
  STRUCTURE_OID,
  INS_NIR_OID,
  LOCAL_PATIENT_ID_OID,
  practitionerOf,
  rppsOf,
  type Practitioner,
} from './common';
export { vaccinationNoteCda, vsmCda, prescriptionCda, consultationReportCda };

export type DocumentType = 'prescription' | 'vaccination-note' | 'vsm' | 'consultation-report';
export const DOCUMENT_TYPES: readonly DocumentType[] = ['prescription', 'vaccination-note', 'vsm', 'consultation-report'];

export interface Coded {
  code: string;
  display: string;
  scheme: string;
}

export interface TypeMeta {
  /** CDA code = XDS typeCode (JDV_J07-XdsTypeCode-CISIS, LOINC) */
  typeCode: Coded;
  /** XDS classCode (TRE_A03-ClasseDocument, 1.2.250.1.213.1.1.4.1) */
  classCode: Coded;
  /** XDS formatCode (JDV_J10-XdsFormatCode-CISIS) */
  formatCode: Coded;
  title: string;
}

const LOINC = '2.16.840.1.113883.6.1';
const CLASS = '1.2.250.1.213.1.1.4.1';
const FORMAT_ANS = '1.2.250.1.213.1.1.4.2.282'; // TRE_A06-FormatCodeComplementaire
const FORMAT_IHE = '1.3.6.1.4.1.19376.1.2.3'; // TRE_A11-IheFormatCode

export const TYPE_META: Record<DocumentType, TypeMeta> = {
  prescription: {
    typeCode: { code: PRESCRIPTION.code, display: PRESCRIPTION.displayName, scheme: LOINC },
    classCode: { code: '42', display: 'Prescription', scheme: CLASS },
    formatCode: { code: 'urn:ihe:pharm:pre:2010', display: 'Prescription de médicaments', scheme: FORMAT_IHE },
    title: PRESCRIPTION.title,
  },
  'vaccination-note': {
    typeCode: { code: VAC_NOTE.code, display: VAC_NOTE.displayName, scheme: LOINC },
    classCode: { code: '45', display: 'Traitement administré', scheme: CLASS },
    formatCode: { code: 'urn:asip:ci-sis:vac-note:2021', display: 'Note de vaccination', scheme: FORMAT_ANS },
    title: VAC_NOTE.title,
  },
  vsm: {
    typeCode: { code: VSM_DOC_CODE.code, display: VSM_DOC_CODE.displayName, scheme: VSM_DOC_CODE.codeSystem },
    classCode: { code: '11', display: 'Synthèse', scheme: CLASS },
    formatCode: { code: 'urn:asip:ci-sis:vsm:2012', display: 'Synthèse médicale', scheme: FORMAT_ANS },
    title: VSM_DOC_CODE.title,
  },
  'consultation-report': {
    typeCode: { code: CONSULTATION_REPORT.code, display: CONSULTATION_REPORT.displayName, scheme: LOINC },
    classCode: { code: '10', display: 'Compte rendu', scheme: CLASS },
    formatCode: { code: 'urn:ihe:iti:xds-sd:pdf:2008', display: 'Document à corps non structuré en Pdf/A-1', scheme: FORMAT_IHE },
    title: CONSULTATION_REPORT.title,
  },
};

/** The patient's INS as 15 characters (matricule + key), when known. */
export function ins15(patient: Patient): string | undefined {
  const matricule = patient.ins.matricule;
  if (!matricule) return undefined;
  const key = patient.ins.key ?? nirKey(matricule);
  return key ? `${matricule}${key}` : undefined;
}

/** OID of the patient's INS (the one INSi named, if it is an INS OID; else INS-NIR). */
export function insOid(patient: Patient): string {
  const oid = patient.ins.oid;
  return oid && /^1\.2\.250\.1\.213\.1\.4\.(8|9|10|11)$/.test(oid) ? oid : INS_NIR_OID;
}

/**
 * The CDA view of a patient: the INS only when the identity is qualified (CDA-03). Seeded defect
 * ins-in-unqualified-cda: the INS is put in whenever it is known, qualified or not.
 */
export function cdaPatient(patient: Patient, defects?: CdaDefects): CdaPatient {
  const value = patient.ins.status === 'qualified' || defects?.has('ins-in-unqualified-cda') ? ins15(patient) : undefined;
  const file = patient.file;
  return {
    localId: patient.id,
    ...(value ? { ins: { value, oid: insOid(patient) } } : {}),
    birthName: file.birthName,
    ...(file.usedName ? { usedName: file.usedName } : {}),
    firstName: file.firstName,
    ...(file.firstNames ? { firstNames: file.firstNames } : {}),
    sex: file.sex,
    birthDate: file.birthDate,
    ...(file.birthPlace ? { birthPlace: file.birthPlace } : {}),
  };
}

/** Generate the CDA of a document of `type`. */
export function generateCda(
  type: DocumentType,
  patient: CdaPatient,
  content: DocumentContent,
  ctx: CdaContext,
  extras: { ePrescriptionNumber?: string | null } = {},
): string {
  switch (type) {
    case 'prescription':
      return prescriptionCda(patient, content, ctx, extras);
    case 'vaccination-note':
      return vaccinationNoteCda(patient, content.vaccinations, ctx);
    case 'vsm':
      return vsmCda(patient, content, ctx);
    case 'consultation-report':
      // seeded defect ins-missing-from-qualified-n1: the N1 (PDF) code path never writes the INS
      return consultationReportCda(
        ctx.defects?.has('ins-missing-from-qualified-n1') ? { ...patient, ins: undefined } : patient,
        content,
        ctx,
      );
  }
}
