/** The CDA of a document: built at validation and kept; for a draft, generated from what the editor holds. */
import { cdaPatient, generateCda } from '../cda';
import type { TenantState } from '../tenant';
import { patientOfDocument, type DocumentRecord } from './record';

function generate(t: TenantState, d: DocumentRecord): Buffer {
  const p = patientOfDocument(t, d);
  const xml = generateCda(
    d.type,
    cdaPatient(p, t.defects),
    d.content,
    { id: d.uniqueId, setId: d.setId, effectiveTime: d.validatedAt ?? new Date(), defects: t.defects },
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

