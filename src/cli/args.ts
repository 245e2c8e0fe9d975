/** Minimal argument parser: --key value, --key=value, repeatable keys, booleans, positionals. */
export interface ParsedArgs { positionals: string[]; values: Record<string, string[]>; flags: Set<string> }

export class UsageError extends Error { override name = 'UsageError'; }

export function parseArgs(argv: string[], spec: { values: string[]; flags: string[] }): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { out.positionals.push(a); continue; }
    const [k, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (spec.flags.includes(k)) { out.flags.add(k); continue; }
    if (!spec.values.includes(k)) throw new UsageError(`unknown option --${k} (known: ${[...spec.values, ...spec.flags].map((x) => '--' + x).join(' ')})`);
    const v = inline ?? argv[++i];
    if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`--${k} needs a value`);
    (out.values[k] ??= []).push(v);
  }
  return out;
}

export function one(a: ParsedArgs, k: string): string | undefined {
  const v = a.values[k];
  if (v && v.length > 1) throw new UsageError(`--${k} given ${v.length} times`);
  return v?.[0];
}
