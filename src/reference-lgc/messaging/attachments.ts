/** Attachments (MSS-10): a PDF of the document to a patient, its CDA in an IHE XDM package to a professional. */
import { LOCAL_PATIENT_ID_OID, TYPE_META } from '../cda';
import { frDate } from '../cda/common';
import { buildPdf } from '../cda/pdf';
import { submitObjectsRequest } from '../dmp-client';
import { documentAuthor, documentContent, metadataSpec, patientCx, type DocumentRecord } from '../documents';
import { Conflict } from '../errors';
import type { TenantState } from '../tenant';
import { writeZip } from '../zip';

export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

function slug(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'document'
  );
}

/** The document as the patient reads it: its text, printed to a PDF. */
export function documentPdf(tenant: TenantState, doc: DocumentRecord): Buffer {
  const patient = tenant.patients.get(doc.patientId);
  const content = doc.content;
  const title = content.title ?? TYPE_META[doc.type].title;
  const lines: string[] = [];
  if (patient)
    lines.push(
      `Patient : ${patient.file.firstName} ${patient.file.usedName ?? patient.file.birthName}, né(e) le ${frDate(patient.file.birthDate)}`,
    );
  lines.push(
    `Auteur : ${documentAuthor(tenant, doc).display}`,
    `Date : ${frDate((doc.validatedAt ?? doc.createdAt).toISOString().slice(0, 10))}`,
    '',
  );
  if (content.text) lines.push(content.text, '');
  for (const l of content.lines) lines.push(`- ${l.product}${l.dosage ? ` : ${l.dosage}` : ''}`);
  for (const v of content.vaccinations)
    lines.push(`- Vaccin : ${v.vaccine}${v.lot ? `, lot ${v.lot}` : ''}${v.date ? `, le ${frDate(v.date)}` : ''}`);
  if (content.problems.length) lines.push('Problèmes :', ...content.problems.map((x) => `- ${x}`));
  if (content.treatments.length) lines.push('Traitements :', ...content.treatments.map((x) => `- ${x}`));
  if (content.allergies.length) lines.push('Allergies :', ...content.allergies.map((x) => `- ${x}`));
  if (content.medecinTraitant) lines.push(`Médecin traitant : ${content.medecinTraitant}`);
  return buildPdf(title, lines);
}

const XDM_README = (now: Date): string =>
  [
    'IHE XDM package (IHE ITI TF-1 chapter 16, TF-3 4.2.3)',
    '',
    'Produced by: Vigie reference LGC 0.1.0 (test software, not for clinical use)',
    `Date: ${now.toISOString()}`,
    '',
    'Content:',
    '  INDEX.HTM                        this package, in HTML',
    '  README.TXT                       this file',
    '  IHE_XDM/SUBSET01/METADATA.XML    XDS metadata (ebRIM SubmitObjectsRequest)',
    '  IHE_XDM/SUBSET01/DOC0001.XML     the clinical document (HL7 CDA R2)',
    '',
  ].join('\r\n');

/** IHE XDM package of the document's CDA, with its XDS metadata (MSS-10, between professionals). */
export function xdmPackage(tenant: TenantState, doc: DocumentRecord): Buffer {
  const patient = tenant.patients.get(doc.patientId);
  if (!patient) throw new Conflict('unknown-patient', `no patient ${doc.patientId}`);
  const cda = documentContent(tenant, doc);
  const cx = (patient.ins.status === 'qualified' ? patientCx(patient) : undefined) ?? `${patient.id}^^^&${LOCAL_PATIENT_ID_OID}&ISO^PI`;
  const now = new Date();
  const spec = { ...metadataSpec(tenant, patient, doc, cx), cda, submissionTime: now };
  const metadata = submitObjectsRequest(spec, { URI: ['DOC0001.XML'] });
  const title = spec.title.replace(/[<>&"]/g, ' ');
  const index =
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>IHE XDM</title></head><body>' +
    `<h1>${title}</h1><ul><li><a href="IHE_XDM/SUBSET01/DOC0001.XML">DOC0001.XML</a> (CDA R2)</li>` +
    '<li><a href="IHE_XDM/SUBSET01/METADATA.XML">METADATA.XML</a></li><li><a href="README.TXT">README.TXT</a></li></ul></body></html>\r\n';
  return writeZip(
    [
      { name: 'INDEX.HTM', content: Buffer.from(index, 'utf8') },
      { name: 'README.TXT', content: Buffer.from(XDM_README(now), 'utf8') },
      { name: 'IHE_XDM/SUBSET01/METADATA.XML', content: Buffer.from(metadata, 'utf8') },
      { name: 'IHE_XDM/SUBSET01/DOC0001.XML', content: cda },
    ],
    now,
  );
}

export function attachmentFor(tenant: TenantState, doc: DocumentRecord, toPatient: boolean): Attachment {
  const base = `${slug(doc.content.title ?? TYPE_META[doc.type].title)}-${doc.id}`;
  const bareCda = (): Attachment => ({ filename: `${base}.xml`, contentType: 'text/xml', content: documentContent(tenant, doc) });
  if (toPatient) {
    if (tenant.defects.has('cda-to-patient')) return bareCda();
    return { filename: `${base}.pdf`, contentType: 'application/pdf', content: documentPdf(tenant, doc) };
  }
  if (tenant.defects.has('cda-without-xdm')) return bareCda();
  return { filename: `${base}-IHE_XDM.zip`, contentType: 'application/zip', content: xdmPackage(tenant, doc) };
}
