import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { writeConformancePage } from '../report/conformance';
import { printPdf } from '../report/pdf';
import type { Summary } from '../report/summary';
import { one, parseArgs } from './args';

/**
 * The reports of a run, for people: conformance.html (the page a reviewer signs, rebuilt from
 * summary.json), its PDF with --pdf (the ui driver's Chromium), and the Allure HTML report from
 * allure-results (allure-commandline, needs Java).
 */
export async function report(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, [
    { name: 'reports', value: 'dir', help: 'the reports folder of the run (default reports/)' },
    { name: 'pdf', help: 'also print conformance.html to conformance.pdf (A4), with Chromium' },
    { name: 'no-allure', help: 'only the conformance page (and its PDF), not the Allure report' },
  ]);
  const dir = one(parsed, 'reports') ?? join(PROJECT_ROOT, 'reports');
  const summaryFile = join(dir, 'summary.json');
  if (existsSync(summaryFile)) {
    const written = await conformancePage(dir, summaryFile, parsed.flags.has('pdf'));
    if (written !== 0) return written;
  } else {
    // allure-results alone (cucumber-js run directly): the Allure report still, the page needs a Vigie run.
    process.stderr.write(`vigie report: no ${summaryFile}, so no conformance page (it is written from a vigie run's summary)\n`);
    if (parsed.flags.has('pdf') || parsed.flags.has('no-allure')) return 2;
  }
  if (parsed.flags.has('no-allure')) return 0;
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

async function conformancePage(dir: string, summaryFile: string, pdf: boolean): Promise<number> {
  let summary: Summary;
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    if (!summary.requirements || !summary.provenance) throw new Error('not a Vigie summary (no requirements or provenance)');
  } catch (e) {
    process.stderr.write(`vigie report: ${summaryFile}: ${(e as Error).message}\n`);
    return 2;
  }
  const page = writeConformancePage(dir, summary);
  process.stdout.write(`Conformance page: ${page}\n`);
  if (!pdf) return 0;
  const pdfFile = join(dir, 'conformance.pdf');
  try {
    await printPdf(page, pdfFile);
  } catch (e) {
    process.stderr.write(`vigie report: the PDF could not be printed: ${(e as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  process.stdout.write(`Conformance PDF: ${pdfFile}\n`);
  return 0;
}
