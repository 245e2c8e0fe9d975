/**
 * Shared pieces of the reference LGC's CDA R2 documents (CI-SIS header), modelled on the ANS
 * examples of TestContenuCDA-3-0/ExemplesCDA (VAC-NOTE_2023.01.xml, VSM_1.4_2022.01.xml,
 * eP-MED-DM_2024.01_PosoNonStruct.xml, DOC_NON_STRUCTURE_CDA-R2-N1.xml): same header elements in
 * the same order; the data are the patient's and an invented practitioner's.
 */
import { esc, hl7Date, hl7Time } from './format';
import { addr, assignedEntity, PRACTITIONER, STRUCTURE_OID, type Practitioner } from './practitioner';

export * from './format';
export * from './practitioner';

// ---------------------------------------------------------------------------------------------
// The patient, the practitioner, the practice

/** OID of the INS-NIR (production); INSi's answer may name another INS OID (test NIR: …4.10). */
export const INS_NIR_OID = '1.2.250.1.213.1.4.8';
/** The reference LGC's own (invented) OID for its local patient identifiers. */
export const LOCAL_PATIENT_ID_OID = '1.2.250.1.999.1.1.1';

export interface CdaPatient {
  /** the LGC's local patient identifier (always sent) */
  localId: string;
  /** the INS (matricule + key, 15 characters) and its OID: ONLY when the identity is qualified (CDA-03) */
  ins?: { value: string; oid: string };
  birthName: string;
  usedName?: string;
  firstName: string;
  firstNames?: string;
  sex: 'M' | 'F' | 'I';
  birthDate: string;
  birthPlace?: string;
}

export interface CdaContext {
  /** CDA id root (also the XDS uniqueId) */
  id: string;
  setId: string;
  effectiveTime: Date;
  title?: string;
  /** the tenant's seeded defects that change the CDA (none: conformant) */
  defects?: CdaDefects;
  /** who writes and validates it (author, legal authenticator, performer); PRACTITIONER when unknown */
  author?: Practitioner;
}

/** The seeded defects the generators look at (a DefectSet, or anything with has()). */
export interface CdaDefects {
  has(id: string): boolean;
}

export function hasDefect(ctx: CdaContext, id: string): boolean {
  return ctx.defects?.has(id) ?? false;
}

/** `date` plus `months` calendar months (UTC; the day clamped to the month's last). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const last = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, last));
  return result;
}

export const LOINC = '2.16.840.1.113883.6.1';

export function code(value: string, display: string, system = LOINC, systemName?: string): string {
  return `<code code="${esc(value)}" displayName="${esc(display)}" codeSystem="${esc(system)}"${systemName ? ` codeSystemName="${esc(systemName)}"` : ''}/>`;
}

const SEX_DISPLAY: Record<CdaPatient['sex'], [string, string]> = { M: ['M', 'Masculin'], F: ['F', 'Féminin'], I: ['U', 'Inconnu'] };

/**
 * recordTarget (VAC-NOTE_2023.01.xml layout): INS id only when qualified (CDA-03), always the local
 * id. The patient file holds no address nor telecom: both are sent as nullFlavor NASK (not asked),
 * as the ANS examples do for unknown coordinates (EP-MED-DM requires both elements).
 */
export function recordTarget(patient: CdaPatient): string {
  const ids =
    (patient.ins ? `<id extension="${esc(patient.ins.value)}" root="${esc(patient.ins.oid)}"/>` : '') +
    `<id extension="${esc(patient.localId)}" root="${LOCAL_PATIENT_ID_OID}"/>`;
  const first = patient.firstName.trim();
  const names =
    `<family qualifier="BR">${esc(patient.birthName.trim())}</family>` +
    `<given>${esc((patient.firstNames ?? patient.firstName).trim())}</given>` +
    `<given qualifier="BR">${esc(first)}</given>` +
    `<family qualifier="CL">${esc((patient.usedName ?? patient.birthName).trim())}</family>` +
    `<given qualifier="CL">${esc(first)}</given>`;
  const [sexCode, sexDisplay] = SEX_DISPLAY[patient.sex];
  const birthplace = patient.birthPlace
    ? `<birthplace><place><addr><county>${esc(patient.birthPlace)}</county></addr></place></birthplace>`
    : '';
  return (
    `<recordTarget><patientRole>${ids}<addr nullFlavor="NASK"/><telecom nullFlavor="NASK"/><patient classCode="PSN"><name>${names}</name>` +
    `<administrativeGenderCode code="${sexCode}" displayName="${sexDisplay}" codeSystem="2.16.840.1.113883.5.1"/>` +
    `<birthTime value="${hl7Date(patient.birthDate)}"/>${birthplace}</patient></patientRole></recordTarget>`
  );
}

export interface HeaderSpec {
  /** volet template ids (after 2.16.840.1.113883.2.8.2.1 and 1.2.250.1.213.1.1.1.1) */
  templateIds: Array<{ root: string; extension?: string }>;
  code: string;
  displayName: string;
  codeSystem?: string;
  title: string;
  /** author attributes and functionCode (VSM: médecin traitant) */
  authorAttrs?: string;
  authorFunctionCode?: string;
  /** participants between legalAuthenticator and documentationOf */
  participants?: string;
  /** documentationOf/serviceEvent code */
  serviceEventCode: string;
  serviceEventClassCode?: string;
  serviceEventId?: string;
  /** encompassingEncounter code (AMB by default) */
  encounterCode?: string;
  /** documentationOf/serviceEvent/effectiveTime/high (EP-MED-DM: end of the prescription's validity) */
  serviceEventEnd?: Date;
}

