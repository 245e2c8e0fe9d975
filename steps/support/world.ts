import { IWorldOptions, World, setWorldConstructor } from '@cucumber/cucumber';
import type { DmpTenant } from '../../src/doubles/dmp';
import type { EPrescriptionTenant } from '../../src/doubles/eprescription';
import type { InsiExchange, InsiTenant } from '../../src/doubles/insi';
import type { MssTenant } from '../../src/doubles/mss';
import type { ActionResult, ConsultResult, DocumentView, IdentityView, LgcDriver, Observed, QualifyResult, Workstation } from '../../src/drivers/driver';
import { Person, personNamed } from '../../src/fixtures/people';
import { Timeouts } from '../../src/config/load';
import { NonConformance } from '../../src/harness/verdict';

export interface ExternalService {
  smtp: { host: string; port: number }; pop3: { host: string; port: number }; password: string;
  mailboxes: { professional: string; pharmacy: string };
  patients: Record<'activé' | 'créé non activé' | 'opposé' | 'clôturé', string>;
}

/** JSON world parameters handed to cucumber by the runner (src/harness/run.ts). */
export interface VigieParameters {
  target: string;
  baseUrl: string;
  driver: 'http' | 'ui' | 'smtp';
  /** The ui driver's settings (selector map file, where the UI answers), or null. */
  ui?: { selectors: string; baseUrl: string; trace: boolean; traceSnapshots?: boolean; findMs?: number; pageObjects?: string } | null;
  defects: string[];
  doubles: { host: string; advertisedHost?: string; insiPort: number; dmpPort: number; ePrescriptionPort: number; mssSmtpPort: number; mssPop3Port: number };
  timeouts: Timeouts;
  runId: string;
  /** The ANS rule pack (TestContenuCDA) to judge CDA documents with, or null: none (CDA-07 not selected). */
  rulesDir: string | null;
  /** Seeded defects of the MSSanté double when it is the service under test (@service scenarios). */
  serviceDefects: string[];
  /** An external MSSanté-like service under test (smtp driver), or null: the double is the service. */
  service?: ExternalService | null;
}

export const WORKSTATIONS: Record<string, Workstation> = {
  PS: { role: 'PS', card: 'CPS', user: 'Dr Anne PRATICIEN' },
  'secretariat-nominative': { role: 'secretariat', card: 'CPE-nominative', user: 'Julie ACCUEIL' },
  'secretariat-anonymous': { role: 'secretariat', card: 'CPE-anonymous' },
};

/** An action on the LGC that may still be running (the LGC blocked on a held double). */
export interface PendingAction<T = unknown> {
  label: string; startedAt: number; promise: Promise<T>;
  settled: boolean; ms?: number; value?: T; error?: unknown;
}

/**
 * The World of one scenario: its tenant, its driver, its view of the doubles, and what it
 * has seen so far. Steps read like the requirement; the mechanics live here.
 */
export class VigieWorld extends World<VigieParameters> {
  tenant = '';
  requirements: string[] = [];
  driver!: LgcDriver;
  /**
   * How Given steps arrange the scenario: the target's test-driver API, whatever the driver
   * under test. Preconditions are not verdicts; arranging them through the UI would only add
   * time (the http driver is both).
   */
  arrange!: LgcDriver;
  insi!: InsiTenant;
  dmp!: DmpTenant;
  eprescription!: EPrescriptionTenant;
  mss!: MssTenant;
  /** Where the MSSanté service under test answers (by default the double itself). */
  mssService!: { smtp: { host: string; port: number }; pop3: { host: string; port: number } };
  /** Index of the first MSSanté message caused by the scenario's last action. */
  mssMark = 0;
  lastSent?: { messageId: string; address: string; internetMessageId?: string };
  lastSendRefusal?: string;
  /** Service side: messages Vigie sent as a professional or pharmacy mailbox, by role. */
  readonly serviceSent = new Map<string, { messageId: string; to: string; from: string }>();
  /** External service: the test patient address standing for the scenario's patient (by state). */
  servicePatientAddress?: string;
  /** The documents of the scenario, by the name the feature gives them ("the consultation report"). */
  readonly documents = new Map<string, DocumentView[]>();
  currentDocuments: DocumentView[] = [];
  lastValidate?: ActionResult;
  lastDoNotSend?: ActionResult;
  lastSettings?: { applied: string[]; refused: string[] };
  lastConsult?: ConsultResult;
  dmpHoldOn = false;
  /** Index of the first DMP submission / query caused by the scenario's last document action. */
  dmpMark = 0;
  dmpQueryMark = 0;
  readonly patientIds = new Map<string, string>();
  currentPerson?: Person;
  /** Index of the first INSi exchange that belongs to the last trigger. */
  insiMark = 0;
  lastAction?: PendingAction;
  lastQualify?: QualifyResult;
  readonly evidenceKinds = new Set<'observed' | 'declared'>();
  readonly pending: PendingAction[] = [];
  /** Time spent in deliberate observation windows (asserting that something does NOT happen). */
  windowMs = 0;

