/** Public types of the e-prescription (ordonnance numérique) double. */

export interface EPrescriptionExchange {
  seq: number;
  tenant: string;
  receivedAt: string;
  durationMs: number | null;
  request: { raw: string; contentType: string; json?: unknown };
  response: { status: number; body: string } | null;
  outcome: 'held' | 'ok' | 'ko' | 'rejected' | 'dropped';
  prescriptionNumber?: string;
  reason?: string; // why it was answered KO or rejected
}

export type EPrescriptionBehaviour = { kind: 'ok' } | { kind: 'ko'; reason?: string };

export interface EPrescriptionDoubleOptions {
  host?: string;
  port?: number;
  advertisedHost?: string;
  maxBodyBytes?: number; // default 1 MiB
}

export interface EPrescriptionTenant {
  /** For requests answered from now on (parked ones included). */
  respondWith(b: EPrescriptionBehaviour): void;
  hold(): void;
  release(opts?: { drop?: boolean }): number;
  heldCount(): number;
  waitForHeld(n: number, timeoutMs: number): Promise<void>;
  exchanges(): EPrescriptionExchange[];
  /** Resolves once n requests were RECEIVED (held or not). */
  waitForExchanges(n: number, timeoutMs: number): Promise<EPrescriptionExchange[]>;
  reset(): void;
}
