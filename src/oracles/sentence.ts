/**
 * Oracle sentences (QUAL-03, QUAL-04, MSS-02/03/04) are compared after Unicode NFC
 * normalisation, trimming and collapsing of white space — never loosely: no case folding,
 * no accent stripping, no apostrophe substitution, no partial match of the sentence.
 */
export function normaliseSentence(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function sameSentence(expected: string, seen: string): boolean {
  return normaliseSentence(expected) === normaliseSentence(seen);
}

/** True when `expected` appears whole in `text` (both normalised). */
export function containsSentence(text: string, expected: string): boolean {
  const normText = normaliseSentence(text);
  const normExpected = normaliseSentence(expected);
  return normExpected.length > 0 && normText.includes(normExpected);
}

/** Where two strings first differ, for a readable failure message. */
export function firstDifference(expected: string, seen: string): string {
  const want = normaliseSentence(expected);
  const got = normaliseSentence(seen);
  let i = 0;
  while (i < want.length && i < got.length && want[i] === got[i]) i++;
  if (i === want.length && i === got.length) return 'identical';
  const ctx = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 15), i + 15));
  return `first difference at character ${i + 1}: expected …${ctx(want)}… seen …${ctx(got)}…`;
}
