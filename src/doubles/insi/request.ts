/** Turns a parsed SOAP request into what the double needs: operation, action, message id, INSi traits. */
import { parseContentType } from '../common/content-type';
import { envelopeFault } from '../common/soap12';
import { UNKNOWN_IDAMS, cnamFault } from './cnam';
import { ACTION_PREFIX, NS, fault, type SoapFault } from './soap';
import { child, childText, type XmlElement } from '../common/xml';
import type { InsiOperation, InsiRequestInfo } from './types';

export type RequestFields = Omit<InsiRequestInfo, 'raw' | 'contentType'>;

export interface InterpretedRequest {
  operation: InsiOperation | null;
  action: string | null;
  messageId?: string;
  fields: RequestFields;
  fault?: SoapFault;
}

const BODY_ELEMENTS: Record<string, { ns: string; operation: InsiOperation }> = {
  RECVITALE: { ns: NS.recVit, operation: 'rechercherInsAvecCarteVitale' },
  RECSANSVITALE: { ns: NS.recSans, operation: 'rechercherInsAvecTraitsIdentite' },
};

/** The `action` parameter of a SOAP 1.2 Content-Type, if any. */
export function contentTypeAction(contentType: string): string | undefined {
  return parseContentType(contentType).params.action || undefined;
}

/** SOAPAction header value without its quotes; an empty header means "no action". */
export function soapActionHeader(value: string | string[] | undefined): string | undefined {
  const action = (Array.isArray(value) ? value[0] : value)?.trim().replace(/^"(.*)"$/, '$1');
  return action ? action : undefined;
}

export function interpret(root: XmlElement, httpActions: Array<string | undefined>): InterpretedRequest {
  const out: InterpretedRequest = { operation: null, action: null, fields: {} };
  const given = [...httpActions];
  out.action = given.find((a) => a !== undefined) ?? null;
  out.fault = envelopeFault(root);
  if (out.fault) return out;

  const header = child(root, 'Header', NS.soap12);
  const wsaAction = child(header, 'Action', NS.wsa)?.text;
  given.push(wsaAction || undefined);
  out.action = given.find((a) => a !== undefined) ?? null;
  out.messageId = child(header, 'MessageID', NS.wsa)?.text || undefined;
  const emitter = childText(child(header, 'ContexteBAM', NS.ctxbam), 'Emetteur');
  if (emitter) out.fields.emitter = emitter;
  // CNAM refuses an LPS context whose software authorisation number it does not know (recorded:
  // siram_100 / desir_550); an empty or missing IDAM is unknown too. No LPS context at all is let
  // through (a leniency, listed in docs/insi-double.md).
  const lps = child(header, 'ContexteLPS', NS.ctxlps);
  if (lps) {
    const idam = childText(child(lps, 'LPS', NS.ctxlps), 'IDAM')?.trim() ?? '';
    out.fields.idam = idam;
    if (!idam || UNKNOWN_IDAMS.includes(idam)) out.fault = cnamFault('desir_550');
  }

  const body = child(root, 'Body', NS.soap12);
  if (!body) {
    out.fault = fault(400, 'Sender', 'enveloppe_invalide', 'The SOAP envelope has no Body');
    return out;
  }
  const payload = body.children[0];
  const known = payload && BODY_ELEMENTS[payload.local];
  if (!payload || !known || known.ns !== payload.ns) {
    const name = payload ? `{${payload.ns ?? ''}}${payload.local}` : 'nothing';
    out.fault = fault(
      400,
      'Sender',
      'operation_inconnue',
      `Unknown operation: the SOAP Body contains ${name}, expected {${NS.recVit}}RECVITALE or {${NS.recSans}}RECSANSVITALE`,
    );
    return out;
  }
  out.operation = known.operation;
  Object.assign(out.fields, extractTraits(payload, known.operation));

  const expected = ACTION_PREFIX + known.operation;
  const wrong = given.find((a) => a !== undefined && a !== expected);
  if (wrong !== undefined) {
    out.fault = fault(400, 'Sender', 'action_invalide', `SOAP action mismatch: expected "${expected}", received "${wrong}"`);
  }
  return out;
}

function extractTraits(payload: XmlElement, operation: InsiOperation): RequestFields {
  const fields: RequestFields = {};
  const set = (key: keyof RequestFields, value: string | undefined) => {
    if (value !== undefined && value !== '') (fields as Record<string, unknown>)[key] = value;
  };
  set('birthName', childText(payload, 'NomNaissance'));
  set('birthDate', childText(payload, 'DateNaissance'));
  if (operation === 'rechercherInsAvecCarteVitale') {
    const matricule = child(payload, 'MatriculeIndividu');
    set('matricule', childText(matricule, 'NumIdentifiant'));
    set('key', childText(matricule, 'Cle'));
    set('birthRank', childText(payload, 'RangNaissance'));
  } else {
    const firstNames = payload.children.filter((c) => c.local === 'Prenom').map((c) => c.text);
    if (firstNames.length) fields.firstNames = firstNames;
    set('sex', childText(payload, 'Sexe'));
    set('birthPlace', childText(payload, 'LieuNaissance'));
  }
  return fields;
}
