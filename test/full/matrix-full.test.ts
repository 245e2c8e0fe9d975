/** The full defect matrix (npm run matrix:full, run by CI): every defect on every feature (see test/matrix/matrix.ts). */
import { test } from 'node:test';
import { runMatrix } from '../matrix/matrix';

const WORKERS = Number(process.env.VIGIE_MATRIX_WORKERS ?? 10);

test('defect matrix (full cross product)', { timeout: 60 * 60_000 }, async () => {
  await runMatrix('full', { workers: WORKERS, timeoutMs: 55 * 60_000, log: (l) => process.stderr.write(l + '\n') });
});
