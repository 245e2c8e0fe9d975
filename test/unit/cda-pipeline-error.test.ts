/** The one-line reason a schematron run stopped (src/cda/pipeline-error.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPipelineError } from '../../src/cda/pipeline-error';

test('a value set the pack lacks: named in one line, with the note that ANS stops there too', () => {
  const saxon =
    'Error evaluating (fn:empty(...) or fn:empty(...)) in xsl:when/@test on line 2621 column 166 of ASIP-STRUCT-MIN-StrucMin.xsl: ' +
    'FODC0002: I/O error reported by XML parser processing schematrons/profils/structurationMinimale/include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml: ' +
    'schematrons/profils/structurationMinimale/include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml (No such file or directory)';
  const said = explainPipelineError(saxon);
  assert.equal(
    said,
    'the ANS rule pack lacks voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml, a value set its schematron reads ' +
      '(schematrons/profils/structurationMinimale/include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml); the ANS pipeline stops there too',
  );
  assert.ok(!said.includes('\n'));
});

test('any other stop: one line, at most 240 characters', () => {
  const said = explainPipelineError(`XTDE0640: circular\n   definition ${'x'.repeat(500)}`);
  assert.ok(!said.includes('\n'));
  assert.ok(said.length <= 241);
  assert.match(said, /^XTDE0640: circular definition x+…$/);
});
