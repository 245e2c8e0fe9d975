/**
 * Judges the identity panel of a patient file, as the LGC shows it: INS-02 (the INS recovered once
 * INSi answered), INS-07 (the INSi outcome recorded, the identity kept unqualified), QUAL-01 (the
 * qualification proposed), QUAL-05/06/08/09 (an identity left unqualified).
 */
import { Verdict, verdict } from './verdict';

/** The parts of the identity panel these oracles read (a subset of the test-driver's IdentityView). */
export interface PanelSeen {
  ins: { status: string; matricule?: string; qualifiedBy?: string };
  insi: { lastCall?: { outcome: string; code?: string; message?: string } | null };
  qualification: { offered: boolean };
}

/** INS-02: the INS INSi returned is shown (recovered or qualified). */
export function insRecoveredShown(patient: string, matricule: string, view: PanelSeen | undefined, boundMs: number): Verdict {
  const ok = !!view && view.ins.matricule === matricule && view.ins.status !== 'none';
  return verdict(
    ok,
    `the INS ${matricule} recovered from INSi shown on the file of ${patient}, within ${boundMs} ms of INSi's answer`,
    () => JSON.stringify(view?.ins ?? null),
  );
}

/** INS-07: the outcome of the INSi call recorded on the panel. */
export function insiOutcomeRecorded(outcome: string, view: PanelSeen | undefined, boundMs: number): Verdict {
  return verdict(
    view?.insi.lastCall?.outcome === outcome,
    `the identity panel records the INSi outcome "${outcome}" within ${boundMs} ms`,
    () => `last call: ${JSON.stringify(view?.insi.lastCall ?? null)}`,
  );
}

/** INS-07, QUAL-05/06/08/09: the identity stays unqualified. */
export function identityNotQualified(patient: string, view: PanelSeen): Verdict {
  return verdict(
    view.ins.status !== 'qualified',
    `the INS of ${patient} is not qualified`,
    `status ${view.ins.status}${view.ins.qualifiedBy ? ' by ' + view.ins.qualifiedBy : ''}`,
  );
}

/** QUAL-01: the panel proposes to qualify the INS that INSi returned. */
export function qualificationOffered(patient: string, view: PanelSeen): Verdict {
  return verdict(
    view.qualification.offered === true,
    `the identity panel of ${patient} proposes to qualify the INS INSi returned`,
    `qualification.offered = ${JSON.stringify(view.qualification.offered)} (INSi outcome ${view.insi.lastCall?.outcome ?? 'none'}, INS ${view.ins.status})`,
  );
}
