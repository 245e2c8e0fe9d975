/**
 * Volet de synthèse médicale (VSM 1.4), derived from the ANS example
 * TestContenuCDA-3-0/ExemplesCDA/VSM_1.4_2022.01.xml: same header, and the three mandatory sections
 * FR-Pathologies-antecedent-allergies-facteurs-de-risques, FR-Resultats-examens-non-code and
 * FR-Plan-de-Traitement, reduced to what the user typed (problems, allergies, treatments). The
 * typed texts are not coded: entries carry nullFlavor with the text as originalText (CDA-06).
 *
 * The médecin traitant: the participant INF / functionCode PCP the VSM 1.4 schematron asks for (its
 * rule is shadowed by an earlier rule on the same context, so it never fires, but the volet makes
 * the participant mandatory). When none is recorded (CDA-05) the VSM is still produced, with the
 * participant's associatedEntity nullFlavor NI (« no information »): no invented practitioner.
 *
 * Seeded defect free-text-dropped: the typed (uncoded) problems, allergies and treatments are not
 * kept, neither in the entries nor in the narrative (only coded items would be, and none is).
 * Seeded defect free-text-only-in-narrative: they are in the narrative, but each nullFlavor entry
 * refers to its table's column header (« Pathologie en cours »…) instead of its own text, and
 * names no product or agent: no entry carries or references a typed text.
 *
 * Document code: SYNTH « Synthèse » (1.2.250.1.213.1.1.4.12), as the ANS VSM 1.4 example and its
 * schematron have it, and as the DMP's typeCode for a VSM.
 */
import {
  code,
  document,
  esc,
  hasDefect,
  header,
  hl7Time,
  newUuid,
  PRACTITIONER,
  RPPS_OID,
  type Practitioner,
  type CdaContext,
  type CdaPatient,
  type DocumentContent,
} from './common';

export const VSM_DOC_CODE = {
  code: 'SYNTH',
  displayName: 'Synthèse',
  title: 'Synthèse médicale',
  codeSystem: '1.2.250.1.213.1.1.4.12',
} as const;

const SNOMED = '2.16.840.1.113883.6.96';

const PCP = '<functionCode code="PCP" displayName="Médecin Traitant" codeSystem="2.16.840.1.113883.5.88"/>';

/** No médecin traitant recorded: the participant is there, its entity « no information ». */
function noMedecinTraitant(): string {
  return `<participant typeCode="INF">${PCP}<associatedEntity classCode="PROV" nullFlavor="NI"><id nullFlavor="NI"/></associatedEntity></participant>`;
}

/** The médecin traitant as typed; when it is the author, identified by the author's idNat. */
function medecinTraitant(name: string, time: Date, author: Practitioner): string {
  const known = name.trim() === author.display;
  const id = known ? `<id root="${RPPS_OID}" extension="${esc(author.idNat)}"/>` : '<id nullFlavor="UNK"/>';
  return (
    `<participant typeCode="INF">${PCP}` +
    `<time xsi:type="IVL_TS"><low value="${hl7Time(time)}"/></time>` +
    `<associatedEntity classCode="PROV">${id}<associatedPerson><name>${esc(name.trim())}</name></associatedPerson></associatedEntity></participant>`
  );
}

function table(header: string, rows: string[], ref: string): string {
  return `<text><table border="0"><thead><tr><th ID="${ref}-entete">${header}</th></tr></thead><tbody>${rows.map((r, i) => `<tr><td><content ID="${ref}-${i + 1}">${esc(r)}</content></td></tr>`).join('')}</tbody></table></text>`;
}

/** What an entry refers to: its own text (#pb-1), or with free-text-only-in-narrative the column header. */
const refOf = (prefix: string, i: number, linked: boolean): string => (linked ? `#${prefix}-${i + 1}` : `#${prefix}-entete`);

