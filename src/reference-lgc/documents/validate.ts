/**
 * « Valider et imprimer » (SEND-01): the document is validated and printed (a prescription with
 * the ordonnance numérique 2D code when the teleservice gives one, SEND-08), its CDA built, and
 * sent to the DMP in the background (SEND-04) unless the patient opposed (OPP-02); and the
 * explicit « Envoyer au DMP » of the seeded defect separate-send-button.
 */
import { ins15, rppsOf, TYPE_META } from '../cda';
import { anySignal } from '../background';
import { registerPrescription } from '../eprescription-client';
import { Conflict } from '../errors';
import type { Patient, TenantState, Workstation } from '../tenant';
import type { CallContext } from '../triggers';
import { buildCda, documentAuthor } from './content';
import { startSending } from './dmp-feeding';
import { documentView, patientOfDocument, requireDraft, type ActionResult, type Click, type DocumentRecord, type Printed } from './record';

async function ePrescription(ctx: CallContext, t: TenantState, p: Patient, d: DocumentRecord): Promise<Printed> {
  const url = t.doubles.ePrescriptionUrl;
  if (!t.settings.ePrescription || !url) return { datamatrix: false, ePrescriptionNumber: null };
  const ins = p.ins.status === 'qualified' ? ins15(p) : undefined;
  const author = documentAuthor(t, d);
  const r = await registerPrescription(
    url,
    {
      patient: { ...(ins ? { ins } : {}), birthName: p.file.birthName, firstName: p.file.firstName, birthDate: p.file.birthDate },
      prescriber: { name: author.display, rpps: rppsOf(author) },
      lines: d.content.lines,
    },
    t.options.ePrescriptionTimeoutMs,
    anySignal(ctx.cancel, t.cancel.signal).signal,
  );
  return r.ok ? { datamatrix: true, ePrescriptionNumber: r.ePrescriptionNumber } : { datamatrix: false, ePrescriptionNumber: null };
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
  d.status = 'validated';
  d.validatedAt = new Date();
  d.printed = d.type === 'prescription' ? await ePrescription(ctx, t, p, d) : { datamatrix: false, ePrescriptionNumber: null };
  buildCda(t, d);
  t.lastSendChoice = d.sendToDmp.checked;

  let send = d.sendToDmp.checked || t.defects.has('opt-out-ignored');
  if (t.defects.has('separate-send-button')) send = false; // only the explicit send-to-dmp action sends
  if (!t.settings.dmpFeeding) send = false;
  let job: Promise<void> | undefined;
  if (!send) {
    d.dmp = { status: 'not-sent', ...(d.sendToDmp.checked ? {} : { message: 'Non envoyé au DMP (opposition du patient)' }), attempts: d.dmp.attempts };
  } else if (d.type === 'prescription' && !d.printed.datamatrix && t.defects.has('prescription-dropped-on-eprescription-failure')) {
    d.dmp = { status: 'not-sent', message: 'Ordonnance numérique indisponible : prescription non envoyée', attempts: d.dmp.attempts };
  } else {
    job = startSending(ctx, t, d);
  }
  if (job && t.defects.has('dmp-in-request-path')) await job;
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
  if (job && t.defects.has('dmp-in-request-path')) await job;
  return { clicks: [{ purpose: 'send-to-dmp', label: 'Envoyer au DMP' }], screenChanges: 0, document: documentView(d) };
}

