/**
 * The full defect matrix (npm run matrix:full): every defect on every feature (see test/matrix/matrix.ts
 * and docs/defect-matrix.md). VIGIE_MATRIX_SHARD=k/n runs the conformant jobs and one in n of the
 * defect jobs; `today/n` picks k from the day of the year, so that CI (npm run matrix:nightly) goes
 * through the whole cross product every n days within its time budget.
 */
import { test } from 'node:test';
import { runMatrix } from '../matrix/matrix';

const WORKERS = Number(process.env.VIGIE_MATRIX_WORKERS ?? 10);

function shardOf(raw: string | undefined): { index: number; count: number } | undefined {
  if (!raw) return undefined;
  const match = /^(\d+|today)\/(\d+)$/.exec(raw);
  if (!match) throw new Error(`VIGIE_MATRIX_SHARD="${raw}": expected k/n (1 ≤ k ≤ n) or today/n`);
  const count = Number(match[2]);
  const start = Date.UTC(new Date().getUTCFullYear(), 0, 0);
  const dayOfYear = Math.floor((Date.now() - start) / 86_400_000);
  const index = match[1] === 'today' ? (dayOfYear % count) + 1 : Number(match[1]);
  if (count < 1 || index < 1 || index > count) throw new Error(`VIGIE_MATRIX_SHARD="${raw}": expected 1 ≤ k ≤ n`);
  return { index, count };
}

const shard = shardOf(process.env.VIGIE_MATRIX_SHARD);

test(`defect matrix (full cross product${shard ? `, shard ${shard.index}/${shard.count}` : ''})`, { timeout: 80 * 60_000 }, async () => {
  // Its ui jobs run every screen feature (minutes each): fewer http workers beside them than the quick matrix.
  await runMatrix('full', {
    workers: WORKERS,
    apiWorkersBesideUi: 3,
    timeoutMs: 75 * 60_000,
    log: (line) => process.stderr.write(line + '\n'),
    shard,
  });
});
