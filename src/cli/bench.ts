import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdaJvm, validateCda } from '../cda';
import { ansPipeline, ansSkeletonWarm, skeletonDir } from '../cda/ans-pipeline';
import { buildCorpus } from '../cda/corpus';
import { findSaxonJar } from '../cda/jvm';
import { findRulePack, openRulePack, selectSchematron } from '../cda/rulepack';
import { scanDocument } from '../cda/scan';
import { PROJECT_ROOT, loadTarget } from '../config/load';
import { CHROMIUM_PATH, browserProblem } from '../drivers/ui/browser';
import { runSuite } from '../harness/run';
import { UsageError, one, parseArgs } from './args';
import { measured, peakMb } from './measure';

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
  const parsed = parseArgs(argv, [
    { name: 'target', value: 'name|file.json', help: 'the target to time (default: reference)' },
    {
      name: 'only',
      value: 'suite|shards|ui|cda|corpus',
      multiple: true,
      help: 'time only these parts (default: suite, shards, ui, cda; corpus — about 250 documents through the ANS-style pipeline, a quarter of an hour — only when asked)',
    },
  ]);
  const parts = parsed.values.only ?? ['suite', 'shards', 'ui', 'cda'];
  const unknown = parts.filter((p) => !['suite', 'shards', 'ui', 'cda', 'corpus'].includes(p));
  if (unknown.length) throw new UsageError(`--only ${unknown.join(', ')}: the parts are suite, shards, ui, cda, corpus`);
  const loaded = loadTarget(one(parsed, 'target') ?? 'reference');
  const lines = [`Vigie bench — target "${loaded.config.name}"`];
  let exitCode = 0;
  if (parts.includes('suite')) {
    const t0 = performance.now();
    const result = await runSuite({ loaded, reportsDir: join(PROJECT_ROOT, 'reports', 'bench'), quiet: true, log: () => undefined });
    const wall = performance.now() - t0;
    const t1 = performance.now();
    const ins = await runSuite({ loaded, paths: ['features/ins'], reportsDir: false, quiet: true, log: () => undefined });
    const insWall = performance.now() - t1;
    const overheads = result.results.map((s) => Math.max(0, s.wallMs - s.targetMs - s.windowMs));
    if (result.exitCode === 2) exitCode = 2;
    lines.push(
      `  suite wall time (start of the reference LGC, health check, every scenario, reports): ${(wall / 1000).toFixed(2)} s, outcome ${result.summary.outcome}`,
      `  INS suite alone (features/ins, held-INSi scenarios included): ${(insWall / 1000).toFixed(2)} s, ${ins.results.length} scenarios, outcome ${ins.summary.outcome}   [goal: < 10 s]`,
      `  scenarios: ${result.results.length} (${result.summary.scenarios.passed} passed, ${result.summary.scenarios.failed} failed, ${result.summary.scenarios.errored} errored)`,
      `  median scenario wall time: ${median(result.results.map((s) => s.wallMs)).toFixed(1)} ms`,
      `  median harness overhead per scenario: ${median(overheads).toFixed(1)} ms (wall − target answer time − observation windows)`,
    );
  }
  if (parts.includes('shards')) lines.push(...(await shardBench(one(parsed, 'target') ?? 'reference')));
  if (parts.includes('ui')) lines.push(...(await uiBench(loaded)));
  if (parts.includes('cda')) lines.push(...(await cdaBench()));
  if (parts.includes('corpus')) lines.push(...(await corpusBench()));
  process.stdout.write(lines.join('\n') + '\n');
  return exitCode;
}

/** A vigie run in a process of its own: its wall time and exit code (each with its own reports folder). */
const timedRun = (args: string[]) =>
  measured(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'run', ...args], { boundMs: 15 * 60_000 });

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

/**
 * The same comparison on the corpus src/cda/corpus.ts builds from the ANS examples (about 250
 * documents: the examples and their variants), in build/cda-corpus.
 */
