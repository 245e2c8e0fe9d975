#!/usr/bin/env node
'use strict';
/**
 * Preflight: what the README's commands need on the machine, and its set-up.
 *
 * Runs before anything of node_modules is loaded (npm's pre-scripts: preconformance, pretest…), so it
 * is plain CommonJS with no dependency. `plan(purpose, probes)` is a pure function of what the probes
 * saw (unit-tested with injected probes in test/unit/preflight.test.ts); `main` probes this machine,
 * prints the plan and carries it out:
 *   - node_modules missing or stale        → `npm ci` (any user can);
 *   - Debian packages missing (Saxon-HE, Chromium, swaks, a JDK) → `apt-get install` when running as
 *     root with apt (CI, containers); otherwise it stops at once (exit 2) with the exact command;
 *   - the ANS rule pack missing            → a warning only: the run says CDA-07 is not judged and its
 *     outcome is `incomplete`, never CONFORMANT.
 * `vigie doctor [--dry-run]` prints the same plan.
 */
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = resolve(__dirname, '..');

/** What each purpose needs. `conformance` is `npm run conformance` (http driver + the double's self-check). */
const NEEDS = {
  conformance: ['node_modules', 'java', 'javac', 'saxon', 'rulePack'],
  ui: ['node_modules', 'java', 'javac', 'saxon', 'rulePack', 'chromium'],
  test: ['node_modules', 'java', 'javac', 'saxon', 'rulePack', 'chromium', 'swaks'],
  bench: ['node_modules', 'java', 'javac', 'saxon', 'rulePack'],
  report: ['node_modules', 'java'],
};

/** The Debian package that brings each piece (the Saxon-HE engine ANS uses; Vigie never downloads a browser). */
const PACKAGES = {
  java: 'default-jre-headless',
  javac: 'default-jdk-headless',
  saxon: 'libsaxonhe-java',
  chromium: 'chromium',
  swaks: 'swaks',
};

const WHAT = {
  node_modules: 'the npm dependencies (node_modules)',
  java: 'Java (runs the CDA oracle and Allure)',
  javac: 'a JDK (javac compiles the CDA oracle once)',
  saxon: 'Saxon-HE (the XSLT engine that runs the ANS schematrons)',
  chromium: 'Chromium at /usr/bin/chromium (the ui driver)',
  swaks: 'swaks (a third-party SMTP client the MSSanté double is tested with)',
  rulePack: 'the ANS rule pack TestContenuCDA (CDA-07)',
};

/**
 * The plan for a purpose, from what the probes saw.
 * probes: { node_modules, java, javac, saxon, chromium, swaks, rulePack: boolean|string, root, apt: boolean }
 * returns { present: [..], npmCi: boolean, packages: [..], canInstall: boolean, warnings: [..], blocked: string|null }
 */
function plan(purpose, probes) {
  const needs = NEEDS[purpose];
  if (!needs) throw new Error(`unknown purpose ${purpose} (one of ${Object.keys(NEEDS).join(', ')})`);
  const present = [];
  const packages = [];
  const warnings = [];
  let npmCi = false;
  for (const piece of needs) {
    const seen = probes[piece];
    if (seen) {
      present.push({ piece, what: WHAT[piece], where: typeof seen === 'string' ? seen : null });
      continue;
    }
    if (piece === 'node_modules') npmCi = true;
    else if (piece === 'rulePack')
      warnings.push(
        'the ANS rule pack was not found (rules/TestContenuCDA-3-0, or ../shared/reference/TestContenuCDA-3-0): ' +
          'CDA-07 will not be judged and no run can be CONFORMANT. Install it: npm run rules -- --from <checkout of TestContenuCDA>',
      );
    else if (!packages.includes(PACKAGES[piece])) packages.push(PACKAGES[piece]);
  }
  // A JDK brings java too.
  if (packages.includes(PACKAGES.javac)) {
    const i = packages.indexOf(PACKAGES.java);
    if (i >= 0) packages.splice(i, 1);
  }
  const canInstall = Boolean(probes.root && probes.apt);
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  const blocked =
    packages.length > 0 && !canInstall
      ? `Vigie needs Debian packages this machine lacks: ${packages.join(', ')}.\n` +
        `They cannot be installed from here (${probes.root ? 'apt-get not found' : 'not running as root'}). Run:\n` +
        `  sudo ${command}\n` +
        'then run the command again. (Or point Vigie at your own copies: VIGIE_SAXON_JAR, VIGIE_CHROMIUM, JAVA_HOME.)'
      : null;
  return { purpose, present, npmCi, packages, canInstall, command, warnings, blocked };
}

// ---------------------------------------------------------------------------------------------
// Probes of this machine

// One list with the run's (src/cda/jvm.ts, src/cda/rulepack.ts).
const PLACES = JSON.parse(readFileSync(join(ROOT, 'config', 'places.json'), 'utf8'));

function onPath(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : false;
}

function javaTool(name) {
  const home = process.env.JAVA_HOME;
  if (home && existsSync(join(home, 'bin', name))) return join(home, 'bin', name);
  return onPath(name);
}