/** The CI-SIS header, elements in the order of the ANS examples. */
export function header(spec: HeaderSpec, ctx: CdaContext, patient: CdaPatient, pr: Practitioner = ctx.author ?? PRACTITIONER): string {
  const time = hl7Time(ctx.effectiveTime);
  const templates = [{ root: '2.16.840.1.113883.2.8.2.1' }, { root: '1.2.250.1.213.1.1.1.1' }, ...spec.templateIds]
    .map((x) => `<templateId root="${x.root}"${x.extension ? ` extension="${x.extension}"` : ''}/>`)
    .join('');
  const invalidElement = hasDefect(ctx, 'cda-not-schema-valid')
    ? '<commentaire>Document produit par le LGC de référence</commentaire>'
    : '';
  const language = hasDefect(ctx, 'cda-header-without-language') ? '' : '<languageCode code="fr-FR"/>';
  // seeded defect cda-local-type-code: the LGC's own document codes instead of the shared ones (prescriptions excepted)
  const localCode = hasDefect(ctx, 'cda-local-type-code') && spec.code !== '57833-6';
  // seeded defect cda-code-null-flavor: the document's type is « unknown »
  const docCode = hasDefect(ctx, 'cda-code-null-flavor')
    ? '<code nullFlavor="UNK"/>'
    : localCode
      ? `<code code="LGC-${esc(spec.code)}" displayName="${esc(spec.displayName)}" codeSystem="1.2.250.1.999.1.1.9"/>`
      : `<code code="${esc(spec.code)}" displayName="${esc(spec.displayName)}" codeSystem="${esc(spec.codeSystem ?? LOINC)}"${(spec.codeSystem ?? LOINC) === LOINC ? ' codeSystemName="LOINC"' : ''}/>`;
  return (
    '<realmCode code="FR"/>' +
    '<typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>' +
    templates +
    `<id root="${ctx.id}"/>` +
    docCode +
    `<title>${esc(ctx.title ?? spec.title)}</title>` +
    invalidElement +
    `<effectiveTime value="${time}"/>` +
    '<confidentialityCode code="N" displayName="Normal" codeSystem="2.16.840.1.113883.5.25" codeSystemName="Confidentiality"/>' +
    language +
    `<setId root="${ctx.setId}"/>` +
    '<versionNumber value="1"/>' +
    recordTarget(patient) +
    `<author${spec.authorAttrs ?? ''}>${spec.authorFunctionCode ?? ''}<time value="${time}"/><assignedAuthor>${assignedEntity(pr, 'assignedPerson', 'representedOrganization', false)}</assignedAuthor></author>` +
    `<custodian><assignedCustodian><representedCustodianOrganization><id root="${STRUCTURE_OID}" extension="${esc(pr.organisationId)}"/>` +
    `<name>${esc(pr.organisationName)}</name><telecom value="${esc(pr.telecom)}" use="WP"/>${addr(pr)}</representedCustodianOrganization></assignedCustodian></custodian>` +
    `<legalAuthenticator><time value="${time}"/><signatureCode code="S"/><assignedEntity>${assignedEntity(pr, 'assignedPerson', 'representedOrganization', true)}</assignedEntity></legalAuthenticator>` +
    (spec.participants ?? '') +
    `<documentationOf><serviceEvent${spec.serviceEventClassCode ? ` classCode="${spec.serviceEventClassCode}"` : ''}>${spec.serviceEventId ?? ''}${spec.serviceEventCode}` +
    `<effectiveTime><low value="${time}"/>${spec.serviceEventEnd ? `<high value="${hl7Time(spec.serviceEventEnd)}"/>` : ''}</effectiveTime>` +
    `<performer typeCode="PRF"><assignedEntity>${assignedEntity(pr, 'assignedPerson', 'representedOrganization', true)}</assignedEntity></performer>` +
    '</serviceEvent></documentationOf>' +
    '<componentOf><encompassingEncounter>' +
    (spec.encounterCode ?? '<code code="AMB" displayName="Ambulatoire (hors établissement)" codeSystem="2.16.840.1.113883.5.4"/>') +
    `<effectiveTime><low value="${time}"/></effectiveTime>` +
    `<location><healthCareFacility><id root="${STRUCTURE_OID}" extension="${esc(pr.organisationId)}"/>` +
    '<code code="SA07" displayName="Cabinet individuel" codeSystem="1.2.250.1.71.4.2.4"/></healthCareFacility></location>' +
    '</encompassingEncounter></componentOf>'
  );
}

export function document(headerXml: string, body: string, extraNs = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"${extraNs}>` +
    headerXml +
    body +
    '</ClinicalDocument>\n'
  );
}

/** What the user typed (DocumentContent of the test-driver contract), normalised. */
export interface Vaccination {
  vaccine: string;
  code?: string;
  lot?: string;
  date?: string;
}

export interface DocumentContent {
  title?: string;
  text?: string;
  lines: Array<{ product: string; dosage?: string }>;
  vaccinations: Vaccination[];
  problems: string[];
  treatments: string[];
  allergies: string[];
  medecinTraitant?: string | null;
}
