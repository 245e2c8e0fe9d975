import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, PROJECT_ROOT, effectiveDriver, loadTarget } from '../config/load';
import type { Shard } from '../harness/plan';
import { HelpRequested, OptionSpec, UsageError, one, optionsHelp, parseArgs } from './args';

// Each command loads only what it needs: `vigie validate` must start fast (no cucumber, no doubles).
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  run: () => require('../harness/run') as typeof import('../harness/run'),
  console: () => require('../report/console') as typeof import('../report/console'),
  validate: () => require('../cda/cli') as typeof import('../cda/cli'),
  bench: () => require('./bench') as typeof import('./bench'),
  report: () => require('./report') as typeof import('./report'),
  serve: () => require('./serve') as typeof import('./serve'),
  trace: () => require('./trace') as typeof import('./trace'),
  diff: () => require('./diff') as typeof import('./diff'),
  bundle: () => require('./bundle') as typeof import('./bundle'),
  merge: () => require('./merge') as typeof import('./merge'),
};

export const RUN_OPTIONS: OptionSpec[] = [
  {
    name: 'target',
    value: 'name|file.json',
    help: 'the target: a name of config/targets/ or a configuration file (default: reference, the embedded reference LGC)',
  },
  {
    name: 'driver',
    value: 'http|ui|attended',
    help: 'how Vigie acts on the LGC: its test-driver API (http), its web UI in headless Chromium (ui), or a person at its keyboard guided by a local console (attended, docs/attended.md)',
  },
  { name: 'tags', value: 'expr', help: "narrows the run to scenarios matching a cucumber tag expression, e.g. '@INS-02 or @QUAL-03'" },
  {
    name: 'suite',
    value: 'lgc|service',
    help: 'which suite judges: the practice software (lgc, default) or an MSSanté operator (service, default for an smtp target)',
  },
  {
    name: 'self-check',
    help: "also run the service suite against Vigie's own MSSanté double, reported apart (never the target's verdicts)",
  },
  {
    name: 'require-observed',
    value: 'all|REQ,…',
    help: 'a pass resting on anything but observed evidence is not enough for these requirements (all when given bare)',
  },
  { name: 'reports', value: 'dir', help: 'where to write the reports (default: reports/); the folder is emptied first' },
  {
    name: 'rules',
    value: 'dir',
    help: 'the ANS rule pack (TestContenuCDA) for CDA-07 (default: rules/TestContenuCDA-3-0, else ../shared/reference/)',
  },
  {
    name: 'defect',
    value: 'id',
    multiple: true,
    help: 'switch on a seeded defect of the embedded reference LGC (vigie defects lists them)',
  },
  {
    name: 'baseline',
    value: 'summary.json|dir|bundle',
    help: 'an earlier run: print what changed (vigie diff) and exit 1 only when a requirement regressed since (2 still when the run could not run)',
  },
  {
    name: 'shard',
    value: 'i/n',
    help: 'run a deterministic i-th of n parts of the selection (scope "shard i/n", exit on its own verdicts); vigie merge joins them',
  },
  {
    name: 'shard-timings',
    value: 'summary.json|dir|bundle',
    help: "balance the shards by an earlier run's scenario times (every shard must be given the same one)",
  },
  {
    name: 'resume',
    value: 'session.json',
    help: 'attended mode: go on with a paused session (reports/attended/session.json): the scenarios it judged are kept, the others are played',
  },
  { name: 'bundle', help: 'also seal the reports into one evidence bundle (vigie bundle): <reports>/vigie-<target>-<date>.zip' },
];

const USAGE = `Usage: vigie <command> [options]     (vigie <command> --help for its options)

  run       [options] [feature paths...]
            Runs the conformance suite against a target (default: the embedded reference LGC).
            Exit 0 conformant, 1 not conformant, 2 could not run or incomplete (something in scope not judged).
  serve     Runs the national-service doubles standalone, for a staging LGC to call.
  validate  <file|dir>...  Judges CDA documents (safe parse, CDA schema, CI-SIS header rules, ANS schematron).
  defects   Lists the reference LGC's seeded defects and the requirements each must fail.
  trace     <REQ>  Where a requirement is encoded (features), driven (step definitions) and judged (oracles).
  diff      <old> <new>  What changed between two runs (summary.json): verdicts (regressions first),
            scenarios, harness / rule pack / config. Exit 1 when a requirement regressed.
  doctor    [conformance|ui|test] [--dry-run]  What this machine has and lacks for Vigie; installs what
            it can (npm ci; Debian packages as root), else prints the exact command. --dry-run only says.
  report    [--pdf]  The conformance page a reviewer signs (reports/conformance.html, and its PDF), and
            the Allure HTML report (reports/allure-report).
  merge     <shard reports…>  Joins the summaries of a run's shards (run --shard i/n) into one verdict.
  bundle    Seals the reports (conformance page, summary, JUnit, every exchange and document) into one
            ZIP with a MANIFEST.json of SHA-256 hashes.
  verify    <bundle.zip>  Recomputes a bundle's hashes: exit 0 intact, 1 altered, 2 not a bundle.
  bench     Times the suite on the reference LGC, and the CDA oracle against the ANS-style pipeline.
`;

