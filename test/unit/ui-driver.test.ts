/**
 * The ui driver as a user of `vigie run --driver ui` meets it: the selector map checked at start,
 * a selector that matches nothing (preflight) or several elements (during a step) named with exit 2,
 * a target without `ui`, a missing browser, and one small feature passing through the reference
 * LGC's web UI with screenshots as evidence.
 * Run: node --require ts-node/register --test test/unit/ui-driver.test.ts
 *
 * The runs are started together (each one starts its own reference LGC, doubles and Chromium on
 * free ports): a `vigie run` process stays alive for a while after its verdict, and one after
 * the other they would take well over a minute.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/load';
import { editorText, samePlace } from '../../src/drivers/ui-driver';
import { checkSelectorMap, fill } from '../../src/drivers/ui/selector-map';
import { ROOT, runVigie } from '../support/lgc';

const FEATURE = 'features/qualification/qual-02-one-click.feature';
const REFERENCE_MAP = join(ROOT, 'config', 'ui', 'reference.json');
const CHROMIUM = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium): the browser runs of the ui driver are skipped`;

const vigie = (args: string[], env: Record<string, string> = {}, timeoutMs = 150_000) => runVigie(args, { env, timeoutMs });

const tmp = () => mkdtempSync(join(tmpdir(), 'vigie-ui-'));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
const referenceMap = () => JSON.parse(readFileSync(REFERENCE_MAP, 'utf8'));

/** A target config (name = file name) for the embedded reference LGC, with `map` as its UI selector map. */
function targetWithMap(dir: string, name: string, map: unknown): string {
  writeFileSync(join(dir, `${name}.map.json`), JSON.stringify(map, null, 2));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, driver: 'http', embedded: true, ui: { selectors: `${name}.map.json` } }));
  return file;
}

interface Attachment { mediaType: string; body: string; contentEncoding?: string; fileName?: string }
function attachments(dir: string): Attachment[] {
  return readFileSync(join(dir, 'cucumber-messages.ndjson'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l)).filter((m) => m.attachment).map((m) => m.attachment as Attachment);
}

describe('selector map', () => {
  test('a map without selectors.editor.validate is refused, naming the key; the reference map is accepted', () => {
    const m = referenceMap();
    delete m.selectors.editor.validate;
    assert.throws(() => checkSelectorMap(m, 'mine.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error)?.name}`);
      assert.match(e.message, /selectors\.editor\.validate/);
      assert.match(e.message, /^mine\.json: /);
      return true;
    });
    const ok = checkSelectorMap(referenceMap(), REFERENCE_MAP);
    assert.equal(ok.name, 'reference');
    assert.equal(ok.selectors.editor.validate, '[data-testid=validate]');
  });
});

describe('ui driver helpers', () => {
  test('samePlace: same path and hash, no shared query parameter that differs', () => {
    assert.ok(samePlace('http://h:1/ui/patients/p1?tenant=t&ws=ps', 'http://h:1/ui/patients/p1?tenant=t&ws=ps&opened=1'));
    assert.ok(!samePlace('http://h:1/ui/patients/p1?tenant=t&ws=cpe', 'http://h:1/ui/patients/p1?tenant=t&ws=ps'), 'another workstation is another screen');
    assert.ok(!samePlace('http://h:1/ui/patients/p1?tenant=t', 'http://h:1/ui/patients/p2?tenant=t'));
    assert.ok(!samePlace('http://h:1/ui/patients', 'http://h:2/ui/patients'));
    assert.ok(!samePlace('about:blank', 'http://h:1/ui/patients'));
  });

  test('editorText: what the reference editor takes, per document type', () => {
    assert.equal(editorText('prescription', { lines: [{ product: 'PARACETAMOL 1 g', dosage: '3 par jour' }, { product: 'EAU' } as never] }), 'PARACETAMOL 1 g ; 3 par jour\nEAU');
    assert.equal(editorText('vaccination-note', { vaccinations: [{ vaccine: 'Grippe', date: '2026-11-22', lot: 'L1' }] }), 'Grippe ; 2026-11-22 ; L1');
    assert.equal(editorText('vsm', { problems: ['HTA'], treatments: ['AMLODIPINE'], allergies: ['Pénicilline'] }), 'HTA\nTraitement : AMLODIPINE\nAllergie : Pénicilline');
    assert.equal(editorText('consultation-report', { text: 'RAS' }), 'RAS');
  });

  test('fill: URL values encoded, selector values escaped, a missing value named', () => {
    assert.equal(fill('/ui/patients/{patientId}?tenant={tenant}', { patientId: 'a b', tenant: 't&1' }, 'url'), '/ui/patients/a%20b?tenant=t%261');
    assert.equal(fill('[data-testid="patient-link-{patientId}"]', { patientId: 'x"y' }, 'css'), '[data-testid="patient-link-x\\"y"]');
    assert.throws(() => fill('/ui/documents/{documentId}', {}, 'url'), /no value for \{documentId\}/);
  });
});

