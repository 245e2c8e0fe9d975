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
export function documentAuthor(tenant: TenantState, doc: DocumentRecord): Practitioner {
  return tenant.defects.has('canned-author') ? PRACTITIONER : practitionerOf(tenant.workstation(doc.author));
}

function generate(tenant: TenantState, doc: DocumentRecord): Buffer {
  const patient = patientOfDocument(tenant, doc);
  const xml = generateCda(
    doc.type,
    cannedPatient(tenant.defects, cdaPatient(patient, tenant.defects)),
    cannedContent(tenant.defects, doc.content),
    {
      id: doc.uniqueId,
      setId: doc.setId,
      effectiveTime: doc.validatedAt ?? new Date(),
      defects: tenant.defects,
      author: documentAuthor(tenant, doc),
    },
    { ePrescriptionNumber: doc.printed?.ePrescriptionNumber ?? null },
  );
  return Buffer.from(xml, 'utf8');
}

export function buildCda(tenant: TenantState, doc: DocumentRecord): void {
  doc.cda = generate(tenant, doc);
}

/**
 * The CDA of the document as the LGC produced it (GET /testdriver/documents/{id}/content): the one
 * built at validation (sent or not); for a draft, generated now from what the editor holds.
 */
export function documentContent(tenant: TenantState, doc: DocumentRecord): Buffer {
  return doc.cda ?? generate(tenant, doc);
}
