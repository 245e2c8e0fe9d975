/**
 * The templateId → schematron map (src/cda/rulepack.ts) covers every volet schematron of the ANS
 * pack: each is chosen for a document with the templateIds it constrains and its version; the few
 * that name no templateId at all are said, and can be chosen by hand (--schematron) as the ANS
 * tool's users do. Skipped when the shared reference copy of the pack is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RulePackError } from '../../src/cda';
import { VoletEntry, chooseSchematron, inheritSignatures, openRulePack, selectSchematron } from '../../src/cda/rulepack';
import { scanDocument } from '../../src/cda/scan';

const PACK = join(process.env.VIGIE_CDA_REFERENCE ?? '/work/shared/reference', 'TestContenuCDA-3-0');
const skip = existsSync(PACK) ? false : `no reference copy of the ANS pack at ${PACK}`;

test('a version that names no templateId takes its nearest sibling version’s signature; a lone one keeps none', () => {
  const sig = (root: string) => [{ root, extension: null }];
  const entries: VoletEntry[] = [
    { schematron: 'schematrons/CI-SIS_BIO-CR-BIO_2021.01.sch', version: '2021.01', signature: sig('a') },
    { schematron: 'schematrons/CI-SIS_BIO-CR-BIO_2023.01.sch', version: '2023.01', signature: [] },
    { schematron: 'schematrons/CI-SIS_BIO-CR-BIO_2024.01.sch', version: '2024.01', signature: sig('b') },
    { schematron: 'schematrons/CI-SIS_CSE-MDE_2023.01.sch', version: '2023.01', signature: [] },
  ];
  const out = inheritSignatures(entries);
  assert.deepEqual(out[1]!.signature, sig('b'), '2024.01 is nearer to 2023.01 than 2021.01');
  assert.equal(out[1]!.signatureFrom, 'schematrons/CI-SIS_BIO-CR-BIO_2024.01.sch');
  assert.deepEqual(out[3]!.signature, []);
  assert.equal(out[0], entries[0]);
});

test('every volet schematron of the ANS pack is reachable', { skip }, () => {
  const pack = openRulePack(PACK);
  const files = readdirSync(join(PACK, 'schematrons')).filter((f) => /^CI-SIS_.*\.sch$/.test(f));
  assert.equal(pack.catalogue.length, files.length, 'every CI-SIS_*.sch is in the catalogue');
  const unnamed: string[] = [];
  for (const volet of pack.catalogue) {
    if (!volet.signature.length) {
      unnamed.push(volet.schematron);
      assert.equal(chooseSchematron(pack, volet.schematron.replace(/^schematrons\/CI-SIS_|\.sch$/g, '')), volet.schematron);
      continue;
    }
    const doc = {
      ok: true as const,
      rootLocal: 'ClinicalDocument',
      rootNs: 'urn:hl7-org:v3',
      body: 'structuredBody' as const,
      templateIds: volet.signature.map((t) => ({ root: t.root, extension: t.extension ?? volet.version })),
    };
    const chosen = selectSchematron(pack, doc as never);
    assert.equal(chosen.schematron, volet.schematron, `${volet.schematron}: ${chosen.reason}`);
  }
  // The pack's two volets whose schematron asserts no document templateId (their headers check other things).
  assert.deepEqual(unnamed, ['schematrons/CI-SIS_CSE-MDE_2023.01.sch', 'schematrons/CI-SIS_OPH-CR-RTN_2022.01.sch']);
  const none = selectSchematron(pack, {
    ok: true,
    rootLocal: 'ClinicalDocument',
    rootNs: 'urn:hl7-org:v3',
    body: 'structuredBody',
    templateIds: [{ root: '1.2.250.1.213.1.1.1.999', extension: null }],
  } as never);
  assert.match(none.reason, /CSE-MDE_2023\.01, OPH-CR-RTN_2022\.01 name no templateId: choose one with --schematron/);
  assert.throws(
    () => chooseSchematron(pack, 'NOPE_2020.01'),
    (e: Error) => e instanceof RulePackError && /no such volet schematron/.test(e.message),
  );
});

test('a BIO report declaring version 2023.01 is judged by the 2023.01 schematron (whose header include the pack lacks)', { skip }, () => {
  const pack = openRulePack(PACK);
  const original = readFileSync(join(PACK, 'ExemplesCDA', 'BIO-CR-BIO_2024.01_TSH_1.xml'), 'utf8');
  const older = original.replace(
    '<templateId root="1.3.6.1.4.1.19376.1.3.3"/>',
    '<templateId root="1.3.6.1.4.1.19376.1.3.3" extension="2023.01"/>',
  );
  assert.notEqual(older, original, 'the variant declares its version');
  const scan = scanDocument(Buffer.from(older));
  assert.ok(scan.ok);
  assert.equal(selectSchematron(pack, scan).schematron, 'schematrons/CI-SIS_BIO-CR-BIO_2023.01.sch');
  assert.equal(
    selectSchematron(pack, scanDocument(Buffer.from(original)) as never).schematron,
    'schematrons/CI-SIS_BIO-CR-BIO_2024.01.sch',
  );
});