  constructor(options: IWorldOptions<VigieParameters>) { super(options); }

  get timeouts(): Timeouts { return this.parameters.timeouts; }
  today(): string { return new Date().toISOString().slice(0, 10); }

  person(name: string): Person { const p = personNamed(name); this.currentPerson = p; return p; }
  patientId(p: Person): string {
    const id = this.patientIds.get(p.id);
    if (!id) throw new Error(`the scenario never created a patient file for ${p.id}`);
    return id;
  }
  current(): Person {
    if (!this.currentPerson) throw new Error('no patient named yet in this scenario');
    return this.currentPerson;
  }

  /** Fails the scenario with a verdict naming the requirement, the expected and the seen. */
  fail(expected: string, seen: string, evidence?: string): never {
    throw new NonConformance(this.requirements, expected, seen, evidence);
  }
  /**
   * The verdict rests on what the LGC shows the user: observed when the ui driver read it on the
   * screen, declared when the LGC's test-driver API reported it.
   */
  onScreen(): void { this.evidenceKinds.add(this.driver.kind === 'ui' ? 'observed' : 'declared'); }
  check(ok: boolean, expected: string, seen: () => string, evidence?: string): void {
    if (!ok) this.fail(expected, seen(), evidence);
  }

  /**
   * Runs an action on the LGC. When a double holds an answer, the LGC may (wrongly) block on it:
   * then the action is left running after `holdWindowMs` and later steps judge it, instead of
   * the scenario erroring on a driver timeout.
   */
  async act<T>(label: string, fn: () => Promise<Observed<T>>): Promise<PendingAction<T>> {
    const a: PendingAction<T> = { label, startedAt: performance.now(), promise: undefined as unknown as Promise<T>, settled: false };
    const holding = this.insiHoldOn || this.dmpHoldOn;
    // The window opens at the user's press (the ui driver first navigates to the screen), bounded.
    let pressed!: () => void;
    const press = new Promise<void>((r) => { pressed = r; });
    this.driver.onPress = () => { a.startedAt = performance.now(); pressed(); };
    this.driver.checkResponsiveness = holding;
    a.promise = fn().then(
      (o) => { a.settled = true; a.ms = o.ms; a.value = o.value; return o.value; },
      (e) => { a.settled = true; a.ms = Math.round(performance.now() - a.startedAt); a.error = e; throw e; },
    );
    a.promise.catch(() => undefined);
    this.lastAction = a as PendingAction;
    this.pending.push(a as PendingAction);
    const windowMs = holding ? this.holdWindowMs : this.timeouts.actionMs + 1000;
    const clock = this.driver.kind === 'ui' ? Promise.race([press, delay(this.timeouts.actionMs)]) : Promise.resolve();
    await Promise.race([a.promise.catch(() => undefined), clock.then(() => delay(windowMs))]);
    this.driver.onPress = undefined;
    if (a.settled && a.error) throw a.error;
    if (!a.settled && !holding) throw new Error(`${label}: no answer from the target within ${windowMs} ms`);
    return a;
  }
  insiHoldOn = false;
  /** How long an action may stay unanswered while a double holds before later steps judge it (set from the scenario's stated bounds). */
  holdWindowMs = 1500;

  /** Exchanges at the INSi double since the last trigger. */
  insiSinceMark(): InsiExchange[] { return this.insi.exchanges().slice(this.insiMark); }
  markInsi(): void { this.insiMark = this.insi.exchanges().length; }

  /** Polls the identity panel until `done` holds or `timeoutMs` passes; returns the last view. */
  async identityUntil(p: Person, done: (v: IdentityView) => boolean, timeoutMs: number, driver = this.driver): Promise<{ view: IdentityView; ok: boolean }> {
    const until = performance.now() + timeoutMs;
    let view = (await driver.identity(this.patientId(p))).value;
    while (!done(view) && performance.now() < until) {
      await delay(20); // bounded polling of the target's screen; the double itself is event-driven
      view = (await driver.identity(this.patientId(p))).value;
    }
    return { view, ok: done(view) };
  }
}

/** A bounded wait that never keeps the process alive by itself (a verdict must not wait on a leftover timer). */
export function delay(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms).unref()); }

setWorldConstructor(VigieWorld);
