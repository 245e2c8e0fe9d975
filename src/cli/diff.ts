/**
 * `vigie diff <old> <new>`: what changed between two runs. Each side is a summary.json, the
 * reports folder that holds one, or an evidence bundle (vigie bundle; its summary checked against its manifest). Exit 1 when a requirement regressed (nightly CI fails on a
 * regression, not on a failure already known the night before), 0 otherwise, 2 on bad input.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { summaryOfBundle } from '../report/bundle';
import { diffExitCode, diffJunit, diffMarkdown, diffSummaries, diffText } from '../report/diff';
import type { Summary } from '../report/summary';
import { OptionSpec, UsageError, one, parseArgs } from './args';

export const DIFF_OPTIONS: OptionSpec[] = [
  { name: 'format', value: 'text|json|markdown|junit', help: 'how the changes are printed (default text)' },
];

/** A summary.json (or a folder or bundle holding one), checked enough to compare: a clear error otherwise. */
export function readSummary(path: string): Summary {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder`);
  const file = statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (!existsSync(file)) throw new UsageError(`${path}: a folder without summary.json`);
  let content = readFileSync(file);
  // A ZIP starts with its first local header, PK\x03\x04: an evidence bundle.
  if (content.length >= 4 && content.readUInt32LE(0) === 0x04034b50) {
    try {
      content = Buffer.from(summaryOfBundle(content), 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  const summary = json as Partial<Summary>;
  if (!summary || typeof summary !== 'object' || typeof summary.outcome !== 'string' || !summary.requirements || !summary.provenance)
    throw new UsageError(`${file}: not a Vigie summary.json (no outcome, requirements or provenance)`);
  return summary as Summary;
}

export function diff(argv: string[]): number {
  const parsed = parseArgs(argv, DIFF_OPTIONS);
  const format = one(parsed, 'format') ?? 'text';
  if (!['text', 'json', 'markdown', 'junit'].includes(format))
    throw new UsageError(`--format ${format}: must be text, json, markdown or junit`);
  if (parsed.positionals.length !== 2) throw new UsageError('vigie diff needs two runs: <old summary.json|reports dir|bundle.zip> <new …>');
  const [before, after] = parsed.positionals.map(readSummary) as [Summary, Summary];
  const changes = diffSummaries(before, after);
  const text =
    format === 'json'
      ? JSON.stringify(changes, null, 2) + '\n'
      : format === 'markdown'
        ? diffMarkdown(changes)
        : format === 'junit'
          ? diffJunit(changes)
          : diffText(changes);
  process.stdout.write(text);
  return diffExitCode(changes);
}
