/** The conformance page a reviewer signs (src/report/conformance.ts) and its PDF (vigie report --pdf). */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requirementsOfSide } from '../../src/report/catalogue';
import { conformanceHtml, scopeWords, writeConformancePage } from '../../src/report/conformance';
import { scenarioFolder, writeEvidence } from '../../src/report/evidence';
import type { Summary } from '../../src/report/summary';
import { runVigie } from '../support/lgc';
import { tempDir } from '../support/tmp';

const lgcIds = requirementsOfSide('lgc');

function summary(over: Partial<Summary> = {}): Summary {
  const requirements: Summary['requirements'] = Object.fromEntries(
    lgcIds.map((id) => [
      id,
      { side: 'lgc', title: id, verdict: 'pass', evidence: ['observed'], scenarios: [`features/x/${id}.feature:5`] },
    ]),
  );
  requirements['OPP-02'] = { ...requirements['OPP-02']!, verdict: 'fail' };
  requirements['QUAL-04'] = { ...requirements['QUAL-04']!, evidence: ['declared'] };
  requirements['CDA-07'] = { side: 'lgc', title: 'x', verdict: 'not-covered', evidence: [], scenarios: [], reasons: ['no ANS rule pack'] };
  return {
    suite: 'lgc',
    target: 'éditeur <staging>',
    driver: 'ui',
    outcome: 'not-conformant',
    startedAt: '2026-12-02T21:00:00.000Z',
    scope: { selection: null, inScope: lgcIds, notInScope: [], statement: 'every catalogue requirement of the LGC side (45)' },
    durationMs: 61_000,
    scenarios: { passed: 1, failed: 1, 'not-judged': 0, errored: 0, skipped: 0 },
    requirements,
    provenance: {
      harness: 'vigie 0.1.0 (3f7d86d)',
      config: 'sha256:1',
      node: 'v20',
      java: 'openjdk 17',
      rulePacks: { TestContenuCDA: { hash: 'feedbeef' } },
    },
    ...over,
  };
}

test('every catalogue requirement of the side is a row, with its verdict in words, evidence kind and scenarios', () => {
  const html = conformanceHtml(summary());
  for (const id of lgcIds) assert.match(html, new RegExp(`<td class="id">${id}</td>`), id);
  assert.match(html, /<tr class="v-fail"><td class="id">OPP-02<\/td>.*NON CONFORME/);
  assert.match(html, /<td class="id">CDA-07<\/td>.*no ANS rule pack.*NON COUVERTE/);
  assert.match(html, /Résultat : NON CONFORME/);
  assert.match(html, /éditeur &lt;staging&gt;/, 'the target is escaped');
  assert.match(html, /vigie 0\.1\.0 \(3f7d86d\)/);
  assert.match(html, /TestContenuCDA — SHA-256 feedbeef/);
  assert.match(html, /preuve déclarée\) : QUAL-04\./, 'a pass on the LGC’s word alone is named');
  assert.doesNotMatch(html, /<script|https?:\/\//, 'self-contained: no script, nothing fetched');
});

test('a narrowed run shows the other requirements as out of scope; scenarios link to their evidence folder', () => {
  const dir = tempDir('vigie-conformance-');
  const narrowed = summary({
    requirements: {
      'INS-02': { side: 'lgc', title: 'x', verdict: 'pass', evidence: ['observed'], scenarios: ['features/ins/ins-02.feature:20'] },
    },
    outcome: 'conformant',
  });
  mkdirSync(join(dir, 'evidence', scenarioFolder('features/ins/ins-02.feature:20')), { recursive: true });
  const html = readFileSync(writeConformancePage(dir, narrowed), 'utf8');
  assert.match(html, /ins-02\.feature: <a href="evidence\/features_ins_ins-02\.feature_20\/">20<\/a>/);
  assert.equal(html.match(/HORS PÉRIMÈTRE/g)?.length, lgcIds.length - 1);
});

test('vigie report --pdf prints the page on at most two A4 pages', { timeout: 90_000 }, async () => {
  const dir = tempDir('vigie-conformance-');
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary()));
  const reply = await runVigie(['report', '--reports', dir, '--pdf', '--no-allure'], { timeoutMs: 80_000 });
  assert.equal(reply.code, 0, reply.out + reply.err);
  const pdf = readFileSync(join(dir, 'conformance.pdf'));
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
  assert.ok(pages >= 1 && pages <= 2, `${pages} pages`);
});

test("each scenario's attachments become files of their own under evidence/<scenario>/", async () => {
  const dir = tempDir('vigie-evidence-');
  const root = '/project';
  const envelopes = [
    { pickle: { id: 'p1', uri: `${root}/features/ins/ins-02.feature`, location: { line: 20 } } },
    { testCase: { id: 'c1', pickleId: 'p1', testSteps: [] } },
    { testCaseStarted: { id: 's1', testCaseId: 'c1' } },
    {
      attachment: {
        testCaseStartedId: 's1',
        mediaType: 'text/xml',
        contentEncoding: 'IDENTITY',
        body: '<soap/>',
        fileName: 'INSi exchange #1.xml',
      },
    },
    {
      attachment: {
        testCaseStartedId: 's1',
        mediaType: 'image/jpeg',
        contentEncoding: 'BASE64',
        body: Buffer.from([0xff, 0xd8]).toString('base64'),
      },
    },
    {
      attachment: {
        testCaseStartedId: 's1',
        mediaType: 'message/rfc822',
        contentEncoding: 'IDENTITY',
        body: 'Subject: x',
        fileName: '../../etc/passwd',
      },
    },
    { attachment: { testCaseStartedId: 'unknown', mediaType: 'text/plain', contentEncoding: 'IDENTITY', body: 'lost' } },
  ];
  writeFileSync(join(dir, 'cucumber-messages.ndjson'), envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n{"torn');
  await writeEvidence(dir, root);
  const folder = join(dir, 'evidence', 'features_ins_ins-02.feature_20');
  assert.deepEqual(readdirSync(folder).sort(), ['01 INSi exchange #1.xml', '02 attachment.jpg', '03 .._.._etc_passwd.eml']);
  assert.equal(readFileSync(join(folder, '01 INSi exchange #1.xml'), 'utf8'), '<soap/>');
  assert.deepEqual([...readFileSync(join(folder, '02 attachment.jpg'))], [0xff, 0xd8]);
});

test('the scope in French, whole, narrowed or sharded', () => {
  const base = {
    suite: 'lgc',
    scope: { selection: null, inScope: ['INS-01', 'INS-02'], notInScope: [], statement: 'x' },
  } as unknown as Summary;
  assert.equal(scopeWords(base), 'toutes les exigences du catalogue côté LGC (2)');
  const narrowed = {
    ...base,
    scope: { selection: 'features/ins', inScope: ['INS-01', 'INS-02'], notInScope: ['QUAL-01'], statement: 'x' },
  } as Summary;
  assert.equal(scopeWords(narrowed), 'INS-01, INS-02 (sélection : features/ins) ; 1 exigence(s) du catalogue côté LGC hors périmètre');
  const shard = { ...narrowed, shard: { index: 1, count: 2, scenarios: 9, of: 18, wholeScope: [], wholeSelection: null } } as Summary;
  assert.match(scopeWords(shard), /part 1\/2 \(9 scénarios sur 18\)/);
});
