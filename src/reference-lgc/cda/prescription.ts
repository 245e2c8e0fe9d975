/**
 * Prescription de produits de santé (eP-MED-DM 2024.01, posologie non structurée), derived from the
 * ANS example TestContenuCDA-3-0/ExemplesCDA/eP-MED-DM_2024.01_PosoNonStruct.xml: same header
 * (serviceEvent id = the ordonnance numérique number when the teleservice gave one), a
 * FR-Prescription-medicaments section with one FR-Traitement-prescrit entry per line (posology
 * as narrative text, substitution allowed; the entry's text refers to the line's row of the
 * narrative, product and posology, its product to the product's cell) and the FR-Document-PDF-copie section holding the
 * printed copy. Products are typed as free text: code nullFlavor + originalText (CDA-06).
 * As EP-MED-DM 2024.01 requires: the validity period of the prescription in
 * documentationOf/serviceEvent/effectiveTime (low = the prescription, high = 3 months later, the
 * usual validity of a prescription of medicines), and one FR-En-rapport-avec-ALD entry per line
 * (value false: the reference LGC's editor has no ALD ordonnancier bizone).
 */
import { buildPdf } from './pdf';
import {
  addMonths,
  code,
  document,
  esc,
  frDate,
  hasDefect,
  header,
  hl7Date,
  hl7Time,
  newUuid,
  PRACTITIONER_DISPLAY,
  type CdaContext,
  type CdaPatient,
  type DocumentContent,
} from './common';

export const PRESCRIPTION = {
  code: '57833-6',
  displayName: 'Prescription de produits de santé',
  title: 'Prescription de médicaments',
} as const;

/** Validity of a prescription of medicines (months from the prescription). */
export const PRESCRIPTION_VALIDITY_MONTHS = 3;

/** Seeded defect cda-code-disagrees-with-metadata: the document code of a consultation report. */
const WRONG_CODE = { code: '11488-4', displayName: 'CR ou fiche de consultation ou de visite' } as const;

export interface PrescriptionExtras {
  /** number given by the ordonnance numérique teleservice (null: printed without the 2D code) */
  ePrescriptionNumber?: string | null;
}

export function prescriptionPdf(
  patientName: string,
  content: DocumentContent,
  number?: string | null,
  author = PRACTITIONER_DISPLAY,
): Buffer {
  return buildPdf(`Ordonnance - ${author}`, [
    `Patient : ${patientName}`,
    ...content.lines.map((l) => `- ${l.product}${l.dosage ? ` : ${l.dosage}` : ''}`),
    number ? `Ordonnance numérique n° ${number}` : 'Ordonnance sans code 2D ordonnance numérique',
  ]);
}