const RUN_HELP = `Usage: vigie run [options] [feature paths...]

Runs the features of one suite against a target and prints a verdict per catalogue requirement
in scope. Exit 0 conformant, 1 not conformant, 2 could not run or incomplete.

${optionsHelp(RUN_OPTIONS)}
`;

/** What each command's --help says above its options. */
const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: vigie serve [options]

Runs the national-service doubles standalone, on fixed ports, for a staging LGC to call: INSi,
the DMP (ITI-41 / ITI-18), the ordonnance numérique, MSSanté (SMTP + POP3). One console line per
exchange; every exchange kept as a file. Ctrl-C stops.`,
  report:
    'Usage: vigie report [options]\n\nWrites <reports>/conformance.html (the page a reviewer signs; --pdf prints it with Chromium) from summary.json,\nand turns <reports>/allure-results into the Allure HTML report (<reports>/allure-report; needs Java).',
  bench:
    'Usage: vigie bench [options]\n\nTimes the suite on the reference LGC, and the CDA oracle against the ANS-style pipeline, in one run.',
  defects: "Usage: vigie defects\n\nLists the reference LGC's seeded defects, their side and the requirements each must fail.",
  trace: 'Usage: vigie trace <REQ>\n\nWhere a requirement is encoded (features), driven (step definitions) and judged (oracles).',
  diff: `Usage: vigie diff <old summary.json|reports dir> <new …> [--format text|json|markdown|junit]

What changed between two runs: requirements whose verdict changed (pass → fail first), new and
vanished scenarios, and a change of harness, rule pack, configuration, target or driver. Exit 1
when a requirement regressed (got worse), 0 otherwise: a nightly job fails on a regression, not
on a failure already known.`,
  bundle: `Usage: vigie bundle [--reports <dir>] [--out <file.zip>]

Seals a run's reports into one archive: conformance.html (and .pdf), summary.json, junit.xml,
cucumber's JSON and messages, and reports/evidence/ (each exchange, document, screenshot and trace
as a file), with MANIFEST.json listing each file's SHA-256, the harness version and commit, the
rule pack hashes, the config hash and the command line.`,
  merge: `Usage: vigie merge <shard 1> … <shard n> [--reports <dir>]

Joins the shards of one run (vigie run --shard i/n; each a summary.json, reports folder or bundle)
into one summary, conformance page and outcome: a requirement fails when it failed in any shard,
and is judged against the whole selection's scope. Refused (exit 2) when a shard is missing or
twice, or when the shards ran different targets, harness, configuration or rule pack.
Exit 0 conformant, 1 not conformant, 2 incomplete.`,
  verify: `Usage: vigie verify <bundle.zip>

Recomputes the SHA-256 of every file of an evidence bundle against its MANIFEST.json and names
what changed, is missing or was added. Exit 0 intact, 1 altered, 2 not a readable bundle.`,
  doctor: `Usage: vigie doctor [conformance|ui|test|bench|report] [--dry-run]

