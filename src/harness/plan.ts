/**
 * The plan of a run, computed before cucumber starts: which feature files, which scenarios the
 * user's selection (paths, --tags) keeps, which requirements that puts in scope, and what is left
 * out on purpose (e.g. CDA-07 without a rule pack). Parsing the features here lets a bad
 * selection be said plainly (a path that does not exist, a malformed tag expression) and lets the
 * scope be stated whatever cucumber then runs.
 */
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import parseTagExpression from '@cucumber/tag-expressions';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CATALOGUE_TAG, Side, compareIds, loadCatalogue, requirementsOfSide, scenarioSide } from '../report/catalogue';
import { idRanges } from '../report/summary';

export class SelectionError extends Error {
  override name = 'SelectionError';
}

export interface PlannedScenario {
  location: string;
  name: string;
  tags: string[];
  requirements: string[];
  side: Side;
  /** The steps' text (what an attended session reads the people of a scenario from). */
  steps?: string[];
}

export interface Plan {
  /** The cucumber tag expression to run (the user's, the suite's side, and what is left out). */
  tagExpression: string;
  paths: string[];
  scenarios: PlannedScenario[];
  inScope: string[];
  notInScope: string[];
  notSelected: Record<string, string>;
  selection: string | null;
  statement: string;
  /** A --shard run: which part of which whole (shardPlan). */
  shard?: Shard & { scenarios: number; of: number; wholeScope: string[]; wholeSelection: string | null };
}

function featureFiles(path: string): string[] {
  if (!existsSync(path)) throw new SelectionError(`no feature file or folder at ${path}`);
  if (statSync(path).isDirectory())
    return readdirSync(path)
      .sort()
      .flatMap((f) => featureFiles(resolve(path, f)));
  return path.endsWith('.feature') ? [path] : [];
}

function checkTags(expr: string, what: string): (tags: string[]) => boolean {
  try {
    const node = parseTagExpression(expr);
    return (tags) => node.evaluate(tags);
  } catch (e) {
    throw new SelectionError(
      `${what} ${JSON.stringify(expr)} is not a valid tag expression: ${(e as Error).message.replace(/^Tag expression ".*?" could not be parsed because of /, '')} (e.g. '@INS-02 or @QUAL-03', 'not @service')`,
    );
  }
}

/** `features/x.feature:18:25` → the file and the scenario lines it keeps (as cucumber reads it). */
export function splitLines(path: string): { path: string; lines: number[] } {
  const parts = /^(.*?\.feature)((?::\d+)+)$/.exec(path);
  return parts ? { path: parts[1], lines: parts[2].slice(1).split(':').map(Number) } : { path, lines: [] };
}

/** Every scenario (pickle) of the feature files, with its tags; `file:line` keeps the scenarios at those lines. */
export function parseFeatures(root: string, paths: string[]): PlannedScenario[] {
  const wanted = new Map<string, Set<number> | null>();
  for (const p of paths) {
    const { path, lines } = splitLines(p);
    for (const file of featureFiles(resolve(root, path))) {
      const had = wanted.get(file);
      // A whole file once asked for stays whole.
      wanted.set(file, !lines.length || had === null ? null : new Set([...(had ?? []), ...lines]));
    }
  }
  const files = [...wanted.keys()];
  if (!files.length) throw new SelectionError(`no .feature file under ${paths.join(', ')}`);
  const out: PlannedScenario[] = [];
  for (const file of files) {
    const keep = wanted.get(file);
    const matched = new Set<number>();
    const newId = IdGenerator.incrementing();
    const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
    let doc;
    try {
      doc = parser.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SelectionError(`${relative(root, file)}: not valid Gherkin: ${(e as Error).message}`);
    }
    const uri = relative(root, file).replace(/\\/g, '/');
    for (const p of compile(doc, uri, newId)) {
      const tags = p.tags.map((t) => t.name);
      const { line, selectedBy } = doc.feature ? linesOf(doc, p.astNodeIds) : { line: 0, selectedBy: [] };
      if (keep && !selectedBy.some((l) => keep.has(l))) continue;
      selectedBy.forEach((l) => matched.add(l));
      out.push({
        location: `${uri}:${line}`,
        name: p.name,
        tags,
        requirements: tags.map((t) => CATALOGUE_TAG.exec(t)?.[1]).filter((x): x is string => !!x),
        side: scenarioSide(tags),
        steps: p.steps.map((st) => st.text),
      });
    }
    const unmatched = [...(keep ?? [])].filter((l) => !matched.has(l));
    if (unmatched.length) throw new SelectionError(`${uri}: no scenario or example row at line ${unmatched.join(', ')}`);
  }
  return out;
}

