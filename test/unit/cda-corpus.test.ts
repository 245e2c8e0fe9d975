/** The bench's CDA corpus (src/cda/corpus.ts): deterministic, every variant does what its name says. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { VARIANTS, buildCorpus } from '../../src/cda/corpus';
import { scanDocument } from '../../src/cda/scan';
import { tempDir } from '../support/tmp';

const EXAMPLES = join(process.env.VIGIE_CDA_REFERENCE ?? '/work/shared/reference', 'TestContenuCDA-3-0', 'ExemplesCDA');

const CDA = `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <templateId root="1.2.250.1.213.1.1.1.37" extension="2023.01"/>
  <code code="11369-6" codeSystem="2.16.840.1.113883.6.1"/>
  <title>Historique</title>
  <effectiveTime value="20240101120000+0100"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <component><structuredBody/></component>
</ClinicalDocument>
`;

test('each variant is one edit of the example, as named', () => {
  const dir = tempDir('vigie-corpus-');
  writeFileSync(join(dir, 'x.xml'), CDA);
  const files = buildCorpus(dir, join(dir, 'out'));
  assert.equal(files.length, 1 + VARIANTS.length, 'every variant applies to this example');
  const variant = (name: string) =>
    readFileSync(
      files.find((f) => basename(f) === `x~${name}.xml`)!,
      'utf8',
    );
  assert.ok(!variant('no-title').includes('<title>'));
  assert.match(variant('other-code'), /code="11369-6-X"/);
  assert.ok(!variant('no-effective-time').includes('<effectiveTime'));
  assert.match(variant('day-precision-time'), /<effectiveTime value="20240101"\/>/);
  assert.match(variant('bad-confidentiality'), /<confidentialityCode code="Z"/);
  assert.match(variant('bad-language'), /<languageCode code="xx-XX"/);
  assert.ok(!variant('no-ans-templateid').includes('1.2.250.1.213.1.1.1.37'));
  assert.ok(variant('no-ans-templateid').includes('root="1.2.250.1.213.1.1.1.1"'), 'the generic CI-SIS templateId stays');
  assert.match(variant('older-version'), /root="1\.2\.250\.1\.213\.1\.1\.1\.37" extension="2021\.01"/);
  const wrapped = scanDocument(Buffer.from(variant('self-presenting')));
  assert.ok(wrapped.ok && wrapped.clinicalDocument === 'in-stylesheet');
  const bom = variant('bom-crlf');
  assert.ok(bom.startsWith('\uFEFF') && bom.includes('\r\n') && !/[^\r]\n/.test(bom));
});

test(
  'on the ANS examples: about 250 documents, the same bytes every time, each one scannable',
  { skip: existsSync(EXAMPLES) ? false : `no ${EXAMPLES}` },
  () => {
    const digest = (files: string[]) => {
      const hash = createHash('sha256');
      for (const f of files) hash.update(basename(f)).update(readFileSync(f));
      return hash.digest('hex');
    };
    const once = buildCorpus(EXAMPLES, join(tempDir('vigie-corpus-a-'), 'c'));
    const twice = buildCorpus(EXAMPLES, join(tempDir('vigie-corpus-b-'), 'c'));
    assert.ok(once.length >= 230 && once.length <= 260, `${once.length} documents`);
    assert.equal(digest(once), digest(twice));
    for (const f of once) assert.ok(scanDocument(readFileSync(f)).ok, basename(f));
  },
);
