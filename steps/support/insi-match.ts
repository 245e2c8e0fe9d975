import type { InsiExchange } from '../../src/doubles/insi';
import type { Person } from '../../src/fixtures/people';

const norm = (s?: string) => (s ?? '').normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[^A-Z]/g, '');

/** Does this INSi request look up this person (by matricule, or by name and birth date)? */
export function concerns(ex: InsiExchange, p: Person): boolean {
  const r = ex.request;
  if (r.matricule && (r.matricule === p.insi.matricule || r.matricule === p.vitale.matricule)) return true;
  if (!r.birthDate || r.birthDate !== p.file.birthDate) return false;
  const names = [p.file.birthName, p.file.usedName, p.insi.birthName, p.vitale.birthName].map(norm).filter(Boolean);
  return names.includes(norm(r.birthName));
}

export function describeExchanges(list: InsiExchange[]): string {
  if (list.length === 0) return 'no INSi request';
  return list.map((e) => `#${e.seq} ${e.operation ?? '?'}(${[e.request.matricule, e.request.birthName, e.request.firstNames?.join(' '), e.request.sex, e.request.birthDate].filter(Boolean).join(', ')})`).join('; ');
}
