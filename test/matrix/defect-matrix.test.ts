/** The defect matrix, quick size (see test/matrix/matrix.ts); npm run matrix:full runs the full cross product. */
import { test } from 'node:test';
import { runMatrix } from './matrix';

const WORKERS = Number(process.env.VIGIE_MATRIX_WORKERS ?? 6);

test(
  'defect matrix (quick): the conformant reference passes, every defect fails exactly its requirements, every requirement and scenario is failed by some defect',
  { timeout: 9 * 60_000 },
  async () => {
    await runMatrix('quick', {
      workers: WORKERS,
      timeoutMs: 8 * 60_000,
      log: process.env.VIGIE_MATRIX_LOG ? (l) => process.stderr.write(l + '\n') : undefined,
    });
  },
);
