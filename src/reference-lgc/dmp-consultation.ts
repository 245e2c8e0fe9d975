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

async function queryDmp(ctx: CallContext, tenant: TenantState, patient: Patient): Promise<ConsultResult> {
  const cx = patient.ins.status === 'qualified' ? patientCx(patient) : undefined;
  if (!cx) return { asked: false, consulted: false, error: INS_NOT_QUALIFIED };
  if (!tenant.doubles.dmp) return { asked: false, consulted: false, error: 'Aucun DMP configuré' };
  const { signal, dispose } = anySignal(ctx.cancel, tenant.cancel.signal);
  try {
    const outcome = await queryIti18(tenant.doubles.dmp.registryUrl, cx, tenant.options.dmpTimeoutMs, signal, tenant.doubles.tls);
    if (outcome.outcome === 'error')
      return {
        asked: false,
        consulted: true,
        documents: [],
        error: `Consultation du DMP impossible : ${outcome.message} (${outcome.code})`,
      };
    return { asked: false, consulted: true, documents: outcome.documents };
  } finally {
    dispose();
  }
}

/** The question, with its own reminder that the patient must be informed first (OPP-03). */
function question(tenant: TenantState): ConsultResult {
  // seeded defect consult-reminder-in-question-only: the question says « informé », no reminder of its own
  const reminder = tenant.defects.has('consult-reminder-in-question-only') ? {} : { reminder: CONSULT_REMINDER };
  return { asked: true, question: CONSULT_QUESTION, ...reminder, consulted: false };
}

/** Seeded defect dmp-consulted-late: where it must not consult, the LGC queries the DMP a moment later anyway. */
function consultedLate(ctx: CallContext, tenant: TenantState, patient: Patient): void {
  if (tenant.defects.has('dmp-consulted-late')) void later(ctx, tenant, LATE_DEFECT_MS, () => queryDmp(ctx, tenant, patient));
}

export async function consult(
  ctx: CallContext,
  tenant: TenantState,
  patient: Patient,
  nonOpposition: boolean | undefined,
): Promise<ConsultResult> {
  if (nonOpposition === undefined) {
    const rec = patient.dmpNonOpposition;
    const now =
      rec === true ||
      (rec === undefined && tenant.defects.has('consult-without-asking')) ||
      (rec === false && tenant.defects.has('consult-despite-opposition'));
    if (!now) {
      consultedLate(ctx, tenant, patient);
      return question(tenant);
    }
    return queryDmp(ctx, tenant, patient);
  }
  if (nonOpposition) {
    if (!tenant.defects.has('consult-asks-every-time')) patient.dmpNonOpposition = true;
    return queryDmp(ctx, tenant, patient);
  }
  patient.dmpNonOpposition = false;
  consultedLate(ctx, tenant, patient);
  return { asked: false, consulted: false };
}
