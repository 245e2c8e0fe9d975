import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CdaJvm, validateCda } from '../cda';
import { findRulePack } from '../cda/rulepack';
import { PROJECT_ROOT, loadTarget } from '../config/load';
import { CHROMIUM_PATH, browserProblem } from '../drivers/ui/browser';
import { runSuite } from '../harness/run';
import { within } from '../harness/wait';
import { one, parseArgs } from './args';

const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/**
 * Times the suite on the embedded reference LGC. Harness overhead of a scenario = its wall time
 * minus the time the target took to answer the driver's calls minus deliberate observation
 * windows (asserting that INSi is NOT called): what Vigie itself costs.
 */
export async function bench(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, [{ name: 'target', value: 'name|file.json', help: 'the target to time (default: reference)' }]);
  const loaded = loadTarget(one(parsed, 'target') ?? 'reference');
  const t0 = performance.now();
  const result = await runSuite({ loaded, reportsDir: join(PROJECT_ROOT, 'reports', 'bench'), quiet: true, log: () => undefined });
  const wall = performance.now() - t0;
  const t1 = performance.now();
  const ins = await runSuite({ loaded, paths: ['features/ins'], reportsDir: false, quiet: true, log: () => undefined });
  const insWall = performance.now() - t1;
  const overheads = result.results.map((s) => Math.max(0, s.wallMs - s.targetMs - s.windowMs));
  const lines = [
    `Vigie bench — target "${loaded.config.name}", outcome ${result.summary.outcome}`,
    `  suite wall time (start of the reference LGC, health check, every scenario, reports): ${(wall / 1000).toFixed(2)} s`,
    `  INS suite alone (features/ins, held-INSi scenarios included): ${(insWall / 1000).toFixed(2)} s, ${ins.results.length} scenarios, outcome ${ins.summary.outcome}   [goal: < 10 s]`,
    `  scenarios: ${result.results.length} (${result.summary.scenarios.passed} passed, ${result.summary.scenarios.failed} failed, ${result.summary.scenarios.errored} errored)`,
    `  median scenario wall time: ${median(result.results.map((s) => s.wallMs)).toFixed(1)} ms`,
    `  median harness overhead per scenario: ${median(overheads).toFixed(1)} ms (wall − target answer time − observation windows)`,
    ...(await shardBench(one(parsed, 'target') ?? 'reference')),
    ...(await uiBench(loaded)),
    ...(await cdaBench()),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return result.exitCode === 2 ? 2 : 0;
}

/** A vigie run in a process of its own: its wall time and exit code (each with its own reports folder). */
async function timedRun(args: string[]): Promise<{ ms: number; code: number | null }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'run', ...args], { stdio: 'ignore' });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const waited = await within(exited, 15 * 60_000);
  if (!waited.settled) child.kill('SIGKILL');
  return { ms: performance.now() - t0, code: waited.settled ? waited.value : null };
}

/**
 * The whole suite in one process, then cut in two shards run side by side (vigie run --shard 1/2 and
 * 2/2, then vigie merge): on a 2-core machine, what sharding buys. Both sides are new processes.
 */
async function shardBench(target: string): Promise<string[]> {
  const dir = join(PROJECT_ROOT, 'reports');
  const one = await timedRun(['--target', target, '--reports', join(dir, 'bench-one')]);
  const t0 = performance.now();
  const shards = await Promise.all(
    [1, 2].map((i) => timedRun(['--target', target, '--shard', `${i}/2`, '--reports', join(dir, `bench-shard${i}`)])),
  );
  const merged = spawnSync(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'vigie'),
      'merge',
      join(dir, 'bench-shard1'),
      join(dir, 'bench-shard2'),
      '--reports',
      join(dir, 'bench-merged'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const twoMs = performance.now() - t0;
  return [
    `  sharding: the whole suite in one process ${(one.ms / 1000).toFixed(1)} s (exit ${one.code}); two shards side by side then vigie merge ${(twoMs / 1000).toFixed(1)} s (exits ${shards.map((s) => s.code).join(', ')}, merge ${merged.status}) → ${(one.ms / twoMs).toFixed(2)}× on ${cpus().length} cores`,
  ];
}

/**
 * The same features through the web UI (ui driver, headless Chromium): wall time of the whole
 * run, per scenario, and the cost of each scenario's first screen (a fresh browser context).
 */
async function uiBench(loaded: ReturnType<typeof loadTarget>): Promise<string[]> {
  if (!loaded.config.ui) return ['  UI run: the target has no "ui" selector map: not measured'];
  const problem = browserProblem();
  if (problem) return [`  UI run: not measured (${problem})`];
  const t0 = performance.now();
  const result = await runSuite({
    loaded,
    driver: 'ui',
    reportsDir: join(PROJECT_ROOT, 'reports', 'bench-ui'),
    quiet: true,
    log: () => undefined,
  });
  const wall = performance.now() - t0;
  const onScreen = result.results.filter((s) => s.location.split(':')[0].match(/features\/(ins|qualification|dmp|mss\/lgc)\//));
  return [
    `  UI run (--driver ui, every feature through the reference LGC's web UI in ${CHROMIUM_PATH}): ${(wall / 1000).toFixed(2)} s, ${result.results.length} scenarios, outcome ${result.summary.outcome}   [goal: < 60 s]`,
    `    median scenario wall time: ${median(result.results.map((s) => s.wallMs)).toFixed(0)} ms; the ${onScreen.length} scenarios of the on-screen features (ins, qualification, dmp, mss/lgc): ${(onScreen.reduce((t, s) => t + s.wallMs, 0) / 1000).toFixed(1)} s`,
  ];
}

/** Peak resident memory of a process (Linux), in MB. */
function peakMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * CDA oracle speed on the 23 ANS examples (XSD + schematron), against the figures measured for
 * the ANS tool on this machine: 670 ms per document as shipped (one JVM per document, 34 s for
 * the 23); Saxon-HE warm in one JVM 80–130 documents/s.
 */
async function cdaBench(): Promise<string[]> {
  const rules = findRulePack();
  const examples = rules ? join(rules, 'ExemplesCDA') : '';
  if (!rules || !existsSync(examples))
    return ['  CDA validation: no ANS rule pack with its ExemplesCDA (rules/TestContenuCDA-3-0): not measured'];
  const files = readdirSync(examples)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => join(examples, f));
  const t0 = performance.now();
  const cold = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'validate', examples, '--format', 'json'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const coldMs = performance.now() - t0;
  const jvm = new CdaJvm();
  try {
    await validateCda(files, { rulesDir: rules, jvm });
    const t1 = performance.now();
    const rounds = 3;
    for (let i = 0; i < rounds; i++) await validateCda(files, { rulesDir: rules, jvm });
    const warmMs = (performance.now() - t1) / rounds;
    const docsPerS = files.length / (warmMs / 1000);
    return [
      `  CDA validation, ${files.length} ANS examples (XSD + ANS schematron + header rules):`,
      `    cold, a new process (node, JVM start, compiled rules cached on disk): ${(coldMs / 1000).toFixed(2)} s (exit ${cold.status}) — ANS tool as shipped: 34 s → ${(34000 / coldMs).toFixed(1)}× faster   [goal ≥ 10×]`,
      `    warm, one process: ${(warmMs / files.length).toFixed(1)} ms per document, ${docsPerS.toFixed(0)} documents/s — Saxon-HE warm: 80–130 documents/s   [goal: within 2×, ≥ 40 documents/s]`,
      `    JVM peak resident memory: ${peakMb(jvm.pid) ?? '?'} MB   [goal < 500 MB]`,
    ];
  } finally {
    jvm.close();
  }
}
