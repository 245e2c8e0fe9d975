/**
 * MSSanté addresses as the double sees them (MSS-01): patients `<INS>@patient.mssante.fr`,
 * the TEST autoresponder, professional mailboxes `<local>@<anything>.mssante.fr`.
 */
import { insKey, isMatriculeShape } from '../../oracles/ins';
import { TENANT_ID } from '../common/tenants';

export { DEFAULT_TENANT, TENANT_ID } from '../common/tenants';

export const PATIENT_DOMAIN = 'patient.mssante.fr';
export const AUTORESPONDER = `reponse.automatique-test@${PATIENT_DOMAIN}`;

const MSS_ADDRESS = /^([^@\s<>]{1,64})@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+mssante\.fr)$/i;

export type InsCheck = { valid: true; ins: string } | { valid: false; ins: string; reason: 'length' | 'shape' | 'key' };

/** MSS-01 / MSS-04: 15 characters, 13-character NIR/NIA then key = 97 − (number mod 97), 2A/2B read as 19/18. */
export function checkIns(candidate: string): InsCheck {
  const ins = candidate.toUpperCase();
  if (ins.length !== 15) return { valid: false, ins, reason: 'length' };
  const m = ins.slice(0, 13);
  if (!isMatriculeShape(m) || !/^\d{2}$/.test(ins.slice(13))) return { valid: false, ins, reason: 'shape' };
  return insKey(m) === ins.slice(13) ? { valid: true, ins } : { valid: false, ins, reason: 'key' };
}

export type AddressClass =
  | { kind: 'patient'; address: string; ins: InsCheck }
  | { kind: 'autoresponder'; address: string }
  | { kind: 'professional'; address: string; tenant?: string }
  | { kind: 'external'; address: string };

/** Lower-cases the domain; keeps a professional local part as is (it carries the tenant), upper-cases a patient's (2A/2B). */
export function normalizeAddress(addr: string): string {
  const a = addr.trim().replace(/^<|>$/g, '');
  const at = a.lastIndexOf('@');
  if (at < 0) return a;
  const domain = a.slice(at + 1).toLowerCase();
  const local = a.slice(0, at);
  return domain === PATIENT_DOMAIN
    ? `${local.toLowerCase() === 'reponse.automatique-test' ? local.toLowerCase() : local.toUpperCase()}@${domain}`
    : `${local}@${domain}`;
}

export function classifyAddress(raw: string): AddressClass {
  const address = normalizeAddress(raw);
  const m = MSS_ADDRESS.exec(address);
  if (!m) return { kind: 'external', address };
  const [, local, domain] = m as unknown as [string, string, string];
  if (domain === PATIENT_DOMAIN) {
    if (address === AUTORESPONDER) return { kind: 'autoresponder', address };
    return { kind: 'patient', address, ins: checkIns(local) };
  }
  const dot = local.lastIndexOf('.');
  const suffix = dot >= 0 ? local.slice(dot + 1) : '';
  return TENANT_ID.test(suffix) ? { kind: 'professional', address, tenant: suffix } : { kind: 'professional', address };
}

export function patientAddress(ins15: string): string {
  return `${ins15.toUpperCase()}@${PATIENT_DOMAIN}`;
}
