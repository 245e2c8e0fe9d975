import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/config/load';
import { SelectionError, makePlan, parseFeatures, splitLines } from '../../src/harness/plan';

const OPP01 = 'features/dmp/opp-01-pre-checked.feature';

test('file:line selects scenarios as cucumber does (an outline line keeps every row, a row line keeps one)', () => {
  assert.deepEqual(splitLines(`${OPP01}:18:19`), { path: OPP01, lines: [18, 19] });
  assert.deepEqual(splitLines('features/dmp'), { path: 'features/dmp', lines: [] });
  const whole = parseFeatures(PROJECT_ROOT, [OPP01]);
  const outline = parseFeatures(PROJECT_ROOT, [`${OPP01}:10`]);
  assert.ok(outline.length >= 2 && outline.every((s) => s.location.startsWith(OPP01)));
  assert.ok(whole.length >= outline.length);
  const row = parseFeatures(PROJECT_ROOT, [`${OPP01}:${outline[1].location.split(':')[1]}`]);
  assert.deepEqual(
    row.map((s) => s.location),
    [outline[1].location],
  );
  // A file named whole once stays whole.
  assert.equal(parseFeatures(PROJECT_ROOT, [OPP01, `${OPP01}:10`]).length, whole.length);
  const plan = makePlan({ root: PROJECT_ROOT, side: 'lgc', paths: [row[0].location] });
  assert.deepEqual(plan.inScope, ['OPP-01']);
});

test('file:line at no scenario is a clear selection error', () => {
  assert.throws(
    () => parseFeatures(PROJECT_ROOT, [`${OPP01}:2`]),
    (e: Error) => e instanceof SelectionError && /no scenario or example row at line 2/.test(e.message),
  );
});
