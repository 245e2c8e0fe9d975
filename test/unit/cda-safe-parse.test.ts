/**
 * Hostile or wrong inputs never reach an XML parser with entities on, are refused quickly with a clear
 * reason (layer 'parse'), and do not stop the next document from being judged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CdaJvm, validateCda } from '../../src/cda';
import { findSaxonJar } from '../../src/cda/jvm';
import { scanDocument } from '../../src/cda/scan';
import { tempDir } from '../support/tmp';

const ROOT = join(__dirname, '..', '..');
const PACK = join(ROOT, 'fixtures', 'cda', 'minipack');
const VALID = join(ROOT, 'fixtures', 'cda', 'docs', 'mini-valid.xml');

const cda = (inner: string): string => `<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/>${inner}</ClinicalDocument>`;

const hostile: { name: string; make: (dir: string) => string | Buffer; reason: RegExp }[] = [
  {
    name: 'DOCTYPE with internal entities',
    make: () => Buffer.from(`<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ENTITY who "x">]>${cda('<title>&who;</title>')}`),
    reason: /DOCTYPE declaration/,
  },
  {
    name: 'external entity (XXE)',
    make: () =>
      Buffer.from(`<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${cda('<title>&xxe;</title>')}`),
    reason: /DOCTYPE declaration/,
  },
  {
    name: 'entity bomb (billion laughs)',
    make: () => {
      let ents = '<!ENTITY l0 "lol">';
      for (let i = 1; i <= 9; i++) ents += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
      return Buffer.from(`<?xml version="1.0"?><!DOCTYPE lolz [${ents}]>${cda('<title>&l9;</title>')}`);
    },
    reason: /DOCTYPE declaration/,
  },
  {
    name: 'document over 50 MB',
    make: (dir) => {
      const file = join(dir, 'huge.xml');
      const head = Buffer.from(`<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/><!--`);
      const tail = Buffer.from('--></ClinicalDocument>');
      const fill = Buffer.alloc(50 * 1024 * 1024 + 1 - head.length - tail.length + 10, 0x61);
      writeFileSync(file, Buffer.concat([head, fill, tail]));
      return file;
    },
    reason: /larger than 52428800 bytes/,
  },
  {
    name: '10,000-deep nesting',
    make: () =>
      Buffer.from(
        `<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/>${'<a>'.repeat(10000)}${'</a>'.repeat(10000)}</ClinicalDocument>`,
      ),
    reason: /nested deeper than 2000 levels/,
  },
  { name: 'not XML', make: () => Buffer.from('MSH|^~\\&|LGC|CAB|||20240101||ORU^R01|1|P|2.5\r'), reason: /not XML/ },
  {
    name: 'a PDF named .xml',
    make: (dir) => {
      const file = join(dir, 'compte-rendu.xml');
      writeFileSync(
        file,
        Buffer.concat([
          Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'),
          Buffer.alloc(2000, 0),
        ]),
      );
      return file;
    },
    reason: /a PDF document, not XML/,
  },
];

test('scan: each hostile input refused in under a second, with its reason', () => {
  const dir = tempDir('vigie-cda-scan-');
  try {
    for (const h of hostile) {
      const made = h.make(dir);
      const buf = typeof made === 'string' ? readFileSync(made) : made;
      const t0 = Date.now();
      const scan = scanDocument(buf);
      const ms = Date.now() - t0;
      assert.equal(scan.ok, false, h.name);
      assert.match((scan as { reason: string }).reason, h.reason, h.name);
      assert.ok(ms < 1000, `${h.name}: ${ms} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const noJava = ((): string | false => {
  if (spawnSync('java', ['-version']).error) return 'java absent';
  try {
    findSaxonJar();
  } catch (e) {
    return (e as Error).message;
  }
  return false;
})();

test(
  'validateCda: hostile inputs are parse errors (< 1 s each) and the next document is still judged',
  { skip: noJava, timeout: 120_000 },
  async () => {
    const dir = tempDir('vigie-cda-hostile-');
    const jvm = new CdaJvm();
    try {
      const inputs = hostile.map((h) => {
        const made = h.make(dir);
        return typeof made === 'string' ? made : { name: `${h.name}.xml`, content: made };
      });
      const res = await validateCda([...inputs, VALID], { rulesDir: PACK, jvm });
      res.documents.slice(0, hostile.length).forEach((d, i) => {
        const attack = hostile[i];
        assert.equal(d.valid, false, attack.name);
        assert.equal(d.errors.length, 1, attack.name);
        assert.equal(d.errors[0].layer, 'parse', attack.name);
        assert.match(d.errors[0].text, attack.reason, attack.name);
        assert.equal(d.couldNotJudge, null, attack.name);
        assert.ok(d.ms < 1000, `${attack.name}: ${d.ms} ms`);
      });
      const last = res.documents[hostile.length];
      assert.equal(last.valid, true, JSON.stringify(last));
      assert.equal(last.xsdValid, true);

      // defence in depth: the JVM's own parser refuses a DOCTYPE even if the scan were bypassed
      const xxe = join(dir, 'xxe-direct.xml');
      writeFileSync(xxe, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>${cda('<title>&e;</title>')}`);
      const direct = await jvm.judge({ doc: xxe, xsd: null, xsl: null });
      assert.match(direct.parseError?.message ?? '', /DOCTYPE/);
      assert.equal(direct.failures.length, 0);
    } finally {
      jvm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
