/** Safe parsing of the DMP's SOAP answers (RegistryResponse, AdhocQueryResponse): no DOCTYPE, no entities. */
import { XMLParser } from 'fast-xml-parser';
import { SCHEME } from './xds-metadata';

export type SubmitOutcome =
  | { outcome: 'success' }
  | { outcome: 'failure'; errors: Array<{ code: string; context: string }> }
  | { outcome: 'error'; code: string; message: string };

export type QueryOutcome =
  { outcome: 'success'; documents: Array<{ title: string; typeCode: string }> } | { outcome: 'error'; code: string; message: string };

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
  const first = Array.isArray(v) ? v[0] : v;
  return first && typeof first === 'object' ? (first as Obj) : undefined;
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
  const value = o?.[`@_${name}`];
  return typeof value === 'string' ? decode(value) : undefined;
};
const text = (v: unknown): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string' || typeof first === 'number') return decode(String(first));
  if (first && typeof first === 'object' && '#text' in (first as Obj)) return text((first as Obj)['#text']);
  return undefined;
};

/** The SOAP body of an answer (plain SOAP or MTOM), or an error. Rejects DOCTYPE / entities. */
function soapBody(raw: Buffer, httpStatus: number): { body: Obj } | { outcome: 'error'; code: string; message: string } {
  const xml = raw.toString('utf8');
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    return { outcome: 'error', code: 'invalid-answer', message: 'answer rejected: it carries a DOCTYPE' };
  const match = /<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>][\s\S]*<\/(?:[A-Za-z_][\w.-]*:)?Envelope\s*>/.exec(xml);
  if (!match)
    return {
      outcome: 'error',
      code: httpStatus >= 400 ? `HTTP-${httpStatus}` : 'invalid-answer',
      message: `answer is not a SOAP envelope (HTTP ${httpStatus})`,
    };
  let doc: Obj;
  try {
    doc = parser.parse(match[0]) as Obj;
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
  const parsed = soapBody(raw, httpStatus);
  if (!('body' in parsed)) return parsed;
  const rr = obj(parsed.body.RegistryResponse);
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
  const parsed = soapBody(raw, httpStatus);
  if (!('body' in parsed)) return parsed;
  const response = obj(parsed.body.AdhocQueryResponse);
  if (!response) return { outcome: 'error', code: 'invalid-answer', message: 'answer has no AdhocQueryResponse' };
  const status = attr(response, 'status') ?? '';
  if (/:Failure$/.test(status)) {
    const registryError = obj(arr(obj(response.RegistryErrorList)?.RegistryError)[0]);
    return {
      outcome: 'error',
      code: attr(registryError, 'errorCode') ?? 'failure',
      message: attr(registryError, 'codeContext') ?? 'the DMP refused the query',
    };
  }
  const documents = arr(obj(response.RegistryObjectList)?.ExtrinsicObject).map((x) => {
    const eo = obj(x);
    const title = attr(obj(obj(eo?.Name)?.LocalizedString), 'value') ?? '';
    const type = arr(eo?.Classification)
      .map(obj)
      .find((c) => attr(c, 'classificationScheme') === SCHEME.deType);
    return { title, typeCode: attr(type, 'nodeRepresentation') ?? '' };
  });
  return { outcome: 'success', documents };
}
