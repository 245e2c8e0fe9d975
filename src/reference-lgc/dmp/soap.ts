/** The SOAP 1.2 messages of the DMP client: ITI-41 (MTOM/XOP, with an unsigned VIHF-like header) and ITI-18. */
import { randomUUID } from 'node:crypto';
import { esc } from '../cda/common';
import {
  ACTION_ITI18,
  ACTION_ITI41,
  DOC_CONTENT_ID,
  FIND_DOCUMENTS,
  NS,
  registryObjects,
  ROOT_CONTENT_ID,
  slot,
  STATUS_APPROVED,
  type Author,
  type SubmissionSpec,
} from './xds-metadata';

/** Minimal unsigned VIHF-like assertion (no signature: the doubles do not check one). */
function vihf(author: Author, patientCx: string, now: Date): string {
  const attr = (name: string, value: string): string =>
    `<saml2:Attribute Name="${esc(name)}"><saml2:AttributeValue>${esc(value)}</saml2:AttributeValue></saml2:Attribute>`;
  return (
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" IssueInstant="${now.toISOString()}" Version="2.0">` +
    `<saml2:Issuer>${esc(author.name)}</saml2:Issuer><saml2:Subject><saml2:NameID>${esc(author.person.split('^')[0])}</saml2:NameID></saml2:Subject>` +
    '<saml2:AttributeStatement>' +
    attr('VIHF_Version', '3.0') +
    attr('Secteur_Activite', 'SA07^1.2.250.1.71.4.2.4') +
    attr('Ressource_URN', 'urn:dmp') +
    attr('urn:oasis:names:tc:xspa:1.0:subject:subject-id', author.name) +
    attr('Identifiant_Structure', author.structureId) +
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

/** The SOAP envelope of the ITI-41 request (the document is referenced by xop:Include). */
export function iti41Envelope(spec: SubmissionSpec): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsa="${NS.wsa}">` +
    soapHeader(ACTION_ITI41, spec.repositoryUrl, vihf(spec.author, spec.patientCx, spec.submissionTime)) +
    '<soap:Body>' +
    `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}" xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">` +
    `<lcm:SubmitObjectsRequest><rim:RegistryObjectList>${registryObjects(spec)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>` +
    `<xdsb:Document id="Document01"><xop:Include href="cid:${DOC_CONTENT_ID}" xmlns:xop="${NS.xop}"/></xdsb:Document>` +
    '</xdsb:ProvideAndRegisterDocumentSetRequest>' +
    '</soap:Body></soap:Envelope>'
  );
}

/** The MTOM/XOP multipart/related message: the SOAP envelope, then the CDA as its own part. */
export function iti41Mtom(spec: SubmissionSpec): { contentType: string; body: Buffer } {
  const boundary = `MIMEBoundary_${randomUUID().replace(/-/g, '')}`;
  const envelope = iti41Envelope(spec);
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
  const body = Buffer.concat([Buffer.from(head, 'utf8'), spec.cda, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
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
