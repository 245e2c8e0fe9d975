import type { Observed } from '../../src/drivers/driver';
import { answersWhileHeld } from '../../src/oracles/responsiveness';
import type { PendingAction, VigieWorld } from './world';

/**
 * INS-02, INS-07, SEND-04: judges an action made while a national service holds its answer (see
 * src/oracles/responsiveness.ts). When the answer broke the bound, the same action is timed again
 * with the service answering at once — the held request staying held — so that the harness's own
 * slowness is told apart from the LGC's waiting.
 */
export async function judgeHeldAction(w: VigieWorld, a: PendingAction, service: 'INSi' | 'the DMP', boundMs: number): Promise<void> {
  const watchedMs = Math.round(performance.now() - a.startedAt);
  let calibrationMs: number | undefined;
  if (a.settled && !a.error && (a.ms ?? 0) > boundMs && a.replay) calibrationMs = await calibrate(w, a.replay, service);
  w.judge(
    answersWhileHeld({ label: a.label, service, boundMs, settled: a.settled && !a.error, ms: a.ms, watchedMs, calibrationMs }),
    'observed',
  );
}

async function calibrate(
  w: VigieWorld,
  replay: () => Promise<Observed<unknown>>,
  service: 'INSi' | 'the DMP',
): Promise<number | undefined> {
  const double = service === 'INSi' ? w.insi : w.dmp;
  double.letNewThrough();
  try {
    let started = performance.now();
    w.driver.onPress = () => {
      started = performance.now();
    };
    await replay();
    return Math.round(performance.now() - started);
  } catch {
    return undefined;
  } finally {
    w.driver.onPress = undefined;
    double.hold();
  }
}
