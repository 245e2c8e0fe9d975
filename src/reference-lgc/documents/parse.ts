/** Reading the editor's content and the masking choice from a request (each failure names the field). */
import { DOCUMENT_TYPES, type DocumentContent, type DocumentType, type Vaccination } from '../cda';
import { MASKING_CODES, type Masking } from '../dmp-client';
import { BadRequest, isObject } from '../validation';

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new BadRequest(`${field}: an array of strings is required`);
  return (v as string[]).map((s) => s.trim()).filter(Boolean);
}

function optString(o: Record<string, unknown>, k: string, field: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${field}.${k}: must be a string`);
  return v.trim() === '' ? undefined : v.trim();
}

export function parseDocumentType(v: unknown): DocumentType {
  if (typeof v !== 'string' || !DOCUMENT_TYPES.includes(v as DocumentType)) {
    throw new BadRequest(`type: one of ${DOCUMENT_TYPES.join(', ')} is required`);
  }
  return v as DocumentType;
}

export function parseContent(v: unknown, type: DocumentType): DocumentContent {
  if (!isObject(v)) throw new BadRequest('content: an object is required');
  const lines = (v.lines === undefined || v.lines === null ? [] : v.lines) as unknown;
  if (!Array.isArray(lines)) throw new BadRequest('content.lines: an array is required');
  const vaccinations = (v.vaccinations === undefined || v.vaccinations === null ? [] : v.vaccinations) as unknown;
  if (!Array.isArray(vaccinations)) throw new BadRequest('content.vaccinations: an array is required');
  const mt = v.medecinTraitant;
  if (mt !== undefined && mt !== null && typeof mt !== 'string')
    throw new BadRequest('content.medecinTraitant: a string or null is required');
  const c: DocumentContent = {
    lines: lines.map((l, i) => {
      if (!isObject(l)) throw new BadRequest(`content.lines[${i}]: an object is required`);
      const product = optString(l, 'product', `content.lines[${i}]`);
      if (!product) throw new BadRequest(`content.lines[${i}].product: a non-empty string is required`);
      const dosage = optString(l, 'dosage', `content.lines[${i}]`);
      return { product, ...(dosage ? { dosage } : {}) };
    }),
    vaccinations: vaccinations.map((x, i): Vaccination => {
      const f = `content.vaccinations[${i}]`;
      if (!isObject(x)) throw new BadRequest(`${f}: an object is required`);
      const vaccine = optString(x, 'vaccine', f);
      if (!vaccine) throw new BadRequest(`${f}.vaccine: a non-empty string is required`);
      const date = optString(x, 'date', f);
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadRequest(`${f}.date: a date YYYY-MM-DD is required`);
      const code = optString(x, 'code', f);
      const lot = optString(x, 'lot', f);
      return { vaccine, ...(code ? { code } : {}), ...(lot ? { lot } : {}), ...(date ? { date } : {}) };
    }),
    problems: strings(v.problems, 'content.problems'),
    treatments: strings(v.treatments, 'content.treatments'),
    allergies: strings(v.allergies, 'content.allergies'),
  };
  const title = optString(v, 'title', 'content');
  const text = optString(v, 'text', 'content');
  if (title) c.title = title;
  if (text) c.text = text;
  if (typeof mt === 'string' && mt.trim() !== '') c.medecinTraitant = mt.trim();
  if (type === 'prescription' && c.lines.length === 0) throw new BadRequest('content.lines: a prescription needs at least one line');
  if (type === 'vaccination-note' && c.vaccinations.length === 0) {
    throw new BadRequest('content.vaccinations: a note de vaccination needs at least one vaccination');
  }
  return c;
}

export function parseMasking(v: unknown): Masking[] {
  const allowed = Object.keys(MASKING_CODES) as Masking[];
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || !allowed.includes(m as Masking))) {
    throw new BadRequest(`maskedFrom: an array of ${allowed.join(', ')} is required`);
  }
  return [...new Set(v as Masking[])];
}
