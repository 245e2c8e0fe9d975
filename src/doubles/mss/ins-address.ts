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
  const matricule = ins.slice(0, 13);
  if (!isMatriculeShape(matricule) || !/^\d{2}$/.test(ins.slice(13))) return { valid: false, ins, reason: 'shape' };
  return insKey(matricule) === ins.slice(13) ? { valid: true, ins } : { valid: false, ins, reason: 'key' };
}

export type AddressClass =
  | { kind: 'patient'; address: string; ins: InsCheck }
  | { kind: 'autoresponder'; address: string }
  | { kind: 'professional'; address: string; tenant?: string }
  | { kind: 'external'; address: string };

/** Lower-cases the domain; keeps a professional local part as is (it carries the tenant), upper-cases a patient's (2A/2B). */
export function normalizeAddress(addr: string): string {
  const address = addr.trim().replace(/^<|>$/g, '');
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1).toLowerCase();
  const local = address.slice(0, at);
  return domain === PATIENT_DOMAIN
    ? `${local.toLowerCase() === 'reponse.automatique-test' ? local.toLowerCase() : local.toUpperCase()}@${domain}`
    : `${local}@${domain}`;
}

export function classifyAddress(raw: string): AddressClass {
  const address = normalizeAddress(raw);
  const match = MSS_ADDRESS.exec(address);
  if (!match) return { kind: 'external', address };
  const [, local, domain] = match as unknown as [string, string, string];
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
