/**
 * The reference LGC's DMP client: ITI-41 Provide and Register Document Set-b in MTOM/XOP and
 * ITI-18 Registry Stored Query (FindDocuments), SOAP 1.2, plus safe parsing of the answers.
 * The ITI-41 message is modelled on DRIM-M_DRIMbox/JeuxDeDonnees/exemples/XDS/publication.xml
 * (same classification / identification scheme UUIDs), without the signed SAML token: the
 * header carries a minimal, unsigned VIHF-like assertion.
 */
import { createHash, randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { esc, hl7Date, xdsTime } from './cda/common';
import type { Coded } from './cda';
import { httpPost } from './http-post';

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

const NS = {
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
  /** masking chosen by the user (SEND-11): added to confidentiality N */
  masking: Masking[];
  author: Author;
  creationTime: Date;
  submissionTime: Date;
}

function slot(name: string, values: string[]): string {
  return `<rim:Slot name="${esc(name)}"><rim:ValueList>${values.map((v) => `<rim:Value>${esc(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
}

function localized(value: string): string {
  return `<rim:LocalizedString charset="UTF8" value="${esc(value)}" xml:lang="FR"/>`;
}

function classification(id: string, scheme: string, object: string, c: Coded): string {
  return (
    `<rim:Classification classificationScheme="${scheme}" classifiedObject="${object}" id="${id}" nodeRepresentation="${esc(c.code)}">` +
    `${slot('codingScheme', [c.scheme])}<rim:Name>${localized(c.display)}</rim:Name></rim:Classification>`
  );
}

function authorClassification(id: string, scheme: string, object: string, a: Author): string {
  return (
    `<rim:Classification classificationScheme="${scheme}" classifiedObject="${object}" id="${id}" nodeRepresentation="">` +
    slot('authorPerson', [a.person]) +
    slot('authorInstitution', [a.institution]) +
    slot('authorSpecialty', [a.specialty]) +
    '</rim:Classification>'
  );
}

function externalId(id: string, scheme: string, object: string, value: string, name: string): string {
  return `<rim:ExternalIdentifier id="${id}" identificationScheme="${scheme}" registryObject="${object}" value="${esc(value)}"><rim:Name>${localized(name)}</rim:Name></rim:ExternalIdentifier>`;
}

/** Minimal unsigned VIHF-like assertion (no signature: the doubles do not check one). */
function vihf(a: Author, patientCx: string, now: Date): string {
  const attr = (name: string, value: string): string =>
    `<saml2:Attribute Name="${esc(name)}"><saml2:AttributeValue>${esc(value)}</saml2:AttributeValue></saml2:Attribute>`;
  return (
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" IssueInstant="${now.toISOString()}" Version="2.0">` +
    `<saml2:Issuer>${esc(a.name)}</saml2:Issuer><saml2:Subject><saml2:NameID>${esc(a.person.split('^')[0])}</saml2:NameID></saml2:Subject>` +
    '<saml2:AttributeStatement>' +
    attr('VIHF_Version', '3.0') +
    attr('Secteur_Activite', 'SA07^1.2.250.1.71.4.2.4') +
    attr('Ressource_URN', 'urn:dmp') +
    attr('urn:oasis:names:tc:xspa:1.0:subject:subject-id', a.name) +
    attr('Identifiant_Structure', a.structureId) +
    attr('LPS_Nom', 'VIGIE-REF-LGC') +
    attr('LPS_Version', '0.1.0') +
    attr('urn:oasis:names:tc:xacml:2.0:resource:resource-id', patientCx) +
    attr('Authentification_Mode', 'INDIRECTE') +
    '</saml2:AttributeStatement></saml2:Assertion></wsse:Security>'
  );
}

function soapHeader(action: string, to: string, extra = ''): string {
  return (
    '<soap:Header>' +
    `<wsa:Action soap:mustUnderstand="true">${action}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    `<wsa:To>${esc(to)}</wsa:To>` +
    extra +
    '</soap:Header>'
  );
}

/** What the XDS metadata needs (the submission without its transport). */
export type MetadataSpec = Omit<SubmissionSpec, 'repositoryUrl'>;

/**
 * The content of the ebRIM RegistryObjectList: the SubmissionSet, the DocumentEntry and their
 * HasMember association (ITI-41, and the METADATA.XML of an IHE XDM package). `extraEntrySlots`
 * are added to the DocumentEntry (e.g. XDM's URI).
 */
export function registryObjects(s: MetadataSpec, extraEntrySlots: Record<string, string[]> = {}): string {
  const now = xdsTime(s.submissionTime);
  const hash = createHash('sha1').update(s.cda).digest('hex');
  const confidentiality = [
    classification('cl05', SCHEME.deConfidentiality, 'Document01', { code: 'N', display: 'Normal', scheme: '2.16.840.1.113883.5.25' }),
    ...s.masking.map((m, i) =>
      classification(`cl05m${i + 1}`, SCHEME.deConfidentiality, 'Document01', { code: MASKING_CODES[m].code, display: MASKING_CODES[m].display, scheme: MASKING_SCHEME }),
    ),
  ].join('');
  const p = s.patientInfo;
  const sex = p.sex === 'M' || p.sex === 'F' ? p.sex : 'U';
  const submissionSet =
    `<rim:RegistryPackage id="SubmissionSet01" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage">` +
    slot('submissionTime', [now]) +
    `<rim:Name>${localized(s.title)}</rim:Name>` +
    authorClassification('cl01', SCHEME.ssAuthor, 'SubmissionSet01', s.author) +
    classification('cl02', SCHEME.ssContentType, 'SubmissionSet01', { code: '03', display: 'Consultation', scheme: '1.2.250.1.213.2.2' }) +
    `<rim:Classification classificationNode="${SCHEME.ssNode}" classifiedObject="SubmissionSet01" id="cl03"/>` +
    externalId('ei01', SCHEME.ssPatientId, 'SubmissionSet01', s.patientCx, 'XDSSubmissionSet.patientId') +
    externalId('ei02', SCHEME.ssSourceId, 'SubmissionSet01', SOURCE_ID, 'XDSSubmissionSet.sourceId') +
    externalId('ei03', SCHEME.ssUniqueId, 'SubmissionSet01', s.submissionUniqueId, 'XDSSubmissionSet.uniqueId') +
    '</rim:RegistryPackage>';
  const entry =
    `<rim:ExtrinsicObject id="Document01" mimeType="text/xml" objectType="${SCHEME.deObjectType}">` +
    slot('creationTime', [xdsTime(s.creationTime)]) +
    slot('hash', [hash]) +
    slot('languageCode', ['fr-FR']) +
    slot('legalAuthenticator', [s.author.person]) +
    slot('serviceStartTime', [xdsTime(s.creationTime)]) +
    slot('size', [String(s.cda.length)]) +
    slot('sourcePatientId', [s.patientCx]) +
    slot('sourcePatientInfo', [`PID-5|${p.birthName}^${p.firstName}^^^^^L`, `PID-7|${hl7Date(p.birthDate)}`, `PID-8|${sex}`]) +
    Object.entries(extraEntrySlots).map(([k, v]) => slot(k, v)).join('') +
    `<rim:Name>${localized(s.title)}</rim:Name>` +
    authorClassification('cl04', SCHEME.deAuthor, 'Document01', s.author) +
    classification('cl06', SCHEME.deClass, 'Document01', s.classCode) +
    confidentiality +
    classification('cl07', SCHEME.deFormat, 'Document01', s.formatCode) +
    classification('cl08', SCHEME.deFacility, 'Document01', { code: 'SA07', display: 'Cabinet individuel', scheme: '1.2.250.1.71.4.2.4' }) +
    classification('cl09', SCHEME.dePractice, 'Document01', { code: 'AMBULATOIRE', display: 'Ambulatoire', scheme: '1.2.250.1.213.1.1.4.9' }) +
    classification('cl10', SCHEME.deType, 'Document01', s.typeCode) +
    externalId('ei04', SCHEME.dePatientId, 'Document01', s.patientCx, 'XDSDocumentEntry.patientId') +
    externalId('ei05', SCHEME.deUniqueId, 'Document01', s.documentUniqueId, 'XDSDocumentEntry.uniqueId') +
    '</rim:ExtrinsicObject>';
  const association =
    '<rim:Association associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" id="Association01" sourceObject="SubmissionSet01" targetObject="Document01">' +
    slot('SubmissionSetStatus', ['Original']) +
    '</rim:Association>';
  return `${submissionSet}${entry}${association}`;
}

/** A standalone lcm:SubmitObjectsRequest (IHE XDM METADATA.XML). */
export function submitObjectsRequest(s: MetadataSpec, extraEntrySlots: Record<string, string[]> = {}): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">` +
    `<rim:RegistryObjectList>${registryObjects(s, extraEntrySlots)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>`
  );
}

/** The SOAP envelope of the ITI-41 request (the document is referenced by xop:Include). */
export function iti41Envelope(s: SubmissionSpec): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsa="${NS.wsa}">` +
    soapHeader(ACTION_ITI41, s.repositoryUrl, vihf(s.author, s.patientCx, s.submissionTime)) +
    '<soap:Body>' +
    `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}" xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">` +
    `<lcm:SubmitObjectsRequest><rim:RegistryObjectList>${registryObjects(s)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>` +
    `<xdsb:Document id="Document01"><xop:Include href="cid:${DOC_CONTENT_ID}" xmlns:xop="${NS.xop}"/></xdsb:Document>` +
    '</xdsb:ProvideAndRegisterDocumentSetRequest>' +
    '</soap:Body></soap:Envelope>'
  );
}

/** The MTOM/XOP multipart/related message: the SOAP envelope, then the CDA as its own part. */
export function iti41Mtom(s: SubmissionSpec): { contentType: string; body: Buffer } {
  const boundary = `MIMEBoundary_${randomUUID().replace(/-/g, '')}`;
  const envelope = iti41Envelope(s);
  const head =
    `--${boundary}\r\n` +
    `Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"; action="${ACTION_ITI41}"\r\n` +
    'Content-Transfer-Encoding: binary\r\n' +
    `Content-ID: <${ROOT_CONTENT_ID}>\r\n\r\n` +
    `${envelope}\r\n` +
    `--${boundary}\r\n` +
    'Content-Type: text/xml\r\n' +
    'Content-Transfer-Encoding: binary\r\n' +
    `Content-ID: <${DOC_CONTENT_ID}>\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'utf8'), s.cda, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
  return {
    contentType:
      `multipart/related; type="application/xop+xml"; boundary="${boundary}"; start="<${ROOT_CONTENT_ID}>"; ` +
      `start-info="application/soap+xml"; action="${ACTION_ITI41}"`,
    body,
  };
}

export function iti18Envelope(registryUrl: string, patientCx: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsa="${NS.wsa}">` +
    soapHeader(ACTION_ITI18, registryUrl) +
    '<soap:Body>' +
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}">` +
    '<query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/>' +
    `<rim:AdhocQuery id="${FIND_DOCUMENTS}">` +
    slot('$XDSDocumentEntryPatientId', [`'${patientCx}'`]) +
    slot('$XDSDocumentEntryStatus', [`('${STATUS_APPROVED}')`]) +
    '</rim:AdhocQuery></query:AdhocQueryRequest>' +
    '</soap:Body></soap:Envelope>'
  );
}

