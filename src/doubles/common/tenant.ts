/**
 * What every double's tenant shares: the exchanges it recorded (each record wakes the bounded
 * waits), and for the HTTP doubles the hold: while held, a request is parked unanswered until the
 * scenario releases it — answered then, or its connection cut ("no answer at all").
 */
import type http from 'node:http';
import { HoldQueue } from './hold';
import { announce } from './journal';
import type { ExchangeTenantApi } from './types';
import { Waiters } from './waiters';

/** The exchanges of one kind a tenant recorded, in arrival order. */
export class ExchangeLog<X> {
  private items: X[] = [];

  /**
   * describe(count, filtered): what the tenant has, for the timeout message ("received 2 request(s)");
   * source: who records what, for the journal (vigie serve's console line and files).
   */
  constructor(
    private readonly waiters: Waiters,
    private readonly owner: string,
    private readonly describe: (count: number, filtered: boolean) => string,
    private readonly source: { double: string; tenant: string; kind: string } = { double: owner, tenant: '', kind: 'request' },
  ) {}

  /** Records an exchange and wakes the waits it may satisfy. */
  record(exchange: X): void {
    this.items.push(exchange);
    this.waiters.notify();
    announce({ ...this.source, exchange });
  }

  all(): X[] {
    return [...this.items];
  }

  clear(): void {
    this.items = [];
  }

  /** Resolves with the matching exchanges once there are n of them; rejects after timeoutMs. */
  async waitFor(n: number, timeoutMs: number, filter?: (x: X) => boolean): Promise<X[]> {
    const matching = () => (filter ? this.items.filter(filter) : this.items);
    await this.waiters.until(
      () => matching().length >= n,
      timeoutMs,
      () => `${this.owner} ${this.describe(matching().length, filter !== undefined)}, expected ${n} within ${timeoutMs} ms`,
    );
    return [...matching()];
  }
}

export class TenantBase {
  protected readonly waiters = new Waiters();

  /** label: how the double names itself ("INSi double"). */
  constructor(
    readonly id: string,
    protected readonly label: string,
  ) {}

  /** How the tenant names itself in a wait's timeout: `INSi double: tenant "t1"`. */
  protected get owner(): string {
    return `${this.label}: tenant "${this.id}"`;
  }

  /** kind: what the log holds, for the journal ("request", "ITI-41", "mail"). */
  protected openLog<X>(describe: (count: number, filtered: boolean) => string, kind = 'request'): ExchangeLog<X> {
    return new ExchangeLog<X>(this.waiters, this.owner, describe, { double: this.label, tenant: this.id, kind });
  }

  /** Rejects pending waits: the double is stopping. */
  abortWaits(reason: string): void {
    this.waiters.abort(`${this.owner}: ${reason}`);
  }
}

/** A record whose outcome becomes 'dropped' when its parked request is cut or its client goes away. */
export interface HeldRecord {
  outcome: string;
}

interface Parked<X> {
  record: X;
  answer(): void;
  drop(): void;
}

export class HoldingTenant<X extends HeldRecord> extends TenantBase {
  private readonly queue = new HoldQueue<Parked<X>>();

  /** parkedNoun: what is parked, for waitForHeld's message ("request(s)", "submission(s)"). */
  constructor(
    id: string,
    label: string,
    private readonly parkedNoun: string,
  ) {
    super(id, label);
  }

  get holding(): boolean {
    return this.queue.holding;
  }

  hold(): void {
    this.queue.hold();
  }

  /** New requests are answered at once; those already parked stay parked until release. hold() parks again. */
  letNewThrough(): void {
    this.queue.letNewThrough();
  }

  release(opts?: { drop?: boolean }): number {
    return this.queue.release(opts?.drop === true);
  }

  heldCount(): number {
    return this.queue.size;
  }

  waitForHeld(n: number, timeoutMs: number): Promise<void> {
    return this.waiters.until(
      () => this.queue.size >= n,
      timeoutMs,
      () => `${this.owner} has ${this.queue.size} parked ${this.parkedNoun}, expected ${n} within ${timeoutMs} ms`,
    );
  }

  /**
   * Answers at once, or — while the tenant holds — parks the request until release(): its response
   * object is kept, no timer involved. A parked request that is dropped, or whose client goes away,
   * is recorded as 'dropped'.
   */
  answerOrPark(res: http.ServerResponse, record: X, answer: () => void): void {
    if (!this.queue.holding) return answer();
    const drop = () => {
      record.outcome = 'dropped';
      res.socket?.destroy();
    };
    res.on('close', () => {
      if (!res.writableFinished && this.queue.remove((p) => p.record === record)) record.outcome = 'dropped';
    });
    this.queue.park({ record, answer, drop });
    this.waiters.notify();
  }

  /** Cuts every parked request (reset). */
  protected dropHeld(): void {
    this.queue.release(true);
  }
}

/** A tenant with one programmable behaviour and one kind of recorded exchange (INSi, e-prescription). */
export class ExchangeTenant<X extends HeldRecord, B> extends HoldingTenant<X> implements ExchangeTenantApi<X, B> {
  behaviour: B;
  private readonly records = this.openLog<X>((n) => `received ${n} request(s)`);

  /** initial: the behaviour of a new or reset tenant. */
  constructor(
    id: string,
    label: string,
    private readonly initial: () => B,
  ) {
    super(id, label, 'request(s)');
    this.behaviour = initial();
  }

  respondWith(behaviour: B): void {
    this.behaviour = behaviour;
  }

  exchanges(): X[] {
    return this.records.all();
  }

  waitForExchanges(n: number, timeoutMs: number): Promise<X[]> {
    return this.records.waitFor(n, timeoutMs);
  }

  reset(): void {
    this.behaviour = this.initial();
    this.dropHeld();
    this.records.clear();
  }

  /** Records an exchange as it arrives (held or not); its outcome and answer are filled in later. */
  record(exchange: X): void {
    this.records.record(exchange);
  }
}
