/** Minimal request-body validation; each failure names the offending field. */
import { BadRequest } from './errors';
import type { CarteVitale, Sex, Traits, Workstation } from './tenant';

export { BadRequest };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw new BadRequest(`${field}: an object is required`);
  return v;
}

export function requireString(o: Record<string, unknown>, key: string, field: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') throw new BadRequest(`${field}.${key}: a non-empty string is required`);
  return v;
}

export function optionalString(o: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${field}.${key}: must be a string`);
  return v;
}

export function requireDate(o: Record<string, unknown>, key: string, field: string): string {
  const v = requireString(o, key, field);
  if (!DATE.test(v.trim())) throw new BadRequest(`${field}.${key}: a date YYYY-MM-DD is required`);
  return v.trim();
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, field: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new BadRequest(`${field}.${key}: one of ${values.join(', ')} is required`);
  }
  return v as T;
}

export function parseTraits(v: unknown, field: string): Traits {
  const o = requireObject(v, field);
  const t: Traits = {
    birthName: requireString(o, 'birthName', field),
    firstName: requireString(o, 'firstName', field),
    sex: oneOf<Sex>(o, 'sex', field, ['M', 'F', 'I']),
    birthDate: requireDate(o, 'birthDate', field),
  };
  for (const k of ['usedName', 'firstNames', 'birthPlace'] as const) {
    const s = optionalString(o, k, field);
    if (s !== undefined && s !== '') t[k] = s;
  }
  return t;
}

export function parseWorkstation(v: unknown, field = 'workstation'): Workstation {
  const o = requireObject(v, field);
  const ws: Workstation = {
    role: oneOf(o, 'role', field, ['PS', 'secretariat'] as const),
    card: oneOf(o, 'card', field, ['CPS', 'CPE-nominative', 'CPE-anonymous'] as const),
  };
  const user = optionalString(o, 'user', field);
  if (user !== undefined && user.trim() !== '') ws.user = user;
  const idNat = optionalString(o, 'idNat', field);
  if (idNat !== undefined && idNat.trim() !== '') {
    if (!/^[0-9A-Za-z/_.-]{1,64}$/.test(idNat.trim()))
      throw new BadRequest(`${field}.idNat: a national identifier is required (e.g. "8" followed by the RPPS)`);
    ws.idNat = idNat.trim();
  }
  return ws;
}

/** reset's `workstations`: the practice's workstations and the cards in their readers. */
export function parseWorkstations(v: unknown, field = 'workstations'): Workstation[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequest(`${field}: an array of workstations is required`);
  return v.map((w, i) => parseWorkstation(w, `${field}[${i}]`));
}

export function parseCard(v: unknown, field = 'card'): CarteVitale {
  const o = requireObject(v, field);
  const matricule = requireString(o, 'matricule', field).trim().toUpperCase();
  if (!/^[0-9AB]{13}$/.test(matricule)) throw new BadRequest(`${field}.matricule: a 13-character NIR is required`);
  const card: CarteVitale = {
    matricule,
    birthName: requireString(o, 'birthName', field),
    firstName: requireString(o, 'firstName', field),
    birthDate: requireDate(o, 'birthDate', field),
  };
  const key = optionalString(o, 'key', field);
  if (key !== undefined && key !== '') card.key = key;
  const rank = o.birthRank;
  if (typeof rank === 'number') card.birthRank = String(rank);
  else {
    const r = optionalString(o, 'birthRank', field);
    if (r !== undefined && r !== '') card.birthRank = r;
  }
  return card;
}

export function parseDates(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequest(`${field}: an array of dates is required`);
  return v.map((d, i) => {
    if (typeof d !== 'string' || !DATE.test(d)) throw new BadRequest(`${field}[${i}]: a date YYYY-MM-DD is required`);
    return d;
  });
}
