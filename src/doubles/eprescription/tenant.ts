/** Per-tenant state of the e-prescription double: behaviour, hold/park, recorded exchanges, bounded waits. */
import type { EPrescriptionBehaviour, EPrescriptionExchange, EPrescriptionTenant } from './types';
import { Waiters } from '../common/waiters';

/** A request parked while the tenant holds; the double supplies how to answer or drop it. */
export interface Parked {
  exchange: EPrescriptionExchange;
  answer(): void;
  drop(): void;
}


export class TenantState implements EPrescriptionTenant {
  behaviour: EPrescriptionBehaviour = { kind: 'ok' };
  holding = false;
  private parked: Parked[] = [];
  private log: EPrescriptionExchange[] = [];
  private waiters = new Waiters();

  constructor(readonly id: string) {}

  respondWith(b: EPrescriptionBehaviour): void {
    this.behaviour = b;
  }

  hold(): void {
    this.holding = true;
  }

  release(opts?: { drop?: boolean }): number {
    this.holding = false;
    return this.flushParked(opts?.drop === true);
  }

  heldCount(): number {
    return this.parked.length;
  }

  waitForHeld(n: number, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.parked.length >= n, timeoutMs,
      () => `e-prescription double: tenant "${this.id}" has ${this.parked.length} parked request(s), expected ${n} within ${timeoutMs} ms`);
  }

  exchanges(): EPrescriptionExchange[] {
    return [...this.log];
  }

  async waitForExchanges(n: number, timeoutMs: number): Promise<EPrescriptionExchange[]> {
    await this.waitUntil(() => this.log.length >= n, timeoutMs,
      () => `e-prescription double: tenant "${this.id}" received ${this.log.length} request(s), expected ${n} within ${timeoutMs} ms`);
    return this.exchanges();
  }

  reset(): void {
    this.behaviour = { kind: 'ok' };
    this.holding = false;
    this.flushParked(true);
    this.log = [];
  }

  // ---- used by the double ----

  record(exchange: EPrescriptionExchange): void {
    this.log.push(exchange);
    this.notify();
  }

  park(p: Parked): void {
    this.parked.push(p);
    this.notify();
  }

  /** Forgets a parked request (its client went away); true when it was parked. */
  unpark(exchange: EPrescriptionExchange): boolean {
    const before = this.parked.length;
    this.parked = this.parked.filter((p) => p.exchange !== exchange);
    return this.parked.length !== before;
  }

  /** Rejects pending waits: the double is stopping. */
  abortWaits(reason: string): void {
    this.waiters.abort(`e-prescription double: tenant "${this.id}": ${reason}`);
  }

  private flushParked(drop: boolean): number {
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) (drop ? p.drop() : p.answer());
    return parked.length;
  }

  private notify(): void {
    this.waiters.notify();
  }

  private waitUntil(satisfied: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
    return this.waiters.until(satisfied, timeoutMs, message);
  }
}
