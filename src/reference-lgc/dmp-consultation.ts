/** Consulting the patient's DMP (ITI-18) after the non-opposition question (OPP-03, OPP-04). */
import { anySignal, LATE_DEFECT_MS, later } from './background';
import { queryIti18 } from './dmp-client';
import { patientCx } from './documents/dmp-feeding';
import type { Patient, TenantState } from './tenant';
import type { CallContext } from './triggers';

export const CONSULT_QUESTION = "Le patient a-t-il été informé et ne s'oppose-t-il pas à la consultation de son DMP / Mon espace santé ?";
export const CONSULT_REMINDER = 'Rappel : vous devez informer le patient au préalable de tout accès à son DMP / Mon espace santé.';
export const INS_NOT_QUALIFIED = 'INS non qualifiée';

export interface ConsultResult {
  asked: boolean;
  question?: string;
  reminder?: string;
  consulted: boolean;
  documents?: Array<{ title: string; typeCode: string }>;
  error?: string;
}

async function queryDmp(ctx: CallContext, t: TenantState, p: Patient): Promise<ConsultResult> {
  const cx = p.ins.status === 'qualified' ? patientCx(p) : undefined;
  if (!cx) return { asked: false, consulted: false, error: INS_NOT_QUALIFIED };
  if (!t.doubles.dmp) return { asked: false, consulted: false, error: 'Aucun DMP configuré' };
  const { signal, dispose } = anySignal(ctx.cancel, t.cancel.signal);
  try {
    const r = await queryIti18(t.doubles.dmp.registryUrl, cx, t.options.dmpTimeoutMs, signal);
    if (r.outcome === 'error')
      return { asked: false, consulted: true, documents: [], error: `Consultation du DMP impossible : ${r.message} (${r.code})` };
    return { asked: false, consulted: true, documents: r.documents };
  } finally {
    dispose();
  }
}

/** The question, with its own reminder that the patient must be informed first (OPP-03). */
function question(t: TenantState): ConsultResult {
  // seeded defect consult-reminder-in-question-only: the question says « informé », no reminder of its own
  const reminder = t.defects.has('consult-reminder-in-question-only') ? {} : { reminder: CONSULT_REMINDER };
  return { asked: true, question: CONSULT_QUESTION, ...reminder, consulted: false };
}

/** Seeded defect dmp-consulted-late: where it must not consult, the LGC queries the DMP a moment later anyway. */
function consultedLate(ctx: CallContext, t: TenantState, p: Patient): void {
  if (t.defects.has('dmp-consulted-late')) void later(ctx, t, LATE_DEFECT_MS, () => queryDmp(ctx, t, p));
}

export async function consult(ctx: CallContext, t: TenantState, p: Patient, nonOpposition: boolean | undefined): Promise<ConsultResult> {
  if (nonOpposition === undefined) {
    const rec = p.dmpNonOpposition;
    const now =
      rec === true ||
      (rec === undefined && t.defects.has('consult-without-asking')) ||
      (rec === false && t.defects.has('consult-despite-opposition'));
    if (!now) {
      consultedLate(ctx, t, p);
      return question(t);
    }
    return queryDmp(ctx, t, p);
  }
  if (nonOpposition) {
    if (!t.defects.has('consult-asks-every-time')) p.dmpNonOpposition = true;
    return queryDmp(ctx, t, p);
  }
  p.dmpNonOpposition = false;
  consultedLate(ctx, t, p);
  return { asked: false, consulted: false };
}
