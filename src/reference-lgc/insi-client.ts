/**
 * A small SOAP 1.2 client of the INSi teleservice (rechercherInsAvecCarteVitale,
 * rechercherInsAvecTraitsIdentite), over node:http(s). The envelope follows a real client's
 * capture (fixtures/insi/requests/RECSANSVITALE-as-sent-by-padoa-client.xml).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { Sex, Traits } from './tenant';

export type InsiOperation = 'rechercherInsAvecCarteVitale' | 'rechercherInsAvecTraitsIdentite';

export interface VitaleQuery {
  matricule: string;
  key?: string;
  birthName: string;
  birthDate: string;
  birthRank?: string;
}

export interface TraitsQuery {
  birthName: string;
  firstName: string;
  sex: string;
  birthDate: string;
  birthPlace?: string;
}

export type InsiRequest =
  | { op: 'rechercherInsAvecCarteVitale'; card: VitaleQuery }
  | { op: 'rechercherInsAvecTraitsIdentite'; traits: TraitsQuery };

export interface InsiResult {
  outcome: 'found' | 'not-found' | 'several' | 'error' | 'no-answer';
  code?: string;
  message?: string;
  ins?: { matricule: string; key?: string; oid?: string };
  traits?: Traits;
}

const SOAP_NS = 'http://www.w3.org/2003/05/soap-envelope';
const WSA_NS = 'http://www.w3.org/2005/08/addressing';
export const ACTION_PREFIX = 'urn:ServiceIdentiteCertifiee:1.0.0:';
const LPS_INSTANCE = randomUUID();
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function el(prefix: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return `<${prefix}:${name}>${escapeXml(value)}</${prefix}:${name}>`;
}

/** Key of a NIR: 97 − (number mod 97), Corsica's 2A/2B read as 19/18. */
export function nirKey(matricule: string): string | undefined {
  const m = matricule.trim().toUpperCase();
  if (!/^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$/.test(m)) return undefined;
  const digits = m.replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118');
  const key = 97n - (BigInt(digits) % 97n);
  return key.toString().padStart(2, '0');
}

function bodyOf(req: InsiRequest): string {
  if (req.op === 'rechercherInsAvecCarteVitale') {
    const p = 'insi_recvit_ins';
    const c = req.card;
    const key = c.key ?? nirKey(c.matricule);
    return (
      `<${p}:RECVITALE xmlns:${p}="http://www.cnamts.fr/INSiRecVit">` +
      `<${p}:MatriculeIndividu>${el(p, 'NumIdentifiant', c.matricule)}${el(p, 'Cle', key)}</${p}:MatriculeIndividu>` +
      el(p, 'NomNaissance', c.birthName) +
      el(p, 'DateNaissance', c.birthDate) +
      el(p, 'RangNaissance', c.birthRank) +
      `</${p}:RECVITALE>`
    );
  }
  const p = 'insi_recsans_ins';
  const t = req.traits;
  return (
    `<${p}:RECSANSVITALE xmlns:${p}="http://www.cnamts.fr/INSiRecSans">` +
    el(p, 'NomNaissance', t.birthName) +
    el(p, 'Prenom', t.firstName) +
    el(p, 'Sexe', t.sex) +
    el(p, 'DateNaissance', t.birthDate) +
    el(p, 'LieuNaissance', t.birthPlace) +
    `</${p}:RECSANSVITALE>`
  );
}

