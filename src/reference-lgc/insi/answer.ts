/** Interpreting INSi's answers (CodeCR 00/01/02, SOAP faults), safely: no DOCTYPE, no entities. */
import { XMLParser } from 'fast-xml-parser';
import type { Sex, Traits } from '../tenant';
import type { InsiResult } from './envelope';

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

/** Decode the predefined XML entities and character references (no other entity exists: no DTD). */
function decodeEntities(xml: string): string {
  return xml.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, e: string) => {
    switch (e) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    try {
      return String.fromCodePoint(cp);
    } catch {
      return m;
    }
  });
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function text(value: unknown): string | undefined {
  value = first(value);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return decodeEntities(String(value));
  if (typeof value === 'object' && '#text' in (value as Record<string, unknown>)) {
    return text((value as Record<string, unknown>)['#text']);
  }
  if (typeof value === 'object') return '';
  return undefined;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  value = first(value);
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function attr(node: unknown, name: string): string | undefined {
  const element = obj(node);
  const raw = element?.[`@_${name}`];
  return typeof raw === 'string' ? decodeEntities(raw) : undefined;
}

function toSex(code: string | undefined): Sex {
  return code === 'M' || code === 'F' ? code : 'I';
}

/** Interpret an INSi answer (HTTP status + body). Never throws. */
export function parseInsiAnswer(xml: string, httpStatus = 200): InsiResult {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    return { outcome: 'error', code: 'invalid-answer', message: 'INSi answer rejected: it carries a DOCTYPE' };
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    return { outcome: 'error', code: 'invalid-answer', message: `INSi answer is not XML: ${(e as Error).message}` };
  }
  const body = obj(obj(doc.Envelope)?.Body);
  if (!body) {
    return {
      outcome: 'error',
      code: httpStatus >= 400 ? `HTTP-${httpStatus}` : 'invalid-answer',
      message: `INSi answer is not a SOAP envelope (HTTP ${httpStatus})`,
    };
  }
  const fault = obj(body.Fault);
  if (fault) {
    const code = obj(fault.Code);
    const faultCode = text(obj(code?.Subcode)?.Value) || text(code?.Value) || text(fault.faultcode);
    const detail = obj(fault.Detail) ?? obj(fault.detail);
    const erreur = detail?.Erreur;
    const siramCode = erreur !== undefined ? attr(erreur, 'code') : undefined;
    const reason = text(obj(fault.Reason)?.Text) || text(fault.faultstring) || text(erreur) || 'SOAP Fault';
    return { outcome: 'error', code: siramCode || faultCode || 'soap-fault', message: reason };
  }
  const resultat = obj(body.RESULTAT);
  if (!resultat) {
    return {
      outcome: 'error',
      code: httpStatus >= 400 ? `HTTP-${httpStatus}` : 'invalid-answer',
      message: 'INSi answer has no RESULTAT',
    };
  }
  const cr = obj(resultat.CR);
  const codeCR = text(cr?.CodeCR) ?? '';
  const libelle = text(cr?.LibelleCR);
  switch (codeCR) {
    case '00': {
      const individu = obj(resultat.INDIVIDU);
      const actif = obj(individu?.INSACTIF);
      const id = obj(actif?.IdIndividu);
      const matricule = text(id?.NumIdentifiant);
      const tiq = obj(individu?.TIQ);
      if (!matricule || !tiq) {
        return { outcome: 'error', code: '00', message: 'INSi answer 00 without INSACTIF/TIQ' };
      }
      const listePrenom = text(tiq.ListePrenom);
      const prenom = text(tiq.Prenom) ?? listePrenom?.trim().split(/\s+/)[0] ?? '';
      const traits: Traits = {
        birthName: text(tiq.NomNaissance) ?? '',
        firstName: prenom,
        sex: toSex(text(tiq.Sexe)),
        birthDate: text(tiq.DateNaissance) ?? '',
      };
      if (listePrenom !== undefined) traits.firstNames = listePrenom;
      const lieu = text(tiq.LieuNaissance);
      if (lieu) traits.birthPlace = lieu;
      const ins: InsiResult['ins'] = { matricule };
      const key = text(id?.Cle);
      if (key) ins.key = key;
      const oid = text(actif?.OID);
      if (oid) ins.oid = oid;
      return { outcome: 'found', code: '00', message: libelle ?? 'OK', ins, traits };
    }
    case '01':
      return { outcome: 'not-found', code: '01', message: libelle ?? 'Aucune identité trouvée' };
    case '02':
      return { outcome: 'several', code: '02', message: libelle ?? 'Plusieurs identités trouvées' };
    default:
      return { outcome: 'error', code: codeCR || 'invalid-answer', message: libelle ?? 'Unexpected INSi CodeCR' };
  }
}
