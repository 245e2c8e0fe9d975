/** What the messaging modules share: the patient domain, the practice's MSSanté configuration, address comparison. */
import { Conflict } from '../errors';
import type { MssConfig, TenantState } from '../tenant';

export const PATIENT_DOMAIN = 'patient.mssante.fr';
export const NOT_CONFIGURED = 'MSSanté : messagerie non configurée';

export function config(t: TenantState): MssConfig {
  const c = t.doubles.mss;
  if (!c) throw new Conflict('mss-not-configured', NOT_CONFIGURED);
  return c;
}

export const lower = (a: string): string => a.trim().replace(/^<|>$/g, '').toLowerCase();
export const bareId = (id: string): string => id.trim().replace(/^<|>$/g, '').toLowerCase();
export const isPatientAddress = (a: string): boolean => lower(a).endsWith(`@${PATIENT_DOMAIN}`);