async function corpusBench(): Promise<string[]> {
  const rules = findRulePack();
  if (!rules || !existsSync(join(rules, 'ExemplesCDA'))) return ['  CDA corpus: no ANS rule pack with its ExemplesCDA: not measured'];
  const moteur = skeletonDir(rules);
  const dir = join(PROJECT_ROOT, 'build', 'cda-corpus');
  const files = buildCorpus(join(rules, 'ExemplesCDA'), dir);
  const emptyCache = mkdtempSync(join(tmpdir(), 'vigie-bench-corpus-'));
  const cold = await measured(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), 'validate', dir, '--format', 'json', '--no-header'], {
    env: { ...process.env, VIGIE_CDA_CACHE: emptyCache },
  });
  rmSync(emptyCache, { recursive: true, force: true });
  const ours = new Map(
    (JSON.parse(cold.stdout) as { documents: { file: string; ans: string; schematron: string | null }[] }).documents.map((d) => [
      d.file,
      d,
    ]),
  );
  const pack = openRulePack(rules);
  const saxon = findSaxonJar();
  const t0 = performance.now();
  let run = 0;
  const agree: boolean[] = [];
  for (const file of files) {
    const mine = ours.get(file);
    if (!mine?.schematron) continue;
    const answer = ansPipeline({ moteur, schematron: join(rules, mine.schematron), xsd: pack.xsd, document: file, saxon });
    run++;
    if (answer && mine.ans !== 'could-not-judge') agree.push((answer.xsdValid && answer.failedAsserts === 0) === (mine.ans === 'valid'));
  }
  const ansMs = performance.now() - t0;
  // The ANS-style pipeline ran only where Vigie chose a schematron: compare per document.
  const perDocAns = ansMs / Math.max(run, 1);
  const perDocOurs = cold.ms / files.length;
  return [
    `  CDA corpus (src/cda/corpus.ts: ${files.length} documents from the ANS examples and their variants):`,
    `    Vigie cold, empty compile cache: ${(cold.ms / 1000).toFixed(1)} s (${perDocOurs.toFixed(0)} ms per document), peak ${cold.peakMb} MB for the process tree`,
    `    ANS-style pipeline on the ${run} documents with a schematron: ${(ansMs / 1000).toFixed(1)} s (${perDocAns.toFixed(0)} ms per document) → Vigie ${(perDocAns / perDocOurs).toFixed(1)}× faster per document   [goal ≥ 10×]`,
    `    verdicts (valid or not): the same on ${agree.filter(Boolean).length} of ${agree.length} documents both judged`,
  ];
}

/**
 * CDA oracle speed on the ANS examples (XSD + schematron), side by side with the ANS-style pipeline
 * measured in the same run on the same machine: one JVM per document, the volet schematron compiled
 * through the ISO skeleton the ANS tool runs (the pack's schematrons/moteur, else the shipped copy), then run (java/AnsPipeline.java).
 * Vigie cold = a new process with an empty compile cache; warm = one process, rules compiled.
 */
