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

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function el(prefix: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return `<${prefix}:${name}>${escapeXml(value)}</${prefix}:${name}>`;
}

/** Key of a NIR: 97 − (number mod 97), Corsica's 2A/2B read as 19/18. */
export function nirKey(matricule: string): string | undefined {
  const normalized = matricule.trim().toUpperCase();
  if (!/^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$/.test(normalized)) return undefined;
  const digits = normalized.replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118');
  const key = 97n - (BigInt(digits) % 97n);
  return key.toString().padStart(2, '0');
}

function bodyOf(req: InsiRequest): string {
  if (req.op === 'rechercherInsAvecCarteVitale') {
    const prefix = 'insi_recvit_ins';
    const card = req.card;
    const key = card.key ?? nirKey(card.matricule);
    return (
      `<${prefix}:RECVITALE xmlns:${prefix}="http://www.cnamts.fr/INSiRecVit">` +
      `<${prefix}:MatriculeIndividu>${el(prefix, 'NumIdentifiant', card.matricule)}${el(prefix, 'Cle', key)}</${prefix}:MatriculeIndividu>` +
      el(prefix, 'NomNaissance', card.birthName) +
      el(prefix, 'DateNaissance', card.birthDate) +
      el(prefix, 'RangNaissance', card.birthRank) +
      `</${prefix}:RECVITALE>`
    );
  }
  const prefix = 'insi_recsans_ins';
  const traits = req.traits;
  return (
    `<${prefix}:RECSANSVITALE xmlns:${prefix}="http://www.cnamts.fr/INSiRecSans">` +
    el(prefix, 'NomNaissance', traits.birthName) +
    el(prefix, 'Prenom', traits.firstName) +
    el(prefix, 'Sexe', traits.sex) +
    el(prefix, 'DateNaissance', traits.birthDate) +
    el(prefix, 'LieuNaissance', traits.birthPlace) +
    `</${prefix}:RECSANSVITALE>`
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
