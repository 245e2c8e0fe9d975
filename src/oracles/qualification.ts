/**
 * Judges the qualification of an INS: QUAL-02 (one click, no change of screen), QUAL-03 (the
 * attestation sentence, exactly), QUAL-04 (the identity documents, exactly), QUAL-05/06/08/09 (a
 * refusal), QUAL-07 (the traits side by side, every difference — and only differences — highlighted).
 */
import { containsSentence, firstDifference, normaliseSentence } from './sentence';
import { FOUR_TRAITS, FourTraits, TraitName, differingTraits } from './traits';
import { Verdict, verdict } from './verdict';

export type QualifySeen =
  | { qualified: true; clicks: number; screenChanges: number; shown: string[] }
  | { qualified: false; reason: string; message: string; status: number };

/** QUAL-02, QUAL-09: the qualification done, and the panel showing the INS as qualified. */
export function insQualified(
  patient: string,
  matricule: string,
  result: QualifySeen | undefined,
  panelIns: { status: string; matricule?: string },
): Verdict {
  if (!result || !result.qualified) {
    return verdict(
      false,
      `the LGC qualifies the INS of ${patient}`,
      result ? `refused (${result.status} ${result.reason}): ${result.message}` : 'no qualification',
    );
  }
  return verdict(
    panelIns.status === 'qualified' && panelIns.matricule === matricule,
    `the identity panel shows the INS ${matricule} as qualified`,
    JSON.stringify(panelIns),
  );
}

/** QUAL-02: one click, without changing screen. */
export function qualifiedInOneClick(result: QualifySeen | undefined): Verdict {
  if (!result || !result.qualified) return verdict(false, 'a successful qualification', 'none');
  return verdict(
    result.clicks === 1 && result.screenChanges === 0,
    'one click and no change of screen',
    `${result.clicks} click(s) and ${result.screenChanges} change(s) of screen`,
  );
}

/** QUAL-05, 06, 08, 09: the LGC refuses to qualify. */
export function qualificationRefused(result: QualifySeen): Verdict {
  return verdict(!result.qualified, 'the LGC refuses to qualify the INS', () => `qualified (${JSON.stringify(result)})`);
}

/** QUAL-03: the exception procedure offered, carrying the sentence whole. */
export function attestationOffered(sentence: string, offered: boolean | undefined, text: string | null | undefined): Verdict {
  const seen = text ?? '';
  return verdict(
    offered === true && containsSentence(seen, sentence),
    `the exception procedure offered, with the sentence « ${normaliseSentence(sentence)} »`,
    `offered ${offered}, text « ${seen} » (${firstDifference(sentence, seen)})`,
  );
}

/** QUAL-03: the sentence shown whole at the moment of confirmation. */
export function attestationShownAtConfirmation(sentence: string, result: QualifySeen | undefined): Verdict {
  if (!result || !result.qualified)
    return verdict(false, 'a confirmed exception procedure', result ? `refused: ${result.reason} ${result.message}` : 'none');
  return verdict(
    result.shown.some((s) => containsSentence(s, sentence)),
    `the sentence « ${normaliseSentence(sentence)} » shown whole at confirmation`,
    () => (result.shown.length ? result.shown.map((s) => `« ${s} » (${firstDifference(sentence, s)})`).join('; ') : 'nothing shown'),
  );
}

/** QUAL-04: exactly these documents, each label compared as an oracle sentence. */
export function documentsOffered(expected: string[], seen: string[] | undefined): Verdict {
  const want = expected.map(normaliseSentence);
  const got = (seen ?? []).map(normaliseSentence);
  const missing = want.filter((d) => !got.includes(d));
  const extra = got.filter((d) => !want.includes(d));
  const quoted = (l: string[]) => l.map((d) => `« ${d} »`).join(', ') || 'none';
  return verdict(
    missing.length === 0 && extra.length === 0,
    `exactly the ${want.length} documents: ${quoted(want)}`,
    `missing: ${quoted(missing)}; not expected: ${quoted(extra)}`,
  );
}

export interface ComparisonSeen {
  trait: string;
  file: string;
  insi: string;
  differs: boolean;
}

/**
 * QUAL-07: each of the four traits shown side by side with the values the feature gives, and
 * highlighted exactly when the two values differ by the INS rules (src/oracles/traits.ts: strict
 * equality, so GUIVARC'H ≠ GUIVARCH and Jean-Philippe ≠ JEAN PHILIPPE).
 */
export function differencesHighlighted(file: FourTraits, insi: FourTraits, rows: ComparisonSeen[]): Verdict {
  const differ = new Set<TraitName>(differingTraits(file, insi));
  const problems: string[] = [];
  for (const t of FOUR_TRAITS) {
    const seen = rows.find((r) => r.trait === t);
    if (!seen) {
      problems.push(`${t}: not shown`);
      continue;
    }
    if (seen.file !== file[t] || seen.insi !== insi[t])
      problems.push(`${t}: shows "${seen.file}" / "${seen.insi}" instead of "${file[t]}" / "${insi[t]}"`);
    if (seen.differs !== differ.has(t))
      problems.push(`${t}: ${differ.has(t) ? 'difference not highlighted' : 'highlighted although equal'}`);
  }
  return verdict(
    problems.length === 0,
    'the four traits side by side, every difference highlighted and nothing else',
    problems.join('; ') || 'as expected',
  );
}
