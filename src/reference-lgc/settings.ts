/** The settings screen (SEND-07: the Ségur features, INSi and DMP feeding, cannot be switched off). */
import type { TenantState } from './tenant';
import { BadRequest, isObject } from './validation';

export function applySettings(tenant: TenantState, body: unknown): { applied: string[]; refused: string[] } {
  if (!isObject(body)) throw new BadRequest('settings: an object is required');
  const applied: string[] = [];
  const refused: string[] = [];
  for (const key of ['insi', 'dmpFeeding', 'ePrescription'] as const) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'boolean') throw new BadRequest(`settings.${key}: a boolean is required`);
    if (key === 'insi' && !value && !tenant.defects.has('insi-can-be-disabled')) {
      refused.push(key);
      // seeded defect: says it refused, switches it off all the same
      if (tenant.defects.has('insi-off-despite-refusal')) tenant.settings.insi = false;
    } else if (key === 'dmpFeeding' && !value && !tenant.defects.has('dmp-feeding-can-be-disabled')) {
      refused.push(key);
      if (tenant.defects.has('dmp-feeding-off-despite-refusal')) tenant.settings.dmpFeeding = false;
    } else if (key === 'ePrescription' && value && !tenant.doubles.ePrescriptionUrl)
      refused.push(key); // module not installed
    else {
      tenant.settings[key] = value;
      applied.push(key);
    }
  }
  return { applied, refused };
}
