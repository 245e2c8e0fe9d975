/**
 * INS-02, INS-07, SEND-04: the LGC keeps answering its user while a national service holds its
 * answer. Two questions, judged apart so that a verdict never depends on the harness's load:
 * 1. Does the LGC wait for the held service? An action still running after the long window
 *    (heldActionMs, several times the bound) while the service holds: it waits — a failure,
 *    whatever the load.
 * 2. Is the answer within the user-experience bound? Above it, the same action is timed again with
 *    the service answering at once (the calibration): if that alone breaks the bound, the harness
 *    (or the machine) is too slow to judge — never a failure of the target; otherwise the held
 *    service made the difference — a failure.
 */
import { Verdict, cannotJudge, verdict } from './verdict';

export interface HeldAction {
  /** What the user did ("open the patient file of camille-legrand"). */
  label: string;
  /** Which service was holding ("INSi", "the DMP"). */
  service: string;
  boundMs: number;
  /** The action ended while the service still held its answer. */
  settled: boolean;
  /** Its answer time, measured by Vigie from the user's press. */
  ms?: number;
  /** How long it was watched when it had not ended. */
  watchedMs: number;
  /** The same action timed with the service answering at once, when the answer broke the bound. */
  calibrationMs?: number;
}

export function answersWhileHeld(action: HeldAction): Verdict {
  const expected = `"${action.label}" answers the user within ${action.boundMs} ms while ${action.service} has not answered`;
  if (!action.settled || action.ms === undefined) {
    return verdict(
      false,
      expected,
      `no answer after ${action.watchedMs} ms while ${action.service} held its answer: the LGC waits for ${action.service}`,
    );
  }
  if (action.ms <= action.boundMs) return verdict(true, expected, `answered after ${action.ms} ms`);
  if (action.calibrationMs === undefined)
    return cannotJudge(
      expected,
      `answered after ${action.ms} ms, and the same action could not be timed with ${action.service} answering at once`,
    );
  if (action.calibrationMs > action.boundMs) {
    return cannotJudge(
      expected,
      `harness too slow: answered after ${action.ms} ms, but the same action with ${action.service} answering at once took ${action.calibrationMs} ms, over the ${action.boundMs} ms bound on its own (the machine's load, not the LGC's waiting)`,
      `answered after ${action.ms} ms`,
    );
  }
  return verdict(
    false,
    expected,
    `answered after ${action.ms} ms, while the same action with ${action.service} answering at once took ${action.calibrationMs} ms: the LGC waited for ${action.service}`,
  );
}
