/**
 * Judges a CDA document's conformity: CDA-01 (well-formed, valid against the CI-SIS CDA schema),
 * CDA-02 (the CI-SIS header rules), CDA-03 (the INS only for a qualified identity), CDA-04 (a type
 * code the DMP accepts, agreeing with the XDS metadata), CDA-07 (the ANS schematron of its type).
 * The schema and schematron layers come from the CDA engine (src/cda: Saxon-HE on a warm JVM);
 * these functions turn its findings into verdicts.
 */
import { HeaderContext, HeaderFinding, checkHeader } from './cda-header';
import { Verdict, cannotJudge, listed, verdict } from './verdict';

/** A finding of the CDA engine (src/cda) or of the header rules. */
export interface CdaFinding {
  layer: string;
  rule?: string | null;
  location?: string | null;
  text: string;
}
/** What the CDA engine said of one document. */
export interface CdaEngineResult {
  xsdValid: boolean | null;
  errors: CdaFinding[];
  couldNotJudge: string | null;
  schematron: string | null;
}

const findings = (errors: CdaFinding[]) =>
  listed(
    errors.map((e) => `[${e.layer}${e.rule ? ' ' + e.rule : ''}] ${e.location ?? ''} ${e.text}`.replace(/\s+/g, ' ')),
    8,
    'no finding',
  );

/** CDA-01: well-formed and valid against CDA_extended.xsd. */
export function schemaValid(result: CdaEngineResult, ref: string): Verdict {
  const expected = 'well-formed XML, valid against the CDA schema extended by the CI-SIS (CDA_extended.xsd)';
  if (result.couldNotJudge) return cannotJudge(expected, `the CDA engine could not judge the document: ${result.couldNotJudge}`, '', [ref]);
  const bad = result.errors.filter((x) => x.layer === 'parse' || x.layer === 'xsd');
  return verdict(bad.length === 0 && result.xsdValid === true, expected, findings(bad), [ref]);
}

/** CDA-07: no failed assertion of the ANS schematron chosen for the document's templateIds. */
export function ansSchematronPassed(result: CdaEngineResult, ref: string): Verdict {
  const expected = `no failed assertion of the ANS schematron of its type${result.schematron ? ` (${result.schematron})` : ''}`;
  if (result.couldNotJudge)
    return cannotJudge(expected, `the ANS rule pack could not judge the document: ${result.couldNotJudge}`, '', [ref]);
  const bad = result.errors.filter((x) => x.layer === 'schematron' || x.layer === 'parse');
  return verdict(bad.length === 0, expected, findings(bad), [ref]);
}

function headerRule(cda: Buffer | string, ctx: HeaderContext, rule: string): { found: HeaderFinding[]; error?: string } {
  try {
    return { found: checkHeader(cda, ctx).filter((f) => f.rule === rule) };
  } catch (e) {
    return { found: [], error: (e as Error).message };
  }
}

/** CDA-02: every CI-SIS header rule. */
export function headerRulesSatisfied(cda: Buffer | string, ref: string): Verdict {
  const { found, error } = headerRule(cda, {}, 'CDA-02');
  return verdict(!error && found.length === 0, 'every CI-SIS header rule satisfied', error ?? findings(found), [ref]);
}

/** CDA-03: the qualified INS with its OID; or, for an unqualified identity, no INS and a local identifier. */
export function insOnlyIfQualified(cda: Buffer | string, ctx: { qualifiedIns: string } | { notQualified: true }, ref: string): Verdict {
  const { found, error } = headerRule(cda, ctx, 'CDA-03');
  const expected =
    'qualifiedIns' in ctx
      ? `recordTarget identified by the INS ${ctx.qualifiedIns} with an INS OID`
      : 'no INS in the document of an unqualified identity: the local identifier alone';
  return verdict(!error && found.length === 0, expected, error ?? findings(found), [ref]);
}

/** CDA-04: a document code the DMP accepts (JDV_J07-XdsTypeCode-CISIS), equal to the XDS typeCode sent with it. */
export function typeCodeAcceptedAndAgreeing(cda: Buffer | string, xdsTypeCode: string, ref: string): Verdict {
  const { found, error } = headerRule(cda, { xdsTypeCode }, 'CDA-04');
  return verdict(
    !error && found.length === 0,
    `a type code of JDV_J07-XdsTypeCode-CISIS, equal to the XDS typeCode ${xdsTypeCode || '(none)'}`,
    error ?? findings(found),
    [ref],
  );
}
