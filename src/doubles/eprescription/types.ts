/** Public types of the e-prescription (ordonnance numérique) double. */
import type { ClientCertificate, ExchangeTenantApi, HttpDoubleOptions } from '../common/types';

export interface EPrescriptionExchange {
  seq: number;
  tenant: string;
  receivedAt: string;
  durationMs: number | null;
  request: { raw: string; contentType: string; json?: unknown };
  response: { status: number; body: string } | null;
  outcome: 'held' | 'ok' | 'ko' | 'rejected' | 'dropped';
  /** The client certificate it came with (mutual TLS). */
  clientCertificate?: ClientCertificate;
  prescriptionNumber?: string;
  reason?: string; // why it was answered KO or rejected
}

export type EPrescriptionBehaviour = { kind: 'ok' } | { kind: 'ko'; reason?: string };

/** maxBodyBytes: default 1 MiB. */
export type EPrescriptionDoubleOptions = HttpDoubleOptions;

/** respondWith, hold / letNewThrough / release / heldCount / waitForHeld, exchanges / waitForExchanges, reset. */
export type EPrescriptionTenant = ExchangeTenantApi<EPrescriptionExchange, EPrescriptionBehaviour>;