What this machine has and lacks for a command (default: test, everything); installs what it can
(npm ci; Debian packages when root with apt), else prints the exact command. --dry-run only says.`,
};

function helpOf(cmd: string | undefined, options: OptionSpec[]): string {
  if (cmd === 'run') return RUN_HELP;
  const head = cmd ? COMMAND_HELP[cmd] : undefined;
  if (!head) return USAGE;
  const shown = options.filter((option) => option.help);
  return `${head}\n${shown.length ? `\n${optionsHelp(shown)}\n` : ''}`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await run(rest);
      case 'serve':
        return await lazy.serve().serve(rest);
      case 'report':
        return await lazy.report().report(rest);
      case 'validate':
        return await lazy.validate().validateCommand(rest);
      case 'bench':
        return await lazy.bench().bench(rest);
      case 'defects':
        return defects(rest);
      case 'trace':
        return await lazy.trace().trace(rest);
      case 'diff':
        return lazy.diff().diff(rest);
      case 'bundle':
        return lazy.bundle().bundle(rest);
      case 'verify':
        return lazy.bundle().verify(rest);
      case 'merge':
        return lazy.merge().merge(rest);
      case 'doctor':
        return doctor(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return cmd ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(helpOf(cmd, e.options));
      return 0;
    }
    if (e instanceof UsageError || e instanceof ConfigError) {
      const help = cmd === 'run' ? RUN_HELP : ((cmd && COMMAND_HELP[cmd]) ?? USAGE);
      process.stderr.write(`vigie: ${e.message}\n${e instanceof UsageError ? `\n${help}\n` : ''}`);
      return 2;
    }
    throw e;
  }
}

function requireObserved(raw: string | undefined): string[] | 'all' | undefined {
  if (raw === undefined) return undefined;
  if (raw === '' || raw === 'all') return 'all';
  const ids = raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = ids.filter((x) => !/^(INS|QUAL|OPP|SEND|CDA|MSS)-\d{2}$/.test(x));
  if (bad.length) throw new UsageError(`--require-observed: not requirement ids: ${bad.join(', ')}`);
  return ids;
}

async function run(argv: string[]): Promise<number> {
  // --require-observed may stand alone (all requirements): give util.parseArgs its value.
  const args = argv.map((x) => (x === '--require-observed' ? '--require-observed=all' : x));
  const parsed = parseArgs(args, RUN_OPTIONS);
  const loaded = loadTarget(one(parsed, 'target') ?? 'reference');
  const driver = effectiveDriver(loaded, one(parsed, 'driver'));
  const suite = one(parsed, 'suite');
  if (suite !== undefined && suite !== 'lgc' && suite !== 'service') throw new UsageError(`--suite ${suite}: must be "lgc" or "service"`);
  const reportsDir = one(parsed, 'reports') ?? join(PROJECT_ROOT, 'reports');
  // Read before the run: the baseline may be the reports folder the run empties.
  const baselinePath = one(parsed, 'baseline');
  const baseline = baselinePath ? lazy.diff().readSummary(baselinePath) : undefined;
  const shardRaw = one(parsed, 'shard');
  let shard: Shard | undefined;
  try {
    shard = shardRaw === undefined ? undefined : (require('../harness/plan') as typeof import('../harness/plan')).parseShard(shardRaw);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const timingsPath = one(parsed, 'shard-timings');
  if (timingsPath && !shard) throw new UsageError('--shard-timings balances shards: give --shard i/n too');
  const shardTimings = timingsPath ? lazy.diff().readSummary(timingsPath).timings : undefined;
  if (timingsPath && !shardTimings)
    throw new UsageError(`--shard-timings ${timingsPath}: that summary has no scenario timings (an older run)`);
  const t0 = performance.now();
  const { summary, exitCode } = await lazy.run().runSuite({
    shard,
    shardTimings,
    loaded,
    driver,
    suite: suite as 'lgc' | 'service' | undefined,
    selfCheck: parsed.flags.has('self-check'),
    requireObserved: requireObserved(one(parsed, 'require-observed')),
    defects: parsed.values.defect ?? [],
    tags: one(parsed, 'tags'),
    rulesDir: one(parsed, 'rules'),
    paths: parsed.positionals.length ? parsed.positionals : undefined,
    reportsDir,
    resume: one(parsed, 'resume'),
    onScenario: lazy.console().progressLine(t0),
  });
  lazy.console().printSummary(summary, reportsDir);
  // A bundle seals what the run wrote, whatever its outcome (a failure's evidence matters most).
  const bundled = parsed.flags.has('bundle') ? lazy.bundle().bundle(['--reports', reportsDir]) : 0;
  if (bundled !== 0) return 2;
  if (!baseline) return exitCode;
  const { diffExitCode, diffSummaries, diffText } = require('../report/diff') as typeof import('../report/diff');
  const changes = diffSummaries(baseline, summary);
  writeFileSync(join(reportsDir, 'diff.json'), JSON.stringify(changes, null, 2) + '\n');
  process.stdout.write(`\nSince the baseline (${baselinePath}):\n${diffText(changes)}`);
  // A run that could not run, or is incomplete, says so whatever the baseline; else only a regression fails.
  return exitCode === 2 ? 2 : diffExitCode(changes);
}

/** The preflight the README's commands run first (scripts/preflight.cjs: plain Node, it runs before npm ci). */
function doctor(argv: string[]): number {
  const bad = argv.filter((x) => x.startsWith('--') && x !== '--dry-run' && x !== '--help');
  if (bad.length) throw new UsageError(`doctor: unknown option ${bad.join(', ')}`);
  if (argv.includes('--help')) throw new HelpRequested([]);
  const reply = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'preflight.cjs'), ...argv], { stdio: 'inherit' });
  return reply.status ?? 2;
}

function defects(argv: string[]): number {
  parseArgs(argv, []);
  const list = (
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'src', 'reference-lgc', 'defects.json'), 'utf8')) as {
      defects: { id: string; requirements: string[]; side?: string; mode?: string; description: string }[];
    }
  ).defects;
  process.stdout.write(
    `Seeded defects (${list.length}): switch one on with vigie run --defect <id>; each must fail exactly its requirements.\n\n`,
  );
  for (const d of list)
    process.stdout.write(`  ${d.id.padEnd(44)} ${(d.side ?? 'lgc').padEnd(7)} ${d.requirements.join(', ')}\n      ${d.description}\n`);
  return 0;
}
