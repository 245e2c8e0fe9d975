/**
 * The ui driver as a user of `vigie run --driver ui` meets it: the selector map checked at start,
 * a selector that matches nothing (preflight) or several elements (during a step) named with exit 2,
 * a target without `ui`, a missing browser, one small feature passing through the reference LGC's
 * web UI with screenshots as evidence, the same feature judged on declared evidence when the map
 * reads an attribute, and the generic prompts answered (each press counted) on a UI that asks more.
 * Run: node --require ts-node/register --test test/unit/ui-driver.test.ts
 *
 * The runs are started together (each one starts its own reference LGC, doubles and Chromium on
 * free ports), but never more Chromiums at once than the machine has cores (`browserSlots`).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/load';
import { samePlace } from '../../src/drivers/ui-driver';
import { contentText, fillLine } from '../../src/drivers/ui/content';
import { byCode, byLabel } from '../../src/drivers/ui/screen';
import { checkSelectorMap, fill, selfReported } from '../../src/drivers/ui/selector-map';
import { ROOT, VigieRun, runVigie } from '../support/lgc';
import { tempDir } from '../support/tmp';

const FEATURE = 'features/qualification/qual-02-one-click.feature';
const REFERENCE_MAP = join(ROOT, 'config', 'ui', 'reference.json');
const CHROMIUM = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
const NO_CHROMIUM = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium): the browser runs of the ui driver are skipped`;

/** At most one Chromium per core at once: a run that starts a browser waits for a slot. */
const browserSlots = { free: Math.max(1, availableParallelism()), waiting: [] as (() => void)[] };
async function inSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (browserSlots.free > 0) browserSlots.free--;
  else await new Promise<void>((r) => browserSlots.waiting.push(r));
  try {
    return await fn();
  } finally {
    const next = browserSlots.waiting.shift();
    if (next) next();
    else browserSlots.free++;
  }
}

/**
 * `vigie <args>` (in a browser slot unless `browser: false`); a run that does not end within
 * `timeoutMs` fails the test, naming the command and the last thing it printed.
 */
async function vigie(
  args: string[],
  env: Record<string, string> = {},
  options: { timeoutMs?: number; browser?: boolean } = {},
): Promise<VigieRun> {
  const timeoutMs = options.timeoutMs ?? 150_000;
  const run = () => runVigie(args, { env, timeoutMs });
  const finished = options.browser === false ? await run() : await inSlot(run);
  if (finished.code === null) {
    const last = (finished.out + finished.err).trim().split('\n').slice(-5).join('\n');
    assert.fail(`vigie ${args.join(' ')}: no end within ${timeoutMs} ms (killed); its last output:\n${last || '(nothing)'}`);
  }
  return finished;
}

const tmp = () => tempDir('vigie-ui-');
/** Where a test's run writes its reports: a folder of its own (vigie empties it), apart from the target files. */
const out = (dir: string) => join(dir, 'reports');
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(out(dir), 'summary.json'), 'utf8'));
/** Why the run could not run (the summary's reasons, as one line). */
const reasonOf = (dir: string): string => (summaryOf(dir).reasons ?? []).join('; ');
const referenceMap = () => JSON.parse(readFileSync(REFERENCE_MAP, 'utf8'));

/** A target config (name = file name) for the embedded reference LGC, with `map` as its UI selector map. */
function targetWithMap(dir: string, name: string, map: unknown): string {
  writeFileSync(join(dir, `${name}.map.json`), JSON.stringify(map, null, 2));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, driver: 'http', embedded: true, ui: { selectors: `${name}.map.json` } }));
  return file;
}

