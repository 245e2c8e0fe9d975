import { join } from 'node:path';
import { ConfigError, PROJECT_ROOT, loadTarget } from '../config/load';
import { runSuite } from '../harness/run';
import { printSummary } from '../report/console';
import { UsageError, one, parseArgs } from './args';
import { bench } from './bench';
import { report } from './report';
import { serve } from './serve';

const USAGE = `Usage: vigie <command> [options]

  run     [--target <name>] [--defect <id>]... [--tags <expr>] [--reports <dir>] [--driver http] [feature paths...]
          Runs the conformance suite against a target (default: the embedded reference LGC).
          Exit 0 conformant, 1 not conformant, 2 could not run.
  serve   [--host <addr>] [--advertised-host <name>] [--insi-port <n>]
          Runs the national-service doubles standalone, for a staging LGC to call.
  report  Turns reports/allure-results into the Allure HTML report (reports/allure-report).
  bench   Times the suite on the reference LGC: wall time, scenarios, median harness overhead.
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run': return await run(rest);
      case 'serve': return await serve(rest);
      case 'report': return await report(rest);
      case 'bench': return await bench(rest);
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(USAGE); return cmd ? 0 : 2;
      default: throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`vigie: ${e.message}\n${e instanceof UsageError ? '\n' + USAGE : ''}`);
      return 2;
    }
    throw e;
  }
}

async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { values: ['target', 'defect', 'tags', 'reports', 'driver'], flags: [] });
  const driver = one(a, 'driver') ?? 'http';
  if (driver !== 'http') throw new UsageError(`--driver ${driver}: only the "http" driver is available in this version`);
  const loaded = loadTarget(one(a, 'target') ?? 'reference');
  const reportsDir = one(a, 'reports') ?? join(PROJECT_ROOT, 'reports');
  const { summary, exitCode } = await runSuite({
    loaded, defects: a.values.defect ?? [], tags: one(a, 'tags'), paths: a.positionals.length ? a.positionals : undefined, reportsDir,
  });
  printSummary(summary, reportsDir);
  return exitCode;
}
