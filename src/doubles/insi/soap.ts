/** SOAP 1.2 envelopes, faults and INSi RESULTAT bodies produced by the double. */
import { SOAP_NS, WSA_FAULT_ACTION, faultElement, upgradeHeader, type SoapFault } from '../common/soap12';
import { escapeXml } from '../common/xml';
import { isCnamFault } from './cnam';
import type { InsiOperation, InsiPerson } from './types';

export { SOAP12_CONTENT_TYPE, fault, type SoapFault } from '../common/soap12';

export const NS = {
  ...SOAP_NS,
  recVit: 'http://www.cnamts.fr/INSiRecVit',
  recSans: 'http://www.cnamts.fr/INSiRecSans',
  resultat: 'http://www.cnamts.fr/INSiResultat',
  ctxbam: 'urn:siram:bam:ctxbam',
  ctxlps: 'urn:siram:lps:ctxlps',
  siram: 'urn:siram',
} as const;

export const ACTION_PREFIX = 'urn:ServiceIdentiteCertifiee:1.0.0:';

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

/**
 * A SOAP 1.2 fault whose detail is a siram:Erreur: CNAM's code, severity and French text for its
 * recorded faults (cnam.ts), else the double's own check name and reason; messageID the request's.
 */
export function faultEnvelope(fault: SoapFault, relatesTo?: string): string {
  const headers = [...addressing(WSA_FAULT_ACTION, relatesTo), upgradeHeader(fault)];
  const cnam = isCnamFault(fault) ? fault : undefined;
  const messageId = relatesTo ? ` messageID="${escapeXml(relatesTo)}"` : '';
  return envelope(
    headers,
    faultElement(
      fault,
      (reason) =>
        `<siram:Erreur xmlns:siram="${NS.siram}" severite="${cnam?.severite ?? 'erreur'}" code="${escapeXml(fault.detailCode)}"${messageId}>` +
        `${cnam ? escapeXml(cnam.detailText) : reason}</siram:Erreur>`,
    ),
  );
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

function individuXml(person: InsiPerson): string {
  const tag = (name: string, value: string | undefined) =>
    value === undefined || value === '' ? '' : `<${name}>${escapeXml(value)}</${name}>`;
  return (
    '<INDIVIDU><INSACTIF><IdIndividu>' +
    tag('NumIdentifiant', person.matricule) +
    tag('Cle', person.key.padStart(2, '0')) +
    '</IdIndividu>' +
    tag('OID', person.oid) +
    '</INSACTIF>' +
    (person.history ?? [])
      .map(
        (h) =>
          `<INSHISTO><IdIndividu>${tag('NumIdentifiant', h.matricule)}${tag('Cle', h.key.padStart(2, '0'))}</IdIndividu>` +
          `${tag('OID', h.oid)}${tag('DateDeb', h.dateDeb)}${tag('DateFin', h.dateFin)}</INSHISTO>`,
      )
      .join('') +
    '<TIQ>' +
    tag('NomNaissance', person.birthName) +
    tag('Prenom', person.firstName) +
    tag('ListePrenom', person.firstNames) +
    tag('Sexe', person.sex) +
    tag('DateNaissance', person.birthDate) +
    tag('LieuNaissance', person.birthPlace) +
    '</TIQ></INDIVIDU>'
  );
}

export function resultEnvelope(operation: InsiOperation, resultat: string, relatesTo?: string): string {
  return envelope(addressing(`${ACTION_PREFIX}${operation}Response`, relatesTo), resultat);
}