export function prescriptionCda(patient: CdaPatient, content: DocumentContent, ctx: CdaContext, extras: PrescriptionExtras = {}): string {
  const number = extras.ePrescriptionNumber ?? undefined;
  const docCode = hasDefect(ctx, 'cda-code-disagrees-with-metadata') ? WRONG_CODE : PRESCRIPTION;
  const head = header(
    {
      templateIds: [
        { root: '1.3.6.1.4.1.19376.1.9.1.1.1' },
        { root: '1.3.6.1.4.1.19376.1.5.3.1.1.1' },
        { root: '1.2.250.1.213.1.1.1.39', extension: '2024.01' },
      ],
      code: docCode.code,
      displayName: docCode.displayName,
      title: PRESCRIPTION.title,
      authorAttrs: ' contextControlCode="OP" typeCode="AUT"',
      serviceEventClassCode: 'ACT',
      serviceEventEnd: addMonths(ctx.effectiveTime, PRESCRIPTION_VALIDITY_MONTHS),
      serviceEventId: number ? `<id root="1.2.250.1.215.500.1.1" extension="${esc(number)}"/>` : '',
      serviceEventCode: code(PRESCRIPTION.code, PRESCRIPTION.displayName, undefined, 'LOINC'),
    },
    ctx,
    patient,
  );
  const today = hl7Date(ctx.effectiveTime.toISOString().slice(0, 10));
  const rows = content.lines
    .map(
      (l, i) =>
        `<tr ID="ligne-${i + 1}"><td>${esc(frDate(ctx.effectiveTime.toISOString().slice(0, 10)))}</td><td><content ID="med-${i + 1}">${esc(l.product)}</content></td>` +
        `<td><content ID="med-${i + 1}-posologie">${esc(l.dosage ?? '')}</content></td><td><content ID="med-${i + 1}-substitution">Oui</content></td><td>0</td><td><content ID="med-${i + 1}-ALD">Non</content></td></tr>`,
    )
    .join('');
  const entries = content.lines
    .map((l, i) => {
      const ref = `med-${i + 1}`;
      return (
        '<entry><substanceAdministration classCode="SBADM" moodCode="INT">' +
        '<templateId root="2.16.840.1.113883.10.20.1.24"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7"/><templateId root="1.3.6.1.4.1.19376.1.9.1.3.2"/>' +
        '<templateId root="1.2.250.1.213.1.1.3.83"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.1"/>' +
        `<id root="${newUuid()}"/>` +
        code('DRUG', 'Médicament', '2.16.840.1.113883.5.4', 'HL7:ActCode') +
        // the line as a whole (product, posology, substitution…): the row of the narrative
        `<text><reference value="#ligne-${i + 1}"/></text><statusCode code="completed"/>` +
        `<effectiveTime xsi:type="IVL_TS"><low value="${today}"/><high nullFlavor="UNK"/></effectiveTime>` +
        '<repeatNumber value="0"/>' +
        '<consumable><manufacturedProduct classCode="MANU">' +
        '<templateId root="2.16.840.1.113883.10.20.1.53"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.2"/><templateId root="1.2.250.1.213.1.1.3.43"/>' +
        '<manufacturedMaterial classCode="MMAT" determinerCode="KIND"><templateId root="1.3.6.1.4.1.19376.1.9.1.3.1"/>' +
        `<code nullFlavor="OTH"><originalText><reference value="#${ref}"/></originalText></code><name>${esc(l.product)}</name>` +
        '</manufacturedMaterial></manufacturedProduct></consumable>' +
        '<entryRelationship typeCode="COMP"><act classCode="ACT" moodCode="DEF">' +
        '<templateId root="1.3.6.1.4.1.19376.1.9.1.3.9.1"/><templateId root="1.2.250.1.213.1.1.3.87"/>' +
        '<code code="G" displayName="Substitution autorisée par un produit générique" codeSystem="2.16.840.1.113883.5.1070" codeSystemName="HL7_substanceAdminSubstitution"/>' +
        '<statusCode code="completed"/></act></entryRelationship>' +
        // FR-En-rapport-avec-ALD (1.2.250.1.213.1.1.3.48.13), required by EP-MED-DM 2024.01
        '<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">' +
        '<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.13"/><templateId root="1.2.250.1.213.1.1.3.48"/><templateId root="1.2.250.1.213.1.1.3.48.13"/>' +
        `<id root="${newUuid()}"/>` +
        '<code code="MED-574" displayName="En rapport avec une ALD" codeSystem="1.2.250.1.213.1.1.4.322" codeSystemName="TA_ASIP"/>' +
        `<text><reference value="#${ref}-ALD"/></text><statusCode code="completed"/><effectiveTime value="${hl7Time(ctx.effectiveTime)}"/>` +
        '<value xsi:type="BL" value="false"/></observation></entryRelationship>' +
        '</substanceAdministration></entry>'
      );
    })
    .join('');
  const medications =
    '<component><section>' +
    '<templateId root="1.3.6.1.4.1.19376.1.9.1.2.1"/><templateId root="1.2.250.1.213.1.1.2.171"/>' +
    `<id root="${newUuid()}"/>` +
    code('57828-6', 'Prescriptions', undefined, 'LOINC') +
    '<title>Prescription de médicaments</title>' +
    '<text><table border="0"><thead><tr><th>Date</th><th>Médicament</th><th>Posologie</th><th>Substitution</th><th>Nombre de renouvellements</th><th>En rapport avec une ALD</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></text>` +
    entries +
    '</section></component>';
  const name = `${patient.firstName} ${patient.birthName}`;
  const pdf = prescriptionPdf(name, content, number, ctx.author?.display).toString('base64');
  const copy =
    '<component><section><templateId root="1.2.250.1.213.1.1.2.243"/>' +
    `<id root="${newUuid()}"/>` +
    code('55108-5', 'Copie du document', undefined, 'LOINC') +
    '<title>Copie du document</title>' +
    '<text><table border="0"><tbody><tr><td><renderMultiMedia referencedObject="doc-1"/></td></tr></tbody></table></text>' +
    '<entry><organizer classCode="CLUSTER" moodCode="EVN"><templateId root="1.2.250.1.213.1.1.3.18"/>' +
    `<id root="${newUuid()}"/>` +
    code('55107-7', 'Document attaché', undefined, 'LOINC') +
    '<statusCode code="completed"/>' +
    '<component><observation classCode="OBS" moodCode="EVN">' +
    '<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.13"/><templateId root="1.2.250.1.213.1.1.3.48"/><templateId root="1.2.250.1.213.1.1.3.48.18"/>' +
    `<id root="${newUuid()}"/>` +
    code('69764-9', 'Type de document', undefined, 'LOINC') +
    '<statusCode code="completed"/><effectiveTime nullFlavor="NA"/>' +
    '<value xsi:type="CD" code="55108-5" displayName="Copie du document" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"/>' +
    '</observation></component>' +
    `<component><observationMedia classCode="OBS" moodCode="EVN" ID="doc-1"><value mediaType="application/pdf" representation="B64">${pdf}</value></observationMedia></component>` +
    '</organizer></entry></section></component>';
  return document(head, `<component><structuredBody>${medications}${copy}</structuredBody></component>`);
}
