/** The CDA of a document: built at validation and kept; for a draft, generated from what the editor holds. */
import { cdaPatient, generateCda, PRACTITIONER, practitionerOf, type Practitioner } from '../cda';
import type { TenantState } from '../tenant';
import { cannedContent, cannedPatient } from './canned';
import { patientOfDocument, type DocumentRecord } from './record';

/**
 * The document's author (and legal authenticator): the card holder of the workstation that
 * validated it (or wrote it, for a draft), with the idNat and name the practice knows for that
 * workstation. Seeded defect canned-author: the LGC's invented practitioner, whoever validated.
 */
export function documentAuthor(t: TenantState, d: DocumentRecord): Practitioner {
  return t.defects.has('canned-author') ? PRACTITIONER : practitionerOf(t.workstation(d.author));
}

function generate(t: TenantState, d: DocumentRecord): Buffer {
  const p = patientOfDocument(t, d);
  const xml = generateCda(
    d.type,
    cannedPatient(t.defects, cdaPatient(p, t.defects)),
    cannedContent(t.defects, d.content),
    { id: d.uniqueId, setId: d.setId, effectiveTime: d.validatedAt ?? new Date(), defects: t.defects, author: documentAuthor(t, d) },
    { ePrescriptionNumber: d.printed?.ePrescriptionNumber ?? null },
  );
  return Buffer.from(xml, 'utf8');
}

export function buildCda(t: TenantState, d: DocumentRecord): void {
  d.cda = generate(t, d);
}

/**
 * The CDA of the document as the LGC produced it (GET /testdriver/documents/{id}/content): the one
 * built at validation (sent or not); for a draft, generated now from what the editor holds.
 */
export function documentContent(t: TenantState, d: DocumentRecord): Buffer {
  return d.cda ?? generate(t, d);
}
