/**
 * The templateId → schematron map (src/cda/rulepack.ts) covers every volet schematron of the ANS
 * pack: each is chosen for a document with the templateIds it constrains and its version; the few
 * that name no templateId at all are said, and can be chosen by hand (--schematron) as the ANS
 * tool's users do. Skipped when the shared reference copy of the pack is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RulePackError, validateCda } from '../../src/cda';
import { ansPipeline, skeletonDir } from '../../src/cda/ans-pipeline';
import { selfPresenting } from '../../src/cda/corpus';
import { findSaxonJar } from '../../src/cda/jvm';
import { PROJECT_ROOT } from '../../src/config/load';
import type { Summary } from '../../src/report/summary';
import { VoletEntry, chooseSchematron, inheritSignatures, openRulePack, selectSchematron } from '../../src/cda/rulepack';
import { scanDocument } from '../../src/cda/scan';
import { tempDir } from '../support/tmp';

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
      clinicalDocument: 'root',
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
    clinicalDocument: 'root',
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

test('scan: the ClinicalDocument of a self-presenting stylesheet, its templateIds and body; a literal one deeper is not a document', () => {
  const cda =
    '<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="1.2.250.1.213.1.1.1.37"/><component><structuredBody/></component></ClinicalDocument>';
  const plain = scanDocument(Buffer.from(cda));
  const wrapped = scanDocument(Buffer.from(selfPresenting(cda)));
  assert.ok(plain.ok && wrapped.ok);
  assert.equal(plain.clinicalDocument, 'root');
  assert.equal(wrapped.clinicalDocument, 'in-stylesheet');
  assert.deepEqual(wrapped.templateIds, plain.templateIds);
  assert.equal(wrapped.body, 'structuredBody');
  const literal = scanDocument(
    Buffer.from(
      `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">${cda}</xsl:template></xsl:stylesheet>`,
    ),
  );
  assert.ok(literal.ok);
  assert.equal(literal.clinicalDocument, null);
  assert.deepEqual(literal.templateIds, []);
  const other = scanDocument(Buffer.from('<html xmlns="urn:hl7-org:v3"><templateId root="x"/></html>'));
  assert.ok(other.ok && other.clinicalDocument === null && other.templateIds.length === 0);
});

test(
  'a self-presenting document is judged as ANS does: the same schema and schematron verdicts as the document it holds',
  { skip },
  async () => {
    const examples = ['VAC_2023.01.xml', 'IPS-FR_2024.01.xml', 'eP-MED-DM_2024.01_PosoStruct.xml'];
    const inputs = examples.flatMap((name) => {
      const cda = readFileSync(join(PACK, 'ExemplesCDA', name), 'utf8');
      // And one the ANS rules reject: the vaccination document with another document code (its header rule asserts 11369-6).
      const broken = name.startsWith('VAC')
        ? [{ name: `broken-${name}`, content: Buffer.from(cda.replace('code="11369-6"', 'code="11369-7"')) }]
        : [];
      return [{ name, content: Buffer.from(cda) }, { name: `self-${name}`, content: Buffer.from(selfPresenting(cda)) }, ...broken].concat(
        broken.map((b) => ({ name: `self-${b.name}`, content: Buffer.from(selfPresenting(b.content.toString('utf8'))) })),
      );
    });
    const { documents } = await validateCda(inputs, { rulesDir: PACK });
    const byName = new Map(documents.map((d) => [d.file, d]));
    for (const name of [...examples, `broken-${examples[0]}`]) {
      const plain = byName.get(name)!;
      const self = byName.get(`self-${name}`)!;
      assert.equal(self.schematron, plain.schematron, name);
      assert.equal(self.xsdValid, true, `${name}: the CDA schema admits the stylesheet (it imports the XSLT schema)`);
      assert.equal(self.ans, plain.ans, `${name}: ${JSON.stringify(self.errors.slice(0, 2))}`);
      assert.deepEqual(
        self.errors.filter((e) => e.layer === 'schematron').map((e) => e.text),
        plain.errors.filter((e) => e.layer === 'schematron').map((e) => e.text),
        name,
      );
    }
    assert.equal(byName.get(`self-broken-${examples[0]}`)!.ans, 'invalid', 'the rules still bite inside the stylesheet');
  },
);

test('a document declaring a version the pack lacks is judged with the nearest earlier one, and the verdict says so', { skip }, () => {
  const pack = openRulePack(PACK);
  const example = (name: string) => readFileSync(join(PACK, 'ExemplesCDA', name), 'utf8');
  const select = (xml: string) => selectSchematron(pack, scanDocument(Buffer.from(xml)) as never);
  const vac = select(
    example('VAC_2023.01.xml').replace(
      '<templateId root="1.2.250.1.213.1.1.1.37" extension="2023.01"/>',
      '<templateId root="1.2.250.1.213.1.1.1.37" extension="2021.01"/>',
    ),
  );
  assert.equal(vac.schematron, 'schematrons/CI-SIS_VAC_2023.01.sch');
  assert.match(
    (vac as { substitute?: string }).substitute ?? '',
    /declares version 2021\.01 .* has only 2023\.01: judged with CI-SIS_VAC_2023\.01\.sch/,
  );
  const bio = (version: string) =>
    select(
      example('BIO-CR-BIO_2024.01_TSH_1.xml').replace(
        '<templateId root="1.3.6.1.4.1.19376.1.3.3"/>',
        `<templateId root="1.3.6.1.4.1.19376.1.3.3" extension="${version}"/>`,
      ),
    ) as { schematron: string; substitute?: string };
  assert.equal(bio('2022.01').schematron, 'schematrons/CI-SIS_BIO-CR-BIO_2021.01.sch');
  assert.match(
    bio('2022.01').substitute ?? '',
    /declares version 2022\.01 .* \(it has 2021\.01, 2023\.01, 2024\.01\): judged with CI-SIS_BIO-CR-BIO_2021\.01\.sch/,
  );
  assert.equal(bio('2021.01').substitute, undefined, 'the declared version is in the pack');
  assert.equal(select(example('VAC_2023.01.xml')).schematron, 'schematrons/CI-SIS_VAC_2023.01.sch');
  assert.equal((select(example('VAC_2023.01.xml')) as { substitute?: string }).substitute, undefined);
});

test(
  'the three families agree with the ANS-style pipeline (the pack’s ISO skeleton, Saxon-HE, one JVM per document)',
  { skip: skip || ansSkip() },
  async () => {
    const dir = tempDir('vigie-families-');
    try {
      const example = (name: string) => readFileSync(join(PACK, 'ExemplesCDA', name), 'utf8');
      const vac = example('VAC_2023.01.xml');
      const bio = example('BIO-CR-BIO_2024.01_TSH_1.xml');
      const bioAt = (version: string) =>
        bio.replace('<templateId root="1.3.6.1.4.1.19376.1.3.3"/>', `<templateId root="1.3.6.1.4.1.19376.1.3.3" extension="${version}"/>`);
      const documents: Record<string, string> = {
        // Family 1: a version the pack lacks, judged with the nearest earlier one.
        'vac-declares-2021.01.xml': vac.replace('extension="2023.01"/>', 'extension="2021.01"/>'),
        'bio-declares-2022.01.xml': bioAt('2022.01'),
        // Family 3: the version whose schematron names no templateId.
        'bio-declares-2023.01.xml': bioAt('2023.01'),
        // Family 2: self-presenting, valid and broken.
        'vac-self-presenting.xml': selfPresenting(vac),
        'vac-self-presenting-broken.xml': selfPresenting(vac.replace('code="11369-6"', 'code="11369-7"')),
      };
      for (const [name, content] of Object.entries(documents)) writeFileSync(join(dir, name), content);
      const { documents: ours } = await validateCda(
        Object.keys(documents).map((name) => join(dir, name)),
        { rulesDir: PACK },
      );
      const saxon = findSaxonJar();
      for (const result of ours) {
        assert.ok(result.schematron, `${result.file}: ${result.couldNotJudge}`);
        const theirs = ansPipeline({
          moteur: skeletonDir(PACK),
          schematron: join(PACK, result.schematron),
          xsd: join(PACK, 'infrastructure', 'cda', 'CDA_extended.xsd'),
          document: result.file,
          saxon,
        });
        assert.ok(theirs, `${result.file}: the ANS-style pipeline ran`);
        assert.equal(result.xsdValid, theirs.xsdValid, `${result.file}: schema`);
        assert.equal(result.failedAsserts.length, theirs.failedAsserts, `${result.file}: failed asserts, ours (${result.ans}) and theirs`);
      }
      // And the rules bite: the broken one is invalid for both.
      assert.equal(ours.find((d) => d.file.endsWith('vac-self-presenting-broken.xml'))!.ans, 'invalid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

function ansSkip(): string | false {
  try {
    findSaxonJar();
  } catch (e) {
    return (e as Error).message;
  }
  return spawnSync('javac', ['-version']).status === 0 ? false : 'no javac';
}

test('summary.json lists each document the ANS rules judged in a run, with ans apart from header', { skip }, () => {
  const dir = tempDir('vigie-cda-summary-');
  try {
    const run = spawnSync(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin', 'vigie'),
        'run',
        'features/cda/cda-07-ans-schematron.feature',
        '--rules',
        PACK,
        '--defect',
        'cda-local-type-code',
        '--reports',
        dir,
      ],
      { encoding: 'utf8', timeout: 180_000 },
    );
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
    const documents = summary.cdaDocuments ?? [];
    assert.ok(documents.length > 0, 'the documents CDA-07 judged');
    for (const d of documents) {
      assert.match(d.scenario, /^features\/cda\/cda-07-ans-schematron\.feature:\d+$/);
      assert.ok(['valid', 'invalid', 'could-not-judge'].includes(d.ans) && d.schematron, JSON.stringify(d));
    }
    assert.ok(
      documents.some((d) => d.ans === 'invalid'),
      `a local type code is what the ANS rules reject: ${JSON.stringify(documents)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
