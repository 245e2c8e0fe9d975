/**
 * Seeded defects canned-*: the CDA the LGC produces (and sends) carries a template's content for
 * one field instead of what the professional typed and validated (SEND-12) — the editor still
 * shows what was typed, and the CDA stays schema- and schematron-valid. canned-author is
 * documentAuthor's (content.ts).
 */
import type { CdaDefects, CdaPatient, DocumentContent } from '../cda';

export const CANNED = {
  product: 'AMOXICILLINE 1 g, comprimé dispersible',
  dosage: '1 comprimé matin et soir pendant 6 jours',
  vaccine: 'Vaccin pneumococcique polyosidique conjugué',
  lot: 'MODELE-LOT-01',
  date: '2023-01-15',
  problems: ['Dyslipidémie'],
  treatments: ['PERINDOPRIL 4 mg, 1 comprimé le matin'],
  allergies: ['Aucune allergie connue'],
  patient: { birthName: 'MODELE', firstName: 'PATIENT', birthDate: '1950-06-15' },
} as const;

/** The content as the template has it, for the fields whose defect is on. */
export function cannedContent(defects: CdaDefects, content: DocumentContent): DocumentContent {
  const has = (id: string): boolean => defects.has(id);
  return {
    ...content,
    lines: content.lines.map((l) => ({
      product: has('canned-prescription-product') ? CANNED.product : l.product,
      ...(l.dosage || has('canned-prescription-dosage') ? { dosage: has('canned-prescription-dosage') ? CANNED.dosage : l.dosage } : {}),
    })),
    vaccinations: content.vaccinations.map((v) => ({
      ...v,
      ...(has('canned-vaccine-name') ? { vaccine: CANNED.vaccine, code: undefined } : {}),
      ...(has('canned-vaccine-lot') ? { lot: CANNED.lot } : {}),
      ...(has('canned-vaccine-date') ? { date: CANNED.date } : {}),
    })),
    ...(has('canned-vsm-items')
      ? { problems: [...CANNED.problems], treatments: [...CANNED.treatments], allergies: [...CANNED.allergies] }
      : {}),
  };
}

/** canned-patient: the template patient's names and birth date; the identifiers (INS, local id) and sex stay the patient's. */
export function cannedPatient(defects: CdaDefects, patient: CdaPatient): CdaPatient {
  if (!defects.has('canned-patient')) return patient;
  const { usedName: _u, firstNames: _f, birthPlace: _b, ...rest } = patient;
  return { ...rest, ...CANNED.patient };
}
