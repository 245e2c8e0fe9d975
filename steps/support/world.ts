// The World every step uses: tenant, driver, doubles, judge, the one waiting policy. Over 300 lines
// because these are the words of every step; the machinery is in ./state, ./observe, ./held, ./documents.
import type { CdaDocumentVerdict } from '../../src/report/summary';
import { IWorldOptions, World, setWorldConstructor } from '@cucumber/cucumber';
import type { DmpTenant } from '../../src/doubles/dmp';
import type { EPrescriptionTenant } from '../../src/doubles/eprescription';
import type { InsiTenant } from '../../src/doubles/insi';
import type { MssTenant } from '../../src/doubles/mss';
import type { LgcDriver, Observed, Workstation } from '../../src/drivers/driver';
import { ALL_FIELDS, TargetRefusal } from '../../src/drivers/driver';
import { Person, personNamed } from '../../src/fixtures/people';
import { Timeouts } from '../../src/config/load';
import { CannotJudge, HarnessError, NonConformance, SetupError } from '../../src/harness/verdict';
import { Waited, eventually, never, within } from '../../src/harness/wait';
import type { Verdict } from '../../src/oracles/verdict';
import type { TlsRefusal } from '../../src/doubles/common/types';
import type { EvidenceKind } from '../../src/report/summary';
import { ScenarioState } from './state';

export interface ExternalService {
  smtp: { host: string; port: number };
  pop3: { host: string; port: number };
  password: string;
  mailboxes: { professional: string; pharmacy: string };
  patients: Record<'activé' | 'créé non activé' | 'opposé' | 'clôturé', string>;
}

/** JSON world parameters handed to cucumber by the runner (src/harness/run.ts). */
export interface VigieParameters {
  target: string;
  baseUrl: string;
  driver: 'http' | 'ui' | 'smtp' | 'attended';
  /** The ui driver's settings (selector map file, where the UI answers), or null. */
  ui?: { selectors: string; baseUrl: string; trace: boolean; traceSnapshots?: boolean; findMs?: number; pageObjects?: string } | null;
  doubles: {
    host: string;
    advertisedHost?: string;
    insiPort: number;
    dmpPort: number;
    ePrescriptionPort: number;
    mssSmtpPort: number;
    mssPop3Port: number;
    /** HTTPS with mutual TLS for INSi and DMP, HTTPS for the e-prescription service (default); false: plain HTTP. */
    tls: boolean;
    /** PEM files of further CAs whose client certificates the doubles accept (a vendor's own test certificates). */
    clientCas?: string[];
  };
  timeouts: Timeouts;
  runId: string;
  /** The ANS rule pack (TestContenuCDA) to judge CDA documents with, or null: none (CDA-07 not selected). */
  rulesDir: string | null;
  /** Seeded defects of the MSSanté double when it is the service under test (@service scenarios). */
  serviceDefects: string[];
  /** An external MSSanté-like service under test (smtp driver), or null: the double is the service. */
  service?: ExternalService | null;
  /** false: attach no evidence (a run that writes no report, e.g. the defect matrix). */
  evidence?: boolean;
}

/**
 * The workstations of the scenarios: who sits there and the card in the reader. The identities are
 * invented; idNat is the card holder's national identifier, which the LGC must take from the card.
 */
