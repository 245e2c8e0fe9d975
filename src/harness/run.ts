// One run from start to end — plan, target and doubles, cucumber, verdicts, reports, and the clean-up on
// every exit path. Over 300 lines because that order, and what each exit writes, is what a reader needs in one place.
import { IRunOptions, ISupportCodeLibrary, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { DEFAULT_TIMEOUTS, LoadedConfig, PROJECT_ROOT, Timeouts } from '../config/load';
import { HttpDriver } from '../drivers/http-driver';
import { finishAllureResults, writeAllureContext } from '../report/allure';
import { commandLine, harnessVersion, javaVersion } from './provenance';
import { writeConformancePage } from '../report/conformance';
import { writeEvidence } from '../report/evidence';
import type { Side } from '../report/catalogue';
import { toJunit } from '../report/junit';
import {
  ResultCollector,
  ScenarioResult,
  Summary,
  counts,
  errorGroups,
  exitCodeOf,
  incompleteReasons,
  outcomeOf,
  requirementVerdicts,
} from '../report/summary';
import { prepareCdaEngine } from '../cda';
import { DEFAULT_RULES_DIR, findRulePack, openRulePack } from '../cda/rulepack';
import { ReferenceLgc, startReferenceLgc, switchReferenceDefects } from './reference-process';
import { CHROMIUM_PATH, browserProblem, closeBrowser, launchBrowser } from '../drivers/ui/browser';
import { SelectorMap, fill, loadPageObjects, loadSelectorMap } from '../drivers/ui/selector-map';
import { Plan, SelectionError, Shard, makePlan, shardPlan } from './plan';
import { AttendedSession, Journal } from '../drivers/attended/session';
import { AttendedRun, SERVE_PORTS, attendedSetup, startAttended } from '../drivers/attended/run';

export interface RunOptions {
  loaded: LoadedConfig;
  /** The driver (default: the target's): "ui" drives the target's web UI in headless Chromium; "attended", a person. */
  driver?: 'http' | 'ui' | 'smtp' | 'attended';
  /** Attended mode: the journal of a paused session to go on with. */
  resume?: string;
  /** Which suite judges (default: the service suite for an smtp target, the LGC suite otherwise). */
  suite?: Side;
  /** Also run the service suite against Vigie's own MSSanté double, reported apart as a self-check. */
  selfCheck?: boolean;
  /** Overrides the target's baseUrl (e.g. a reference LGC the caller already started). */
  baseUrl?: string;
  /** Seeded defects of the embedded reference LGC (switched through its reference-only endpoint). */
  defects?: string[];
  paths?: string[];
  tags?: string;
  /** Where to write reports; false writes none (the defect matrix). */
  reportsDir?: string | false;
  /** Reuse an already loaded support library (many runs in one process). */
  support?: ISupportCodeLibrary;
  quiet?: boolean;
  log?: (line: string) => void;
  /** Called as each scenario ends (the console's progress line). */
  onScenario?: (r: ScenarioResult, done: number, total: number) => void;
  /** Seeded defects of the MSSanté double, when it is the service under test (@service). */
  serviceDefects?: string[];
  /** Leave the browser running after the run (many ui runs in one process: the defect matrix). */
  keepBrowser?: boolean;
  /** The ANS rule pack for CDA-07 (default: rules/TestContenuCDA-3-0, else ../shared's copy); without one, CDA-07 is not selected. */
  rulesDir?: string;
  /** --require-observed: these requirements (or all) pass only on observed evidence. */
  requireObserved?: string[] | 'all';
  /** --shard i/n: this run's part of the selection (src/harness/plan.ts, shardPlan), balanced by a previous run's timings when given. */
  shard?: Shard;
  shardTimings?: Record<string, number>;
}

export interface RunResult {
  summary: Summary;
  exitCode: number;
  support?: ISupportCodeLibrary;
  results: ScenarioResult[];
}

let supportInProcess: ISupportCodeLibrary | undefined;

const STEP_FILES = () => listTs(join(PROJECT_ROOT, 'steps'));

function listTs(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => {
      const path = join(dir, f);
      return statSync(path).isDirectory() ? listTs(path) : f.endsWith('.ts') ? [path] : [];
    })
    .sort();
}

export function supportCoordinates() {
  return { requireModules: ['ts-node/register'], requirePaths: STEP_FILES(), importPaths: [], loaders: [] };
}

