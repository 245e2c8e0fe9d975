/** Public types the HTTP doubles share (each double's own types extend them; the harness codes against those). */

export interface HttpDoubleOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** The host put in the URLs given to the LGC (default: host). */
  advertisedHost?: string;
  /** Larger bodies are answered 413 (the default depends on the double). */
  maxBodyBytes?: number;
  /** HTTPS with this key and certificate; with clientCas, mutual TLS (absent: plain HTTP). */
  tls?: ServerTls;
  /** Told of each TLS handshake refused (vigie serve prints it). */
  onTlsRefusal?: (refusal: TlsRefusal) => void;
}

export interface ServerTls {
  key: string;
  cert: string;
  /** PEM CAs whose client certificates are accepted; absent: no client certificate asked (server-side TLS only). */
  clientCas?: string[];
}

/** A TLS handshake the double refused (no client certificate, an expired one, another CA's): no HTTP request followed. */
export interface TlsRefusal {
  at: string;
  remote: string;
  code: string;
  reason: string;
}

/** The client certificate an exchange came with (mutual TLS). */
export interface ClientCertificate {
  subject: string;
  issuer: string;
  serial: string;
  validTo: string;
}

/** Slowness as a hold the scenario releases, never a sleep. */
export interface HoldControls {
  /** Requests from now on are parked unanswered until release(). */
  hold(): void;
  /** New requests are answered at once; those already parked stay parked until release. hold() parks again. */
  letNewThrough(): void;
  /** Answers the parked requests (or cuts their connections: drop); returns how many there were. */
  release(opts?: { drop?: boolean }): number;
  heldCount(): number;
  /** Resolves once n requests are parked; rejects after timeoutMs. */
  waitForHeld(n: number, timeoutMs: number): Promise<void>;
}

/** A tenant with one programmable behaviour and one kind of recorded exchange. */
export interface ExchangeTenantApi<X, B> extends HoldControls {
  /** For requests answered from now on (parked ones included). */
  respondWith(b: B): void;
  exchanges(): X[];
  /** Resolves once n requests were RECEIVED (held or not). */
  waitForExchanges(n: number, timeoutMs: number): Promise<X[]>;
  reset(): void;
}