/**
 * The line of the scenario (or its example row) a pickle comes from, as cucumber reports it, and
 * every line that selects it (`file:line`: the scenario's own line selects all its example rows).
 */
function linesOf(doc: ReturnType<Parser<unknown>['parse']>, astNodeIds: readonly string[]): { line: number; selectedBy: number[] } {
  const lines = new Map<string, number>();
  const visit = (
    children: readonly {
      scenario?: {
        id: string;
        location: { line: number };
        examples: readonly { tableBody: readonly { id: string; location: { line: number } }[] }[];
      };
      rule?: { children: readonly unknown[] };
    }[],
  ) => {
    for (const c of children) {
      if (c.scenario) {
        lines.set(c.scenario.id, c.scenario.location.line);
        for (const ex of c.scenario.examples) for (const row of ex.tableBody) lines.set(row.id, row.location.line);
      }
      if (c.rule) visit(c.rule.children as never);
    }
  };
  const feature = (doc as unknown as { feature?: { children: never } }).feature;
  if (feature) visit(feature.children);
  // Like cucumber: an example row's line, else the scenario's.
  const line = lines.get(astNodeIds[astNodeIds.length - 1]) ?? lines.get(astNodeIds[0]) ?? 0;
  return { line, selectedBy: astNodeIds.map((id) => lines.get(id)).filter((l): l is number => l !== undefined) };
}

export interface PlanOptions {
  root: string;
  side: Side;
  /** Feature paths the user gave (default: features/). */
  paths?: string[];
  /** The user's --tags expression. */
  tags?: string;
  /** Tags left out on purpose, with the reason (e.g. "@rule-pack": no ANS rule pack). */
  leftOut?: Record<string, string>;
}

export function makePlan(options: PlanOptions): Plan {
  const paths = options.paths?.length ? options.paths : ['features'];
  const userFilter = options.tags ? checkTags(options.tags, '--tags') : () => true;
  const all = parseFeatures(options.root, paths);
  const ofSide = all.filter((s) => s.side === options.side);
  const selected = ofSide.filter((s) => userFilter(s.tags));
  const narrowed = !!options.tags || !!options.paths?.length;
  const sideReqs = requirementsOfSide(options.side);
  const catalogue = loadCatalogue();
  const unknown = [...new Set(selected.flatMap((s) => s.requirements))].filter((r) => !catalogue.requirements[r]);
  if (unknown.length)
    throw new SelectionError(`the features tag requirements the catalogue (docs/requirements.json) does not have: ${unknown.join(', ')}`);
  const inScope = narrowed
    ? [...new Set(selected.flatMap((s) => s.requirements))].filter((r) => sideReqs.includes(r)).sort(compareIds)
    : sideReqs;
  const notSelected: Record<string, string> = {};
  for (const [tag, why] of Object.entries(options.leftOut ?? {})) {
    for (const r of inScope) {
      const mine = selected.filter((s) => s.requirements.includes(r));
      if (mine.length && mine.every((s) => s.tags.includes(tag))) notSelected[r] = why;
    }
  }
  const sideTag = options.side === 'service' ? '@service' : 'not @service';
  const leftOutExpr = Object.keys(options.leftOut ?? {}).map((t) => `not ${t}`);
  const tagExpression = [options.tags ? `(${options.tags})` : '', sideTag, ...leftOutExpr].filter(Boolean).join(' and ');
  const notInScope = sideReqs.filter((r) => !inScope.includes(r));
  const selection = narrowed
    ? [options.paths?.length ? paths.join(' ') : '', options.tags ? `--tags '${options.tags}'` : ''].filter(Boolean).join(' ')
    : null;
  const sideName = options.side === 'lgc' ? 'the LGC side' : "the MSSanté operator's side";
  const statement = narrowed
    ? `${idRanges(inScope) || 'no requirement'} (selected by ${selection}); ${notInScope.length} catalogue requirement(s) of ${sideName} not in scope`
    : `every catalogue requirement of ${sideName} (${inScope.length})`;
  return { tagExpression, paths, scenarios: selected, inScope, notInScope, notSelected, selection, statement };
}

