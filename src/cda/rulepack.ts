// The ANS rule pack: where it is, its hash, its volet catalogue, the compiled schematrons. Over 300
// lines because the catalogue and the compile cache share the pack's listing and hash.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { compileSchematron, COMPILER_VERSION } from './schematron/compile';
import { elements, isSch, XEl } from './schematron/dom';
import { loadSchema } from './schematron/load';
import type { ScanResult, TemplateId } from './scan';
import PLACES from '../../config/places.json'; // the preflight's list too

/** Where the project keeps its caches (gitignored `build/`). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_RULES_DIR = join(PROJECT_ROOT, 'rules', 'TestContenuCDA-3-0');
export const CACHE_DIR = process.env.VIGIE_CDA_CACHE ?? join(PROJECT_ROOT, 'build', 'cda-cache');

export class RulePackError extends Error {}

export const XSD_REL = 'infrastructure/cda/CDA_extended.xsd';
export const STRUCMIN_REL = 'schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch';

export interface RulePackInfo {
  path: string;
  hash: string;
  commit: string | null;
  /** No ANS pack: the shipped CDA schema only (the ANS schematrons are not run). */
  schemaOnly?: boolean;
}

export interface RulePack extends RulePackInfo {
  xsd: string;
  catalogue: VoletEntry[];
  /** No ANS rule pack: the CDA schema shipped in fixtures/cda/xsd only (no schematron, CDA-07 not judged). */
  schemaOnly?: boolean;
}

export const SHIPPED_XSD_DIR = join(PROJECT_ROOT, 'fixtures', 'cda', 'xsd');

let shipped: RulePack | undefined;
export function schemaOnlyPack(): RulePack {
  if (!shipped) {
    const xsd = join(SHIPPED_XSD_DIR, 'CDA_extended.xsd');
    if (!existsSync(xsd)) throw new RulePackError(`the shipped CDA schema is missing: ${xsd}`);
    shipped = { path: SHIPPED_XSD_DIR, hash: packHash(SHIPPED_XSD_DIR), commit: null, xsd, catalogue: [], schemaOnly: true };
  }
  return shipped;
}

/**
 * Where the ANS rule pack is looked for when none is named: the project's rules/, then the shared
 * copy beside the project (as CI has it). One list with the preflight's (config/places.json).
 */
export const RULE_PACK_PLACES = PLACES.rulePacks.map((d) => resolve(PROJECT_ROOT, d));

const isRulePack = (d: string) => PLACES.rulePackMarkers.every((m) => existsSync(join(d, m)));

/** The rule pack named, or else the first of RULE_PACK_PLACES that holds one; null: none. */
export function findRulePack(dir?: string): string | null {
  if (dir !== undefined) return isRulePack(resolve(dir)) ? resolve(dir) : null;
  // VIGIE_RULES names the pack for every command, or `none`: run as a machine without one would.
  const env = process.env.VIGIE_RULES;
  if (env === 'none') return null;
  if (env) return isRulePack(resolve(env)) ? resolve(env) : null;
  return RULE_PACK_PLACES.find(isRulePack) ?? null;
}

/** A volet schematron and the document templateIds it recognises. */
export interface VoletEntry {
  /** Path relative to the pack, e.g. schematrons/CI-SIS_VAC_2023.01.sch */
  schematron: string;
  /** Version in the file name (2023.01), or null. */
  version: string | null;
  /** templateIds the schematron expects on ClinicalDocument (extension null = any). */
  signature: TemplateId[];
  /**
   * When the schematron itself names no document templateId (its header include is missing from the
   * pack, or asserts none): the version of the same volet whose signature it takes, by the pack's naming.
   */
  signatureFrom?: string;
}

function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const p of parts) {
    hash.update(p);
    hash.update('\0');
  }
  return hash.digest('hex');
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) listFiles(path, out);
    else if (e.isFile()) out.push(path);
  }
  return out;
}

