/**
 * A schematron run that stops says why in one line. The usual case on ANS's own examples: the pack
 * lacks a value-set file that a schematron reads (`voc-…-DYNAMIC.xml`); Saxon says it in a 600-
 * character FODC0002 message, and the ANS pipeline stops at the same place.
 */
export function explainPipelineError(error: string): string {
  const oneLine = error.replace(/\s+/g, ' ').trim();
  const missing = /FODC0002: I\/O error reported by XML parser processing (?:file:)?(\S+?): .*?\((?:No such file|No suc)/.exec(oneLine);
  if (missing) {
    const file = missing[1].split('/').pop();
    return `the ANS rule pack lacks ${file}, a value set its schematron reads (${missing[1]}); the ANS pipeline stops there too`;
  }
  const first = oneLine.length > 240 ? `${oneLine.slice(0, 240)}…` : oneLine;
  return first;
}
