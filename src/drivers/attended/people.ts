/**
 * The identities of an attended session. A person at a desktop LGC cannot reset it between
 * scenarios, and a scenario that qualifies an INS or writes a document changes the file for good:
 * so each scenario gets identities of its own, printed on the patient sheet. A scenario's identity
 * is the feature's invented person with the same relations between the three sides (patient file,
 * INSi, Carte Vitale): the same suffix is added to every birth and used name, and the NIR's order
 * number is moved (its key computed again), so a difference the feature relies on (a typo between
 * the file and INSi, another first name on the card) is still there, and nothing is shared.
 */
import { Person, people } from '../../fixtures/people';

/** Invented surnames, appended as a second birth name (compound names are valid INS traits). */
const SUFFIXES = [
  'MARTY',
  'ROLLAND',
  'VIDAL',
  'PERRIN',
  'GARNIER',
  'FAURE',
  'CHEVALIER',
  'LAMBERT',
  'BONNET',
  'MERCIER',
  'BLANC',
  'GUERIN',
];

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, '-');

/** The invented people a scenario's steps name ("Camille Legrand"), in order of first mention. */
export function peopleNamedIn(steps: string[]): Person[] {
  const known = new Map(people().map((p) => [p.id, p]));
  const found: Person[] = [];
  for (const text of steps) {
    const words = text.split(/\s+/);
    for (let i = 0; i + 1 < words.length; i++) {
      const person = known.get(slug(`${words[i]} ${words[i + 1]}`.replace(/['’]s$/, '')));
      if (person && !found.includes(person)) found.push(person);
    }
  }
  return found;
}

/** The NIR key of a 13-character NIR (Corsica's 2A/2B counted as the rule says). */
export function nirKey(nir13: string): string {
  const dept = nir13.slice(5, 7).toUpperCase();
  const digits = nir13.slice(0, 5) + (dept === '2A' ? '19' : dept === '2B' ? '18' : dept) + nir13.slice(7);
  return String(97 - Number(BigInt(digits) % 97n)).padStart(2, '0');
}

/** The NIR's order number moved by k steps of 7 (coprime with 999: no two scenarios get the same one). */
function moveOrder(matricule: string, k: number): string {
  const order = ((Number(matricule.slice(10, 13)) - 1 + 7 * k) % 999) + 1;
  return matricule.slice(0, 10) + String(order).padStart(3, '0');
}

/** What scenario number k appends to every birth and used name. */
export const suffixOf = (k: number) =>
  SUFFIXES[(k - 1) % SUFFIXES.length] +
  (k > SUFFIXES.length ? ` ${SUFFIXES[Math.floor((k - 1) / SUFFIXES.length) % SUFFIXES.length]}` : '');

/** Scenario number k's own copy of `p` (k ≥ 1): another person for every system, the same relations between sides. */
export function variantOf(person: Person, k: number): Person {
  const suffix = suffixOf(k);
  const name = (n: string | undefined) => (n ? `${n} ${suffix}` : n);
  const insiMatricule = moveOrder(person.insi.matricule, k);
  const vitaleMatricule = person.vitale.matricule === person.insi.matricule ? insiMatricule : moveOrder(person.vitale.matricule, k);
  return {
    id: person.id,
    insi: { ...person.insi, matricule: insiMatricule, key: nirKey(insiMatricule), birthName: name(person.insi.birthName)! },
    file: {
      ...person.file,
      birthName: name(person.file.birthName)!,
      ...(person.file.usedName ? { usedName: name(person.file.usedName) } : {}),
    },
    vitale: { ...person.vitale, matricule: vitaleMatricule, key: nirKey(vitaleMatricule), birthName: name(person.vitale.birthName)! },
  };
}
