/** Reading the editor's content and the masking choice from a request (each failure names the field). */
import { DOCUMENT_TYPES, type DocumentContent, type DocumentType, type Vaccination } from '../cda';
import { MASKING_CODES, type Masking } from '../dmp-client';
import { BadRequest, isObject } from '../validation';

function strings(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) throw new BadRequest(`${field}: an array of strings is required`);
  return (value as string[]).map((s) => s.trim()).filter(Boolean);
}

function optString(source: Record<string, unknown>, k: string, field: string): string | undefined {
  const value = source[k];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequest(`${field}.${k}: must be a string`);
  return value.trim() === '' ? undefined : value.trim();
}

export function parseDocumentType(value: unknown): DocumentType {
  if (typeof value !== 'string' || !DOCUMENT_TYPES.includes(value as DocumentType)) {
    throw new BadRequest(`type: one of ${DOCUMENT_TYPES.join(', ')} is required`);
  }
  return value as DocumentType;
}

export function parseContent(value: unknown, type: DocumentType): DocumentContent {
  if (!isObject(value)) throw new BadRequest('content: an object is required');
  const lines = (value.lines === undefined || value.lines === null ? [] : value.lines) as unknown;
  if (!Array.isArray(lines)) throw new BadRequest('content.lines: an array is required');
  const vaccinations = (value.vaccinations === undefined || value.vaccinations === null ? [] : value.vaccinations) as unknown;
  if (!Array.isArray(vaccinations)) throw new BadRequest('content.vaccinations: an array is required');
  const mt = value.medecinTraitant;
  if (mt !== undefined && mt !== null && typeof mt !== 'string')
    throw new BadRequest('content.medecinTraitant: a string or null is required');
  const content: DocumentContent = {
    lines: lines.map((l, i) => {
      if (!isObject(l)) throw new BadRequest(`content.lines[${i}]: an object is required`);
      const product = optString(l, 'product', `content.lines[${i}]`);
      if (!product) throw new BadRequest(`content.lines[${i}].product: a non-empty string is required`);
      const dosage = optString(l, 'dosage', `content.lines[${i}]`);
      return { product, ...(dosage ? { dosage } : {}) };
    }),
    vaccinations: vaccinations.map((x, i): Vaccination => {
      const field = `content.vaccinations[${i}]`;
      if (!isObject(x)) throw new BadRequest(`${field}: an object is required`);
      const vaccine = optString(x, 'vaccine', field);
      if (!vaccine) throw new BadRequest(`${field}.vaccine: a non-empty string is required`);
      const date = optString(x, 'date', field);
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadRequest(`${field}.date: a date YYYY-MM-DD is required`);
      const code = optString(x, 'code', field);
      const lot = optString(x, 'lot', field);
      return { vaccine, ...(code ? { code } : {}), ...(lot ? { lot } : {}), ...(date ? { date } : {}) };
    }),
    problems: strings(value.problems, 'content.problems'),
    treatments: strings(value.treatments, 'content.treatments'),
    allergies: strings(value.allergies, 'content.allergies'),
  };
  const title = optString(value, 'title', 'content');
  const text = optString(value, 'text', 'content');
  if (title) content.title = title;
  if (text) content.text = text;
  if (typeof mt === 'string' && mt.trim() !== '') content.medecinTraitant = mt.trim();
  if (type === 'prescription' && content.lines.length === 0) throw new BadRequest('content.lines: a prescription needs at least one line');
  if (type === 'vaccination-note' && content.vaccinations.length === 0) {
    throw new BadRequest('content.vaccinations: a note de vaccination needs at least one vaccination');
  }
  return content;
}

export function parseMasking(value: unknown): Masking[] {
  const allowed = Object.keys(MASKING_CODES) as Masking[];
  if (!Array.isArray(value) || value.some((m) => typeof m !== 'string' || !allowed.includes(m as Masking))) {
    throw new BadRequest(`maskedFrom: an array of ${allowed.join(', ')} is required`);
  }
  return [...new Set(value as Masking[])];
}
