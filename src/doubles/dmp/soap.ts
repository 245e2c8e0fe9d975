/** SOAP 1.2 envelopes produced by the DMP double: RegistryResponse, AdhocQueryResponse, faults. */
import { randomUUID } from 'node:crypto';
import { SOAP_NS, WSA_FAULT_ACTION, faultElement, upgradeHeader, type SoapFault } from '../common/soap12';
import { escapeXml } from '../common/xml';

export { SOAP12_CONTENT_TYPE, fault, senderFault } from '../common/soap12';

export const NS = {
  ...SOAP_NS,
  xdsb: 'urn:ihe:iti:xds-b:2007',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
  hl7: 'urn:hl7-org:v3',
  vigie: 'urn:vigie:doubles:dmp',
} as const;

export const ACTIONS = {
  provideAndRegister: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  provideAndRegisterResponse: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse',
  storedQuery: 'urn:ihe:iti:2007:RegistryStoredQuery',
  storedQueryResponse: 'urn:ihe:iti:2007:RegistryStoredQueryResponse',
  fault: WSA_FAULT_ACTION,
} as const;

export const STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  severityError: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
  approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
} as const;

/** A fault the double answers; detailCode names the check that failed (XDS error code when there is one). */
export type DmpFault = SoapFault;

function envelope(action: string, relatesTo: string | undefined, body: string, extraHeaders = ''): string {
  const headers =
    `<wsa:Action soap:mustUnderstand="true">${escapeXml(action)}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    (relatesTo ? `<wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` : '') +
    extraHeaders;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${NS.soap12}" xmlns:wsa="${NS.wsa}">` +
    `<soap:Header>${headers}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/** A SOAP 1.2 fault whose detail is a vigie:Erreur (its code attribute: the fault's detailCode). */
export function faultEnvelope(fault: DmpFault, relatesTo?: string): string {
  return envelope(
    ACTIONS.fault,
    relatesTo,
    faultElement(
      fault,
      (reason) => `<vigie:Erreur xmlns:vigie="${NS.vigie}" code="${escapeXml(fault.detailCode)}">${reason}</vigie:Erreur>`,
    ),
    upgradeHeader(fault),
  );
}

export function registryResponseEnvelope(
  relatesTo: string | undefined,
  refusal?: { code: string; context: string; location?: string } | { code: string; context: string; location?: string }[],
): string {
  const rs = `xmlns:rs="${NS.rs}"`;
  const errors = refusal === undefined ? [] : Array.isArray(refusal) ? refusal : [refusal];
  const body = errors.length
    ? `<rs:RegistryResponse ${rs} status="${STATUS.failure}"><rs:RegistryErrorList highestSeverity="${STATUS.severityError}">` +
      errors
        .map(
          (e) =>
            `<rs:RegistryError errorCode="${escapeXml(e.code)}" codeContext="${escapeXml(e.context)}" severity="${STATUS.severityError}"` +
            `${e.location ? ` location="${escapeXml(e.location)}"` : ''}/>`,
        )
        .join('') +
      '</rs:RegistryErrorList></rs:RegistryResponse>'
    : `<rs:RegistryResponse ${rs} status="${STATUS.success}"/>`;
  return envelope(ACTIONS.provideAndRegisterResponse, relatesTo, body);
}

export function adhocQueryResponseEnvelope(relatesTo: string | undefined, registryObjects: string): string {
  const body =
    `<query:AdhocQueryResponse xmlns:query="${NS.query}" xmlns:rim="${NS.rim}" status="${STATUS.success}">` +
    `<rim:RegistryObjectList>${registryObjects}</rim:RegistryObjectList></query:AdhocQueryResponse>`;
  return envelope(ACTIONS.storedQueryResponse, relatesTo, body);
}
