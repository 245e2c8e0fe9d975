/** Minimal request-body validation; each failure names the offending field. */
import { BadRequest } from './errors';
import type { CarteVitale, Sex, Traits, Workstation } from './tenant';

export { BadRequest };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw new BadRequest(`${field}: an object is required`);
  return value;
}

export function requireString(source: Record<string, unknown>, key: string, field: string): string {
  const value = source[key];
  if (typeof value !== 'string' || value.trim() === '') throw new BadRequest(`${field}.${key}: a non-empty string is required`);
  return value;
}

export function optionalString(source: Record<string, unknown>, key: string, field: string): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequest(`${field}.${key}: must be a string`);
  return value;
}

export function requireDate(source: Record<string, unknown>, key: string, field: string): string {
  const text = requireString(source, key, field);
  if (!DATE.test(text.trim())) throw new BadRequest(`${field}.${key}: a date YYYY-MM-DD is required`);
  return text.trim();
}

function oneOf<T extends string>(source: Record<string, unknown>, key: string, field: string, values: readonly T[]): T {
  const value = source[key];
  if (typeof value !== 'string' || !values.includes(value as T)) {
    throw new BadRequest(`${field}.${key}: one of ${values.join(', ')} is required`);
  }
  return value as T;
}

export function parseTraits(value: unknown, field: string): Traits {
  const source = requireObject(value, field);
  const traits: Traits = {
    birthName: requireString(source, 'birthName', field),
    firstName: requireString(source, 'firstName', field),
    sex: oneOf<Sex>(source, 'sex', field, ['M', 'F', 'I']),
    birthDate: requireDate(source, 'birthDate', field),
  };
  for (const k of ['usedName', 'firstNames', 'birthPlace'] as const) {
    const text = optionalString(source, k, field);
    if (text !== undefined && text !== '') traits[k] = text;
  }
  return traits;
}

export function parseWorkstation(value: unknown, field = 'workstation'): Workstation {
  const source = requireObject(value, field);
  const ws: Workstation = {
    role: oneOf(source, 'role', field, ['PS', 'secretariat'] as const),
    card: oneOf(source, 'card', field, ['CPS', 'CPE-nominative', 'CPE-anonymous'] as const),
  };
  const user = optionalString(source, 'user', field);
  if (user !== undefined && user.trim() !== '') ws.user = user;
  const idNat = optionalString(source, 'idNat', field);
  if (idNat !== undefined && idNat.trim() !== '') {
    if (!/^[0-9A-Za-z/_.-]{1,64}$/.test(idNat.trim()))
      throw new BadRequest(`${field}.idNat: a national identifier is required (e.g. "8" followed by the RPPS)`);
    ws.idNat = idNat.trim();
  }
  return ws;
}

/** reset's `workstations`: the practice's workstations and the cards in their readers. */
export function parseWorkstations(value: unknown, field = 'workstations'): Workstation[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest(`${field}: an array of workstations is required`);
  return value.map((w, i) => parseWorkstation(w, `${field}[${i}]`));
}

export function parseCard(value: unknown, field = 'card'): CarteVitale {
  const source = requireObject(value, field);
  const matricule = requireString(source, 'matricule', field).trim().toUpperCase();
  if (!/^[0-9AB]{13}$/.test(matricule)) throw new BadRequest(`${field}.matricule: a 13-character NIR is required`);
  const card: CarteVitale = {
    matricule,
    birthName: requireString(source, 'birthName', field),
    firstName: requireString(source, 'firstName', field),
    birthDate: requireDate(source, 'birthDate', field),
  };
  const key = optionalString(source, 'key', field);
  if (key !== undefined && key !== '') card.key = key;
  const rank = source.birthRank;
  if (typeof rank === 'number') card.birthRank = String(rank);
  else {
    const text = optionalString(source, 'birthRank', field);
    if (text !== undefined && text !== '') card.birthRank = text;
  }
  return card;
}

export function parseDates(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest(`${field}: an array of dates is required`);
  return value.map((d, i) => {
    if (typeof d !== 'string' || !DATE.test(d)) throw new BadRequest(`${field}[${i}]: a date YYYY-MM-DD is required`);
    return d;
  });
}
