/** The settings screen (SEND-07: the Ségur features, INSi and DMP feeding, cannot be switched off). */
import type { TenantState } from './tenant';
import { BadRequest, isObject } from './validation';

export function applySettings(t: TenantState, body: unknown): { applied: string[]; refused: string[] } {
  if (!isObject(body)) throw new BadRequest('settings: an object is required');
  const applied: string[] = [];
  const refused: string[] = [];
  for (const key of ['insi', 'dmpFeeding', 'ePrescription'] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw new BadRequest(`settings.${key}: a boolean is required`);
    if (key === 'insi' && !v && !t.defects.has('insi-can-be-disabled')) refused.push(key);
    else if (key === 'dmpFeeding' && !v && !t.defects.has('dmp-feeding-can-be-disabled')) refused.push(key);
    else if (key === 'ePrescription' && v && !t.doubles.ePrescriptionUrl)
      refused.push(key); // module not installed
    else {
      t.settings[key] = v;
      applied.push(key);
    }
  }
  return { applied, refused };
}
