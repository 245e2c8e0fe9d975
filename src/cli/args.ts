import { parseArgs as nodeParseArgs } from 'node:util';

/**
 * Command-line options, parsed with Node's own util.parseArgs (strict: an unknown option is an
 * error naming the known ones). Every command declares its options once, with the help text that
 * `vigie <command> --help` prints.
 */
export interface OptionSpec {
  name: string;
  value?: string;
  multiple?: boolean;
  help: string;
}
export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string[]>;
  flags: Set<string>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}
/** `--help` was asked: print the command's help and exit 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  /** The options of the command that was asked for help. */
  constructor(readonly options: OptionSpec[] = []) {
    super('help requested');
  }
}

/**
 * Parses `argv` for a command whose options are `spec` (value options have a `value` name;
 * the others are flags). `--help` / `-h` is always accepted.
 */
export function parseArgs(argv: string[], spec: { values: string[]; flags: string[] } | OptionSpec[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  const list: OptionSpec[] = Array.isArray(spec)
    ? spec
    : [...spec.values.map((name) => ({ name, value: 'x', multiple: true, help: '' })), ...spec.flags.map((name) => ({ name, help: '' }))];
  for (const o of list) options[o.name] = o.value ? { type: 'string', multiple: true } : { type: 'boolean' };
  let parsed;
  try {
    parsed = nodeParseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const raw = (e as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(raw);
    const msg = unknown ? `unknown option ${unknown[1]}` : raw.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(`${msg} (known options: ${list.map((o) => '--' + o.name).join(' ')})`);
  }
  if (parsed.values.help) throw new HelpRequested(list);
  const out: ParsedArgs = { positionals: parsed.positionals, values: {}, flags: new Set() };
  for (const [k, v] of Object.entries(parsed.values)) {
    if (k === 'help') continue;
    if (typeof v === 'boolean') {
      if (v) out.flags.add(k);
    } else if (Array.isArray(v)) out.values[k] = v as string[];
  }
  return out;
}

export function one(parsed: ParsedArgs, k: string): string | undefined {
  const given = parsed.values[k];
  if (given && given.length > 1) throw new UsageError(`--${k} given ${given.length} times`);
  return given?.[0];
}

/** The help of a command's options, aligned. */
export function optionsHelp(spec: OptionSpec[]): string {
  const left = spec.map((o) => `  --${o.name}${o.value ? ` <${o.value}>` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return spec.map((o, i) => left[i].padEnd(width) + o.help + (o.multiple ? ' (repeatable)' : '')).join('\n');
}
