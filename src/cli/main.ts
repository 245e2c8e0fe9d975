import { join } from 'node:path';
import { ConfigError, PROJECT_ROOT, effectiveDriver, loadTarget } from '../config/load';
import { UsageError, one, parseArgs } from './args';

// Each command loads only what it needs: `vigie validate` must start fast (no cucumber, no doubles).
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  run: () => require('../harness/run') as typeof import('../harness/run'),
  console: () => require('../report/console') as typeof import('../report/console'),
  validate: () => require('../cda/cli') as typeof import('../cda/cli'),
  bench: () => require('./bench') as typeof import('./bench'),
  report: () => require('./report') as typeof import('./report'),
  serve: () => require('./serve') as typeof import('./serve'),
};

const USAGE = `Usage: vigie <command> [options]

  run     [--target <name>] [--defect <id>]... [--tags <expr>] [--reports <dir>] [--rules <dir>] [--driver http|ui] [feature paths...]
          Runs the conformance suite against a target (default: the embedded reference LGC).
          Exit 0 conformant, 1 not conformant, 2 could not run.
  serve   [--host <addr>] [--advertised-host <name>] [--insi-port <n>]
          Runs the national-service doubles standalone, for a staging LGC to call.
  validate <file|dir>... [--rules <ANS TestContenuCDA checkout>] [--format text|json|junit]
          Judges CDA documents: safe parse, CDA schema, CI-SIS header rules, the ANS schematron
          chosen from each document's templateIds. Exit 0 all valid, 1 any invalid, 2 could not run.
  report  Turns reports/allure-results into the Allure HTML report (reports/allure-report).
  bench   Times the suite on the reference LGC: wall time, scenarios, median harness overhead.
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run': return await run(rest);
      case 'serve': return await lazy.serve().serve(rest);
      case 'report': return await lazy.report().report(rest);
      case 'validate': return await lazy.validate().validateCommand(rest);
      case 'bench': return await lazy.bench().bench(rest);
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
  const a = parseArgs(argv, { values: ['target', 'defect', 'tags', 'reports', 'driver', 'rules'], flags: [] });
  const loaded = loadTarget(one(a, 'target') ?? 'reference');
  const driver = effectiveDriver(loaded, one(a, 'driver'));
  const reportsDir = one(a, 'reports') ?? join(PROJECT_ROOT, 'reports');
  const { summary, exitCode } = await lazy.run().runSuite({
    loaded, driver, defects: a.values.defect ?? [], tags: one(a, 'tags'), rulesDir: one(a, 'rules'), paths: a.positionals.length ? a.positionals : undefined, reportsDir,
  });
  lazy.console().printSummary(summary, reportsDir);
  return exitCode;
}
