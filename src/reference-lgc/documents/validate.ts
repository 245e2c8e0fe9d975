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
async function ePrescription(
  ctx: CallContext,
  tenant: TenantState,
  patient: Patient,
  doc: DocumentRecord,
): Promise<Printed & { failed: boolean }> {
  const url = tenant.doubles.ePrescriptionUrl;
  if (!tenant.settings.ePrescription || !url) return { datamatrix: false, ePrescriptionNumber: null, failed: false };
  const ins = patient.ins.status === 'qualified' ? ins15(patient) : undefined;
  const author = documentAuthor(tenant, doc);
  const { signal, dispose } = anySignal(ctx.cancel, tenant.cancel.signal);
  const registration = await registerPrescription(
    url,
    {
      patient: {
        ...(ins ? { ins } : {}),
        birthName: patient.file.birthName,
        firstName: patient.file.firstName,
        birthDate: patient.file.birthDate,
      },
      prescriber: { name: author.display, rpps: rppsOf(author) },
      lines: doc.content.lines,
    },
    tenant.options.ePrescriptionTimeoutMs,
    signal,
    tenant.doubles.tls,
  ).finally(dispose);
  return registration.ok
    ? { datamatrix: true, ePrescriptionNumber: registration.ePrescriptionNumber, failed: false }
    : { datamatrix: false, ePrescriptionNumber: null, failed: true };
}

export async function validate(ctx: CallContext, tenant: TenantState, doc: DocumentRecord, ws: Workstation): Promise<ActionResult> {
  requireDraft(doc);
  doc.author = tenant.workstation(ws); // the professional who validates is the author (SEND-12)
  const patient = patientOfDocument(tenant, doc);
  const clicks: Click[] = [];
  if (tenant.defects.has('type-code-chosen-by-user')) {
    clicks.push({ purpose: 'choose-document-type', label: 'Type de document' });
    doc.typeCode = TYPE_META[doc.type].typeCode.code;
    doc.typeCodeSetBy = 'user';
  }
  clicks.push({ purpose: 'validate-and-print', label: 'Valider et imprimer' });
  if (tenant.defects.has('masking-dialog')) clicks.push({ purpose: 'masking', label: 'Préférences de masquage' });
  // seeded defect masking-dialog-renamed: the same extra dialog, under another name
  if (tenant.defects.has('masking-dialog-renamed')) clicks.push({ purpose: 'preferences', label: PREFERENCES_DIALOG });
  let printed: Printed = { datamatrix: false, ePrescriptionNumber: null };
  if (doc.type === 'prescription') {
    const { failed, ...ticket } = await ePrescription(ctx, tenant, patient, doc);
    // seeded defect validate-refused-on-eprescription-failure: no prescription without its 2D code (SEND-08),
    // whether the service failed or its module is inactive
    if ((failed || !tenant.settings.ePrescription) && tenant.defects.has('validate-refused-on-eprescription-failure'))
      throw new Unprocessable('eprescription-failed', EPRESCRIPTION_FAILED);
    printed = ticket;
  }
  doc.status = 'validated';
  doc.validatedAt = new Date();
  doc.printed = printed;
  buildCda(tenant, doc);
  tenant.lastSendChoice = doc.sendToDmp.checked;
  tenant.lastSendChoiceByType.set(doc.type, doc.sendToDmp.checked);

  let send = doc.sendToDmp.checked || tenant.defects.has('opt-out-ignored');
  if (tenant.defects.has('separate-send-button')) send = false; // only the explicit send-to-dmp action sends
  if (!tenant.settings.dmpFeeding) send = false;
  let job: Promise<void> | undefined;
  if (!send) {
    doc.dmp = {
      status: 'not-sent',
      ...(doc.sendToDmp.checked ? {} : { message: 'Non envoyé au DMP (opposition du patient)' }),
      attempts: doc.dmp.attempts,
    };
    // seeded defect opp-out-sent-late: shown as not sent, submitted anyway a moment later
    if (!doc.sendToDmp.checked && tenant.defects.has('opp-out-sent-late'))
      void later(ctx, tenant, LATE_DEFECT_MS, (signal) => submitSilently(tenant, doc, signal));
  } else if (
    doc.type === 'prescription' &&
    !doc.printed.datamatrix &&
    tenant.defects.has('prescription-dropped-on-eprescription-failure')
  ) {
    doc.dmp = { status: 'not-sent', message: 'Ordonnance numérique indisponible : prescription non envoyée', attempts: doc.dmp.attempts };
  } else {
    job = startSending(ctx, tenant, doc);
  }
  await waitForDmp(tenant, job);
  return { clicks, screenChanges: 0, printed: { ...doc.printed }, document: documentView(doc) };
}

/** The explicit « Envoyer au DMP » action (a conformant LGC does not need it). */
export async function sendToDmp(ctx: CallContext, tenant: TenantState, doc: DocumentRecord): Promise<ActionResult> {
  if (doc.status !== 'validated') throw new Conflict('not-validated', "Validez le document avant de l'envoyer au DMP.");
  let job: Promise<void> | undefined;
  if (doc.dmp.status !== 'pending' && doc.dmp.status !== 'sent') {
    if (!tenant.settings.dmpFeeding)
      doc.dmp = { status: 'not-sent', message: "L'alimentation du DMP est désactivée", attempts: doc.dmp.attempts };
    else job = startSending(ctx, tenant, doc);
  }
  await waitForDmp(tenant, job);
  return { clicks: [{ purpose: 'send-to-dmp', label: 'Envoyer au DMP' }], screenChanges: 0, document: documentView(doc) };
}

/** SEND-04: the user does not wait for the DMP — unless dmp-in-request-path (for its answer) or dmp-wait-1500 (up to 1.5 s). */
async function waitForDmp(tenant: TenantState, job: Promise<void> | undefined): Promise<void> {
  if (!job) return;
  if (tenant.defects.has('dmp-in-request-path')) await job;
  else if (tenant.defects.has('dmp-wait-1500')) await within(job, SLOW_WAIT_MS);
}
