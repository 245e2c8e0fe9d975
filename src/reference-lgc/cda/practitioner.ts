/**
 * The professional who writes and validates a document: the card holder at the workstation
 * (idNat and name, from the test-driver's Workstation or the reset's workstations), in the
 * practice (an invented single-handed general practice). The reference LGC's own invented
 * practitioner (idNat 810001234567) is only the fallback when nothing is known of the user.
 */
import { esc, hl7Time } from './format';

export interface Practitioner {
  /** national identifier (id @root 1.2.250.1.71.4.2.1): for a CPS "8" followed by the RPPS */
  idNat: string;
  /** as shown on screen, e.g. Dr Anne PRATICIEN */
  display: string;
  prefix?: string;
  given?: string;
  family: string;
  suffix?: string;
  specialtyCode: string;
  specialtyDisplay: string;
  organisationId: string;
  organisationName: string;
  telecom: string;
  addr: { houseNumber: string; streetName: string; postalCode: string; city: string };
}

/** The reference LGC's user: an invented general practitioner in a single-handed practice. */
export const PRACTITIONER: Practitioner = {
  idNat: '810001234567',
  display: 'Dr Anne PRATICIEN',
  prefix: 'MME',
  given: 'Anne',
  family: 'PRATICIEN',
  suffix: 'DR',
  specialtyCode: 'G15_10/SM26',
  specialtyDisplay: 'Médecin - Qualifié en Médecine Générale (SM)',
  organisationId: '1750001234',
  organisationName: 'Cabinet du Dr Anne PRATICIEN',
  telecom: 'tel:+33-102030405',
  addr: { houseNumber: '1', streetName: 'Rue de la Santé', postalCode: '75014', city: 'PARIS' },
};
export const PRACTITIONER_DISPLAY = PRACTITIONER.display;
export const RPPS_OID = '1.2.250.1.71.4.2.1';
export const STRUCTURE_OID = '1.2.250.1.71.4.2.2';

/** The workstation's card holder, as the practice knows them (Workstation of the test-driver contract). */
export interface CardHolder {
  user?: string;
  idNat?: string;
}

const TITLES: Record<string, string> = { dr: 'DR', docteur: 'DR', pr: 'PR', professeur: 'PR' };

/**
 * « Dr Anne PRATICIEN » → suffix DR, given Anne, family PRATICIEN: a leading title is the suffix,
 * the trailing words in capitals the family name (else the last word), the rest the given names.
 */
export function parsePersonName(user: string): Pick<Practitioner, 'given' | 'family' | 'suffix'> {
  const words = user.trim().split(/\s+/).filter(Boolean);
  const title = TITLES[(words[0] ?? '').replace(/\.$/, '').toLowerCase()];
  if (title && words.length > 1) words.shift();
  let i = words.length;
  while (i > 1 && /^[^a-zà-ÿ]+$/.test(words[i - 1]) && /\p{Lu}/u.test(words[i - 1])) i--;
  if (i === words.length) i = Math.max(words.length - 1, 0);
  const given = words.slice(0, i).join(' ');
  const family = words.slice(i).join(' ') || user.trim();
  return { family, ...(given ? { given } : {}), ...(title ? { suffix: title } : {}) };
}

/**
 * The author of what this card holder validates: their idNat, and their name when given (else
 * the practice's practitioner's name). Nothing known (no idNat): the invented PRACTITIONER.
 */
export function practitionerOf(holder: CardHolder | undefined): Practitioner {
  if (!holder?.idNat) return PRACTITIONER;
  const named = holder.user?.trim();
  if (!named) return { ...PRACTITIONER, idNat: holder.idNat };
  const { prefix: _prefix, suffix: _suffix, given: _given, ...practice } = PRACTITIONER;
  return { ...practice, idNat: holder.idNat, display: named, ...parsePersonName(named) };
}

/** The RPPS of a CPS idNat ("8" + RPPS), else the idNat itself. */
export function rppsOf(pr: Practitioner): string {
  return /^8\d{11}$/.test(pr.idNat) ? pr.idNat.slice(1) : pr.idNat;
}

export function addr(pr: Practitioner): string {
  const address = pr.addr;
  return `<addr><houseNumber>${esc(address.houseNumber)}</houseNumber><streetName>${esc(address.streetName)}</streetName><postalCode>${esc(address.postalCode)}</postalCode><city>${esc(address.city)}</city></addr>`;
}

function personName(pr: Practitioner): string {
  const part = (tag: string, v: string | undefined): string => (v ? `<${tag}>${esc(v)}</${tag}>` : '');
  return `<name>${part('prefix', pr.prefix)}${part('given', pr.given)}<family>${esc(pr.family)}</family>${part('suffix', pr.suffix)}</name>`;
}

function specialty(pr: Practitioner): string {
  return `<code code="${esc(pr.specialtyCode)}" displayName="${esc(pr.specialtyDisplay)}" codeSystem="1.2.250.1.213.1.1.4.5"/>`;
}

const PRACTICE_SETTING =
  '<standardIndustryClassCode code="AMBULATOIRE" displayName="Ambulatoire" codeSystem="1.2.250.1.213.1.1.4.9" codeSystemName="practiceSettingCode"/>';

function organisation(pr: Practitioner, tag: string, withSetting: boolean): string {
  return (
    `<${tag}><id root="${STRUCTURE_OID}" extension="${esc(pr.organisationId)}"/><name>${esc(pr.organisationName)}</name>` +
    `<telecom value="${esc(pr.telecom)}" use="WP"/>${addr(pr)}${withSetting ? PRACTICE_SETTING : ''}</${tag}>`
  );
}

/** assignedAuthor / assignedEntity content: id, code, addr, telecom, person, organisation. */
export function assignedEntity(
  pr: Practitioner,
  personTag: 'assignedPerson',
  orgTag: 'representedOrganization',
  withSetting: boolean,
): string {
  return (
    `<id root="${RPPS_OID}" extension="${esc(pr.idNat)}"/>${specialty(pr)}${addr(pr)}<telecom value="${esc(pr.telecom)}" use="WP"/>` +
    `<${personTag}>${personName(pr)}</${personTag}>${organisation(pr, orgTag, withSetting)}`
  );
}

/** The performer / author of an entry (VAC-NOTE entries carry both). */
export function entryPerformer(pr: Practitioner = PRACTITIONER): string {
  return `<performer typeCode="PRF"><assignedEntity classCode="ASSIGNED">${assignedEntity(pr, 'assignedPerson', 'representedOrganization', true)}</assignedEntity></performer>`;
}

export function entryAuthor(time: Date, pr: Practitioner = PRACTITIONER): string {
  return `<author contextControlCode="OP" typeCode="AUT"><time value="${hl7Time(time)}"/><assignedAuthor classCode="ASSIGNED">${assignedEntity(pr, 'assignedPerson', 'representedOrganization', false)}</assignedAuthor></author>`;
}
