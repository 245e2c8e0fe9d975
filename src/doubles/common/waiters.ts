/**
 * Bounded, event-driven waits shared by the doubles: a wait resolves as soon as its condition
 * holds (checked whenever the double records something), or rejects with a clear message when
 * its time is up — never a sleep, never unbounded.
 *
 * Hand-written: events.once() and the promise utilities on npm wait for one event, or poll a condition
 * (p-wait-for); what the doubles need is a condition over their own records, checked exactly when a
 * record changes, with a deadline and an abort on stop — a few lines, no library does it better.
 */
interface Waiter {
  satisfied(): boolean;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class Waiters {
  private readonly set = new Set<Waiter>();

  /** Resolves once `satisfied()` holds; rejects with `message()` after `timeoutMs`. */
  until(satisfied: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
    if (satisfied()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        satisfied,
        resolve,
        reject,
        // eslint-disable-next-line no-restricted-syntax -- the wait's bound: cleared by notify() once satisfied
        timer: setTimeout(() => {
          this.set.delete(waiter);
          reject(new Error(message()));
        }, timeoutMs),
      };
      this.set.add(waiter);
    });
  }

  /** Call after every change the waits may be waiting for. */
  notify(): void {
    for (const w of this.set) {
      if (w.satisfied()) {
        clearTimeout(w.timer);
        this.set.delete(w);
        w.resolve();
      }
    }
  }

  /** Rejects every pending wait (the double is stopping). */
  abort(message: string): void {
    for (const w of this.set) {
      clearTimeout(w.timer);
      w.reject(new Error(message));
    }
    this.set.clear();
  }
}
