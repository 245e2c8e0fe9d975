/**
 * An attended run's session, shared by the runner (src/harness/run.ts), which starts it and keeps
 * the journal of judged scenarios, and the step hooks, which give each scenario its drivers and
 * identities. Cucumber runs in the runner's process, so this module is the meeting point.
 */
import { join } from 'node:path';
import type { Person } from '../../fixtures/people';
import type { InsiPerson } from '../../doubles/insi/types';
import { Plan, PlannedScenario, makePlan } from '../../harness/plan';
import type { TargetConfig, Timeouts } from '../../config/load';
import type { ScenarioResult } from '../../report/summary';
import type { ResetOptions } from '../driver';
import { AttendedConsole } from './console';
import type { AttendedShared } from './driver';
import { peopleNamedIn, variantOf } from './people';
import { AttendedSession, Journal } from './session';

export interface AttendedOptions {
  reportsDir: string;
  port: number;
  taskMs: number;
  target: string;
  /** The scenarios of the whole selection, numbered in order (the sheet's numbers). */
  scenarios: PlannedScenario[];
  /** A journal to resume from. */
  resume?: Journal;
}

/** The fixed ports of `vigie serve`, which an attended run's doubles use too: the LGC is configured once. */
export const SERVE_PORTS = { insi: 8701, dmp: 8702, eprescription: 8703, smtp: 2525, pop3: 1110 };
const CONSOLE_PORT = 8710;
const TASK_MINUTES = 30;

/**
 * What an attended run changes in the runner: the scenarios still to play (all, or those a resumed
 * session has not judged), the results kept from before, the person-sized action bounds.
 */
export function attendedSetup(given: {
  cfg: TargetConfig;
  plan: Plan;
  resumed?: Journal;
  timeouts: Timeouts;
  root: string;
  leftOut: Record<string, string>;
}): { plan: Plan; earlier: ScenarioResult[]; timeouts: Partial<Timeouts>; options: Omit<AttendedOptions, 'reportsDir' | 'target'> } {
  const taskMs = Math.round((given.cfg.attended?.taskMinutes ?? TASK_MINUTES) * 60_000);
  const judged = given.resumed?.judged ?? {};
  const earlier = given.plan.scenarios.filter((s) => judged[s.location]).map((s) => judged[s.location] as ScenarioResult);
  const left = given.plan.scenarios.filter((s) => !judged[s.location]);
  let plan = given.plan;
  if (earlier.length)
    plan = left.length
      ? makePlan({ root: given.root, side: 'lgc', paths: left.map((s) => s.location), leftOut: given.leftOut })
      : { ...given.plan, scenarios: [], tagExpression: '@vigie-nothing-left-to-play' };
  return {
    plan,
    earlier,
    // The person's pace bounds an action, not the machine's: a task waits up to taskMinutes.
    timeouts: { actionMs: taskMs, heldActionMs: taskMs },
    options: { port: given.cfg.attended?.port ?? CONSOLE_PORT, taskMs, scenarios: given.plan.scenarios, resume: given.resumed },
  };
}

export interface AttendedRun {
  console: AttendedConsole;
  journalFile: string;
  /** Set by the runner for an LGC it can configure itself (the embedded reference): called with the first reset. */
  configure?: (o: ResetOptions) => Promise<string | void>;
  /** A scenario judged: kept in the journal (a resumed session does not play it again). */
  record(result: ScenarioResult): void;
  shared: AttendedShared;
  /** A scenario's number on the patient sheet, by location. */
  numberOf(location: string): number;
  /** Every identity of the session, as the INSi double must know them. */
  insiPeople(): InsiPerson[];
  stop(): Promise<void>;
}

let active: AttendedRun | undefined;

export function attendedRun(): AttendedRun | undefined {
  return active;
}

export const journalFileOf = (reportsDir: string) => join(reportsDir, 'attended', 'session.json');

export async function startAttended(opts: AttendedOptions): Promise<AttendedRun> {
  const session = new AttendedSession(journalFileOf(opts.reportsDir), opts.taskMs, opts.resume);
  const console = new AttendedConsole(session, { port: opts.port });
  const numbers = new Map(opts.scenarios.map((s, i) => [s.location, i + 1]));
  const people = new Map<string, Person[]>(
    opts.scenarios.map((s, i) => [s.location, peopleNamedIn(s.steps ?? []).map((p) => variantOf(p, i + 1))]),
  );
  console.sheet = opts.scenarios.map((s, i) => ({
    number: i + 1,
    location: s.location,
    name: s.name,
    people: people.get(s.location) ?? [],
  }));
  console.progress.target = opts.target;
  console.progress.total = opts.scenarios.length;
  console.progress.done = Object.keys(session.journal.judged).length;
  await console.start();
  const run: AttendedRun = {
    console,
    journalFile: session.journalFile,
    record(result) {
      session.recordJudged(result.location, result);
      console.progress.done = Object.keys(session.journal.judged).length;
    },
    shared: {
      console,
      files: new Map(),
      documents: new Map(),
      // A resumed session was configured in its first part.
      configured: session.journal.tasks.some((t) => t.op === 'configure' && t.outcome === 'done'),
      configure: (o) => run.configure?.(o) ?? Promise.resolve(),
      scenario: '',
      step: '',
      exchanges: [],
      attachments: [],
    },
    numberOf: (location) => numbers.get(location) ?? 0,
    insiPeople: () => [...people.values()].flat().map((p) => ({ ...p.insi })),
    async stop() {
      session.close();
      await console.stop();
      if (active === run) active = undefined;
    },
  };
  active = run;
  return run;
}