async function cdaBench(): Promise<string[]> {
  const rules = findRulePack();
  const examples = rules ? join(rules, 'ExemplesCDA') : '';
  if (!rules || !existsSync(examples))
    return ['  CDA validation: no ANS rule pack with its ExemplesCDA (rules/TestContenuCDA-3-0): not measured'];
  const files = readdirSync(examples)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => join(examples, f));
  const emptyCache = mkdtempSync(join(tmpdir(), 'vigie-bench-cda-'));
  const cold = await measured(
    process.execPath,
    [join(PROJECT_ROOT, 'bin', 'vigie'), 'validate', examples, '--format', 'json', '--no-header'],
    { env: { ...process.env, VIGIE_CDA_CACHE: emptyCache } },
  );
  rmSync(emptyCache, { recursive: true, force: true });
  const cached = await measured(process.execPath, [
    join(PROJECT_ROOT, 'bin', 'vigie'),
    'validate',
    examples,
    '--format',
    'json',
    '--no-header',
  ]);
  const lines = [
    `  CDA validation, ${files.length} ANS examples (CDA schema + ANS schematron):`,
    `    Vigie cold, a new process with an empty compile cache: ${(cold.ms / 1000).toFixed(2)} s (exit ${cold.code}), peak ${cold.peakMb} MB for the process tree   [goal < 500 MB${cold.peakMb >= 500 ? `: missed by ${cold.peakMb - 499} MB, why in src/cda/README.md (Memory)` : ''}]`,
    `    Vigie, a new process with the compiled rules on disk: ${(cached.ms / 1000).toFixed(2)} s, peak ${cached.peakMb} MB`,
  ];
  const moteur = skeletonDir(rules);
  {
    const pack = openRulePack(rules);
    const saxon = findSaxonJar();

    const t0 = performance.now();
    let run = 0;
    const agree: boolean[] = [];
    const pairs: { schematron: string; document: string }[] = [];
    const vigie = new Map(
      (JSON.parse(cached.stdout) as { documents: { file: string; ans: string; schematron: string | null }[] }).documents.map((d) => [
        d.file,
        d,
      ]),
    );
    for (const file of files) {
      const scan = scanDocument(readFileSync(file));
      const chosen = scan.ok ? selectSchematron(pack, scan).schematron : null;
      if (!chosen) continue;
      const answer = ansPipeline({ moteur, schematron: join(rules, chosen), xsd: pack.xsd, document: file, saxon });
      run++;
      pairs.push({ schematron: join(rules, chosen), document: file });
      const ours = vigie.get(file);
      if (answer && ours) agree.push((answer.xsdValid && answer.failedAsserts === 0) === (ours.ans === 'valid'));
    }
    const ansMs = performance.now() - t0;
    lines.push(
      `    ANS-style pipeline (one JVM per document, ISO skeleton, Saxon-HE), ${run} documents with a schematron: ${(ansMs / 1000).toFixed(2)} s → Vigie cold ${(ansMs / cold.ms).toFixed(1)}× faster, Vigie with its cache ${(ansMs / cached.ms).toFixed(1)}×   [goal ≥ 10× cold]`,
      `    verdicts (valid or not): the same on ${agree.filter(Boolean).length} of ${agree.length} documents both judged`,
    );
    const skeleton = ansSkeletonWarm({ moteur, xsd: pack.xsd, saxon, pairs });
    lines.push(
      `    the ISO skeleton in one warm JVM instead of Vigie's compiler (each schematron compiled once): ${(skeleton.ms / 1000).toFixed(2)} s → Vigie cold ${(skeleton.ms / cold.ms).toFixed(2)}× faster (skeleton passes ${(skeleton.skeletonMs / 1000).toFixed(2)} s, Saxon compilation ${(skeleton.compileMs / 1000).toFixed(2)} s, validation ${(skeleton.runMs / 1000).toFixed(2)} s)`,
    );
  }
  const jvm = new CdaJvm();
  try {
    await validateCda(files, { rulesDir: rules, jvm });
    const t1 = performance.now();
    const rounds = 3;
    for (let i = 0; i < rounds; i++) await validateCda(files, { rulesDir: rules, jvm });
    const warmMs = (performance.now() - t1) / rounds;
    const docsPerS = files.length / (warmMs / 1000);
    lines.push(
      `    warm, one process: ${(warmMs / files.length).toFixed(1)} ms per document, ${docsPerS.toFixed(0)} documents/s — Saxon-HE warm: 80–130 documents/s   [goal: within 2×, ≥ 40 documents/s]`,
      `    JVM peak resident memory: ${peakMb(jvm.pid) ?? '?'} MB`,
    );
  } finally {
    jvm.close();
  }
  return lines;
}
