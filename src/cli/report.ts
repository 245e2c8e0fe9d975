import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { one, parseArgs } from './args';

/** allure-results → Allure HTML, with allure-commandline (needs Java). */
export async function report(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, [{ name: 'reports', value: 'dir', help: 'the reports folder of the run (default reports/)' }]);
  const dir = one(parsed, 'reports') ?? join(PROJECT_ROOT, 'reports');
  const results = join(dir, 'allure-results');
  if (!existsSync(results)) {
    process.stderr.write(`vigie report: no ${results}; run "npm run conformance" first\n`);
    return 2;
  }
  const bin = join(PROJECT_ROOT, 'node_modules', 'allure-commandline', 'dist', 'bin', 'allure');
  const out = join(dir, 'allure-report');
  const generated = spawnSync(bin, ['generate', results, '-o', out, '--clean', '--config', join(PROJECT_ROOT, 'config', 'allure.yml')], {
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (generated.error || generated.status !== 0) {
    process.stderr.write(
      `vigie report: allure generate failed (${generated.error?.message ?? 'exit ' + generated.status}); it needs Java on the PATH\n`,
    );
    return 2;
  }
  process.stdout.write(`Allure report: ${join(out, 'index.html')}\n`);
  return 0;
}
