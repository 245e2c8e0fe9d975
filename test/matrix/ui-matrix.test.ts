/**
 * The defect matrix in UI mode: the features driven through the reference LGC's web UI in
 * Debian's headless Chromium (one browser per worker, a fresh context per scenario).
 * - The conformant reference passes every scenario of the features a user meets on screen.
 * - Each defect marked `"mode": "ui"` in defects.json (a click too many, a box left unchecked, a
 *   difference not highlighted, a screen that hangs on a national service…) is failed through
 *   the UI, on an assertion, on exactly its requirements — judged on the feature files of those
 *   requirements (the http matrix runs every defect on its whole feature folders).
 * Writes reports/defect-matrix-ui.json ("mode": "ui").
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/config/load';
import { CHROMIUM_PATH } from '../../src/drivers/ui/browser';
import type { MatrixJob } from '../../src/harness/matrix-worker';
import { ReferenceLgc, startReferenceLgc } from '../../src/harness/reference-process';
import { catalogue, runJobs } from './workers';

const WORKERS = Number(process.env.VIGIE_UI_MATRIX_WORKERS ?? 2);
/**
 * What the conformant reference must pass through its UI: the features whose verdicts rest on
 * the screen. The service side has no LGC screen; the CDA features judge documents (they pass
 * through the UI too, in `npm run conformance:ui`, but are left out here for time).
 */
const CONFORMANT_FEATURES = ['features/ins', 'features/qualification', 'features/dmp', 'features/mss/lgc'];

function featureFiles(dir = join(PROJECT_ROOT, 'features')): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? featureFiles(p) : f.endsWith('.feature') ? [relative(PROJECT_ROOT, p)] : [];
  });
}
/** features/qualification/qual-02-one-click.feature judges QUAL-02: a requirement's own feature files. */
const filesOf = (req: string) => featureFiles().filter((f) => f.split('/').pop()!.startsWith(req.toLowerCase() + '-')).sort();

let lgc: ReferenceLgc;
before(async () => { lgc = await startReferenceLgc(); });
after(async () => { await lgc?.stop(); });

test('defect matrix, UI mode: the conformant reference passes through its web UI, each on-screen defect fails exactly its requirements',
  { timeout: 9 * 60_000, skip: existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)` }, async () => {
    const uiDefects = catalogue.filter((d) => d.mode === 'ui');
    assert.ok(uiDefects.length >= 10, 'defects.json marks the on-screen defects with "mode": "ui"');
    const jobs: MatrixJob[] = [
      { id: '(conformant)', defects: [], paths: CONFORMANT_FEATURES, driver: 'ui' },
      ...uiDefects.map((d) => ({ id: d.id, defects: [d.id], paths: [...new Set(d.requirements.flatMap(filesOf))], driver: 'ui' as const })),
    ];
    for (const j of jobs) assert.ok(j.paths!.length > 0, `${j.id}: feature files for its requirements`);
    const byId = await runJobs(lgc.url, jobs, mkdtempSync(join(tmpdir(), 'vigie-ui-matrix-')), WORKERS);

    const conformant = byId.get('(conformant)')!;
    const matrix = {
      mode: 'ui',
      conformant: {
        features: CONFORMANT_FEATURES,
        scenarios: conformant.results.length,
        failedScenarios: conformant.results.filter((s) => s.status !== 'passed').map((s) => `${s.location} (${s.status}: ${s.message})`),
        requirements: [...new Set(conformant.results.flatMap((s) => s.requirements))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
      },
      defects: {} as Record<string, { mode: string; features: string[]; expectedRequirements: string[]; failedRequirements: string[]; failedScenarios: string[]; erroredScenarios: string[] }>,
      defectsNotCaught: [] as string[],
    };
    for (const d of uiDefects) {
      const r = byId.get(d.id)!;
      const failed = r.results.filter((s) => s.status === 'failed');
      matrix.defects[d.id] = {
        mode: 'ui',
        features: jobs.find((j) => j.id === d.id)!.paths!,
        expectedRequirements: [...d.requirements].sort(),
        failedRequirements: [...new Set(failed.flatMap((s) => s.requirements))].sort(),
        failedScenarios: failed.map((s) => s.location),
        erroredScenarios: r.results.filter((s) => s.status === 'errored').map((s) => `${s.location}: ${s.message}`),
      };
    }
    matrix.defectsNotCaught = Object.entries(matrix.defects).filter(([, d]) => d.failedScenarios.length === 0).map(([id]) => id);
    mkdirSync(join(PROJECT_ROOT, 'reports'), { recursive: true });
    writeFileSync(join(PROJECT_ROOT, 'reports', 'defect-matrix-ui.json'), JSON.stringify(matrix, null, 2) + '\n');

    assert.ok(conformant.results.length > 0, `the conformant UI run ran scenarios (${conformant.reason ?? ''})`);
    assert.deepEqual(matrix.conformant.failedScenarios, [], 'the conformant reference LGC passes every scenario through its web UI');
    for (const [id, d] of Object.entries(matrix.defects)) {
      const unexpected = d.erroredScenarios.filter((e) => !/could not set up the scenario/.test(e));
      assert.deepEqual(unexpected, [], `defect ${id} (UI): scenarios errored instead of giving a verdict`);
      assert.deepEqual(d.failedRequirements, d.expectedRequirements, `defect ${id} (UI): failed requirements differ from the expected ones (failed scenarios: ${d.failedScenarios.join(', ')})`);
    }
    assert.deepEqual(matrix.defectsNotCaught, [], 'every on-screen defect is caught through the UI');
  });
