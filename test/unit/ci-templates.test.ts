/**
 * The CI templates (docs/ci/): they parse, their jobs hang together, every shell block is valid
 * bash, and every `vigie` command and option, npm script and rules option they call exists.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT, loadTarget } from '../../src/config/load';
import { tempDir } from '../support/tmp';

const TEMPLATES = join(PROJECT_ROOT, 'docs', 'ci');
const vigie = (args: string[]) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), ...args], { encoding: 'utf8', timeout: 30_000 });
const commands = new Set([...vigie(['--help']).stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!));
const helpOf = new Map<string, string>();

/** Every shell line of a template that calls vigie, npm or the rules script: checked against what exists. */
function checkCalls(script: string, where: string): number {
  let calls = 0;
  // ${{ … }} (GitHub expressions) become a word, as the runner substitutes them before the shell sees them.
  const shell = script.replace(/\$\{\{[^}]*\}\}/g, 'x');
  const syntax = spawnSync('bash', ['-n'], { input: shell, encoding: 'utf8' });
  assert.equal(syntax.status, 0, `${where}: not valid bash: ${syntax.stderr}\n${shell}`);
  for (const [, cmd, rest] of shell.matchAll(/\bnpx vigie ([a-z]+)([^\n;|&>]*)/g)) {
    calls++;
    assert.ok(commands.has(cmd!), `${where}: vigie ${cmd} is not a command of vigie --help (${[...commands].join(', ')})`);
    if (!helpOf.has(cmd!)) helpOf.set(cmd!, vigie([cmd!, '--help']).stdout);
    for (const [option] of rest!.matchAll(/--[a-z-]+/g))
      assert.ok(new RegExp(`${option}\\b`).test(helpOf.get(cmd!)!), `${where}: vigie ${cmd} has no ${option} (vigie ${cmd} --help)`);
  }
  const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const [, name, rest] of shell.matchAll(/\bnpm run ([\w:-]+)([^\n;|&]*)/g)) {
    calls++;
    assert.ok(scripts[name!], `${where}: npm run ${name}: no such script in package.json`);
    if (name === 'rules')
      for (const [option] of rest!.matchAll(/--[a-z-]+/g))
        assert.ok(
          readFileSync(join(PROJECT_ROOT, 'scripts', 'install-rules.cjs'), 'utf8').includes(option),
          `${where}: npm run rules has no ${option}`,
        );
  }
  return calls;
}

test('GitHub Actions: two shards, a merge job that diffs against the last successful run; every command exists', () => {
  const workflow = parse(readFileSync(join(TEMPLATES, 'github-actions.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<
      string,
      {
        'runs-on': string;
        needs?: string;
        steps: { run?: string; uses?: string; name?: string }[];
        strategy?: { matrix: { shard: number[] } };
      }
    >;
  };
  assert.ok(workflow.on.schedule && 'workflow_dispatch' in workflow.on);
  assert.deepEqual(workflow.jobs.shard!.strategy!.matrix.shard, [1, 2]);
  assert.equal(workflow.jobs.merge!.needs, 'shard');
  let calls = 0;
  for (const [name, job] of Object.entries(workflow.jobs)) {
    assert.ok(job['runs-on'], `${name}: runs-on`);
    for (const step of job.steps) {
      if (step.uses) assert.match(step.uses, /^actions\/[\w-]+(\/[\w-]+)?@v\d+$/, `${name}: only GitHub's own actions, pinned to a major`);
      if (step.run) calls += checkCalls(step.run, `github-actions.yml ${name} "${step.name ?? step.run.slice(0, 40)}"`);
    }
  }
  const all = JSON.stringify(workflow);
  for (const used of [
    'vigie run --target staging --shard',
    'vigie merge',
    'vigie report',
    'vigie bundle',
    'vigie verify',
    'vigie diff',
    'junit.xml',
  ])
    assert.ok(all.includes(used), `the workflow uses ${used}`);
  assert.ok(calls >= 10, `${calls} calls checked`);
});

test('GitLab CI: parallel shards, a verdict job after them; stages, extends and needs resolve; every command exists', () => {
  const pipeline = parse(readFileSync(join(TEMPLATES, 'gitlab-ci.yml'), 'utf8')) as Record<string, unknown> & { stages: string[] };
  type Job = {
    stage?: string;
    extends?: string;
    needs?: string[];
    script?: string[];
    before_script?: string[];
    parallel?: number;
    artifacts?: { reports?: { junit?: string } };
  };
  const jobs = Object.entries(pipeline).filter(([name, v]) => !['stages', 'variables'].includes(name) && typeof v === 'object') as [
    string,
    Job,
  ][];
  const byName = new Map(jobs);
  let calls = 0;
  for (const [name, job] of jobs) {
    if (job.extends) assert.ok(byName.has(job.extends), `${name}: extends ${job.extends}`);
    if (!name.startsWith('.')) assert.ok(pipeline.stages.includes(job.stage!), `${name}: stage ${job.stage} in stages`);
    for (const need of job.needs ?? []) assert.ok(byName.has(need), `${name}: needs ${need}`);
    const lines = [...(job.before_script ?? []), ...(job.script ?? [])];
    if (lines.length) calls += checkCalls(lines.join('\n'), `gitlab-ci.yml ${name}`);
  }
  assert.equal(byName.get('vigie-shard')!.parallel, 2);
  assert.match(byName.get('vigie-shard')!.artifacts!.reports!.junit!, /junit\.xml$/);
  assert.deepEqual(byName.get('vigie-verdict')!.needs, ['vigie-shard']);
  const verdict = byName.get('vigie-verdict')!.script!.join('\n');
  for (const used of ['vigie merge', 'vigie report', 'vigie bundle', 'vigie verify', 'vigie diff'])
    assert.ok(verdict.includes(used), `the verdict job uses ${used}`);
  assert.ok(calls >= 9, `${calls} calls checked`);
});

test("the target both templates write passes Vigie's config validation", () => {
  const dir = tempDir('vigie-ci-');
  try {
    for (const template of ['github-actions.yml', 'gitlab-ci.yml']) {
      const text = readFileSync(join(TEMPLATES, template), 'utf8');
      const json = /cat > config\/targets\/staging\.json <<JSON\n([\s\S]*?)\n\s*JSON/.exec(text)?.[1];
      assert.ok(json, `${template} writes config/targets/staging.json`);
      const file = join(dir, 'staging.json');
      writeFileSync(file, json.replace('$VIGIE_TARGET_URL', 'http://lgc.staging.test:8700').replace('$VIGIE_DOUBLES_HOST', 'runner.test'));
      const loaded = loadTarget(file);
      assert.equal(loaded.config.baseUrl, 'http://lgc.staging.test:8700', template);
      assert.equal(loaded.config.driver, 'http');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the checks bite: an unknown command, an unknown option, bad bash are refused', () => {
  assert.throws(() => checkCalls('npx vigie publish', 't'), /vigie publish is not a command/);
  assert.throws(() => checkCalls('npx vigie run --sharded 1/2', 't'), /vigie run has no --sharded/);
  assert.throws(() => checkCalls('npm run nightly', 't'), /npm run nightly: no such script/);
  assert.throws(() => checkCalls('if [ 1 ]; then echo', 't'), /not valid bash/);
});
