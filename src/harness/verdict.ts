/**
 * A NonConformance is a verdict: the target was observed breaking a requirement. Anything else
 * thrown by a step (TargetError, a timeout of the harness, a bug) is an error: no verdict.
 * The report tells them apart by the error's name.
 */
export class NonConformance extends Error {
  override name = 'NonConformance';
  constructor(readonly requirements: string[], readonly expected: string, readonly seen: string, readonly evidence?: string) {
    super(`${requirements.length ? '[' + requirements.join(', ') + '] ' : ''}expected: ${expected}\n  seen: ${seen}${evidence ? '\n  evidence: ' + evidence : ''}`);
  }
}
