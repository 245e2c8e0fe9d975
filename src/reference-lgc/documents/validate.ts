/**
 * « Valider et imprimer » (SEND-01): the document is validated and printed (a prescription with
 * the ordonnance numérique 2D code when the teleservice gives one, SEND-08), its CDA built, and
 * sent to the DMP in the background (SEND-04) unless the patient opposed (OPP-02); and the
 * explicit « Envoyer au DMP » of the seeded defect separate-send-button.
 */
import { ins15, rppsOf, TYPE_META } from '../cda';
import { anySignal, LATE_DEFECT_MS, later, SLOW_WAIT_MS, within } from '../background';
import { registerPrescription } from '../eprescription-client';
import { Conflict, Unprocessable } from '../errors';
import type { Patient, TenantState, Workstation } from '../tenant';
import type { CallContext } from '../triggers';
import { buildCda, documentAuthor } from './content';
import { startSending, submitSilently } from './dmp-feeding';
import {
  documentView,
  EPRESCRIPTION_FAILED,
  patientOfDocument,
  PREFERENCES_DIALOG,
  requireDraft,
  type ActionResult,
  type Click,
  type DocumentRecord,
  type Printed,
} from './record';

/** The printed prescription (with the ordonnance numérique 2D code when the teleservice gave one); `failed`: it answered KO or not at all. */
async function ePrescription(ctx: CallContext, t: TenantState, p: Patient, d: DocumentRecord): Promise<Printed & { failed: boolean }> {
  const url = t.doubles.ePrescriptionUrl;
  if (!t.settings.ePrescription || !url) return { datamatrix: false, ePrescriptionNumber: null, failed: false };
  const ins = p.ins.status === 'qualified' ? ins15(p) : undefined;
  const author = documentAuthor(t, d);
  const { signal, dispose } = anySignal(ctx.cancel, t.cancel.signal);
  const r = await registerPrescription(
    url,
    {
      patient: { ...(ins ? { ins } : {}), birthName: p.file.birthName, firstName: p.file.firstName, birthDate: p.file.birthDate },
      prescriber: { name: author.display, rpps: rppsOf(author) },
      lines: d.content.lines,
    },
    t.options.ePrescriptionTimeoutMs,
    signal,
  ).finally(dispose);
  return r.ok
    ? { datamatrix: true, ePrescriptionNumber: r.ePrescriptionNumber, failed: false }
    : { datamatrix: false, ePrescriptionNumber: null, failed: true };
}

export async function validate(ctx: CallContext, t: TenantState, d: DocumentRecord, ws: Workstation): Promise<ActionResult> {
  requireDraft(d);
  d.author = t.workstation(ws); // the professional who validates is the author (SEND-12)
  const p = patientOfDocument(t, d);
  const clicks: Click[] = [];
  if (t.defects.has('type-code-chosen-by-user')) {
    clicks.push({ purpose: 'choose-document-type', label: 'Type de document' });
    d.typeCode = TYPE_META[d.type].typeCode.code;
    d.typeCodeSetBy = 'user';
  }
  clicks.push({ purpose: 'validate-and-print', label: 'Valider et imprimer' });
  if (t.defects.has('masking-dialog')) clicks.push({ purpose: 'masking', label: 'Préférences de masquage' });
  // seeded defect masking-dialog-renamed: the same extra dialog, under another name
  if (t.defects.has('masking-dialog-renamed')) clicks.push({ purpose: 'preferences', label: PREFERENCES_DIALOG });
  let printed: Printed = { datamatrix: false, ePrescriptionNumber: null };
  if (d.type === 'prescription') {
    const { failed, ...ticket } = await ePrescription(ctx, t, p, d);
    // seeded defect validate-refused-on-eprescription-failure: no prescription without its 2D code (SEND-08),
    // whether the service failed or its module is inactive
    if ((failed || !t.settings.ePrescription) && t.defects.has('validate-refused-on-eprescription-failure'))
      throw new Unprocessable('eprescription-failed', EPRESCRIPTION_FAILED);
    printed = ticket;
  }
  d.status = 'validated';
  d.validatedAt = new Date();
  d.printed = printed;
  buildCda(t, d);
  t.lastSendChoice = d.sendToDmp.checked;
  t.lastSendChoiceByType.set(d.type, d.sendToDmp.checked);

  let send = d.sendToDmp.checked || t.defects.has('opt-out-ignored');
  if (t.defects.has('separate-send-button')) send = false; // only the explicit send-to-dmp action sends
  if (!t.settings.dmpFeeding) send = false;
  let job: Promise<void> | undefined;
  if (!send) {
    d.dmp = {
      status: 'not-sent',
      ...(d.sendToDmp.checked ? {} : { message: 'Non envoyé au DMP (opposition du patient)' }),
      attempts: d.dmp.attempts,
    };
    // seeded defect opp-out-sent-late: shown as not sent, submitted anyway a moment later
    if (!d.sendToDmp.checked && t.defects.has('opp-out-sent-late'))
      void later(ctx, t, LATE_DEFECT_MS, (signal) => submitSilently(t, d, signal));
  } else if (d.type === 'prescription' && !d.printed.datamatrix && t.defects.has('prescription-dropped-on-eprescription-failure')) {
    d.dmp = { status: 'not-sent', message: 'Ordonnance numérique indisponible : prescription non envoyée', attempts: d.dmp.attempts };
  } else {
    job = startSending(ctx, t, d);
  }
  await waitForDmp(t, job);
  return { clicks, screenChanges: 0, printed: { ...d.printed }, document: documentView(d) };
}

/** The explicit « Envoyer au DMP » action (a conformant LGC does not need it). */
export async function sendToDmp(ctx: CallContext, t: TenantState, d: DocumentRecord): Promise<ActionResult> {
  if (d.status !== 'validated') throw new Conflict('not-validated', "Validez le document avant de l'envoyer au DMP.");
  let job: Promise<void> | undefined;
  if (d.dmp.status !== 'pending' && d.dmp.status !== 'sent') {
    if (!t.settings.dmpFeeding) d.dmp = { status: 'not-sent', message: "L'alimentation du DMP est désactivée", attempts: d.dmp.attempts };
    else job = startSending(ctx, t, d);
  }
  await waitForDmp(t, job);
  return { clicks: [{ purpose: 'send-to-dmp', label: 'Envoyer au DMP' }], screenChanges: 0, document: documentView(d) };
}

/** SEND-04: the user does not wait for the DMP — unless dmp-in-request-path (for its answer) or dmp-wait-1500 (up to 1.5 s). */
async function waitForDmp(t: TenantState, job: Promise<void> | undefined): Promise<void> {
  if (!job) return;
  if (t.defects.has('dmp-in-request-path')) await job;
  else if (t.defects.has('dmp-wait-1500')) await within(job, SLOW_WAIT_MS);
}
