// The CDA validation pipeline, layer by layer (parse, schema, header, schematron). Just over 300
// lines: the layers are read in order and share one result record.
import { explainPipelineError } from './pipeline-error';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CdaJvm, ensureJavaCompiled, findSaxonJar, JudgeAnswer, JvmTimeoutError, JvmUnavailableError } from './jvm';
import { checkHeader, HeaderContext } from '../oracles/cda-header';
import {
  chooseSchematron,
  compiledXslt,
  DEFAULT_RULES_DIR,
  openRulePack,
  RulePackError,
  RulePackInfo,
  schemaOnlyPack,
  selectSchematron,
} from './rulepack';
import { MAX_BYTES, MAX_DEPTH, scanDocument } from './scan';

export { CdaJvm, JvmUnavailableError, RulePackError, DEFAULT_RULES_DIR };

export type CdaLayer = 'parse' | 'xsd' | 'header' | 'schematron';
export type AnsVerdict = 'valid' | 'invalid' | 'could-not-judge';
export type HeaderVerdict = 'valid' | 'invalid' | 'not-run';

/**
 * The ANS layers' verdict: any parse, schema or schematron error → invalid; else anything that
 * stopped a layer, or no schematron run (no rule pack) → could-not-judge; else valid.
 */
export function ansVerdict(result: Pick<CdaDocumentResult, 'errors' | 'couldNotJudge' | 'xsdValid' | 'schematron'>): AnsVerdict {
  if (result.errors.some((e) => e.layer !== 'header')) return 'invalid';
  if (result.couldNotJudge || result.xsdValid !== true || !result.schematron) return 'could-not-judge';
  return 'valid';
}

/** Vigie's header rules' verdict: not-run when they were not asked for (validate --no-header) or had no context. */
export function headerVerdict(result: Pick<CdaDocumentResult, 'errors'>, ran: boolean): HeaderVerdict {
  if (result.errors.some((e) => e.layer === 'header')) return 'invalid';
  return ran ? 'valid' : 'not-run';
}

export interface CdaError {
  layer: CdaLayer;
  /** `/ClinicalDocument/component/…` for schematron findings, null otherwise. */
  location: string | null;
  line: number | null;
  text: string;
  /** Schematron pattern (and assert id) for schematron findings, null otherwise. */
  rule: string | null;
}

export interface CdaFailedAssert {
  location: string;
  text: string;
  role: string | null;
  rule: string;
  line: number | null;
}

export interface CdaDocumentResult {
  file: string;
  /** true: no error in any layer; false: at least one error; null: could not judge and found no error. */
  valid: boolean | null;
  /** Schematron used, relative to the rule pack, or null. */
  schematron: string | null;
  /** When the pack has no schematron for the version the document declares: which one judged instead, said in the verdict. */
  schematronNote: string | null;
  xsdValid: boolean | null;
  errors: CdaError[];
  couldNotJudge: string | null;
  /**
   * The verdict of the ANS layers alone (parse, CDA schema, the pack's schematron): what the ANS
   * pipeline would say, the parity field. `valid` is the conjunction of this and `header`.
   */
  ans: AnsVerdict;
  /** Vigie's own CI-SIS header rules (stricter than ANS's on some points), as their own verdict. */
  header: HeaderVerdict;
  /** Not in the CLI's JSON: every failed assert (whatever its role), non-blocking findings, timings. */
  failedAsserts: CdaFailedAssert[];
  notices: CdaError[];
  ms: number;
}

export interface CdaValidation {
  rulePack: RulePackInfo;
  documents: CdaDocumentResult[];
}

export type CdaInput = string | { name: string; content: Buffer };

export interface ValidateCdaOptions {
  /**
   * The volet schematron to run, as the ANS tool's users choose it (`CSE-MDE_2023.01`, a file name
   * of schematrons/, or a path in the pack), instead of the one the templateIds select.
   */
  schematron?: string;
  /** The rule pack (a copy of ANS TestContenuCDA); default rules/TestContenuCDA-3-0 under the project root; null: none. */
  rulesDir?: string | null;
  /** A JVM to reuse (not closed here); otherwise one is started and closed. */
  jvm?: CdaJvm;
  /** Per document, default 30 s. */
  timeoutMs?: number;
  maxBytes?: number;
  maxDepth?: number;
  /**
   * The CI-SIS header layer (our own checks, CDA-02…04): a context per document (qualified INS,
   * XDS typeCode) or {} to check what needs no context. Off when absent.
   */
  header?: (file: string) => HeaderContext | undefined;
}

const NON_BLOCKING_ROLES = new Set(['warning', 'warn', 'info', 'information', 'informational', 'note']);

export const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function listXml(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...listXml(path));
    else if (e.isFile() && /\.xml$/i.test(e.name)) out.push(path);
  }
  return out;
}

interface Prepared {
  file: string;
  path: string | null;
  content: Buffer | null;
  result: CdaDocumentResult;
  xsl: string | null;
  compileError: string | null;
  started: number;
  /** Vigie's header rules were run on it. */
  headerRan?: boolean;
}

