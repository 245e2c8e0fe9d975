/**
 * The XDS metadata of a document (ebRIM: SubmissionSet, DocumentEntry, HasMember), as the ITI-41
 * submission to the DMP and the METADATA.XML of an IHE XDM package carry it. Modelled on
 * DRIM-M_DRIMbox/JeuxDeDonnees/exemples/XDS/publication.xml (same classification and
 * identification scheme UUIDs).
 */
import { createHash } from 'node:crypto';
import { esc, hl7Date, xdsTime } from '../cda/common';
import type { Coded } from '../cda';

export const ACTION_ITI41 = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b';
export const ACTION_ITI18 = 'urn:ihe:iti:2007:RegistryStoredQuery';
export const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
export const STATUS_APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
export const DOC_CONTENT_ID = 'doc1@vigie-ref';
export const ROOT_CONTENT_ID = 'root.message@vigie-ref';
/** the reference LGC's (invented) OID as an XDS source */
export const SOURCE_ID = '1.2.250.1.999.1.1.2';

/** Classification and identification schemes (IHE ITI TF-3, as in publication.xml). */
export const SCHEME = {
  ssAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  ssContentType: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  ssNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  ssPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  ssSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  ssUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  deObjectType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  deAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  deClass: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  deType: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  deConfidentiality: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  deFormat: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  deFacility: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  dePractice: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  dePatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  deUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
} as const;

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
} as const;

export type Masking = 'patient' | 'legal-representatives' | 'professionals';
export const MASKING_CODES: Record<Masking, { code: string; display: string }> = {
  patient: { code: 'INVISIBLE_PATIENT', display: 'Non visible par le patient' },
  'legal-representatives': { code: 'INVISIBLE_REPRESENTANTS_LEGAUX', display: 'Non visible par les représentants légaux du patient' },
  professionals: { code: 'MASQUE_PS', display: 'Masqué aux professionnels de santé' },
};
const MASKING_SCHEME = '1.2.250.1.213.1.1.4.13';

export interface Author {
  /** XCN, e.g. 810001234567^PRATICIEN^Anne^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS */
  person: string;
  /** XON */
  institution: string;
  specialty: string;
  /** subject-id of the VIHF assertion */
  name: string;
  structureId: string;
}

export interface SubmissionSpec {
  repositoryUrl: string;
  /** INS as CX: <15 chars>^^^&<oid>&ISO^NH */
  patientCx: string;
  /** PID-5 / PID-7 / PID-8 for sourcePatientInfo */
  patientInfo: { birthName: string; firstName: string; birthDate: string; sex: string };
  cda: Buffer;
  documentUniqueId: string;
  submissionUniqueId: string;
  title: string;
  typeCode: Coded;
  classCode: Coded;
  formatCode: Coded;
  /** healthcareFacilityTypeCode and practiceSettingCode (default: a private practice, ambulatory care) */
  facility?: Coded;
  practiceSetting?: Coded;
  /** masking chosen by the user (SEND-11): added to confidentiality N */
  masking: Masking[];
  author: Author;
  creationTime: Date;
  submissionTime: Date;
}

