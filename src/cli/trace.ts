/**
 * `vigie trace <REQ>`: where a requirement is encoded, driven and judged. It prints the catalogue's
 * text, the feature files and scenarios that carry the requirement's tag, each step with the step
 * definition that runs it (file:line, as cucumber loads them), and the oracle functions of
 * src/oracles/ those step definitions call — directly or through a helper of steps/.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { loadCatalogue } from '../report/catalogue';
import { loadSteps } from '../harness/run';
import { parseFeatures } from '../harness/plan';
import { UsageError, parseArgs } from './args';

interface FnRef {
  name: string;
  file: string;
  line: number;
}

/** Exported functions of src/oracles/*.ts, by name. */
function oracleIndex(): Map<string, FnRef> {
  const { readdirSync } = require('node:fs') as typeof import('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports
  const dir = join(PROJECT_ROOT, 'src', 'oracles');
  const out = new Map<string, FnRef>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .forEach((l, i) => {
        const match = /^export (?:async )?function (\w+)|^export const (\w+) =/.exec(l);
        if (match) out.set(match[1] ?? match[2], { name: match[1] ?? match[2], file: `src/oracles/${f}`, line: i + 1 });
      });
  }
  return out;
}

/** The source of the function (or step definition) that starts at `line` of `file`: until its brackets balance. */
function bodyAt(file: string, line: number): string {
  const lines = readFileSync(resolve(PROJECT_ROOT, file), 'utf8').split('\n');
  const out: string[] = [];
  let depth = 0;
  let opened = false;
  for (let i = line - 1; i < lines.length; i++) {
    out.push(lines[i]);
    // Strings and regular expressions are left out of the count (roughly: enough for this project's style).
    const code = lines[i].replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '').replace(/\/(?:\\.|[^/\n])+\/[gimsuy]*/g, '');
    for (const c of code) {
      if ('({['.includes(c)) {
        depth++;
        opened = true;
      } else if (')}]'.includes(c)) depth--;
    }
    if (opened && depth <= 0) break;
  }
  return out.join('\n');
}

/** Functions defined in the steps/ files (helpers a step definition may call), by name. */
function stepHelpers(): Map<string, FnRef> {
  const out = new Map<string, FnRef>();
  const walk = (dir: string) => {
    const { readdirSync, statSync } = require('node:fs') as typeof import('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports
    for (const f of readdirSync(dir)) {
      const path = join(dir, f);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      if (!f.endsWith('.ts')) continue;
      const rel = path.slice(PROJECT_ROOT.length + 1);
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((l, i) => {
          const match = /^(?:export )?(?:async )?function (\w+)|^(?:export )?const (\w+) = (?:async )?\(/.exec(l);
          if (match) out.set(match[1] ?? match[2], { name: match[1] ?? match[2], file: rel, line: i + 1 });
        });
    }
  };
  walk(join(PROJECT_ROOT, 'steps'));
  return out;
}

function oraclesCalled(
  body: string,
  oracles: Map<string, FnRef>,
  helpers: Map<string, FnRef>,
  depth = 0,
  seen = new Set<string>(),
): { oracle: FnRef; via?: string }[] {
  const ids = new Set(body.match(/\b[A-Za-z_]\w*(?=\s*\()/g) ?? []);
  const out: { oracle: FnRef; via?: string }[] = [];
  for (const id of ids) {
    const oracle = oracles.get(id);
    if (oracle) {
      out.push({ oracle });
      continue;
    }
    const helper = helpers.get(id);
    if (helper && depth < 2 && !seen.has(id)) {
      seen.add(id);
      for (const x of oraclesCalled(bodyAt(helper.file, helper.line), oracles, helpers, depth + 1, seen))
        out.push({ oracle: x.oracle, via: x.via ?? `${helper.name} (${helper.file}:${helper.line})` });
    }
  }
  return out;
}

export async function trace(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, []);
  const id = parsed.positionals[0]?.toUpperCase();
  if (!id) throw new UsageError('vigie trace <requirement id>, e.g. vigie trace QUAL-02');
  const req = loadCatalogue().requirements[id];
  if (!req) throw new UsageError(`${id} is not in the catalogue (docs/requirements.json)`);
  const out = (l = '') => process.stdout.write(l + '\n');
  out(`${id} — ${req.title}  [side: ${req.side}]`);
  out(`  ${req.text}`);
  const scenarios = parseFeatures(PROJECT_ROOT, ['features']).filter((s) => s.requirements.includes(id));
  if (!scenarios.length) {
    out('\nNo scenario carries this tag: the requirement is not covered.');
    return 1;
  }
  const support = await loadSteps();
  const oracles = oracleIndex();
  const helpers = stepHelpers();
  const files = [...new Set(scenarios.map((s) => s.location.split(':')[0]))];
  const { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } = require('@cucumber/gherkin') as typeof import('@cucumber/gherkin'); // eslint-disable-line @typescript-eslint/no-require-imports
  const { IdGenerator } = require('@cucumber/messages') as typeof import('@cucumber/messages'); // eslint-disable-line @typescript-eslint/no-require-imports
  const used = new Map<string, { def: { uri: string; line: number; pattern: string }; oracles: { oracle: FnRef; via?: string }[] }>();
  for (const f of files) {
    out('');
    out(`Feature file: ${f}`);
    const newId = IdGenerator.incrementing();
    const doc = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(readFileSync(resolve(PROJECT_ROOT, f), 'utf8'));
    const pickles = compile(doc, f, newId).filter((p) => p.tags.some((t) => t.name === `@${id}`));
    const byName = new Map(pickles.map((p) => [p.name, p]));
    for (const p of byName.values()) {
      out(`  Scenario: ${p.name}`);
      for (const st of p.steps) {
        const defs = (
          support as unknown as { stepDefinitions: { uri: string; line: number; pattern: unknown; matchesStepName(t: string): boolean }[] }
        ).stepDefinitions;
        const def = defs.find((d) => d.matchesStepName(st.text));
        if (!def) {
          out(`    ${st.text}\n      → no step definition (harness error)`);
          continue;
        }
        const key = `${def.uri}:${def.line}`;
        if (!used.has(key))
          used.set(key, {
            def: { uri: def.uri, line: def.line, pattern: String(def.pattern) },
            oracles: oraclesCalled(bodyAt(def.uri, def.line), oracles, helpers),
          });
        const entry = used.get(key)!;
        const judged = entry.oracles.length ? `  ⇒ ${[...new Set(entry.oracles.map((o) => o.oracle.name))].join(', ')}` : '';
        out(`    ${st.text}\n      → ${key}${judged}`);
      }
    }
  }
  out('');
  out('Oracles (src/oracles/, pure functions, unit-tested):');
  const all = new Map<string, { oracle: FnRef; via?: string }>();
  for (const u of used.values()) for (const o of u.oracles) all.set(o.oracle.name, o);
  for (const o of all.values()) out(`  ${o.oracle.name}  ${o.oracle.file}:${o.oracle.line}${o.via ? `  (via ${o.via})` : ''}`);
  const mentions = [...oracles.values()].filter((o) => readFileSync(resolve(PROJECT_ROOT, o.file), 'utf8').includes(id)).map((o) => o.file);
  out(`Files of src/oracles/ that name ${id}: ${[...new Set(mentions)].join(', ') || 'none'}`);
  return 0;
}