function saxonJar() {
  const env = process.env.VIGIE_SAXON_JAR;
  if (env) return existsSync(env) ? env : false;
  for (const c of PLACES.saxonJars) if (existsSync(c)) return c;
  if (existsSync(PLACES.saxonJarDir)) {
    const f = readdirSync(PLACES.saxonJarDir).find((n) => new RegExp(PLACES.saxonJarPattern, 'i').test(n));
    if (f) return join(PLACES.saxonJarDir, f);
  }
  return false;
}

/** node_modules holds every dependency the lock file names at the top level, at the locked version. */
function nodeModules(root = ROOT) {
  const lockFile = join(root, 'package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return false;
  if (!existsSync(lockFile)) return join(root, 'node_modules');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  const top = lock.packages && lock.packages[''];
  const names = Object.keys({ ...(top && top.dependencies), ...(top && top.devDependencies) });
  for (const name of names) {
    const locked = lock.packages[`node_modules/${name}`];
    const pj = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) return false;
    if (locked && locked.version && JSON.parse(readFileSync(pj, 'utf8')).version !== locked.version) return false;
  }
  return join(root, 'node_modules');
}

function rulePack(root = ROOT) {
  if (process.env.VIGIE_RULES === 'none') return false;
  const isPack = (d) => PLACES.rulePackMarkers.every((m) => existsSync(join(d, m)));
  if (process.env.VIGIE_RULES) return isPack(resolve(process.env.VIGIE_RULES)) ? resolve(process.env.VIGIE_RULES) : false;
  return PLACES.rulePacks.map((d) => resolve(root, d)).find(isPack) || false;
}

function probeMachine() {
  const chromium = process.env.VIGIE_CHROMIUM || '/usr/bin/chromium';
  return {
    node_modules: nodeModules(),
    java: javaTool('java'),
    javac: javaTool('javac'),
    saxon: saxonJar(),
    chromium: existsSync(chromium) ? chromium : false,
    swaks: onPath('swaks'),
    rulePack: rulePack(),
    root: typeof process.getuid === 'function' && process.getuid() === 0,
    apt: Boolean(onPath('apt-get')),
  };
}

// ---------------------------------------------------------------------------------------------

function describe(p) {
  const lines = [`Vigie preflight (${p.purpose})`];
  for (const x of p.present) lines.push(`  ok       ${x.what}${x.where && x.where !== true ? `: ${x.where}` : ''}`);
  if (p.npmCi) lines.push(`  missing  ${WHAT.node_modules} → npm ci`);
  for (const pkg of p.packages)
    lines.push(`  missing  Debian package ${pkg} → ${p.canInstall ? 'apt-get install' : 'cannot install (see below)'}`);
  for (const w of p.warnings) lines.push(`  warning  ${w}`);
  return lines.join('\n');
}

/** Runs a command; `quiet` keeps its output unless it fails (apt's progress says nothing useful). */
function run(cmd, args, env, quiet = false) {
  const r = spawnSync(cmd, args, {
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    if (quiet) process.stderr.write(`${String(r.stdout).slice(-4000)}${String(r.stderr).slice(-4000)}`);
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  }
}

/** Returns the exit code: 0 ready (or dry run), 2 blocked or failed. */
function main(argv) {
  const dryRun = argv.includes('--dry-run');
  const quiet = argv.includes('--quiet');
  const purpose = argv.find((a) => !a.startsWith('--')) || 'test';
  if (!NEEDS[purpose]) {
    process.stderr.write(`vigie preflight: unknown purpose "${purpose}" (one of ${Object.keys(NEEDS).join(', ')})\n`);
    return 2;
  }
  const p = plan(purpose, probeMachine());
  const nothingToDo = !p.npmCi && p.packages.length === 0;
  if (!quiet || !nothingToDo || dryRun) process.stdout.write(`${describe(p)}\n`);
  if (dryRun) {
    if (p.blocked) process.stdout.write(`\n${p.blocked}\n`);
    else if (!nothingToDo) process.stdout.write('\nWould install the missing pieces listed above.\n');
    return 0;
  }
  if (p.blocked) {
    process.stderr.write(`\n${p.blocked}\n`);
    return 2;
  }
  try {
    if (p.packages.length) {
      process.stdout.write(`== installing Debian packages: ${p.packages.join(' ')}\n`);
      run('apt-get', ['update', '-qq'], {}, true);
      run('apt-get', ['install', '-y', '-qq', ...p.packages], { DEBIAN_FRONTEND: 'noninteractive' }, true);
    }
    if (p.npmCi) {
      process.stdout.write('== installing the npm dependencies (npm ci)\n');
      run('npm', ['ci', '--no-audit', '--no-fund'], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
    }
  } catch (e) {
    process.stderr.write(`vigie preflight: ${e.message}\n`);
    return 2;
  }
  const after = plan(purpose, probeMachine());
  if (after.npmCi || after.packages.length) {
    process.stderr.write(
      `vigie preflight: still missing after installing: ${[...(after.npmCi ? ['node_modules'] : []), ...after.packages].join(', ')}\n`,
    );
    return 2;
  }
  return 0;
}

module.exports = { plan, describe, probeMachine, nodeModules, rulePack, NEEDS, PACKAGES };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
