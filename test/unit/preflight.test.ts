/**
 * The preflight of the README's commands (scripts/preflight.cjs), with injected probes: for each
 * missing piece, what it installs (root with apt) or the exact command it stops with (not root).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

interface Plan {
  npmCi: boolean;
  packages: string[];
  canInstall: boolean;
  command: string;
  warnings: string[];
  blocked: string | null;
  present: { piece: string }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS that runs before npm ci
const preflight = require('../../scripts/preflight.cjs') as {
  plan: (purpose: string, probes: object) => Plan;
  describe: (p: Plan) => string;
};

const ALL_THERE = {
  node_modules: '/x/node_modules',
  java: '/usr/bin/java',
  javac: '/usr/bin/javac',
  saxon: '/usr/share/java/Saxon-HE.jar',
  chromium: '/usr/bin/chromium',
  swaks: '/usr/bin/swaks',
  rulePack: '/x/rules/TestContenuCDA-3-0',
  root: false,
  apt: true,
};

test('a machine that has everything: nothing to install, nothing said but ok', () => {
  for (const purpose of ['conformance', 'ui', 'test', 'bench', 'report']) {
    const plan = preflight.plan(purpose, ALL_THERE);
    assert.equal(plan.npmCi, false);
    assert.deepEqual(plan.packages, []);
    assert.equal(plan.blocked, null);
    assert.deepEqual(plan.warnings, []);
  }
});

const PIECES: [keyof typeof ALL_THERE, string, string[]][] = [
  ['saxon', 'libsaxonhe-java', ['conformance', 'ui', 'test', 'bench']],
  ['chromium', 'chromium', ['ui', 'test']],
  ['swaks', 'swaks', ['test']],
  ['javac', 'default-jdk-headless', ['conformance', 'test']],
  ['java', 'default-jre-headless', ['conformance', 'report']],
];

for (const [piece, pkg, purposes] of PIECES) {
  test(`${piece} missing: root with apt installs ${pkg}; anyone else is stopped with the exact command`, () => {
    for (const purpose of purposes) {
      const asRoot = preflight.plan(purpose, { ...ALL_THERE, [piece]: false, root: true });
      assert.deepEqual(asRoot.packages, [pkg], purpose);
      assert.equal(asRoot.canInstall, true);
      assert.equal(asRoot.blocked, null);
      const asUser = preflight.plan(purpose, { ...ALL_THERE, [piece]: false, root: false });
      assert.equal(asUser.canInstall, false);
      assert.match(asUser.blocked ?? '', new RegExp(`sudo apt-get update && apt-get install -y ${pkg}\\n`));
      assert.match(asUser.blocked ?? '', /not running as root/);
      const noApt = preflight.plan(purpose, { ...ALL_THERE, [piece]: false, root: true, apt: false });
      assert.match(noApt.blocked ?? '', /apt-get not found/);
    }
  });
}

test('a piece a purpose does not need is not installed for it', () => {
  assert.deepEqual(preflight.plan('conformance', { ...ALL_THERE, chromium: false, swaks: false, root: true }).packages, []);
  assert.deepEqual(preflight.plan('report', { ...ALL_THERE, saxon: false, root: true }).packages, []);
});

test('no JDK and no Java: one package, the JDK (it brings java)', () => {
  const plan = preflight.plan('test', { ...ALL_THERE, java: false, javac: false, saxon: false, root: true });
  assert.deepEqual(plan.packages, ['default-jdk-headless', 'libsaxonhe-java']);
});

test('node_modules missing: npm ci, for any user', () => {
  const plan = preflight.plan('conformance', { ...ALL_THERE, node_modules: false });
  assert.equal(plan.npmCi, true);
  assert.equal(plan.blocked, null);
  assert.match(preflight.describe(plan), /missing {2}the npm dependencies \(node_modules\) → npm ci/);
});

test('the rule pack missing: a warning that CDA-07 will not be judged, and how to install it; not a stop', () => {
  const plan = preflight.plan('conformance', { ...ALL_THERE, rulePack: false });
  assert.equal(plan.blocked, null);
  assert.equal(plan.warnings.length, 1);
  assert.match(plan.warnings[0], /CDA-07 will not be judged/);
  assert.match(plan.warnings[0], /npm run rules/);
});

test('an unknown purpose is an error naming the known ones', () => {
  assert.throws(() => preflight.plan('deploy', ALL_THERE), /unknown purpose deploy \(one of conformance, ui, test, bench, report\)/);
});

test('vigie doctor --dry-run on this machine prints every probe and exits 0', () => {
  const reply = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'vigie'), 'doctor', 'test', '--dry-run'], {
    encoding: 'utf8',
    timeout: 30000,
  });
  assert.equal(reply.status, 0, reply.stderr);
  for (const what of ['Java', 'JDK', 'Saxon-HE', 'Chromium', 'swaks', 'rule pack', 'npm dependencies']) {
    assert.match(reply.stdout, new RegExp(what), `doctor names ${what}`);
  }
});
