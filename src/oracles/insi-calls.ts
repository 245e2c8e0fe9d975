/**
 * Judges what reached the INSi double (observed evidence): INS-01 (a call for every patient seen),
 * INS-03 (the card's data), INS-04 (the file's traits), INS-05 (the day's patients), INS-06 (no call
 * for a qualified INS), SEND-07 (the INSi call cannot be switched off).
 */
import { Verdict, listed, verdict } from './verdict';

/** An INSi request as the double decoded it. */
export interface InsiRequestSeen {
  seq: number;
  operation: string | null;
  matricule?: string;
  birthName?: string;
  firstNames?: string[];
  sex?: string;
  birthDate?: string;
  birthPlace?: string;
}

/** Who a request may be about: the person's matricules (INSi, card), birth date and the names they go by. */
export interface PersonKeys {
  id: string;
  matricules: string[];
  birthDate: string;
  names: string[];
}

const letters = (s?: string) =>
  (s ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');

/** Does this INSi request look up this person (by matricule, or by birth name and birth date)? */
export function concerns(request: InsiRequestSeen, person: PersonKeys): boolean {
  if (request.matricule && person.matricules.includes(request.matricule)) return true;
  if (!request.birthDate || request.birthDate !== person.birthDate) return false;
  return person.names.map(letters).filter(Boolean).includes(letters(request.birthName));
}

export function describeRequests(list: InsiRequestSeen[]): string {
  if (list.length === 0) return 'no INSi request';
  return list
    .map(
      (e) =>
        `#${e.seq} ${e.operation ?? '?'}(${[e.matricule, e.birthName, e.firstNames?.join(' '), e.sex, e.birthDate].filter(Boolean).join(', ')})`,
    )
    .join('; ');
}

const ref = (r: InsiRequestSeen) => `INSi exchange #${r.seq}`;

/** INS-01, INS-05, SEND-07: the LGC called INSi about the person, within the bound, unprompted. */
export function insiCalledFor(person: PersonKeys, requests: InsiRequestSeen[], boundMs: number): Verdict {
  const hit = requests.find((r) => concerns(r, person));
  return verdict(
    !!hit,
    `an INSi request about ${person.id} within ${boundMs} ms, with no other user action`,
    hit ? describeRequests([hit]) : describeRequests(requests),
    hit ? [ref(hit)] : [],
  );
}

/** INS-05, INS-06: no INSi request about the person during the whole window. */
export function insiNotCalledFor(person: PersonKeys, requests: InsiRequestSeen[], watchedMs: number): Verdict {
  const calls = requests.filter((r) => concerns(r, person));
  return verdict(
    calls.length === 0,
    `no INSi request about ${person.id} (watched for ${watchedMs} ms)`,
    describeRequests(calls),
    calls.map(ref),
  );
}

/** INS-03: the card's data, with the card operation. */
export function insiCalledWithCard(
  person: PersonKeys,
  card: { matricule: string; birthDate: string },
  requests: InsiRequestSeen[],
  boundMs: number,
): Verdict {
  const hit = requests.find((r) => concerns(r, person));
  const expected = `rechercherInsAvecCarteVitale with the card's matricule ${card.matricule} and birth date ${card.birthDate}, within ${boundMs} ms of inserting it`;
  if (!hit) return verdict(false, expected, describeRequests(requests));
  const ok = hit.operation === 'rechercherInsAvecCarteVitale' && hit.matricule === card.matricule && hit.birthDate === card.birthDate;
  return verdict(
    ok,
    expected,
    `${hit.operation}(matricule ${hit.matricule ?? 'none'}, birth name ${hit.birthName ?? 'none'}, birth date ${hit.birthDate ?? 'none'})`,
    [ref(hit)],
  );
}

/** INS-04: the file's traits — birth name (never the used name), first name, sex, birth date; the birth place when sent. */
export function insiCalledWithFileTraits(
  person: PersonKeys,
  file: { birthName: string; firstName: string; sex: string; birthDate: string; birthPlace?: string },
  requests: InsiRequestSeen[],
  boundMs: number,
): Verdict {
  const hit = requests.find((r) => concerns(r, person));
  const expected = `rechercherInsAvecTraitsIdentite with the file's birth name "${file.birthName}", first name "${file.firstName}", sex ${file.sex}, birth date ${file.birthDate}${file.birthPlace ? `, birth place ${file.birthPlace} if sent` : ''}, within ${boundMs} ms of opening it`;
  if (!hit) return verdict(false, expected, describeRequests(requests));
  const seen = {
    birthName: hit.birthName,
    firstName: hit.firstNames?.[0],
    sex: hit.sex,
    birthDate: hit.birthDate,
    birthPlace: hit.birthPlace,
  };
  // The birth place is optional in RECSANSVITALE; when the LGC sends one, it must be the file's.
  const placeOk = seen.birthPlace === undefined || seen.birthPlace === file.birthPlace;
  const ok =
    hit.operation === 'rechercherInsAvecTraitsIdentite' &&
    seen.birthName === file.birthName &&
    seen.firstName === file.firstName &&
    seen.sex === file.sex &&
    seen.birthDate === file.birthDate &&
    placeOk;
  return verdict(
    ok,
    expected,
    `${hit.operation}(birth name "${seen.birthName}", first name "${seen.firstName}", sex ${seen.sex}, birth date ${seen.birthDate}, birth place ${seen.birthPlace ?? 'not sent'})`,
    [ref(hit)],
  );
}

/** The requests listed, for messages that need them. */
export const requestList = (requests: InsiRequestSeen[]): string => listed(requests.map((r) => describeRequests([r])));
