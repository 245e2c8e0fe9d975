/**
 * SOAP 1.2 as the SOAP doubles (INSi, DMP) share it: namespaces, faults, the envelope's own checks.
 *
 * The doubles write their envelopes as text rather than through node-soap's server: they must answer
 * broken or hostile requests with precise faults, record the raw bytes, park answers (holds) and speak
 * MTOM (DMP) — none of which node-soap's server lets a caller do. node-soap serves the other way round,
 * as an independent client generated from the CNAM WSDL (test/unit/insi-wire.test.ts).
 */
import { escapeXml, type XmlElement } from './xml';

export const SOAP_NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
} as const;

export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';
export const WSA_FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

export type FaultCode = 'Sender' | 'Receiver' | 'VersionMismatch';

/** A fault a double answers; detailCode names the check that failed. */
export interface SoapFault {
  status: number;
  code: FaultCode;
  detailCode: string;
  reason: string;
  /** The language of `reason` (xml:lang of soap:Text): English for the doubles' own checks. */
  lang?: 'en' | 'fr';
  /** A soap:Subcode value (CNAM's siram_…), written with the envelope's prefix as CNAM does. */
  subcode?: string;
}

export function fault(status: number, code: FaultCode, detailCode: string, reason: string, lang: 'en' | 'fr' = 'en'): SoapFault {
  return { status, code, detailCode, reason, lang };
}

export function senderFault(detailCode: string, reason: string): SoapFault {
  return fault(400, 'Sender', detailCode, reason);
}

/** SOAP 1.2 part 1 §5.4.7: a VersionMismatch fault says which envelope version is supported (a header). */
export function upgradeHeader(soapFault: SoapFault): string {
  return soapFault.code === 'VersionMismatch' ? '<soap:Upgrade><soap:SupportedEnvelope qname="soap:Envelope"/></soap:Upgrade>' : '';
}

/** The soap:Fault element; `detail(reason)` is the double's own detail entry (already escaped reason given). */
export function faultElement(soapFault: SoapFault, detail: (escapedReason: string) => string): string {
  const reason = escapeXml(soapFault.reason);
  return (
    `<soap:Fault><soap:Code><soap:Value>soap:${soapFault.code}</soap:Value>` +
    (soapFault.subcode ? `<soap:Subcode><soap:Value>soap:${escapeXml(soapFault.subcode)}</soap:Value></soap:Subcode>` : '') +
    `</soap:Code><soap:Reason><soap:Text xml:lang="${soapFault.lang ?? 'en'}">${reason}</soap:Text></soap:Reason>` +
    `<soap:Detail>${detail(reason)}</soap:Detail></soap:Fault>`
  );
}

/** The fault for a root element that is not a SOAP 1.2 Envelope; undefined when it is one. */
export function envelopeFault(root: XmlElement): SoapFault | undefined {
  if (root.local !== 'Envelope') return senderFault('enveloppe_invalide', `Not a SOAP envelope: root element is "${root.local}"`);
  if (root.ns !== SOAP_NS.soap12) {
    return fault(
      500,
      'VersionMismatch',
      'version_soap',
      `Only SOAP 1.2 is supported (envelope namespace ${SOAP_NS.soap12}), received namespace "${root.ns ?? ''}"`,
    );
  }
  return undefined;
}
