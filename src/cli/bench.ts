import { join } from 'node:path';
import { PROJECT_ROOT, loadTarget } from '../config/load';
import { runSuite } from '../harness/run';
import { one, parseArgs } from './args';

const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times the suite on the embedded reference LGC. Harness overhead of a scenario = its wall time
 * minus the time the target took to answer the driver's calls minus deliberate observation
 * windows (asserting that INSi is NOT called): what Vigie itself costs.
 */
export async function bench(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { values: ['target'], flags: [] });
  const loaded = loadTarget(one(a, 'target') ?? 'reference');
  const t0 = performance.now();
  const r = await runSuite({ loaded, reportsDir: join(PROJECT_ROOT, 'reports', 'bench'), quiet: true, log: () => undefined });
  const wall = performance.now() - t0;
  const t1 = performance.now();
  const ins = await runSuite({ loaded, paths: ['features/ins'], reportsDir: false, quiet: true, log: () => undefined });
  const insWall = performance.now() - t1;
  const overheads = r.results.map((s) => Math.max(0, s.wallMs - s.targetMs - s.windowMs));
  const lines = [
    `Vigie bench — target "${loaded.config.name}", outcome ${r.summary.outcome}`,
    `  suite wall time (start of the reference LGC, health check, every scenario, reports): ${(wall / 1000).toFixed(2)} s`,
    `  INS suite alone (features/ins, held-INSi scenarios included): ${(insWall / 1000).toFixed(2)} s, ${ins.results.length} scenarios, outcome ${ins.summary.outcome}   [goal: < 10 s]`,
    `  scenarios: ${r.results.length} (${r.summary.scenarios.passed} passed, ${r.summary.scenarios.failed} failed, ${r.summary.scenarios.errored} errored)`,
    `  median scenario wall time: ${median(r.results.map((s) => s.wallMs)).toFixed(1)} ms`,
    `  median harness overhead per scenario: ${median(overheads).toFixed(1)} ms (wall − target answer time − observation windows)`,
    `  CDA validation throughput: not measured yet (the CDA oracle is not part of this version)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return r.exitCode === 2 ? 2 : 0;
}
