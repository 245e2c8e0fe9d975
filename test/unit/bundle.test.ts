/** The sealed evidence bundle: `vigie run --bundle`, `vigie bundle`, `vigie verify` (src/report/bundle.ts, src/cli/bundle.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/config/load';
import { readZip } from '../../src/oracles/zip';
import { MANIFEST, Manifest, sha256, zip } from '../../src/report/bundle';
import { tempDir } from '../support/tmp';

const dir = tempDir('vigie-bundle-');
after(() => rmSync(dir, { recursive: true, force: true }));

const vigie = (args: string[], timeout = 30_000) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'vigie'), ...args], { encoding: 'utf8', timeout });

/** Rewrites an archive entry by entry (the manifest kept as it was sealed), as someone editing a bundle by hand would. */
function tamper(bundle: string, out: string, edit: (entries: { path: string; content: Buffer }[]) => { path: string; content: Buffer }[]) {
  const entries = readZip(readFileSync(bundle), { maxEntries: 100_000, maxTotalBytes: 1024 ** 3 }).map((e) => ({
    path: e.name,
    content: Buffer.from(e.content),
  }));
  writeFileSync(out, zip(edit(entries)));
  return out;
}

test('a run sealed with --bundle verifies intact; one byte changed, a file removed or added is named; not a bundle is exit 2', () => {
  const reports = join(dir, 'reports');
  const run = vigie(['run', 'features/ins/ins-07-outcomes.feature', '--reports', reports, '--bundle'], 180_000);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const name = readdirSync(reports).find((f) => /^vigie-.+-\d{4}-\d{2}-\d{2}T\d{4}Z\.zip$/.test(f));
  assert.ok(name, `a vigie-<target>-<date>.zip in ${readdirSync(reports).join(', ')}`);
  const bundle = join(reports, name);
  assert.match(run.stdout, /MANIFEST\.json SHA-256: [0-9a-f]{64}/);

  // What is inside: the manifest first, the reports a reviewer reads, every exchange as a file of its own.
  const entries = readZip(readFileSync(bundle), { maxEntries: 100_000, maxTotalBytes: 1024 ** 3 });
  assert.equal(entries[0]!.name, MANIFEST);
  const manifest = JSON.parse(entries[0]!.content.toString('utf8')) as Manifest;
  for (const top of ['conformance.html', 'summary.json', 'junit.xml', 'cucumber-messages.ndjson'])
    assert.ok(
      manifest.files.some((f) => f.path === top),
      top,
    );
  const evidence = manifest.files.filter((f) => f.path.startsWith('evidence/'));
  assert.ok(evidence.length > 0, 'the exchanges are in the bundle');
  assert.equal(manifest.outcome, 'conformant');
  assert.match(manifest.harness, /^vigie /);
  assert.match(manifest.config, /^sha256:/);
  assert.match(manifest.command ?? '', /^vigie run features\/ins\/ins-07-outcomes\.feature .*--bundle/);
  for (const file of manifest.files) {
    const entry = entries.find((e) => e.name === file.path);
    assert.equal(sha256(entry!.content), file.sha256, file.path);
  }
  // Any ZIP tool reads it.
  const unzip = spawnSync('unzip', ['-tq', bundle], { encoding: 'utf8' });
  if (!unzip.error) assert.equal(unzip.status, 0, unzip.stdout + unzip.stderr);

  const intact = vigie(['verify', bundle]);
  assert.equal(intact.status, 0, intact.stdout + intact.stderr);
  assert.match(intact.stdout, new RegExp(`INTACT: the ${manifest.files.length} files match`));
  assert.match(intact.stdout, /outcome conformant/);

  // One byte of one exchange changed, the manifest left as sealed: exit 1, the file named.
  const victim = evidence[0]!.path;
  const changed = tamper(bundle, join(dir, 'changed.zip'), (all) =>
    all.map((e) => {
      if (e.path !== victim) return e;
      const content = Buffer.from(e.content);
      content[Math.floor(content.length / 2)] ^= 0x01;
      return { path: e.path, content };
    }),
  );
  const altered = vigie(['verify', changed]);
  assert.equal(altered.status, 1, altered.stdout + altered.stderr);
  assert.ok(altered.stdout.includes(`CHANGED  ${victim}`), altered.stdout);
  assert.match(altered.stdout, /ALTERED: 1 changed, 0 missing, 0 added/);

  const removed = vigie(['verify', tamper(bundle, join(dir, 'removed.zip'), (all) => all.filter((e) => e.path !== 'junit.xml'))]);
  assert.equal(removed.status, 1);
  assert.match(removed.stdout, /MISSING {2}junit\.xml/);

  const added = vigie([
    'verify',
    tamper(bundle, join(dir, 'added.zip'), (all) => [...all, { path: 'evidence/extra.txt', content: Buffer.from('later') }]),
  ]);
  assert.equal(added.status, 1);
  assert.match(added.stdout, /ADDED {4}evidence\/extra\.txt \(not in MANIFEST\.json\)/);

  // vigie diff reads a bundle as it reads a summary.json, and refuses one whose summary was changed.
  const same = vigie(['diff', bundle, reports]);
  assert.equal(same.status, 0, same.stdout + same.stderr);
  const forged = tamper(bundle, join(dir, 'forged.zip'), (all) =>
    all.map((e) =>
      e.path === 'summary.json' ? { path: e.path, content: Buffer.from(e.content.toString().replace('"pass"', '"fail"')) } : e,
    ),
  );
  const refused = vigie(['diff', forged, reports]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /forged\.zip: the bundle's summary\.json does not match its MANIFEST\.json/);

  // Not a bundle at all, a ZIP without a manifest, no file: exit 2 and a reason.
  writeFileSync(join(dir, 'garbage.zip'), 'not a zip');
  const garbage = vigie(['verify', join(dir, 'garbage.zip')]);
  assert.equal(garbage.status, 2);
  assert.match(garbage.stderr, /not a ZIP archive/);
  const bare = vigie(['verify', tamper(bundle, join(dir, 'bare.zip'), (all) => all.filter((e) => e.path !== MANIFEST))]);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /no MANIFEST\.json in the archive: not a Vigie evidence bundle/);
  assert.equal(vigie(['verify', join(dir, 'nowhere.zip')]).status, 2);

  // vigie bundle on its own, from a reports folder, to a chosen file; and a folder no run wrote.
  const again = vigie(['bundle', '--reports', reports, '--out', join(dir, 'again.zip')]);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(existsSync(join(dir, 'again.zip')));
  assert.equal(vigie(['verify', join(dir, 'again.zip')]).status, 0);
  const empty = vigie(['bundle', '--reports', join(dir, 'empty')]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /summary\.json: bundle a reports folder that a vigie run wrote/);
});
