import { jsonErrorPlace } from './json-error';
import Ajv, { ErrorObject } from 'ajv';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface TargetConfig {
  name: string;
  description?: string;
  driver: 'http' | 'ui' | 'smtp' | 'attended';
  embedded?: boolean;
  baseUrl?: string;
  defects?: string[];
  doubles?: {
    host?: string;
    advertisedHost?: string;
    insi?: { port?: number };
    dmp?: { port?: number };
    eprescription?: { port?: number };
    mss?: { smtpPort?: number; pop3Port?: number };
    tls?: boolean;
    clientCas?: string[];
  };
  timeouts?: Partial<Timeouts>;
  /** smtp driver (an MSSanté-like service under test) */
  host?: string;
  port?: number;
  pop3?: { host: string; port: number };
  password?: string;
  mailboxes?: { professional: string; pharmacy: string };
  /** the target's web UI (ui driver) */
  ui?: { selectors: string; baseUrl?: string; trace?: boolean; traceSnapshots?: boolean; findMs?: number; pageObjects?: string };
  patients?: Record<'activé' | 'créé non activé' | 'opposé' | 'clôturé', string>;
  /** attended mode: the console's port, the bound on one task */
  attended?: { port?: number; taskMinutes?: number };
}
/**
 * Every bound of a run (config/target.schema.json describes each). The *WaitMs bounds are also the
 * absence windows of their kind of event: "not called" is watched as long as "called" is waited for.
 */
export interface Timeouts {
  reachMs: number;
  actionMs: number;
  insiWaitMs: number;
  dmpWaitMs: number;
  mssWaitMs: number;
  settleMs: number;
  heldActionMs: number;
  retryWindowMs: number;
  insiTimeoutMs: number;
  ePrescriptionTimeoutMs: number;
  dmpTimeoutMs: number;
}
export const DEFAULT_TIMEOUTS: Timeouts = {
  reachMs: 10_000,
  actionMs: 10_000,
  insiWaitMs: 3_000,
  dmpWaitMs: 3_000,
  mssWaitMs: 3_000,
  settleMs: 2_000,
  heldActionMs: 5_000,
  retryWindowMs: 5_000,
  insiTimeoutMs: 30_000,
  ePrescriptionTimeoutMs: 800,
  dmpTimeoutMs: 5_000,
};

/** A configuration problem: Vigie cannot run (exit 2). The message names the file and the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export function targetsDir(root = PROJECT_ROOT): string {
  return join(root, 'config', 'targets');
}

export function listTargets(root = PROJECT_ROOT): string[] {
  const dir = targetsDir(root);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'target.schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  }
  return validator;
}

/** Turns ajv's errors into sentences that name the key at fault, e.g. `doubles.host: must be string`. */
export function describeErrors(errors: ErrorObject[]): string[] {
  const out: string[] = [];
  for (const e of errors) {
    // The two cross-key rules of the schema (allOf) get one sentence each.
    if (e.schemaPath.startsWith('#/allOf/0/')) {
      out.push('baseUrl: is required for an http target (or "embedded": true for the reference LGC)');
      continue;
    }
    if (e.schemaPath.startsWith('#/allOf/1/')) {
      out.push('defects: seeded defects exist only in the embedded reference LGC ("embedded": true)');
      continue;
    }
    if (e.schemaPath.startsWith('#/allOf/2/') && e.keyword === 'required') {
      out.push(`${(e.params as { missingProperty: string }).missingProperty}: is required for an smtp target (an MSSanté-like service)`);
      continue;
    }
    const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      out.push(`${at ? at + '.' : ''}${key}: unknown key (allowed here: ${allowedKeys(e)})`);
    } else if (e.keyword === 'required') {
      const key = (e.params as { missingProperty: string }).missingProperty;
      out.push(`${at ? at + '.' : ''}${key}: is required`);
    } else if (e.keyword === 'enum') {
      out.push(`${at || '(root)'}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`);
    } else if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'const') {
      continue; // the useful detail is in the sibling errors
    } else {
      out.push(`${at || '(root)'}: ${e.message}`);
    }
  }
  return [...new Set(out)];
}

