import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { verifyBundle, writeBundle } from '../report/bundle';
import { UsageError, one, parseArgs } from './args';

/** vigie bundle: seals a reports folder into one ZIP with its MANIFEST.json (src/report/bundle.ts). */
export function bundle(argv: string[]): number {
  const parsed = parseArgs(argv, [
    { name: 'reports', value: 'dir', help: 'the reports folder of the run (default reports/)' },
    { name: 'out', value: 'file.zip', help: 'where to write the bundle (default <reports>/vigie-<target>-<date>.zip)' },
  ]);
  if (parsed.positionals.length) throw new UsageError(`bundle takes no argument (${parsed.positionals.join(' ')}): use --reports <dir>`);
  const dir = one(parsed, 'reports') ?? join(PROJECT_ROOT, 'reports');
  try {
    const sealed = writeBundle(dir, one(parsed, 'out'));
    process.stdout.write(
      `Evidence bundle: ${sealed.file} (${sealed.files} files)\nMANIFEST.json SHA-256: ${sealed.manifestSha256}\n` +
        `  (write it down, or sign MANIFEST.json: vigie verify <bundle> recomputes every file's hash against it)\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`vigie bundle: ${(e as Error).message}\n`);
    return 2;
  }
}

/** vigie verify <bundle.zip>: 0 intact, 1 something changed, 2 not a readable bundle. */
export function verify(argv: string[]): number {
  const parsed = parseArgs(argv, []);
  if (parsed.positionals.length !== 1) throw new UsageError('verify takes one bundle: vigie verify <bundle.zip>');
  const file = parsed.positionals[0]!;
  if (!existsSync(file)) {
    process.stderr.write(`vigie verify: ${file}: no such file\n`);
    return 2;
  }
  let result: ReturnType<typeof verifyBundle>;
  try {
    result = verifyBundle(readFileSync(file));
  } catch (e) {
    process.stderr.write(`vigie verify: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const manifest = result.manifest;
  process.stdout.write(
    `Bundle ${file}\n  target "${manifest.target}" (${manifest.suite} suite, ${manifest.driver} driver), outcome ${manifest.outcome}, run ${manifest.startedAt ?? 'unknown'}\n` +
      `  harness ${manifest.harness}; rule pack ${
        Object.entries(manifest.rulePacks)
          .map(([name, hash]) => `${name} ${hash ?? 'none'}`)
          .join(', ') || 'none'
      }; config ${manifest.config}\n` +
      `  MANIFEST.json SHA-256: ${result.manifestSha256}\n`,
  );
  if (result.intact) {
    process.stdout.write(`INTACT: the ${manifest.files.length} files match their SHA-256 in MANIFEST.json\n`);
    return 0;
  }
  for (const path of result.changed) process.stdout.write(`  CHANGED  ${path}\n`);
  for (const path of result.missing) process.stdout.write(`  MISSING  ${path}\n`);
  for (const path of result.added) process.stdout.write(`  ADDED    ${path} (not in MANIFEST.json)\n`);
  process.stdout.write(
    `ALTERED: ${result.changed.length} changed, ${result.missing.length} missing, ${result.added.length} added since the bundle was sealed\n`,
  );
  return 1;
}
