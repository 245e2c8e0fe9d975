/** What the messaging modules share: the patient domain, the practice's MSSanté configuration, address comparison. */
import { Conflict } from '../errors';
import type { MssConfig, TenantState } from '../tenant';

export const PATIENT_DOMAIN = 'patient.mssante.fr';
export const NOT_CONFIGURED = 'MSSanté : messagerie non configurée';

export function config(tenant: TenantState): MssConfig {
  const mss = tenant.doubles.mss;
  if (!mss) throw new Conflict('mss-not-configured', NOT_CONFIGURED);
  return mss;
}

export const lower = (a: string): string => a.trim().replace(/^<|>$/g, '').toLowerCase();
export const bareId = (id: string): string => id.trim().replace(/^<|>$/g, '').toLowerCase();
export const isPatientAddress = (a: string): boolean => lower(a).endsWith(`@${PATIENT_DOMAIN}`);
