/** INSi-like tolerant search over the double's population. */
import type { InsiOperation, InsiPerson } from './types';
import type { RequestFields } from './request';

/** NFD, strip diacritics, uppercase, keep letters only: "Ébé-Lyne d'Arc" -> "EBELYNEDARC". */
export function normaliseName(value: string | undefined): string {
  return (value ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
}

function nir13(value: string | undefined): string {
  return (value ?? '').replace(/\s/g, '').toUpperCase().slice(0, 13);
}

export function lookup(people: readonly InsiPerson[], operation: InsiOperation, req: RequestFields): InsiPerson[] {
  if (operation === 'rechercherInsAvecCarteVitale') {
    const wanted = nir13(req.matricule);
    return wanted ? people.filter((p) => nir13(p.matricule) === wanted) : [];
  }
  const name = normaliseName(req.birthName);
  const first = normaliseName(req.firstNames?.[0]);
  if (!name || !first || !req.birthDate) return [];
  return people.filter(
    (p) =>
      normaliseName(p.birthName) === name &&
      normaliseName(p.firstName || p.firstNames.split(/\s+/)[0]) === first &&
      p.birthDate === req.birthDate,
  );
}
