import type { Observed } from '../../src/drivers/driver';
import { answersWhileHeld } from '../../src/oracles/responsiveness';
import type { PendingAction, VigieWorld } from './world';

/**
 * INS-02, INS-07, SEND-04: judges an action made while a national service holds its answer (see
 * src/oracles/responsiveness.ts). When the answer broke the bound, the same action is timed again
 * with the service answering at once — the held request staying held — so that the harness's own
 * slowness is told apart from the LGC's waiting.
 */
export async function judgeHeldAction(
  world: VigieWorld,
  action: PendingAction,
  service: 'INSi' | 'the DMP',
  boundMs: number,
): Promise<void> {
  const watchedMs = Math.round(performance.now() - action.startedAt);
  let calibrationMs: number | undefined;
  if (action.settled && !action.error && (action.ms ?? 0) > boundMs && action.replay)
    calibrationMs = await calibrate(world, action.replay, service);
  world.judge(
    answersWhileHeld({
      label: action.label,
      service,
      boundMs,
      settled: action.settled && !action.error,
      ms: action.ms,
      watchedMs,
      calibrationMs,
    }),
    'observed',
  );
}

async function calibrate(
  world: VigieWorld,
  replay: () => Promise<Observed<unknown>>,
  service: 'INSi' | 'the DMP',
): Promise<number | undefined> {
  const double = service === 'INSi' ? world.insi : world.dmp;
  double.letNewThrough();
  try {
    let started = performance.now();
    world.driver.onPress = () => {
      started = performance.now();
    };
    await replay();
    return Math.round(performance.now() - started);
  } catch {
    return undefined;
  } finally {
    world.driver.onPress = undefined;
    double.hold();
  }
}
