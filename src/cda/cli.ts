import { existsSync } from 'node:fs';
import { CdaValidation, JvmUnavailableError, RulePackError, validateCda } from './index';
import { RULE_PACK_PLACES, findRulePack } from './rulepack';

/**
 * `vigie validate <file|dir>… [--rules <dir>] [--format text|json|junit]`
 * Exit code: 0 every document valid; 1 at least one document invalid; 2 could not run (bad
 * arguments, rule pack missing, no JVM/Saxon) or some document could not be judged (and none is
 * invalid).
 */
export const VALIDATE_USAGE =
  "usage: vigie validate <file.xml|dir>… [--rules <rule pack dir>] [--format text|json|junit] [--no-header] [--schematron <volet>]\n  --no-header: the ANS layers only (schema and schematron), without Vigie's own CI-SIS header checks\n  --schematron: the volet schematron to run (e.g. CSE-MDE_2023.01), as ANS tool users choose it, instead of the one the templateIds select";

type Format = 'text' | 'json' | 'junit';

export interface ValidateCommandIo {
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export async function validateCommand(argv: string[], io: ValidateCommandIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s));
  const args = argv[0] === 'validate' ? argv.slice(1) : [...argv];
  const targets: string[] = [];
  let rules: string | null | undefined;
  let format: Format = 'text';
  let header = true;
  let schematron: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      out(`${VALIDATE_USAGE}\n`);
      return 0;
    } else if (arg === '--rules' || arg.startsWith('--rules=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!value) return usage(err, '--rules needs a directory');
      rules = value;
    } else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (value !== 'text' && value !== 'json' && value !== 'junit') return usage(err, `unknown format '${value ?? ''}'`);
      format = value;
    } else if (arg === '--schematron' || arg.startsWith('--schematron=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!value) return usage(err, '--schematron needs a volet, e.g. CSE-MDE_2023.01');
      schematron = value;
    } else if (arg === '--no-header') header = false;
    else if (arg.startsWith('--')) return usage(err, `unknown option ${arg}`);
    else targets.push(arg);
  }
  if (targets.length === 0) return usage(err, 'no file or directory to validate');
  for (const t of targets) if (!existsSync(t)) return usage(err, `not found: ${t}`);

  if (rules === undefined) {
    rules = findRulePack();
    // Without the ANS pack the other layers still judge; the text says the ANS schematrons were not run.
    if (rules === null)
      err(
        `vigie validate: no ANS rule pack found (${RULE_PACK_PLACES.join(', ')}): the ANS schematrons are not run; ` +
          'the parse, CDA schema and header layers judge alone (npm run rules installs the pack)\n',
      );
  }
  let res: CdaValidation;
  try {
    res = await validateCda(targets, { rulesDir: rules, header: header ? () => ({}) : undefined, schematron });
  } catch (e) {
    if (e instanceof RulePackError || e instanceof JvmUnavailableError) {
      err(`vigie validate: ${e.message}\n`);
      return 2;
    }
    err(`vigie validate: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
  if (res.documents.length === 0) {
    err(`vigie validate: no .xml document found in ${targets.join(', ')}\n`);
    return 2;
  }
  if (format === 'json') out(JSON.stringify(toJson(res), null, 2) + '\n');
  else if (format === 'junit') out(toJunit(res));
  else out(toText(res));
  if (res.documents.some((d) => d.valid === false)) return 1;
  if (res.documents.some((d) => d.couldNotJudge)) return 2;
  return 0;
}

function usage(err: (s: string) => void, msg: string): number {
  err(`vigie validate: ${msg}\n${VALIDATE_USAGE}\n`);
  return 2;
}

/** Exactly the documented JSON shape. */
export function toJson(res: CdaValidation): unknown {
  return {
    rulePack: { path: res.rulePack.path, hash: res.rulePack.hash, commit: res.rulePack.commit },
    documents: res.documents.map((d) => ({
      file: d.file,
      valid: d.valid,
      schematron: d.schematron,
      schematronNote: d.schematronNote,
      xsdValid: d.xsdValid,
      errors: d.errors.map((e) => ({ layer: e.layer, location: e.location, line: e.line, text: e.text, rule: e.rule })),
      couldNotJudge: d.couldNotJudge,
      ans: d.ans,
      header: d.header,
    })),
  };
}

export function toText(res: CdaValidation): string {
  const lines: string[] = res.rulePack.schemaOnly
    ? [`no ANS rule pack: the CDA schema shipped in ${res.rulePack.path}, the header rules; the ANS schematrons were not run`]
    : [
        `rule pack ${res.rulePack.path} (sha256 ${res.rulePack.hash.slice(0, 12)}${res.rulePack.commit ? `, commit ${res.rulePack.commit.slice(0, 12)}` : ''})`,
      ];
  for (const d of res.documents) {
    const verdict = d.valid === true ? 'VALID' : d.valid === false ? 'INVALID' : 'NOT JUDGED';
    lines.push(
      `${verdict.padEnd(10)} ${d.file}${d.schematron ? `  [${d.schematron}]` : ''}${d.xsdValid === null ? '' : d.xsdValid ? '  xsd ok' : '  xsd KO'}`,
      // Which layer spoke: the ANS rules (what the ANS tool would say) or Vigie's stricter header rules.
      `    ANS rules: ${d.ans}; Vigie's header rules: ${d.header}`,
    );
    if (d.schematronNote) lines.push(`    note: ${d.schematronNote}`);
    for (const e of d.errors)
      lines.push(`    ${e.layer}${e.line ? ` line ${e.line}` : ''}${e.location ? ` ${e.location}` : ''}: ${e.text}`);
    if (d.couldNotJudge) lines.push(`    could not judge: ${d.couldNotJudge}`);
  }
  const n = (p: (v: boolean | null) => boolean): number => res.documents.filter((d) => p(d.valid)).length;
  const byAns = res.documents.filter((d) => d.ans === 'invalid').length;
  const byHeaderOnly = res.documents.filter((d) => d.ans !== 'invalid' && d.header === 'invalid').length;
  lines.push(
    `${res.documents.length} document(s): ${n((v) => v === true)} valid, ${n((v) => v === false)} invalid (${byAns} by the ANS rules, ${byHeaderOnly} by Vigie's header rules only), ${n((v) => v === null)} not judged`,
  );
  return lines.join('\n') + '\n';
}

