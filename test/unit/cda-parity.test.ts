/**
 * Verdict parity with the ANS TestContenuCDA pipeline: the 23 shared examples and their 46 mutants,
 * judged in one warm JVM, must agree record by record with /work/shared/reference/peer-verdicts.json
 * (xsdValid equal; same multiset of (location, text) of failed asserts; the peer's pipelineError ↔
 * our couldNotJudge). Skipped, with the reason, when the reference copy, python3 or Java is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CdaJvm, validateCda } from '../../src/cda';
import { findSaxonJar } from '../../src/cda/jvm';
import { tempDir } from '../support/tmp';

const REF = process.env.VIGIE_CDA_REFERENCE ?? '/work/shared/reference';
const PACK = join(REF, 'TestContenuCDA-3-0');
const VERDICTS = join(REF, 'peer-verdicts.json');
const MUTANTS_TOOL = process.env.VIGIE_CDA_MUTANTS ?? join(REF, '..', 'tools', 'cda-mutants.py');

interface PeerRecord {
  file: string;
  schematron: string;
  xsdValid: boolean;
  pipelineError: string | null;
  failedAsserts: { location: string; text: string; role: string | null }[] | null;
}

function skipReason(): string | null {
  if (!existsSync(PACK) || !existsSync(VERDICTS)) return `reference copy absent (${PACK}, ${VERDICTS}): CDA parity not measured`;
  if (!existsSync(MUTANTS_TOOL)) return `mutant generator absent (${MUTANTS_TOOL})`;
  if (spawnSync('python3', ['--version']).error) return 'python3 absent: cannot generate the mutants';
  if (spawnSync('java', ['-version']).error) return 'java absent: the CDA oracle needs a JVM';
  try {
    findSaxonJar();
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

const key = (l: string, t: string): string => `${l}\u0000${t}`;
function multiset(items: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return counts;
}
function diff(these: Map<string, number>, those: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of these) for (let i = those.get(k) ?? 0; i < n; i++) out.push(k.replace('\u0000', ' :: '));
  return out;
}

const reason = skipReason();
test('CDA verdict parity with the ANS pipeline (23 examples + 46 mutants)', { skip: reason ?? false, timeout: 300_000 }, async () => {
  const peer = JSON.parse(readFileSync(VERDICTS, 'utf8')) as PeerRecord[];
  const mutDir = tempDir('vigie-cda-mutants-');
  const jvm = new CdaJvm();
  try {
    const gen = spawnSync('python3', [MUTANTS_TOOL, join(PACK, 'ExemplesCDA'), mutDir], { encoding: 'utf8' });
    assert.equal(gen.status, 0, `mutant generator failed: ${gen.stderr}`);
    const files = peer.map((r) => (r.file.includes('__mut') ? join(mutDir, r.file) : join(PACK, 'ExemplesCDA', r.file)));
    const t0 = Date.now();
    const res = await validateCda(files, { rulesDir: PACK, jvm });
    const ms = Date.now() - t0;
    assert.equal(res.documents.length, peer.length);
    const disagreements: string[] = [];
    peer.forEach((p, i) => {
      const verdict = res.documents[i];
      const why: string[] = [];
      if (verdict.schematron !== p.schematron) why.push(`schematron ${verdict.schematron} ≠ peer ${p.schematron}`);
      if (verdict.xsdValid !== p.xsdValid)
        why.push(
          `xsdValid ${verdict.xsdValid} ≠ peer ${p.xsdValid} ${verdict.errors
            .filter((e) => e.layer === 'xsd')
            .map((e) => e.text)
            .slice(0, 2)
            .join(' | ')}`,
        );
      if (p.pipelineError) {
        if (!verdict.couldNotJudge) why.push(`peer could not run (${p.pipelineError.slice(0, 120)}…), we judged it`);
      } else {
        if (verdict.couldNotJudge) why.push(`we could not judge: ${verdict.couldNotJudge}`);
        const ours = multiset(verdict.failedAsserts.map((f) => key(f.location, f.text)));
        const theirs = multiset((p.failedAsserts ?? []).map((f) => key(f.location, f.text)));
        const extra = diff(ours, theirs);
        const missing = diff(theirs, ours);
        if (extra.length) why.push(`extra failed asserts: ${extra.slice(0, 5).join(' || ')}`);
        if (missing.length) why.push(`missing failed asserts: ${missing.slice(0, 5).join(' || ')}`);
      }
      if (why.length) disagreements.push(`${p.file}: ${why.join('; ')}`);
    });
    const agreeing = peer.length - disagreements.length;
    const slowest = [...res.documents].sort((a, b) => b.ms - a.ms)[0];
    console.log(
      `CDA parity: ${agreeing}/${peer.length} verdicts agree with the ANS pipeline; ${peer.length} documents in ${(ms / 1000).toFixed(1)} s (JVM start and compilation included; slowest ${slowest.file.split('/').pop()} ${slowest.ms} ms)`,
    );
    assert.deepEqual(disagreements, [], `${disagreements.length} disagreement(s):\n${disagreements.join('\n')}`);
  } finally {
    jvm.close();
    rmSync(mutDir, { recursive: true, force: true });
  }
});
