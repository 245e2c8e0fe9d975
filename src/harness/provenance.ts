import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';

/** What a verdict was produced with: Vigie's version and commit, and the Java that ran the CDA oracle. */
export function harnessVersion(): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    /* not a git checkout */
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return `vigie ${require(join(PROJECT_ROOT, 'package.json')).version} (${commit})`;
}

let java: string | null | undefined;
/** `openjdk 17.0.x …`, the first line of `java -version`; null when there is no Java. */
export function javaVersion(): string | null {
  if (java !== undefined) return java;
  const home = process.env.JAVA_HOME;
  const bin = home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : 'java'; // as the CDA oracle finds it
  const out = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  java = out.status === 0 ? ((out.stderr || out.stdout).split('\n')[0]?.trim() ?? null) : null;
  return java;
}

/** The command line that started this process, as a person would type it again (`vigie run …`). */
export function commandLine(argv = process.argv): string {
  const script = argv[1]?.split(/[\\/]/).pop() ?? 'node';
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return [script === 'vigie' ? 'vigie' : `node ${script}`, ...argv.slice(2)].map((arg, i) => (i ? quote(arg) : arg)).join(' ');
}
