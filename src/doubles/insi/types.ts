/** Public types of the INSi double (the harness codes against these names). */
import type { ClientCertificate, ExchangeTenantApi, HttpDoubleOptions } from '../common/types';

export type InsiOperation = 'rechercherInsAvecCarteVitale' | 'rechercherInsAvecTraitsIdentite';

export interface InsiPerson {
  matricule: string; // NIR, 13 characters
  key: string; // Cle, rendered on two digits
  oid: string; // 1.2.250.1.213.1.4.8 (NIR) or 1.2.250.1.213.1.4.9 (NIA)
  birthName: string;
  firstName: string;
  firstNames: string;
  sex: string;
  birthDate: string; // YYYY-MM-DD
  birthPlace?: string; // COG
  /** INSHISTO: earlier INS of the same person (CNAM's test persons carry some). */
  history?: { matricule: string; key: string; oid: string; dateDeb?: string; dateFin?: string }[];
}

export type InsiBehaviour =
  | { kind: 'lookup' }
  | { kind: 'identity'; person: InsiPerson }
  | { kind: 'none' }
  | { kind: 'several' }
  /**
   * A SOAP fault, HTTP 500 as CNAM sends every one. `code` one of CNAM's recorded detail codes
   * (desir_1020 by default, insi_102, desir_550: src/doubles/insi/cnam.ts) gives CNAM's shape and
   * texts; another code is sent under siram_40 with `reason`.
   */
  | { kind: 'fault'; code?: string; reason?: string };

export interface InsiRequestInfo {
  raw: string;
  contentType: string;
  matricule?: string;
  key?: string;
  birthName?: string;
  firstNames?: string[];
  sex?: string;
  birthDate?: string;
  birthPlace?: string;
  birthRank?: string;
  emitter?: string;
  /** ctxlps:IDAM, the software's authorisation number (absent: no LPS context). */
  idam?: string;
}

export interface InsiResponseInfo {
  status: number;
  raw: string;
  codeCR?: string;
  fault?: string;
}

export interface InsiExchange {
  seq: number;
  tenant: string;
  receivedAt: string;
  durationMs: number | null;
  operation: InsiOperation | null;
  action: string | null;
  request: InsiRequestInfo;
  response: InsiResponseInfo | null;
  outcome: 'held' | 'answered' | 'fault' | 'dropped';
  /** The client certificate it came with (mutual TLS). */
  clientCertificate?: ClientCertificate;
}

export interface InsiDoubleOptions extends HttpDoubleOptions {
  /** The invented people the default behaviour ('lookup') searches. */
  people?: InsiPerson[];
  /** false: leave out CNAM's test population (fixtures/insi/cnam-test-population.json), served by default. */
  cnamPopulation?: boolean;
}

/** respondWith, hold / letNewThrough / release / heldCount / waitForHeld, exchanges / waitForExchanges, reset. */
export type InsiTenant = ExchangeTenantApi<InsiExchange, InsiBehaviour>;