export interface Shard {
  index: number;
  count: number;
}

/** `--shard 2/3` → { index: 2, count: 3 }; a clear error otherwise. */
export function parseShard(raw: string): Shard {
  const parts = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = parts ? Number(parts[1]) : NaN;
  const count = parts ? Number(parts[2]) : NaN;
  if (!parts || count < 1 || index < 1 || index > count)
    throw new SelectionError(`--shard ${raw}: must be i/n with 1 ≤ i ≤ n, e.g. --shard 1/2`);
  return { index, count };
}

/**
 * The scenarios of one shard, deterministically. With recorded durations (a previous run's
 * summary), longest first, each to the shard with the least time so far (ties to the lowest);
 * a scenario without a record counts as the median. Without, round robin in file order.
 * Every shard of the same plan and durations gets a disjoint part, and together they are the whole.
 */
export function shardScenarios(scenarios: PlannedScenario[], shard: Shard, durations?: Record<string, number>): PlannedScenario[] {
  if (!durations || !Object.keys(durations).length) return scenarios.filter((_, i) => i % shard.count === shard.index - 1);
  const known = scenarios.map((s) => durations[s.location]).filter((d): d is number => typeof d === 'number');
  const median = known.length ? [...known].sort((a, b) => a - b)[Math.floor(known.length / 2)] : 1;
  const weight = (s: PlannedScenario) => durations[s.location] ?? median;
  const order = scenarios.map((s, i) => ({ s, i, w: weight(s) })).sort((a, b) => b.w - a.w || a.i - b.i);
  const load = new Array<number>(shard.count).fill(0);
  const mine = new Set<number>();
  for (const { i, w } of order) {
    const to = load.indexOf(Math.min(...load));
    load[to] += w;
    if (to === shard.index - 1) mine.add(i);
  }
  return scenarios.filter((_, i) => mine.has(i));
}

/**
 * The plan of one shard: the whole plan's scenarios cut by shardScenarios, then planned again from
 * their file:line so that cucumber runs those only. Its scope is its own requirements ("shard i/n");
 * the whole plan's scope is kept for vigie merge, which judges the union against it.
 */
export function shardPlan(whole: Plan, shard: Shard, options: PlanOptions, durations?: Record<string, number>): Plan {
  const part = shardScenarios(whole.scenarios, shard, durations);
  const label = `shard ${shard.index}/${shard.count}`;
  if (!part.length) throw new SelectionError(`${label} holds no scenario: the selection has ${whole.scenarios.length}, use fewer shards`);
  const plan = makePlan({ ...options, paths: part.map((s) => s.location) });
  const of = whole.selection ?? 'features';
  return {
    ...plan,
    selection: `${label} of ${of}`,
    statement: `${label}: ${idRanges(plan.inScope)} (${part.length} of ${whole.scenarios.length} scenarios of ${of}); vigie merge joins the shards into the verdict on ${whole.statement.replace(/ \(selected by .*?\)/, '')}`,
    shard: { ...shard, scenarios: part.length, of: whole.scenarios.length, wholeScope: whole.inScope, wholeSelection: whole.selection },
  };
}
