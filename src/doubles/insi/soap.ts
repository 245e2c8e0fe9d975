/** SOAP 1.2 envelopes, faults and INSi RESULTAT bodies produced by the double. */
import { escapeXml } from './xml';
import type { InsiOperation, InsiPerson } from './types';

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  recVit: 'http://www.cnamts.fr/INSiRecVit',
  recSans: 'http://www.cnamts.fr/INSiRecSans',
  resultat: 'http://www.cnamts.fr/INSiResultat',
  ctxbam: 'urn:siram:bam:ctxbam',
  siram: 'urn:siram',
} as const;

export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';
export const ACTION_PREFIX = 'urn:ServiceIdentiteCertifiee:1.0.0:';
const WSA_FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

export type FaultCode = 'Sender' | 'Receiver' | 'VersionMismatch';

export interface SoapFault {
  status: number;
  code: FaultCode;
  reason: string;
  detailCode: string; // siram:Erreur/@code
}

export function fault(status: number, code: FaultCode, detailCode: string, reason: string): SoapFault {
  return { status, code, reason, detailCode };
}

function envelope(headers: string[], body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${NS.soap12}" xmlns:wsa="${NS.wsa}">` +
    (headers.length ? `<soap:Header>${headers.join('')}</soap:Header>` : '') +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

function addressing(action: string, relatesTo: string | undefined): string[] {
  const headers = [`<wsa:Action>${escapeXml(action)}</wsa:Action>`];
  if (relatesTo) headers.push(`<wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>`);
  return headers;
}

export function faultEnvelope(f: SoapFault, relatesTo?: string): string {
  const headers = addressing(WSA_FAULT_ACTION, relatesTo);
  if (f.code === 'VersionMismatch') {
    // SOAP 1.2 part 1 §5.4.7: tell the sender which envelope version is supported.
    headers.push(`<soap:Upgrade><soap:SupportedEnvelope qname="soap:Envelope"/></soap:Upgrade>`);
  }
  const reason = escapeXml(f.reason);
  const body =
    `<soap:Fault><soap:Code><soap:Value>soap:${f.code}</soap:Value></soap:Code>` +
    `<soap:Reason><soap:Text xml:lang="fr">${reason}</soap:Text></soap:Reason>` +
    `<soap:Detail><siram:Erreur xmlns:siram="${NS.siram}" severite="erreur" code="${escapeXml(f.detailCode)}">` +
    `${reason}</siram:Erreur></soap:Detail></soap:Fault>`;
  return envelope(headers, body);
}

export const LIBELLE_CR: Record<string, string> = {
  '00': 'OK',
  '01': 'Aucune identite trouvee',
  '02': 'Plusieurs identites trouvees',
};

/** The RESULTAT element alone, shaped like the CNAM answers in fixtures/insi/answers. */
export function resultatXml(codeCR: '00' | '01' | '02', person?: InsiPerson): string {
  const cr = `<CR><CodeCR>${codeCR}</CodeCR><LibelleCR>${LIBELLE_CR[codeCR]}</LibelleCR></CR>`;
  const individu = codeCR === '00' && person ? individuXml(person) : '';
  return `<RESULTAT xmlns="${NS.resultat}">${cr}${individu}</RESULTAT>`;
}

function individuXml(p: InsiPerson): string {
  const e = (name: string, value: string | undefined) =>
    value === undefined || value === '' ? '' : `<${name}>${escapeXml(value)}</${name}>`;
  return (
    '<INDIVIDU><INSACTIF><IdIndividu>' +
    e('NumIdentifiant', p.matricule) +
    e('Cle', p.key.padStart(2, '0')) +
    '</IdIndividu>' +
    e('OID', p.oid) +
    '</INSACTIF><TIQ>' +
    e('NomNaissance', p.birthName) +
    e('Prenom', p.firstName) +
    e('ListePrenom', p.firstNames) +
    e('Sexe', p.sex) +
    e('DateNaissance', p.birthDate) +
    e('LieuNaissance', p.birthPlace) +
    '</TIQ></INDIVIDU>'
  );
}

export function resultEnvelope(operation: InsiOperation, resultat: string, relatesTo?: string): string {
  return envelope(addressing(`${ACTION_PREFIX}${operation}Response`, relatesTo), resultat);
}
