/**
 * ITI-41 (Provide and Register Document Set-b) requests built by hand, as a third-party XDS client
 * would send them: the DMP double's tests and the TLS tests share them.
 */
export const SOAP12 = 'application/soap+xml; charset=utf-8';
export const PNR_ACTION = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b';
export const SQ_ACTION = 'urn:ihe:iti:2007:RegistryStoredQuery';
export const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
export const SCHEMES = {
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  conf: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  facility: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practice: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  patientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  uniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  setUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  setSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  setPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
};

export const INS = { id: '279035121518989', oid: '1.2.250.1.213.1.4.8' };
export const CX = `${INS.id}^^^&${INS.oid}&ISO^NH`;
export const OTHER = { id: '180012B00012345', oid: '1.2.250.1.213.1.4.8' };
export const OTHER_CX = `${OTHER.id}^^^&${OTHER.oid}&ISO^NH`;

// ---- message builders -------------------------------------------------------------------------

export function cda(code: string, ids: Array<{ id: string; oid: string }> = [INS, { id: 'LOCAL-42', oid: '1.2.250.1.999.2' }]): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">' +
      '<typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>' +
      // The volet of the metadata's formatCode (urn:ihe:iti:xds-sd:pdf:2008: XDS-SD).
      '<templateId root="1.3.6.1.4.1.19376.1.2.20"/>' +
      '<id root="1.2.250.1.999.1" extension="doc-1"/>' +
      `<code code="${code}" codeSystem="2.16.840.1.113883.6.1" displayName="Compte rendu"/>` +
      '<title>Consultation du jour — é</title>' +
      `<recordTarget><patientRole>${ids.map((i) => `<id extension="${i.id}" root="${i.oid}"/>`).join('')}</patientRole></recordTarget>` +
      '</ClinicalDocument>\n',
    'utf8',
  );
}

export interface EntrySpec {
  id: string;
  title?: string;
  typeCode?: string;
  classCode?: string;
  conf?: string[];
  patient?: string | null; // CX, null = no patientId
  mimeType?: string;
  hash?: string;
  size?: string;
  uniqueId?: string;
}

let uid = 0;
export function entryXml(entry: EntrySpec): string {
  const cl = (scheme: string, code: string) =>
    `<Classification classificationScheme="${scheme}" classifiedObject="${entry.id}" id="cl${++uid}" nodeRepresentation="${code}"><Slot name="codingScheme"><ValueList><Value>x</Value></ValueList></Slot></Classification>`;
  const slot = (name: string, v?: string) =>
    v === undefined ? '' : `<Slot name="${name}"><ValueList><Value>${v.replace(/&/g, '&amp;')}</Value></ValueList></Slot>`;
  const patient = entry.patient === undefined ? CX : entry.patient;
  return (
    `<ExtrinsicObject id="${entry.id}" mimeType="${entry.mimeType ?? 'text/xml'}" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">` +
    slot('creationTime', '20260101120000') +
    slot('hash', entry.hash) +
    slot('size', entry.size) +
    slot('sourcePatientId', patient?.replace('^NH', '^PI') ?? undefined) +
    `<Name><LocalizedString value="${entry.title ?? 'Compte rendu'}"/></Name>` +
    cl(SCHEMES.classCode, entry.classCode ?? '11') +
    cl(SCHEMES.typeCode, entry.typeCode ?? '11488-4') +
    (entry.conf ?? ['N']).map((c) => cl(SCHEMES.conf, c)).join('') +
    cl(SCHEMES.formatCode, 'urn:ihe:iti:xds-sd:pdf:2008') +
    cl(SCHEMES.facility, 'SA05') +
    cl(SCHEMES.practice, 'ETABLISSEMENT') +
    (patient === null
      ? ''
      : `<ExternalIdentifier id="ei${++uid}" identificationScheme="${SCHEMES.patientId}" registryObject="${entry.id}" value="${patient.replace(/&/g, '&amp;')}"><Name><LocalizedString value="XDSDocumentEntry.patientId"/></Name></ExternalIdentifier>`) +
    `<ExternalIdentifier id="ei${++uid}" identificationScheme="${SCHEMES.uniqueId}" registryObject="${entry.id}" value="${entry.uniqueId ?? `1.2.250.1.999.3.${++uid}`}"/>` +
    '</ExtrinsicObject>'
  );
}

export function pnrXml(
  entries: EntrySpec[],
  documents: string,
  opts: { action?: string | null; setPatient?: string; messageId?: string } = {},
): string {
  const action = opts.action === undefined ? PNR_ACTION : opts.action;
  const setPatient = (opts.setPatient ?? entries[0]?.patient ?? CX) || CX;
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>' +
    (action === null ? '' : `<wsa:Action soap:mustUnderstand="true">${action}</wsa:Action>`) +
    `<wsa:MessageID>${opts.messageId ?? 'urn:uuid:11111111-2222-3333-4444-555555555555'}</wsa:MessageID></soap:Header><soap:Body>` +
    '<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="urn:ihe:iti:xds-b:2007" xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">' +
    '<lcm:SubmitObjectsRequest><RegistryObjectList>' +
    '<RegistryPackage id="SubmissionSet01">' +
    '<Classification classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd" classifiedObject="SubmissionSet01" id="clss"/>' +
    `<ExternalIdentifier id="eis1" identificationScheme="${SCHEMES.setPatientId}" registryObject="SubmissionSet01" value="${setPatient.replace(/&/g, '&amp;')}"/>` +
    `<ExternalIdentifier id="eis2" identificationScheme="${SCHEMES.setSourceId}" registryObject="SubmissionSet01" value="1.2.250.1.999.9"/>` +
    `<ExternalIdentifier id="eis3" identificationScheme="${SCHEMES.setUniqueId}" registryObject="SubmissionSet01" value="1.2.250.1.999.9.${++uid}"/>` +
    '</RegistryPackage>' +
    entries.map(entryXml).join('') +
    '</RegistryObjectList></lcm:SubmitObjectsRequest>' +
    documents +
    '</xds:ProvideAndRegisterDocumentSetRequest></soap:Body></soap:Envelope>'
  );
}

export const xopDoc = (id: string, cid = `${id}@vigie.test`) =>
  `<xds:Document id="${id}"><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:${encodeURIComponent(cid)}"/></xds:Document>`;
export const inlineDoc = (id: string, bytes: Buffer) => `<xds:Document id="${id}">${bytes.toString('base64')}</xds:Document>`;