export function sourcesCoordinates(paths: string[], tags = '') {
  return {
    defaultDialect: 'en',
    paths: paths.map((p) => resolve(PROJECT_ROOT, p)),
    names: [],
    tagExpression: tags,
    order: 'defined' as const,
  };
}

/** Loads the step definitions once; pass the result to many runs. */
export async function loadSteps(): Promise<ISupportCodeLibrary> {
  process.env.TS_NODE_TRANSPILE_ONLY ??= 'true';
  return loadSupport({ sources: sourcesCoordinates(['features']), support: supportCoordinates() }, { cwd: PROJECT_ROOT });
}

/** Empties a reports folder (its .gitkeep kept): a report never describes another run than the last. */
export function clearReports(dir: string, keep: string[] = []): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f !== '.gitkeep' && !keep.includes(f)) rmSync(join(dir, f), { recursive: true, force: true });
}

type Base = Omit<Summary, 'outcome' | 'durationMs' | 'scenarios' | 'requirements' | 'scope'>;

/**
 * One conformance run: (start the embedded reference if asked) → check the target answers →
 * run the selected features of one suite → requirement verdicts over the scope → reports. Never
 * throws for a target problem: that is the outcome "could-not-run".
 */
export async function runSuite(opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const cfg = opts.loaded.config;
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...opts.loaded.timeouts };
  const defects = [...(cfg.defects ?? []), ...(opts.defects ?? [])];
  const serviceMode = cfg.driver === 'smtp';
  const driver = serviceMode ? 'smtp' : (opts.driver ?? cfg.driver);
  const suite: Side = opts.suite ?? (serviceMode ? 'service' : 'lgc');
  const rulesDir = findRulePack(opts.rulesDir);
  const rulePacks: Record<string, unknown> = {};
  const leftOut: Record<string, string> = {};
  if (rulesDir) {
    const pack = openRulePack(rulesDir);
    rulePacks.TestContenuCDA = { path: pack.path, hash: pack.hash, commit: pack.commit };
  } else {
    rulePacks.TestContenuCDA = null;
    leftOut['@rule-pack'] =
      `no ANS rule pack (TestContenuCDA) at ${opts.rulesDir ?? DEFAULT_RULES_DIR} nor in ../shared/reference: the ANS schematrons cannot be run (see README, "The ANS rule pack")`;
  }
  const base: Base = {
    suite,
    target: suite === 'service' && !serviceMode ? 'MSSanté double (Vigie)' : cfg.name,
    driver: suite === 'service' && !serviceMode ? 'smtp' : driver,
    startedAt: new Date().toISOString(),
    provenance: {
      harness: harnessVersion(),
      config: opts.loaded.hash,
      node: process.version,
      java: javaVersion(),
      rulePacks,
      command: commandLine(),
    },
    ...(defects.length ? { defects } : {}),
    ...(opts.requireObserved ? { requireObserved: opts.requireObserved } : {}),
  };
  const attendedMode = suite === 'lgc' && driver === 'attended';
  // A resumed attended session keeps its journal and the screenshots the person attached.
  let resumed: Journal | undefined;
  let resumeProblem: string | undefined;
  if (opts.resume && !attendedMode) resumeProblem = '--resume goes with --driver attended';
  else if (opts.resume) {
    try {
      resumed = AttendedSession.load(resolve(opts.resume));
    } catch (e) {
      resumeProblem = `--resume ${opts.resume}: ${(e as Error).message}`;
    }
  }
  if (opts.reportsDir) clearReports(resolve(opts.reportsDir), resumed ? ['attended'] : []);
  const couldNotRun = (reason: string, plan?: Plan): RunResult => {
    const summary: Summary = {
      ...base,
      outcome: 'could-not-run',
      reasons: [reason],
      durationMs: Math.round(performance.now() - t0),
      scope: {
        selection: plan?.selection ?? null,
        inScope: plan?.inScope ?? [],
        notInScope: plan?.notInScope ?? [],
        statement: plan?.statement ?? 'not computed',
      },
      scenarios: counts([]),
      requirements: {},
    };
    if (opts.reportsDir) writeReports(opts.reportsDir, summary, []);
    return { summary, exitCode: 2, results: [] };
  };

  if (resumeProblem) return couldNotRun(resumeProblem);
  let plan: Plan;
  try {
    const planOptions = { root: PROJECT_ROOT, side: suite, paths: opts.paths, tags: opts.tags, leftOut };
    plan = makePlan(planOptions);
    if (opts.shard) plan = shardPlan(plan, opts.shard, planOptions, opts.shardTimings);
  } catch (e) {
    if (e instanceof SelectionError) return couldNotRun(e.message);
    throw e;
  }
  if (!plan.inScope.length)
    return couldNotRun(
      `the selection (${plan.selection ?? 'features'}) holds no scenario of the ${suite === 'lgc' ? 'LGC' : 'service'} suite tagged with a catalogue requirement`,
      plan,
    );
  if (defects.length && !cfg.embedded) return couldNotRun('--defect applies only to the embedded reference LGC', plan);

  let reference: ReferenceLgc | undefined;
  let attended: AttendedRun | undefined;
  let baseUrl = opts.baseUrl ?? cfg.baseUrl;
  const lgcRun = suite === 'lgc';
  const uiMode = lgcRun && driver === 'ui';
  let ui: { selectors: string; baseUrl?: string; trace: boolean; traceSnapshots: boolean; findMs?: number; pageObjects?: string } | null =
    null;
  let uiMap: SelectorMap | undefined;
  const runId = randomBytes(3).toString('hex');
  if (uiMode) {
    // The selector map is checked before anything starts: a missing selector is named, exit 2.
    try {
      const { map, file } = loadSelectorMap(cfg.ui?.selectors ?? '', dirname(opts.loaded.file));
      uiMap = map;
      ui = {
        selectors: file,
        baseUrl: cfg.ui?.baseUrl ?? map.baseUrl,
        trace: cfg.ui?.trace ?? true,
        traceSnapshots: cfg.ui?.traceSnapshots ?? false,
        findMs: cfg.ui?.findMs,
      };
      if (cfg.ui?.pageObjects) ui.pageObjects = loadPageObjects(cfg.ui.pageObjects, dirname(opts.loaded.file)).file;
    } catch (e) {
      return couldNotRun((e as Error).message, plan);
    }
    const problem = browserProblem();
    if (problem) return couldNotRun(problem, plan);
  }
  let selfCheck: RunResult | undefined;
  try {
    if (serviceMode) {
      // An MSSanté-like service under test: no LGC; its SMTP and POP3 servers must answer.
      try {
        await tcpReachable(cfg.host!, cfg.port!, timeouts.reachMs);
        await tcpReachable(cfg.pop3!.host, cfg.pop3!.port, timeouts.reachMs);
      } catch (e) {
        return couldNotRun(`the service "${cfg.name}" did not answer: ${(e as Error).message}`, plan);
      }
      baseUrl = 'about:none';
    } else if (!lgcRun) {
      baseUrl = 'about:none'; // the service suite against Vigie's own double: no LGC involved
    } else if (attendedMode && !cfg.embedded) {
      baseUrl = 'about:none'; // a person drives the LGC: Vigie needs no API of it
    } else if (!baseUrl && cfg.embedded) {
      try {
        reference = await startReferenceLgc({ host: '127.0.0.1' });
      } catch (e) {
        return couldNotRun((e as Error).message, plan);
      }
      baseUrl = reference.url;
    }
    if (!baseUrl) return couldNotRun('no baseUrl for the target', plan);

    // Attended: the reference's defects go to the session's one practice, configured at its first reset.
    if (attendedMode && cfg.embedded && defects.length) {
      try {
        await switchReferenceDefects(baseUrl, 'attended', defects, timeouts.reachMs);
      } catch (e) {
        return couldNotRun((e as Error).message, plan);
      }
    }
    if (lgcRun && !attendedMode) {
      // H-02: an unreachable target is said so, quickly, and is not a verdict.
      try {
        const health = await new HttpDriver(baseUrl).health(timeouts.reachMs);
        if (!opts.quiet)
          log(
            `Target "${cfg.name}" at ${baseUrl} answers (test-driver contract ${health.contract}${health.name ? ', ' + health.name : ''}).`,
          );
      } catch (e) {
        return couldNotRun(
          `the target "${cfg.name}" did not answer at ${baseUrl} within ${timeouts.reachMs} ms: ${(e as Error).message}`,
          plan,
        );
      }
      // The reference's seeded defects, for this run's tenants only (a reference-only switch, not the vendor contract).
      if (cfg.embedded && defects.length) {
        try {
          await switchReferenceDefects(baseUrl, `${runId}-`, defects, timeouts.reachMs);
        } catch (e) {
          return couldNotRun((e as Error).message, plan);
        }
      }
      // One reset before the scenarios: a target that refuses it is said once, not per scenario.
      try {
        await new HttpDriver(baseUrl, timeouts.reachMs).reset({
          tenant: 'vigie-preflight',
          doubles: { insi: 'http://127.0.0.1:9/insi/vigie-preflight' },
        });
      } catch (e) {
        return couldNotRun(`the target "${cfg.name}" refused a test-driver reset: ${(e as Error).message}`, plan);
      }
    }

    if (ui) {
      // The browser starts, and the UI's first screen shows what the map says it holds.
      ui.baseUrl ??= baseUrl;
      try {
        const browser = await launchBrowser();
        const problem = await checkUiScreen(browser, uiMap!, ui.selectors, ui.baseUrl, timeouts.reachMs);
        if (problem) return couldNotRun(problem, plan);
        if (!opts.quiet) log(`Web UI of "${cfg.name}" at ${ui.baseUrl} drives in ${CHROMIUM_PATH} (selector map ${ui.selectors}).`);
      } catch (e) {
        return couldNotRun((e as Error).message, plan);
      }
    }
    if (!opts.quiet) {
      if (!rulesDir) log(`ANS rule pack: none — CDA-07 cannot be judged (${leftOut['@rule-pack']}); the outcome cannot be CONFORMANT.`);
      log(
        `Suite: ${suite === 'lgc' ? "the LGC suite (the practice software's duties)" : "the service suite (the MSSanté operator's rules)"}; scope: ${plan.statement}.`,
      );
    }

    const collector = new ResultCollector(PROJECT_ROOT);
    const total = plan.scenarios.filter((s) => !Object.keys(leftOut).some((t) => s.tags.includes(t))).length;
    collector.onResult = (r) => opts.onScenario?.(r, collector.results.length, total);
    // The CDA engine's one-off builds (javac, the pack's schematrons) happen here, not inside a step,
    // and before an attended console starts: they block this process (a first run: tens of seconds).
    if (suite === 'lgc') prepareCdaEngine(rulesDir);
    // Attended: a console for the person, the doubles on fixed ports, the journal of what is judged.
    let toRun = plan;
    let earlier: ScenarioResult[] = [];
    if (attendedMode) {
      if (opts.support || supportInProcess)
        return couldNotRun("an attended run needs a process of its own (its steps wait at a person's pace)", plan);
      const setup = attendedSetup({ cfg, plan, resumed, timeouts, root: PROJECT_ROOT, leftOut });
      toRun = setup.plan;
      earlier = setup.earlier;
      Object.assign(timeouts, setup.timeouts);
      // A step may hold several of the person's tasks, each bounded by the task bound.
      process.env.VIGIE_STEP_TIMEOUT_MS = String(8 * setup.options.taskMs);
      try {
        attended = await startAttended({
          ...setup.options,
          reportsDir: resolve(opts.reportsDir || join(PROJECT_ROOT, 'reports')),
          target: cfg.name,
        });
      } catch (e) {
        return couldNotRun((e as Error).message, plan);
      }
      // The embedded reference has no installer screen: Vigie configures it as its user would once.
      if (cfg.embedded)
        attended.configure = async (o) => {
          await new HttpDriver(baseUrl!, timeouts.reachMs).reset(o);
          return `${baseUrl}/ui/patients?tenant=${encodeURIComponent(o.tenant)}`;
        };
      const session = attended;
      collector.onResult = (r) => {
        if (!/session paused|session closed/.test(r.message ?? '')) session.record(r);
        opts.onScenario?.(r, earlier.length + collector.results.length, total);
      };
      log(
        `Attended session: open ${attended.console.url} in your browser (patient sheet: ${attended.console.url}sheet); the journal is ${attended.journalFile}.`,
      );
      if (earlier.length) log(`Resumed: ${earlier.length} scenario(s) judged earlier are kept; ${toRun.scenarios.length} to play.`);
    }
    const files: Record<string, string> = {};
    let options = {};
    if (opts.reportsDir) {
      const dir = resolve(opts.reportsDir);
      Object.assign(files, {
        [join(dir, 'cucumber.json')]: 'json',
        [join(dir, 'cucumber.html')]: 'html',
        [join(dir, 'cucumber-messages.ndjson')]: 'message',
      });
      files[join(dir, 'allure-results', '.cucumber-allure.log')] = 'allure-cucumberjs/reporter';
      options = { resultsDir: join(dir, 'allure-results') };
    }
    const worldParameters = {
      target: cfg.name,
      baseUrl,
      driver: lgcRun ? driver : 'smtp',
      ui,
      doubles: {
        host: cfg.doubles?.host ?? '127.0.0.1',
        advertisedHost: cfg.doubles?.advertisedHost,
        insiPort: cfg.doubles?.insi?.port ?? (attendedMode ? SERVE_PORTS.insi : 0),
        dmpPort: cfg.doubles?.dmp?.port ?? (attendedMode ? SERVE_PORTS.dmp : 0),
        ePrescriptionPort: cfg.doubles?.eprescription?.port ?? (attendedMode ? SERVE_PORTS.eprescription : 0),
        mssSmtpPort: cfg.doubles?.mss?.smtpPort ?? (attendedMode ? SERVE_PORTS.smtp : 0),
        mssPop3Port: cfg.doubles?.mss?.pop3Port ?? (attendedMode ? SERVE_PORTS.pop3 : 0),
        tls: cfg.doubles?.tls ?? true,
        clientCas: cfg.doubles?.clientCas ?? [],
      },
      serviceDefects: opts.serviceDefects ?? [],
      service: serviceMode
        ? {
            smtp: { host: cfg.host, port: cfg.port },
            pop3: cfg.pop3,
            password: cfg.password ?? '',
            mailboxes: cfg.mailboxes,
            patients: cfg.patients,
          }
        : null,
      timeouts,
      runId,
      rulesDir,
      evidence: opts.reportsDir !== false,
    };
    const runOptions: IRunOptions = {
      sources: sourcesCoordinates(toRun.paths, toRun.tagExpression),
      // Step files can be loaded once per process (require cache): later runs reuse the library.
      support: opts.support ?? supportInProcess ?? supportCoordinates(),
      runtime: {
        dryRun: false,
        failFast: false,
        filterStacktraces: true,
        parallel: 0,
        retry: 0,
        retryTagFilter: '',
        strict: true,
        worldParameters: JSON.parse(JSON.stringify(worldParameters)),
      },
      formats: { stdout: 'summary', files, publish: false, options },
    };
    process.env.TS_NODE_TRANSPILE_ONLY ??= 'true';
    // Cucumber's own console output is not shown: Vigie prints each verdict once (src/report/console.ts).
    const sink = new Writable({
      write(_c, _e, cb) {
        cb();
      },
    });
    let support: ISupportCodeLibrary | undefined;
    try {
      const result = await runCucumber(runOptions, { cwd: PROJECT_ROOT, stdout: sink, stderr: process.stderr }, collector.onMessage);
      support = result.support;
      supportInProcess ??= result.support;
    } catch (e) {
      return couldNotRun(`the harness could not run the features: ${(e as Error).message}`, plan);
    }

    const results = [...earlier, ...collector.results];
    const requirements = requirementVerdicts(results, {
      side: suite,
      inScope: plan.inScope,
      notSelected: plan.notSelected,
      requireObserved: opts.requireObserved,
    });
    const outcome = outcomeOf(requirements);
    // The self-check of the double goes with the whole suite, or with the first of its shards.
    if (opts.selfCheck && suite === 'lgc' && !opts.paths?.length && !opts.tags && (opts.shard?.index ?? 1) === 1) {
      selfCheck = await runSuite({
        ...opts,
        suite: 'service',
        selfCheck: false,
        // The whole service suite: a shard of the LGC suite is not a shard of the double's self-check.
        shard: undefined,
        shardTimings: undefined,
        reportsDir: false,
        quiet: true,
        defects: [],
        onScenario: undefined,
        driver: 'smtp',
        baseUrl: 'about:none',
      });
    }
    const summary: Summary = {
      ...base,
      outcome,
      ...(outcome === 'incomplete' ? { reasons: incompleteReasons(requirements) } : {}),
      scope: { selection: plan.selection, inScope: plan.inScope, notInScope: plan.notInScope, statement: plan.statement },
      durationMs: Math.round(performance.now() - t0),
      scenarios: counts(results),
      requirements,
      errors: errorGroups(results),
      failures: results
        .filter((s) => s.status === 'failed')
        .map((s) => ({ scenario: s.location, requirements: s.requirements, status: s.status, message: s.message ?? '' })),
      ...(selfCheck ? { selfCheck: selfCheck.summary } : {}),
      ...(plan.shard ? { shard: plan.shard } : {}),
      cdaDocuments: results.flatMap((r) => (r.cdaDocuments ?? []).map((d) => ({ scenario: r.location, ...d }))),
      // Each scenario's wall time: what --shard-timings balances the next sharded run with.
      timings: Object.fromEntries(results.map((r) => [r.location, r.wallMs])),
    };
    if (opts.reportsDir) {
      writeReports(opts.reportsDir, summary, results);
      // Each exchange and document as a file of its own, then the conformance page linking to them.
      await writeEvidence(resolve(opts.reportsDir), PROJECT_ROOT).catch((e: Error) => log(`evidence folders not written: ${e.message}`));
      writeConformancePage(resolve(opts.reportsDir), summary);
    }
    // A self-check of Vigie's own double that fails makes the run untrustworthy: could not run (2), unless the target already failed (1).
    const selfCheckBroken = selfCheck && selfCheck.summary.outcome !== 'conformant';
    const exitCode = selfCheckBroken && outcome !== 'not-conformant' ? 2 : exitCodeOf(outcome);
    return { summary, exitCode, support, results };
  } finally {
    if (uiMode && !opts.keepBrowser) await closeBrowser();
    await attended?.stop();
    await reference?.stop();
  }
}

