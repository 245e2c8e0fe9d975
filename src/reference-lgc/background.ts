/**
 * Background work of the reference LGC: signals combined, cancellable pauses, and jobs run later
 * (tracked, so that shutdown and tests can wait for them; stopped by a reset of the tenant).
 */
import type { TenantState } from './tenant';
import type { CallContext } from './triggers';

/**
 * Seeded "late" defects act this long after the user's action: after the 300 ms a harness would
 * once watch for an absence, well within the bound it waits for the presence (the reference
 * target's INSi / DMP / MSSanté wait bounds are 1500 ms). 600 ms left too thin a margin once the
 * doubles spoke TLS to a reference process shared by the quick matrix's eight workers: the late
 * DMP query once arrived after the 1500 ms window (fresh clone, 2026-12-02).
 */
export const LATE_DEFECT_MS = 400;

/** Seeded defects insi-wait-1500 / dmp-wait-1500: how long the user's action waits for the service. */
export const SLOW_WAIT_MS = 1500;

/** One signal aborted when any of `signals` is. `dispose` detaches it. */
export function anySignal(...signals: AbortSignal[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  for (const s of signals) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, dispose: () => signals.forEach((s) => s.removeEventListener('abort', onAbort)) };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // eslint-disable-next-line no-restricted-syntax -- a cancellable pause: onAbort clears this timer
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `job` tracked in ctx.inFlight until it ends. */
export function track(ctx: CallContext, job: Promise<void>): Promise<void> {
  ctx.inFlight.add(job);
  void job.finally(() => ctx.inFlight.delete(job));
  return job;
}

/**
 * Runs `fn` `ms` from now in the background (tracked), unless the LGC shuts down or the tenant
 * is reset before. Never rejects. The seeded "late" defects act through it.
 */
export function later(
  ctx: CallContext,
  tenant: TenantState,
  ms: number,
  fn: (signal: AbortSignal) => Promise<unknown> | void,
): Promise<void> {
  const { signal, dispose } = anySignal(ctx.cancel, tenant.cancel.signal);
  const job = (async () => {
    try {
      await sleep(ms, signal);
      if (!signal.aborted) await fn(signal);
    } catch {
      // background work of a seeded defect: its failure is nobody's answer
    } finally {
      dispose();
    }
  })();
  return track(ctx, job);
}

/** `promise`, or undefined once `ms` have passed (the timer never keeps the process alive). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    // eslint-disable-next-line no-restricted-syntax -- a timeout guard: unref'd below, cleared in finally
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
