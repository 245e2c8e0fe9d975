/**
 * The CDA oracle on Vigie's own mini rule pack (fixtures/cda/minipack, written for these tests):
 * the Schematron→XSLT compiler (include, abstract patterns, <extends>, phases, <let> at each level,
 * messages, locations), the choice of schematron, the layers, and the `vigie validate` command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { CdaJvm, CdaLayer, ansVerdict, headerVerdict, validateCda } from '../../src/cda';
import { validateCommand } from '../../src/cda/cli';
import { findSaxonJar } from '../../src/cda/jvm';
import { compileSchematron } from '../../src/cda/schematron/compile';

const ROOT = join(__dirname, '..', '..');
const PACK = join(ROOT, 'fixtures', 'cda', 'minipack');
const DOCS = join(ROOT, 'fixtures', 'cda', 'docs');

function noJava(): string | false {
  if (spawnSync('java', ['-version']).error) return 'java absent: the CDA oracle needs a JVM';
  try {
    findSaxonJar();
  } catch (e) {
    return (e as Error).message;
  }
  return false;
}

test('compiler: only the defaultPhase patterns, abstract patterns instantiated, missing include tolerated', () => {
  const compiled = compileSchematron(join(PACK, 'schematrons', 'CI-SIS_MINI_2024.01.sch'));
  assert.equal(compiled.stats.activePatterns, 4);
  assert.equal(compiled.stats.patterns, 5, 'header, vs-code, entries, broken, inactive (the abstract one is gone)');
  assert.ok(!compiled.xslt.includes('[inactive]'), 'a pattern outside the phase is not compiled');
  assert.ok(compiled.xslt.includes('match="cda:entry/cda:code"'), 'the abstract rule context takes the parameter value');
  assert.ok(compiled.xslt.includes("document('../jeuxDeValeurs/JDV_Mini.xml')"), 'parameters are replaced in tests');
  assert.ok(
    compiled.warnings.some((w) => /missing-file\.sch/.test(w)),
    'an include that is not there is a warning, not a failure',
  );
  assert.match(compiled.xslt, /xml:base="file:[^"]*CI-SIS_MINI_2024\.01\.sch"/, 'document() resolves from the schematron file');
});

test('layers and verdicts on the mini pack', { skip: noJava() }, async () => {
  const jvm = new CdaJvm();
  try {
    const files = ['mini-valid.xml', 'mini-invalid.xml', 'mini-cannot-run.xml', 'mini-unknown-type.xml', 'mini-xsd-invalid.xml'].map((f) =>
      join(DOCS, f),
    );
    const res = await validateCda(files, { rulesDir: PACK, jvm });
    assert.equal(res.rulePack.path, PACK);
    assert.match(res.rulePack.hash, /^[0-9a-f]{64}$/);
    const [ok, bad, cannot, unknown, xsd] = res.documents;

    assert.equal(ok.valid, true);
    assert.equal(ok.schematron, 'schematrons/CI-SIS_MINI_2024.01.sch');
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(
      ok.notices.map((n) => n.text),
      ["[header] short title 'ok'"],
      'a report with role info is a notice, not an error',
    );

    assert.equal(bad.valid, false);
    assert.equal(bad.xsdValid, true);
    assert.deepEqual(
      bad.errors.map((e) => [e.layer, e.location, e.line, e.text, e.rule]),
      [
        ['schematron', '/ClinicalDocument', 2, '[header] ClinicalDocument needs a title', 'header'],
        [
          'schematron',
          '/ClinicalDocument/entry[2]/code',
          8,
          '[inValueSet] entry/code code Z not in ../jeuxDeValeurs/JDV_Mini.xml.',
          'vs-code',
        ],
        ['schematron', '/ClinicalDocument/entry[2]', 7, '[entries] entry without value', 'entries'],
        // two <value-of> separated by white space only: the reference drops that space too
        ['schematron', '/ClinicalDocument/entry[2]', 7, '[entries] status is koko, expected ok', 'entries'],
      ],
    );

    assert.equal(cannot.valid, null);
    assert.match(cannot.couldNotJudge ?? '', /could not run.*absent\.xml/);

    assert.equal(unknown.valid, null);
    assert.equal(unknown.schematron, null);
    assert.equal(unknown.couldNotJudge, 'no schematron in the rule pack for templateIds 1.2.250.1.213.1.1.1.12345');

    assert.equal(xsd.valid, false);
    assert.equal(xsd.xsdValid, false);
    assert.deepEqual(
      xsd.errors.map((e) => [e.layer, e.line]),
      [['xsd', 3]],
    );
  } finally {
    jvm.close();
  }
});

test('the ANS verdict and the header verdict, each on its own layers', () => {
  const base = { couldNotJudge: null, xsdValid: true, schematron: 'schematrons/CI-SIS_X.sch' };
  const error = (layer: CdaLayer) => ({ layer, location: null, line: null, text: 't', rule: null });
  assert.equal(ansVerdict({ ...base, errors: [] }), 'valid');
  assert.equal(ansVerdict({ ...base, errors: [error('header')] }), 'valid', 'a header finding is not the ANS rules speaking');
  for (const layer of ['parse', 'xsd', 'schematron'] as const)
    assert.equal(ansVerdict({ ...base, errors: [error(layer)] }), 'invalid', layer);
  assert.equal(ansVerdict({ ...base, errors: [], couldNotJudge: 'no schematron for …' }), 'could-not-judge');
  assert.equal(ansVerdict({ ...base, errors: [], schematron: null }), 'could-not-judge', 'no rule pack: the ANS schematron did not run');
  assert.equal(ansVerdict({ ...base, errors: [], xsdValid: null }), 'could-not-judge');
  assert.equal(headerVerdict({ errors: [error('header')] }, true), 'invalid');
  assert.equal(headerVerdict({ errors: [error('schematron')] }, true), 'valid');
  assert.equal(headerVerdict({ errors: [] }, false), 'not-run');
});

test('vigie validate: JSON shape, exit codes 0/1/2', { skip: noJava() }, async () => {
  let out = '';
  let err = '';
  const io = {
    out: (s: string) => {
      out += s;
    },
    err: (s: string) => {
      err += s;
    },
  };
  // The mini documents have no CI-SIS header: the ANS layers only.
  assert.equal(
    await validateCommand(['validate', join(DOCS, 'mini-valid.xml'), '--rules', PACK, '--format', 'json', '--no-header'], io),
    0,
    err,
  );
  const json = JSON.parse(out) as { rulePack: Record<string, unknown>; documents: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(json), ['rulePack', 'documents']);
  assert.deepEqual(Object.keys(json.rulePack), ['path', 'hash', 'commit']);
  assert.deepEqual(Object.keys(json.documents[0]), [
    'file',
    'valid',
    'schematron',
    'schematronNote',
    'xsdValid',
    'errors',
    'couldNotJudge',
    'ans',
    'header',
  ]);
  assert.deepEqual([json.documents[0]!.ans, json.documents[0]!.header], ['valid', 'not-run']);

  // With Vigie's header rules: the ANS layers still say valid, the header layer speaks on its own.
  out = '';
  assert.equal(await validateCommand(['validate', join(DOCS, 'mini-valid.xml'), '--rules', PACK, '--format', 'json'], io), 1);
  const strict = (JSON.parse(out) as { documents: { valid: boolean; ans: string; header: string; errors: { layer: string }[] }[] })
    .documents[0]!;
  assert.deepEqual([strict.valid, strict.ans, strict.header], [false, 'valid', 'invalid']);
  assert.ok(strict.errors.length > 0 && strict.errors.every((e) => e.layer === 'header'));
  out = '';
  assert.equal(await validateCommand(['validate', join(DOCS, 'mini-valid.xml'), '--rules', PACK], io), 1);
  assert.match(out, /ANS rules: valid; Vigie's header rules: invalid/);
  assert.match(out, /1 document\(s\): 0 valid, 1 invalid \(0 by the ANS rules, 1 by Vigie's header rules only\), 0 not judged/);

  out = '';
  assert.equal(await validateCommand([join(DOCS, 'mini-invalid.xml'), `--rules=${PACK}`, '--format=junit', '--no-header'], io), 1);
  assert.match(out, /<testsuite name="vigie validate \(CDA\)" tests="1" failures="1" errors="0" time="\d+\.\d{3}">/);

  out = '';
  assert.equal(
    await validateCommand([join(DOCS, 'mini-unknown-type.xml'), '--rules', PACK, '--no-header'], io),
    2,
    'a document that cannot be judged',
  );
  assert.match(out, /NOT JUDGED/);

  err = '';
  assert.equal(await validateCommand([join(DOCS, 'mini-valid.xml'), '--rules', join(ROOT, 'no-such-pack')], io), 2);
  assert.match(err, /rule pack not found/);
  assert.equal(await validateCommand(['--format', 'yaml', DOCS], io), 2);

  out = '';
  assert.equal(
    await validateCommand([join(DOCS, 'mini-valid.xml'), '--rules', PACK, '--format', 'json'], io),
    1,
    'with the header layer, a document without a CI-SIS header is invalid',
  );
  const withHeader = JSON.parse(out) as { documents: { errors: { layer: string; rule: string }[] }[] };
  assert.ok(withHeader.documents[0].errors.some((e) => e.layer === 'header' && e.rule === 'CDA-02'));
});

test('a document over the time limit is not judged, and the JVM is restarted for the next one', { skip: noJava() }, async () => {
  const jvm = new CdaJvm();
  try {
    const slow = await validateCda([join(DOCS, 'mini-valid.xml')], { rulesDir: PACK, jvm, timeoutMs: 1 });
    assert.equal(slow.documents[0].valid, null);
    assert.match(slow.documents[0].couldNotJudge ?? '', /no answer within 0.001 s/);
    const next = await validateCda([join(DOCS, 'mini-valid.xml')], { rulesDir: PACK, jvm });
    assert.equal(next.documents[0].valid, true);
    assert.equal(jvm.restarts, 1);
  } finally {
    jvm.close();
  }
});
