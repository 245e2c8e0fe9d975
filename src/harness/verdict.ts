/**
 * How a step ends a scenario, and how the report classifies it (by the error's name, which
 * cucumber keeps in its messages as `exception.type`):
 * - NonConformance: a verdict; the target was seen breaking the requirement(s).
 * - CannotJudge: no verdict, and not the target's fault (e.g. the harness itself too slow to judge
 *   a time bound): the requirement is "not judged", with the reason.
 * - SetupError: the scenario could not reach the point where it judges its requirement (something
 *   it needs before did not happen). The cause is one line, the same for every scenario it stops,
 *   so the report groups them; the detail is the scenario's own.
 * - anything else (TargetError, a bug): an error, no verdict.
 */
export class NonConformance extends Error {
  override name = 'NonConformance';
  constructor(
    readonly requirements: string[],
    readonly expected: string,
    readonly seen: string,
    readonly evidence: string[] = [],
  ) {
    super(
      `${requirements.length ? '[' + requirements.join(', ') + '] ' : ''}expected: ${expected}\n  seen: ${seen}${evidence.length ? '\n  evidence: ' + evidence.join(', ') : ''}`,
    );
  }
}

export class CannotJudge extends Error {
  override name = 'CannotJudge';
  constructor(
    readonly requirements: string[],
    readonly reason: string,
    readonly expected: string,
  ) {
    super(`${requirements.length ? '[' + requirements.join(', ') + '] ' : ''}could not judge: ${reason}\n  expected: ${expected}`);
  }
}

export class SetupError extends Error {
  override name = 'SetupError';
  constructor(
    readonly why: string,
    readonly detail = '',
  ) {
    super(`could not set up the scenario: ${why}${detail ? `\n  ${detail}` : ''}`);
  }
}

/** A harness mistake (a step that does not exist, a feature naming an unknown person…): exit 2, named. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}