function writeAtomic(file: string, content: string): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** sha256 over the pack's files (relative path and content of each, sorted), cached by a cheap listing (path, size, mtime). */
export function packHash(dir: string): string {
  const files = listFiles(dir).sort();
  const listing = files.map((f) => {
    const stat = statSync(f);
    return `${relative(dir, f).split(sep).join('/')}\t${stat.size}\t${stat.mtimeMs}`;
  });
  const key = sha256('listing', dir, ...listing);
  const cacheFile = join(CACHE_DIR, `pack-${key}.json`);
  if (existsSync(cacheFile)) {
    try {
      return (JSON.parse(readFileSync(cacheFile, 'utf8')) as { hash: string }).hash;
    } catch {
      /* recompute */
    }
  }
  const hasher = createHash('sha256');
  for (const f of files) {
    hasher.update(relative(dir, f).split(sep).join('/'));
    hasher.update('\0');
    hasher.update(createHash('sha256').update(readFileSync(f)).digest('hex'));
    hasher.update('\n');
  }
  const hash = hasher.digest('hex');
  writeAtomic(cacheFile, JSON.stringify({ hash }));
  return hash;
}

/** The pack's commit: from a .git directory (HEAD, loose or packed ref) or a COMMIT file, else null. */
export function packCommit(dir: string): string | null {
  const git = join(dir, '.git');
  try {
    if (existsSync(join(git, 'HEAD'))) {
      const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
      const match = /^ref:\s*(.+)$/.exec(head);
      if (!match) return /^[0-9a-f]{40}$/.test(head) ? head : null;
      const ref = match[1].trim();
      if (existsSync(join(git, ref))) return readFileSync(join(git, ref), 'utf8').trim();
      if (existsSync(join(git, 'packed-refs'))) {
        for (const line of readFileSync(join(git, 'packed-refs'), 'utf8').split('\n')) {
          const [sha, name] = line.trim().split(/\s+/);
          if (name === ref && /^[0-9a-f]{40}$/.test(sha)) return sha;
        }
      }
      return null;
    }
    if (existsSync(join(dir, 'COMMIT'))) {
      const commit = readFileSync(join(dir, 'COMMIT'), 'utf8').trim().split(/\s+/)[0];
      return commit || null;
    }
  } catch {
    return null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Which schematron judges which document: derived from the schematrons themselves.
// ---------------------------------------------------------------------------------------------

const TEMPLATE_ID_PREDICATE =
  /(?:^|[\s(,=!]|\.\/)(?:[\w-]+:)?templateId\s*\[\s*@root\s*=\s*(['"])([0-9.]+)\1(?:\s+and\s+@extension\s*=\s*(['"])([^'"]+)\3)?\s*\]/g;
const ANS_DOCUMENT_OID = /\b1\.2\.250\.1\.213\.1\.1\.1(?:\.\d+)+\b/g;
const CLINICAL_DOCUMENT_CONTEXT = /(?:^|\/)\s*(?:[\w-]+:)?ClinicalDocument\s*(?:\[[^\]]*\]\s*)*$/;

/**
 * The document templateIds a volet schematron expects, read from the schematron (includes and
 * abstract patterns expanded):
 *  (a) `templateId[@root='…' (and @extension='…')]` tested directly on ClinicalDocument by an assert
 *      of a rule whose context is ClinicalDocument (asserts with a negation are ignored);
 *  (b) ANS document-model OIDs (1.2.250.1.213.1.1.1.x, except …1.1.1.1, the generic CI-SIS one)
 *      that appear in a rule context or in such an assert.
 */
export function voletSignature(schFile: string): TemplateId[] {
  const { schema } = loadSchema(schFile);
  const sig = new Map<string, TemplateId>();
  const add = (root: string, extension: string | null): void => {
    const prev = sig.get(root);
    if (!prev || (prev.extension === null && extension !== null)) sig.set(root, { root, extension });
  };
  const walk = (el: XEl): void => {
    for (const c of elements(el)) {
      if (isSch(c, 'rule') && c.attrs.context !== undefined) {
        const ctx = c.attrs.context;
        for (const m of ctx.matchAll(ANS_DOCUMENT_OID)) if (m[0] !== '1.2.250.1.213.1.1.1.1') add(m[0], null);
        if (CLINICAL_DOCUMENT_CONTEXT.test(ctx)) {
          for (const a of elements(c)) {
            if (!isSch(a, 'assert') || !a.attrs.test) continue;
            const test = a.attrs.test;
            if (/\bnot\s*\(/.test(test)) continue;
            for (const m of test.matchAll(TEMPLATE_ID_PREDICATE)) add(m[2], m[4] ?? null);
            for (const m of test.matchAll(ANS_DOCUMENT_OID)) if (m[0] !== '1.2.250.1.213.1.1.1.1') add(m[0], null);
          }
        }
      }
      walk(c);
    }
  };
  walk(schema);
  return [...sig.values()].sort((a, b) => a.root.localeCompare(b.root));
}

function versionOf(schRel: string): string | null {
  const match = /_(\d{4}\.\d{2})\.sch$/.exec(schRel);
  return match ? match[1] : null;
}

export function buildCatalogue(dir: string): VoletEntry[] {
  const schDir = join(dir, 'schematrons');
  const out: VoletEntry[] = [];
  for (const f of readdirSync(schDir).sort()) {
    if (!/^CI-SIS_.*\.sch$/.test(f)) continue;
    const rel = `schematrons/${f}`;
    let signature: TemplateId[] = [];
    try {
      signature = voletSignature(join(schDir, f));
    } catch {
      signature = [];
    }
    out.push({ schematron: rel, version: versionOf(rel), signature });
  }
  return inheritSignatures(out);
}

/** `--schematron CSE-MDE_2023.01` (or `CI-SIS_CSE-MDE_2023.01.sch`, or its path in the pack) → the pack's schematron; a clear error otherwise. */
export function chooseSchematron(pack: RulePack, name: string): string {
  const wanted = name.replace(/\\/g, '/');
  const found = pack.catalogue.find(
    (v) => v.schematron === wanted || basename(v.schematron) === wanted || basename(v.schematron) === `CI-SIS_${wanted}.sch`,
  );
  if (!found)
    throw new RulePackError(
      `--schematron ${name}: no such volet schematron in ${pack.path} (e.g. ${pack.catalogue
        .slice(0, 3)
        .map((v) => basename(v.schematron).replace(/^CI-SIS_|\.sch$/g, ''))
        .join(', ')}…)`,
    );
  return found.schematron;
}

/** `schematrons/CI-SIS_BIO-CR-BIO_2023.01.sch` → `BIO-CR-BIO`: the volet, whatever its version. */
const voletName = (schRel: string): string =>
  basename(schRel)
    .replace(/^CI-SIS_/, '')
    .replace(/_\d{4}\.\d{2}\.sch$|\.sch$/, '');

/**
 * A schematron that names no document templateId (e.g. CI-SIS_BIO-CR-BIO_2023.01.sch, whose header
 * include the pack lacks) is reached as the other versions of its volet are: it takes the signature
 * of the nearest version that has one (the pack's naming says it is the same volet), and the version
 * choice of selectSchematron then picks it for a document that declares its version.
 */
export function inheritSignatures(entries: VoletEntry[]): VoletEntry[] {
  return entries.map((entry) => {
    if (entry.signature.length) return entry;
    const siblings = entries.filter(
      (other) => other !== entry && other.signature.length && voletName(other.schematron) === voletName(entry.schematron),
    );
    if (!siblings.length) return entry;
    const distance = (other: VoletEntry) => Math.abs(versionKey(other.version) - versionKey(entry.version));
    const nearest = [...siblings].sort((a, b) => distance(a) - distance(b) || versionKey(b.version) - versionKey(a.version))[0]!;
    return { ...entry, signature: nearest.signature.map((t) => ({ ...t })), signatureFrom: nearest.schematron };
  });
}

export function openRulePack(dir: string): RulePack {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new RulePackError(`rule pack not found: ${path} (expected a copy of ANS TestContenuCDA, e.g. rules/TestContenuCDA-3-0)`);
  const xsd = join(path, XSD_REL);
  if (!existsSync(xsd)) throw new RulePackError(`rule pack ${path} has no ${XSD_REL}`);
  if (!existsSync(join(path, 'schematrons'))) throw new RulePackError(`rule pack ${path} has no schematrons/ directory`);
  const hash = packHash(path);
  const catFile = join(CACHE_DIR, `catalogue-${sha256(COMPILER_VERSION, 'catalogue-3', hash, path)}.json`);
  let catalogue: VoletEntry[];
  if (existsSync(catFile)) catalogue = JSON.parse(readFileSync(catFile, 'utf8')) as VoletEntry[];
  else {
    catalogue = buildCatalogue(path);
    writeAtomic(catFile, JSON.stringify(catalogue, null, 1));
  }
  return { path, hash, commit: packCommit(path), xsd, catalogue };
}

export type Selection =
  | {
      schematron: string;
      reason: string;
      /** The document declares a version of its volet the pack has no schematron for: which one judged instead. */
      substitute?: string;
    }
  | { schematron: null; reason: string };

function versionKey(version: string | null): number {
  if (!version) return 0;
  const digits = version.replace(/\D/g, '');
  if (digits.length < 4) return 0;
  return Number(digits.slice(0, 4)) * 100 + Number(digits.slice(4, 6) || '0');
}

/**
 * Chooses the schematron for a scanned document:
 *  - a non-structured body (nonXMLBody) → the minimal-structuration header schematron (StrucMin);
 *  - otherwise the volet schematrons whose whole signature is on the document (roots, and the
 *    extension when the signature fixes one), keeping the most specific (a signature that is a strict
 *    subset of another candidate's loses);
 *  - between versions of a volet with the same signature: the one whose version equals the extension
 *    the document gives (on a signature templateId, else on an ANS document templateId); else the
 *    latest version not after that extension (or the oldest if all are after it); with no extension,
 *    the latest version.
 */
export function selectSchematron(pack: RulePack, doc: ScanResult): Selection {
  const tids = doc.templateIds.map((t) => `${t.root}${t.extension ? ' ext ' + t.extension : ''}`).join(', ') || 'none';
  // A self-presenting document (an xsl:stylesheet holding the ClinicalDocument) is judged as ANS does: the whole file.
  if (!doc.clinicalDocument) {
    return { schematron: null, reason: `not a CDA document (root element {${doc.rootNs}}${doc.rootLocal})` };
  }
  if (doc.body === 'nonXMLBody') {
    if (!existsSync(join(pack.path, STRUCMIN_REL)))
      return { schematron: null, reason: `non-structured (N1) document but the rule pack has no ${STRUCMIN_REL}` };
    return { schematron: STRUCMIN_REL, reason: 'non-structured body (nonXMLBody): minimal structuration schematron' };
  }
  const has = (s: TemplateId): boolean =>
    doc.templateIds.some((t) => t.root === s.root && (s.extension === null || t.extension === s.extension));
  let candidates = pack.catalogue.filter((v) => v.signature.length > 0 && v.signature.every(has));
  const key = (v: VoletEntry): string => v.signature.map((s) => `${s.root}|${s.extension ?? ''}`).join(',');
  candidates = candidates.filter(
    (v) =>
      !candidates.some(
        (w) =>
          w !== v &&
          w.signature.length > v.signature.length &&
          v.signature.every((s) => w.signature.some((x) => x.root === s.root && x.extension === s.extension)),
      ),
  );
  if (candidates.length === 0) {
    // Schematrons that name no document templateId can only be chosen by hand, as the ANS tool's users do.
    const unnamed = pack.catalogue.filter((v) => !v.signature.length).map((v) => basename(v.schematron).replace(/^CI-SIS_|\.sch$/g, ''));
    return {
      schematron: null,
      reason: `no schematron in the rule pack for templateIds ${tids}${
        unnamed.length ? ` (the pack's ${unnamed.join(', ')} name no templateId: choose one with --schematron)` : ''
      }`,
    };
  }
  const groups = new Set(candidates.map(key));
  if (groups.size > 1) {
    return { schematron: null, reason: `ambiguous: templateIds ${tids} match ${candidates.map((c) => basename(c.schematron)).join(', ')}` };
  }
  const sigRoots = new Set(candidates[0].signature.map((s) => s.root));
  let exts = doc.templateIds.filter((t) => sigRoots.has(t.root) && t.extension).map((t) => t.extension!);
  if (exts.length === 0)
    exts = doc.templateIds.filter((t) => /^1\.2\.250\.1\.213\.1\.1\.1\.(?!1$)/.test(t.root) && t.extension).map((t) => t.extension!);
  if (candidates.length === 1) {
    const only = candidates[0];
    // A CI-SIS version (YYYY.MM) declared and not the pack's: judged with the pack's, and said so.
    const other = [...new Set(exts.filter((e) => /^\d{4}\.\d{2}$/.test(e) && e !== only.version))];
    return {
      schematron: only.schematron,
      reason: `templateIds ${only.signature.map((s) => s.root).join(', ')}`,
      ...(other.length && only.version
        ? {
            substitute: `the document declares version ${other.join('/')} of its volet; the rule pack has only ${only.version}: judged with ${basename(only.schematron)}`,
          }
        : {}),
    };
  }
  const byVersion = [...candidates].sort((a, b) => versionKey(a.version) - versionKey(b.version));
  const exact = byVersion.find((c) => c.version && exts.includes(c.version));
  if (exact) return { schematron: exact.schematron, reason: `version ${exact.version} given by the templateId extension` };
  if (exts.length === 0) {
    const last = byVersion[byVersion.length - 1];
    return { schematron: last.schematron, reason: 'no version given by the document: latest version' };
  }
  const ext = Math.max(...exts.map(versionKey));
  const notAfter = byVersion.filter((c) => versionKey(c.version) <= ext);
  const chosen = notAfter.length ? notAfter[notAfter.length - 1] : byVersion[0];
  const declared = [...new Set(exts)].join('/');
  // Only a CI-SIS version (YYYY.MM) is a version of the volet: VSM's "201310" names its model, not a pack version.
  const ciSisVersion = exts.some((e) => /^\d{4}\.\d{2}$/.test(e));
  return {
    schematron: chosen.schematron,
    reason: `document version ${declared}: ${chosen.version ?? 'unversioned'} schematron`,
    ...(ciSisVersion
      ? {
          substitute: `the document declares version ${declared} of its volet; the rule pack has no schematron for it (it has ${byVersion
            .map((c) => c.version ?? 'unversioned')
            .join(', ')}): judged with ${basename(chosen.schematron)}`,
        }
      : {}),
  };
}

/** The compiled XSLT for a schematron of the pack, from the disk cache or compiled now. */
export function compiledXslt(pack: RulePack, schRel: string): { xsl: string; warnings: string[]; cached: boolean } {
  const key = sha256(COMPILER_VERSION, pack.hash, pack.path, schRel);
  const xsl = join(CACHE_DIR, `${key}.xsl`);
  const meta = join(CACHE_DIR, `${key}.json`);
  if (existsSync(xsl) && existsSync(meta)) {
    return { xsl, warnings: (JSON.parse(readFileSync(meta, 'utf8')) as { warnings: string[] }).warnings, cached: true };
  }
  const compiled = compileSchematron(join(pack.path, schRel));
  writeAtomic(xsl, compiled.xslt);
  writeAtomic(meta, JSON.stringify({ schematron: schRel, warnings: compiled.warnings, stats: compiled.stats }, null, 1));
  return { xsl, warnings: compiled.warnings, cached: false };
}