describe('vigie run --driver ui', { concurrency: true }, () => {
  test('a target without "ui": exit 2, the message names ui.selectors', async () => {
    const dir = tmp();
    const cfg = join(dir, 'no-ui.json');
    writeFileSync(cfg, JSON.stringify({ name: 'no-ui', driver: 'http', embedded: true }));
    const r = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', dir, FEATURE]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /ui\.selectors/);
    assert.match(r.err, /docs\/ui-driver\.md/);
    assert.ok(!existsSync(join(dir, 'summary.json')), 'refused before any run');
  });

  test('no browser (VIGIE_CHROMIUM=/nonexistent): exit 2, the reason says how to install it', async () => {
    const dir = tmp();
    const r = await vigie(['run', '--driver', 'ui', '--reports', dir, FEATURE], { VIGIE_CHROMIUM: '/nonexistent' });
    assert.equal(r.code, 2, r.out + r.err);
    const s = summaryOf(dir);
    assert.equal(s.outcome, 'could-not-run');
    assert.equal(s.driver, 'ui');
    assert.match(s.reason, /\/nonexistent/);
    assert.match(s.reason, /apt-get install chromium/);
    assert.deepEqual(s.scenarios, { passed: 0, failed: 0, errored: 0, skipped: 0 });
  });

  test('a web UI that accepts connections but never answers: bounded by timeouts.reachMs, exit 2, the URL named', { skip: NO_CHROMIUM }, async () => {
    const dir = tmp();
    const silent = createServer(() => undefined); // holds every request, answers nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    try {
      writeFileSync(join(dir, 'silent.map.json'), JSON.stringify(referenceMap()));
      const cfg = join(dir, 'silent.json');
      writeFileSync(cfg, JSON.stringify({ name: 'silent', driver: 'http', embedded: true, timeouts: { reachMs: 2000 }, ui: { selectors: 'silent.map.json', baseUrl: `http://127.0.0.1:${port}` } }));
      const r = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', dir, FEATURE]);
      assert.equal(r.code, 2, r.out + r.err);
      const s = summaryOf(dir);
      assert.equal(s.outcome, 'could-not-run');
      assert.match(s.reason, new RegExp(`did not load http://127\\.0\\.0\\.1:${port}/ui/patients.* within 2000 ms`));
    } finally {
      silent.close();
    }
  });

  test('page objects (ui.pageObjects): a subclass of UiDriver is used for the scenarios; a module that is not one is refused, exit 2', { skip: NO_CHROMIUM }, async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'po.map.json'), JSON.stringify(referenceMap()));
    const mark = join(dir, 'used.txt');
    writeFileSync(join(dir, 'my-pages.ts'), [
      `import { appendFileSync } from 'node:fs';`,
      `import { UiDriver } from ${JSON.stringify(join(ROOT, 'src', 'drivers', 'ui-driver'))};`,
      `export default class MyPages extends UiDriver {`,
      `  override qualify(...args: Parameters<UiDriver['qualify']>) { appendFileSync(${JSON.stringify(mark)}, 'qualify\\n'); return super.qualify(...args); }`,
      `}`,
    ].join('\n'));
    writeFileSync(join(dir, 'not-pages.ts'), 'export default class NotADriver {}\n');
    const cfg = (name: string, module: string) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ name, driver: 'http', embedded: true, ui: { selectors: 'po.map.json', pageObjects: module } }));
      return file;
    };
    const [good, bad] = await Promise.all([
      vigie(['run', '--driver', 'ui', '--target', cfg('po-good', 'my-pages.ts'), '--reports', join(dir, 'good'), FEATURE], { TS_NODE_TRANSPILE_ONLY: 'true' }),
      vigie(['run', '--driver', 'ui', '--target', cfg('po-bad', 'not-pages.ts'), '--reports', join(dir, 'bad'), FEATURE], { TS_NODE_TRANSPILE_ONLY: 'true' }),
    ]);
    assert.equal(good.code, 0, good.out + good.err);
    assert.equal(readFileSync(mark, 'utf8'), 'qualify\nqualify\n', 'the two QUAL-02 scenarios went through the page objects');
    assert.equal(bad.code, 2, bad.out + bad.err);
    assert.match(summaryOf(join(dir, 'bad')).reason, /ui\.pageObjects: .*not-pages\.ts must export as default a class extending UiDriver/);
  });

  test('a browser that dies as it starts: exit 2, the reason names it', async () => {
    const dir = tmp();
    const fake = join(dir, 'chromium');
    writeFileSync(fake, '#!/bin/sh\necho "simulated crash" >&2\nexit 134\n', { mode: 0o755 });
    const r = await vigie(['run', '--driver', 'ui', '--reports', dir, FEATURE], { VIGIE_CHROMIUM: fake });
    assert.equal(r.code, 2, r.out + r.err);
    const s = summaryOf(dir);
    assert.equal(s.outcome, 'could-not-run');
    assert.match(s.reason, new RegExp(`Chromium \\(${fake.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) did not start`));
  });

  test('carteVitale.submit matching nothing: the preflight says so, exit 2, before any scenario', { skip: NO_CHROMIUM }, async () => {
    const dir = tmp();
    const map = referenceMap();
    map.selectors.carteVitale.submit = '[data-testid=no-such-button]';
    const cfg = targetWithMap(dir, 'cv-nothing', map);
    const r = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', dir, FEATURE]);
    assert.equal(r.code, 2, r.out + r.err);
    const s = summaryOf(dir);
    assert.equal(s.outcome, 'could-not-run');
    assert.match(s.reason, /carteVitale\.submit \(\[data-testid=no-such-button\]\) matched no visible element/);
    assert.match(s.reason, /cv-nothing\.map\.json/, 'the map file is named');
    assert.deepEqual(s.scenarios, { passed: 0, failed: 0, errored: 0, skipped: 0 });
  });

  test('identity.qualifyWithDocument matching several elements: the scenario errors, naming the selector and the step; exit 2', { skip: NO_CHROMIUM }, async () => {
    const dir = tmp();
    const map = referenceMap();
    map.selectors.identity.qualifyWithDocument = 'button';
    const cfg = targetWithMap(dir, 'qualify-many', map);
    const r = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', dir, FEATURE]);
    assert.equal(r.code, 2, r.out + r.err);
    const s = summaryOf(dir);
    // An errored scenario is no verdict: the requirement is "error", the outcome "could-not-run" (src/report/summary.ts).
    assert.equal(s.outcome, 'could-not-run');
    assert.equal(s.driver, 'ui');
    assert.equal(s.requirements['QUAL-02'].verdict, 'error');
    assert.deepEqual(s.scenarios, { passed: 1, failed: 0, errored: 1, skipped: 0 }, 'the exception procedure does not use that selector');
    assert.equal(s.failures.length, 1);
    const f = s.failures[0];
    assert.equal(f.status, 'errored');
    assert.equal(f.scenario, `${FEATURE}:11`);
    assert.match(f.message, /selector identity\.qualifyWithDocument \(button\) matched \d+ visible elements, one was expected/);
    assert.ok(f.message.includes('step « the professional qualifies the INS naming the document "Carte Nationale d\'Identité (française ou étrangère)" »'), f.message);
    // Evidence of the scenario that did not pass: its Playwright trace.
    const zips = attachments(dir).filter((a) => a.mediaType === 'application/zip');
    assert.equal(zips.length, 1, 'one Playwright trace, for the one scenario that did not pass');
    assert.equal(zips[0].fileName, 'playwright-trace.zip');
    assert.equal(Buffer.from(zips[0].body, 'base64').subarray(0, 2).toString('latin1'), 'PK');
  });

  test('QUAL-02 through the reference web UI: exit 0, driver ui, observed evidence, screenshots attached', { skip: NO_CHROMIUM }, async () => {
    const dir = tmp();
    const r = await vigie(['run', '--driver', 'ui', '--target', 'reference', '--reports', dir, FEATURE]);
    assert.equal(r.code, 0, r.out + r.err);
    const s = summaryOf(dir);
    assert.equal(s.outcome, 'conformant');
    assert.equal(s.driver, 'ui');
    assert.deepEqual(Object.keys(s.requirements), ['QUAL-02']);
    assert.equal(s.requirements['QUAL-02'].verdict, 'pass');
    assert.equal(s.requirements['QUAL-02'].evidence, 'observed');
    assert.deepEqual(s.scenarios, { passed: 2, failed: 0, errored: 0, skipped: 0 });
    const all = attachments(dir);
    // Screenshots of the screen at the Then steps. PNG at first, JPEG since 64785b8 (steps/support/hooks.ts):
    // either is accepted, and the bytes must be what the media type says.
    const magic: Record<string, string> = { 'image/png': '89504e470d0a1a0a', 'image/jpeg': 'ffd8ff' };
    const shots = all.filter((a) => a.mediaType in magic);
    assert.ok(shots.length >= 1, `a screenshot is attached (attachments: ${[...new Set(all.map((a) => a.mediaType))].join(', ')})`);
    for (const a of shots) {
      assert.equal(a.contentEncoding, 'BASE64');
      const head = Buffer.from(a.body, 'base64').subarray(0, 8).toString('hex');
      assert.ok(head.startsWith(magic[a.mediaType]), `${a.fileName}: ${a.mediaType} but starts with ${head}`);
    }
    assert.ok(shots.some((a) => (a.fileName ?? '').includes('the INS of Camille Legrand is qualified')), 'the screen at a Then step');
    assert.equal(all.filter((a) => a.mediaType === 'application/zip').length, 0, 'no trace kept when every scenario passes');
  });
});