const xmlEsc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function toJunit(res: CdaValidation): string {
  const failures = res.documents.filter((d) => d.valid === false).length;
  const errors = res.documents.filter((d) => d.valid !== false && d.couldNotJudge).length;
  const seconds = (res.documents.reduce((sum, d) => sum + d.ms, 0) / 1000).toFixed(3);
  const cases = res.documents.map((d) => {
    const name = xmlEsc(d.file);
    const cls = xmlEsc(d.schematron ?? 'cda');
    let body = '';
    if (d.valid === false) {
      const detail = d.errors
        .map((e) => `${e.layer}${e.line ? ` line ${e.line}` : ''}${e.location ? ` ${e.location}` : ''}: ${e.text}`)
        .join('\n');
      body += `<failure message="${xmlEsc(`${d.errors.length} error(s)`)}" type="cda">${xmlEsc(detail)}</failure>`;
    }
    // JUnit allows one of failure / error: a document found invalid is a failure even when a layer could not judge.
    else if (d.couldNotJudge)
      body += `<error message="${xmlEsc(d.couldNotJudge.slice(0, 300))}" type="could-not-judge">${xmlEsc(d.couldNotJudge)}</error>`;
    return `  <testcase classname="${cls}" name="${name}" time="${(d.ms / 1000).toFixed(3)}">${body}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="vigie validate (CDA)" tests="${res.documents.length}" failures="${failures}" errors="${errors}" time="${seconds}">\n${cases.join('\n')}\n</testsuite>\n`;
}
