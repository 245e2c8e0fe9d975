/**
 * The INSi triggers (INS-03 Carte Vitale, INS-04 open file, INS-05 start of day): who is looked
 * up, with which operation and traits, and how the outcome is recorded (INS-07).
 */
import { LATE_DEFECT_MS, later, SLOW_WAIT_MS, within } from './background';
import { qualificationOffered } from './identity';
import { callInsi, type InsiRequest, type InsiResult } from './insi-client';
import type { CarteVitale, Patient, TenantState, Traits, Trigger, Workstation } from './tenant';

/** The ctxbam/ctxlps Emetteur: the card holder, else "<role>-<card>". */
export function emetteur(ws: Workstation): string {
  return ws.user ?? `${ws.role}-${ws.card}`;
}

/** INS-01/INS-06: call unless the INS is qualified (plus the seeded defects). */
export function shouldCall(tenant: TenantState, patient: Patient): boolean {
  // settings insi:false is refused (SEND-07) unless the seeded defect insi-can-be-disabled applied it
  if (!tenant.settings.insi) return false;
  if (patient.ins.status === 'qualified' && !tenant.defects.has('recall-when-qualified')) return false;
  if (patient.ins.status === 'recovered' && tenant.defects.has('insi-once-per-patient')) return false;
  return true;
}

export function traitsQuery(tenant: TenantState, file: Traits, birthName = file.birthName): InsiRequest {
  const traits: { birthName: string; firstName: string; sex: string; birthDate: string; birthPlace?: string } = {
    birthName: birthName.trim(),
    firstName: file.firstName.trim(),
    sex: file.sex,
    birthDate: file.birthDate,
  };
  if (file.birthPlace) traits.birthPlace = file.birthPlace.trim();
  // seeded defect: a numeric birth-place column turns Corsica's 2A/2B into the pre-1976 "20"
  if (traits.birthPlace && tenant.defects.has('corsica-birthplace-as-digits'))
    traits.birthPlace = traits.birthPlace.replace(/^2[AB]/, '20');
  return { op: 'rechercherInsAvecTraitsIdentite', traits };
}

function record(tenant: TenantState, patient: Patient, seq: number, at: string, trigger: Trigger, result: InsiResult): void {
  if (seq < patient.lastCallSeq) return; // an older call than the one shown: ignored
  patient.lastCallSeq = seq;
  if (result.outcome === 'found' && result.ins && result.traits) {
    patient.lastCall = {
      at,
      trigger,
      outcome: 'found',
      ...(result.code ? { code: result.code } : {}),
      ...(result.message ? { message: result.message } : {}),
    };
    patient.insiTraits = { ...result.traits };
    patient.foundBy.add(trigger);
    if (patient.ins.status !== 'qualified') {
      patient.ins = { status: 'recovered', matricule: result.ins.matricule };
      if (result.ins.key) patient.ins.key = result.ins.key;
      if (result.ins.oid) patient.ins.oid = result.ins.oid;
    }
    return;
  }
  if (tenant.defects.has('insi-failure-not-recorded')) return; // seeded defect: stays 'pending'
  const outcome = result.outcome === 'found' ? 'error' : result.outcome;
  patient.lastCall = { at, trigger, outcome };
  if (result.code) patient.lastCall.code = result.code;
  if (result.message) patient.lastCall.message = result.message;
}

export interface CallContext {
  /** aborted when the LGC shuts down */
  cancel: AbortSignal;
  /** every background call, so that shutdown/tests can wait for them */
  inFlight: Set<Promise<void>>;
}

/** Record the call as pending now, run it, record its outcome later. The promise never rejects. */
function startCall(
  ctx: CallContext,
  tenant: TenantState,
  patient: Patient,
  trigger: Trigger,
  req: InsiRequest,
  ws: Workstation,
): Promise<void> {
  const seq = tenant.newCallSeq();
  const at = new Date().toISOString();
  patient.lastCall = { at, trigger, outcome: 'pending' };
  patient.lastCallSeq = seq;
  patient.offerAtTrigger = qualificationOffered(patient, tenant.defects);
  const run = callInsi(tenant.insiUrl, req, emetteur(ws), tenant.options.insiTimeoutMs, ctx.cancel, tenant.doubles.tls)
    .then((r) => record(tenant, patient, seq, at, trigger, r))
    .catch((e: unknown) => {
      record(tenant, patient, seq, at, trigger, { outcome: 'error', code: 'internal', message: String(e) });
    });
  ctx.inFlight.add(run);
  void run.finally(() => ctx.inFlight.delete(run));
  return run;
}

/**
 * Background (INS-02) unless a seeded defect makes the user wait: insi-in-request-path for
 * INSi's answer, insi-wait-1500 for at most 1.5 s.
 */
