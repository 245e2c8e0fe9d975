/**
 * Compte rendu de consultation as a non-structured (level 1) CDA, derived from the ANS example
 * TestContenuCDA-3-0/ExemplesCDA/DOC_NON_STRUCTURE_CDA-R2-N1.xml: CI-SIS header with the IHE
 * XDS-SD template, document code LOINC 11488-4, nonXMLBody holding a PDF built in code.
 */
import { buildPdf } from './pdf';
import { code, document, esc, header, PRACTITIONER_DISPLAY, type CdaContext, type CdaPatient, type DocumentContent } from './common';

export const CONSULTATION_REPORT = {
  code: '11488-4',
  displayName: 'CR ou fiche de consultation ou de visite',
  title: 'Compte rendu de consultation',
} as const;

export function consultationReportCda(patient: CdaPatient, content: DocumentContent, ctx: CdaContext): string {
  const title = content.title?.trim() || CONSULTATION_REPORT.title;
  const head = header(
    {
      templateIds: [{ root: '1.3.6.1.4.1.19376.1.2.20' }],
      code: CONSULTATION_REPORT.code,
      displayName: CONSULTATION_REPORT.displayName,
      title: CONSULTATION_REPORT.title,
      serviceEventCode: code(CONSULTATION_REPORT.code, CONSULTATION_REPORT.displayName, undefined, 'LOINC'),
    },
    { ...ctx, title },
    patient,
  );
  const pdf = buildPdf(title, [
    `Patient : ${patient.firstName} ${patient.birthName}, né(e) le ${patient.birthDate}`,
    `Auteur : ${ctx.author?.display ?? PRACTITIONER_DISPLAY}`,
    '',
    content.text ?? '',
  ]).toString('base64');
  return document(
    head,
    `<component><nonXMLBody><text mediaType="application/pdf" representation="B64">${esc(pdf)}</text></nonXMLBody></component>`,
  );
}
