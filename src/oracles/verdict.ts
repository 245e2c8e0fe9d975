/**
 * What every oracle returns: a judgement on evidence handed to it, with what the requirement
 * expects, what was seen, and the exchanges it rests on. Oracles are pure: they import no driver,
 * no double, no step; they read nothing but their arguments (and the project's fixtures).
 */
export type VerdictStatus = 'pass' | 'fail' | 'cannot-judge';

export interface Verdict {
  status: VerdictStatus;
  /** What the requirement expects, in words a reviewer reads. */
  expected: string;
  /** What was seen (for a pass: what satisfied it). */
  seen: string;
  /** The exchanges the verdict rests on ("INSi exchange #3", "DMP submission #2", "message #5"). */
  evidence: string[];
  /** For cannot-judge: why no verdict can be given (e.g. the harness itself too slow). */
  reason?: string;
}

export function verdict(ok: boolean, expected: string, seen: string | (() => string), evidence: string[] = []): Verdict {
  return { status: ok ? 'pass' : 'fail', expected, seen: typeof seen === 'function' ? seen() : seen, evidence };
}

export function cannotJudge(expected: string, reason: string, seen = '', evidence: string[] = []): Verdict {
  return { status: 'cannot-judge', expected, seen, evidence, reason };
}

/** The first failing verdict of a list, else a pass summing them up. */
export function allOf(verdicts: Verdict[], expected: string): Verdict {
  const bad = verdicts.find((v) => v.status !== 'pass');
  if (bad) return bad;
  return {
    status: 'pass',
    expected,
    seen: verdicts.map((v) => v.seen).join('; '),
    evidence: [...new Set(verdicts.flatMap((v) => v.evidence))],
  };
}

/** A list for a message: at most `max` items, then how many more. */
export function listed(items: string[], max = 8, none = 'none'): string {
  if (!items.length) return none;
  return items.slice(0, max).join('; ') + (items.length > max ? `; … ${items.length - max} more` : '');
}

/** The normalisation of every text comparison but the exact-sentence oracles: NFC, white space collapsed, trimmed. */
export const normText = (s: string | undefined | null): string => (s ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim();
