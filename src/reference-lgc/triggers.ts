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
export function shouldCall(t: TenantState, p: Patient): boolean {
  // settings insi:false is refused (SEND-07) unless the seeded defect insi-can-be-disabled applied it
  if (!t.settings.insi) return false;
  if (p.ins.status === 'qualified' && !t.defects.has('recall-when-qualified')) return false;
  if (p.ins.status === 'recovered' && t.defects.has('insi-once-per-patient')) return false;
  return true;
}

export function traitsQuery(t: TenantState, file: Traits, birthName = file.birthName): InsiRequest {
  const traits: { birthName: string; firstName: string; sex: string; birthDate: string; birthPlace?: string } = {
    birthName: birthName.trim(),
    firstName: file.firstName.trim(),
    sex: file.sex,
    birthDate: file.birthDate,
  };
  if (file.birthPlace) traits.birthPlace = file.birthPlace.trim();
  // seeded defect: a numeric birth-place column turns Corsica's 2A/2B into the pre-1976 "20"
  if (traits.birthPlace && t.defects.has('corsica-birthplace-as-digits')) traits.birthPlace = traits.birthPlace.replace(/^2[AB]/, '20');
  return { op: 'rechercherInsAvecTraitsIdentite', traits };
}

function record(t: TenantState, p: Patient, seq: number, at: string, trigger: Trigger, r: InsiResult): void {
  if (seq < p.lastCallSeq) return; // an older call than the one shown: ignored
  p.lastCallSeq = seq;
  if (r.outcome === 'found' && r.ins && r.traits) {
    p.lastCall = { at, trigger, outcome: 'found', ...(r.code ? { code: r.code } : {}), ...(r.message ? { message: r.message } : {}) };
    p.insiTraits = { ...r.traits };
    p.foundBy.add(trigger);
    if (p.ins.status !== 'qualified') {
      p.ins = { status: 'recovered', matricule: r.ins.matricule };
      if (r.ins.key) p.ins.key = r.ins.key;
      if (r.ins.oid) p.ins.oid = r.ins.oid;
    }
    return;
  }
  if (t.defects.has('insi-failure-not-recorded')) return; // seeded defect: stays 'pending'
  const outcome = r.outcome === 'found' ? 'error' : r.outcome;
  p.lastCall = { at, trigger, outcome };
  if (r.code) p.lastCall.code = r.code;
  if (r.message) p.lastCall.message = r.message;
}

export interface CallContext {
  /** aborted when the LGC shuts down */
  cancel: AbortSignal;
  /** every background call, so that shutdown/tests can wait for them */
  inFlight: Set<Promise<void>>;
}

/** Record the call as pending now, run it, record its outcome later. The promise never rejects. */
function startCall(ctx: CallContext, t: TenantState, p: Patient, trigger: Trigger, req: InsiRequest, ws: Workstation): Promise<void> {
  const seq = t.newCallSeq();
  const at = new Date().toISOString();
  p.lastCall = { at, trigger, outcome: 'pending' };
  p.lastCallSeq = seq;
  p.offerAtTrigger = qualificationOffered(p, t.defects);
  const run = callInsi(t.insiUrl, req, emetteur(ws), t.options.insiTimeoutMs, ctx.cancel)
    .then((r) => record(t, p, seq, at, trigger, r))
    .catch((e: unknown) => {
      record(t, p, seq, at, trigger, { outcome: 'error', code: 'internal', message: String(e) });
    });
  ctx.inFlight.add(run);
  void run.finally(() => ctx.inFlight.delete(run));
  return run;
}

/**
 * Background (INS-02) unless a seeded defect makes the user wait: insi-in-request-path for
 * INSi's answer, insi-wait-1500 for at most 1.5 s.
 */
async function maybeAwait(t: TenantState, calls: Promise<void>[]): Promise<void> {
  if (t.defects.has('insi-in-request-path')) await Promise.all(calls);
  else if (t.defects.has('insi-wait-1500') && calls.length) await within(Promise.all(calls), SLOW_WAIT_MS);
}

/** Seeded defect insi-late-for-qualified: a qualified patient is looked up anyway, a moment later (the answer ignored). */
function lateCallForQualified(ctx: CallContext, t: TenantState, p: Patient, req: () => InsiRequest, ws: Workstation): void {
  if (p.ins.status !== 'qualified' || !t.settings.insi || !t.defects.has('insi-late-for-qualified')) return;
  void later(ctx, t, LATE_DEFECT_MS, (signal) => callInsi(t.insiUrl, req(), emetteur(ws), t.options.insiTimeoutMs, signal));
}

function sexFromNir(matricule: string): Traits['sex'] {
  const d = Number(matricule[0]);
  if (d >= 1 && d <= 8) return d % 2 === 1 ? 'M' : 'F';
  return 'I';
}

/** Find the card's patient: by matricule (INS or earlier card), else birth name + first name + birth date. */
export function matchCard(t: TenantState, card: CarteVitale): Patient | undefined {
  const patients = [...t.patients.values()];
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

export async function carteVitale(ctx: CallContext, t: TenantState, ws: Workstation, card: CarteVitale): Promise<Patient> {
  let p = matchCard(t, card);
  if (!p) {
    p = t.addPatient({
      birthName: card.birthName.trim(),
      firstName: card.firstName.trim(),
      sex: sexFromNir(card.matricule),
      birthDate: card.birthDate,
    });
  }
  p.cardMatricule = card.matricule;
  const req = (): InsiRequest =>
    t.defects.has('vitale-uses-file-traits')
      ? traitsQuery(t, p.file)
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
  if (shouldCall(t, p)) await maybeAwait(t, [startCall(ctx, t, p, 'carte-vitale', req(), ws)]);
  else lateCallForQualified(ctx, t, p, req, ws);
  return p;
}

export async function openFile(ctx: CallContext, t: TenantState, ws: Workstation, p: Patient): Promise<void> {
  if (!shouldCall(t, p) || t.defects.has('insi-only-with-carte-vitale')) {
    lateCallForQualified(ctx, t, p, () => traitsQuery(t, p.file), ws);
    return;
  }
  const usedName = t.defects.has('open-file-sends-used-name') && p.file.usedName?.trim() ? p.file.usedName : undefined;
  await maybeAwait(t, [startCall(ctx, t, p, 'open-file', traitsQuery(t, p.file, usedName ?? p.file.birthName), ws)]);
}

export async function startOfDay(ctx: CallContext, t: TenantState, ws: Workstation, date: string): Promise<number> {
  const ofTheDay = [...t.patients.values()].filter((p) => p.appointments.includes(date));
  if (!t.defects.has('no-start-of-day-batch') && !t.defects.has('insi-only-with-carte-vitale')) {
    const calls = ofTheDay.filter((p) => shouldCall(t, p)).map((p) => startCall(ctx, t, p, 'start-of-day', traitsQuery(t, p.file), ws));
    for (const p of ofTheDay) lateCallForQualified(ctx, t, p, () => traitsQuery(t, p.file), ws);
    // seeded defect start-of-day-late-for-others: a moment later, the patients not expected today too
    if (t.defects.has('start-of-day-late-for-others')) {
      const others = [...t.patients.values()].filter((p) => !ofTheDay.includes(p));
      void later(ctx, t, LATE_DEFECT_MS, async () => {
        await Promise.all(
          others.filter((p) => shouldCall(t, p)).map((p) => startCall(ctx, t, p, 'start-of-day', traitsQuery(t, p.file), ws)),
        );
      });
    }
    await maybeAwait(t, calls);
  }
  return ofTheDay.length;
}