export function slot(name: string, values: string[]): string {
  return `<rim:Slot name="${esc(name)}"><rim:ValueList>${values.map((v) => `<rim:Value>${esc(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
}

function localized(value: string): string {
  return `<rim:LocalizedString charset="UTF8" value="${esc(value)}" xml:lang="FR"/>`;
}

function classification(id: string, scheme: string, object: string, coded: Coded): string {
  return (
    `<rim:Classification classificationScheme="${scheme}" classifiedObject="${object}" id="${id}" nodeRepresentation="${esc(coded.code)}">` +
    `${slot('codingScheme', [coded.scheme])}<rim:Name>${localized(coded.display)}</rim:Name></rim:Classification>`
  );
}

function authorClassification(id: string, scheme: string, object: string, author: Author): string {
  return (
    `<rim:Classification classificationScheme="${scheme}" classifiedObject="${object}" id="${id}" nodeRepresentation="">` +
    slot('authorPerson', [author.person]) +
    slot('authorInstitution', [author.institution]) +
    slot('authorSpecialty', [author.specialty]) +
    '</rim:Classification>'
  );
}

function externalId(id: string, scheme: string, object: string, value: string, name: string): string {
  return `<rim:ExternalIdentifier id="${id}" identificationScheme="${scheme}" registryObject="${object}" value="${esc(value)}"><rim:Name>${localized(name)}</rim:Name></rim:ExternalIdentifier>`;
}

/** What the XDS metadata needs (the submission without its transport). */
export type MetadataSpec = Omit<SubmissionSpec, 'repositoryUrl'>;

/**
 * The content of the ebRIM RegistryObjectList: the SubmissionSet, the DocumentEntry and their
 * HasMember association (ITI-41, and the METADATA.XML of an IHE XDM package). `extraEntrySlots`
 * are added to the DocumentEntry (e.g. XDM's URI).
 */
export function registryObjects(spec: MetadataSpec, extraEntrySlots: Record<string, string[]> = {}): string {
  const now = xdsTime(spec.submissionTime);
  const hash = createHash('sha1').update(spec.cda).digest('hex');
  const confidentiality = [
    classification('cl05', SCHEME.deConfidentiality, 'Document01', { code: 'N', display: 'Normal', scheme: '2.16.840.1.113883.5.25' }),
    ...spec.masking.map((m, i) =>
      classification(`cl05m${i + 1}`, SCHEME.deConfidentiality, 'Document01', {
        code: MASKING_CODES[m].code,
        display: MASKING_CODES[m].display,
        scheme: MASKING_SCHEME,
      }),
    ),
  ].join('');
  const patient = spec.patientInfo;
  const sex = patient.sex === 'M' || patient.sex === 'F' ? patient.sex : 'U';
  const submissionSet =
    `<rim:RegistryPackage id="SubmissionSet01" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage">` +
    slot('submissionTime', [now]) +
    `<rim:Name>${localized(spec.title)}</rim:Name>` +
    authorClassification('cl01', SCHEME.ssAuthor, 'SubmissionSet01', spec.author) +
    classification('cl02', SCHEME.ssContentType, 'SubmissionSet01', { code: '03', display: 'Consultation', scheme: '1.2.250.1.213.2.2' }) +
    `<rim:Classification classificationNode="${SCHEME.ssNode}" classifiedObject="SubmissionSet01" id="cl03"/>` +
    externalId('ei01', SCHEME.ssPatientId, 'SubmissionSet01', spec.patientCx, 'XDSSubmissionSet.patientId') +
    externalId('ei02', SCHEME.ssSourceId, 'SubmissionSet01', SOURCE_ID, 'XDSSubmissionSet.sourceId') +
    externalId('ei03', SCHEME.ssUniqueId, 'SubmissionSet01', spec.submissionUniqueId, 'XDSSubmissionSet.uniqueId') +
    '</rim:RegistryPackage>';
  const entry =
    `<rim:ExtrinsicObject id="Document01" mimeType="text/xml" objectType="${SCHEME.deObjectType}">` +
    slot('creationTime', [xdsTime(spec.creationTime)]) +
    slot('hash', [hash]) +
    slot('languageCode', ['fr-FR']) +
    slot('legalAuthenticator', [spec.author.person]) +
    slot('serviceStartTime', [xdsTime(spec.creationTime)]) +
    slot('size', [String(spec.cda.length)]) +
    slot('sourcePatientId', [spec.patientCx]) +
    slot('sourcePatientInfo', [
      `PID-5|${patient.birthName}^${patient.firstName}^^^^^L`,
      `PID-7|${hl7Date(patient.birthDate)}`,
      `PID-8|${sex}`,
    ]) +
    Object.entries(extraEntrySlots)
      .map(([k, v]) => slot(k, v))
      .join('') +
    `<rim:Name>${localized(spec.title)}</rim:Name>` +
    authorClassification('cl04', SCHEME.deAuthor, 'Document01', spec.author) +
    classification('cl06', SCHEME.deClass, 'Document01', spec.classCode) +
    confidentiality +
    classification('cl07', SCHEME.deFormat, 'Document01', spec.formatCode) +
    classification(
      'cl08',
      SCHEME.deFacility,
      'Document01',
      spec.facility ?? { code: 'SA07', display: 'Cabinet individuel', scheme: '1.2.250.1.71.4.2.4' },
    ) +
    classification(
      'cl09',
      SCHEME.dePractice,
      'Document01',
      spec.practiceSetting ?? { code: 'AMBULATOIRE', display: 'Ambulatoire', scheme: '1.2.250.1.213.1.1.4.9' },
    ) +
    classification('cl10', SCHEME.deType, 'Document01', spec.typeCode) +
    externalId('ei04', SCHEME.dePatientId, 'Document01', spec.patientCx, 'XDSDocumentEntry.patientId') +
    externalId('ei05', SCHEME.deUniqueId, 'Document01', spec.documentUniqueId, 'XDSDocumentEntry.uniqueId') +
    '</rim:ExtrinsicObject>';
  const association =
    '<rim:Association associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" id="Association01" sourceObject="SubmissionSet01" targetObject="Document01">' +
    slot('SubmissionSetStatus', ['Original']) +
    '</rim:Association>';
  return `${submissionSet}${entry}${association}`;
}

/** A standalone lcm:SubmitObjectsRequest (IHE XDM METADATA.XML). */
export function submitObjectsRequest(spec: MetadataSpec, extraEntrySlots: Record<string, string[]> = {}): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">` +
    `<rim:RegistryObjectList>${registryObjects(spec, extraEntrySlots)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>`
  );
}