function problemsSection(problems: string[], linked: boolean): string {
  const entries = problems.map((_, i) => {
    const ref = refOf('pb', i, linked);
    return (
      '<entry><act classCode="ACT" moodCode="EVN">' +
      '<templateId root="2.16.840.1.113883.10.20.1.27"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.5.1"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.5.2"/><templateId root="1.2.250.1.213.1.1.3.39"/>' +
      `<id root="${newUuid()}"/><code nullFlavor="NA"/><statusCode code="active"/><effectiveTime xsi:type="IVL_TS"><low nullFlavor="UNK"/></effectiveTime>` +
      '<entryRelationship typeCode="SUBJ" inversionInd="false"><observation classCode="OBS" moodCode="EVN" negationInd="false">' +
      '<templateId root="2.16.840.1.113883.10.20.1.28"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.5"/><templateId root="1.2.250.1.213.1.1.3.37"/>' +
      `<id root="${newUuid()}"/>` +
      code('282291009', 'interprétation diagnostique', SNOMED, 'SNOMED CT') +
      `<text><reference value="${ref}"/></text><statusCode code="completed"/><effectiveTime><low nullFlavor="UNK"/></effectiveTime>` +
      `<value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="${ref}"/></originalText></value>` +
      '</observation></entryRelationship></act></entry>'
    );
  });
  return (
    '<component><section>' +
    '<templateId root="2.16.840.1.113883.10.20.1.11"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.3.6"/><templateId root="1.2.250.1.213.1.1.2.132"/>' +
    `<id root="${newUuid()}"/>` +
    code('11450-4', 'Liste des problèmes actifs', undefined, 'LOINC') +
    '<title>Pathologie en cours</title>' +
    table('Pathologie en cours', problems, 'pb') +
    entries.join('') +
    '</section></component>'
  );
}

function allergiesSection(allergies: string[], linked: boolean): string {
  const entries = allergies.map((_, i) => {
    const ref = refOf('allergie', i, linked);
    return (
      '<entry><act classCode="ACT" moodCode="EVN">' +
      '<templateId root="2.16.840.1.113883.10.20.1.27"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.5.1"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.5.3"/><templateId root="1.2.250.1.213.1.1.3.40"/>' +
      `<id root="${newUuid()}"/><code nullFlavor="NA"/><statusCode code="active"/><effectiveTime><low nullFlavor="UNK"/></effectiveTime>` +
      '<entryRelationship typeCode="SUBJ" inversionInd="false"><observation classCode="OBS" moodCode="EVN" negationInd="false">' +
      '<templateId root="2.16.840.1.113883.10.20.1.18"/><templateId root="2.16.840.1.113883.10.20.1.28"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.5"/>' +
      '<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.6"/><templateId root="1.2.250.1.213.1.1.3.41"/>' +
      `<id root="${newUuid()}"/>` +
      code('419199007', 'allergie à une substance', SNOMED, 'SNOMED CT') +
      `<text><reference value="${ref}"/></text><statusCode code="completed"/><effectiveTime xsi:type="IVL_TS"><low nullFlavor="UNK"/></effectiveTime>` +
      `<value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="${ref}"/></originalText></value>` +
      '<participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT">' +
      `<code nullFlavor="OTH"><originalText><reference value="${ref}"/></originalText></code>${linked ? `<name>${esc(allergies[i])}</name>` : ''}` +
      '</playingEntity></participantRole></participant>' +
      '</observation></entryRelationship></act></entry>'
    );
  });
  return (
    '<component><section>' +
    '<templateId root="2.16.840.1.113883.10.20.1.2"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.3.13"/><templateId root="1.2.250.1.213.1.1.2.137"/>' +
    `<id root="${newUuid()}"/>` +
    code('48765-2', 'Allergies et hypersensibilités', undefined, 'LOINC') +
    '<title>Allergies et hypersensibilités</title>' +
    table('Agent responsable', allergies, 'allergie') +
    entries.join('') +
    '</section></component>'
  );
}