export const WORKSTATIONS: Record<'PS' | 'secretariat-nominative' | 'secretariat-anonymous', Workstation> = {
  PS: { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN', idNat: '810100456789' },
  'secretariat-nominative': { role: 'secretariat', card: 'CPE-nominative', user: 'Julie ACCUEIL', idNat: '3101004567890/CPE0001' },
  'secretariat-anonymous': { role: 'secretariat', card: 'CPE-anonymous' },
};

/**
 * The kinds of event a scenario waits for, each with one bound. `eventually` waits up to it for
 * something to happen; `never` watches for the same time that it does not: an absence is never
 * watched for less time than the presence it mirrors.
 */
export type EventKind = 'insi' | 'dmp' | 'mss' | 'screen';

/** A health round trip slower than this (a few ms when idle) means the target or the machine is loaded. */
const LOADED_LAG_MS = 100;

/** An action on the LGC that may still be running (the LGC blocked on a held double). */
export interface PendingAction<T = unknown> {
  label: string;
  startedAt: number;
  promise: Promise<T>;
  settled: boolean;
  ms?: number;
  value?: T;
  error?: unknown;
  declaredFields?: string[];
  /** The same action again, for calibration: how long it takes with the national service answering at once. */
  replay?: () => Promise<Observed<unknown>>;
}

export interface Check {
  step: string;
  requirements: string[];
  kind: EvidenceKind;
  status: Verdict['status'];
}

/**
 * The World of one scenario: its tenant, its driver, its view of the doubles, what it has seen so
 * far (ScenarioState), and how it judges. Steps read like the requirement: words → arrange / act /
 * observe → an oracle of src/oracles → `judge`.
 */
export class VigieWorld extends World<VigieParameters> {
  tenant = '';
  requirements: string[] = [];
  /** The step being run (set by the hooks), named in checks and errors. */
  stepText = '';
  driver!: LgcDriver;
  /** Given steps arrange through the target's test-driver API, whatever the driver under test. */
  arrange!: LgcDriver;
  insi!: InsiTenant;
  dmp!: DmpTenant;
  eprescription!: EPrescriptionTenant;
  mss!: MssTenant;
  /** Where the MSSanté service under test answers (by default the double itself). */
  mssService!: { smtp: { host: string; port: number }; pop3: { host: string; port: number } };
  readonly state = new ScenarioState();
  readonly checks: Check[] = [];
  /** Each CDA document the engine judged in this scenario, with its ANS and header verdicts (summary.json's cdaDocuments). */
  readonly cdaDocuments: CdaDocumentVerdict[] = [];
  readonly pending: PendingAction[] = [];
  /** Time spent in deliberate absence windows (what the harness overhead figure leaves out). */
  windowMs = 0;

  constructor(options: IWorldOptions<VigieParameters>) {
    super(options);
  }

  get timeouts(): Timeouts {
    return this.parameters.timeouts;
  }
  today(): string {
    return new Date().toISOString().slice(0, 10);
  }

  /** Attended mode: the scenario's own copies of the feature's people (src/drivers/attended/people.ts). */
  personOf: (p: Person) => Person = (p) => p;
  /** A birth name the feature writes, as the scenario's own copy of the person carries it. */
  birthNameAsPlayed: (name: string) => string = (name) => name;

  person(name: string): Person {
    try {
      const person = this.personOf(personNamed(name));
      this.state.currentPerson = person;
      return person;
    } catch (e) {
      throw new HarnessError((e as Error).message);
    }
  }
  patientId(person: Person): string {
    const id = this.state.patientIds.get(person.id);
    if (!id) throw new HarnessError(`the scenario never created a patient file for ${person.id}`);
    return id;
  }
  current(): Person {
    if (!this.state.currentPerson) throw new HarnessError('no patient named yet in this scenario');
    return this.state.currentPerson;
  }

  // --- judging ---------------------------------------------------------------------------------

  /**
   * Records an oracle's verdict as a check of the scenario's requirements, on evidence of `kind`,
   * and ends the scenario on a failure (NonConformance) or when it cannot be judged (CannotJudge).
   */
  /** The TLS handshakes the doubles refused during this scenario (set by the Before hook). */
  tlsRefusals: () => (TlsRefusal & { double: string })[] = () => [];

  judge(verdict: Verdict, kind: EvidenceKind): void {
    this.checks.push({ step: this.stepText, requirements: this.requirements, kind, status: verdict.status });
    if (verdict.status === 'fail')
      throw new NonConformance(this.requirements, verdict.expected, verdict.seen + refusedHandshakes(this.tlsRefusals()), verdict.evidence);
    if (verdict.status === 'cannot-judge') throw new CannotJudge(this.requirements, verdict.reason ?? 'no reason given', verdict.expected);
  }

  /** The scenario cannot reach its verdict: `cause` is the same for every scenario it stops. */
  setupFailed(cause: string, detail = ''): never {
    throw new SetupError(cause, detail);
  }

  /**
   * The evidence kind of a value read from the LGC's screen: observed when the ui driver saw it,
   * declared when it came from the LGC's own report (the test-driver API, or an attribute the LGC
   * wrote about itself in its page), attested when a person at the keyboard said it.
   */
  screenKind(observed: { declaredFields?: string[] } | undefined, ...fields: string[]): EvidenceKind {
    if (this.driver.kind === 'attended') return 'attested';
    if (this.driver.kind !== 'ui') return 'declared';
    const declared = observed?.declaredFields ?? [];
    return declared.includes(ALL_FIELDS) || fields.some((f) => declared.includes(f)) ? 'declared' : 'observed';
  }

  // --- waiting ---------------------------------------------------------------------------------

  /** The one bound of each kind of event (see EventKind). */
  boundOf(kind: EventKind): number {
    const timeouts = this.timeouts;
    return { insi: timeouts.insiWaitMs, dmp: timeouts.dmpWaitMs, mss: timeouts.mssWaitMs, screen: timeouts.settleMs }[kind];
  }

  private wakeOf(kind: EventKind): ((ms: number) => Promise<unknown>) | undefined {
    if (kind === 'insi') return (ms) => this.insi.waitForExchanges(this.insi.exchanges().length + 1, ms);
    if (kind === 'dmp')
      return (ms) =>
        Promise.race([
          this.dmp.waitForSubmissions(this.dmp.submissions().length + 1, ms),
          this.dmp.waitForQueries(this.dmp.queries().length + 1, ms),
        ]);
    if (kind === 'mss' && !this.parameters.service) return (ms) => this.mss.waitForMessages(this.mss.messages().length + 1, ms);
    return undefined;
  }

  /**
   * The first value `probe` finds within the bound of `kind` — and, when nothing came and the
   * target then lags (its health call over LOADED_LAG_MS), within the bound once more: a loaded
   * machine makes a late event, not a missing one (never a failure the harness made). `never`
   * extends its window by the same rule, so an absence is still watched as long as a presence.
   */
  async eventually<T>(
    kind: EventKind,
    probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    pollMs?: number,
  ): Promise<Waited<T>> {
    const options = { ms: this.boundOf(kind), wake: this.wakeOf(kind), pollMs };
    const first = await eventually(probe, options);
    if (first.value !== undefined || this.parameters.service) return first;
    const lagMs = await this.targetLagMs(options.ms);
    if (lagMs <= LOADED_LAG_MS) return first;
    const again = await eventually(probe, options);
    return { value: again.value, ms: first.ms + lagMs + again.ms, probes: first.probes + again.probes };
  }

  /**
   * Watches `probe` for the whole bound of `kind` — or longer, `atLeastMs`, never shorter: what it
   * found, if anything (an absence holds when nothing).
   */
  async never<T>(
    kind: EventKind,
    probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    atLeastMs = 0,
  ): Promise<Waited<T>> {
    const options = {
      ms: Math.max(this.boundOf(kind), atLeastMs),
      wake: this.wakeOf(kind),
      pollMs: kind === 'mss' && this.parameters.service ? 100 : undefined,
    };
    let watched = await never(probe, options);
    // A late event escapes a window only if the target (or the machine under it) fell behind: when
    // the target then takes long to answer a health call, whatever it had scheduled inside the window
    // is as late as that, so the window is watched once more, whole. Idle, this costs one round trip.
    if (watched.value === undefined && !this.parameters.service) {
      const lagMs = await this.targetLagMs(options.ms);
      if (lagMs > LOADED_LAG_MS) {
        const again = await never(probe, options);
        watched = { value: again.value, ms: watched.ms + lagMs + again.ms, probes: watched.probes + again.probes };
      }
    }
    this.windowMs += watched.ms;
    return watched;
  }

  /** How long the target takes to answer its test-driver health call (its lag, and the machine's). */
  private async targetLagMs(boundMs: number): Promise<number> {
    const t0 = performance.now();
    await this.arrange.health(boundMs).catch(() => undefined);
    return Math.round(performance.now() - t0);
  }

  // --- acting ----------------------------------------------------------------------------------

  /** Is a double holding its answers (the LGC may wrongly wait for it)? */
  holding(): boolean {
    return this.insi.heldCount() > 0 || this.dmp.heldCount() > 0 || this.state.insiHoldOn || this.state.dmpHoldOn;
  }

  /**
   * Runs an action of the user on the LGC through the driver under test. While a double holds its
   * answers the LGC may (wrongly) wait for it: the action is then given the long bound (actionMs)
   * and left running if it does not end, for a later step to judge. A refusal the user sees
   * (TargetRefusal) is a verdict on the scenario's requirements, unless the step expects refusals.
   */
  async act<T>(
    label: string,
    fn: () => Promise<Observed<T>>,
    opts: { refusalIsResult?: boolean; replay?: () => Promise<Observed<unknown>>; arranging?: boolean } = {},
  ): Promise<PendingAction<T>> {
    const action: PendingAction<T> = {
      label,
      startedAt: performance.now(),
      promise: undefined as unknown as Promise<T>,
      settled: false,
      replay: opts.replay,
    };
    const holding = this.holding();
    this.driver.onPress = () => {
      action.startedAt = performance.now();
    };
    this.driver.checkResponsiveness = holding;
    action.promise = fn().then(
      (r) => {
        action.settled = true;
        action.ms = r.ms;
        action.value = r.value;
        action.declaredFields = r.declaredFields;
        return r.value;
      },
      (e) => {
        action.settled = true;
        action.ms = Math.round(performance.now() - action.startedAt);
        action.error = e;
        throw e;
      },
    );
    action.promise.catch(() => undefined);
    this.state.lastAction = action as PendingAction;
    this.pending.push(action as PendingAction);
    // While a double holds, the action is watched for heldActionMs (shorter than the driver's own
    // bound, actionMs): still running then, it is left to a later step, which judges it as waiting
    // for the held service. Otherwise the driver bounds the action itself; this only catches a
    // driver that does not.
    await within(
      action.promise.catch(() => undefined),
      holding ? this.timeouts.heldActionMs : this.timeouts.actionMs + 2000,
    );
    this.driver.onPress = undefined;
    if (action.settled && action.error) {
      if (action.error instanceof TargetRefusal && opts.arranging)
        this.setupFailed(`the LGC refused a set-up step: ${label}`, action.error.message);
      if (action.error instanceof TargetRefusal) {
        if (opts.refusalIsResult) return action;
        this.judge(
          {
            status: 'fail',
            expected: `the LGC does what its user asked: ${label}`,
            seen: action.error.message,
            evidence: [`test-driver call ${action.error.action}`],
          },
          this.driver.kind === 'ui' ? 'observed' : this.driver.kind === 'attended' ? 'attested' : 'declared',
        );
      }
      throw action.error;
    }
    if (!action.settled && !holding) throw new Error(`${label}: no answer from the target within ${this.timeouts.actionMs + 2000} ms`);
    return action;
  }

  /**
   * The value of an action the scenario needs to go on: still running (a double holds), it is given
   * the rest of the action bound (actionMs) to end; else a precondition failure naming it.
   */
  async resultOf<T>(action: PendingAction<T>): Promise<T> {
    if (!action.settled)
      await within(
        action.promise.catch(() => undefined),
        Math.max(0, this.timeouts.actionMs - (performance.now() - action.startedAt)),
      );
    if (!action.settled || action.error)
      this.setupFailed(
        `the action « ${action.label} » did not end`,
        action.error ? String((action.error as Error).message) : `still running after ${this.timeouts.actionMs} ms`,
      );
    return action.value as T;
  }

  /** An arranging call (Given): a refusal or an error there is a failed set-up, not a verdict. */
  async arranged<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof TargetRefusal) this.setupFailed(`the LGC refused a set-up step: ${what}`, e.message);
      throw e;
    }
  }
}

setWorldConstructor(VigieWorld);

/** A missing call may be a refused certificate: said beside what was seen. */
function refusedHandshakes(refusals: (TlsRefusal & { double: string })[]): string {
  if (!refusals.length) return '';
  const first = refusals[0];
  return ` — meanwhile ${refusals.length} TLS handshake(s) were refused (${first.double} double: ${first.reason})`;
}
