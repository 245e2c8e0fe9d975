/**
 * The one waiting policy of Vigie. Every step and test waits through these two functions; nothing
 * else in steps/ or test/ loops on a clock or sleeps.
 *
 * - `eventually(probe, o)`: the first value the probe finds within the bound, or undefined.
 * - `never(probe, o)`: watches the probe for the whole window; what it found, if anything.
 *
 * An absence is only as strong as the time it was watched: the World (steps/support/world.ts)
 * gives `never` the same bound that `eventually` gets for the same kind of event, so "INSi is not
 * called" is watched exactly as long as "INSi is called" would be waited for.
 *
 * A probe may be cheap (an in-memory log of a double) or a round trip (a read of the target's
 * screen). `wake` lets an event source (a double's recorder) end a pause early; without one the
 * probe is polled every `pollMs`.
 */
export interface WaitOptions {
  /** The bound (eventually) or the window (never), in milliseconds. */
  ms: number;
  /** Between two probes, at most this long (default 20 ms). */
  pollMs?: number;
  /** Resolves when something the probe depends on may have changed (or after `ms`, at the latest). */
  wake?: (ms: number) => Promise<unknown>;
}

export interface Waited<T> {
  /** What the probe found (undefined: nothing within the bound / window). */
  value: T | undefined;
  /** How long it waited or watched, measured. */
  ms: number;
  /** How many times the probe ran. */
  probes: number;
}

type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/** A pause that never keeps the process alive on its own. */
export function pause(ms: number): Promise<void> {
  // eslint-disable-next-line no-restricted-syntax -- the one pause of the waiting policy; unref'd on the same line
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

async function between(options: WaitOptions, remaining: number): Promise<void> {
  const step = Math.min(remaining, options.pollMs ?? 20);
  if (options.wake)
    await Promise.race([options.wake(Math.max(1, remaining)).catch(() => undefined), pause(Math.max(step, Math.min(remaining, 200)))]);
  else await pause(step);
}

/** The first value `probe` finds within `o.ms` (probed at once, then on every wake or poll). */
export async function eventually<T>(probe: Probe<T>, options: WaitOptions): Promise<Waited<T>> {
  const t0 = performance.now();
  const until = t0 + options.ms;
  let probes = 0;
  for (;;) {
    probes++;
    const found = await probe();
    if (found !== undefined && found !== null && found !== false)
      return { value: found as T, ms: Math.round(performance.now() - t0), probes };
    const remaining = until - performance.now();
    if (remaining <= 0) return { value: undefined, ms: Math.round(performance.now() - t0), probes };
    await between(options, remaining);
  }
}

/** Watches `probe` for the whole window `o.ms`; returns the first thing it found (then stops early). */
export async function never<T>(probe: Probe<T>, options: WaitOptions): Promise<Waited<T>> {
  // Same loop: an absence is an `eventually` that must come back empty after the whole window.
  return eventually(probe, options);
}

/** Races a promise against a bound; the loser's timer never keeps the process alive. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ settled: true; value: T } | { settled: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ settled: false }>((resolve) => {
    // eslint-disable-next-line no-restricted-syntax -- the bound of `within`: unref'd below, cleared in the finally
    timer = setTimeout(() => resolve({ settled: false }), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([promise.then((value) => ({ settled: true as const, value })), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