function allowedKeys(error: ErrorObject): string {
  const props = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props
    ? Object.keys(props)
        .filter((k) => k !== '$schema')
        .join(', ')
    : '?';
}

/** Validates a parsed config; throws ConfigError naming every key at fault. */
export function checkConfig(raw: unknown, source: string): TargetConfig {
  const check = validate();
  if (!check(raw)) {
    const msgs = describeErrors(check.errors ?? []);
    if (msgs.length === 0)
      msgs.push('an http target needs "baseUrl" (or "embedded": true for the reference LGC); "defects" need "embedded": true');
    throw new ConfigError(`${source}: invalid target configuration:\n  - ${msgs.join('\n  - ')}`);
  }
  return raw as TargetConfig;
}

/** The driver a run uses: `--driver` when given, else the target's. Says clearly what a ui run lacks. */
export function effectiveDriver(loaded: LoadedConfig, override?: string): TargetConfig['driver'] {
  const cfg = loaded.config;
  const driver = (override ?? cfg.driver) as TargetConfig['driver'];
  if (!['http', 'ui', 'smtp', 'attended'].includes(driver))
    throw new ConfigError(`--driver ${driver}: must be one of "http", "ui", "attended", "smtp"`);
  if (driver !== cfg.driver && (driver === 'smtp' || cfg.driver === 'smtp')) {
    throw new ConfigError(
      `--driver ${driver}: the target "${cfg.name}" is ${cfg.driver === 'smtp' ? 'an MSSanté-like service (driver "smtp")' : 'a practice software'}; its driver cannot be switched to "${driver}"`,
    );
  }
  if (driver === 'ui' && !cfg.ui?.selectors) {
    throw new ConfigError(
      `${loaded.file}: ui.selectors: is required for the ui driver (the target's UI selector map, see docs/ui-driver.md)`,
    );
  }
  return driver;
}

export interface LoadedConfig {
  config: TargetConfig;
  file: string;
  hash: string;
  timeouts: Timeouts;
}

/** `name` is a target of config/targets/, or the path of a .json configuration file. */
export function loadTarget(name: string, root = PROJECT_ROOT): LoadedConfig {
  const isPath = name.endsWith('.json');
  if (!isPath && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new ConfigError(`--target: "${name}" is not a valid target name`);
  const file = isPath ? resolve(name) : join(targetsDir(root), `${name}.json`);
  if (!existsSync(file)) {
    throw new ConfigError(`--target: no configuration ${file} (known targets: ${listTargets(root).join(', ') || 'none'})`);
  }
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const place = jsonErrorPlace(text);
    const where = place ? `line ${place.line}, column ${place.column}: unexpected ${place.found}` : (e as Error).message;
    throw new ConfigError(`${file}: not valid JSON: ${where}`);
  }
  const config = checkConfig(raw, file);
  const base = basename(file, '.json');
  if (config.name !== base) throw new ConfigError(`${file}: name: "${config.name}" must equal the file name "${base}"`);
  // Files named by the configuration are relative to it.
  if (config.doubles?.clientCas) {
    config.doubles.clientCas = config.doubles.clientCas.map((f, i) => {
      const path = resolve(dirname(file), f);
      if (!existsSync(path)) throw new ConfigError(`${file}: doubles.clientCas[${i}]: no file ${path}`);
      if (!/-----BEGIN CERTIFICATE-----/.test(readFileSync(path, 'utf8')))
        throw new ConfigError(`${file}: doubles.clientCas[${i}]: ${path} holds no PEM certificate`);
      return path;
    });
  }
  return {
    config,
    file,
    hash: 'sha256:' + createHash('sha256').update(text).digest('hex').slice(0, 16),
    timeouts: { ...DEFAULT_TIMEOUTS, ...(config.timeouts ?? {}) },
  };
}
