import type { Observed } from '../../src/drivers/driver';
import { within } from '../../src/harness/wait';
import { answersWhileHeld } from '../../src/oracles/responsiveness';
import type { PendingAction, VigieWorld } from './world';
import { AttendedDriver } from '../../src/drivers/attended/driver';
import { answeredAtOnceWhileHeld } from '../../src/oracles/responsiveness';

/** How many times an action over the bound is tried again while the service holds, and timed with it answering at once. */
const HELD_RETRIES = 2;
const CALIBRATIONS = 3;

/**
 * INS-02, INS-07, SEND-04: judges an action made while a national service holds its answer (see
 * src/oracles/responsiveness.ts). When the answer broke the bound, the same action is tried again
 * while the service still holds (a loaded machine makes one timing noisy), and, if every try broke
 * it, timed with the service answering at once — the held requests staying held — so that the
 * harness's own slowness is told apart from the LGC's waiting.
 */
export async function judgeHeldAction(
  world: VigieWorld,
  action: PendingAction,
  service: 'INSi' | 'the DMP',
  boundMs: number,
): Promise<void> {
  if (world.driver instanceof AttendedDriver) return askWhileHeld(world, world.driver, action, service, boundMs);
  // Still running: watched, while the service still holds, for the whole action bound since the
  // user's press (the press may come late in the When step, and a loaded machine slows a screen
  // that does not wait at all: 4.5 s for a card insertion in the matrix). Only an action still
  // running then is judged to wait for the held service.
  if (!action.settled)
    await within(
      action.promise.catch(() => undefined),
      action.startedAt + world.timeouts.actionMs - performance.now(),
    );
  const watchedMs = Math.round(performance.now() - action.startedAt);
  const retriesMs: number[] = [];
  const calibrationsMs: number[] = [];
  const settled = action.settled && !action.error;
  if (settled && (action.ms ?? 0) > boundMs && action.replay) {
    for (let i = 0; i < HELD_RETRIES && Math.min(action.ms!, ...retriesMs) > boundMs; i++) {
      const ms = await timeReplay(world, action.replay, service, 'held');
      if (ms === undefined) break;
      retriesMs.push(ms);
    }
    if (Math.min(action.ms!, ...retriesMs) > boundMs) {
      for (let i = 0; i < CALIBRATIONS; i++) {
        const ms = await timeReplay(world, action.replay, service, 'answering');
        if (ms === undefined) break;
        calibrationsMs.push(ms);
      }
    }
  }
  world.judge(
    answersWhileHeld({ label: action.label, service, boundMs, settled, ms: action.ms, watchedMs, retriesMs, calibrationsMs }),
    'observed',
  );
}

/**
 * The action again, timed from the user's first press: while the service still holds (new requests
 * parked too), or with it answering at once (the held ones staying held). A held try that does not
 * end within the held-action window gives no sample (its requests are released with the scenario).
 */
async function timeReplay(
  world: VigieWorld,
  replay: () => Promise<Observed<unknown>>,
  service: 'INSi' | 'the DMP',
  mode: 'held' | 'answering',
): Promise<number | undefined> {
  const double = service === 'INSi' ? world.insi : world.dmp;
  if (mode === 'answering') double.letNewThrough();
  let started = performance.now();
  world.driver.onPress = () => {
    started = performance.now();
  };
  try {
    const ended = await within(
      replay().then(() => performance.now()),
      world.timeouts.heldActionMs,
    );
    return ended.settled ? Math.round(ended.value - started) : undefined;
  } catch {
    return undefined;
  } finally {
    world.driver.onPress = undefined;
    if (mode === 'answering') double.hold();
  }
}

/**
 * Attended mode: the person's time is no measure of the LGC's, so the person is asked whether the
 * LGC gave the hand back at once while the service held its answer (attested); that the service
 * was indeed holding is observed on the double.
 */
async function askWhileHeld(
  world: VigieWorld,
  person: AttendedDriver,
  action: PendingAction,
  service: 'INSi' | 'the DMP',
  boundMs: number,
) {
  const name = service === 'INSi' ? 'le téléservice INSi' : 'le DMP';
  const holding = (service === 'INSi' ? world.insi : world.dmp).heldCount() > 0;
  const answers = await person.ask(
    'Le logiciel vous a-t-il laissé travailler ?',
    `Pendant votre dernier geste (« ${action.label} »), ${name} ne répondait pas (Vigie retient sa réponse). Répondez d'après ce que vous avez vécu au poste.`,
    [
      {
        name: 'atOnce',
        label: `Le logiciel a-t-il répondu à votre geste en moins de ${boundMs / 1000} s, sans attendre ${name} (vous pouviez continuer à travailler) ?`,
        kind: 'yesno',
      },
    ],
    'whileHeld',
  );
  world.judge(answeredAtOnceWhileHeld({ label: action.label, service, boundMs, atOnce: answers.atOnce === 'yes', holding }), 'attested');
}