export async function validateCda(inputs: CdaInput | CdaInput[], options: ValidateCdaOptions = {}): Promise<CdaValidation> {
  // rulesDir null: no rule pack — the schema (shipped in fixtures/cda/xsd) and the header rules only.
  const pack = options.rulesDir === null ? schemaOnlyPack() : openRulePack(options.rulesDir ?? DEFAULT_RULES_DIR);
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const chosen = options.schematron && !pack.schemaOnly ? chooseSchematron(pack, options.schematron) : null;
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const docs: Prepared[] = [];
  const blank = (file: string): CdaDocumentResult => ({
    file,
    valid: null,
    schematron: null,
    schematronNote: null,
    xsdValid: null,
    errors: [],
    couldNotJudge: null,
    ans: 'could-not-judge',
    header: 'not-run',
    failedAsserts: [],
    notices: [],
    ms: 0,
  });

  for (const input of list) {
    if (typeof input === 'string') {
      let st;
      try {
        st = statSync(input);
      } catch {
        const result = blank(input);
        result.valid = false;
        result.errors.push({ layer: 'parse', location: null, line: null, text: 'file not found', rule: null });
        docs.push({ file: input, path: null, content: null, result, xsl: null, compileError: null, started: Date.now() });
        continue;
      }
      if (st.isDirectory())
        for (const f of listXml(input))
          docs.push({ file: f, path: resolve(f), content: null, result: blank(f), xsl: null, compileError: null, started: 0 });
      else docs.push({ file: input, path: resolve(input), content: null, result: blank(input), xsl: null, compileError: null, started: 0 });
    } else
      docs.push({
        file: input.name,
        path: null,
        content: input.content,
        result: blank(input.name),
        xsl: null,
        compileError: null,
        started: 0,
      });
  }

  // 1. safe first look and choice of the schematron (no JVM involved)
  const toJudge: Prepared[] = [];
  const compiled = new Map<string, { xsl: string | null; error: string | null }>();
  for (const d of docs) {
    if (d.result.errors.length) continue;
    d.started = Date.now();
    const result = d.result;
    let buf: Buffer;
    if (d.path) {
      const size = statSync(d.path).size;
      if (size > maxBytes) {
        refuse(result, `document larger than ${maxBytes} bytes (${size})`, null);
        result.ms = Date.now() - d.started;
        continue;
      }
      buf = readFileSync(d.path);
    } else buf = d.content!;
    const scan = scanDocument(buf, { maxBytes, maxDepth: options.maxDepth ?? MAX_DEPTH });
    if (!scan.ok) {
      refuse(result, scan.reason, scan.line);
      result.ms = Date.now() - d.started;
      continue;
    }
    const sel = pack.schemaOnly ? null : chosen ? { schematron: chosen, reason: 'chosen with --schematron' } : selectSchematron(pack, scan);
    result.schematron = sel?.schematron ?? null;
    if (sel && 'substitute' in sel && sel.substitute) result.schematronNote = sel.substitute;
    if (sel && !sel.schematron) result.couldNotJudge = sel.reason;
    else if (sel?.schematron) {
      let compilation = compiled.get(sel.schematron);
      if (!compilation) {
        try {
          compilation = { xsl: compiledXslt(pack, sel.schematron).xsl, error: null };
        } catch (e) {
          compilation = { xsl: null, error: `schematron ${sel.schematron} could not be compiled: ${(e as Error).message}` };
        }
        compiled.set(sel.schematron, compilation);
      }
      d.xsl = compilation.xsl;
      d.compileError = compilation.error;
    }
    if (!d.path) d.content = buf;
    toJudge.push(d);
  }

  // 2. XSD and schematron in the warm JVM
  if (toJudge.length) {
    const jvm = options.jvm ?? new CdaJvm({ timeoutMs: options.timeoutMs });
    const tmp = toJudge.some((d) => !d.path) ? mkdtempSync(join(tmpdir(), 'vigie-cda-')) : null;
    try {
      const stylesheets = [...new Set(toJudge.map((d) => d.xsl).filter((x): x is string => !!x))];
      stylesheets.sort((a, b) => statSync(b).size - statSync(a).size);
      await jvm.warm(stylesheets);
      const prepared = new Map<string, string | null>();
      let n = 0;
      // Documents whose stylesheet is small first: the big ones compile meanwhile on the JVM's background thread.
      const order = toJudge
        .map((d, i) => ({ d, i, size: d.xsl ? stylesheets.length - stylesheets.indexOf(d.xsl) : 0 }))
        .sort((a, b) => a.size - b.size || a.i - b.i)
        .map((x) => x.d);
      for (const d of order) {
        const result = d.result;
        let docPath = d.path;
        if (!docPath) {
          docPath = join(tmp!, `doc-${n++}.xml`);
          writeFileSync(docPath, d.content!, { mode: 0o600 });
        }
        let xsl = d.xsl;
        if (d.compileError) result.couldNotJudge = d.compileError;
        if (xsl) {
          if (!prepared.has(xsl)) {
            try {
              prepared.set(xsl, await jvm.prepare(xsl, pack.xsd));
            } catch (e) {
              if (e instanceof JvmUnavailableError) throw e;
              prepared.set(xsl, (e as Error).message);
            }
          }
          const err = prepared.get(xsl);
          if (err) {
            result.couldNotJudge = `schematron ${result.schematron} could not be compiled: ${err.slice(0, 1000)}`;
            xsl = null;
          }
        }
        let answer: JudgeAnswer | null = null;
        const started = Date.now();
        try {
          answer = await jvm.judge({ doc: docPath, xsl, xsd: pack.xsd }, options.timeoutMs ?? 30000);
        } catch (e) {
          if (e instanceof JvmUnavailableError) throw e;
          result.couldNotJudge =
            e instanceof JvmTimeoutError
              ? `could not judge: ${e.message} (limit per document)`
              : `could not judge: ${(e as Error).message}`;
        }
        if (answer) applyAnswer(result, answer);
        if (options.header && !result.errors.some((e) => e.layer === 'parse')) applyHeader(result, d, options.header);
        result.valid = result.errors.length > 0 ? false : result.couldNotJudge ? null : result.xsdValid === true;
        result.ms = Date.now() - started;
      }
    } finally {
      if (!options.jvm) jvm.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  }
  for (const d of docs) {
    const result = d.result;
    if (result.valid === null && !result.couldNotJudge) result.valid = result.errors.length === 0 && result.xsdValid === true;
    result.ans = ansVerdict(result);
    result.header = headerVerdict(result, d.headerRan === true);
  }
  return {
    rulePack: { path: pack.path, hash: pack.hash, commit: pack.commit, schemaOnly: pack.schemaOnly === true },
    documents: docs.map((d) => d.result),
  };
}

/** Our own CI-SIS header checks (src/oracles/cda-header.ts), as the 'header' layer. */
function applyHeader(result: CdaDocumentResult, doc: Prepared, header: (file: string) => HeaderContext | undefined): void {
  const ctx = header(doc.file);
  if (!ctx) return;
  try {
    const bytes = doc.content ?? (doc.path ? readFileSync(doc.path) : null);
    if (!bytes) return;
    doc.headerRan = true;
    for (const f of checkHeader(bytes, ctx))
      result.errors.push({ layer: 'header', location: f.location, line: f.line, text: f.text, rule: f.rule });
  } catch (e) {
    result.errors.push({ layer: 'parse', location: null, line: null, text: (e as Error).message, rule: null });
  }
}

function refuse(result: CdaDocumentResult, reason: string, line: number | null): void {
  result.valid = false;
  result.errors.push({ layer: 'parse', location: null, line, text: reason, rule: null });
}

function applyAnswer(result: CdaDocumentResult, answer: JudgeAnswer): void {
  if (answer.parseError) {
    result.errors.push({
      layer: 'parse',
      location: null,
      line: answer.parseError.line > 0 ? answer.parseError.line : null,
      text: `not well-formed XML: ${answer.parseError.message}`,
      rule: null,
    });
    result.xsdValid = null;
    return;
  }
  if (answer.error && answer.xsdValid === undefined) {
    result.couldNotJudge = `could not judge: ${answer.error}`;
    return;
  }
  result.xsdValid = answer.xsdValid;
  for (const e of answer.xsdErrors ?? [])
    result.errors.push({ layer: 'xsd', location: null, line: e.line > 0 ? e.line : null, text: e.message, rule: null });
  for (const f of answer.failures ?? []) {
    const rule = f.id ? `${f.p}/${f.id}` : f.p;
    const entry: CdaError = { layer: 'schematron', location: f.loc, line: f.line > 0 ? f.line : null, text: collapse(f.text), rule };
    const role = (f.role ?? '').toLowerCase();
    if (f.k === 'assert') {
      result.failedAsserts.push({ location: f.loc, text: entry.text, role: f.role, rule, line: entry.line });
      if (NON_BLOCKING_ROLES.has(role)) result.notices.push(entry);
      else result.errors.push(entry);
    } else if (role === 'error' || role === 'fatal') result.errors.push(entry);
    else result.notices.push(entry);
  }
  if (answer.error) result.couldNotJudge = `the schematron could not run to the end: ${explainPipelineError(answer.error)}`;
}

/**
 * What the CDA engine builds once, done before the scenarios rather than inside the first one's
 * step (a cold build/ under load took that step past its bound, in the defect matrix): the Java
 * oracle compiled, every schematron of the pack compiled to XSLT and cached. Never throws: what
 * cannot be prepared is met again, and reported, by the step that needs it.
 */
export function prepareCdaEngine(rulesDir: string | null): { ms: number; problems: string[] } {
  const t0 = performance.now();
  const problems: string[] = [];
  try {
    ensureJavaCompiled(findSaxonJar());
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (rulesDir) {
    try {
      const pack = openRulePack(rulesDir);
      for (const volet of pack.catalogue) {
        try {
          compiledXslt(pack, volet.schematron);
        } catch (e) {
          problems.push(`${volet.schematron}: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return { ms: Math.round(performance.now() - t0), problems };
}