async function maybeAwait(tenant: TenantState, calls: Promise<void>[]): Promise<void> {
  if (tenant.defects.has('insi-in-request-path')) await Promise.all(calls);
  else if (tenant.defects.has('insi-wait-1500') && calls.length) await within(Promise.all(calls), SLOW_WAIT_MS);
}

/** Seeded defect insi-late-for-qualified: a qualified patient is looked up anyway, a moment later (the answer ignored). */
function lateCallForQualified(ctx: CallContext, tenant: TenantState, patient: Patient, req: () => InsiRequest, ws: Workstation): void {
  if (patient.ins.status !== 'qualified' || !tenant.settings.insi || !tenant.defects.has('insi-late-for-qualified')) return;
  void later(ctx, tenant, LATE_DEFECT_MS, (signal) =>
    callInsi(tenant.insiUrl, req(), emetteur(ws), tenant.options.insiTimeoutMs, signal, tenant.doubles.tls),
  );
}

function sexFromNir(matricule: string): Traits['sex'] {
  const digit = Number(matricule[0]);
  if (digit >= 1 && digit <= 8) return digit % 2 === 1 ? 'M' : 'F';
  return 'I';
}

/** Find the card's patient: by matricule (INS or earlier card), else birth name + first name + birth date. */
export function matchCard(tenant: TenantState, card: CarteVitale): Patient | undefined {
  const patients = [...tenant.patients.values()];
  const byMatricule = patients.find(
    (p) => (p.ins.status !== 'none' && p.ins.matricule === card.matricule) || p.cardMatricule === card.matricule,
  );
  if (byMatricule) return byMatricule;
  return patients.find(
    (p) =>
      p.file.birthName.trim() === card.birthName.trim() &&
      p.file.firstName.trim() === card.firstName.trim() &&
      p.file.birthDate === card.birthDate,
  );
}

export async function carteVitale(ctx: CallContext, tenant: TenantState, ws: Workstation, card: CarteVitale): Promise<Patient> {
  let patient = matchCard(tenant, card);
  if (!patient) {
    patient = tenant.addPatient({
      birthName: card.birthName.trim(),
      firstName: card.firstName.trim(),
      sex: sexFromNir(card.matricule),
      birthDate: card.birthDate,
    });
  }
  patient.cardMatricule = card.matricule;
  const req = (): InsiRequest =>
    tenant.defects.has('vitale-uses-file-traits')
      ? traitsQuery(tenant, patient.file)
      : {
          op: 'rechercherInsAvecCarteVitale',
          card: {
            matricule: card.matricule,
            birthName: card.birthName.trim(),
            birthDate: card.birthDate,
            ...(card.key ? { key: card.key } : {}),
            ...(card.birthRank ? { birthRank: card.birthRank } : {}),
          },
        };
  if (shouldCall(tenant, patient)) await maybeAwait(tenant, [startCall(ctx, tenant, patient, 'carte-vitale', req(), ws)]);
  else lateCallForQualified(ctx, tenant, patient, req, ws);
  return patient;
}

export async function openFile(ctx: CallContext, tenant: TenantState, ws: Workstation, patient: Patient): Promise<void> {
  if (!shouldCall(tenant, patient) || tenant.defects.has('insi-only-with-carte-vitale')) {
    lateCallForQualified(ctx, tenant, patient, () => traitsQuery(tenant, patient.file), ws);
    return;
  }
  const usedName = tenant.defects.has('open-file-sends-used-name') && patient.file.usedName?.trim() ? patient.file.usedName : undefined;
  await maybeAwait(tenant, [
    startCall(ctx, tenant, patient, 'open-file', traitsQuery(tenant, patient.file, usedName ?? patient.file.birthName), ws),
  ]);
}

export async function startOfDay(ctx: CallContext, tenant: TenantState, ws: Workstation, date: string): Promise<number> {
  const ofTheDay = [...tenant.patients.values()].filter((p) => p.appointments.includes(date));
  if (!tenant.defects.has('no-start-of-day-batch') && !tenant.defects.has('insi-only-with-carte-vitale')) {
    const calls = ofTheDay
      .filter((p) => shouldCall(tenant, p))
      .map((p) => startCall(ctx, tenant, p, 'start-of-day', traitsQuery(tenant, p.file), ws));
    for (const p of ofTheDay) lateCallForQualified(ctx, tenant, p, () => traitsQuery(tenant, p.file), ws);
    // seeded defect start-of-day-late-for-others: a moment later, the patients not expected today too
    if (tenant.defects.has('start-of-day-late-for-others')) {
      const others = [...tenant.patients.values()].filter((p) => !ofTheDay.includes(p));
      void later(ctx, tenant, LATE_DEFECT_MS, async () => {
        await Promise.all(
          others
            .filter((p) => shouldCall(tenant, p))
            .map((p) => startCall(ctx, tenant, p, 'start-of-day', traitsQuery(tenant, p.file), ws)),
        );
      });
    }
    await maybeAwait(tenant, calls);
  }
  return ofTheDay.length;
}
