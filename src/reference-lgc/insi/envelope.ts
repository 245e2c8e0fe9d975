/** The SOAP 1.2 request of the INSi client, as a real client sends it (fixtures/insi/requests/RECSANSVITALE-as-sent-by-padoa-client.xml). */
import { randomUUID } from 'node:crypto';
import type { Traits } from '../tenant';

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
  { op: 'rechercherInsAvecCarteVitale'; card: VitaleQuery } | { op: 'rechercherInsAvecTraitsIdentite'; traits: TraitsQuery };

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

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
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
