/** Per-tenant state of the INSi double: behaviour, hold/park, recorded exchanges, bounded waits. */
import type { InsiBehaviour, InsiExchange, InsiTenant } from './types';
import { HoldQueue } from '../common/hold';
import { Waiters } from '../common/waiters';

/** A request parked while the tenant holds; the double supplies how to answer or drop it. */
export interface Parked {
  exchange: InsiExchange;
  answer(): void;
  drop(): void;
}


export class TenantState implements InsiTenant {
  behaviour: InsiBehaviour = { kind: 'lookup' };
  private readonly queue = new HoldQueue<Parked>();
  private log: InsiExchange[] = [];
  private waiters = new Waiters();

  constructor(readonly id: string) {}

  get holding(): boolean {
    return this.queue.holding;
  }

  respondWith(b: InsiBehaviour): void {
    this.behaviour = b;
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
    return this.waitUntil(() => this.queue.size >= n, timeoutMs,
      () => `INSi double: tenant "${this.id}" has ${this.queue.size} parked request(s), expected ${n} within ${timeoutMs} ms`);
  }

  async waitForExchanges(n: number, timeoutMs: number): Promise<InsiExchange[]> {
    await this.waitUntil(() => this.log.length >= n, timeoutMs,
      () => `INSi double: tenant "${this.id}" received ${this.log.length} request(s), expected ${n} within ${timeoutMs} ms`);
    return this.exchanges();
  }

  exchanges(): InsiExchange[] {
    return [...this.log];
  }

  reset(): void {
    this.behaviour = { kind: 'lookup' };
    this.queue.release(true);
    this.log = [];
  }

  // ---- used by the double ----

  record(exchange: InsiExchange): void {
    this.log.push(exchange);
    this.notify();
  }

  park(p: Parked): void {
    this.queue.park(p);
    this.notify();
  }

  /** Forgets a parked request (its client went away); true when it was parked. */
  unpark(exchange: InsiExchange): boolean {
    return this.queue.remove((p) => p.exchange === exchange);
  }

  /** Rejects pending waits: the double is stopping. */
  abortWaits(reason: string): void {
    this.waiters.abort(`INSi double: tenant "${this.id}": ${reason}`);
  }


  private notify(): void {
    this.waiters.notify();
  }

  private waitUntil(satisfied: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
    return this.waiters.until(satisfied, timeoutMs, message);
  }
}
