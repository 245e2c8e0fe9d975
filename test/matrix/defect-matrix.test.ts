/**
 * H-01: the harness is tested by its own defects. One reference LGC process serves every run
 * (defects are switched per tenant at reset). The conformant reference must pass everything;
 * each seeded defect must fail — on an assertion, not an error — exactly the requirements it
 * breaks; every requirement the suite covers must be failed by some defect.
 * Writes reports/defect-matrix.json.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import { PROJECT_ROOT, loadTarget } from '../../src/config/load';
import { loadSteps, runSuite } from '../../src/harness/run';
import { ReferenceLgc, startReferenceLgc } from '../../src/harness/reference-process';

interface Defect { id: string; requirements: string[]; features: string[]; mode: 'http' | 'ui'; description: string }
const catalogue: Defect[] = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src', 'reference-lgc', 'defects.json'), 'utf8')).defects;

let lgc: ReferenceLgc;
let support: ISupportCodeLibrary;
const loaded = loadTarget('reference');

before(async () => {
  lgc = await startReferenceLgc();
  support = await loadSteps();
});
after(async () => { await lgc?.stop(); });

test('defect matrix: conformant reference passes, every defect fails exactly its requirements', { timeout: 8 * 60_000 }, async () => {
  const conformant = await runSuite({ loaded, baseUrl: lgc.url, reportsDir: false, support, quiet: true, log: () => undefined });
  const covered = Object.keys(conformant.summary.requirements);
  const matrix = {
    conformant: {
      failedScenarios: conformant.results.filter((s) => s.status !== 'passed').map((s) => `${s.location} (${s.status})`),
      requirements: covered,
    },
    defects: {} as Record<string, { mode: string; expectedRequirements: string[]; failedRequirements: string[]; failedScenarios: string[]; erroredScenarios: string[] }>,
    requirementsNotFailedByAnyDefect: [] as string[],
    defectsNotCaught: [] as string[],
    /** A scenario no defect can fail probably asserts nothing. */
    scenariosNotFailedByAnyDefect: [] as string[],
  };

  for (const d of catalogue) {
    const r = await runSuite({ loaded, baseUrl: lgc.url, defects: [d.id], paths: d.features, reportsDir: false, support, quiet: true, log: () => undefined });
    const failed = r.results.filter((s) => s.status === 'failed');
    matrix.defects[d.id] = {
      mode: d.mode,
      expectedRequirements: [...d.requirements].sort(),
      failedRequirements: [...new Set(failed.flatMap((s) => s.requirements))].sort(),
      failedScenarios: failed.map((s) => s.location),
      erroredScenarios: r.results.filter((s) => s.status === 'errored').map((s) => `${s.location}: ${(s.message ?? '').split('\n')[0]}`),
    };
  }
  const failedByAny = new Set(Object.values(matrix.defects).flatMap((d) => d.failedRequirements));
  matrix.requirementsNotFailedByAnyDefect = covered.filter((r) => !failedByAny.has(r));
  const failedScenarios = new Set(Object.values(matrix.defects).flatMap((d) => d.failedScenarios));
  matrix.scenariosNotFailedByAnyDefect = conformant.results.map((s) => s.location).filter((l) => !failedScenarios.has(l));
  matrix.defectsNotCaught = Object.entries(matrix.defects).filter(([, d]) => d.failedScenarios.length === 0).map(([id]) => id);

  mkdirSync(join(PROJECT_ROOT, 'reports'), { recursive: true });
  writeFileSync(join(PROJECT_ROOT, 'reports', 'defect-matrix.json'), JSON.stringify(matrix, null, 2) + '\n');

  assert.deepEqual(matrix.conformant.failedScenarios, [], 'the conformant reference LGC must pass every scenario');
  assert.ok(covered.length >= 16, `the suite covers ${covered.length} requirements`);
  for (const [id, d] of Object.entries(matrix.defects)) {
    assert.deepEqual(d.erroredScenarios, [], `defect ${id}: scenarios errored instead of giving a verdict`);
    assert.deepEqual(d.failedRequirements, d.expectedRequirements, `defect ${id}: failed requirements differ from the expected ones (failed scenarios: ${d.failedScenarios.join(', ')})`);
  }
  assert.deepEqual(matrix.defectsNotCaught, [], 'every defect is caught');
  assert.deepEqual(matrix.requirementsNotFailedByAnyDefect, [], 'every covered requirement is failed by some defect');
  assert.deepEqual(matrix.scenariosNotFailedByAnyDefect, [], 'every scenario is failed by some defect');
});
