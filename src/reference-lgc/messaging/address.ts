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
export function patientMssAddress(tenant: TenantState, patient: Patient): string | undefined {
  const withoutKey = tenant.defects.has('mss-address-without-key');
  const fromIns = (): string | undefined => {
    const matricule = patient.ins.matricule;
    if (!matricule) return undefined;
    const localPart = withoutKey ? matricule : ins15(patient);
    return localPart ? `${localPart.toUpperCase()}@${PATIENT_DOMAIN}` : undefined;
  };
  if (patient.ins.status === 'qualified') return fromIns();
  // seeded defect mss-address-from-recovered-ins: the INS INSi returned, never qualified
  if (patient.ins.status === 'recovered' && tenant.defects.has('mss-address-from-recovered-ins')) return fromIns();
  if (!tenant.defects.has('mss-address-for-unqualified')) return undefined;
  const recovered = fromIns();
  if (recovered) return recovered;
  const nir = patient.cardMatricule;
  if (!nir) return undefined;
  const key = nirKey(nir);
  return withoutKey ? `${nir.toUpperCase()}@${PATIENT_DOMAIN}` : key ? `${nir.toUpperCase()}${key}@${PATIENT_DOMAIN}` : undefined;
}

export async function addressOrRefuse(ctx: CallContext, tenant: TenantState, patient: Patient, ws: Workstation): Promise<string> {
  const address = patientMssAddress(tenant, patient) ?? (await insiLookupAddress(ctx, tenant, patient, ws));
  if (!address) throw new Unprocessable('no-mss-address', NO_MSS_ADDRESS);
  return address;
}

/**
 * Seeded defect mss-to-patient-late: the address the messaging module writes to after refusing,
 * from whatever it has — the INS (recovered or not, matricule + key), the Carte Vitale's NIR,
 * else the patient's names.
 */
export function guessedPatientAddress(patient: Patient): string {
  const matricule = patient.ins.matricule ?? patient.cardMatricule;
  const key = patient.ins.matricule ? (patient.ins.key ?? nirKey(patient.ins.matricule)) : matricule ? nirKey(matricule) : undefined;
  if (matricule) return `${matricule.toUpperCase()}${key ?? ''}@${PATIENT_DOMAIN}`;
  const slug = (s: string): string =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  return `${slug(patient.file.firstName)}.${slug(patient.file.birthName)}@${PATIENT_DOMAIN}`;
}

/**
 * Seeded defect mss-address-for-unqualified, when nothing is known of the patient's INS: the
 * messaging module asks INSi itself (traits search) and writes to the INS returned, unqualified.
 */
async function insiLookupAddress(ctx: CallContext, tenant: TenantState, patient: Patient, ws: Workstation): Promise<string | undefined> {
  if (!tenant.defects.has('mss-address-for-unqualified') || patient.ins.status !== 'none' || patient.cardMatricule) return undefined;
  const result = await callInsi(
    tenant.insiUrl,
    traitsQuery(tenant, patient.file),
    emetteur(ws),
    Math.min(tenant.options.insiTimeoutMs, 5000),
    ctx.cancel,
    tenant.doubles.tls,
  );
  if (result.outcome !== 'found' || !result.ins) return undefined;
  const matricule = result.ins.matricule.toUpperCase();
  const localPart = tenant.defects.has('mss-address-without-key') ? matricule : `${matricule}${result.ins.key ?? nirKey(matricule) ?? ''}`;
  return `${localPart}@${PATIENT_DOMAIN}`;
}
