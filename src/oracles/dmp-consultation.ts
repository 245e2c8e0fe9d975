/**
 * Judges the consultation of the DMP (ITI-18 queries that reached the DMP double, and the question
 * the LGC shows): OPP-03, OPP-04.
 */
import { Verdict, normText, verdict } from './verdict';

export interface ConsultSeen {
  asked: boolean;
  question?: string;
  reminder?: string;
  consulted: boolean;
}
export interface QuerySeen {
  seq: number;
}

const INFORMED = /inform/i; // « informé », « information », « informer »: the catalogue's own word

/**
 * OPP-03: an explicit question, and a reminder — its own text, not the question's wording — that
 * the patient must be informed beforehand.
 */
export function asksNonOppositionWithReminder(consult: ConsultSeen): Verdict {
  const question = normText(consult.question);
  const reminder = normText(consult.reminder);
  const separate = reminder !== '' && reminder !== question && !question.includes(reminder);
  const ok = consult.asked && separate && INFORMED.test(reminder);
  return verdict(
    ok,
    'an explicit question about non-opposition, and a reminder of its own that the patient must be informed beforehand',
    consult.asked
      ? `question « ${question} », reminder « ${reminder || 'none'} »${reminder && !separate ? ' (the question itself, not a reminder)' : ''}`
      : `no question asked (consulted: ${consult.consulted})`,
  );
}

/** OPP-03, OPP-04: no query of the patient's DMP during the whole window. */
export function notConsulted(patient: string, queries: QuerySeen[], watchedMs: number, says?: boolean): Verdict {
  return verdict(
    queries.length === 0 && says !== true,
    `no query of the DMP of ${patient} (watched for ${watchedMs} ms)`,
    `${queries.length} query(ies) reached the DMP; the LGC says consulted: ${says}`,
    queries.map((q) => `DMP query #${q.seq}`),
  );
}

/** OPP-03: the DMP was queried. */
export function consulted(patient: string, ins: string, queries: QuerySeen[], boundMs: number): Verdict {
  return verdict(
    queries.length > 0,
    `a query of the DMP of ${patient} (INS ${ins}) within ${boundMs} ms`,
    queries.length ? `${queries.length} query(ies)` : 'no query reached the DMP',
    queries.map((q) => `DMP query #${q.seq}`),
  );
}

/** OPP-03: the answer was recorded: no question again. */
export function notAskedAgain(consult: ConsultSeen | undefined): Verdict {
  return verdict(
    consult?.asked === false,
    'no question asked again: the earlier answer was recorded',
    `asked again: « ${consult?.question ?? ''} »`,
  );
}
