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
