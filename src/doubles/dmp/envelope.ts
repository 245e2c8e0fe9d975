/**
 * From an HTTP body to a parsed SOAP 1.2 envelope, for both transports: MTOM/XOP (multipart/related,
 * the envelope in the root part) and inline (application/soap+xml).
 */
import { XmlInputError, child, declaresDtd, parseXml, type XmlElement } from '../common/xml';
import { MimeError, bareContentId, parseContentType, splitMultipart, type MimePart } from './mime';
import { stripBom } from '../common/body';
import { envelopeFault } from '../common/soap12';
import { NS, fault, senderFault, type DmpFault } from './soap';

export interface OpenedEnvelope {
  transport: 'mtom' | 'inline' | 'unknown';
  soapXml: string;
  parts: MimePart[]; // MTOM parts (root included); [] inline
  anomalies: string[];
  messageId?: string;
  action?: string;
  payload?: XmlElement; // first child of soap:Body
  fault?: DmpFault;
}

/** Opens the envelope; `out.fault` is set (and the rest filled as far as it could be) when something is wrong. */
export function openEnvelope(body: Buffer, contentTypeHeader: string, expectedAction: string): OpenedEnvelope {
  const out: OpenedEnvelope = { transport: 'unknown', soapXml: '', parts: [], anomalies: [] };
  const ct = parseContentType(contentTypeHeader);
  if (ct.type === 'multipart/related') {
    out.transport = 'mtom';
    if (!ct.params.boundary) {
      out.fault = senderFault('mtom_invalide', 'MTOM: the multipart/related Content-Type has no boundary parameter');
      return out;
    }
    let root: MimePart | undefined;
    try {
      const mp = splitMultipart(body, ct.params.boundary);
      out.parts = mp.parts;
      out.anomalies.push(...mp.anomalies);
    } catch (err) {
      if (!(err instanceof MimeError)) throw err;
      out.fault = senderFault('mtom_invalide', `MTOM: ${err.message}`);
      return out;
    }
    if (ct.params.start !== undefined) {
      const start = bareContentId(ct.params.start);
      root = out.parts.find((p) => p.contentId === start);
      if (!root) {
        out.fault = senderFault(
          'mtom_invalide',
          `MTOM: no root part: the start parameter <${start}> matches no part's Content-ID (parts: ${out.parts.map((p) => `<${p.contentId ?? ''}>`).join(', ')})`,
        );
        return out;
      }
    } else {
      root = out.parts[0];
      out.anomalies.push('MTOM: no start parameter; the first part is taken as the root');
    }
    if (ct.params.type !== undefined && ct.params.type.toLowerCase() !== 'application/xop+xml') {
      out.anomalies.push(`MTOM: multipart type parameter is "${ct.params.type}", expected "application/xop+xml"`);
    }
    if (root.contentType.type !== 'application/xop+xml') {
      out.anomalies.push(`MTOM: the root part's Content-Type is "${root.contentType.type}", expected "application/xop+xml"`);
    }
    out.soapXml = stripBom(root.body.toString('utf8'));
  } else if (ct.type === 'application/soap+xml' || ct.type === 'text/xml') {
    out.transport = 'inline';
    if (ct.type === 'text/xml') out.anomalies.push('Content-Type text/xml is the SOAP 1.1 media type; SOAP 1.2 uses application/soap+xml');
    out.soapXml = stripBom(body.toString('utf8'));
  } else {
    out.fault = fault(
      415,
      'Sender',
      'content_type_non_supporte',
      `Unsupported Content-Type "${contentTypeHeader}": expected application/soap+xml or multipart/related (MTOM/XOP)`,
    );
    return out;
  }

  if (out.soapXml.trim() === '') {
    out.fault = senderFault('corps_vide', 'Empty SOAP message: a SOAP 1.2 envelope is expected');
    return out;
  }
  if (declaresDtd(out.soapXml)) {
    out.fault = senderFault('dtd_interdite', 'DTD and entity declarations are not accepted');
    return out;
  }
  let xml = out.soapXml;
  if (/^\s+<\?xml/.test(xml)) {
    out.anomalies.push('whitespace before the XML declaration (not well-formed XML); tolerated');
    xml = xml.trimStart();
  }
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    if (!(err instanceof XmlInputError)) throw err;
    out.fault = senderFault(err.message.startsWith('DTD') ? 'dtd_interdite' : 'xml_malforme', err.message);
    return out;
  }
  const notSoap12 = envelopeFault(root);
  if (notSoap12) {
    out.fault = notSoap12;
    return out;
  }
  const header = child(root, 'Header', NS.soap12);
  out.messageId = child(header, 'MessageID', NS.wsa)?.text || undefined;
  out.action = child(header, 'Action', NS.wsa)?.text || undefined;
  const body_ = child(root, 'Body', NS.soap12);
  if (!body_) {
    out.fault = senderFault('enveloppe_invalide', 'The SOAP envelope has no Body');
    return out;
  }
  out.payload = body_.children[0];
  if (out.action === undefined) {
    out.fault = senderFault('action_absente', `WS-Addressing wsa:Action header missing: expected "${expectedAction}"`);
  } else if (out.action !== expectedAction) {
    out.fault = senderFault('action_invalide', `wsa:Action mismatch: expected "${expectedAction}", received "${out.action}"`);
  }
  return out;
}

/**
 * The fault to answer for this operation ({ns}local): the envelope's own fault first (a wrong
 * wsa:Action, …), else an empty Body or another operation in it. Undefined when fine.
 */
export function payloadFault(envelope: OpenedEnvelope, ns: string, local: string): DmpFault | undefined {
  const payload = envelope.payload;
  if (payload && !(payload.local === local && payload.ns === ns)) {
    return (
      envelope.fault ??
      senderFault(
        'operation_inconnue',
        `Unknown operation: the SOAP Body contains {${payload.ns ?? ''}}${payload.local}, expected {${ns}}${local}`,
      )
    );
  }
  if (envelope.fault || !payload) return envelope.fault ?? senderFault('operation_inconnue', `The SOAP Body is empty: expected ${local}`);
  return undefined;
}
