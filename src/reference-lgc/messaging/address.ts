/** MSS-01: the patient's MSSanté address, <INS 15 characters>@patient.mssante.fr, from the qualified INS only. */
import { ins15 } from '../cda';
import { Unprocessable } from '../errors';
import { callInsi, nirKey } from '../insi-client';
import type { Patient, TenantState, Workstation } from '../tenant';
import { emetteur, traitsQuery, type CallContext } from '../triggers';
import { PATIENT_DOMAIN } from './common';

export const NO_MSS_ADDRESS = "INS non qualifiée : pas d'adresse de messagerie Mon espace santé";

/**
 * MSS-01: <INS 15 characters>@patient.mssante.fr from the QUALIFIED INS (matricule then key), else
 * no address. Seeded defects: mss-address-without-key (13 characters), mss-address-for-unqualified
 * (the INS INSi returned, or the card's NIR, qualified or not).
 */
export function patientMssAddress(t: TenantState, p: Patient): string | undefined {
  const withoutKey = t.defects.has('mss-address-without-key');
  const fromIns = (): string | undefined => {
    const m = p.ins.matricule;
    if (!m) return undefined;
    const v = withoutKey ? m : ins15(p);
    return v ? `${v.toUpperCase()}@${PATIENT_DOMAIN}` : undefined;
  };
  if (p.ins.status === 'qualified') return fromIns();
  // seeded defect mss-address-from-recovered-ins: the INS INSi returned, never qualified
  if (p.ins.status === 'recovered' && t.defects.has('mss-address-from-recovered-ins')) return fromIns();
  if (!t.defects.has('mss-address-for-unqualified')) return undefined;
  const recovered = fromIns();
  if (recovered) return recovered;
  const nir = p.cardMatricule;
  if (!nir) return undefined;
  const key = nirKey(nir);
  return withoutKey ? `${nir.toUpperCase()}@${PATIENT_DOMAIN}` : key ? `${nir.toUpperCase()}${key}@${PATIENT_DOMAIN}` : undefined;
}

export async function addressOrRefuse(ctx: CallContext, t: TenantState, p: Patient, ws: Workstation): Promise<string> {
  const a = patientMssAddress(t, p) ?? (await insiLookupAddress(ctx, t, p, ws));
  if (!a) throw new Unprocessable('no-mss-address', NO_MSS_ADDRESS);
  return a;
}

/**
 * Seeded defect mss-to-patient-late: the address the messaging module writes to after refusing,
 * from whatever it has — the INS (recovered or not, matricule + key), the Carte Vitale's NIR,
 * else the patient's names.
 */
export function guessedPatientAddress(p: Patient): string {
  const m = p.ins.matricule ?? p.cardMatricule;
  const key = p.ins.matricule ? (p.ins.key ?? nirKey(p.ins.matricule)) : m ? nirKey(m) : undefined;
  if (m) return `${m.toUpperCase()}${key ?? ''}@${PATIENT_DOMAIN}`;
  const slug = (s: string): string =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  return `${slug(p.file.firstName)}.${slug(p.file.birthName)}@${PATIENT_DOMAIN}`;
}

/**
 * Seeded defect mss-address-for-unqualified, when nothing is known of the patient's INS: the
 * messaging module asks INSi itself (traits search) and writes to the INS returned, unqualified.
 */
async function insiLookupAddress(ctx: CallContext, t: TenantState, p: Patient, ws: Workstation): Promise<string | undefined> {
  if (!t.defects.has('mss-address-for-unqualified') || p.ins.status !== 'none' || p.cardMatricule) return undefined;
  const r = await callInsi(t.insiUrl, traitsQuery(t, p.file), emetteur(ws), Math.min(t.options.insiTimeoutMs, 5000), ctx.cancel);
  if (r.outcome !== 'found' || !r.ins) return undefined;
  const m = r.ins.matricule.toUpperCase();
  const v = t.defects.has('mss-address-without-key') ? m : `${m}${r.ins.key ?? nirKey(m) ?? ''}`;
  return `${v}@${PATIENT_DOMAIN}`;
}
