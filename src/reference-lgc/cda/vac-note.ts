/**
 * Note de vaccination (VAC-NOTE_2023.01), derived from the ANS example
 * TestContenuCDA-3-0/ExemplesCDA/VAC-NOTE_2023.01.xml: same header, one FR-Vaccinations section
 * holding exactly ONE FR-Vaccination entry (SEND-09: a note holds one vaccination).
 *
 * VAC-NOTE 2023.01 requires the vaccine's CIS code (manufacturedMaterial/code, 1.2.250.1.213.2.3.1),
 * its ATC code (a translation, 2.16.840.1.113883.6.73) and the lot number. The vaccine is coded
 * from the CIS code the user typed or, by its name, from the small table below (the vaccines of the
 * ANS examples, with their CIS, ATC and CIP codes); for a vaccine the table knows only by its class
 * (grippe, COVID-19, ...) the ATC class is sent, and for any other vaccine the ATC group J07
 * « vaccins »; without a CIS code the CIS is « unknown » (nullFlavor UNK in the CIS code system,
 * which the VAC-NOTE schematron provides for: a CIS code without @code needs no displayName). The typed name is always kept: originalText referring to the narrative.
 */
import {
  code,
  document,
  entryAuthor,
  entryPerformer,
  esc,
  frDate,
  hasDefect,
  header,
  hl7Date,
  newUuid,
  PRACTITIONER,
  type CdaContext,
  type CdaPatient,
  type Vaccination,
} from './common';

const CIS = '1.2.250.1.213.2.3.1';
const CIP = '1.2.250.1.213.2.3.2';
const ATC = '2.16.840.1.113883.6.73';

interface Coding {
  code: string;
  display: string;
}
export interface VaccineCoding {
  cis?: Coding;
  atc?: Coding;
  cip?: Coding;
}

/** Vaccines of the ANS examples (VAC-NOTE_2023.01.xml, VAC_2023.01.xml), by CIS code and name pattern. */
const KNOWN_VACCINES: Array<{ match: RegExp } & Required<Pick<VaccineCoding, 'cis' | 'atc'>> & Pick<VaccineCoding, 'cip'>> = [
  {
    match: /t[ée]tani/i,
    cis: { code: '68747507', display: 'VACCIN TETANIQUE PASTEUR, suspension injectable en seringue préremplie. Vaccin tétanique adsorbé' },
    atc: { code: 'J07AM', display: 'vaccins tétaniques' },
    cip: {
      code: '3400932857241',
      display:
        'VACCIN TETANIQUE PASTEUR, suspension injectable en seringue préremplie. Vaccin tétanique adsorbé 1 seringue(s) préremplie(s) en verre de 0,5 ml',
    },
  },
  {
    match: /\bBCG\b|tubercul/i,
    cis: { code: '61077869', display: 'VACCIN BCG SSI, poudre et solvant pour suspension injectable' },
    atc: { code: 'J07AN', display: 'vaccins de la tuberculose' },
  },
  {
    match: /m[ée]ningoc/i,
    cis: {
      code: '61920725',
      display: 'VACCIN MENINGOCOCCIQUE A+C POLYOSIDIQUE, poudre et solvant pour suspension injectable en seringue préremplie',
    },
    atc: { code: 'J07AH', display: 'vaccins méningococciques' },
  },
];

/** Every vaccine is in the ATC group J07 « vaccins »: the ATC code of a vaccine nothing else classifies. */
const ATC_VACCINS: Coding = { code: 'J07', display: 'vaccins' };

/** ATC classes (WHO) of vaccines the table has no CIS code for. */
const VACCINE_CLASSES: Array<{ match: RegExp; atc: Coding }> = [
  { match: /grippe|grippal|influenza/i, atc: { code: 'J07BB', display: 'vaccins contre la grippe' } },
  { match: /covid|sars-cov/i, atc: { code: 'J07BN', display: 'vaccins contre la Covid-19' } },
  { match: /h[ée]patite\s*B/i, atc: { code: 'J07BC01', display: 'hépatite B, antigène purifié' } },
];

/** The CIS / ATC / CIP codes of a typed vaccination (what is not known stays undefined). */
export function vaccineCoding(vaccination: Vaccination): VaccineCoding {
  const typed = vaccination.code?.trim();
  const cisTyped = typed && /^\d{8}$/.test(typed) ? typed : undefined;
  const atcTyped = typed && /^J07[A-Z]{2}\d{0,2}$/.test(typed) ? typed : undefined;
  const known = cisTyped
    ? KNOWN_VACCINES.find((k) => k.cis.code === cisTyped)
    : KNOWN_VACCINES.find((k) => k.match.test(vaccination.vaccine));
  if (known) return { cis: known.cis, atc: known.atc, ...(known.cip ? { cip: known.cip } : {}) };
  const cls = VACCINE_CLASSES.find((c) => c.match.test(vaccination.vaccine));
  return {
    ...(cisTyped ? { cis: { code: cisTyped, display: vaccination.vaccine } } : {}),
    atc: atcTyped ? { code: atcTyped, display: vaccination.vaccine } : cls ? cls.atc : ATC_VACCINS,
  };
}

/** manufacturedMaterial/code: CIS (or nullFlavor UNK in the CIS system), ATC and CIP translations. */
function vaccineCode(vaccination: Vaccination, ref: string, withAtc: boolean): string {
  const coding = vaccineCoding(vaccination);
  const cis = coding.cis
    ? `code="${esc(coding.cis.code)}" displayName="${esc(coding.cis.display)}" codeSystem="${CIS}" codeSystemName="CIS"`
    : `nullFlavor="UNK" codeSystem="${CIS}" codeSystemName="CIS"`;
  const atc =
    withAtc && coding.atc
      ? `<translation code="${esc(coding.atc.code)}" displayName="${esc(coding.atc.display)}" codeSystem="${ATC}" codeSystemName="ATC"/>`
      : '';
  const cip = coding.cip
    ? `<translation code="${esc(coding.cip.code)}" displayName="${esc(coding.cip.display)}" codeSystem="${CIP}" codeSystemName="CIP"/>`
    : '';
  return `<code ${cis}><originalText><reference value="#${ref}"/></originalText>${atc}${cip}</code>`;
}

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
  const author = ctx.author ?? PRACTITIONER;
  const rows = vaccinations
    .map(
      (v, i) =>
        `<tr><td>${esc(frDate(v.date))}</td><td><content ID="vac-${i + 1}">${esc(v.vaccine)}</content></td><td>${esc(v.lot ?? '')}</td><td>${esc(author.display)}</td></tr>`,
    )
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
        `<manufacturedMaterial>${vaccineCode(v, ref, !hasDefect(ctx, 'vac-note-without-atc'))}<name>${esc(v.vaccine)}</name>` +
        (v.lot ? `<lotNumberText>${esc(v.lot)}</lotNumberText>` : '<lotNumberText nullFlavor="UNK"/>') +
        '</manufacturedMaterial></manufacturedProduct></consumable>' +
        entryPerformer(author) +
        entryAuthor(ctx.effectiveTime, author) +
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
