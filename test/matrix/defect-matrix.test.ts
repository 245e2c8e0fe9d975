/**
 * H-01: the harness is tested by its own defects. One reference LGC process serves every run
 * (defects are switched per tenant at reset), shared by a few worker processes that run the
 * jobs in parallel (the work is mostly waiting on sockets and bounded windows). The conformant
 * reference must pass everything; each seeded defect must fail — on an assertion, not an error —
 * exactly the requirements it breaks; every covered requirement, and every scenario, must be
 * failed by some defect. A scenario that needs something the defect broke before it can judge
 * its own requirement ("could not set up the scenario: …") is listed as errored and is no
 * verdict; any other error fails the matrix. Writes reports/defect-matrix.json.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/config/load';
import type { MatrixJob } from '../../src/harness/matrix-worker';
import { ReferenceLgc, startReferenceLgc } from '../../src/harness/reference-process';
import { catalogue, runJobs } from './workers';

const WORKERS = Number(process.env.VIGIE_MATRIX_WORKERS ?? 3);

let lgc: ReferenceLgc;
before(async () => { lgc = await startReferenceLgc(); });
after(async () => { await lgc?.stop(); });

test('defect matrix: conformant reference passes, every defect fails exactly its requirements', { timeout: 9 * 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-matrix-'));
  const jobs: MatrixJob[] = [{ id: '(conformant)', defects: [] }, ...catalogue.map((d) => (d.side === 'service'
    ? { id: d.id, defects: [], serviceDefects: [d.id], paths: d.features }
    : { id: d.id, defects: [d.id], paths: d.features }))];
  const byId = await runJobs(lgc.url, jobs, dir, WORKERS);

  const conformant = byId.get('(conformant)')!;
  const covered = [...new Set(conformant.results.flatMap((s) => s.requirements))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const matrix = {
    mode: 'http',
    conformant: {
      failedScenarios: conformant.results.filter((s) => s.status !== 'passed').map((s) => `${s.location} (${s.status}: ${s.message})`),
      requirements: covered,
    },
    defects: {} as Record<string, { mode: string; expectedRequirements: string[]; failedRequirements: string[]; failedScenarios: string[]; erroredScenarios: string[] }>,
    requirementsNotFailedByAnyDefect: [] as string[],
    defectsNotCaught: [] as string[],
    /** A scenario no defect can fail probably asserts nothing. */
    scenariosNotFailedByAnyDefect: [] as string[],
  };
  for (const d of catalogue) {
    const r = byId.get(d.id)!;
    const failed = r.results.filter((s) => s.status === 'failed');
    matrix.defects[d.id] = {
      mode: d.mode,
      expectedRequirements: [...d.requirements].sort(),
      failedRequirements: [...new Set(failed.flatMap((s) => s.requirements))].sort(),
      failedScenarios: failed.map((s) => s.location),
      erroredScenarios: r.results.filter((s) => s.status === 'errored').map((s) => `${s.location}: ${s.message}`),
    };
  }
  const failedByAny = new Set(Object.values(matrix.defects).flatMap((d) => d.failedRequirements));
  matrix.requirementsNotFailedByAnyDefect = covered.filter((r) => !failedByAny.has(r));
  const failedScenarios = new Set(Object.values(matrix.defects).flatMap((d) => d.failedScenarios));
  matrix.scenariosNotFailedByAnyDefect = conformant.results.map((s) => s.location).filter((l) => !failedScenarios.has(l));
  matrix.defectsNotCaught = Object.entries(matrix.defects).filter(([, d]) => d.failedScenarios.length === 0).map(([id]) => id);

  mkdirSync(join(PROJECT_ROOT, 'reports'), { recursive: true });
  writeFileSync(join(PROJECT_ROOT, 'reports', 'defect-matrix.json'), JSON.stringify(matrix, null, 2) + '\n');

  assert.ok(conformant.results.length > 0, `the conformant run ran scenarios (${conformant.reason ?? ''})`);
  assert.deepEqual(matrix.conformant.failedScenarios, [], 'the conformant reference LGC must pass every scenario');
  for (const [id, d] of Object.entries(matrix.defects)) {
    const unexpected = d.erroredScenarios.filter((e) => !/could not set up the scenario/.test(e));
    assert.deepEqual(unexpected, [], `defect ${id}: scenarios errored instead of giving a verdict`);
    assert.deepEqual(d.failedRequirements, d.expectedRequirements, `defect ${id}: failed requirements differ from the expected ones (failed scenarios: ${d.failedScenarios.join(', ')})`);
  }
  assert.deepEqual(matrix.defectsNotCaught, [], 'every defect is caught');
  assert.deepEqual(matrix.requirementsNotFailedByAnyDefect, [], 'every covered requirement is failed by some defect');
  assert.deepEqual(matrix.scenariosNotFailedByAnyDefect, [], 'every scenario is failed by some defect');
});
