/**
 * The doubles' journal: every exchange any tenant of any double records is announced here, so that
 * `vigie serve` can print one line per exchange and keep it on disk. The harness's runs do not listen
 * (they read each tenant's own log); with no listener an announcement costs a Set lookup.
 */
export interface JournalEntry {
  /** "INSi double", "DMP double", "MSS double", … */
  double: string;
  tenant: string;
  /** What kind of exchange: "request", "ITI-41", "ITI-18", "mail". */
  kind: string;
  /** The exchange record itself, as the tenant keeps it (its outcome may still change: held, then answered). */
  exchange: unknown;
}

const listeners = new Set<(entry: JournalEntry) => void>();

/** Listens to every exchange recorded from now on; returns the function that stops listening. */
export function onExchange(listener: (entry: JournalEntry) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announce(entry: JournalEntry): void {
  for (const listener of listeners) {
    try {
      listener(entry);
    } catch {
      // a listener's failure (a full disk, say) never breaks the double's answer
    }
  }
}
