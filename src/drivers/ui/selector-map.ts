/**
 * The UI selector map of a target (config/ui/<name>.json): where the ui driver finds each thing
 * it must press, fill or read on that target's web UI, what the words it shows mean, how its
 * editor takes a document's content, and which interstitial prompts (a confirmation, a dialog, a
 * second screen) it may put between a press and its result. Checked with ajv at start, so a
 * vendor's map with a missing or misspelt selector stops the run before any scenario, naming the key.
 */
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, PROJECT_ROOT, describeErrors } from '../../config/load';
import type { DocumentType, Workstation } from '../driver';
import { checkTemplates } from './content';

/**
 * Where a value is read: a selector (its element's visible text), or `{css, attr, pattern, map}`:
 * `pattern`'s first group is kept, then `map` turns the words shown into the code Vigie expects
 * (exact text → code). A value read from an attribute (`attr`) is the LGC's self-report: declared.
 */
export type ValueSpec = string | { css?: string; attr?: string; pattern?: string; map?: Record<string, string> };

/**
 * Something the UI asks after a press, before the action is done (« Êtes-vous sûr ? », a dialog,
 * a choice, a second screen): shown when `when` (default: `press`) matches a visible element; its
 * `choose` <select> is filled (what the action is about: the identity document, the document
 * type…), `text` is what the user reads, and `press` goes on. Each press is one more click.
 */
export interface Prompt {
  when?: string;
  text?: string;
  choose?: string;
  press: string;
}

/** The fields of a document's content that a template can write. */
export const CONTENT_FIELDS = ['title', 'text', 'lines', 'vaccinations', 'problems', 'treatments', 'allergies', 'medecinTraitant'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];
/** How the editor's content field takes a document: one line per item of each list, joined. */
export interface ContentTemplate {
  items: { from: ContentField; line: string }[];
  join?: string;
}

export interface SelectorMap {
  name: string;
  description?: string;
  baseUrl?: string;
  urls: { patientList: string; patientFile: string; document: string; messages: string };
  workstations: Record<'PS' | 'secretariat-nominative' | 'secretariat-anonymous', string>;
  ids: { patientFromUrl: string; documentFromUrl: string };
  busy?: string;
  typingProbes?: string[];
  selectors: {
    patientList: { patientLink: string };
    carteVitale: { matricule: string; key?: string; birthName: string; firstName: string; birthDate: string; submit: string };
    startOfDay: { date: string; submit: string; result: ValueSpec };
    identity: {
      panel: string;
      insStatus: ValueSpec;
      insNumber: ValueSpec;
      qualifiedBy?: ValueSpec;
      insiOutcome: ValueSpec;
      insiTrigger?: ValueSpec;
      insiMessage?: ValueSpec;
      traitRow: string;
      traitFile: string;
      traitInsi: string;
      traitHighlighted: string;
      concordance: ValueSpec;
      offer: string;
      documentSelect: string;
      qualifyWithDocument: string;
      qualifyException: string;
      refusal?: string;
    };
    newDocument: {
      type: string;
      typeOptions: Record<DocumentType, string>;
      contentTemplates: Record<DocumentType, ContentTemplate>;
      title?: string;
      content: string;
      medecinTraitant?: string;
      submit: string;
      documentLinks: string;
    };
    editor: {
      panel: string;
      type: ValueSpec;
      typeCode: ValueSpec;
      status: ValueSpec;
      sendBox: string;
      sendBoxLabel?: ValueSpec;
      doNotSend: string;
      mask: Record<'patient' | 'legal-representatives' | 'professionals', string>;
      validate: string;
      printed?: string;
      datamatrix?: string;
      ePrescriptionNumber?: ValueSpec;
      dmpStatus: ValueSpec;
      dmpMessage?: ValueSpec;
      dmpAttempts?: ValueSpec;
      refusal?: string;
    };
    dmpConsultation: {
      consult: string;
      question: string;
      reminder?: string;
      yes: string;
      no: string;
      documents: string;
      error?: string;
      refused?: string;
    };
    messages: {
      list: string;
      row: string;
      rowId: ValueSpec;
      rowStatus: ValueSpec;
      rowDirection?: ValueSpec;
      rowBounce?: string;
      rowRead?: string;
      ended?: string;
    };
    /** What the UI may ask after any action's press, by name (a click's purpose is `prompts.<name>`). */
    prompts?: Record<string, Prompt>;
  };
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** Checks a parsed selector map; throws ConfigError naming every missing or wrong selector. */
export function checkSelectorMap(raw: unknown, source: string): SelectorMap {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ui-selectors.schema.json'), 'utf8')),
  );
  if (!validator(raw)) {
    const msgs = describeErrors(validator.errors ?? []).map((m) => m.replace(/: is required$/, ': is required (missing selector)'));
    throw new ConfigError(`${source}: invalid UI selector map:\n  - ${msgs.join('\n  - ')}`);
  }
  const map = raw as SelectorMap;
  const regex = (key: string, re: string) => {
    try {
      new RegExp(re);
    } catch (e) {
      throw new ConfigError(`${source}: ${key}: not a regular expression (${(e as Error).message})`);
    }
  };
  for (const [k, re] of Object.entries(map.ids)) regex(`ids.${k}`, re);
  for (const [group, specs] of Object.entries(map.selectors)) {
    for (const [k, s] of Object.entries(specs as Record<string, unknown>)) {
      if (s && typeof s === 'object' && typeof (s as { pattern?: unknown }).pattern === 'string')
        regex(`selectors.${group}.${k}.pattern`, (s as { pattern: string }).pattern);
    }
  }
  const problems = checkTemplates(map.selectors.newDocument.contentTemplates);
  if (problems.length)
    throw new ConfigError(
      `${source}: invalid UI selector map:\n  - ${problems.map((p) => `selectors.newDocument.contentTemplates.${p}`).join('\n  - ')}`,
    );
  return map;
}

