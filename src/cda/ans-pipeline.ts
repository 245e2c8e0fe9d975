/**
 * The ANS-style pipeline, as a baseline to measure Vigie against (npm run bench, the parity tests),
 * never to judge: java/AnsPipeline.java in a JVM of its own per document, the CDA schema, then the
 * volet schematron compiled through the ISO skeleton the pack ships (schematrons/moteur) and run.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { javaBin } from './jvm';
import { PROJECT_ROOT } from './rulepack';

const SOURCE = join(PROJECT_ROOT, 'java', 'AnsPipeline.java');

/**
 * The ISO skeleton the ANS tool runs: the pack's own `schematrons/moteur/`, else the copy shipped in
 * fixtures/cda/iso-schematron (same files; origin and licence in fixtures/cda/SOURCES.md).
 */
export function skeletonDir(rulesDir: string): string {
  const own = join(rulesDir, 'schematrons', 'moteur');
  return existsSync(join(own, 'iso_svrl_for_xslt2.xsl')) ? own : join(PROJECT_ROOT, 'fixtures', 'cda', 'iso-schematron');
}

/** Compiles java/AnsPipeline.java once per source; returns its class folder. */
function classes(saxonJar: string): string {
  const dir = join(PROJECT_ROOT, 'build', 'java-ans', createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'AnsPipeline.class'))) return dir;
  mkdirSync(dir, { recursive: true });
  const javac = spawnSync(javaBin('javac'), ['-nowarn', '-encoding', 'UTF-8', '-cp', saxonJar, '-d', dir, SOURCE], { encoding: 'utf8' });
  if (javac.status !== 0) throw new Error(`javac AnsPipeline.java: ${javac.error?.message ?? javac.stderr.slice(0, 500)}`);
  return dir;
}

/** The ANS pipeline's answer for one document and schematron; null when it could not run to the end (its stderr, kept). */
export function ansPipeline(args: { moteur: string; schematron: string; xsd: string; document: string; saxon: string }): {
  xsdValid: boolean;
  failedAsserts: number;
} | null {
  const run = spawnSync(
    javaBin('java'),
    ['-cp', `${classes(args.saxon)}:${args.saxon}`, 'AnsPipeline', args.moteur, args.schematron, args.xsd, args.document],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const answer = /\{"xsdValid":(true|false),"failedAsserts":(\d+)\}/.exec(run.stdout ?? '');
  return answer ? { xsdValid: answer[1] === 'true', failedAsserts: Number(answer[2]) } : null;
}

/**
 * The ISO skeleton in one warm JVM (each schematron through the skeleton and compiled once): Vigie's
 * architecture with the skeleton in place of its own compiler, for the weighing in README.md.
 */
export function ansSkeletonWarm(args: { moteur: string; xsd: string; saxon: string; pairs: { schematron: string; document: string }[] }): {
  ms: number;
  answers: ({ xsdValid: boolean; failedAsserts: number } | null)[];
  skeletonMs: number;
  compileMs: number;
  runMs: number;
} {
  const t0 = performance.now();
  const run = spawnSync(
    javaBin('java'),
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-cp',
      `${classes(args.saxon)}:${args.saxon}`,
      'AnsPipeline',
      '--warm',
      args.moteur,
      args.xsd,
    ],
    { encoding: 'utf8', timeout: 600_000, input: args.pairs.map((p) => `${p.schematron}\t${p.document}\n`).join('') },
  );
  const ms = performance.now() - t0;
  const lines = (run.stdout ?? '').trim().split('\n');
  const totals = /\{"skeletonMs":(\d+),"compileMs":(\d+),"runMs":(\d+)\}/.exec(lines.pop() ?? '');
  if (!totals) throw new Error(`AnsPipeline --warm: ${run.error?.message ?? (run.stderr ?? '').slice(0, 500)}`);
  const answers = lines.map((l) => {
    const answer = /\{"xsdValid":(true|false),"failedAsserts":(\d+)\}/.exec(l);
    return answer ? { xsdValid: answer[1] === 'true', failedAsserts: Number(answer[2]) } : null;
  });
  return { ms, answers, skeletonMs: Number(totals[1]), compileMs: Number(totals[2]), runMs: Number(totals[3]) };
}
