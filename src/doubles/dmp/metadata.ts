/** XDS.b ebRIM 3.0 metadata: reading DocumentEntries and the SubmissionSet, CX patient identifiers. */
import type { XmlElement } from '../common/xml';
import { NS } from './soap';
import type { DmpDocumentEntry, PatientId } from './types';

export const SCHEMES = {
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  entryPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  entryUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  setUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  setSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  setPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  submissionSetNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  stableDocumentEntry: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  author: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
} as const;

/**
 * `id^^^&oid&ISO^NH` -> {id, oid}. Undefined when the id or the assigning authority's universal id is
 * missing. Surrounding single quotes (stored-query syntax) are removed.
 */
export function parseCx(value: string | undefined): PatientId | undefined {
  if (value === undefined) return undefined;
  let raw = value.trim();
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) raw = raw.slice(1, -1).trim();
  const components = raw.split('^');
  const id = (components[0] ?? '').trim();
  const authority = (components[3] ?? '').split('&');
  const oid = (authority[1] ?? '').trim();
  if (!id || !oid) return undefined;
  return { id, oid, raw };
}

export function samePatient(left: { id: string; oid: string } | undefined, right: { id: string; oid: string } | undefined): boolean {
  return !!left && !!right && left.id === right.id && left.oid === right.oid;
}

function rim(el: XmlElement | undefined, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.local === local && c.ns === NS.rim) : [];
}

function slotValues(el: XmlElement, name: string): string[] {
  const slot = rim(el, 'Slot').find((s) => s.attrs.name === name);
  return slot ? rim(rim(slot, 'ValueList')[0], 'Value').map((v) => v.text) : [];
}

function localizedName(el: XmlElement): string | undefined {
  const ls = rim(rim(el, 'Name')[0], 'LocalizedString')[0];
  return ls?.attrs.value;
}

export interface RegistryObjects {
  entries: XmlElement[]; // ExtrinsicObjects
  packages: XmlElement[]; // RegistryPackages
  classifications: XmlElement[]; // top-level Classifications (classifiedObject links them)
  externalIdentifiers: XmlElement[]; // top-level ExternalIdentifiers (registryObject links them)
}

export function registryObjects(list: XmlElement | undefined): RegistryObjects {
  return {
    entries: rim(list, 'ExtrinsicObject'),
    packages: rim(list, 'RegistryPackage'),
    classifications: rim(list, 'Classification'),
    externalIdentifiers: rim(list, 'ExternalIdentifier'),
  };
}

/** Classifications of an object: nested ones plus top-level ones whose classifiedObject is its id. */
function classificationsOf(el: XmlElement, objs: RegistryObjects): XmlElement[] {
  const id = el.attrs.id;
  return [...rim(el, 'Classification'), ...objs.classifications.filter((c) => id !== undefined && c.attrs.classifiedObject === id)];
}

function externalIdsOf(el: XmlElement, objs: RegistryObjects): XmlElement[] {
  const id = el.attrs.id;
  return [...rim(el, 'ExternalIdentifier'), ...objs.externalIdentifiers.filter((e) => id !== undefined && e.attrs.registryObject === id)];
}

function codes(classifications: XmlElement[], scheme: string): string[] {
  return classifications.filter((c) => c.attrs.classificationScheme === scheme).map((c) => c.attrs.nodeRepresentation ?? '');
}

function externalId(ids: XmlElement[], scheme: string): string | undefined {
  return ids.find((e) => e.attrs.identificationScheme === scheme)?.attrs.value;
}

export interface ReadEntry {
  entry: DmpDocumentEntry;
  patientIdRaw?: string; // the patientId ExternalIdentifier value, even when it does not parse as a CX
  sizeRaw?: string;
  /** The authorSpecialty codes of the entry's authors (the code before its first ^). */
  authorSpecialties: string[];
}

export function readDocumentEntry(el: XmlElement, objs: RegistryObjects): ReadEntry {
  const cls = classificationsOf(el, objs);
  const ids = externalIdsOf(el, objs);
  const first = (scheme: string) => codes(cls, scheme)[0];
  const slot = (name: string) => slotValues(el, name)[0];
  const patientIdRaw = externalId(ids, SCHEMES.entryPatientId);
  const sizeRaw = slot('size');
  const entry: DmpDocumentEntry = {
    entryId: el.attrs.id ?? '',
    uniqueId: externalId(ids, SCHEMES.entryUniqueId),
    mimeType: el.attrs.mimeType,
    title: localizedName(el),
    classCode: first(SCHEMES.classCode),
    typeCode: first(SCHEMES.typeCode),
    confidentialityCodes: codes(cls, SCHEMES.confidentialityCode),
    formatCode: first(SCHEMES.formatCode),
    healthcareFacilityTypeCode: first(SCHEMES.healthcareFacilityTypeCode),
    practiceSettingCode: first(SCHEMES.practiceSettingCode),
    patientId: parseCx(patientIdRaw),
    creationTime: slot('creationTime'),
    hash: slot('hash'),
    size: sizeRaw !== undefined && /^\s*\d+\s*$/.test(sizeRaw) ? Number(sizeRaw) : undefined,
    sourcePatientId: slot('sourcePatientId'),
    legalAuthenticator: slot('legalAuthenticator'),
    content: Buffer.alloc(0),
  };
  for (const key of Object.keys(entry) as Array<keyof DmpDocumentEntry>) if (entry[key] === undefined) delete entry[key];
  const authorSpecialties = cls
    .filter((c) => c.attrs.classificationScheme === SCHEMES.author)
    .flatMap((author) => slotValues(author, 'authorSpecialty'))
    .map((v) => v.split('^')[0].trim())
    .filter(Boolean);
  return { entry, patientIdRaw, sizeRaw, authorSpecialties };
}

/** The SubmissionSet: the RegistryPackage classified as such, else the one carrying a submission-set uniqueId. */
export function readSubmissionSet(objs: RegistryObjects): { uniqueId?: string; sourceId?: string; patientId?: string } | undefined {
  const isSet = (p: XmlElement) =>
    classificationsOf(p, objs).some((c) => c.attrs.classificationNode === SCHEMES.submissionSetNode) ||
    objs.classifications.some((c) => c.attrs.classificationNode === SCHEMES.submissionSetNode && c.attrs.classifiedObject === p.attrs.id);
  const pkg = objs.packages.find(isSet) ?? objs.packages.find((p) => externalId(externalIdsOf(p, objs), SCHEMES.setUniqueId) !== undefined);
  if (!pkg) return undefined;
  const ids = externalIdsOf(pkg, objs);
  const set = {
    uniqueId: externalId(ids, SCHEMES.setUniqueId),
    sourceId: externalId(ids, SCHEMES.setSourceId),
    patientId: externalId(ids, SCHEMES.setPatientId),
  };
  for (const key of Object.keys(set) as Array<keyof typeof set>) if (set[key] === undefined) delete set[key];
  return set;
}