function treatmentsSection(treatments: string[], linked: boolean): string {
  const entries = treatments.map((t, i) => {
    const ref = refOf('med', i, linked);
    return (
      '<entry typeCode="DRIV"><substanceAdministration classCode="SBADM" moodCode="EVN">' +
      '<templateId root="2.16.840.1.113883.10.20.1.24"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7"/><templateId root="1.2.250.1.213.1.1.3.42"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.1"/>' +
      `<id root="${newUuid()}"/>` +
      code('DRUG', 'Médicament', '2.16.840.1.113883.5.4', 'HL7:ActCode') +
      `<text><reference value="${ref}"/></text><statusCode code="completed"/>` +
      '<effectiveTime xsi:type="IVL_TS"><low nullFlavor="UNK"/><high nullFlavor="UNK"/></effectiveTime>' +
      '<consumable><manufacturedProduct>' +
      '<templateId root="2.16.840.1.113883.10.20.1.53"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.2"/><templateId root="1.2.250.1.213.1.1.3.43"/>' +
      `<manufacturedMaterial><code nullFlavor="OTH"><originalText><reference value="${ref}"/></originalText></code>${linked ? `<name>${esc(t)}</name>` : ''}</manufacturedMaterial>` +
      '</manufacturedProduct></consumable></substanceAdministration></entry>'
    );
  });
  return (
    '<component><section>' +
    '<templateId root="2.16.840.1.113883.10.20.1.8"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.3.19"/><templateId root="1.2.250.1.213.1.1.2.143"/>' +
    code('10160-0', 'Traitements', undefined, 'LOINC') +
    '<title>Traitements</title>' +
    table('Médicament', treatments, 'med') +
    entries.join('') +
    '</section></component>'
  );
}

export function vsmCda(patient: CdaPatient, typed: DocumentContent, ctx: CdaContext): string {
  const mt = typed.medecinTraitant?.trim();
  // every item typed in the editor is uncoded text: the defect keeps coded items only, i.e. none
  const content = hasDefect(ctx, 'free-text-dropped') ? { ...typed, problems: [], allergies: [], treatments: [] } : typed;
  const head = header(
    {
      templateIds: [{ root: '1.2.250.1.213.1.1.1.13', extension: '201310' }],
      code: VSM_DOC_CODE.code,
      displayName: VSM_DOC_CODE.displayName,
      codeSystem: VSM_DOC_CODE.codeSystem,
      title: VSM_DOC_CODE.title,
      participants: mt ? medecinTraitant(mt, ctx.effectiveTime, ctx.author ?? PRACTITIONER) : noMedecinTraitant(),
      serviceEventCode: code('34117-2', 'Historique et clinique', undefined, 'LOINC'),
    },
    ctx,
    patient,
  );
  const linked = !hasDefect(ctx, 'free-text-only-in-narrative');
  const sub =
    (content.problems.length ? problemsSection(content.problems, linked) : '') +
    (content.allergies.length ? allergiesSection(content.allergies, linked) : '');
  const pathologies =
    '<component><section><templateId root="1.2.250.1.213.1.1.2.29"/>' +
    `<id root="${newUuid()}"/>` +
    code('46612-8', 'Conclusions de synthèse', undefined, 'LOINC') +
    '<title>Pathologie en cours, antécédents, allergies et facteurs de risques</title>' +
    (sub
      ? '<component><section><templateId root="1.2.250.1.213.1.1.2.30"/>' +
        `<id root="${newUuid()}"/>` +
        code('34117-2', 'Historique et physique', undefined, 'LOINC') +
        `<title>Pathologies en cours, antécédents et allergies</title>${sub}</section></component>`
      : '<text>Aucune pathologie, aucun antécédent ni allergie renseignés.</text>') +
    '</section></component>';
  const results =
    '<component><section><templateId root="1.3.6.1.4.1.19376.1.5.3.1.3.27"/><templateId root="1.2.250.1.213.1.1.2.150"/>' +
    `<id root="${newUuid()}"/>` +
    code('30954-2', "Résultats d'examens", undefined, 'LOINC') +
    `<title>Points de vigilance</title><text>${content.text?.trim() ? esc(content.text.trim()) : 'Néant'}</text></section></component>`;
  const plan =
    '<component><section><templateId root="1.2.250.1.213.1.1.2.32"/>' +
    `<id root="${newUuid()}"/>` +
    code('18776-5', 'Plan de traitement', undefined, 'LOINC') +
    '<title>Traitement au long cours</title>' +
    (content.treatments.length ? treatmentsSection(content.treatments, linked) : '<text>Aucun traitement au long cours.</text>') +
    '</section></component>';
  return document(head, `<component><structuredBody>${pathologies}${results}${plan}</structuredBody></component>`);
}
