/** ITI-18 Registry Stored Query: FindDocuments by patient, and the ExtrinsicObjects it returns. */
import { child, escapeXml } from '../common/xml';
import { openEnvelope, payloadFault, type OpenedEnvelope } from './envelope';
import { SCHEMES, parseCx } from './metadata';
import { ACTIONS, NS, STATUS, senderFault, type DmpFault } from './soap';
import type { DmpDocumentEntry, PatientId } from './types';

export const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';

export interface DecodedQuery {
  envelope: OpenedEnvelope;
  queryId?: string;
  returnType?: string;
  patientId?: PatientId;
  fault?: DmpFault;
}

export function decodeStoredQuery(body: Buffer, contentType: string): DecodedQuery {
  const envelope = openEnvelope(body, contentType, ACTIONS.storedQuery);
  const out: DecodedQuery = { envelope };
  const payload = envelope.payload;
  out.fault = payloadFault(envelope, NS.query, 'AdhocQueryRequest');
  if (out.fault || !payload) return out;
  out.returnType = child(payload, 'ResponseOption', NS.query)?.attrs.returnType;
  const adhoc = child(payload, 'AdhocQuery', NS.rim);
  out.queryId = adhoc?.attrs.id;
  if (!adhoc) {
    out.fault = senderFault('XDSRegistryError', 'AdhocQueryRequest without rim:AdhocQuery');
    return out;
  }
  if (out.queryId !== FIND_DOCUMENTS) {
    out.fault = senderFault(
      'XDSUnknownStoredQuery',
      `Unsupported stored query "${out.queryId ?? ''}": this double answers FindDocuments (${FIND_DOCUMENTS}) only`,
    );
    return out;
  }
  const slot = adhoc.children.find((c) => c.local === 'Slot' && c.ns === NS.rim && c.attrs.name === '$XDSDocumentEntryPatientId');
  const values = slot ? (child(slot, 'ValueList', NS.rim)?.children.filter((v) => v.local === 'Value') ?? []) : [];
  if (values.length !== 1) {
    out.fault = senderFault(
      'XDSStoredQueryParamNumber',
      `FindDocuments needs exactly one $XDSDocumentEntryPatientId value, received ${values.length}`,
    );
    return out;
  }
  const raw = values[0].text;
  out.patientId = parseCx(raw);
  if (!out.patientId || !/^'.*'$/.test(raw.trim())) {
    out.fault = senderFault('XDSRegistryError', `$XDSDocumentEntryPatientId "${raw}" is not a quoted CX '...^^^&oid&ISO^NH'`);
  }
  return out;
}

export interface StoredDocument {
  entry: DmpDocumentEntry;
  entryUuid: string; // urn:uuid:... assigned by the registry
}

function slot(name: string, values: Array<string | undefined>): string {
  const vs = values.filter((v): v is string => v !== undefined);
  if (!vs.length) return '';
  return `<rim:Slot name="${escapeXml(name)}"><rim:ValueList>${vs.map((v) => `<rim:Value>${escapeXml(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
}

function name(value: string | undefined): string {
  return value === undefined ? '' : `<rim:Name><rim:LocalizedString value="${escapeXml(value)}"/></rim:Name>`;
}

/** A FindDocuments answer element: LeafClass ExtrinsicObject, or ObjectRef when that was asked for. */
export function renderDocument(doc: StoredDocument, returnType: string | undefined, n: number): string {
  const id = doc.entryUuid;
  if (returnType === 'ObjectRef') return `<rim:ObjectRef id="${escapeXml(id)}"/>`;
  const entry = doc.entry;
  let k = 0;
  const cls = (scheme: string, code: string | undefined) =>
    code === undefined
      ? ''
      : `<rim:Classification id="cl${n}-${++k}" classificationScheme="${scheme}" classifiedObject="${escapeXml(id)}" nodeRepresentation="${escapeXml(code)}"/>`;
  const ext = (scheme: string, value: string | undefined, label: string) =>
    value === undefined
      ? ''
      : `<rim:ExternalIdentifier id="ei${n}-${++k}" identificationScheme="${scheme}" registryObject="${escapeXml(id)}" value="${escapeXml(value)}">${name(label)}</rim:ExternalIdentifier>`;
  return (
    `<rim:ExtrinsicObject id="${escapeXml(id)}" mimeType="${escapeXml(entry.mimeType ?? 'application/octet-stream')}" ` +
    `objectType="${SCHEMES.stableDocumentEntry}" status="${STATUS.approved}">` +
    slot('creationTime', [entry.creationTime]) +
    slot('hash', [entry.hash]) +
    slot('size', [entry.size === undefined ? undefined : String(entry.size)]) +
    slot('sourcePatientId', [entry.sourcePatientId]) +
    slot('legalAuthenticator', [entry.legalAuthenticator]) +
    name(entry.title) +
    cls(SCHEMES.classCode, entry.classCode) +
    cls(SCHEMES.typeCode, entry.typeCode) +
    entry.confidentialityCodes.map((c) => cls(SCHEMES.confidentialityCode, c)).join('') +
    cls(SCHEMES.formatCode, entry.formatCode) +
    cls(SCHEMES.healthcareFacilityTypeCode, entry.healthcareFacilityTypeCode) +
    cls(SCHEMES.practiceSettingCode, entry.practiceSettingCode) +
    ext(SCHEMES.entryPatientId, entry.patientId?.raw, 'XDSDocumentEntry.patientId') +
    ext(SCHEMES.entryUniqueId, entry.uniqueId, 'XDSDocumentEntry.uniqueId') +
    '</rim:ExtrinsicObject>'
  );
}
