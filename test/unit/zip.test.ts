import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readZip } from '../../src/oracles/zip';
import { tempDir } from '../support/tmp';

// A real ZIP made by a third party (Python's zipfile), deflated and stored entries.
function makeZip(): Buffer {
  const zipPath = join(tempDir('vigie-zip-'), 'x.zip');
  execFileSync('python3', [
    '-c',
    `import zipfile
z = zipfile.ZipFile(${JSON.stringify(zipPath)}, 'w')
z.writestr('INDEX.HTM', '<html/>', zipfile.ZIP_STORED)
z.writestr('IHE_XDM/SUBSET01/METADATA.XML', '<SubmitObjectsRequest/>' * 50, zipfile.ZIP_DEFLATED)
z.writestr('IHE_XDM/SUBSET01/DOC0001.XML', '<ClinicalDocument xmlns="urn:hl7-org:v3"/>', zipfile.ZIP_DEFLATED)
z.close()`,
  ]);
  return readFileSync(zipPath);
}

test('an XDM package made by another tool is read, stored and deflated entries', () => {
  const entries = readZip(makeZip());
  assert.deepEqual(
    entries.map((e) => e.name),
    ['INDEX.HTM', 'IHE_XDM/SUBSET01/METADATA.XML', 'IHE_XDM/SUBSET01/DOC0001.XML'],
  );
  assert.equal(entries[1].content.toString(), '<SubmitObjectsRequest/>'.repeat(50));
  assert.match(entries[2].content.toString(), /ClinicalDocument/);
});

test('a broken or hostile archive is a clear error', () => {
  const zip = makeZip();
  assert.throws(() => readZip(Buffer.from('%PDF-1.4 not a zip')), /not a ZIP archive/);
  assert.throws(() => readZip(zip.subarray(0, zip.length - 30)), /not a ZIP archive|broken ZIP/);
  const truncated = Buffer.concat([zip.subarray(0, 40), zip.subarray(zip.length - 200)]);
  assert.throws(() => readZip(truncated), /broken ZIP|not a ZIP/);
  assert.throws(() => readZip(zip, { maxEntries: 10, maxTotalBytes: 100 }), /inflating past 100 bytes/);
});