// ---------------------------------------------------------------------------------------------
// Answers

export type SubmitOutcome =
  | { outcome: 'success' }
  | { outcome: 'failure'; errors: Array<{ code: string; context: string }> }
  | { outcome: 'error'; code: string; message: string };

export type QueryOutcome =
  | { outcome: 'success'; documents: Array<{ title: string; typeCode: string }> }
  | { outcome: 'error'; code: string; message: string };

const parser = new XMLParser({
  processEntities: false,
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Obj = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const obj = (v: unknown): Obj | undefined => {
  const f = Array.isArray(v) ? v[0] : v;
  return f && typeof f === 'object' ? (f as Obj) : undefined;
};
const decode = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    try {
      return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    } catch {
      return m;
    }
  });
const attr = (o: Obj | undefined, name: string): string | undefined => {
  const v = o?.[`@_${name}`];
  return typeof v === 'string' ? decode(v) : undefined;
};
const text = (v: unknown): string | undefined => {
  const f = Array.isArray(v) ? v[0] : v;
  if (typeof f === 'string' || typeof f === 'number') return decode(String(f));
  if (f && typeof f === 'object' && '#text' in (f as Obj)) return text((f as Obj)['#text']);
  return undefined;
};

/** The SOAP body of an answer (plain SOAP or MTOM), or an error. Rejects DOCTYPE / entities. */
function soapBody(raw: Buffer, httpStatus: number): { body: Obj } | { outcome: 'error'; code: string; message: string } {
  const s = raw.toString('utf8');
  if (/<!DOCTYPE/i.test(s) || /<!ENTITY/i.test(s)) return { outcome: 'error', code: 'invalid-answer', message: 'answer rejected: it carries a DOCTYPE' };
  const m = /<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>][\s\S]*<\/(?:[A-Za-z_][\w.-]*:)?Envelope\s*>/.exec(s);
  if (!m) return { outcome: 'error', code: httpStatus >= 400 ? `HTTP-${httpStatus}` : 'invalid-answer', message: `answer is not a SOAP envelope (HTTP ${httpStatus})` };
  let doc: Obj;
  try {
    doc = parser.parse(m[0]) as Obj;
  } catch (e) {
    return { outcome: 'error', code: 'invalid-answer', message: `answer is not XML: ${(e as Error).message}` };
  }
  const body = obj(obj(doc.Envelope)?.Body);
  if (!body) return { outcome: 'error', code: 'invalid-answer', message: 'answer has no SOAP Body' };
  const fault = obj(body.Fault);
  if (fault) {
    const code = obj(fault.Code);
    const faultCode = text(obj(code?.Subcode)?.Value) ?? text(code?.Value) ?? 'soap-fault';
    const reason = text(obj(fault.Reason)?.Text) ?? text(fault.faultstring) ?? 'SOAP Fault';
    return { outcome: 'error', code: faultCode, message: `SOAP Fault : ${reason}` };
  }
  return { body };
}

