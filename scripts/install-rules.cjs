#!/usr/bin/env node
'use strict';
/**
 * Installs the ANS rule pack (TestContenuCDA-3-0: CDA schemas, value sets, volet schematrons) into
 * rules/TestContenuCDA-3-0, where `vigie run` and `vigie validate` look first.
 *
 *   npm run rules                     the shared copy beside the project (../shared/reference/…) if there is one,
 *                                     else the ANS repository at the pinned commit (needs git and the network)
 *   npm run rules -- --from <dir>     a local checkout (or copy) of github.com/ansforge/TestContenuCDA-3-0
 *   npm run rules -- --online         the ANS repository at the pinned commit
 *   npm run rules -- --commit <sha>   another commit than the pinned one (the run reports the pack's hash)
 *
 * Plain CommonJS with no dependency, like scripts/preflight.cjs: it runs before anything is installed.
 */
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { tmpdir } = require('node:os');
const { spawnSync } = require('node:child_process');

const ROOT = resolve(__dirname, '..');
const REPO = 'https://github.com/ansforge/TestContenuCDA-3-0';
/** The commit Vigie's parity figures were measured on (../shared/reference/SOURCES.md). */
const PINNED = '7cd489b39368809df9bcf2cfef5e5d6354438a02';
const TARGET = join(ROOT, 'rules', 'TestContenuCDA-3-0');
/** What the oracle reads; the rest of the repository (the ANS engine's jars, reports, .docx) is not needed. */
const PARTS = ['infrastructure', 'jeuxDeValeurs', 'schematrons', 'ExemplesCDA'];

function git(args, cwd) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`git could not start (${r.error.message}): install git or use --from <dir>`);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${(r.stderr || '').trim()}`);
  return r.stdout.trim();
}

function commitOf(dir) {
  if (!existsSync(join(dir, '.git'))) return null;
  try {
    return git(['rev-parse', 'HEAD'], dir);
  } catch {
    return null;
  }
}

function install(from, commit) {
  for (const part of ['infrastructure', 'schematrons']) {
    if (!existsSync(join(from, part))) throw new Error(`${from} is not a TestContenuCDA checkout: it has no ${part}/ folder`);
  }
  const staging = `${TARGET}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const part of PARTS) {
    const src = join(from, part);
    if (!existsSync(src)) continue;
    // The ANS engine (schematrons/moteur: jars, .bat) is not used: Vigie runs Saxon-HE itself.
    cpSync(src, join(staging, part), { recursive: true, filter: (p) => !p.includes(`${join('schematrons', 'moteur')}`) });
  }
  writeFileSync(
    join(staging, 'VIGIE-SOURCE.json'),
    `${JSON.stringify({ repository: REPO, commit, from, installed: new Date().toISOString() }, null, 2)}\n`,
  );
  rmSync(TARGET, { recursive: true, force: true });
  mkdirSync(join(ROOT, 'rules'), { recursive: true });
  renameSync(staging, TARGET);
  return TARGET;
}

function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv.includes('--help')) {
    process.stdout.write(
      readFileSync(__filename, 'utf8')
        .split('*/')[0]
        .replace(/^[\s\S]*?\/\*\*/, ''),
    );
    return 0;
  }
  const wanted = arg('--commit') || PINNED;
  let from = arg('--from');
  let tmp = null;
  try {
    if (!from && !argv.includes('--online')) {
      const shared = resolve(ROOT, '..', 'shared', 'reference', 'TestContenuCDA-3-0');
      if (existsSync(join(shared, 'schematrons'))) from = shared;
    }
    let commit;
    if (from) {
      from = resolve(from);
      commit = commitOf(from) || (from.includes(join('shared', 'reference')) ? `${PINNED} (the shared copy, SOURCES.md)` : 'unknown');
    } else {
      tmp = mkdtempSync(join(tmpdir(), 'vigie-rules-'));
      process.stdout.write(`fetching ${REPO} at ${wanted}\n`);
      git(['init', '-q'], tmp);
      git(['remote', 'add', 'origin', REPO], tmp);
      git(['fetch', '-q', '--depth', '1', 'origin', wanted], tmp);
      git(['checkout', '-q', 'FETCH_HEAD'], tmp);
      from = tmp;
      commit = git(['rev-parse', 'HEAD'], tmp);
    }
    const dir = install(from, commit);
    process.stdout.write(`rule pack installed in ${dir}\n  from ${from}\n  commit ${commit}\n`);
    if (!String(commit).startsWith(wanted))
      process.stdout.write(`  note: not the pinned commit ${wanted}; the run reports this pack's hash\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`vigie rules: ${e.message}\n`);
    return 2;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { PINNED, REPO, install };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
