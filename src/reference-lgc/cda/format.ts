/** Formatting for the CDA and XDS: XML escaping, fresh OIDs and UUIDs, HL7 / XDS times, dates. */
import { randomUUID } from 'node:crypto';

/** Escape for element text and double-quoted attribute values (apostrophes stay literal). */
export function esc(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // characters XML 1.0 forbids (C0 controls but tab/newline/return)
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
  );
}

/** A fresh OID under 2.25 (UUID-derived, ITU-T X.667), usable as a CDA id root or an XDS uniqueId. */
export function newOid(): string {
  return `2.25.${BigInt('0x' + randomUUID().replace(/-/g, '')).toString()}`;
}

export function newUuid(): string {
  return randomUUID().toUpperCase();
}

/** HL7 TS with seconds and the UTC offset (+0000), e.g. 20260312111700+0000. */
export function hl7Time(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}+0000`;
}

/** XDS DTM (UTC, no offset), e.g. 20260312111700. */
export function xdsTime(date: Date): string {
  return hl7Time(date).slice(0, 14);
}

/** YYYY-MM-DD → YYYYMMDD (empty when not a date). */
export function hl7Date(iso: string | undefined): string {
  return iso && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso.replace(/-/g, '') : '';
}

export function frDate(iso: string | undefined): string {
  const match = iso ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null;
  return match ? `${match[3]}/${match[2]}/${match[1]}` : '';
}