interface Attachment {
  mediaType: string;
  body: string;
  contentEncoding?: string;
  fileName?: string;
}
function attachments(dir: string): Attachment[] {
  return readFileSync(join(out(dir), 'cucumber-messages.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((m) => m.attachment)
    .map((m) => m.attachment as Attachment);
}

describe('selector map', () => {
  test('a map without selectors.editor.validate is refused, naming the key; the reference map is accepted', () => {
    const map = referenceMap();
    delete map.selectors.editor.validate;
    assert.throws(
      () => checkSelectorMap(map, 'mine.json'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error)?.name}`);
        assert.match(e.message, /selectors\.editor\.validate/);
        assert.match(e.message, /^mine\.json: /);
        return true;
      },
    );
    const ok = checkSelectorMap(referenceMap(), REFERENCE_MAP);
    assert.equal(ok.name, 'reference');
    assert.equal(ok.selectors.editor.validate, '[data-testid=validate]');
  });

  test("keys shaped after one UI's extra dialogs are gone: prompts describe them generically", () => {
    const map = referenceMap();
    map.selectors.editor.typeChoiceConfirm = '[data-testid=type-choice-confirm]';
    assert.throws(() => checkSelectorMap(map, 'old.json'), /selectors\.editor.*typeChoiceConfirm|additional/);
    const withPrompt = referenceMap();
    withPrompt.selectors.prompts.dialog = { text: '.x' };
    assert.throws(() => checkSelectorMap(withPrompt, 'prompt.json'), /selectors\.prompts\.dialog.*press/);
  });

  test('the reference map reads what the user sees: no value from an attribute the LGC wrote about itself', () => {
    const checked = checkSelectorMap(referenceMap(), REFERENCE_MAP);
    const values: [string, unknown][] = [];
    for (const [group, specs] of Object.entries(checked.selectors)) {
      for (const [k, v] of Object.entries(specs as Record<string, unknown>))
        if (v && typeof v === 'object') values.push([`${group}.${k}`, v]);
    }
    // messages.rowId locates a row (like a selector), it reports no value.
    const fromAttributes = values.filter(([k, v]) => k !== 'messages.rowId' && (v as { attr?: string }).attr);
    assert.deepEqual(fromAttributes, []);
    assert.deepEqual(
      selfReported([
        ['ins.status', { css: '#s', attr: 'data-status' }],
        ['dmp.status', { css: '#d', map: { Envoyé: 'sent' } }],
        ['x', '#x'],
      ]),
      ['ins.status'],
    );
  });

  test('content templates: a placeholder that does not exist is refused at load, naming the key', () => {
    const map = referenceMap();
    map.selectors.newDocument.contentTemplates.prescription.items[0].line = '{product} ; {posologie}';
    assert.throws(
      () => checkSelectorMap(map, 'mine.json'),
      /contentTemplates\.prescription\.items\[0\]\.line: \{posologie\} is not a placeholder of "lines"/,
    );
  });
});

describe('ui driver helpers', () => {
  test('samePlace: same path and hash, no shared query parameter that differs', () => {
    assert.ok(samePlace('http://h:1/ui/patients/p1?tenant=t&ws=ps', 'http://h:1/ui/patients/p1?tenant=t&ws=ps&opened=1'));
    assert.ok(
      !samePlace('http://h:1/ui/patients/p1?tenant=t&ws=cpe', 'http://h:1/ui/patients/p1?tenant=t&ws=ps'),
      'another workstation is another screen',
    );
    assert.ok(!samePlace('http://h:1/ui/patients/p1?tenant=t', 'http://h:1/ui/patients/p2?tenant=t'));
    assert.ok(!samePlace('http://h:1/ui/patients', 'http://h:2/ui/patients'));
    assert.ok(!samePlace('about:blank', 'http://h:1/ui/patients'));
  });

  test("contentText: the editor's text from the map's templates (the reference map's, then another vendor's)", () => {
    const templates = referenceMap().selectors.newDocument.contentTemplates;
    assert.equal(
      contentText('prescription', templates.prescription, {
        lines: [{ product: 'PARACETAMOL 1 g', dosage: '3 par jour' }, { product: 'EAU' } as never],
      }),
      'PARACETAMOL 1 g ; 3 par jour\nEAU',
    );
    assert.equal(
      contentText('vaccination-note', templates['vaccination-note'], {
        vaccinations: [{ vaccine: 'Grippe', date: '2026-11-22', lot: 'L1' }],
      }),
      'Grippe ; 2026-11-22 ; L1',
    );
    assert.equal(
      contentText(
        'vsm',
        templates.vsm,
        { problems: ['HTA'], treatments: ['AMLODIPINE'], allergies: ['Pénicilline'], medecinTraitant: 'Dr X' },
        ['medecinTraitant'],
      ),
      'HTA\nTraitement : AMLODIPINE\nAllergie : Pénicilline',
    );
    assert.equal(
      contentText('consultation-report', templates['consultation-report'], { title: 'Consultation', text: 'RAS' }, ['title']),
      'RAS',
    );
    // Another editor: numbered prefixes, another separator, the title in the text.
    const other = {
      items: [
        { from: 'title' as const, line: '# {value}' },
        { from: 'lines' as const, line: '- {product}[ (posologie : {dosage})]' },
      ],
      join: '\r\n',
    };
    assert.equal(
      contentText('prescription', other, {
        title: 'Ordonnance',
        lines: [
          { product: 'A', dosage: 'matin' },
          { product: 'B', dosage: '' },
        ],
      }),
      '# Ordonnance\r\n- A (posologie : matin)\r\n- B',
    );
    assert.equal(fillLine('{vaccine}[ lot {lot}][ le {date}]', { vaccine: 'V', lot: '', date: 'D' }), 'V le D');
  });

  test('contentText: what the feature typed and the template has no place for stops the action, naming it', () => {
    const templates = referenceMap().selectors.newDocument.contentTemplates;
    assert.throws(
      () => contentText('vaccination-note', templates['vaccination-note'], { vaccinations: [{ vaccine: 'V', code: 'J07BB02' }] }),
      /contentTemplates\.vaccination-note has no place for vaccinations\[0\]\.code « J07BB02 »/,
    );
    assert.throws(
      () => contentText('consultation-report', templates['consultation-report'], { title: 'T', text: 'RAS' }),
      /no place for title \(1 item\(s\)\)/,
    );
  });

  test('a choice at a prompt: the type code the feature expects (hints.typeCode), else the first option offered; a code not offered is no choice', () => {
    const types = [
      { value: '', label: '— choisir —' },
      { value: '57833-6', label: 'Prescription' },
      { value: 'SYNTH', label: 'Synthèse' },
    ];
    assert.equal(byCode('SYNTH')(types)?.value, 'SYNTH');
    assert.equal(byCode(undefined)(types)?.value, '57833-6', 'no hint: the first option offered');
    assert.equal(byCode('60591-5')(types), undefined, 'never another code than the one expected');
    assert.equal(byCode('11488-4')([{ value: 'cr', label: 'Compte rendu (11488-4)' }])?.value, 'cr', 'a code in the label');
    assert.equal(byLabel(" Carte  Nationale d'Identité ")([{ value: '1', label: "Carte Nationale d'Identité" }])?.value, '1');
  });

  test('fill: URL values encoded, selector values escaped, a missing value named', () => {
    assert.equal(
      fill('/ui/patients/{patientId}?tenant={tenant}', { patientId: 'a b', tenant: 't&1' }, 'url'),
      '/ui/patients/a%20b?tenant=t%261',
    );
    assert.equal(fill('[data-testid="patient-link-{patientId}"]', { patientId: 'x"y' }, 'css'), '[data-testid="patient-link-x\\"y"]');
    assert.throws(() => fill('/ui/documents/{documentId}', {}, 'url'), /no value for \{documentId\}/);
  });
});

describe('vigie run --driver ui', { concurrency: true }, () => {
  test('a target without "ui": exit 2, the message names ui.selectors', async () => {
    const dir = tmp();
    const cfg = join(dir, 'no-ui.json');
    writeFileSync(cfg, JSON.stringify({ name: 'no-ui', driver: 'http', embedded: true }));
    const run = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', out(dir), FEATURE], {}, { browser: false });
    assert.equal(run.code, 2, run.out + run.err);
    assert.match(run.err, /ui\.selectors/);
    assert.match(run.err, /docs\/ui-driver\.md/);
    assert.ok(!existsSync(join(out(dir), 'summary.json')), 'refused before any run');
  });

  test('no browser (VIGIE_CHROMIUM=/nonexistent): exit 2, the reason says how to install it', async () => {
    const dir = tmp();
    const run = await vigie(
      ['run', '--driver', 'ui', '--reports', out(dir), FEATURE],
      { VIGIE_CHROMIUM: '/nonexistent' },
      { browser: false },
    );
    assert.equal(run.code, 2, run.out + run.err);
    const report = summaryOf(dir);
    assert.equal(report.outcome, 'could-not-run');
    assert.equal(report.driver, 'ui');
    assert.match(reasonOf(dir), /\/nonexistent/);
    assert.match(reasonOf(dir), /apt-get install chromium/);
    assert.deepEqual(report.scenarios, { passed: 0, failed: 0, 'not-judged': 0, errored: 0, skipped: 0 });
  });

  test(
    'a web UI that accepts connections but never answers: bounded by timeouts.reachMs, exit 2, the URL named',
    { skip: NO_CHROMIUM },
    async () => {
      const dir = tmp();
      const silent = createServer(() => undefined); // holds every request, answers nothing
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      const port = (silent.address() as AddressInfo).port;
      try {
        writeFileSync(join(dir, 'silent.map.json'), JSON.stringify(referenceMap()));
        const cfg = join(dir, 'silent.json');
        writeFileSync(
          cfg,
          JSON.stringify({
            name: 'silent',
            driver: 'http',
            embedded: true,
            timeouts: { reachMs: 2000 },
            ui: { selectors: 'silent.map.json', baseUrl: `http://127.0.0.1:${port}` },
          }),
        );
        const run = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', out(dir), FEATURE]);
        assert.equal(run.code, 2, run.out + run.err);
        const report = summaryOf(dir);
        assert.equal(report.outcome, 'could-not-run');
        assert.match(reasonOf(dir), new RegExp(`did not load http://127\\.0\\.0\\.1:${port}/ui/patients.* within 2000 ms`));
      } finally {
        silent.close();
      }
    },
  );

  test(
    'page objects (ui.pageObjects): a subclass of UiDriver is used for the scenarios; a module that is not one is refused, exit 2',
    { skip: NO_CHROMIUM },
    async () => {
      const dir = tmp();
      writeFileSync(join(dir, 'po.map.json'), JSON.stringify(referenceMap()));
      const mark = join(dir, 'used.txt');
      writeFileSync(
        join(dir, 'my-pages.ts'),
        [
          `import { appendFileSync } from 'node:fs';`,
          `import { UiDriver } from ${JSON.stringify(join(ROOT, 'src', 'drivers', 'ui-driver'))};`,
          `export default class MyPages extends UiDriver {`,
          `  override qualify(...args: Parameters<UiDriver['qualify']>) { appendFileSync(${JSON.stringify(mark)}, 'qualify\\n'); return super.qualify(...args); }`,
          `}`,
        ].join('\n'),
      );
      writeFileSync(join(dir, 'not-pages.ts'), 'export default class NotADriver {}\n');
      const cfg = (name: string, module: string) => {
        const file = join(dir, `${name}.json`);
        writeFileSync(
          file,
          JSON.stringify({ name, driver: 'http', embedded: true, ui: { selectors: 'po.map.json', pageObjects: module } }),
        );
        return file;
      };
      const [good, bad] = await Promise.all([
        vigie(['run', '--driver', 'ui', '--target', cfg('po-good', 'my-pages.ts'), '--reports', out(join(dir, 'good')), FEATURE], {
          TS_NODE_TRANSPILE_ONLY: 'true',
        }),
        vigie(['run', '--driver', 'ui', '--target', cfg('po-bad', 'not-pages.ts'), '--reports', out(join(dir, 'bad')), FEATURE], {
          TS_NODE_TRANSPILE_ONLY: 'true',
        }),
      ]);
      assert.equal(good.code, 0, good.out + good.err);
      assert.equal(readFileSync(mark, 'utf8'), 'qualify\nqualify\n', 'the two QUAL-02 scenarios went through the page objects');
      assert.equal(bad.code, 2, bad.out + bad.err);
      assert.match(reasonOf(join(dir, 'bad')), /ui\.pageObjects: .*not-pages\.ts must export as default a class extending UiDriver/);
    },
  );

  test('a browser that dies as it starts: exit 2, the reason names it', async () => {
    const dir = tmp();
    const fake = join(dir, 'chromium');
    writeFileSync(fake, '#!/bin/sh\necho "simulated crash" >&2\nexit 134\n', { mode: 0o755 });
    const run = await vigie(['run', '--driver', 'ui', '--reports', out(dir), FEATURE], { VIGIE_CHROMIUM: fake }, { browser: false });
    assert.equal(run.code, 2, run.out + run.err);
    const report = summaryOf(dir);
    assert.equal(report.outcome, 'could-not-run');
    assert.match(reasonOf(dir), new RegExp(`Chromium \\(${fake.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) did not start`));
  });

  test('carteVitale.submit matching nothing: the preflight says so, exit 2, before any scenario', { skip: NO_CHROMIUM }, async () => {
    const dir = tmp();
    const map = referenceMap();
    map.selectors.carteVitale.submit = '[data-testid=no-such-button]';
    const cfg = targetWithMap(dir, 'cv-nothing', map);
    const run = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', out(dir), FEATURE]);
    assert.equal(run.code, 2, run.out + run.err);
    const report = summaryOf(dir);
    assert.equal(report.outcome, 'could-not-run');
    assert.match(reasonOf(dir), /carteVitale\.submit \(\[data-testid=no-such-button\]\) matched no visible element/);
    assert.match(reasonOf(dir), /cv-nothing\.map\.json/, 'the map file is named');
    assert.deepEqual(report.scenarios, { passed: 0, failed: 0, 'not-judged': 0, errored: 0, skipped: 0 });
  });

  test(
    'identity.qualifyWithDocument matching several elements: the scenario errors, naming the selector and the step; exit 2',
    { skip: NO_CHROMIUM },
    async () => {
      const dir = tmp();
      const map = referenceMap();
      map.selectors.identity.qualifyWithDocument = 'button';
      const cfg = targetWithMap(dir, 'qualify-many', map);
      const run = await vigie(['run', '--driver', 'ui', '--target', cfg, '--reports', out(dir), FEATURE]);
      assert.equal(run.code, 2, run.out + run.err);
      const report = summaryOf(dir);
      // An errored scenario is no verdict: the requirement is "error", the outcome "incomplete" (src/report/summary.ts).
      assert.equal(report.outcome, 'incomplete');
      assert.equal(report.driver, 'ui');
      assert.equal(report.requirements['QUAL-02'].verdict, 'error');
      assert.deepEqual(
        report.scenarios,
        { passed: 1, failed: 0, 'not-judged': 0, errored: 1, skipped: 0 },
        'the exception procedure does not use that selector',
      );
      // Errors are grouped by cause (src/report/summary.ts): one cause, its requirement, its scenario.
      assert.equal(report.failures.length, 0, 'no verdict failed');
      assert.equal(report.errors.length, 1);
      const group = report.errors[0];
      assert.deepEqual(group.scenarios, [`${FEATURE}:11`]);
      assert.deepEqual(group.requirements, ['QUAL-02']);
      assert.match(group.cause, /selector identity\.qualifyWithDocument \(button\) matched (\d+|N) visible elements, one was expected/); // a cause has its numbers as N
      assert.ok(
        group.cause.includes(
          'step « the professional qualifies the INS naming the document "Carte Nationale d\'Identité (française ou étrangère)" »',
        ),
        group.cause,
      );
      // Evidence of the scenario that did not pass: its Playwright trace.
      const zips = attachments(dir).filter((a) => a.mediaType === 'application/zip');
      assert.equal(zips.length, 1, 'one Playwright trace, for the one scenario that did not pass');
      assert.equal(zips[0].fileName, 'playwright-trace.zip');
      assert.equal(Buffer.from(zips[0].body, 'base64').subarray(0, 2).toString('latin1'), 'PK');
    },
  );

  test(
    'a UI that asks more (defect qualify-in-three-clicks), read by a map that takes the INS status from an attribute: every prompt answered and counted; that status judged on declared evidence',
    { skip: NO_CHROMIUM },
    async () => {
      const dir = tmp();
      const map = referenceMap();
      map.selectors.identity.insStatus = { css: '[data-testid=ins-status]', attr: 'data-status' };
      const cfg = targetWithMap(dir, 'asks-more', map);
      const run = await vigie([
        'run',
        '--driver',
        'ui',
        '--target',
        cfg,
        '--defect',
        'qualify-in-three-clicks',
        '--reports',
        out(dir),
        FEATURE,
      ]);
      assert.equal(run.code, 1, run.out + run.err);
      const report = summaryOf(dir);
      assert.equal(report.requirements['QUAL-02'].verdict, 'fail');
      assert.ok(
        report.requirements['QUAL-02'].evidence.includes('declared'),
        `the INS status came from data-status: ${JSON.stringify(report.requirements['QUAL-02'].evidence)}`,
      );
      // The driver's log of the scenario by document: the control, then the two steps the UI asked for, each one click.
      const calls = attachments(dir)
        .filter((a) => a.fileName === 'test-driver and UI calls.json')
        .flatMap(
          (a) =>
            JSON.parse(a.body) as {
              method: string;
              requestBody?: { action?: string };
              responseBody?: { clicks?: { purpose: string; label: string }[]; screenChanges?: number; declared?: string[] };
            }[],
        );
      const byDocument = calls.find((c) => c.method === 'UI' && c.requestBody?.action === 'qualify the INS (document)');
      assert.ok(byDocument, `the qualification is in the driver's log (${calls.map((c) => c.requestBody?.action).join(', ')})`);
      assert.deepEqual(byDocument.responseBody?.clicks, [
        { purpose: 'identity.qualifyWithDocument', label: 'Qualifier' },
        { purpose: 'prompts.dialog', label: 'Suivant' },
        { purpose: 'prompts.dialog', label: 'Confirmer la qualification' },
      ]);
      assert.equal(byDocument.responseBody?.screenChanges, 3);
      assert.deepEqual(byDocument.responseBody?.declared, ['ins.status', 'qualified']);
    },
  );

  test(
    'QUAL-02 through the reference web UI: exit 0, driver ui, observed evidence, screenshots attached',
    { skip: NO_CHROMIUM },
    async () => {
      const dir = tmp();
      const run = await vigie(['run', '--driver', 'ui', '--target', 'reference', '--reports', out(dir), FEATURE]);
      assert.equal(run.code, 0, run.out + run.err);
      const report = summaryOf(dir);
      assert.equal(report.outcome, 'conformant');
      assert.equal(report.driver, 'ui');
      assert.deepEqual(Object.keys(report.requirements), ['QUAL-02']);
      assert.equal(report.requirements['QUAL-02'].verdict, 'pass');
      assert.deepEqual(report.requirements['QUAL-02'].evidence, ['observed']);
      assert.deepEqual(report.scenarios, { passed: 2, failed: 0, 'not-judged': 0, errored: 0, skipped: 0 });
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
      assert.ok(
        shots.some((a) => (a.fileName ?? '').includes('the INS of Camille Legrand is qualified')),
        'the screen at a Then step',
      );
      assert.equal(all.filter((a) => a.mediaType === 'application/zip').length, 0, 'no trace kept when every scenario passes');
    },
  );
});