/** Loads `file` (relative to the target's config file, else to the project). */
export function loadSelectorMap(file: string, relativeTo?: string): { map: SelectorMap; file: string } {
  const candidates = isAbsolute(file) ? [file] : [...(relativeTo ? [resolve(relativeTo, file)] : []), resolve(PROJECT_ROOT, file)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new ConfigError(`ui.selectors: no selector map at ${candidates.join(' or ')}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(found, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${found}: not valid JSON: ${(e as Error).message}`);
  }
  return { map: checkSelectorMap(raw, found), file: found };
}

/**
 * A target's page-object module (ui.pageObjects): its default export must be a class extending
 * UiDriver. Checked at start, like the map.
 */
export function loadPageObjects(file: string, relativeTo?: string): { file: string; driverClass: new (o: never) => unknown } {
  const candidates = isAbsolute(file) ? [file] : [...(relativeTo ? [resolve(relativeTo, file)] : []), resolve(PROJECT_ROOT, file)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new ConfigError(`ui.pageObjects: no module at ${candidates.join(' or ')}`);
  let mod: { default?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named by the target's config, loaded at run time
    mod = require(found);
  } catch (e) {
    throw new ConfigError(`ui.pageObjects: ${found} could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { UiDriver } = require('../ui-driver') as typeof import('../ui-driver');
  const exported = mod.default;
  if (typeof exported !== 'function' || !(exported.prototype instanceof UiDriver)) {
    throw new ConfigError(`ui.pageObjects: ${found} must export as default a class extending UiDriver (src/drivers/ui-driver.ts)`);
  }
  return { file: found, driverClass: exported as new (o: never) => unknown };
}

/** Fills {name} placeholders; values are URL-encoded in URLs and CSS-escaped in selectors. */
export function fill(template: string, vars: Record<string, string>, kind: 'url' | 'css'): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (m, k: string) => {
    const value = vars[k];
    if (value === undefined) throw new ConfigError(`"${template}": no value for {${k}} here`);
    return kind === 'url' ? encodeURIComponent(value) : value.replace(/["\\]/g, '\\$&');
  });
}

/** The map's value of `{ws}` for a workstation (default: the professional's). */
export function workstationOf(map: SelectorMap, workstation?: Workstation): string {
  if (!workstation) return map.workstations.PS;
  return map.workstations[
    workstation.role === 'PS' ? 'PS' : workstation.card === 'CPE-nominative' ? 'secretariat-nominative' : 'secretariat-anonymous'
  ];
}

/** The URL of the screen `key`, placeholders filled (a path of the map is taken under `uiBaseUrl`). */
export function screenUrl(map: SelectorMap, uiBaseUrl: string, key: keyof SelectorMap['urls'], vars: Record<string, string>): string {
  const path = fill(map.urls[key], vars, 'url');
  return /^https?:/.test(path) ? path : uiBaseUrl.replace(/\/$/, '') + path;
}

/**
 * The fields whose value a reading takes from an attribute the LGC wrote about itself (`attr`):
 * the LGC's self-report (declared evidence), not what its user sees (observed).
 */
export function selfReported(fields: [field: string, spec: ValueSpec | undefined][]): string[] {
  return fields.filter(([, s]) => typeof s === 'object' && !!s.attr).map(([f]) => f);
}
