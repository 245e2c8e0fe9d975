/**
 * Oracle sentences (QUAL-03, QUAL-04, MSS-02/03/04) are compared after Unicode NFC
 * normalisation, trimming and collapsing of white space — never loosely: no case folding,
 * no accent stripping, no apostrophe substitution, no partial match of the sentence.
 */
export function normaliseSentence(s: string): string {
  return s.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function sameSentence(expected: string, seen: string): boolean {
  return normaliseSentence(expected) === normaliseSentence(seen);
}

/** True when `expected` appears whole in `text` (both normalised). */
export function containsSentence(text: string, expected: string): boolean {
  const t = normaliseSentence(text);
  const e = normaliseSentence(expected);
  return e.length > 0 && t.includes(e);
}

/** Where two strings first differ, for a readable failure message. */
export function firstDifference(expected: string, seen: string): string {
  const a = normaliseSentence(expected);
  const b = normaliseSentence(seen);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return 'identical';
  const ctx = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 15), i + 15));
  return `first difference at character ${i + 1}: expected …${ctx(a)}… seen …${ctx(b)}…`;
}
