import type { DocumentContent, DocumentType } from '../../src/drivers/driver';

/**
 * The documents a professional writes in the scenarios, as typed in the editor. The content is
 * Vigie's (invented, like the people); a feature may give its own in a table (SEND-12), and the
 * oracles compare what reached the DMP with what was typed here — never with what a particular
 * LGC is known to produce.
 */
export interface DocumentSpec {
  name: string;
  type: DocumentType;
  content: DocumentContent;
}

const today = () => new Date().toISOString().slice(0, 10);

export const DOCUMENTS: Record<string, () => DocumentSpec> = {
  'a consultation report': () => ({
    name: 'a consultation report',
    type: 'consultation-report',
    content: { title: 'Consultation du jour', text: 'Examen clinique sans particularité. Tension artérielle 12/8.' },
  }),
  'another consultation report': () => ({
    name: 'another consultation report',
    type: 'consultation-report',
    content: { title: 'Consultation de suivi', text: 'Évolution favorable.' },
  }),
  'a prescription': () => ({
    name: 'a prescription',
    type: 'prescription',
    content: { lines: [{ product: 'PARACETAMOL 1 g, comprimé', dosage: '1 comprimé 3 fois par jour pendant 5 jours' }] },
  }),
  'a VSM': () => ({
    name: 'a VSM',
    type: 'vsm',
    content: {
      problems: ['Hypertension artérielle essentielle'],
      treatments: ['AMLODIPINE 5 mg, 1 comprimé le matin'],
      allergies: ['Pénicilline'],
      medecinTraitant: 'Dr Anne PRATICIEN',
    },
  }),
  'a vaccination': () => ({
    name: 'a vaccination',
    type: 'vaccination-note',
    content: { vaccinations: [{ vaccine: 'Vaccin grippal tétravalent', lot: 'FLU2026A', date: today() }] },
  }),
};

export const DOCUMENT_NAMES = Object.keys(DOCUMENTS);

/** The document of a feature's table: one row per item (| product | dosage |, | vaccine | lot | date |, | kind | text |). */
export function documentFromTable(type: DocumentType, rows: Record<string, string>[]): DocumentSpec {
  const date = (d: string) => (d === 'today' ? today() : d);
  switch (type) {
    case 'prescription':
      return { name: 'a prescription', type, content: { lines: rows.map((r) => ({ product: r.product, dosage: r.dosage })) } };
    case 'vaccination-note':
      return {
        name: 'a vaccination',
        type,
        content: { vaccinations: rows.map((r) => ({ vaccine: r.vaccine, lot: r.lot, date: date(r.date) })) },
      };
    case 'vsm': {
      const of = (k: string) => rows.filter((r) => r.kind === k).map((r) => r.text);
      return {
        name: 'a VSM',
        type,
        content: { problems: of('problem'), treatments: of('treatment'), allergies: of('allergy'), medecinTraitant: 'Dr Anne PRATICIEN' },
      };
    }
    case 'consultation-report':
      return {
        name: 'a consultation report',
        type,
        content: { title: rows[0]?.title ?? 'Consultation', text: rows.map((r) => r.text).join('\n') },
      };
  }
}

export function documentNamed(name: string): DocumentSpec {
  const make = DOCUMENTS[name];
  if (!make) throw new Error(`no document "${name}" in steps/support/documents.ts (known: ${DOCUMENT_NAMES.join(', ')})`);
  return make();
}
