import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { writeConformancePage } from '../report/conformance';
import { printSummary } from '../report/console';
import { MergeError, mergeSummaries } from '../report/merge';
import { UsageError, one, parseArgs } from './args';
import { readSummary } from './diff';

/**
 * vigie merge <shard…>: one summary.json and conformance page from the shards of a run (src/report/merge.ts).
 * The shards' evidence folders are copied beside it, so that the page's links work; their JUnit,
 * Allure and cucumber reports stay with each shard (CI publishes each).
 */
export function merge(argv: string[]): number {
  const parsed = parseArgs(argv, [
    {
      name: 'reports',
      value: 'dir',
      help: 'where to write the merged summary.json and conformance page (default reports/); emptied first',
    },
  ]);
  if (parsed.positionals.length < 1) throw new UsageError('merge needs the shards: vigie merge <shard 1 reports> … <shard n reports>');
  const shards = parsed.positionals.map((name) => ({ name, summary: readSummary(name) }));
  let merged: ReturnType<typeof mergeSummaries>;
  try {
    merged = mergeSummaries(shards);
  } catch (e) {
    if (e instanceof MergeError) {
      process.stderr.write(`vigie merge: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const dir = resolve(one(parsed, 'reports') ?? join(PROJECT_ROOT, 'reports'));
  if (shards.some((s) => resolve(s.name) === dir || resolve(s.name) === join(dir, 'summary.json')))
    throw new UsageError(`--reports ${dir}: one of the shards is there; merge into another folder`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(merged.summary, null, 2) + '\n');
  for (const { name } of shards) {
    const evidence = join(name, 'evidence');
    if (existsSync(name) && statSync(name).isDirectory() && existsSync(evidence))
      cpSync(evidence, join(dir, 'evidence'), { recursive: true });
  }
  writeConformancePage(dir, merged.summary);
  printSummary(merged.summary, dir, (line) => {
    if (!line.startsWith('Reports:')) process.stdout.write(line + '\n');
  });
  process.stdout.write(`Merged ${shards.length} shards: ${join(dir, 'summary.json')}, ${join(dir, 'conformance.html')}\n`);
  return merged.exitCode;
}