/** The SOAP 1.2 envelope of one INSi request; `emetteur` is the card holder. */
export function buildEnvelope(req: InsiRequest, emetteur: string, now: Date = new Date()): string {
  const at = now.toISOString();
  const em = escapeXml(emetteur);
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:insi_recsans_ins="http://www.cnamts.fr/INSiRecSans" xmlns:insi_recvit_ins="http://www.cnamts.fr/INSiRecVit" xmlns:insi_resultat_ins="http://www.cnamts.fr/INSiResultat" xmlns:ctxbam="urn:siram:bam:ctxbam" xmlns:ctxlps="urn:siram:lps:ctxlps" xmlns:siram="urn:siram">` +
    '<soap:Header>' +
    `<ctxbam:ContexteBAM Version="01_02"><ctxbam:Id>${randomUUID()}</ctxbam:Id><ctxbam:Temps>${at}</ctxbam:Temps><ctxbam:Emetteur>${em}</ctxbam:Emetteur><ctxbam:COUVERTURE></ctxbam:COUVERTURE></ctxbam:ContexteBAM>` +
    `<ctxlps:ContexteLPS Nature="CTXLPS" Version="01_00"><ctxlps:Id>${randomUUID()}</ctxlps:Id><ctxlps:Temps>${at}</ctxlps:Temps><ctxlps:Emetteur>${em}</ctxlps:Emetteur>` +
    `<ctxlps:LPS><ctxlps:IDAM R="4">VIGIE-REF-LGC</ctxlps:IDAM><ctxlps:Version>0.1.0</ctxlps:Version><ctxlps:Instance>${LPS_INSTANCE}</ctxlps:Instance><ctxlps:Nom>urn:lps:VigieReferenceLgc:0.1.0</ctxlps:Nom></ctxlps:LPS></ctxlps:ContexteLPS>` +
    `<wsa:Action xmlns:wsa="${WSA_NS}">${ACTION_PREFIX}${req.op}</wsa:Action>` +
    `<wsa:MessageID xmlns:wsa="${WSA_NS}">uuid:${randomUUID()}</wsa:MessageID>` +
    '</soap:Header>' +
    `<soap:Body>${bodyOf(req)}</soap:Body>` +
    '</soap:Envelope>'
  );
}

// ---------------------------------------------------------------------------------------------
// Answer parsing

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
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, e: string) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
    }
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    try {
      return String.fromCodePoint(cp);
    } catch {
      return m;
    }
  });
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function text(v: unknown): string | undefined {
  v = first(v);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return decodeEntities(String(v));
  if (typeof v === 'object' && '#text' in (v as Record<string, unknown>)) {
    return text((v as Record<string, unknown>)['#text']);
  }
  if (typeof v === 'object') return '';
  return undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  v = first(v);
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function attr(v: unknown, name: string): string | undefined {
  const o = obj(v);
  const a = o?.[`@_${name}`];
  return typeof a === 'string' ? decodeEntities(a) : undefined;
}

function toSex(s: string | undefined): Sex {
  return s === 'M' || s === 'F' ? s : 'I';
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

// ---------------------------------------------------------------------------------------------
// Transport

/** Send one request to INSi and interpret the answer. Never throws, never waits past timeoutMs. */
export function callInsi(
  url: string,
  req: InsiRequest,
  emetteur: string,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<InsiResult> {
  return new Promise<InsiResult>((resolve) => {
    let settled = false;
    const done = (r: InsiResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
      resolve(r);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ outcome: 'no-answer', code: 'bad-url', message: `invalid INSi URL: ${url}` });
      return;
    }
    const payload = Buffer.from(buildEnvelope(req, emetteur), 'utf8');
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
      done({ outcome: 'no-answer', code: 'timeout', message: `INSi did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const onCancel = (): void => {
      controller.abort();
      done({ outcome: 'no-answer', code: 'aborted', message: 'INSi call aborted (LGC shutting down)' });
    };
    if (cancel) {
      if (cancel.aborted) {
        onCancel();
        return;
      }
      cancel.addEventListener('abort', onCancel, { once: true });
    }
    const lib = target.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = lib.request(target, {
        method: 'POST',
        agent: false,
        signal: controller.signal,
        headers: {
          'Content-Type': `application/soap+xml; charset=utf-8; action="${ACTION_PREFIX}${req.op}"`,
          'Content-Length': String(payload.length),
          Connection: 'close',
        },
      });
    } catch (e) {
      done({ outcome: 'no-answer', code: 'network', message: (e as Error).message });
      return;
    }
    request.on('error', (e: NodeJS.ErrnoException) => {
      done({ outcome: 'no-answer', code: e.code ?? 'network', message: e.message });
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          done({ outcome: 'error', code: 'answer-too-large', message: 'INSi answer too large' });
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        done({ outcome: 'no-answer', code: e.code ?? 'network', message: e.message });
      });
      res.on('aborted', () => {
        done({ outcome: 'no-answer', code: 'ECONNRESET', message: 'INSi connection dropped' });
      });
      res.on('end', () => {
        if (!res.complete) {
          done({ outcome: 'no-answer', code: 'ECONNRESET', message: 'INSi connection dropped' });
          return;
        }
        const xml = Buffer.concat(chunks).toString('utf8');
        if (xml.trim() === '') {
          done({
            outcome: 'error',
            code: `HTTP-${res.statusCode}`,
            message: 'INSi answered with an empty body',
          });
          return;
        }
        done(parseInsiAnswer(xml, res.statusCode ?? 0));
      });
    });
    request.end(payload);
  });
}