/** Loads the UI's patient list for the preflight tenant and checks the map's selectors for it are there (one each). */
async function checkUiScreen(
  browser: import('playwright').Browser,
  map: SelectorMap,
  mapFile: string,
  uiBaseUrl: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const path = fill(map.urls.patientList, { tenant: 'vigie-preflight', ws: map.workstations.PS }, 'url');
  const url = /^https?:/.test(path) ? path : uiBaseUrl.replace(/\/$/, '') + path;
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    let status = 0;
    try {
      status = (await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs }))?.status() ?? 0;
    } catch (e) {
      return `the web UI did not load ${url} within ${timeoutMs} ms: ${(e as Error).message.split('\n')[0]}`;
    }
    if (status >= 400) return `the web UI answered HTTP ${status} for ${url} (urls.patientList)`;
    const card = map.selectors.carteVitale;
    const wanted: Record<string, string> = {
      'carteVitale.matricule': card.matricule,
      'carteVitale.birthName': card.birthName,
      'carteVitale.firstName': card.firstName,
      'carteVitale.birthDate': card.birthDate,
      'carteVitale.submit': card.submit,
      'startOfDay.date': map.selectors.startOfDay.date,
      'startOfDay.submit': map.selectors.startOfDay.submit,
    };
    const problems: string[] = [];
    // Counted as the driver counts (src/drivers/ui/dom.ts): CSS, visible elements only.
    for (const [key, css] of Object.entries(wanted)) {
      const n = await page
        .evaluate((sel) => {
          try {
            return Array.from(document.querySelectorAll(sel)).filter((e) => (e as HTMLElement).getClientRects().length > 0).length;
          } catch {
            return -1;
          }
        }, css)
        .catch(() => -1);
      if (n !== 1)
        problems.push(
          `selector ${key} (${css}) ${n < 0 ? 'is not a valid CSS selector' : n === 0 ? 'matched no visible element' : `matched ${n} visible elements`}`,
        );
    }
    return problems.length ? `${mapFile}: on the patient list (${url}): ${problems.join('; ')}` : undefined;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    // eslint-disable-next-line no-restricted-syntax -- a connect guard, cleared on connect or error
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${host}:${port}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      const code = (e as NodeJS.ErrnoException).code;
      reject(new Error(`${host}:${port}: ${code === 'ECONNREFUSED' ? 'connection refused' : (code ?? e.message)}`));
    });
  });
}

function writeReports(dir: string, summary: Summary, results: ScenarioResult[]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'junit.xml'), toJunit(summary, results));
  if (!existsSync(join(dir, 'allure-results'))) mkdirSync(join(dir, 'allure-results'), { recursive: true });
  writeAllureContext(join(dir, 'allure-results'), summary);
  finishAllureResults(join(dir, 'allure-results'), summary, results);
  writeConformancePage(dir, summary);
}
