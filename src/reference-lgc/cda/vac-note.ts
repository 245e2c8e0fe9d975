/**
 * Note de vaccination (VAC-NOTE_2023.01), derived from the ANS example
 * TestContenuCDA-3-0/ExemplesCDA/VAC-NOTE_2023.01.xml: same header, one FR-Vaccinations section
 * holding exactly ONE FR-Vaccination entry (SEND-09: a note holds one vaccination).
 */
import {
  code, document, entryAuthor, entryPerformer, esc, frDate, header, hl7Date, newUuid, PRACTITIONER_DISPLAY, productCode,
  type CdaContext, type CdaPatient, type Vaccination,
} from './common';

export const VAC_NOTE = { code: '87273-9', displayName: 'Note de vaccination', title: 'Note de vaccination' } as const;

/** `vaccinations` has one element for a conformant note (several only under a seeded defect). */
export function vaccinationNoteCda(patient: CdaPatient, vaccinations: Vaccination[], ctx: CdaContext): string {
  const head = header(
    {
      templateIds: [{ root: '1.3.6.1.4.1.19376.1.5.3.1.1.18.1.2' }, { root: '1.2.250.1.213.1.1.1.46', extension: '2023.01' }],
      code: VAC_NOTE.code,
      displayName: VAC_NOTE.displayName,
      title: VAC_NOTE.title,
      authorAttrs: ' contextControlCode="OP" typeCode="AUT"',
      serviceEventClassCode: 'ACT',
      serviceEventCode: code(VAC_NOTE.code, VAC_NOTE.displayName, undefined, 'LOINC'),
    },
    ctx,
    patient,
  );
  const rows = vaccinations
    .map((v, i) => `<tr><td>${esc(frDate(v.date))}</td><td><content ID="vac-${i + 1}">${esc(v.vaccine)}</content></td><td>${esc(v.lot ?? '')}</td><td>${esc(PRACTITIONER_DISPLAY)}</td></tr>`)
    .join('');
  const entries = vaccinations
    .map((v, i) => {
      const ref = `vac-${i + 1}`;
      const date = hl7Date(v.date) || hl7Date(ctx.effectiveTime.toISOString().slice(0, 10));
      return (
        '<entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="false">' +
        '<templateId root="2.16.840.1.113883.10.20.1.24"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.12"/><templateId root="1.2.250.1.213.1.1.3.45"/>' +
        `<id root="${newUuid()}"/>` +
        '<code code="IMMUNIZ" displayName="Vaccination sans autre précision" codeSystem="2.16.840.1.113883.5.4" codeSystemName="ActSubstanceAdministrationImmunizationCode"/>' +
        `<text><reference value="#${ref}"/></text><statusCode code="completed"/><effectiveTime value="${date}"/>` +
        '<consumable typeCode="CSM"><manufacturedProduct>' +
        '<templateId root="2.16.840.1.113883.10.20.1.53"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.2"/><templateId root="1.2.250.1.213.1.1.3.43"/>' +
        `<manufacturedMaterial>${productCode(v.code, v.vaccine, ref)}<name>${esc(v.vaccine)}</name>` +
        (v.lot ? `<lotNumberText>${esc(v.lot)}</lotNumberText>` : '') +
        '</manufacturedMaterial></manufacturedProduct></consumable>' +
        entryPerformer() +
        entryAuthor(ctx.effectiveTime) +
        '</substanceAdministration></entry>'
      );
    })
    .join('');
  const body =
    '<component><structuredBody><component><section>' +
    '<templateId root="2.16.840.1.113883.10.20.1.6"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.3.23"/><templateId root="1.2.250.1.213.1.1.2.147"/>' +
    `<id root="${newUuid()}"/>` +
    code('11369-6', 'Historique des vaccinations', undefined, 'LOINC') +
    '<title>Note de vaccination</title>' +
    '<text><table border="0"><thead><tr><th>Date</th><th>Vaccin</th><th>Lot n°</th><th>Vaccinateur</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></text>` +
    entries +
    '</section></component></structuredBody></component>';
  return document(head, body);
}