export function parseRegistryResponse(raw: Buffer, httpStatus = 200): SubmitOutcome {
  const b = soapBody(raw, httpStatus);
  if (!('body' in b)) return b;
  const rr = obj(b.body.RegistryResponse);
  if (!rr) return { outcome: 'error', code: 'invalid-answer', message: 'answer has no RegistryResponse' };
  const status = attr(rr, 'status') ?? '';
  if (/:(Success|PartialSuccess)$/.test(status)) return { outcome: 'success' };
  if (/:Failure$/.test(status)) {
    const errors = arr(obj(rr.RegistryErrorList)?.RegistryError).map((e) => ({
      code: attr(obj(e), 'errorCode') ?? '',
      context: attr(obj(e), 'codeContext') ?? text(e) ?? '',
    }));
    return { outcome: 'failure', errors };
  }
  return { outcome: 'error', code: 'invalid-answer', message: `unknown RegistryResponse status "${status}"` };
}

export function parseQueryResponse(raw: Buffer, httpStatus = 200): QueryOutcome {
  const b = soapBody(raw, httpStatus);
  if (!('body' in b)) return b;
  const r = obj(b.body.AdhocQueryResponse);
  if (!r) return { outcome: 'error', code: 'invalid-answer', message: 'answer has no AdhocQueryResponse' };
  const status = attr(r, 'status') ?? '';
  if (/:Failure$/.test(status)) {
    const e = obj(arr(obj(r.RegistryErrorList)?.RegistryError)[0]);
    return { outcome: 'error', code: attr(e, 'errorCode') ?? 'failure', message: attr(e, 'codeContext') ?? 'the DMP refused the query' };
  }
  const documents = arr(obj(r.RegistryObjectList)?.ExtrinsicObject).map((x) => {
    const eo = obj(x);
    const title = attr(obj(obj(eo?.Name)?.LocalizedString), 'value') ?? '';
    const type = arr(eo?.Classification).map(obj).find((c) => attr(c, 'classificationScheme') === SCHEME.deType);
    return { title, typeCode: attr(type, 'nodeRepresentation') ?? '' };
  });
  return { outcome: 'success', documents };
}

export async function submitIti41(s: SubmissionSpec, timeoutMs: number, cancel?: AbortSignal): Promise<SubmitOutcome> {
  const m = iti41Mtom(s);
  const r = await httpPost(s.repositoryUrl, { 'Content-Type': m.contentType, 'MIME-Version': '1.0' }, m.body, timeoutMs, cancel);
  if (!r.ok) return { outcome: 'error', code: r.code, message: r.message };
  if (r.body.length === 0) return { outcome: 'error', code: `HTTP-${r.status}`, message: `the DMP answered HTTP ${r.status} with an empty body` };
  return parseRegistryResponse(r.body, r.status);
}

export async function queryIti18(registryUrl: string, patientCx: string, timeoutMs: number, cancel?: AbortSignal): Promise<QueryOutcome> {
  const payload = Buffer.from(iti18Envelope(registryUrl, patientCx), 'utf8');
  const r = await httpPost(registryUrl, { 'Content-Type': `application/soap+xml; charset=utf-8; action="${ACTION_ITI18}"` }, payload, timeoutMs, cancel);
  if (!r.ok) return { outcome: 'error', code: r.code, message: r.message };
  return parseQueryResponse(r.body, r.status);
}
